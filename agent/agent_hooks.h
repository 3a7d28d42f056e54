#pragma once

// Hook libraries in takahe-agent (Kea's Control Agent): the `control_command_receive` hook
// point, library commands answered by the agent itself, and loading `hooks-libraries` all or
// nothing. The agent links only the util, cc, log and hooks APIs (never dhcpsrv), so a library
// that needs DHCP symbols is refused when it is opened.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/log/logger.h"
#include "takahe/process/command_registry.h"

namespace takahe::agent {

/// The agent's hook points, in index order: {"control_command_receive"}.
const std::vector<std::string>& agentHookPoints();

/// Text of the answer to a request a callout dropped.
inline constexpr const char* kRejectedByHook = "command rejected by a hook library";

/// What the callouts of control_command_receive decided for one request.
struct ReceiveOutcome {
  /// kContinue (also for kPark, which has no meaning here), kSkip or kDrop.
  hooks::NextStep step = hooks::NextStep::kContinue;
  /// With kSkip: the "response" the callouts left (normally a map or a list of maps).
  cc::Value response;
};

class AgentHooks {
 public:
  /// Commands registered by libraries are added to `registry` (and so answered by the agent and
  /// listed by its list-commands). `registry` must outlive this object.
  explicit AgentHooks(process::CommandRegistry& registry);
  /// Unloads every library.
  ~AgentHooks();
  AgentHooks(const AgentHooks&) = delete;
  AgentHooks& operator=(const AgentHooks&) = delete;

  /// Opens and checks each library without calling its load(); throws takahe::ConfigError
  /// naming "Control-agent/hooks-libraries[i]" and the reason (dlopen's message for a missing
  /// symbol, with a hint that DHCP libraries cannot run in the agent).
  static void validate(const std::vector<hooks::HookLibraryConfig>& libraries);

  /// Makes `libraries` the loaded set; an unchanged list keeps the loaded libraries and their
  /// state. Returns whether anything was reloaded. All or nothing: the list is validated first
  /// (a ConfigError changes nothing); when a library's load() fails, the libraries loaded before
  /// the call are loaded again and the error is rethrown.
  bool replace(const std::vector<hooks::HookLibraryConfig>& libraries);
  /// Loads `libraries` again after a later step of a reconfiguration failed. Never throws (a
  /// failure is logged).
  void restore(const std::vector<hooks::HookLibraryConfig>& libraries);
  /// Unloads every library (their unload() runs, their commands leave the registry).
  void unloadAll();

  const std::vector<hooks::HookLibraryConfig>& loaded() const { return manager_.loaded(); }
  /// Commands registered by the loaded libraries, sorted.
  std::vector<std::string> libraryCommands() const { return manager_.libraryCommands(); }

  /// Runs the control_command_receive callouts on `request`, the whole parsed request body,
  /// which they may change in place. Without callouts: one check, nothing else. Every library
  /// object handed to the callouts is released before this returns.
  ReceiveOutcome receive(cc::Value& request);

 private:
  void load(const std::vector<hooks::HookLibraryConfig>& libraries);

  hooks::HooksManager manager_;
  int receive_index_;
  log::Logger logger_{"hooks"};
};

}  // namespace takahe::agent
