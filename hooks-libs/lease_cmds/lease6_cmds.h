#pragma once

// The lease6-* control commands of libdhcp_lease_cmds.so. As the lease4-* ones, each handler
// returns a complete answer and never throws; they work on the services the DHCPv6 server lends
// to hook libraries (dhcpsrv::serverServices6()) and answer result 1 without them.

#include <vector>

#include "lease_cmds.h"

namespace takahe::hooks::lease_cmds {

/// lease6-add, lease6-bulk-apply, lease6-del, lease6-get, lease6-get-all, lease6-get-by-duid,
/// lease6-get-by-hostname, lease6-get-page, lease6-resend-ddns, lease6-update, lease6-wipe: the
/// lease6 commands of Kea 2.2's library.
const std::vector<CommandEntry>& lease6Commands();

cc::Value lease6Add(const cc::Command& cmd);
/// By "ip-address" (+ "type", IA_NA by default), or by "identifier-type" duid, "identifier",
/// "iaid" and "subnet-id" (+ "type").
cc::Value lease6Get(const cc::Command& cmd);
/// Optional "subnets": a list of subnet ids.
cc::Value lease6GetAll(const cc::Command& cmd);
/// "from" ("start" or the last address of the previous page) and "limit".
cc::Value lease6GetPage(const cc::Command& cmd);
cc::Value lease6GetByDuid(const cc::Command& cmd);
cc::Value lease6GetByHostname(const cc::Command& cmd);
/// Replaces the lease at ("type", "ip-address"); adds it with "force-create": true.
cc::Value lease6Update(const cc::Command& cmd);
/// As lease6-get's lookup.
cc::Value lease6Del(const cc::Command& cmd);
/// Optional "subnet-id" (absent or 0: every configured subnet).
cc::Value lease6Wipe(const cc::Command& cmd);
/// {"deleted-leases": [lease...], "leases": [lease...]}: deletes, then creates or replaces each
/// lease. "Bulk apply of N IPv6 leases completed." with N the leases applied, result 0 (3 when
/// none was); failures are listed, each list only when not empty, in "failed-deleted-leases"
/// and "failed-leases" ({"type", "ip-address", "result", "error-message"}; result 3 for a lease
/// to delete that is not there). Unlike Kea, a malformed lease fails alone, not the command.
cc::Value lease6BulkApply(const cc::Command& cmd);
/// Result 1: no DNS update can be sent (Takahe has no dhcp-ddns support yet).
cc::Value lease6ResendDdns(const cc::Command& cmd);

}  // namespace takahe::hooks::lease_cmds
