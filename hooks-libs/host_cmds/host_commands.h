#pragma once

// The host commands (Kea's host_cmds): each takes the parsed command and returns a complete
// answer; none throws. Reservations come from two sources: the configuration file (read-only)
// and the server's host store (changed by reservation-add and reservation-del).

#include <string>
#include <utility>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"

namespace takahe::hooks::host_cmds {

using CommandHandler = cc::Value (*)(const cc::Command&);

cc::Value reservationAdd(const cc::Command& cmd);
cc::Value reservationDel(const cc::Command& cmd);
cc::Value reservationGet(const cc::Command& cmd);
cc::Value reservationGetAll(const cc::Command& cmd);
cc::Value reservationGetPage(const cc::Command& cmd);
cc::Value reservationGetByAddress(const cc::Command& cmd);
cc::Value reservationGetByHostname(const cc::Command& cmd);
cc::Value reservationGetById(const cc::Command& cmd);

/// Every command with its name, in the order load() registers them.
const std::vector<std::pair<std::string, CommandHandler>>& hostCommands();

}  // namespace takahe::hooks::host_cmds
