#pragma once

// The lease4-* control commands of libdhcp_lease_cmds.so. Each handler takes the parsed command
// and returns a complete answer; none throws. They work on the services the DHCPv4 server lends
// to hook libraries (dhcpsrv::serverServices4()), so they can be tested without loading the
// library.

#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"

namespace takahe::hooks::lease_cmds {

using Handler = cc::Value (*)(const cc::Command&);

struct CommandEntry {
  const char* name;
  Handler handler;
};

/// lease4-add, lease4-get, lease4-get-all, lease4-get-page, lease4-get-by-hw-address,
/// lease4-get-by-client-id, lease4-get-by-hostname, lease4-update, lease4-del, lease4-wipe,
/// lease4-resend-ddns, and lease4-bulk-apply (a Takahe extension, shaped as Kea's
/// lease6-bulk-apply; Takahe's HA batches lease updates to Takahe partners with it).
const std::vector<CommandEntry>& leaseCommands();

cc::Value lease4Add(const cc::Command& cmd);
cc::Value lease4Get(const cc::Command& cmd);
cc::Value lease4GetAll(const cc::Command& cmd);
cc::Value lease4GetPage(const cc::Command& cmd);
cc::Value lease4GetByHwAddress(const cc::Command& cmd);
cc::Value lease4GetByClientId(const cc::Command& cmd);
cc::Value lease4GetByHostname(const cc::Command& cmd);
cc::Value lease4Update(const cc::Command& cmd);
/// {"deleted-leases": [lease...], "leases": [lease...]}: deletes, then creates or replaces each
/// lease (as lease4-update with force-create). Result 0 "Bulk apply of N IPv4 leases
/// completed."; when some failed, "arguments" lists them in "failed-deleted-leases" (result 3:
/// not found) and "failed-leases" ({"ip-address", "result", "error-message"}).
cc::Value lease4BulkApply(const cc::Command& cmd);
cc::Value lease4Del(const cc::Command& cmd);
cc::Value lease4Wipe(const cc::Command& cmd);
cc::Value lease4ResendDdns(const cc::Command& cmd);

}  // namespace takahe::hooks::lease_cmds
