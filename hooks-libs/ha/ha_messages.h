#pragma once

// Message catalogue of libdhcp_ha.so: the state machine, its commands, callouts and listener
// (logger "ha-hooks", Kea's name, so Kea `loggers` entries for it apply). Peer transport
// messages (HA_PEER_*) are in peer_messages.h.

#include "takahe/log/logger.h"

namespace takahe::hooks::ha {

using log::MessageId;
using log::Severity;

/// Debug level of per-packet messages (scope decisions).
inline constexpr int kDbgHaPacket = 40;

/// The logger of the state machine, commands and callouts ("takahe-dhcp4.ha-hooks").
inline const log::Logger& haLogger() {
  static const log::Logger logger("ha-hooks");
  return logger;
}

// --- loading -----------------------------------------------------------------------------------
inline constexpr MessageId HA_CONFIGURATION_FAILED{"HA_CONFIGURATION_FAILED", Severity::kError,
                                                   "HA configuration failed: %1"};
inline constexpr MessageId HA_LOADED{
    "HA_LOADED", Severity::kInfo, "HA library loaded: this server is %1 (%2, %3 mode), partner %4"};
inline constexpr MessageId HA_CONFIGURATION_WARNING{"HA_CONFIGURATION_WARNING", Severity::kWarn,
                                                    "HA configuration: %1"};
inline constexpr MessageId HA_UNLOADED{"HA_UNLOADED", Severity::kInfo,
                                       "HA library unloaded (server %1)"};
inline constexpr MessageId HA_SERVICE_STARTED{"HA_SERVICE_STARTED", Severity::kInfo,
                                              "HA service of %1 started in state %2"};
inline constexpr MessageId HA_QUERY_OUT_OF_SCOPE{"HA_QUERY_OUT_OF_SCOPE", Severity::kDebug,
                                                 "%1 dropped: scope %2 is not served by %3 now"};
inline constexpr MessageId HA_CALLOUT_FAILED{"HA_CALLOUT_FAILED", Severity::kError,
                                             "HA callout %1 failed: %2"};

// --- state machine -------------------------------------------------------------------------------
/// %1 this server, %2 old state, %3 new state, %4 why ("partner server2 is load-balancing").
inline constexpr MessageId HA_STATE_TRANSITION{"HA_STATE_TRANSITION", Severity::kInfo,
                                               "HA state of %1 changed from %2 to %3: %4"};
inline constexpr MessageId HA_STATE_MACHINE_PAUSED{
    "HA_STATE_MACHINE_PAUSED", Severity::kInfo,
    "HA state machine of %1 paused in state %2 (state-machine configuration); send ha-continue to "
    "resume"};
inline constexpr MessageId HA_STATE_MACHINE_CONTINUED{"HA_STATE_MACHINE_CONTINUED", Severity::kInfo,
                                                      "HA state machine of %1 resumed in state %2"};
inline constexpr MessageId HA_LOCAL_DHCP_DISABLE{"HA_LOCAL_DHCP_DISABLE", Severity::kInfo,
                                                 "local DHCP service disabled: %1 is in state %2"};
inline constexpr MessageId HA_LOCAL_DHCP_ENABLE{"HA_LOCAL_DHCP_ENABLE", Severity::kInfo,
                                                "local DHCP service enabled: %1 is in state %2"};
inline constexpr MessageId HA_LOCAL_DHCP_FAILED{"HA_LOCAL_DHCP_FAILED", Severity::kError,
                                                "changing the local DHCP service (%1) failed: %2"};
inline constexpr MessageId HA_LEASE_UPDATES_POLICY{"HA_LEASE_UPDATES_POLICY", Severity::kInfo,
                                                   "lease updates to partner %1: %2 (state %3)"};
inline constexpr MessageId HA_SCOPES_SERVED{"HA_SCOPES_SERVED", Severity::kInfo,
                                            "%1 now serves scopes [%2]"};

// --- causes logged once per change, with the remedy
// ------------------------------------------------
inline constexpr MessageId HA_CLOCK_SKEW_WARN{
    "HA_CLOCK_SKEW_WARN", Severity::kWarn,
    "clock skew with partner %1 is %2 s (more than 30 s): lease times differ between the servers; "
    "synchronise both clocks (NTP, chrony) before the skew passes 60 s, where HA terminates"};
inline constexpr MessageId HA_CLOCK_SKEW_TERMINATE{
    "HA_CLOCK_SKEW_TERMINATE", Severity::kError,
    "clock skew with partner %1 is %2 s (more than 60 s): HA terminated, each server serves its "
    "own "
    "scopes without lease updates; synchronise both clocks (NTP, chrony): this server "
    "resynchronises "
    "by itself once the skew is under 30 s, no restart needed"};
inline constexpr MessageId HA_CLOCK_SKEW_FIXED{"HA_CLOCK_SKEW_FIXED", Severity::kInfo,
                                               "clock skew with partner %1 is back to %2 s"};
inline constexpr MessageId HA_LEASE_UPDATES_REJECTED_TERMINATE{
    "HA_LEASE_UPDATES_REJECTED_TERMINATE", Severity::kError,
    "partner %1 rejected %2 lease updates (max-rejected-lease-updates %3): HA terminated; make the "
    "subnets, subnet ids and pools of both servers identical: this server resynchronises by itself "
    "when the partner restarts (or after ha-reset)"};
inline constexpr MessageId HA_COMMUNICATION_INTERRUPTED{
    "HA_COMMUNICATION_INTERRUPTED", Severity::kWarn,
    "communication with partner %1 interrupted: nothing heard for more than %2 ms "
    "(max-response-delay); %3"};
inline constexpr MessageId HA_COMMUNICATION_RESTORED{
    "HA_COMMUNICATION_RESTORED", Severity::kInfo,
    "communication with partner %1 restored (its state: %2)"};
inline constexpr MessageId HA_NO_AUTO_FAILOVER{
    "HA_NO_AUTO_FAILOVER", Severity::kWarn,
    "partner %1 appears down but auto-failover is false for this server (%2): it stays in %3; to "
    "serve the partner's clients send ha-scopes with every scope, or set auto-failover to true"};
inline constexpr MessageId HA_PARTNER_ALIVE_NO_FAILOVER{
    "HA_PARTNER_ALIVE_NO_FAILOVER", Severity::kError,
    "partner %1 is up but HA cannot talk to it (%2): this server does not take over its clients, "
    "since both would then serve them (state %3); fix TLS (trust-anchor, cert-file, key-file) or "
    "basic auth on both servers (see the HA_PEER_* error for the cause)"};
inline constexpr MessageId HA_PARTNER_TERMINATED_WAIT{
    "HA_PARTNER_TERMINATED_WAIT", Severity::kWarn,
    "partner %1 is in the terminated state: %2 waits for it to restart (a Takahe partner leaves "
    "terminated by itself; a Kea partner must be restarted), at most %3 s"};
inline constexpr MessageId HA_TERMINATED_RECOVER{
    "HA_TERMINATED_RECOVER", Severity::kInfo,
    "%1 leaves the terminated state: %2; the lease databases "
    "are resynchronised"};

// --- lease database synchronisation ------------------------------------------------------------
inline constexpr MessageId HA_SYNC_COMPLETE_NOTIFIED{
    "HA_SYNC_COMPLETE_NOTIFIED", Severity::kInfo,
    "partner finished synchronising from %1: its DHCP "
    "service disabled by the partner is enabled again"};
inline constexpr MessageId HA_COMMUNICATION_RECOVERY_FLUSH{
    "HA_COMMUNICATION_RECOVERY_FLUSH", Severity::kInfo,
    "partner %1 is reachable again: sending %2 queued lease update(s)"};
inline constexpr MessageId HA_COMMUNICATION_RECOVERY_RESET{
    "HA_COMMUNICATION_RECOVERY_RESET", Severity::kWarn,
    "more than delayed-updates-limit (%2) lease updates were queued for partner %1: it is asked to "
    "resynchronise its lease database (ha-reset)"};

// --- maintenance ---------------------------------------------------------------------------------
inline constexpr MessageId HA_MAINTENANCE_STARTED{
    "HA_MAINTENANCE_STARTED", Severity::kInfo,
    "%1 serves every scope while partner %2 is in maintenance"};
inline constexpr MessageId HA_MAINTENANCE_SHUTDOWN_SAFE{
    "HA_MAINTENANCE_SHUTDOWN_SAFE", Severity::kInfo,
    "%1 is in-maintenance: its partner serves every client; it can be shut down safely"};
inline constexpr MessageId HA_MAINTENANCE_CANCELED{"HA_MAINTENANCE_CANCELED", Severity::kInfo,
                                                   "maintenance canceled: %1 returns to %2"};
inline constexpr MessageId HA_RESET{"HA_RESET", Severity::kInfo,
                                    "HA state machine of %1 reset (%2)"};
inline constexpr MessageId HA_SCOPES_COMMAND{"HA_SCOPES_COMMAND", Severity::kInfo,
                                             "ha-scopes: %1 now serves [%2]"};

// --- dedicated listener (HA+MT)
// -------------------------------------------------------------------
inline constexpr MessageId HA_LISTENER_STARTED{"HA_LISTENER_STARTED", Severity::kInfo,
                                               "HA listener for peer commands on %1 (%2)"};
inline constexpr MessageId HA_LISTENER_FAILED{
    "HA_LISTENER_FAILED", Severity::kError,
    "HA listener on %1 cannot start: %2; the partner cannot reach this server until it can: give "
    "the dedicated listener a port of its own (not the control agent's; Kea's examples use 8001)"};
inline constexpr MessageId HA_LISTENER_NOT_USED{
    "HA_LISTENER_NOT_USED", Severity::kInfo,
    "HA multi-threading is configured but Dhcp4 multi-threading is off: peers reach this server "
    "through its control channel (control agent), not a dedicated listener on %1"};
/// %1 remote address, %2 client certificate subject, %3 OpenSSL reason, %4 remedy.
inline constexpr MessageId HA_LISTENER_TLS_FAILED{
    "HA_LISTENER_TLS_FAILED", Severity::kError,
    "TLS handshake of a peer from %1 with the HA listener failed (client certificate: %2): %3; %4"};
inline constexpr MessageId HA_LISTENER_COMMAND_REFUSED{
    "HA_LISTENER_COMMAND_REFUSED", Severity::kWarn,
    "HA listener refused command '%1' from %2: restrict-commands allows only HA peer commands"};

}  // namespace takahe::hooks::ha
