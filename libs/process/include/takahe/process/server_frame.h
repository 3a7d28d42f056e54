#pragma once

// The frame a DHCP daemon runs in: one io_context with its signals and timers, the control
// channels (UNIX sockets and Kea 3 HTTP(S) listeners) with transactional replacement, the
// dhcp-disable state and its max-period timers, shutdown, hook library (re)loading, and the
// control commands every daemon answers alike (config-*, status-get, statistic-*, shutdown,
// version-get, dhcp-disable/enable). takahe-dhcp4 and takahe-dhcp6 add only what is their own.
// Boost.Asio stays in server_frame.cc; a daemon file that needs the io_context includes
// <boost/asio/io_context.hpp> itself.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/log/config.h"
#include "takahe/log/logger.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/network_state.h"

namespace boost::asio {
class io_context;
}

namespace takahe::hooks {
class HooksManager;
}

namespace takahe::stats {
class StatsStore;
}

namespace takahe::process {

/// One control channel of the configuration: Kea 2's `control-socket` or an entry of Kea 3's
/// `control-sockets`.
struct ControlChannelSpec {
  std::string type;  // "unix", "http", "https"
  std::string name;  // unix: socket path
  cc::Value raw;     // the whole map (HTTP listener settings)
};

/// The control channels of a daemon configuration (any list of records with `type`, `name`
/// and `raw`, such as dhcpsrv::ControlSocketSpec).
template <class Spec>
std::vector<ControlChannelSpec> channelSpecs(const std::vector<Spec>& specs) {
  std::vector<ControlChannelSpec> out;
  out.reserve(specs.size());
  for (const auto& s : specs) out.push_back(ControlChannelSpec{s.type, s.name, s.raw});
  return out;
}

/// Who the daemon is, for logs, answers and config paths.
struct DaemonIdentity {
  std::string name;           // "takahe-dhcp6"
  std::string config_root;    // "Dhcp6"
  std::string service_label;  // "DHCPv6" (dhcp-disable's answer)
  std::function<std::string()> build_report;
};

/// The daemon's catalogued messages the frame logs with (each daemon keeps its own IDs).
struct FrameMessages {
  const log::MessageId* control_socket;     // %1: socket path or URL
  const log::MessageId* open_socket_fail;   // %1: reason
  const log::MessageId* hooks_load_fail;    // %1: reason
  const log::MessageId* service_reenabled;  // %1: origin
  const log::MessageId* shutdown;           // %1: why
};

/// What the configuration commands need from the daemon.
class ConfigHandler {
 public:
  virtual ~ConfigHandler() = default;
  /// The running configuration as config-get shows it: {"<root>": {...}}.
  virtual cc::Value configJson() const = 0;
  virtual std::string serverTag() const = 0;
  virtual const std::string& configFile() const = 0;
  /// Parses and checks the arguments of config-test (nothing applied); returns a summary
  /// ("3 subnet(s)"). Throws with an operator-readable reason.
  virtual std::string testConfig(const cc::Value& arguments) = 0;
  /// Parses and applies the arguments of config-set; throws, changing nothing, on error.
  virtual void setConfig(const cc::Value& arguments) = 0;
  /// Reads the configuration file again and applies it; throws, changing nothing, on error.
  virtual void reloadConfig() = 0;
};

class ServerFrame {
 public:
  ServerFrame(DaemonIdentity identity, const log::Logger& logger, FrameMessages messages);
  ~ServerFrame();
  ServerFrame(const ServerFrame&) = delete;
  ServerFrame& operator=(const ServerFrame&) = delete;

  boost::asio::io_context& io();
  CommandRegistry& registry() { return registry_; }
  NetworkState& network() { return network_; }
  const DaemonIdentity& identity() const { return identity_; }

  // --- running --------------------------------------------------------------------------------

  /// Runs the io_context until stop(); returns the exit code.
  int run();
  void stop(int exit_code = 0);
  int exitCode() const { return exit_code_; }
  /// SIGHUP calls `reload`; SIGTERM and SIGINT stop the server.
  void waitSignals(std::function<void()> reload);
  /// Stops the server once the current answer has gone out (the `shutdown` command).
  void shutdown(int exit_value, const std::string& why);

  // --- tasks and timers ----------------------------------------------------------------------

  /// Runs `fn` on the io thread after the current handler.
  void post(std::function<void()> fn);
  /// Runs `fn` once after `delay`.
  void runAfter(std::chrono::milliseconds delay, std::function<void()> fn);
  /// Runs `fn` every `period` under `name`, until cancelTimer(name); a new call with the same
  /// name replaces the timer. A zero period only cancels.
  void every(const std::string& name, std::chrono::milliseconds period, std::function<void()> fn);
  /// Runs `fn` once after `delay` under `name` (replacing a pending one of that name).
  void once(const std::string& name, std::chrono::milliseconds delay, std::function<void()> fn);
  void cancelTimer(const std::string& name);

