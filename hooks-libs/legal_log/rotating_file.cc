// Forensic log file with time/size rotation and per-entry durability.

#include "rotating_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "takahe/util/error.h"

namespace takahe::hooks::legal_log {

namespace {

using SysClock = std::chrono::system_clock;

std::tm localTm(SysClock::time_point t) {
  std::time_t secs = SysClock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  return tm;
}

int64_t daysFromCivil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days(year_month_day(year(y), month(m), day(d))).time_since_epoch().count();
}

std::string errnoText(int err) { return std::strerror(err); }

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

RotatingFile::RotatingFile(FileSettings settings, Clock clock)
    : settings_(std::move(settings)), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return SysClock::now(); };
  if (settings_.path.empty()) throw ConfigError("'path' must not be empty");
  if (settings_.base_name.empty()) throw ConfigError("'base-name' must not be empty");
  if (settings_.base_name.find('/') != std::string::npos) {
    throw ConfigError("'base-name' must be a file name, not a path: '" + settings_.base_name + "'");
  }
  struct stat st {};
  if (::stat(settings_.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw ConfigError("'path' " + settings_.path + " is not an existing directory");
  }
  if (::access(settings_.path.c_str(), W_OK | X_OK) != 0) {
    throw ConfigError("'path' " + settings_.path +
                      " is not writable by this process: " + errnoText(errno));
  }
  for (const auto* script : {&settings_.prerotate, &settings_.postrotate}) {
    if (!script->empty() && ::access(script->c_str(), X_OK) != 0) {
      throw ConfigError(
          std::string(script == &settings_.prerotate ? "'prerotate'" : "'postrotate'") + " " +
          *script + " is not an executable file: " + errnoText(errno));
    }
  }
}

RotatingFile::~RotatingFile() {
  std::lock_guard lock(mu_);
  closeLocked();
}

std::string RotatingFile::formatTime(const std::string& format, SysClock::time_point t) {
  // Replace %Q (not %%Q) by the microseconds before handing the rest to strftime.
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  char us[8];
  std::snprintf(us, sizeof(us), "%06lld",
                static_cast<long long>(((micros % 1000000) + 1000000) % 1000000));
  std::string fmt;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      if (format[i + 1] == 'Q') {
        fmt += us;
      } else {
        fmt += format[i];
        fmt += format[i + 1];
      }
      ++i;
    } else {
      fmt += format[i];
    }
  }
  if (fmt.empty()) return "";
  std::tm tm = localTm(t);
  std::vector<char> buf(128 + fmt.size() * 4);
  for (int attempt = 0; attempt < 6; ++attempt) {
    size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &tm);
    if (n > 0) return std::string(buf.data(), n);
    buf.resize(buf.size() * 4);
  }
  return "";  // the format produces nothing (e.g. only "%p" in a locale without AM/PM)
}

std::string RotatingFile::timestamp(SysClock::time_point t) const {
  return formatTime(settings_.timestamp_format, t);
}

RotatingFile::Period RotatingFile::periodAt(SysClock::time_point t) const {
  Period p;
  if (settings_.unit == TimeUnit::kSecond) {
    p.index = SysClock::to_time_t(t);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "T%020lld", static_cast<long long>(p.index));
    p.tag = buf;
    return p;
  }
  std::tm tm = localTm(t);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  p.tag = buf;
  switch (settings_.unit) {
    case TimeUnit::kDay:
      p.index = daysFromCivil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
      break;
    case TimeUnit::kMonth:
      p.index = int64_t{tm.tm_year + 1900} * 12 + tm.tm_mon;
      break;
    default:
      p.index = tm.tm_year + 1900;
  }
  return p;
}

std::string RotatingFile::fileName(const std::string& tag, uint32_t part) const {
  std::string name = settings_.path + "/" + settings_.base_name + "." + tag;
  if (part > 0) name += "." + std::to_string(part);
  return name + ".txt";
}

bool RotatingFile::periodOver(const Period& now) const {
  return settings_.count > 0 && now.index >= period_.index + settings_.count;
}

