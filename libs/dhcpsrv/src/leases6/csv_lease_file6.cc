#include "takahe/dhcpsrv/csv_lease_file6.h"

#include <algorithm>

#include "../leases/csv_row.h"
#include "../leases/csv_text.h"
#include "lease6_checks.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv {

namespace {

using detail::appendHex;
using detail::appendNumber;
using detail::parseCsvBool;
using detail::parseCsvNumber;
using detail::quoted;

// A line as read (no '\n') or as formatted (with it); '\r' from Windows editors too.
std::string_view stripLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') {
    line.remove_suffix(1);
  }
  return detail::stripLineEnd(line);
}

// Longest DUID (RFC 8415 §11.1: type code plus at most 128 bytes) and hardware address (Kea's
// limit, as for the DHCPv4 files).

using RowResult = Result<Lease6, std::string>;

RowResult fail(std::string why) { return RowResult::failure(std::move(why)); }

void appendRow(std::string& out, const Lease6& lease, uint32_t valid, uint32_t preferred) {
  out += lease.address.toString();
  out.push_back(',');
  appendHex(out, lease.duid.bytes);
  out.push_back(',');
  appendNumber(out, valid);
  out.push_back(',');
  appendNumber(out, lease.cltt + static_cast<int64_t>(valid));
  out.push_back(',');
  appendNumber(out, lease.subnet_id.value);
  out.push_back(',');
  appendNumber(out, preferred);
  out.push_back(',');
  appendNumber(out, static_cast<uint32_t>(lease.type));
  out.push_back(',');
  appendNumber(out, lease.iaid);
  out.push_back(',');
  appendNumber(out, uint32_t{lease.prefix_len});
  out.push_back(',');
  out.push_back(lease.fqdn_fwd ? '1' : '0');
  out.push_back(',');
  out.push_back(lease.fqdn_rev ? '1' : '0');
  out.push_back(',');
  detail::appendEscaped(out, lease.hostname);
  out.push_back(',');
  appendHex(out, lease.hwaddr.bytes);
  out.push_back(',');
  appendNumber(out, static_cast<uint32_t>(lease.state));
  out.push_back(',');
  detail::appendEscaped(out, lease.user_context);
  out.push_back(',');
  // Kea leaves hwtype and hwaddr_source empty when the lease has no hardware address.
  if (!lease.hwaddr.empty()) {
    appendNumber(out, uint32_t{lease.hwaddr.htype});
  }
  out.push_back(',');
  if (!lease.hwaddr.empty()) {
    appendNumber(out, lease.hwaddr_source);
  }
  out.push_back(',');
  appendNumber(out, lease.pool_id);
  out.push_back('\n');
}

}  // namespace

std::string lease6CsvHeader() {
  std::string h;
  for (size_t i = 0; i < kLease6CsvColumns.size(); ++i) {
    if (i) {
      h.push_back(',');
    }
    h += kLease6CsvColumns[i];
  }
  h.push_back('\n');
  return h;
}

void appendLease6CsvRow(std::string& out, const Lease6& lease) {
  appendRow(out, lease, lease.valid_lifetime, lease.preferred_lifetime);
}

std::string formatLease6CsvRow(const Lease6& lease) {
  std::string out;
  appendLease6CsvRow(out, lease);
  return out;
}

std::string formatLease6CsvDeletionRow(const Lease6& lease) {
  std::string out;
  appendRow(out, lease, 0, 0);
  return out;
}

Result<Lease6CsvHeader, std::string> parseLease6CsvHeader(std::string_view line) {
  Lease6CsvHeader h;
  if (auto why = detail::checkCsvHeader(line, kLease6CsvColumns, kLease6CsvMinColumns, "DHCPv6", "address .. prefix_len", h.columns, h.known)) {
    return Result<Lease6CsvHeader, std::string>::failure(*why);
  }
  return h;
}

