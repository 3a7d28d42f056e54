#pragma once

// DHCPv6 leases in Kea's lease JSON: what lease6-get shows and what lease6-bulk-apply carries.

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcpsrv {

/// {"ip-address", "prefix-len" (IA_PD only), "type" ("IA_NA" | "IA_TA" | "IA_PD"), "duid",
///  "iaid", "preferred-lft", "valid-lft", "cltt", "subnet-id", "pool-id" (when non-zero),
///  "fqdn-fwd", "fqdn-rev", "hostname", "state", "hw-address" (when set),
///  "user-context" (when set)} — the keys of Kea 2.2's lease6-get, plus Kea 3's pool-id.
cc::Value lease6ToJson(const Lease6& lease);

}  // namespace takahe::dhcpsrv
