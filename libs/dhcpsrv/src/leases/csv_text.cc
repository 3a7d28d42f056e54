#include "csv_text.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "file_util.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

size_t splitCsvFields(std::string_view line, std::string_view* fields, size_t max) {
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

bool parseCsvBool(std::string_view s, bool& out) {
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

void appendHex(std::string& out, std::span<const uint8_t> bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) {
      out.push_back(':');
    }
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 0xf]);
  }
}

bool looksLikeJsonMap(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  auto last = text.find_last_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' && text[last] == '}';
}

CsvRowsRead readCsvRows(const std::string& path, uint64_t max_row_errors,
                        const CsvHeaderCheck& header, const CsvRowHandler& row) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error("cannot open lease file " + path + ": " + errnoText(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  CsvRowsRead stats;
  size_t line_no = 0;
  auto handleLine = [&](std::string_view line) {
    ++line_no;
    if (stripLineEnd(line).empty()) {
      return;  // blank lines (before the header too) are harmless
    }
    if (!stats.header_seen) {
      if (auto why = header(line)) {
        throw Error("lease file " + path + ":" + std::to_string(line_no) + ": " + *why);
      }
      stats.header_seen = true;
      return;
    }
    ++stats.rows;
    auto why = row(line, line_no);
    if (!why) {
      return;
    }
    ++stats.row_errors;
    if (stats.issues.size() < CsvRowsRead::kMaxIssues) {
      stats.issues.push_back({line_no, *why});
    }
    if (max_row_errors > 0 && stats.row_errors > max_row_errors) {
      throw Error("lease file " + path + " has more than " + std::to_string(max_row_errors) +
                  " malformed rows (max-row-errors); line " + std::to_string(line_no) + ": " +
                  *why);
    }
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
      throw Error("cannot read lease file " + path + ": " + errnoText(errno));
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
  return stats;
}

std::optional<std::string> checkCsvHeader(std::string_view line,
                                          std::span<const std::string_view> columns,
                                          size_t min_columns, std::string_view family,
                                          std::string_view required, size_t& columns_present,
                                          size_t& known) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);  // a formatted header line
  line = stripLineEnd(line);
  std::vector<std::string_view> fields(columns.size());
  size_t n = splitCsvFields(line, fields.data(), columns.size());
  size_t have = std::min(n, columns.size());
  for (size_t i = 0; i < have; ++i) {
    if (fields[i] != columns[i]) {
      return "not a " + std::string(family) + " lease file header: column " +
             std::to_string(i + 1) + " is " + quoted(fields[i]) + ", expected '" +
             std::string(columns[i]) + "'";
    }
  }
  if (n < min_columns) {
    return "lease file header has only " + std::to_string(n) + " columns; at least " +
           std::string(required) + " are required";
  }
  columns_present = n;
  known = have;
  return std::nullopt;
}

}  // namespace takahe::dhcpsrv::detail
