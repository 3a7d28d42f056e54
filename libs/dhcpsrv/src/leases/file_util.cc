#include "file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

std::string errnoText(int err) { return std::strerror(err); }

bool fileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw Error("cannot write lease file " + path + ": " + errnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void removeIfExists(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error("cannot remove " + path + ": " + errnoText(errno));
  }
}

void renameOrThrow(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw Error("cannot rename " + from + " to " + to + ": " + errnoText(errno));
  }
}

void syncDirectoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

namespace {

std::string readSmallFile(int fd) {
  char buf[64];
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) {
    return "";
  }
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

void writePid(int fd) {
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Best effort: the lock is what matters, the pid only helps the operator.
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
}

}  // namespace

LockFile::LockFile(const std::string& path, const std::string& lease_file) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot open lock file " + path + ": " + errnoText(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = readSmallFile(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw Error("lease file " + lease_file + " is in use by another process (pid " +
                  (holder.empty() ? std::string("unknown") : holder) + ", lock " + path + ")");
    }
    throw Error("cannot lock " + path + ": " + errnoText(err));
  }
  writePid(fd_);
}

LockFile::~LockFile() { release(); }

LockFile::LockFile(LockFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

LockFile& LockFile::operator=(LockFile&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

void LockFile::release() {
  if (fd_ >= 0) {
    // Leave the file (removing it would race with the next locker) but clear the stale pid.
    [[maybe_unused]] int r = ::ftruncate(fd_, 0);
    ::close(fd_);
    fd_ = -1;
  }
}

PidFile::~PidFile() { release(); }

PidFile::PidFile(PidFile&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}

PidFile& PidFile::operator=(PidFile&& o) noexcept {
  if (this != &o) {
    release();
    path_ = std::move(o.path_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

bool PidFile::tryAcquire(const std::string& path, std::string* holder) {
  release();
  // A holder removes the file before unlocking it; if we locked a removed inode, start over.
  for (int attempt = 0; attempt < 10; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw Error("cannot open pid file " + path + ": " + errnoText(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (holder) {
        *holder = readSmallFile(fd);
      }
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return false;
      }
      throw Error("cannot lock pid file " + path + ": " + errnoText(err));
    }
    struct stat by_fd, by_path;
    if (::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 &&
        by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev) {
      fd_ = fd;
      path_ = path;
      writePid(fd_);
      return true;
    }
    ::close(fd);
  }
  if (holder) {
    holder->clear();
  }
  return false;
}

bool PidFile::acquireWithin(const std::string& path, std::chrono::milliseconds timeout,
                            std::string* holder) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (tryAcquire(path, holder)) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void PidFile::release() {
  if (fd_ >= 0) {
    ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace takahe::dhcpsrv::detail
