#pragma once

// Kea-compatible DHCPv4 memfile lease files (CSV): header, row format, escaping, reading.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/lease.h"
#include "takahe/util/result.h"

namespace takahe::dhcpsrv {

/// Columns of a DHCPv4 lease file, in order (Kea 3.x; Kea 2.2 stops after user_context, older
/// files after state or hostname).
inline constexpr std::array<std::string_view, 12> kLease4CsvColumns = {
    "address",  "hwaddr",   "client_id", "valid_lifetime", "expire",       "subnet_id",
    "fqdn_fwd", "fqdn_rev", "hostname",  "state",          "user_context", "pool_id"};

/// A header must name at least address .. subnet_id; missing later columns get defaults.
inline constexpr size_t kLease4CsvMinColumns = 6;

/// The header line written at the top of every new lease file, with its '\n'.
std::string lease4CsvHeader();

/// Escapes ',', '&' and control characters as "&#xHH" (two lowercase hex digits), so the text
/// fits in one CSV field on one line.
std::string escapeCsvText(std::string_view text);
/// Reverses escapeCsvText: every "&#xHH" (either case) becomes the byte; anything else is kept.
std::string unescapeCsvText(std::string_view text);

/// Appends the row for `lease` (with '\n') to `out`. A deletion row is the lease with
/// valid_lifetime 0.
void appendLease4CsvRow(std::string& out, const Lease4& lease);
std::string formatLease4CsvRow(const Lease4& lease);

/// What a file's header says about its layout.
struct Lease4CsvHeader {
  size_t columns = 0;  ///< columns in the file's header (0: the file is empty)
  size_t known = 0;    ///< leading columns that are ours (min(columns, 12))
  /// True when the header is exactly the one we write.
  bool current() const { return columns == kLease4CsvColumns.size() && known == columns; }
};

/// Checks a header line: its columns must start with ours (at least address .. subnet_id);
/// unknown columns after pool_id are ignored.
Result<Lease4CsvHeader, std::string> parseLease4CsvHeader(std::string_view line);

/// Parses one data row of a file with the given header. Rows may have as many columns as the
/// header or, in a file with an older header, up to our 12 (rows we appended after it).
Result<Lease4, std::string> parseLease4CsvRow(std::string_view line, const Lease4CsvHeader& header);

/// A malformed row that was skipped.
struct CsvRowIssue {
  size_t line = 0;  ///< 1-based line number in the file
  std::string reason;
};

/// Outcome of reading one lease file.
struct Lease4CsvReadStats {
  Lease4CsvHeader header;
  size_t rows = 0;                  ///< data rows seen (well-formed and malformed)
  size_t row_errors = 0;            ///< malformed rows skipped
  std::vector<CsvRowIssue> issues;  ///< details of the first kMaxIssues malformed rows
  bool torn_last_line = false;      ///< the file does not end with a newline
  static constexpr size_t kMaxIssues = 100;
};

/// Called for each well-formed row, in file order (deletion rows included).
using Lease4RowSink = std::function<void(Lease4&& lease, size_t line)>;

/// Reads the lease file at `path`. Throws takahe::Error when it cannot be read, when its header
/// is not a lease4 header, or when max_row_errors > 0 and more rows than that are malformed.
/// An empty (0-byte) file has no rows.
Lease4CsvReadStats readLease4CsvFile(const std::string& path, const Lease4RowSink& sink,
                                     uint64_t max_row_errors = 0);

}  // namespace takahe::dhcpsrv
