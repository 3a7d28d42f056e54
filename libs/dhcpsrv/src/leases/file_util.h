#pragma once

// Small POSIX file helpers shared by the memfile store and the lease file cleanup.

#include <chrono>
#include <string>
#include <string_view>

namespace takahe::dhcpsrv::detail {

std::string errnoText(int err);
bool fileExists(const std::string& path);
/// Writes all of `data`, retrying short writes and EINTR. Throws takahe::Error naming `path`.
void writeAll(int fd, std::string_view data, const std::string& path);
/// Removes `path`; a missing file is fine. Throws takahe::Error on other failures.
void removeIfExists(const std::string& path);
/// rename(2) or throw takahe::Error.
void renameOrThrow(const std::string& from, const std::string& to);
/// Flushes the directory holding `path` so that renames in it survive a crash (best effort).
void syncDirectoryOf(const std::string& path);

/// An exclusive flock on `<lease file>.lock`, with our pid written in it. Stops two stores
/// using one lease file; released (and emptied) on destruction.
class LockFile {
 public:
  LockFile() = default;
  /// Throws takahe::Error "lease file X is in use by another process (pid N)".
  LockFile(const std::string& path, const std::string& lease_file);
  ~LockFile();
  LockFile(LockFile&& o) noexcept;
  LockFile& operator=(LockFile&& o) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  void release();
  int fd_ = -1;
};

/// The pid file of a lease file cleanup: held with flock while the cleanup runs, holding our pid,
/// removed on release. The lock is on the inode, so acquiring re-checks that the file was not
/// removed and re-created meanwhile.
class PidFile {
 public:
  PidFile() = default;
  ~PidFile();
  PidFile(PidFile&& o) noexcept;
  PidFile& operator=(PidFile&& o) noexcept;
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  /// Takes the pid file if nobody holds it. On failure returns false and, when known, the
  /// holder's pid text in *holder. Throws takahe::Error if the file cannot be created.
  bool tryAcquire(const std::string& path, std::string* holder);
  /// Retries tryAcquire until `timeout`; false if still held then.
  bool acquireWithin(const std::string& path, std::chrono::milliseconds timeout,
                     std::string* holder);
  bool held() const { return fd_ >= 0; }
  /// Removes the file and drops the lock.
  void release();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace takahe::dhcpsrv::detail
