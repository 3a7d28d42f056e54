#pragma once

// Message catalogue of takahe-dhcp4: one stable ID per event, for operators to grep.

#include "takahe/log/logger.h"

namespace takahe::dhcp4 {

using log::MessageId;
using log::Severity;

inline constexpr MessageId DHCP4_STARTING{"DHCP4_STARTING", Severity::kInfo, "takahe-dhcp4 %1 starting (pid %2)"};
inline constexpr MessageId DHCP4_STARTED{"DHCP4_STARTED", Severity::kInfo, "takahe-dhcp4 %1 started, serving %2 subnet(s)"};
inline constexpr MessageId DHCP4_SHUTDOWN{"DHCP4_SHUTDOWN", Severity::kInfo, "takahe-dhcp4 shutting down (%1)"};
inline constexpr MessageId DHCP4_CONFIG_LOADED{"DHCP4_CONFIG_LOADED", Severity::kInfo, "configuration loaded from %1: %2 subnet(s)"};
inline constexpr MessageId DHCP4_CONFIG_WARNING{"DHCP4_CONFIG_WARNING", Severity::kWarn, "configuration: %1"};
inline constexpr MessageId DHCP4_CONFIG_LOAD_FAIL{"DHCP4_CONFIG_LOAD_FAIL", Severity::kError, "configuration from %1 rejected: %2"};
inline constexpr MessageId DHCP4_RECONFIGURE_FAIL{"DHCP4_RECONFIGURE_FAIL", Severity::kError, "reload of %1 failed, the running configuration is kept: %2"};
inline constexpr MessageId DHCP4_RECONFIGURED{"DHCP4_RECONFIGURED", Severity::kInfo, "configuration reloaded from %1"};
inline constexpr MessageId DHCP4_OPEN_SOCKET{"DHCP4_OPEN_SOCKET", Severity::kInfo, "listening on %1 (%2 socket) port %3"};
inline constexpr MessageId DHCP4_OPEN_SOCKET_FAIL{"DHCP4_OPEN_SOCKET_FAIL", Severity::kError, "cannot open a socket: %1"};
inline constexpr MessageId DHCP4_NO_SOCKETS{"DHCP4_NO_SOCKETS", Severity::kWarn, "no interface is configured for DHCP service: the server receives nothing (set interfaces-config.interfaces)"};
inline constexpr MessageId DHCP4_LEASES_LOADED{"DHCP4_LEASES_LOADED", Severity::kInfo, "lease file %1: %2 lease(s) loaded"};
inline constexpr MessageId DHCP4_LEASE_DB_OPENED{"DHCP4_LEASE_DB_OPENED", Severity::kInfo, "leases are stored in the %1: %2 lease(s) there now"};
inline constexpr MessageId DHCP4_DB_START_RETRY{"DHCP4_DB_START_RETRY", Severity::kWarn, "the %1 is not reachable at start-up (%2); starting anyway and reconnecting (retry-on-startup)"};
inline constexpr MessageId DHCP4_DB_LOST{"DHCP4_DB_LOST", Severity::kError, "lost the connection to the %1: %2; recovering per on-fail"};
inline constexpr MessageId DHCP4_DB_RECONNECTED{"DHCP4_DB_RECONNECTED", Severity::kInfo, "reconnected to the %1 after %2 attempt(s); service resumes"};
inline constexpr MessageId DHCP4_DB_RECONNECT_FAILED{"DHCP4_DB_RECONNECT_FAILED", Severity::kWarn, "database reconnect attempt %1 of %2 failed: %3"};
inline constexpr MessageId DHCP4_DB_GIVE_UP{"DHCP4_DB_GIVE_UP", Severity::kFatal, "the %1 did not come back after %2 attempt(s) (max-reconnect-tries); exiting"};
inline constexpr MessageId DHCP4_HOSTS_DB_OPENED{"DHCP4_HOSTS_DB_OPENED", Severity::kInfo, "reservations added by command are stored in the %1: %2 there now"};
inline constexpr MessageId DHCP4_HOSTS_LOADED{"DHCP4_HOSTS_LOADED", Severity::kInfo, "host reservation file %1: %2 reservation(s) added by command loaded"};
inline constexpr MessageId DHCP4_LEASE_LOAD_WARNING{"DHCP4_LEASE_LOAD_WARNING", Severity::kWarn, "lease file: %1"};
inline constexpr MessageId DHCP4_PACKET_RECEIVED{"DHCP4_PACKET_RECEIVED", Severity::kDebug, "%1 received from %2 on %3"};
inline constexpr MessageId DHCP4_PACKET_SEND{"DHCP4_PACKET_SEND", Severity::kDebug, "%1 sent to %2 port %3"};
inline constexpr MessageId DHCP4_PACKET_SEND_FAIL{"DHCP4_PACKET_SEND_FAIL", Severity::kError, "%1: cannot send reply to %2: %3"};
inline constexpr MessageId DHCP4_HOOK_DROP{"DHCP4_HOOK_DROP", Severity::kDebug, "%1: dropped by a hook library at %2 (%3)"};
inline constexpr MessageId DHCP4_HOOK_PARK_FULL{"DHCP4_HOOK_PARK_FULL", Severity::kWarn, "%1: dropped, the parking lot of %2 is full (parked-packet-limit)"};
inline constexpr MessageId DHCP4_HOOKS_LOAD_FAIL{"DHCP4_HOOKS_LOAD_FAIL", Severity::kError, "hook libraries could not be loaded: %1"};
inline constexpr MessageId DHCP4_HOOK_SUBNET_IGNORED{"DHCP4_HOOK_SUBNET_IGNORED", Severity::kWarn, "%1: subnet4_select returned a subnet that is not in the configuration; ignored"};
inline constexpr MessageId DHCP4_PACKET_PARSE_FAIL{"DHCP4_PACKET_PARSE_FAIL", Severity::kDebug, "malformed packet from %1 dropped: %2"};
inline constexpr MessageId DHCP4_PACKET_DROP_NO_TYPE{"DHCP4_PACKET_DROP_NO_TYPE", Severity::kDebug, "%1: dropped, no DHCP message type (BOOTP is not served)"};
inline constexpr MessageId DHCP4_PACKET_DROP_NOT_REQUEST{"DHCP4_PACKET_DROP_NOT_REQUEST", Severity::kDebug, "%1: dropped, op is not BOOTREQUEST"};
inline constexpr MessageId DHCP4_PACKET_DROP_UNKNOWN_TYPE{"DHCP4_PACKET_DROP_UNKNOWN_TYPE", Severity::kDebug, "%1: dropped, message type %2 is not served"};
inline constexpr MessageId DHCP4_PACKET_DROP_NOT_FOR_US{"DHCP4_PACKET_DROP_NOT_FOR_US", Severity::kDebug, "%1: dropped, server identifier %2 is not ours"};
inline constexpr MessageId DHCP4_PACKET_DROP_NO_CLIENT_ID{"DHCP4_PACKET_DROP_NO_CLIENT_ID", Severity::kDebug, "%1: dropped, neither hardware address nor client identifier"};
inline constexpr MessageId DHCP4_SUBNET_SELECTION_FAILED{"DHCP4_SUBNET_SELECTION_FAILED", Severity::kDebug, "%1: no subnet matches this client (giaddr %2, interface %3)"};
inline constexpr MessageId DHCP4_LEASE_OFFER{"DHCP4_LEASE_OFFER", Severity::kInfo, "%1: offering lease %2 for %3 seconds"};
inline constexpr MessageId DHCP4_LEASE_ALLOC{"DHCP4_LEASE_ALLOC", Severity::kInfo, "%1: lease %2 has been allocated for %3 seconds"};
inline constexpr MessageId DHCP4_LEASE_RENEW{"DHCP4_LEASE_RENEW", Severity::kDebug, "%1: lease %2 renewed for %3 seconds"};
inline constexpr MessageId DHCP4_ALLOC_FAIL{"DHCP4_ALLOC_FAIL", Severity::kWarn, "%1: failed to allocate an address in subnet %2: %3"};
inline constexpr MessageId DHCP4_NAK{"DHCP4_NAK", Severity::kInfo, "%1: NAK for %2: %3"};
inline constexpr MessageId DHCP4_INIT_REBOOT_UNKNOWN{"DHCP4_INIT_REBOOT_UNKNOWN", Severity::kDebug, "%1: INIT-REBOOT for %2 from a client we hold no lease for; staying silent (not authoritative)"};
inline constexpr MessageId DHCP4_RELEASE{"DHCP4_RELEASE", Severity::kInfo, "%1: address %2 released"};
inline constexpr MessageId DHCP4_RELEASE_FAIL{"DHCP4_RELEASE_FAIL", Severity::kDebug, "%1: release of %2 ignored: %3"};
inline constexpr MessageId DHCP4_DECLINE_LEASE{"DHCP4_DECLINE_LEASE", Severity::kInfo, "%1: address %2 declined by the client, held for %3 seconds"};
inline constexpr MessageId DHCP4_DECLINE_FAIL{"DHCP4_DECLINE_FAIL", Severity::kDebug, "%1: decline of %2 ignored: %3"};
inline constexpr MessageId DHCP4_INFORM{"DHCP4_INFORM", Severity::kDebug, "%1: answering INFORM"};
inline constexpr MessageId DHCP4_RECLAIMED{"DHCP4_RECLAIMED", Severity::kDebug, "reclaimed %1 expired lease(s) in %2 ms"};
inline constexpr MessageId DHCP4_RECLAIM_INCOMPLETE{"DHCP4_RECLAIM_INCOMPLETE", Severity::kWarn, "expired leases still awaiting reclamation after %1 consecutive cycles"};
inline constexpr MessageId DHCP4_PROCESS_FAIL{"DHCP4_PROCESS_FAIL", Severity::kError, "%1: processing failed: %2"};
inline constexpr MessageId DHCP4_LEASE_STORE_LOST{"DHCP4_LEASE_STORE_LOST", Severity::kFatal, "the lease file can no longer be opened after a failed reload (%1); stopping"};
inline constexpr MessageId DHCP4_CONTROL_SOCKET{"DHCP4_CONTROL_SOCKET", Severity::kInfo, "control channel listening on %1"};
inline constexpr MessageId DHCP4_SERVICE_REENABLED{"DHCP4_SERVICE_REENABLED", Severity::kInfo, "DHCP service re-enabled after max-period (origin %1)"};
inline constexpr MessageId DHCP4_LFC_START{"DHCP4_LFC_START", Severity::kInfo, "lease file cleanup started"};
inline constexpr MessageId DHCP4_LFC_FAIL{"DHCP4_LFC_FAIL", Severity::kError, "lease file cleanup failed: %1"};

}  // namespace takahe::dhcp4
