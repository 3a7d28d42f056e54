#pragma once

// The control commands of takahe-dhcp4 (Kea's names, arguments and answers). The server
// implements ServerControl; the handlers here only translate between JSON and those calls.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "network_state.h"
#include "processor.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/process/command_registry.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp4 {

class ServerControl {
 public:
  virtual ~ServerControl() = default;
  virtual dhcpsrv::SrvConfig4Ptr currentConfig() const = 0;
  virtual const std::string& configFile() const = 0;
  /// Makes `cfg` the running configuration; throws (changing nothing) when it cannot.
  virtual void applyConfig(dhcpsrv::SrvConfig4Ptr cfg) = 0;
  virtual stats::StatsStore& stats() = 0;
  virtual Processor& processor() = 0;
  virtual NetworkState& networkState() = 0;
  /// Re-enables service for `origin` after `seconds` (dhcp-disable max-period); each origin has
  /// its own timer, replaced by a later call for the same origin.
  virtual void scheduleEnable(uint32_t seconds, const std::string& origin) = 0;
  /// Forgets a pending scheduleEnable for `origin` (dhcp-enable, or dhcp-disable without max-period).
  virtual void cancelScheduledEnable(const std::string& origin) = 0;
  /// Stops the server once the current answer has been sent.
  virtual void shutdown(int exit_value) = 0;
  virtual int64_t startTime() const = 0;    // unix seconds
  virtual int64_t reloadTime() const = 0;   // unix seconds of the last (re)configuration
  virtual std::vector<std::string> socketErrors() const = 0;
};

/// Registers every dhcp4 command in `registry`.
void registerDhcp4Commands(process::CommandRegistry& registry, ServerControl& server);

/// The build report printed by -W and `build-report`.
std::string buildReport();

}  // namespace takahe::dhcp4
