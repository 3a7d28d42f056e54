#pragma once

// Reading the arguments of lease6-* commands into a Lease6 (Kea's lease6 parameters).

#include <cstdint>
#include <string_view>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease6.h"
#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::hooks::lease_cmds {

/// An IPv6 address member; throws for a missing member, another type, an IPv4 address or text
/// that is no address.
IPv6Address getAddress6(const cc::Value& args, std::string_view name);

/// Hex bytes (1 to 128 of them, as "00:01:02" or "000102"): a DUID.
Duid parseDuid(std::string_view text, std::string_view name = "duid");

/// "type": "IA_NA" (the default when absent), "IA_TA" or "IA_PD".
dhcpsrv::Lease6Type optLease6Type(const cc::Value& args);

/// A lease read from lease6-add / lease6-update / lease6-bulk-apply arguments.
struct Lease6Arguments {
  dhcpsrv::Lease6 lease;
  bool force_create = false;  ///< lease6-update: add the lease when there is none
};

/// Reads and checks a lease: "ip-address", "duid" and "iaid" are mandatory, and "prefix-len"
/// for "type" IA_PD (addresses are /128). "subnet-id" must name a configured subnet holding the
/// lease (when absent or 0: the subnet containing the address, or for IA_PD the subnet with a
/// pd-pool holding the prefix, else the one whose prefix contains it). "valid-lft" defaults to
/// the subnet's valid lifetime, "preferred-lft" to "valid-lft" (as Kea 2.2 does); "expire" (or
/// else "cltt") sets the client last transmission time, which defaults to `now`; "state" is 0..3;
/// "hw-address", "hostname", "fqdn-fwd", "fqdn-rev", "user-context" and "comment" as for DHCPv4.
/// The pool id is that of the pool (or pd-pool) holding the lease. Throws takahe::Error with a
/// message for the operator.
Lease6Arguments parseLease6Arguments(const cc::Value& args, const dhcpsrv::SrvConfig6& cfg,
                                     int64_t now);

}  // namespace takahe::hooks::lease_cmds