void RotatingFile::openLocked(SysClock::time_point now, bool reuse_existing) {
  period_ = periodAt(now);
  part_ = 0;
  if (reuse_existing) {
    // After a restart, continue the newest file whose period still covers `now` (and its highest
    // size part), as Kea does, instead of starting a new file mid-period.
    std::optional<Period> best;
    uint32_t best_part = 0;
    if (DIR* dir = ::opendir(settings_.path.c_str())) {
      const std::string prefix = settings_.base_name + ".";
      while (dirent* de = ::readdir(dir)) {
        std::string_view name = de->d_name;
        if (name.size() <= prefix.size() + 4 || name.substr(0, prefix.size()) != prefix ||
            name.substr(name.size() - 4) != ".txt") {
          continue;
        }
        std::string_view rest = name.substr(prefix.size(), name.size() - prefix.size() - 4);
        uint32_t part = 0;
        if (auto dot = rest.find('.'); dot != std::string_view::npos) {
          std::string_view p = rest.substr(dot + 1);
          if (!allDigits(p) || p.size() > 9) continue;
          part = static_cast<uint32_t>(std::stoul(std::string(p)));
          rest = rest.substr(0, dot);
        }
        Period cand;
        cand.tag = std::string(rest);
        if (settings_.unit == TimeUnit::kSecond) {
          if (rest.size() != 21 || rest[0] != 'T' || !allDigits(rest.substr(1))) continue;
          cand.index = std::stoll(std::string(rest.substr(1)));
        } else {
          if (rest.size() != 8 || !allDigits(rest)) continue;
          int y = std::stoi(std::string(rest.substr(0, 4)));
          unsigned m = static_cast<unsigned>(std::stoi(std::string(rest.substr(4, 2))));
          unsigned d = static_cast<unsigned>(std::stoi(std::string(rest.substr(6, 2))));
          if (m < 1 || m > 12 || d < 1 || d > 31) continue;
          cand.index = settings_.unit == TimeUnit::kDay     ? daysFromCivil(y, m, d)
                       : settings_.unit == TimeUnit::kMonth ? int64_t{y} * 12 + (m - 1)
                                                            : y;
        }
        if (cand.index > period_.index) continue;  // from the future (clock moved back)
        if (!best || cand.index > best->index || (cand.index == best->index && part > best_part)) {
          best = cand;
          best_part = part;
        }
      }
      ::closedir(dir);
    }
    if (best && (best->index == period_.index ||
                 (settings_.count > 0 && period_.index < best->index + settings_.count))) {
      period_ = *best;
      part_ = best_part;
    }
  }
  openCurrentLocked();
}

void RotatingFile::openCurrentLocked() {
  file_ = fileName(period_.tag, part_);
  bool existed = ::access(file_.c_str(), F_OK) == 0;
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    int err = errno;
    throw Error("cannot open forensic log file " + file_ + ": " + errnoText(err));
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (!existed) {
    // Make the new directory entry durable too, not only the data written into the file.
    int dfd = ::open(settings_.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
}

void RotatingFile::closeLocked() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

void RotatingFile::close() {
  std::lock_guard lock(mu_);
  closeLocked();
}

std::string RotatingFile::currentFile() const {
  std::lock_guard lock(mu_);
  return file_;
}

void RotatingFile::runScript(const std::string& script, const std::string& file) const {
  if (script.empty()) return;
  // Double fork: the script runs detached (we do not wait for it) and leaves no zombie. Only
  // async-signal-safe calls happen between fork and exec, as the server is multi-threaded.
  std::vector<char*> argv{const_cast<char*>(script.c_str()), const_cast<char*>(file.c_str()),
                          nullptr};
  pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::_exit(0);
  }
  if (child > 0) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void RotatingFile::write(const std::string& text) {
  if (text.empty()) return;
  auto now = clock_();
  std::string prefix = timestamp(now);
  std::string data;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start || end < text.size()) {
      data += prefix;
      data += ' ';
      data.append(text, start, end - start);
      data += '\n';
    }
    start = end + 1;
  }

  std::lock_guard lock(mu_);
  if (fd_ < 0) {
    openLocked(now, true);
  } else {
    bool by_time = periodOver(periodAt(now));
    bool by_size = settings_.max_size > 0 && size_ > 0 && size_ + data.size() > settings_.max_size;
    if (by_time || by_size) {
      std::string old = file_;
      closeLocked();
      runScript(settings_.prerotate, old);
      if (by_time) {
        openLocked(now, false);
      } else {
        ++part_;  // same period, next part
        openCurrentLocked();
      }
      runScript(settings_.postrotate, file_);
    }
  }

  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      throw Error("cannot write forensic log file " + file_ + ": " + errnoText(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    int err = errno;
    throw Error("cannot sync forensic log file " + file_ + ": " + errnoText(err));
  }
}

}  // namespace takahe::hooks::legal_log
