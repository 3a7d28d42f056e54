#include "takahe/process/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "takahe/util/error.h"
#include "takahe_config.h"

namespace takahe::process {

std::string PidFile::directory() {
  for (const char* env : {"TAKAHE_PIDFILE_DIR", "KEA_PIDFILE_DIR"}) {
    if (const char* v = std::getenv(env); v && *v) return v;
  }
  return std::string(TAKAHE_LOCALSTATEDIR) + "/run/takahe";
}

PidFile::PidFile(const std::string& config_file, const std::string& daemon_name) {
  std::string stem = std::filesystem::path(config_file).stem().string();
  std::string dir = directory();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  path_ = dir + "/" + stem + "." + daemon_name + ".pid";
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot open PID file " + path_ + ": " + std::strerror(errno) +
                " (set TAKAHE_PIDFILE_DIR to a writable folder)");
  }
  // A lock, not just the file's existence, decides: a stale file from a crash does not block.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(fd_, buf, sizeof(buf) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    throw Error("another " + daemon_name + " (pid " + pid + ") is already running with " + config_file +
                " (PID file " + path_ + ")");
  }
  std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) < 0) {
    throw Error("cannot write PID file " + path_ + ": " + std::strerror(errno));
  }
}

PidFile::~PidFile() {
  if (fd_ >= 0) {
    ::unlink(path_.c_str());
    ::close(fd_);
  }
}

}  // namespace takahe::process
