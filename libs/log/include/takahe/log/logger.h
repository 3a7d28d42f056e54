#pragma once

// Named loggers and message IDs. log4cplus stays behind this header (see src/).
//
//   static const Logger kLeaseLogger("leases");   // "takahe-dhcp4.leases" once initialised
//   TAKAHE_LOG(kLeaseLogger, DHCP4_LEASE_ALLOC, addr, hwaddr, lifetime);
//   TAKAHE_LOG_DEBUG(kLeaseLogger, kDbgTrace, DHCP4_LEASE_DETAIL, lease);
//
// The macros test `enabled()` first, so neither the argument expressions nor their conversion to
// text are evaluated for a message that would not be written.

#include <array>
#include <atomic>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "takahe/log/format.h"

namespace takahe::log {

/// Message severities, lowest first. kNone is only meaningful as a logger's level: it disables
/// all output.
enum class Severity { kDebug, kInfo, kWarn, kError, kFatal, kNone };

/// "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE" (case-insensitive); nullopt otherwise.
std::optional<Severity> severityFromName(std::string_view name);
/// The upper-case name of a severity.
std::string_view severityName(Severity s);

/// Debug levels run from 0 (most important debug output) to 99 (everything).
inline constexpr int kMinDebugLevel = 0;
inline constexpr int kMaxDebugLevel = 99;

/// One catalogued message: a stable ID operators can grep for, its severity and a text with
/// placeholders %1, %2, ... Each library declares its catalogue in its own header as
/// `inline constexpr MessageId NAME{"NAME", Severity::kInfo, "text %1"};` (see messages.h).
struct MessageId {
  const char* id;
  Severity severity;
  const char* format;
};

namespace detail {

/// Shared state of a named logger; the threshold is what `enabled()` reads lock-free.
struct LoggerCore {
  std::atomic<int> threshold{0};
};

/// Numeric level of a message (higher is more severe). Debug messages get 10000 - debuglevel so
/// that a logger at DEBUG with debuglevel N lets through debug messages with level <= N.
constexpr int levelValue(Severity s, int debuglevel = 0) noexcept {
  switch (s) {
    case Severity::kDebug: {
      int d = debuglevel < kMinDebugLevel   ? kMinDebugLevel
              : debuglevel > kMaxDebugLevel ? kMaxDebugLevel
                                            : debuglevel;
      return 10000 - d;
    }
    case Severity::kInfo:
      return 20000;
    case Severity::kWarn:
      return 30000;
    case Severity::kError:
      return 40000;
    case Severity::kFatal:
      return 50000;
    case Severity::kNone:
      break;
  }
  return 60000;
}

}  // namespace detail

/// A handle on a named logger. Copying is a pointer copy; loggers live until process exit.
///
/// Names are resolved against the root name given to initLogging(): the root itself and names
/// under it are kept ("takahe-dhcp4.leases"), names under the Kea alias are mapped to the root
/// ("kea-dhcp4.leases" -> "takahe-dhcp4.leases"), and any other name becomes a child of the root
/// ("leases" -> "takahe-dhcp4.leases"). A logger may be created before initLogging(); its name
/// follows the root when it is set.
class Logger {
 public:
  explicit Logger(std::string_view name);

  /// The resolved name, e.g. "takahe-dhcp4.leases".
  std::string name() const;

  /// Whether a message of this severity (and debug level, for kDebug) would be written.
  /// Lock-free and allocation-free: one relaxed atomic load.
  bool enabled(Severity s, int debuglevel = 0) const noexcept {
    return s != Severity::kNone &&
           detail::levelValue(s, debuglevel) >= core_->threshold.load(std::memory_order_relaxed);
  }

  /// Writes `msg` at its catalogued severity if enabled; arguments are converted to text only
  /// then.
  template <typename... Args>
  void log(const MessageId& msg, const Args&... args) const {
    if (enabled(msg.severity)) {
      const std::array<std::string, sizeof...(Args)> text{toLogString(args)...};
      write(msg, msg.severity, text);
    }
  }

  /// Writes `msg` as a DEBUG message at `debuglevel` (0..99) if enabled.
  template <typename... Args>
  void debug(int debuglevel, const MessageId& msg, const Args&... args) const {
    if (enabled(Severity::kDebug, debuglevel)) {
      const std::array<std::string, sizeof...(Args)> text{toLogString(args)...};
      write(msg, Severity::kDebug, text);
    }
  }

  /// Formats and writes unconditionally (callers test enabled() first).
  void write(const MessageId& msg, Severity severity, std::span<const std::string> args) const;

 private:
  detail::LoggerCore* core_;
};

}  // namespace takahe::log

/// Logs a catalogued message at its own severity; arguments are not evaluated when disabled.
#define TAKAHE_LOG(logger, msg, ...)                       \
  do {                                                     \
    const ::takahe::log::Logger& takahe_log_l_ = (logger); \
    if (takahe_log_l_.enabled((msg).severity)) {           \
      takahe_log_l_.log((msg)__VA_OPT__(, ) __VA_ARGS__);  \
    }                                                      \
  } while (0)

/// Logs a catalogued message as DEBUG at `level` (0..99); arguments are not evaluated when
/// disabled.
#define TAKAHE_LOG_DEBUG(logger, level, msg, ...)                                \
  do {                                                                           \
    const ::takahe::log::Logger& takahe_log_l_ = (logger);                       \
    const int takahe_log_d_ = (level);                                           \
    if (takahe_log_l_.enabled(::takahe::log::Severity::kDebug, takahe_log_d_)) { \
      takahe_log_l_.debug(takahe_log_d_, (msg)__VA_OPT__(, ) __VA_ARGS__);       \
    }                                                                            \
  } while (0)
