#pragma once

// Lease file cleanup (LFC): compaction of a memfile journal, as run by `takahe-lfc`.

#include <cstddef>
#include <string>
#include <vector>

namespace takahe::dhcpsrv {

/// The files of one LFC run (the flags of kea-lfc / takahe-lfc).
struct LfcPaths {
  std::string previous;  ///< -x  <f>.2         result of the last cleanup
  std::string input;     ///< -i  <f>.1         journal rotated away by the server
  std::string output;    ///< -o  <f>.output    being written
  std::string finish;    ///< -f  <f>.completed written completely, not yet renamed
  std::string pid;       ///< -p  <f>.pid       held while a cleanup runs

  /// The standard names for lease file `lease_file`.
  static LfcPaths forLeaseFile(const std::string& lease_file);
};

/// What a cleanup did.
struct LfcReport {
  bool resumed = false;               ///< finished an interrupted run from its `finish` file
  size_t rows_read = 0;               ///< rows read from `previous` and `input`
  size_t row_errors = 0;              ///< malformed rows dropped
  size_t leases_written = 0;          ///< leases in the new `previous` file
  std::vector<std::string> warnings;  ///< "file:line: reason" of dropped rows (first ones)
};

/// Compacts `previous` + `input` into a new `previous`:
///  1. unless `finish` exists (an interrupted run): read `previous` then `input` (a missing file
///     is empty), keep the last row per address and drop deleted leases (valid_lifetime 0),
///     write them with the current header to `output`, fsync, rename it to `finish`;
///  2. delete `previous` and `input`, rename `finish` to `previous`.
/// Holds `pid` (flock + our pid inside) while running. Throws takahe::Error when another cleanup
/// holds the pid file or a file operation fails; every intermediate state is one the server's
/// load order (finish, else previous + input; then the lease file) reads without loss.
LfcReport runLeaseFileCleanup4(const LfcPaths& paths);

/// The same cleanup for DHCPv6 lease files. The last row per address wins whatever its lease
/// type, as in the memfile store's loader and Kea 2.2's kea-lfc (a deletion row for an IA_NA
/// address also deletes an IA_PD lease on that address); rows are written in address order with
/// the current 18-column header.
LfcReport runLeaseFileCleanup6(const LfcPaths& paths);

}  // namespace takahe::dhcpsrv
