#pragma once

// The command line every Takahe daemon shares with its Kea counterpart:
//   NAME -c FILE [-d] [-p PORT] [-P PORT]     serve
//   NAME -t FILE | -T FILE                    check the file, exit 0 (valid) or 1
//   NAME -v | -V | -W | -h
// runDaemonMain parses it, sets up logging, holds the PID file while serving, and reports
// failures on stderr with the exit codes Kea uses. Boost.Program_options stays in the .cc.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace takahe::process {

/// What -c (and -d, -p, -P) asked for.
struct DaemonArgs {
  std::string config_file;
  bool verbose = false;
  std::optional<uint16_t> port;        // -p
  std::optional<uint16_t> reply_port;  // -P
};

/// The result of checking a configuration file (-t).
struct ConfigCheck {
  std::string summary;  // "3 subnet(s)"
  std::vector<std::string> warnings;
};

struct DaemonCli {
  std::string name;         // "takahe-dhcp6": program and PID file name
  std::string root_logger;  // root logger name; empty: `name`
  std::string kea_logger;   // "kea-dhcp6": the logger name Kea configs use
  std::string config_kind;  // "Kea Dhcp6 JSON", for the help text
  /// -p / -P help texts; empty: the daemon has no ports to set.
  std::string port_help, reply_port_help;
  std::function<std::string()> build_report;
  /// Loads and checks FILE as the server would; throws with the reason when it is invalid.
  std::function<ConfigCheck(const std::string& file)> check;
  /// Runs the server until it stops; returns the exit code. Throws when it cannot start.
  std::function<int(const DaemonArgs&)> serve;
};

int runDaemonMain(int argc, char** argv, const DaemonCli& cli);

/// The build report of -W and `build-report`: "NAME VERSION", the compiler and C++ standard,
/// then `details` (lines ending in a newline).
std::string buildReport(const std::string& name, const std::string& details);

}  // namespace takahe::process
