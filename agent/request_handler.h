#pragma once

// What takahe-agent does with one HTTP request body: parse it, hand it to the hook libraries
// (control_command_receive), answer it with its own commands or forward it to the daemons it
// names in "service", and build Kea's answer shape (always a JSON list, one answer per service).
// Transport-free, so it is tested without HTTP.

#include <functional>
#include <string_view>

#include "agent_commands.h"
#include "agent_hooks.h"
#include "forwarder.h"
#include "takahe/cc/value.h"
#include "takahe/log/logger.h"
#include "takahe/process/command_registry.h"

namespace takahe::agent {

struct HttpAnswer {
  unsigned status = 200;
  /// A list of answers, or for status 400 a bare {"result": 400, "text": ...}.
  cc::Value body;
};

using AnswerDone = std::function<void(HttpAnswer)>;

class RequestHandler {
 public:
  /// `own` answers requests without services; `agent` gives the control sockets of the current
  /// configuration at the time of each request; `hooks`, when given, sees every parsed request
  /// first. All must outlive this object.
  RequestHandler(const process::CommandRegistry& own, UnixForwarder& forwarder,
                 const AgentControl& agent, AgentHooks* hooks = nullptr);

  /// Answers `body` through `done`, exactly once: at once for the agent's own commands, for
  /// requests a hook library answered (skip: its "response", wrapped in a list when it is a map)
  /// or rejected (drop: result 1 kRejectedByHook) and for requests that cannot be forwarded;
  /// after the daemons answered otherwise. A request a callout changed is handled as changed.
  /// Must be called on the forwarder's io_context thread. Never throws.
  void handle(std::string_view body, AnswerDone done);

 private:
  void forward(const cc::Value& request, const std::string& command,
               const std::vector<std::string>& services, AnswerDone done);

  const process::CommandRegistry& own_;
  UnixForwarder& forwarder_;
  const AgentControl& agent_;
  AgentHooks* hooks_;
  log::Logger logger_{"commands"};
};

}  // namespace takahe::agent
