#include "agent_hooks.h"

#include <string>

#include "agent_messages.h"
#include "takahe/hooks/callout_handle.h"
#include "takahe/util/error.h"

namespace takahe::agent {

namespace {

constexpr const char* kJsonPath = "Control-agent/hooks-libraries";

/// The agent runs its commands on one thread: libraries need not be multi-threading compatible.
constexpr bool kMultiThreading = false;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out.empty() ? "none" : out;
}

/// The "command" member of a request, for log messages.
std::string commandName(const cc::Value& request) {
  if (request.isMap()) {
    if (const cc::Value* c = request.find("command"); c && c->isString()) {
      return c->asString();
    }
  }
  return "?";
}

}  // namespace

const std::vector<std::string>& agentHookPoints() {
  static const std::vector<std::string> points{"control_command_receive"};
  return points;
}

AgentHooks::AgentHooks(process::CommandRegistry& registry)
    : manager_(agentHookPoints()), receive_index_(manager_.hookIndex("control_command_receive")) {
  manager_.setCommandSink({[&registry](const std::string& name, hooks::CommandFn fn) {
                             if (registry.contains(name)) {
                               throw Error("command '" + name +
                                           "' is already a command of takahe-agent");
                             }
                             registry.add(name, std::move(fn));
                           },
                           [&registry](const std::string& name) { registry.remove(name); }});
}

AgentHooks::~AgentHooks() { manager_.unloadAll(); }

void AgentHooks::validate(const std::vector<hooks::HookLibraryConfig>& libraries) {
  try {
    hooks::HooksManager::validate(libraries, kMultiThreading, kJsonPath);
  } catch (const ConfigError& e) {
    std::string what = e.what();
    if (what.find("undefined symbol") != std::string::npos) {
      // dlopen names one mangled symbol; say what it means for the operator.
      throw ConfigError(what +
                        " (takahe-agent provides only the util, cc, log and hooks APIs: a library "
                        "written for a DHCP server, such as libdhcp_lease_cmds.so, belongs in "
                        "that server's hooks-libraries, not the agent's)");
    }
    throw;
  }
}

void AgentHooks::load(const std::vector<hooks::HookLibraryConfig>& libraries) {
  manager_.load(libraries, kMultiThreading);
  if (!libraries.empty()) {
    TAKAHE_LOG(logger_, AGENT_HOOKS_LOADED, libraries.size(), joined(manager_.libraryCommands()));
  }
}

bool AgentHooks::replace(const std::vector<hooks::HookLibraryConfig>& libraries) {
  if (libraries == manager_.loaded()) {
    return false;
  }
  validate(libraries);  // the agent's own wording (path, DHCP hint) before anything unloads
  std::vector<hooks::HookLibraryConfig> previous = manager_.loaded();
  try {
    load(libraries);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger_, AGENT_HOOKS_LOAD_FAIL, e.what());
    restore(previous);
    throw;
  }
  return true;
}

void AgentHooks::restore(const std::vector<hooks::HookLibraryConfig>& libraries) {
  try {
    load(libraries);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger_, AGENT_HOOKS_RESTORE_FAIL, e.what());
  }
}

void AgentHooks::unloadAll() { manager_.unloadAll(); }

ReceiveOutcome AgentHooks::receive(cc::Value& request) {
  ReceiveOutcome out;
  if (!manager_.calloutsPresent(receive_index_)) {
    return out;
  }
  {
    // The handle (and the library contexts in it) is gone before the command runs: config-set
    // may unload the libraries that created them.
    hooks::CalloutHandlePtr handle = manager_.createHandle();
    handle->setArgument("command", request);
    handle->setArgument("response", cc::Value());
    manager_.callCallouts(receive_index_, *handle);
    out.step = handle->getStatus();
    if (const cc::Value* changed = handle->argument<cc::Value>("command")) {
      request = *changed;
    }
    if (out.step == hooks::NextStep::kSkip) {
      if (const cc::Value* response = handle->argument<cc::Value>("response")) {
        out.response = *response;
      }
    }
  }
  if (out.step == hooks::NextStep::kPark) {
    out.step = hooks::NextStep::kContinue;
  }
  if (out.step == hooks::NextStep::kSkip) {
    TAKAHE_LOG_DEBUG(logger_, kDbgRequest, AGENT_COMMAND_HOOK_SKIP, commandName(request));
  } else if (out.step == hooks::NextStep::kDrop) {
    TAKAHE_LOG_DEBUG(logger_, kDbgRequest, AGENT_COMMAND_HOOK_DROP, commandName(request));
  }
  return out;
}

}  // namespace takahe::agent
