#pragma once

// Text helpers shared by the DHCPv4 and DHCPv6 lease file formats: field splitting, number and
// flag parsing, hex output, and the line-by-line reader with Kea's row-error rules.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/csv_lease_file.h"

namespace takahe::dhcpsrv::detail {

/// Splits at ',' into at most `max` fields; returns the number of fields found (which may be
/// more than max: counting continues).
size_t splitCsvFields(std::string_view line, std::string_view* fields, size_t max);

/// Whole-field decimal number; false on empty input, junk or overflow.
template <typename T>
bool parseCsvNumber(std::string_view s, T& out) {
  if (s.empty()) {
    return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

/// "1"/"true" or "0"/"false".
bool parseCsvBool(std::string_view s, bool& out);

/// Drops one trailing '\r' (files edited on Windows).
std::string_view stripLineEnd(std::string_view line);

/// 'text' (cut at 64 characters) for error messages.
std::string quoted(std::string_view s);

/// Appends lowercase colon-separated hex ("1a:1b"); nothing for no bytes.
void appendHex(std::string& out, std::span<const uint8_t> bytes);

template <typename T>
void appendNumber(std::string& out, T value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

/// True when `text`, trimmed, starts with '{' and ends with '}' (what a user context must be).
bool looksLikeJsonMap(std::string_view text);

/// Per-file outcome of readCsvRows.
struct CsvRowsRead {
  bool header_seen = false;
  size_t rows = 0;                  ///< data rows seen (well-formed and malformed)
  size_t row_errors = 0;            ///< malformed rows skipped
  std::vector<CsvRowIssue> issues;  ///< the first kMaxIssues malformed rows
  bool torn_last_line = false;      ///< the file does not end with a newline
  static constexpr size_t kMaxIssues = 100;
};

/// Checks a header line; returns an error text or nullopt.
using CsvHeaderCheck = std::function<std::optional<std::string>(std::string_view line)>;
/// Handles a data row (line without '\n'); returns an error text (the row is malformed) or
/// nullopt.
using CsvRowHandler = std::function<std::optional<std::string>(std::string_view line, size_t)>;

/// Reads the lease file at `path`: skips blank lines, hands the first line to `header` and the
/// others to `row`. Throws takahe::Error when the file cannot be read, the header is refused
/// ("lease file P:L: why"), or max_row_errors > 0 and more rows than that are malformed.
CsvRowsRead readCsvRows(const std::string& path, uint64_t max_row_errors,
                        const CsvHeaderCheck& header, const CsvRowHandler& row);

/// Checks a lease file header against the current `columns`: every column present must carry
/// its name (a shorter header is an older layout), and at least `min_columns` must be there.
/// Sets `columns_present` and `known` (how many of ours it has); returns the reason otherwise.
/// `family` ("DHCPv4") and `required` ("address .. subnet_id") name them in the message.
std::optional<std::string> checkCsvHeader(std::string_view line,
                                          std::span<const std::string_view> columns,
                                          size_t min_columns, std::string_view family,
                                          std::string_view required, size_t& columns_present,
                                          size_t& known);

/// readCsvRows for one lease family: `Stats` has `header` (with `columns`, `known`), `rows`,
/// `row_errors`, `issues` and `torn_last_line`; `parse_header(line)` and `parse_row(line,
/// header)` return Results; `sink(lease, line_no)` takes each good row.
template <typename Stats, typename ParseHeader, typename ParseRow, typename Sink>
Stats readLeaseCsv(const std::string& path, uint64_t max_row_errors, ParseHeader&& parse_header,
                   ParseRow&& parse_row, Sink&& sink) {
  Stats stats;
  auto read = readCsvRows(
      path, max_row_errors,
      [&](std::string_view line) -> std::optional<std::string> {
        auto h = parse_header(line);
        if (!h) return h.error();
        stats.header = *h;
        return std::nullopt;
      },
      [&](std::string_view line, size_t line_no) -> std::optional<std::string> {
        auto row = parse_row(line, stats.header);
        if (!row) return row.error();
        sink(std::move(*row), line_no);
        return std::nullopt;
      });
  stats.rows = read.rows;
  stats.row_errors = read.row_errors;
  stats.issues = std::move(read.issues);
  stats.torn_last_line = read.torn_last_line;
  return stats;  // without a header line (an empty file) header.columns stays 0
}

}  // namespace takahe::dhcpsrv::detail
