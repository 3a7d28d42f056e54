#pragma once

// The control commands of libdhcp_ha.so, with Kea 2.2's arguments and answer texts:
// ha-heartbeat, ha-scopes, ha-continue, ha-maintenance-start, ha-maintenance-cancel,
// ha-maintenance-notify, ha-reset, ha-sync, ha-sync-complete-notify; and the
// "high-availability" part of status-get (added by the command_processed callout).
// Handlers run on the server's packet thread and never throw: bad arguments get
// {"result": 1, "text": ...}.

#include <string>
#include <utility>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/hooks/library_handle.h"

namespace takahe::hooks::ha {

class HaService;

/// The commands bound to `service` (which must outlive their registration).
std::vector<std::pair<std::string, CommandFn>> haCommands(HaService& service);

/// Adds "high-availability": [service.statusJson()] to a successful status-get answer;
/// other answers are left alone. Returns whether it changed `response`.
bool addStatus(HaService& service, cc::Value& response);

}  // namespace takahe::hooks::ha
