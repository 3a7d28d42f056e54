#pragma once

// The commands takahe-agent answers itself (a request without "service", or with an empty
// list): Kea's Control Agent set. The running agent implements AgentControl; the handlers only
// translate between JSON and those calls.

#include <cstdint>
#include <string>

#include "agent_config.h"
#include "takahe/process/command_registry.h"

namespace takahe::agent {

class AgentControl {
 public:
  virtual ~AgentControl() = default;
  virtual AgentConfigPtr currentConfig() const = 0;
  virtual const std::string& configFile() const = 0;
  /// Makes `cfg` the running configuration; throws (changing nothing) when it cannot.
  virtual void applyConfig(AgentConfigPtr cfg) = 0;
  /// Stops the agent once the current answer has been sent.
  virtual void shutdown(int exit_value) = 0;
  virtual int64_t startTime() const = 0;   // unix seconds
  virtual int64_t reloadTime() const = 0;  // unix seconds of the last (re)configuration
};

/// Registers build-report, config-get, config-hash-get, config-reload, config-set, config-test,
/// config-write, shutdown, status-get and version-get (list-commands is built in).
void registerAgentCommands(process::CommandRegistry& registry, AgentControl& agent);

/// SHA-256 of the configuration as config-get shows it (upper-case hex, as Kea).
std::string configHash(const AgentConfig& config);

/// The build report printed by -W and `build-report`.
std::string buildReport();

}  // namespace takahe::agent
