#pragma once

// Process-wide logging setup: defaults at start, then Kea's `loggers` configuration.

#include <cstdint>
#include <string>
#include <vector>

#include "takahe/log/logger.h"

namespace takahe::log {

/// One entry of a logger's `output-options` (Kea names in comments).
struct OutputOption {
  /// "stdout", "stderr", "syslog", "syslog:<facility>" (e.g. "syslog:local7"), or a file path.
  std::string output;
  /// Flush after each message ("flush").
  bool flush = true;
  /// Roll the file when it grows past this many bytes ("maxsize"); 0 = never roll. As in Kea
  /// (log4cplus), sizes below 204800 are raised to 204800.
  uint64_t maxsize = 10240000;
  /// Number of rolled files kept: file.1 .. file.N ("maxver"); 0 = never roll.
  uint32_t maxver = 1;
  /// log4cplus pattern ("pattern"); empty = the Kea default for the output kind.
  std::string pattern;
};

/// One entry of `loggers`.
struct LoggerSpec {
  /// "kea-dhcp4", "kea-dhcp4.leases", "takahe-dhcp4.packets", ... (see Logger for resolution).
  std::string name;
  Severity severity = Severity::kInfo;
  /// 0..99, used when severity is DEBUG.
  int debuglevel = 0;
  /// Empty = write to the outputs of the nearest configured parent (or the defaults).
  std::vector<OutputOption> outputs;
};

/// Pattern used for stdout, stderr and files unless a spec gives one:
/// "2026-11-28 22:00:00.123 INFO  [takahe-dhcp4.leases/12345.140234] ID text".
inline constexpr const char* kDefaultPattern = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m%n";
/// Pattern used for syslog unless a spec gives one (syslog adds its own time stamp).
inline constexpr const char* kDefaultSyslogPattern = "%-5p [%c.%t] %m%n";

/// Sets the root logger name ("takahe-dhcp4") and the Kea name configs may use for it
/// ("kea-dhcp4"; empty for none), and drops any configuration: every logger writes to stdout at
/// INFO, or at DEBUG with debuglevel 99 when `verbose` (like Kea's -d). In verbose mode later
/// configure() calls also force DEBUG/99 on every configured logger, keeping their outputs.
void initLogging(std::string root_name, std::string kea_alias = "", bool verbose = false);

/// Changes the Kea alias of the root name (see initLogging); existing configuration stays.
void setRootAlias(std::string kea_name);

/// Applies Kea `loggers` semantics, replacing the previous configuration as a whole.
/// A logger without its own spec takes level and outputs from its nearest configured parent;
/// a configured logger with outputs writes only to those (not also to its parent's).
/// Everything is validated first: on a bad spec (empty or repeated name, debuglevel outside
/// 0..99, unknown syslog facility, missing or unwritable file directory) this throws
/// takahe::ConfigError and changes nothing. Safe to call while other threads log: each message
/// goes either to the old or to the new outputs, exactly once.
void configure(const std::vector<LoggerSpec>& specs);

/// Flushes and closes every output; later messages are dropped. Called automatically at exit.
void shutdownLogging();

}  // namespace takahe::log
