#pragma once

// Kea-compatible DHCPv6 memfile lease files (CSV): header, row format, reading. Escaping is
// that of the DHCPv4 files (escapeCsvText / unescapeCsvText in csv_lease_file.h).

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease6.h"
#include "takahe/util/result.h"

namespace takahe::dhcpsrv {

/// Columns of a DHCPv6 lease file, in order. Kea 2.2 writes the first 17 (header verified
/// against kea-dhcp6 2.2.0 on 2026-11-29); Kea 3.0 added pool_id. Like the DHCPv4 files we
/// write all 18: Kea 2.2 reads such a file (it logs DHCPSRV_MEMFILE_NEEDS_DOWNGRADING and
/// rewrites it with its own header), Kea 3.x reads it as its own.
inline constexpr std::array<std::string_view, 18> kLease6CsvColumns = {
    "address",    "duid",  "valid_lifetime", "expire",   "subnet_id",     "pref_lifetime",
    "lease_type", "iaid",  "prefix_len",     "fqdn_fwd", "fqdn_rev",      "hostname",
    "hwaddr",     "state", "user_context",   "hwtype",   "hwaddr_source", "pool_id"};

/// A header must name at least address .. prefix_len (Kea's oldest layout goes on to hostname);
/// missing later columns get defaults.
inline constexpr size_t kLease6CsvMinColumns = 9;

/// The header line written at the top of every new DHCPv6 lease file, with its '\n'.
std::string lease6CsvHeader();

/// Appends the row for `lease` (with '\n') to `out`. hwtype and hwaddr_source are written only
/// with a hardware address, as Kea does.
void appendLease6CsvRow(std::string& out, const Lease6& lease);
std::string formatLease6CsvRow(const Lease6& lease);
/// The row that deletes `lease` from a file: both lifetimes 0, expire = cltt (as Kea writes it).
std::string formatLease6CsvDeletionRow(const Lease6& lease);

/// What a file's header says about its layout.
struct Lease6CsvHeader {
  size_t columns = 0;  ///< columns in the file's header (0: the file is empty)
  size_t known = 0;    ///< leading columns that are ours (min(columns, 18))
  /// True when the header is exactly the one we write.
  bool current() const { return columns == kLease6CsvColumns.size() && known == columns; }
};

/// Checks a header line (a trailing newline is allowed): its columns must start with ours (at
/// least address .. prefix_len); unknown columns after pool_id are ignored.
Result<Lease6CsvHeader, std::string> parseLease6CsvHeader(std::string_view line);

/// Parses one data row (a trailing newline is allowed) of a file with the given header. Rows may
/// have as many columns as the header or, in a file with an older header, up to our 18 (rows we
/// appended after it). A deletion row (valid_lifetime 0) parses like any other.
Result<Lease6, std::string> parseLease6CsvRow(std::string_view line, const Lease6CsvHeader& header);

/// Outcome of reading one DHCPv6 lease file.
struct Lease6CsvReadStats {
  Lease6CsvHeader header;
  size_t rows = 0;                  ///< data rows seen (well-formed and malformed)
  size_t row_errors = 0;            ///< malformed rows skipped
  std::vector<CsvRowIssue> issues;  ///< details of the first kMaxIssues malformed rows
  bool torn_last_line = false;      ///< the file does not end with a newline
  static constexpr size_t kMaxIssues = 100;
};

/// Called for each well-formed row, in file order (deletion rows included).
using Lease6RowSink = std::function<void(Lease6&& lease, size_t line)>;

/// Reads the DHCPv6 lease file at `path`. Throws takahe::Error when it cannot be read, when its
/// header is not a lease6 header, or when max_row_errors > 0 and more rows than that are
/// malformed. An empty (0-byte) file has no rows.
Lease6CsvReadStats readLease6CsvFile(const std::string& path, const Lease6RowSink& sink,
                                     uint64_t max_row_errors = 0);

}  // namespace takahe::dhcpsrv
