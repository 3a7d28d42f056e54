#pragma once

// DHCPv4 leases in Kea's lease JSON: what lease4-get shows and what HA peers send each other
// in lease4-update.

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::dhcpsrv {

/// {"ip-address", "hw-address", "client-id" (when set), "valid-lft", "cltt", "subnet-id",
///  "pool-id" (when non-zero), "fqdn-fwd", "fqdn-rev", "hostname", "state",
///  "user-context" (when set)}.
cc::Value leaseToJson(const Lease4& lease);

}  // namespace takahe::dhcpsrv
