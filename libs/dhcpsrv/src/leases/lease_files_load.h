#pragma once

// How a memfile store reads its lease files at start-up, for DHCPv4 and DHCPv6 alike: with the
// cleanup's pid file held, `.completed` (an interrupted cleanup's output) or else `.2` then `.1`,
// then the file itself; what each gave goes into the load report; a main file with an older
// header is moved aside for the next cleanup, since rows are appended in the current layout.

#include <chrono>
#include <string>
#include <utility>

#include "file_util.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

/// `read(file)` reads one lease file into the store and returns the reader's statistics
/// (rows, row_errors, issues, torn_last_line, header with columns and current()). `rebuild()`
/// runs once every file is read. Throws takahe::Error when a cleanup holds the files too long.
template <typename Read, typename Rebuild>
void loadLeaseFiles(const std::string& path, LeaseLoadReport& report,
                    std::chrono::milliseconds cleanup_wait, Read&& read, Rebuild&& rebuild) {
  auto paths = LfcPaths::forLeaseFile(path);
  // No cleanup may rename files under us while we read them: take its pid file meanwhile.
  PidFile guard;
  std::string holder;
  if (!guard.acquireWithin(paths.pid, cleanup_wait, &holder)) {
    throw Error("lease file cleanup (pid " + (holder.empty() ? std::string("unknown") : holder) +
                ", pid file " + paths.pid + ") is still running on " + path +
                " after 60 s; stop it or remove the pid file if no takahe-lfc runs");
  }
  auto loadOne = [&](const std::string& file) {
    auto stats = read(file);
    report.files.push_back(file);
    report.rows += stats.rows;
    report.row_errors += stats.row_errors;
    for (auto& issue : stats.issues) {
      report.issues.push_back({file, issue.line, std::move(issue.reason)});
    }
    if (stats.row_errors > stats.issues.size()) {
      report.notes.push_back(file + ": " + std::to_string(stats.row_errors - stats.issues.size()) +
                             " more malformed rows not listed");
    }
    if (stats.torn_last_line) {
      report.notes.push_back(file + ": the last line has no newline (interrupted write?)");
    }
    if (stats.header.columns != 0 && !stats.header.current()) {
      report.notes.push_back(file + ": header has " + std::to_string(stats.header.columns) +
                             " columns; missing columns were read as defaults");
    }
    return std::pair<size_t, bool>{stats.header.columns, stats.header.current()};
  };

  if (fileExists(paths.finish)) {
    // An interrupted cleanup finished its output: it supersedes .2 and .1.
    loadOne(paths.finish);
  } else {
    if (fileExists(paths.previous)) loadOne(paths.previous);
    if (fileExists(paths.input)) loadOne(paths.input);
  }
  const bool main_exists = fileExists(path);
  std::pair<size_t, bool> main_header{0, true};
  if (main_exists) main_header = loadOne(path);
  rebuild();

  // Rows are appended in the current layout, which Kea would refuse under an older (shorter)
  // header: move the file aside (the next cleanup rewrites it) when no earlier cleanup is pending.
  if (main_exists && main_header.first != 0 && !main_header.second && !fileExists(paths.input) &&
      !fileExists(paths.finish)) {
    renameOrThrow(path, paths.input);
    report.notes.push_back(path + " has an older header; moved to " + paths.input +
                           " for the next lease file cleanup");
  }
}

}  // namespace takahe::dhcpsrv::detail
