#include "takahe/dhcpsrv/lease_file_cleanup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "csv_row.h"
#include "file_util.h"
#include "packed_lease.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

LfcPaths LfcPaths::forLeaseFile(const std::string& f) {
  return LfcPaths{f + ".2", f + ".1", f + ".output", f + ".completed", f + ".pid"};
}

namespace {

constexpr size_t kMaxWarnings = 100;
constexpr size_t kWriteChunk = 1 << 20;

void mergeFile(const std::string& file, std::map<uint32_t, detail::PackedLease>& table,
               LfcReport& report) {
  auto stats = readLease4CsvFile(file, [&](Lease4&& lease, size_t) {
    uint32_t a = lease.address.toUint();
    if (lease.valid_lifetime == 0) {
      table.erase(a);
    } else {
      table.insert_or_assign(a, detail::PackedLease::pack(lease));
    }
  });
  report.rows_read += stats.rows;
  report.row_errors += stats.row_errors;
  for (const auto& issue : stats.issues) {
    if (report.warnings.size() < kMaxWarnings) {
      report.warnings.push_back(file + ":" + std::to_string(issue.line) + ": " + issue.reason +
                                " (row dropped)");
    }
  }
}

void writeOutput(const std::string& path, const std::map<uint32_t, detail::PackedLease>& table) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error("cannot create " + path + ": " + detail::errnoText(errno));
  }
  try {
    std::string buf = lease4CsvHeader();
    buf.reserve(kWriteChunk + 4096);
    for (const auto& [a, p] : table) {
      detail::appendLease4Row(buf, p.rowView(a));
      if (buf.size() >= kWriteChunk) {
        detail::writeAll(fd, buf, path);
        buf.clear();
      }
    }
    detail::writeAll(fd, buf, path);
    // The rename to the finish file must never expose a half-written file after a power loss.
    if (::fsync(fd) != 0) {
      throw Error("cannot sync " + path + ": " + detail::errnoText(errno));
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) {
    throw Error("cannot close " + path + ": " + detail::errnoText(errno));
  }
}

}  // namespace

LfcReport runLeaseFileCleanup4(const LfcPaths& paths) {
  detail::PidFile pid;
  std::string holder;
  if (!pid.tryAcquire(paths.pid, &holder)) {
    throw Error("another lease file cleanup is running (pid " +
                (holder.empty() ? std::string("unknown") : holder) + ", pid file " + paths.pid +
                ")");
  }
  LfcReport report;
  if (detail::fileExists(paths.finish)) {
    report.resumed = true;
  } else {
    std::map<uint32_t, detail::PackedLease> table;
    if (detail::fileExists(paths.previous)) {
      mergeFile(paths.previous, table, report);
    }
    if (detail::fileExists(paths.input)) {
      mergeFile(paths.input, table, report);
    }
    writeOutput(paths.output, table);
    report.leases_written = table.size();
    table.clear();
    detail::renameOrThrow(paths.output, paths.finish);
    detail::syncDirectoryOf(paths.finish);
  }
  // From here the finish file holds everything; .2 and .1 are redundant.
  detail::removeIfExists(paths.previous);
  detail::removeIfExists(paths.input);
  detail::renameOrThrow(paths.finish, paths.previous);
  detail::syncDirectoryOf(paths.previous);
  if (report.resumed) {
    // Count what the resumed file holds, for the report.
    readLease4CsvFile(paths.previous, [&](Lease4&&, size_t) { ++report.leases_written; });
  }
  pid.release();
  return report;
}

}  // namespace takahe::dhcpsrv
