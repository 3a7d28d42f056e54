#pragma once

// Message catalogue of the HA peer traffic (peer_link, lease_updater, lease_sync). Logger
// "ha-hooks", Kea's name, so that a Kea `loggers` entry for "kea-dhcp4.ha-hooks" applies.

#include "takahe/log/logger.h"

namespace takahe::hooks::ha {

using log::MessageId;
using log::Severity;

/// The logger of the peer traffic ("takahe-dhcp4.ha-hooks").
inline const log::Logger& linkLogger() {
  static const log::Logger logger("ha-hooks");
  return logger;
}

/// Debug levels (Kea's: 40 = detail, 50 = detail with data).
inline constexpr int kDbgLinkDetail = 40;
inline constexpr int kDbgLinkData = 50;

// --- peer_link ---------------------------------------------------------------------------
inline constexpr MessageId HA_PEER_UNREACHABLE{
    "HA_PEER_UNREACHABLE", Severity::kError, "HA peer %1 (%2) is unreachable: %3; %4"};
inline constexpr MessageId HA_PEER_TLS_FAILED{
    "HA_PEER_TLS_FAILED", Severity::kError,
    "TLS with HA peer %1 (%2) failed: %3; peer certificate subject: %4; verify reason: %5; %6"};
inline constexpr MessageId HA_PEER_REACHABLE{
    "HA_PEER_REACHABLE", Severity::kInfo,
    "HA peer %1 (%2) is reachable again (after: %3)"};
inline constexpr MessageId HA_PEER_COMMAND{"HA_PEER_COMMAND", Severity::kDebug,
                                           "sending %1 to HA peer %2 (%3)"};

// --- lease_updater -----------------------------------------------------------------------
inline constexpr MessageId HA_LEASE_UPDATE_FAILED{
    "HA_LEASE_UPDATE_FAILED", Severity::kWarn,
    "lease updates to HA peer %1 (%2) fail: %3 failed: %4; %5"};
inline constexpr MessageId HA_LEASE_UPDATES_RESUMED{
    "HA_LEASE_UPDATES_RESUMED", Severity::kInfo,
    "lease updates to HA peer %1 (%2) succeed again (%3 failed meanwhile)"};
inline constexpr MessageId HA_LEASE_UPDATE_REJECTED{
    "HA_LEASE_UPDATE_REJECTED", Severity::kWarn,
    "HA peer %1 rejected %2 for %3: %4 (%5 rejected lease update(s) pending)"};
inline constexpr MessageId HA_LEASE_UPDATES_QUEUE_FULL{
    "HA_LEASE_UPDATES_QUEUE_FULL", Severity::kWarn,
    "more than %1 lease updates for HA peer %2 are waiting (delayed-updates-limit): further "
    "updates are only counted; the peer will need a full lease database synchronisation"};
inline constexpr MessageId HA_LEASE_UPDATES_QUEUE_SENT{
    "HA_LEASE_UPDATES_QUEUE_SENT", Severity::kInfo,
    "%1 queued lease update(s) sent to HA peer %2"};
inline constexpr MessageId HA_LEASE_UPDATES_QUEUE_STOPPED{
    "HA_LEASE_UPDATES_QUEUE_STOPPED", Severity::kWarn,
    "sending queued lease updates to HA peer %1 stopped after %2: %3 (%4 still queued)"};
inline constexpr MessageId HA_LEASE_UPDATES_BATCHED{
    "HA_LEASE_UPDATES_BATCHED", Severity::kInfo,
    "HA peer %1 (%2) takes lease4-bulk-apply: lease updates committed while one is on its way "
    "are sent to it together"};
inline constexpr MessageId HA_LEASE_UPDATES_SINGLE{
    "HA_LEASE_UPDATES_SINGLE", Severity::kInfo,
    "HA peer %1 (%2) does not take lease4-bulk-apply (a Kea server, or lease commands without "
    "it): one lease4-update or lease4-del per lease"};

// --- lease_sync --------------------------------------------------------------------------
inline constexpr MessageId HA_SYNC_START{
    "HA_SYNC_START", Severity::kInfo,
    "lease database synchronisation from HA peer %1 (%2) starts (pages of %3 leases%4)"};
inline constexpr MessageId HA_SYNC_COMPLETE{
    "HA_SYNC_COMPLETE", Severity::kInfo,
    "lease database synchronisation from HA peer %1 complete: %2 lease(s) fetched, %3 added "
    "or replaced, in %4 ms"};
inline constexpr MessageId HA_SYNC_FAILED{
    "HA_SYNC_FAILED", Severity::kError,
    "lease database synchronisation from HA peer %1 (%2) failed: %3"};
inline constexpr MessageId HA_SYNC_PAGE_RECEIVED{
    "HA_SYNC_PAGE_RECEIVED", Severity::kDebug, "received %1 lease(s) from HA peer %2"};
inline constexpr MessageId HA_SYNC_LEASE_SKIPPED{
    "HA_SYNC_LEASE_SKIPPED", Severity::kWarn,
    "lease from the HA peer not stored: %1 (lease %2)"};
inline constexpr MessageId HA_SYNC_LEASE_KEPT{
    "HA_SYNC_LEASE_KEPT", Severity::kDebug,
    "local lease for %1 kept: it expires at %2, the peer's at %3"};

}  // namespace takahe::hooks::ha