Result<Lease6, std::string> parseLease6CsvRow(std::string_view line,
                                              const Lease6CsvHeader& header) {
  line = stripLineEnd(line);
  constexpr size_t kOurs = kLease6CsvColumns.size();
  std::string_view f[kOurs];
  size_t n = detail::splitCsvFields(line, f, kOurs);
  size_t min_cols = std::min(header.columns, kOurs);
  size_t max_cols = std::max(header.columns, kOurs);
  if (n < min_cols || n > max_cols) {
    return fail("row has " + std::to_string(n) + " columns, the header " +
                std::to_string(header.columns));
  }
  size_t have = std::min(n, kOurs);
  Lease6 lease;
  auto addr = IPv6Address::parse(f[0]);
  if (!addr || addr->isZero()) {
    return fail("invalid address " + quoted(f[0]));
  }
  lease.address = *addr;
  if (f[1].empty()) {
    return fail("empty duid");  // Kea refuses these rows too
  }
  auto duid = parseHex(f[1]);
  if (!duid || duid->empty() || duid->size() > detail::kMaxDuidBytes6) {
    return fail("invalid duid " + quoted(f[1]));
  }
  lease.duid = Duid(std::move(*duid));
  if (!parseCsvNumber(f[2], lease.valid_lifetime)) {
    return fail("invalid valid_lifetime " + quoted(f[2]));
  }
  int64_t expire = 0;
  if (!parseCsvNumber(f[3], expire)) {
    return fail("invalid expire " + quoted(f[3]));
  }
  lease.cltt = expire - static_cast<int64_t>(lease.valid_lifetime);
  if (!parseCsvNumber(f[4], lease.subnet_id.value)) {
    return fail("invalid subnet_id " + quoted(f[4]));
  }
  if (!parseCsvNumber(f[5], lease.preferred_lifetime)) {
    return fail("invalid pref_lifetime " + quoted(f[5]));
  }
  uint32_t type = 0;
  if (!parseCsvNumber(f[6], type) || type > kMaxLease6Type) {
    return fail("invalid lease_type " + quoted(f[6]));
  }
  lease.type = static_cast<Lease6Type>(type);
  if (!parseCsvNumber(f[7], lease.iaid)) {
    return fail("invalid iaid " + quoted(f[7]));
  }
  uint32_t prefix_len = 0;
  if (!parseCsvNumber(f[8], prefix_len) || prefix_len == 0 || prefix_len > 128) {
    return fail("invalid prefix_len " + quoted(f[8]));
  }
  lease.prefix_len = static_cast<uint8_t>(prefix_len);
  if (have > 9 && !parseCsvBool(f[9], lease.fqdn_fwd)) {
    return fail("invalid fqdn_fwd " + quoted(f[9]));
  }
  if (have > 10 && !parseCsvBool(f[10], lease.fqdn_rev)) {
    return fail("invalid fqdn_rev " + quoted(f[10]));
  }
  if (have > 11) {
    lease.hostname = unescapeCsvText(f[11]);
    if (lease.hostname.size() > 0xffff) {
      return fail("hostname longer than 65535 bytes");
    }
  }
  if (have > 12 && !f[12].empty()) {
    auto hw = parseHex(f[12]);
    if (!hw || hw->size() > detail::kMaxHwAddrBytes6) {
      return fail("invalid hwaddr " + quoted(f[12]));
    }
    lease.hwaddr = HwAddr(1, std::move(*hw));
  }
  if (have > 13) {
    uint32_t state = 0;
    if (!parseCsvNumber(f[13], state) || state > kMaxLeaseState) {
      return fail("invalid state " + quoted(f[13]));
    }
    lease.state = static_cast<LeaseState>(state);
  }
  if (have > 14 && !f[14].empty()) {
    lease.user_context = unescapeCsvText(f[14]);
    if (!detail::looksLikeJsonMap(lease.user_context)) {
      return fail("user_context is not a JSON map: " + quoted(f[14]));
    }
  }
  // hwtype and hwaddr_source belong to the hardware address: files older than these columns
  // (and rows with them empty) mean Ethernet, source unknown, as Kea reads them.
  if (!lease.hwaddr.empty()) {
    if (have > 15 && !f[15].empty()) {
      uint32_t hwtype = 0;
      if (!parseCsvNumber(f[15], hwtype)) {
        return fail("invalid hwtype " + quoted(f[15]));
      }
      if (hwtype > 255) {
        return fail("hwtype " + std::to_string(hwtype) + " above 255 is not supported");
      }
      lease.hwaddr.htype = static_cast<uint8_t>(hwtype);
    }
    if (have > 16 && !f[16].empty() && !parseCsvNumber(f[16], lease.hwaddr_source)) {
      return fail("invalid hwaddr_source " + quoted(f[16]));
    }
  }
  if (have > 17 && !parseCsvNumber(f[17], lease.pool_id)) {
    return fail("invalid pool_id " + quoted(f[17]));
  }
  return lease;
}

Lease6CsvReadStats readLease6CsvFile(const std::string& path, const Lease6RowSink& sink,
                                     uint64_t max_row_errors) {
  return detail::readLeaseCsv<Lease6CsvReadStats>(path, max_row_errors, parseLease6CsvHeader, parseLease6CsvRow, sink);
}

}  // namespace takahe::dhcpsrv
