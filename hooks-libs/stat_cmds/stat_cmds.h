#pragma once

// stat-lease4-get of libdhcp_stat_cmds.so: per-subnet lease counts read from the lease store,
// with the subnet totals from the configuration in force.

#include <cstdint>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"

namespace takahe::hooks::stat_cmds {

/// Arguments: none (all subnets), {"subnet-id": N} or
/// {"subnet-range": {"first-subnet-id": A, "last-subnet-id": B}}. Answers
/// {"result-set": {"timestamp", "columns": ["subnet-id", "total-addresses",
/// "cumulative-assigned-addresses", "assigned-addresses", "declined-addresses"], "rows"}},
/// one row per selected configured subnet in subnet-id order; result 3 when the selection holds
/// no configured subnet. Never throws.
cc::Value statLease4Get(const cc::Command& cmd);

/// "2024-03-01 09:43:30.815371", UTC, as the result-set timestamp.
std::string utcTimestamp(int64_t unix_micros);

}  // namespace takahe::hooks::stat_cmds
