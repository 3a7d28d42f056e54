#pragma once

// Keeps the lease statistics right when a lease is added, changed or deleted outside packet
// processing (lease commands, High Availability lease updates).

#include <functional>

#include "takahe/dhcpsrv/lease.h"

namespace takahe::stats {
class StatsStore;
}

namespace takahe::dhcpsrv {

/// True when `state` counts in `subnet[N].assigned-addresses`: assigned and declined leases do
/// (a declined address stays counted until it is reclaimed); released, expired-reclaimed and
/// registered leases do not. This is the rule the server applies at start-up and reload.
bool countsAsAssigned(LeaseState state);

/// Applies the change from `before` to `after` (either may be null: an addition or a deletion)
/// to `subnet[N].assigned-addresses`, `subnet[N].declined-addresses` and the global
/// `declined-addresses`. Only the net difference is written, so an update that changes neither
/// the subnet nor the counted state writes nothing.
///
/// Subnet statistics are changed only when they exist: the server declares them for every
/// configured subnet, and a lease of a subnet that is no longer configured must not bring its
/// statistics back. Cumulative counters are not touched (a command is not an allocation).
void updateLeaseStats4(stats::StatsStore& stats, const Lease4* before, const Lease4* after);

/// Removes every `subnet[ID].*` statistic whose subnet `configured(ID)` says is no longer
/// configured, as Kea does when a reconfiguration drops a subnet (DHCPv4 and DHCPv6).
void removeUnconfiguredSubnetStats(stats::StatsStore& stats,
                                   const std::function<bool(SubnetId)>& configured);

}  // namespace takahe::dhcpsrv
