#pragma once

// Message catalogue of the takahe-dhcp6 process (start-up, configuration, control channels,
// timers): one stable ID per event, for operators to grep. The packet path has its own
// (path_messages6.h), the processor logs under takahe-dhcp6.packets / .leases.

#include "takahe/log/logger.h"

namespace takahe::dhcp6 {

using log::MessageId;
using log::Severity;

inline constexpr MessageId DHCP6_STARTING{"DHCP6_STARTING", Severity::kInfo, "takahe-dhcp6 %1 starting (pid %2)"};
inline constexpr MessageId DHCP6_STARTED{"DHCP6_STARTED", Severity::kInfo, "takahe-dhcp6 %1 started, serving %2 subnet(s)"};
inline constexpr MessageId DHCP6_SHUTDOWN{"DHCP6_SHUTDOWN", Severity::kInfo, "takahe-dhcp6 shutting down (%1)"};
inline constexpr MessageId DHCP6_CONFIG_LOADED{"DHCP6_CONFIG_LOADED", Severity::kInfo, "configuration loaded from %1: %2 subnet(s)"};
inline constexpr MessageId DHCP6_CONFIG_WARNING{"DHCP6_CONFIG_WARNING", Severity::kWarn, "configuration: %1"};
inline constexpr MessageId DHCP6_CONFIG_LOAD_FAIL{"DHCP6_CONFIG_LOAD_FAIL", Severity::kError, "configuration from %1 rejected: %2"};
inline constexpr MessageId DHCP6_RECONFIGURE_FAIL{"DHCP6_RECONFIGURE_FAIL", Severity::kError, "reload of %1 failed, the running configuration is kept: %2"};
inline constexpr MessageId DHCP6_RECONFIGURED{"DHCP6_RECONFIGURED", Severity::kInfo, "configuration reloaded from %1"};
inline constexpr MessageId DHCP6_OPEN_SOCKET{"DHCP6_OPEN_SOCKET", Severity::kInfo, "listening on %1"};
inline constexpr MessageId DHCP6_OPEN_SOCKET_FAIL{"DHCP6_OPEN_SOCKET_FAIL", Severity::kError, "cannot open a socket: %1"};
inline constexpr MessageId DHCP6_NO_SOCKETS{"DHCP6_NO_SOCKETS", Severity::kWarn, "no interface is configured for DHCPv6 service: the server receives nothing (set interfaces-config.interfaces)"};
inline constexpr MessageId DHCP6_LEASES_LOADED{"DHCP6_LEASES_LOADED", Severity::kInfo, "lease file %1: %2 lease(s) loaded"};
inline constexpr MessageId DHCP6_LEASE_LOAD_WARNING{"DHCP6_LEASE_LOAD_WARNING", Severity::kWarn, "lease file: %1"};
inline constexpr MessageId DHCP6_LEASE_DB_OPENED{"DHCP6_LEASE_DB_OPENED", Severity::kInfo, "leases are stored in the %1: %2 lease(s) there now"};
inline constexpr MessageId DHCP6_DB_START_RETRY{"DHCP6_DB_START_RETRY", Severity::kWarn, "the %1 is not reachable at start-up (%2); starting anyway and reconnecting (retry-on-startup)"};
inline constexpr MessageId DHCP6_DB_LOST{"DHCP6_DB_LOST", Severity::kError, "lost the connection to the %1: %2; recovering per on-fail"};
inline constexpr MessageId DHCP6_DB_RECONNECTED{"DHCP6_DB_RECONNECTED", Severity::kInfo, "reconnected to the %1 after %2 attempt(s); service resumes"};
inline constexpr MessageId DHCP6_DB_RECONNECT_FAILED{"DHCP6_DB_RECONNECT_FAILED", Severity::kWarn, "database reconnect attempt %1 of %2 failed: %3"};
inline constexpr MessageId DHCP6_DB_GIVE_UP{"DHCP6_DB_GIVE_UP", Severity::kFatal, "the %1 did not come back after %2 attempt(s) (max-reconnect-tries); exiting"};
inline constexpr MessageId DHCP6_LEASE_STORE_LOST{"DHCP6_LEASE_STORE_LOST", Severity::kFatal, "the lease file can no longer be opened after a failed reconfiguration: %1; exiting"};
inline constexpr MessageId DHCP6_SERVERID{"DHCP6_SERVERID", Severity::kInfo, "server DUID %1 (kept in %2)"};
inline constexpr MessageId DHCP6_HOOKS_LOAD_FAIL{"DHCP6_HOOKS_LOAD_FAIL", Severity::kError, "hook libraries could not be loaded: %1"};
inline constexpr MessageId DHCP6_CONTROL_SOCKET{"DHCP6_CONTROL_SOCKET", Severity::kInfo, "control channel listening on %1"};
inline constexpr MessageId DHCP6_SERVICE_REENABLED{"DHCP6_SERVICE_REENABLED", Severity::kInfo, "DHCP service re-enabled after max-period (origin %1)"};
inline constexpr MessageId DHCP6_PROCESS_FAIL{"DHCP6_PROCESS_FAIL", Severity::kError, "%1: processing failed: %2"};
inline constexpr MessageId DHCP6_RECLAIMED{"DHCP6_RECLAIMED", Severity::kDebug, "reclaimed %1 expired lease(s) in %2 ms"};
inline constexpr MessageId DHCP6_RECLAIM_INCOMPLETE{"DHCP6_RECLAIM_INCOMPLETE", Severity::kWarn, "expired leases still awaiting reclamation after %1 cycle(s): raise max-reclaim-leases or max-reclaim-time"};
inline constexpr MessageId DHCP6_LFC_START{"DHCP6_LFC_START", Severity::kInfo, "lease file cleanup started"};
inline constexpr MessageId DHCP6_LFC_FAIL{"DHCP6_LFC_FAIL", Severity::kError, "lease file cleanup failed: %1"};

}  // namespace takahe::dhcp6
