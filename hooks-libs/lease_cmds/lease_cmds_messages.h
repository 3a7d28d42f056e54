#pragma once

// Message catalogue of libdhcp_lease_cmds.so.

#include "takahe/log/logger.h"

namespace takahe::hooks::lease_cmds {

using log::MessageId;
using log::Severity;

inline constexpr MessageId LEASE_CMDS_ADD4{"LEASE_CMDS_ADD4", Severity::kInfo, "lease4-add: %1"};
inline constexpr MessageId LEASE_CMDS_UPDATE4{"LEASE_CMDS_UPDATE4", Severity::kInfo, "lease4-update: %1: %2"};
inline constexpr MessageId LEASE_CMDS_DEL4{"LEASE_CMDS_DEL4", Severity::kInfo, "lease4-del: lease %1 deleted"};
inline constexpr MessageId LEASE_CMDS_WIPE4{"LEASE_CMDS_WIPE4", Severity::kInfo, "lease4-wipe: %1 lease(s) deleted from subnet(s)%2"};
inline constexpr MessageId LEASE_CMDS_ADD6{"LEASE_CMDS_ADD6", Severity::kInfo, "lease6-add: %1"};
inline constexpr MessageId LEASE_CMDS_UPDATE6{"LEASE_CMDS_UPDATE6", Severity::kInfo, "lease6-update: %1: %2"};
inline constexpr MessageId LEASE_CMDS_DEL6{"LEASE_CMDS_DEL6", Severity::kInfo, "lease6-del: lease %1 deleted"};
inline constexpr MessageId LEASE_CMDS_WIPE6{"LEASE_CMDS_WIPE6", Severity::kInfo, "lease6-wipe: %1 lease(s) deleted from subnet(s)%2"};
inline constexpr MessageId LEASE_CMDS_FAILED{"LEASE_CMDS_FAILED", Severity::kWarn, "%1 failed: %2 (arguments %3)"};
inline constexpr MessageId LEASE_CMDS_LOADED{"LEASE_CMDS_LOADED", Severity::kInfo, "lease commands library loaded: %1 command(s) registered"};

}  // namespace takahe::hooks::lease_cmds
