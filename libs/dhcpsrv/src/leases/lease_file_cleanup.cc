#include "takahe/dhcpsrv/lease_file_cleanup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "csv_row.h"
#include "file_util.h"
#include "packed_lease.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

LfcPaths LfcPaths::forLeaseFile(const std::string& f) {
  return LfcPaths{f + ".2", f + ".1", f + ".output", f + ".completed", f + ".pid"};
}

namespace {

constexpr size_t kMaxWarnings = 100;
constexpr size_t kWriteChunk = 1 << 20;

// Adds what the reader of `file` saw (Lease4CsvReadStats or Lease6CsvReadStats) to the report.
template <typename Stats>
void noteFileRead(const std::string& file, const Stats& stats, LfcReport& report) {
  report.rows_read += stats.rows;
  report.row_errors += stats.row_errors;
  for (const auto& issue : stats.issues) {
    if (report.warnings.size() < kMaxWarnings) {
      report.warnings.push_back(file + ":" + std::to_string(issue.line) + ": " + issue.reason +
                                " (row dropped)");
    }
  }
}

// The output file, written in large chunks and synced before it is closed.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error("cannot create " + path + ": " + detail::errnoText(errno));
    }
    buf_.reserve(kWriteChunk + 4096);
  }
  ~OutputFile() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Rows are appended here; call flushIfFull() after each.
  std::string& buffer() { return buf_; }
  void flushIfFull() {
    if (buf_.size() >= kWriteChunk) {
      detail::writeAll(fd_, buf_, path_);
      buf_.clear();
    }
  }
  void finish() {
    detail::writeAll(fd_, buf_, path_);
    buf_.clear();
    // The rename to the finish file must never expose a half-written file after a power loss.
    if (::fsync(fd_) != 0) {
      throw Error("cannot sync " + path_ + ": " + detail::errnoText(errno));
    }
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      throw Error("cannot close " + path_ + ": " + detail::errnoText(errno));
    }
  }

 private:
  std::string path_;
  std::string buf_;
  int fd_ = -1;
};

// The latest row per lease key of the files merged so far; a deletion row (valid lifetime 0)
// removes the key. `Format` says how rows are read, keyed, held and written.
template <typename Format>
class LeaseTable {
 public:
  void merge(const std::string& file, LfcReport& report) {
    auto stats = Format::read(file, [&](auto&& lease, size_t) {
      auto key = Format::keyOf(lease);
      if (lease.valid_lifetime == 0) {
        rows_.erase(key);
      } else {
        rows_.insert_or_assign(key, Format::hold(lease));
      }
    });
    noteFileRead(file, stats, report);
  }
  void write(OutputFile& out) const {
    for (const auto& [key, held] : rows_) {
      Format::appendRow(out.buffer(), key, held);
      out.flushIfFull();
    }
  }
  size_t size() const { return rows_.size(); }
  /// Well-formed rows of an already compacted file.
  static size_t countLeases(const std::string& file) {
    auto stats = Format::read(file, [](auto&&, size_t) {});
    return stats.rows - stats.row_errors;
  }

 private:
  std::map<typename Format::Key, typename Format::Held> rows_;
};

// DHCPv4 files: keyed by address, leases held packed.
struct Lease4Format {
  using Key = uint32_t;
  using Held = detail::PackedLease;
  static std::string header() { return lease4CsvHeader(); }
  static Lease4CsvReadStats read(const std::string& file, const Lease4RowSink& sink) {
    return readLease4CsvFile(file, sink);
  }
  static Key keyOf(const Lease4& lease) { return lease.address.toUint(); }
  static Held hold(const Lease4& lease) { return detail::PackedLease::pack(lease); }
  static void appendRow(std::string& out, Key address, const Held& lease) {
    detail::appendLease4Row(out, lease.rowView(address));
  }
};

// DHCPv6 files: keyed by address whatever the lease type, as the memfile store and Kea's own
// loader key them (an IA_NA deletion row removes an IA_PD lease of the same address too); rows
// held formatted, in the current layout.
struct Lease6Format {
  using Key = IPv6Address;
  using Held = std::string;
  static std::string header() { return lease6CsvHeader(); }
  static Lease6CsvReadStats read(const std::string& file, const Lease6RowSink& sink) {
    return readLease6CsvFile(file, sink);
  }
  static Key keyOf(const Lease6& lease) { return lease.address; }
  static Held hold(const Lease6& lease) { return formatLease6CsvRow(lease); }
  static void appendRow(std::string& out, const Key&, const Held& row) { out += row; }
};

// The cleanup protocol, the same for both families.
template <typename Format>
LfcReport runCleanup(const LfcPaths& paths) {
  using Table = LeaseTable<Format>;
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
    Table table;
    if (detail::fileExists(paths.previous)) {
      table.merge(paths.previous, report);
    }
    if (detail::fileExists(paths.input)) {
      table.merge(paths.input, report);
    }
    OutputFile out(paths.output);
    out.buffer() += Format::header();
    table.write(out);
    out.finish();
    report.leases_written = table.size();
    detail::renameOrThrow(paths.output, paths.finish);
    detail::syncDirectoryOf(paths.finish);
  }
  // From here the finish file holds everything; .2 and .1 are redundant.
  detail::removeIfExists(paths.previous);
  detail::removeIfExists(paths.input);
  detail::renameOrThrow(paths.finish, paths.previous);
  detail::syncDirectoryOf(paths.previous);
  if (report.resumed) {
    // Count what the resumed (already compacted) file holds, for the report.
    report.leases_written = Table::countLeases(paths.previous);
  }
  pid.release();
  return report;
}

}  // namespace

LfcReport runLeaseFileCleanup4(const LfcPaths& paths) { return runCleanup<Lease4Format>(paths); }

LfcReport runLeaseFileCleanup6(const LfcPaths& paths) { return runCleanup<Lease6Format>(paths); }

}  // namespace takahe::dhcpsrv
