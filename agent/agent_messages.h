#pragma once

// Message catalogue of takahe-agent (root logger "takahe-ctrl-agent", Kea alias
// "kea-ctrl-agent"): one stable ID per event, for operators to grep.

#include "takahe/log/logger.h"

namespace takahe::agent {

using log::MessageId;
using log::Severity;

/// Debug level of per-request messages (Kea's DBG_COMMAND).
inline constexpr int kDbgRequest = 10;

inline constexpr MessageId AGENT_STARTING{"AGENT_STARTING", Severity::kInfo,
                                          "takahe-agent %1 starting (pid %2)"};
inline constexpr MessageId AGENT_STARTED{"AGENT_STARTED", Severity::kInfo,
                                         "takahe-agent %1 serving commands on %2"};
inline constexpr MessageId AGENT_SHUTDOWN{"AGENT_SHUTDOWN", Severity::kInfo,
                                          "takahe-agent shutting down (%1)"};
inline constexpr MessageId AGENT_CONFIG_LOADED{
    "AGENT_CONFIG_LOADED", Severity::kInfo, "configuration loaded from %1: %2 control socket(s)"};
inline constexpr MessageId AGENT_CONFIG_WARNING{"AGENT_CONFIG_WARNING", Severity::kWarn,
                                                "configuration: %1"};
inline constexpr MessageId AGENT_CONFIG_LOAD_FAIL{"AGENT_CONFIG_LOAD_FAIL", Severity::kError,
                                                  "configuration from %1 rejected: %2"};
inline constexpr MessageId AGENT_RECONFIGURED{"AGENT_RECONFIGURED", Severity::kInfo,
                                              "configuration reloaded from %1"};
inline constexpr MessageId AGENT_RECONFIGURE_FAIL{
    "AGENT_RECONFIGURE_FAIL", Severity::kError,
    "reload of %1 failed, the running configuration is kept: %2"};
/// The listener moves to new settings (address, port, TLS, authentication or headers).
inline constexpr MessageId AGENT_LISTENER_CHANGED{"AGENT_LISTENER_CHANGED", Severity::kInfo,
                                                  "HTTP listener moves from %1 to %2"};
/// The listener could not be reopened with new settings on the same address and port; the
/// previous listener was reopened instead.
inline constexpr MessageId AGENT_LISTENER_RESTART_FAIL{
    "AGENT_LISTENER_RESTART_FAIL", Severity::kError,
    "cannot reopen the HTTP listener with the new settings (%1); %2"};
inline constexpr MessageId AGENT_REQUEST_RECEIVED{"AGENT_REQUEST_RECEIVED", Severity::kDebug,
                                                  "request from %1 (user '%2'): %3"};
inline constexpr MessageId AGENT_BAD_REQUEST{"AGENT_BAD_REQUEST", Severity::kDebug,
                                             "request is not valid JSON: %1"};
inline constexpr MessageId AGENT_COMMAND_FORWARDED{"AGENT_COMMAND_FORWARDED", Severity::kDebug,
                                                   "command '%1' forwarded to %2 via %3"};
inline constexpr MessageId AGENT_COMMAND_FORWARD_FAILED{
    "AGENT_COMMAND_FORWARD_FAILED", Severity::kWarn,
    "command '%1' could not be forwarded to the %2 service: %3"};
inline constexpr MessageId AGENT_SERVICE_NOT_CONFIGURED{
    "AGENT_SERVICE_NOT_CONFIGURED", Severity::kDebug,
    "command '%1' names service '%2', which has no control socket configured"};

/// Hook libraries (takahe-ctrl-agent.hooks).
inline constexpr MessageId AGENT_HOOKS_LOAD_FAIL{
    "AGENT_HOOKS_LOAD_FAIL", Severity::kError,
    "hook libraries could not be loaded, the previous ones are loaded again: %1"};
inline constexpr MessageId AGENT_HOOKS_RESTORE_FAIL{
    "AGENT_HOOKS_RESTORE_FAIL", Severity::kError,
    "the previous hook libraries could not be loaded again (none is loaded now): %1"};
inline constexpr MessageId AGENT_HOOKS_LOADED{"AGENT_HOOKS_LOADED", Severity::kInfo,
                                              "hook libraries loaded: %1; library commands: %2"};
inline constexpr MessageId AGENT_COMMAND_HOOK_SKIP{
    "AGENT_COMMAND_HOOK_SKIP", Severity::kDebug,
    "command '%1' answered by a hook library (control_command_receive returned skip)"};
inline constexpr MessageId AGENT_COMMAND_HOOK_DROP{
    "AGENT_COMMAND_HOOK_DROP", Severity::kDebug,
    "command '%1' rejected by a hook library (control_command_receive returned drop)"};

}  // namespace takahe::agent
