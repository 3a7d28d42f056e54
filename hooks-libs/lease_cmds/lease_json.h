#pragma once

// DHCPv4 leases as the lease commands show and take them (Kea's lease JSON).

#include <cstdint>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/dhcpsrv/lease_json.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::hooks::lease_cmds {

using dhcpsrv::leaseToJson;

/// A lease read from lease4-add / lease4-update arguments.
struct LeaseArguments {
  dhcpsrv::Lease4 lease;
  bool force_create = false;  ///< lease4-update: add the lease when there is none
};

/// Reads and checks a lease: "ip-address" and "hw-address" are mandatory; "subnet-id" must name
/// a configured subnet containing the address (when absent or 0, the subnet containing the
/// address is used); "valid-lft" defaults to the subnet's valid lifetime; "expire" (or, when it
/// is absent, "cltt") sets the client last transmission time, which defaults to `now`; "state"
/// is 0..3; "user-context" must be a map, "comment" is merged into it. The pool id is that of
/// the configured pool holding the address, as the server sets it when it allocates.
/// Throws takahe::Error with a message for the operator.
LeaseArguments parseLeaseArguments(const cc::Value& args, const dhcpsrv::SrvConfig4& cfg,
                                   int64_t now);

}  // namespace takahe::hooks::lease_cmds