  /// Calls `on_readable` whenever `fd` is readable (the fd stays owned by the caller and must
  /// outlive the watch). clearWatches() stops every watch.
  void watch(int fd, std::function<void()> on_readable);
  void clearWatches();

  // --- status ---------------------------------------------------------------------------------

  void setSocketErrors(std::vector<std::string> errors) { socket_errors_ = std::move(errors); }
  const std::vector<std::string>& socketErrors() const { return socket_errors_; }
  void markReconfigured();
  int64_t startTime() const { return start_time_; }
  int64_t reloadTime() const { return reload_time_; }

  /// Re-enables service for `origin` after `seconds` (dhcp-disable max-period).
  void scheduleEnable(uint32_t seconds, const std::string& origin);
  void cancelScheduledEnable(const std::string& origin);

  // --- control channels -----------------------------------------------------------------------

  /// Opens the UNIX sockets of `specs` not open yet (running ones stay untouched until
  /// commitChannels) and replaces the HTTP listeners when their settings changed. Throws, with
  /// what it opened closed again; rollbackChannels(previous) then restores the HTTP listeners.
  void stageChannels(const std::vector<ControlChannelSpec>& specs);
  /// Makes the staged channels current; sockets no longer configured close after the current
  /// command's answer has gone out.
  void commitChannels();
  /// Undoes stageChannels after a later step of a reconfiguration failed.
  void rollbackChannels(const std::vector<ControlChannelSpec>* previous);

  // --- hooks ----------------------------------------------------------------------------------

  /// Lets hook libraries register commands, and calls `command_processed` (when callouts are
  /// present) on every answer. Once, before the first configuration.
  void connectHooks(hooks::HooksManager& manager, int command_processed);
  /// Loads `libraries` when they differ from the loaded ones (an unchanged list keeps them, with
  /// their state); returns whether it did. On failure `previous` is loaded again and the error
  /// rethrown. `path` names the list in error messages ("Dhcp6/hooks-libraries").
  bool replaceHooks(hooks::HooksManager& manager, const std::vector<hooks::HookLibraryConfig>& libraries,
                    bool multi_threading, uint32_t parked_packet_limit,
                    const std::vector<hooks::HookLibraryConfig>* previous, const std::string& path);
  void restoreHooks(hooks::HooksManager& manager, const std::vector<hooks::HookLibraryConfig>& libraries,
                    bool multi_threading);

  // --- a reconfiguration, as one piece ------------------------------------------------------

  /// Stages the control channels of `cfg` and loads its hook libraries (see stageChannels and
  /// replaceHooks); returns whether the libraries changed. `Config` is a daemon configuration
  /// with control_sockets, hooks_libraries, multi_threading and parked_packet_limit.
  template <class Config>
  bool stageConfig(const Config& cfg, const Config* previous, hooks::HooksManager& manager) {
    stageChannels(channelSpecs(cfg.control_sockets));
    return replaceHooks(manager, cfg.hooks_libraries, cfg.multi_threading.enabled, cfg.parked_packet_limit,
                        previous ? &previous->hooks_libraries : nullptr, identity_.config_root + "/hooks-libraries");
  }

  /// Undoes the frame's part of a failed reconfiguration (and a logging change) back to
  /// `previous`; nullptr at start-up.
  template <class Config>
  void rollbackConfig(const Config* previous, hooks::HooksManager& manager, bool hooks_changed) {
    if (!previous) {
      rollbackChannels(nullptr);
      return;
    }
    auto channels = channelSpecs(previous->control_sockets);
    rollbackChannels(&channels);
    if (hooks_changed) restoreHooks(manager, previous->hooks_libraries, previous->multi_threading.enabled);
    restoreLogging(previous->loggers);
  }

  /// Goes back to `loggers` after a failed reconfiguration; never throws.
  static void restoreLogging(const std::vector<log::LoggerSpec>& loggers);

  // --- commands -------------------------------------------------------------------------------

  /// Registers the commands every daemon shares: config-get/-hash-get/-test/-set/-reload/-write,
  /// server-tag-get, version-get, build-report, status-get, shutdown, dhcp-disable/-enable and
  /// the statistic-* commands.
  void registerCommonCommands(ConfigHandler& config, stats::StatsStore& stats);

  /// Applies statistic-default-sample-count / -age to every statistic (Kea: the age limit
  /// applies only when the count limit is 0).
  static void applyStatisticDefaults(stats::StatsStore& stats, int64_t sample_count, int64_t sample_age);

 private:
  struct Impl;
  DaemonIdentity identity_;
  const log::Logger& logger_;
  FrameMessages msgs_;
  CommandRegistry registry_;
  NetworkState network_;
  std::vector<std::string> socket_errors_;
  int64_t start_time_;
  int64_t reload_time_;
  int exit_code_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::process
