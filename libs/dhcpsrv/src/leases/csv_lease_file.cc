#include "takahe/dhcpsrv/csv_lease_file.h"

#include <algorithm>

#include "csv_row.h"
#include "csv_text.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv {

namespace detail {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool needsEscape(unsigned char c) { return c == ',' || c == '&' || c < 0x20 || c == 0x7f; }

}  // namespace

void appendEscaped(std::string& out, std::string_view text) {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (needsEscape(c)) {
      out += "&#x";
      out.push_back(kHexDigits[c >> 4]);
      out.push_back(kHexDigits[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
}

void appendLease4Row(std::string& out, const Lease4RowView& row) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    appendNumber(out, (row.address >> shift) & 0xff);
    out.push_back(shift ? '.' : ',');
  }
  appendHex(out, row.hwaddr);
  out.push_back(',');
  appendHex(out, row.client_id);
  out.push_back(',');
  appendNumber(out, row.valid_lifetime);
  out.push_back(',');
  appendNumber(out, row.cltt + static_cast<int64_t>(row.valid_lifetime));
  out.push_back(',');
  appendNumber(out, row.subnet_id);
  out.push_back(',');
  out.push_back(row.fqdn_fwd ? '1' : '0');
  out.push_back(',');
  out.push_back(row.fqdn_rev ? '1' : '0');
  out.push_back(',');
  appendEscaped(out, row.hostname);
  out.push_back(',');
  appendNumber(out, row.state);
  out.push_back(',');
  appendEscaped(out, row.user_context);
  out.push_back(',');
  appendNumber(out, row.pool_id);
  out.push_back('\n');
}

}  // namespace detail

std::string lease4CsvHeader() {
  std::string h;
  for (size_t i = 0; i < kLease4CsvColumns.size(); ++i) {
    if (i) {
      h.push_back(',');
    }
    h += kLease4CsvColumns[i];
  }
  h.push_back('\n');
  return h;
}

std::string escapeCsvText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  detail::appendEscaped(out, text);
  return out;
}

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::string unescapeCsvText(std::string_view text) {
  if (text.find('&') == std::string_view::npos) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&' && i + 5 <= text.size() && text[i + 1] == '#' && text[i + 2] == 'x') {
      int h = hexDigit(text[i + 3]);
      int l = hexDigit(text[i + 4]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h << 4 | l));
        i += 4;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void appendLease4CsvRow(std::string& out, const Lease4& lease) {
  detail::Lease4RowView row;
  row.address = lease.address.toUint();
  row.hwaddr = lease.hwaddr.bytes;
  row.client_id = lease.client_id.bytes;
  row.valid_lifetime = lease.valid_lifetime;
  row.cltt = lease.cltt;
  row.subnet_id = lease.subnet_id.value;
  row.fqdn_fwd = lease.fqdn_fwd;
  row.fqdn_rev = lease.fqdn_rev;
  row.hostname = lease.hostname;
  row.state = static_cast<uint32_t>(lease.state);
  row.user_context = lease.user_context;
  row.pool_id = lease.pool_id;
  detail::appendLease4Row(out, row);
}

std::string formatLease4CsvRow(const Lease4& lease) {
  std::string out;
  appendLease4CsvRow(out, lease);
  return out;
}

namespace {

using detail::quoted;
using detail::stripLineEnd;

using RowResult = Result<Lease4, std::string>;

RowResult fail(std::string why) { return RowResult::failure(std::move(why)); }

}  // namespace

Result<Lease4CsvHeader, std::string> parseLease4CsvHeader(std::string_view line) {
  Lease4CsvHeader h;
  if (auto why = detail::checkCsvHeader(line, kLease4CsvColumns, kLease4CsvMinColumns, "DHCPv4", "address .. subnet_id", h.columns, h.known)) {
    return Result<Lease4CsvHeader, std::string>::failure(*why);
  }
  return h;
}

Result<Lease4, std::string> parseLease4CsvRow(std::string_view line,
                                              const Lease4CsvHeader& header) {
  line = stripLineEnd(line);
  constexpr size_t kOurs = kLease4CsvColumns.size();
  std::string_view f[kOurs];
  size_t n = detail::splitCsvFields(line, f, kOurs);
  size_t min_cols = std::min(header.columns, kOurs);
  size_t max_cols = std::max(header.columns, kOurs);
  if (n < min_cols || n > max_cols) {
    return fail("row has " + std::to_string(n) + " columns, the header " +
                std::to_string(header.columns));
  }
  size_t have = std::min(n, kOurs);
  Lease4 lease;
  auto addr = IPv4Address::parse(f[0]);
  if (!addr || addr->isZero()) {
    return fail("invalid address " + quoted(f[0]));
  }
  lease.address = *addr;
  if (!f[1].empty()) {
    auto hw = parseHex(f[1]);
    if (!hw || hw->size() > 20) {
      return fail("invalid hwaddr " + quoted(f[1]));
    }
    lease.hwaddr = HwAddr(1, std::move(*hw));
  }
  if (!f[2].empty()) {
    auto cid = parseHex(f[2]);
    if (!cid || cid->size() > 255) {
      return fail("invalid client_id " + quoted(f[2]));
    }
    lease.client_id = ClientId(std::move(*cid));
  }
  if (!detail::parseCsvNumber(f[3], lease.valid_lifetime)) {
    return fail("invalid valid_lifetime " + quoted(f[3]));
  }
  int64_t expire = 0;
  if (!detail::parseCsvNumber(f[4], expire)) {
    return fail("invalid expire " + quoted(f[4]));
  }
  lease.cltt = expire - static_cast<int64_t>(lease.valid_lifetime);
  if (!detail::parseCsvNumber(f[5], lease.subnet_id.value)) {
    return fail("invalid subnet_id " + quoted(f[5]));
  }
  if (have > 6 && !detail::parseCsvBool(f[6], lease.fqdn_fwd)) {
    return fail("invalid fqdn_fwd " + quoted(f[6]));
  }
  if (have > 7 && !detail::parseCsvBool(f[7], lease.fqdn_rev)) {
    return fail("invalid fqdn_rev " + quoted(f[7]));
  }
  if (have > 8) {
    lease.hostname = unescapeCsvText(f[8]);
    if (lease.hostname.size() > 0xffff) {
      return fail("hostname longer than 65535 bytes");
    }
  }
  if (have > 9) {
    uint32_t state = 0;
    if (!detail::parseCsvNumber(f[9], state) || state > kMaxLeaseState) {
      return fail("invalid state " + quoted(f[9]));
    }
    lease.state = static_cast<LeaseState>(state);
  }
  if (have > 10 && !f[10].empty()) {
    lease.user_context = unescapeCsvText(f[10]);
    if (!detail::looksLikeJsonMap(lease.user_context)) {
      return fail("user_context is not a JSON map: " + quoted(f[10]));
    }
  }
  if (have > 11 && !detail::parseCsvNumber(f[11], lease.pool_id)) {
    return fail("invalid pool_id " + quoted(f[11]));
  }
  return lease;
}

Lease4CsvReadStats readLease4CsvFile(const std::string& path, const Lease4RowSink& sink,
                                     uint64_t max_row_errors) {
  return detail::readLeaseCsv<Lease4CsvReadStats>(path, max_row_errors, parseLease4CsvHeader, parseLease4CsvRow, sink);
}

}  // namespace takahe::dhcpsrv
