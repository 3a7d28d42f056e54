#include "takahe/dhcpsrv/csv_lease_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "csv_row.h"
#include "file_util.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv {

namespace detail {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool needsEscape(unsigned char c) { return c == ',' || c == '&' || c < 0x20 || c == 0x7f; }

void appendHex(std::string& out, std::span<const uint8_t> bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) {
      out.push_back(':');
    }
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 0xf]);
  }
}

template <typename T>
void appendNumber(std::string& out, T value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

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

// Splits at ',' into at most `max` fields; returns the number of fields found (which may be
// more than max: counting continues).
size_t splitFields(std::string_view line, std::string_view* fields, size_t max) {
  size_t count = 0;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    size_t end = comma == std::string_view::npos ? line.size() : comma;
    if (count < max) {
      fields[count] = line.substr(start, end - start);
    }
    ++count;
    if (comma == std::string_view::npos) {
      return count;
    }
    start = comma + 1;
  }
}

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  if (s.empty()) {
    return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parseBool(std::string_view s, bool& out) {
  if (s == "1" || s == "true") {
    out = true;
    return true;
  }
  if (s == "0" || s == "false") {
    out = false;
    return true;
  }
  return false;
}

std::string_view stripLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

using RowResult = Result<Lease4, std::string>;

RowResult fail(std::string why) { return RowResult::failure(std::move(why)); }

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string q = "'";
  q += s.substr(0, kMax);
  if (s.size() > kMax) {
    q += "...";
  }
  q += "'";
  return q;
}

}  // namespace

Result<Lease4CsvHeader, std::string> parseLease4CsvHeader(std::string_view line) {
  using HeaderResult = Result<Lease4CsvHeader, std::string>;
  line = stripLineEnd(line);
  std::string_view fields[kLease4CsvColumns.size()];
  size_t n = splitFields(line, fields, kLease4CsvColumns.size());
  size_t known = std::min(n, kLease4CsvColumns.size());
  for (size_t i = 0; i < known; ++i) {
    if (fields[i] != kLease4CsvColumns[i]) {
      return HeaderResult::failure("not a DHCPv4 lease file header: column " +
                                   std::to_string(i + 1) + " is " + quoted(fields[i]) +
                                   ", expected '" + std::string(kLease4CsvColumns[i]) + "'");
    }
  }
  if (n < kLease4CsvMinColumns) {
    return HeaderResult::failure("lease file header has only " + std::to_string(n) +
                                 " columns; at least address .. subnet_id are required");
  }
  Lease4CsvHeader h;
  h.columns = n;
  h.known = known;
  return h;
}

Result<Lease4, std::string> parseLease4CsvRow(std::string_view line,
                                              const Lease4CsvHeader& header) {
  line = stripLineEnd(line);
  constexpr size_t kOurs = kLease4CsvColumns.size();
  std::string_view f[kOurs];
  size_t n = splitFields(line, f, kOurs);
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
  if (!parseNumber(f[3], lease.valid_lifetime)) {
    return fail("invalid valid_lifetime " + quoted(f[3]));
  }
  int64_t expire = 0;
  if (!parseNumber(f[4], expire)) {
    return fail("invalid expire " + quoted(f[4]));
  }
  lease.cltt = expire - static_cast<int64_t>(lease.valid_lifetime);
  if (!parseNumber(f[5], lease.subnet_id.value)) {
    return fail("invalid subnet_id " + quoted(f[5]));
  }
  if (have > 6 && !parseBool(f[6], lease.fqdn_fwd)) {
    return fail("invalid fqdn_fwd " + quoted(f[6]));
  }
  if (have > 7 && !parseBool(f[7], lease.fqdn_rev)) {
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
    if (!parseNumber(f[9], state) || state > kMaxLeaseState) {
      return fail("invalid state " + quoted(f[9]));
    }
    lease.state = static_cast<LeaseState>(state);
  }
  if (have > 10 && !f[10].empty()) {
    lease.user_context = unescapeCsvText(f[10]);
    auto first = lease.user_context.find_first_not_of(" \t\r\n");
    auto last = lease.user_context.find_last_not_of(" \t\r\n");
    if (first == std::string::npos || lease.user_context[first] != '{' ||
        lease.user_context[last] != '}') {
      return fail("user_context is not a JSON map: " + quoted(f[10]));
    }
  }
  if (have > 11 && !parseNumber(f[11], lease.pool_id)) {
    return fail("invalid pool_id " + quoted(f[11]));
  }
  return lease;
}

Lease4CsvReadStats readLease4CsvFile(const std::string& path, const Lease4RowSink& sink,
                                     uint64_t max_row_errors) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error("cannot open lease file " + path + ": " + detail::errnoText(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  Lease4CsvReadStats stats;
  bool have_header = false;
  size_t line_no = 0;
  auto handleLine = [&](std::string_view line) {
    ++line_no;
    if (!have_header) {
      if (stripLineEnd(line).empty()) {
        return;  // blank lines before the header are harmless
      }
      auto h = parseLease4CsvHeader(line);
      if (!h) {
        throw Error("lease file " + path + ":" + std::to_string(line_no) + ": " + h.error());
      }
      stats.header = *h;
      have_header = true;
      return;
    }
    if (stripLineEnd(line).empty()) {
      return;
    }
    ++stats.rows;
    auto row = parseLease4CsvRow(line, stats.header);
    if (!row) {
      ++stats.row_errors;
      if (stats.issues.size() < Lease4CsvReadStats::kMaxIssues) {
        stats.issues.push_back({line_no, row.error()});
      }
      if (max_row_errors > 0 && stats.row_errors > max_row_errors) {
        throw Error("lease file " + path + " has more than " + std::to_string(max_row_errors) +
                    " malformed rows (max-row-errors); line " + std::to_string(line_no) + ": " +
                    row.error());
      }
      return;
    }
    sink(std::move(*row), line_no);
  };

  constexpr size_t kChunk = 1 << 20;
  std::string buf;
  size_t consumed = 0;
  while (true) {
    // Keep the unfinished line, read the next chunk after it.
    buf.erase(0, consumed);
    consumed = 0;
    size_t old = buf.size();
    buf.resize(old + kChunk);
    ssize_t n = ::read(fd, buf.data() + old, kChunk);
    if (n < 0) {
      if (errno == EINTR) {
        buf.resize(old);
        continue;
      }
      throw Error("cannot read lease file " + path + ": " + detail::errnoText(errno));
    }
    buf.resize(old + static_cast<size_t>(n));
    if (n == 0) {
      break;
    }
    std::string_view view(buf);
    while (true) {
      size_t nl = view.find('\n', consumed);
      if (nl == std::string_view::npos) {
        break;
      }
      handleLine(view.substr(consumed, nl - consumed));
      consumed = nl + 1;
    }
  }
  if (consumed < buf.size()) {
    // The last line has no newline: a write torn by a crash, or a hand-edited file.
    stats.torn_last_line = true;
    handleLine(std::string_view(buf).substr(consumed));
  }
  return stats;  // without a header line (an empty file) header.columns stays 0
}

}  // namespace takahe::dhcpsrv
