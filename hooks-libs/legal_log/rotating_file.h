#pragma once

// The forensic log file: Kea's naming (base-name.CCYYMMDD.txt, base-name.T<epoch>.txt), rotation
// by time and by size, optional pre/post-rotate scripts, and one fdatasync per entry so that an
// entry written before the reply leaves survives a crash. Thread-safe.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>

namespace takahe::hooks::legal_log {

enum class TimeUnit { kSecond, kDay, kMonth, kYear };

struct FileSettings {
  std::string path;                     ///< directory; must exist
  std::string base_name = "kea-legal";  ///< Kea's default, so existing tooling finds the files
  TimeUnit unit = TimeUnit::kDay;
  uint32_t count = 1;     ///< units per file; 0 = no time-based rotation
  uint64_t max_size = 0;  ///< bytes; a file reaching it is continued in base.<tag>.<n>.txt; 0 = off
  std::string prerotate;  ///< executable run with the name of the file being closed
  std::string postrotate;  ///< executable run with the name of the file just opened
  std::string timestamp_format = "%Y-%m-%d %H:%M:%S %Z";  ///< strftime, plus %Q = microseconds
};

using Clock = std::function<std::chrono::system_clock::time_point()>;

class RotatingFile {
 public:
  /// Checks the settings (directory exists and is writable, scripts are executable); throws
  /// takahe::ConfigError with an operator-readable message. Opens nothing yet.
  explicit RotatingFile(FileSettings settings, Clock clock = nullptr);
  ~RotatingFile();
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;

  /// Writes each line of `text` (split at '\n', empty text writes nothing) as
  /// "<timestamp> <line>", rotating first when the period ended or the size limit is reached,
  /// and returns once the data is on disk (fdatasync). Throws takahe::Error on I/O failure.
  void write(const std::string& text);

  /// Full name of the file written last ("" before the first write).
  std::string currentFile() const;
  /// Closes the file (the next write reopens/rotates as needed).
  void close();

  /// The timestamp prefix for time `t` with the configured format.
  std::string timestamp(std::chrono::system_clock::time_point t) const;
  /// Formats `t` (local time) with strftime `format`, %Q standing for the microseconds (6 digits).
  static std::string formatTime(const std::string& format, std::chrono::system_clock::time_point t);

 private:
  struct Period {
    int64_t index = 0;  // seconds since epoch (kSecond) or days/months/years since epoch
    std::string tag;    // "20250131" or "T00000000001738281600"
  };
  Period periodAt(std::chrono::system_clock::time_point t) const;
  std::string fileName(const std::string& tag, uint32_t part) const;
  void openLocked(std::chrono::system_clock::time_point now, bool reuse_existing);
  void openCurrentLocked();
  void closeLocked();
  void runScript(const std::string& script, const std::string& file) const;
  bool periodOver(const Period& now) const;

  FileSettings settings_;
  Clock clock_;
  mutable std::mutex mu_;
  int fd_ = -1;
  Period period_;      // period of the open file
  uint32_t part_ = 0;  // size-rotation index within the period (0 = no suffix)
  uint64_t size_ = 0;  // bytes in the open file
  std::string file_;
};

}  // namespace takahe::hooks::legal_log
