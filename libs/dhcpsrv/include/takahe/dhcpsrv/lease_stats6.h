#pragma once

// Keeps the DHCPv6 lease statistics right when a lease is added, changed or deleted outside
// packet processing (lease commands, High Availability lease updates).

#include "takahe/dhcpsrv/lease6.h"

namespace takahe::stats {
class StatsStore;
}

namespace takahe::dhcpsrv {

/// Applies the change from `before` to `after` (either may be null: an addition or a deletion):
///  - IA_NA leases that count as assigned (countsAsAssigned: default or declined) count in
///    `subnet[N].assigned-nas`; declined ones also in `subnet[N].declined-addresses` and the
///    global `declined-addresses`;
///  - IA_PD leases that count as assigned count in `subnet[N].assigned-pds`;
///  - IA_TA leases count nowhere (Kea keeps no statistics for them).
/// Only the net difference is written. Subnet statistics are changed only when they exist (the
/// server declares them for configured subnets). Cumulative counters are not touched (a command
/// is not an allocation), as for DHCPv4.
void updateLeaseStats6(stats::StatsStore& stats, const Lease6* before, const Lease6* after);

}  // namespace takahe::dhcpsrv
