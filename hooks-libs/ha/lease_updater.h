#pragma once

// Lease updates to HA peers from leases4_committed: lease4-update (lease JSON with "expire"
// instead of "cltt" + "force-create": true, as Kea 2.2 sends it: no "origin", no "pool-id") for
// each stored lease and lease4-del (the same lease JSON) for each released one, to
// the partner and to every backup. The client's reply is parked until the updates that must be
// acknowledged are (partner always; backups only with wait-backup-ack), then sent — or dropped
// when one of them failed, so that no client holds an address its partner does not know about.
// In communication-recovery the partner's updates are queued (up to delayed-updates-limit) and
// sent when the partner is back; where updates cannot be sent (partner-down, ...) they are
// counted (Kea's unsent-update-count, reported in ha-heartbeat). To a peer that takes
// lease4-bulk-apply (Takahe), the updates committed while one is on its way go together in one
// request (update_channel.h); a Kea peer gets them one by one, as above.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/communication_state.h"
#include "core/ha_config.h"
#include "peer_link.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::hooks {
class ParkingLot;
}

namespace takahe::hooks::ha {

class LeaseUpdater {
 public:
  /// What to do with the partner's updates; set by the state machine on every transition.
  enum class PartnerPolicy {
    kSend,   ///< load-balancing, hot-standby, partner-in-maintenance: send, park until acked
    kQueue,  ///< communication-recovery: queue, do not park
    kCount,  ///< partner-down and every other serving state: count as unsent, do not send
    kNone,   ///< not serving / terminated: nothing
  };

  /// `partner_state` (may be nullptr in passive-backup) learns of acks (poke) and of rejected
  /// updates (result 1), which the state machine checks against max-rejected-lease-updates.
  LeaseUpdater(const HaConfig& config, PeerLink& link, CommunicationState* partner_state);
  /// Answers arriving later are ignored (parked replies are not touched: the server clears its
  /// parking lot when the library unloads).
  ~LeaseUpdater();
  LeaseUpdater(const LeaseUpdater&) = delete;
  LeaseUpdater& operator=(const LeaseUpdater&) = delete;

  /// Thread-safe; effective for the next committed packet. Starts as kNone.
  void setPartnerPolicy(PartnerPolicy policy);
  PartnerPolicy partnerPolicy() const;
  /// Backups get updates whenever this server serves (send-lease-updates permitting). Starts
  /// false. Updates to backups are acknowledged (the reply parked) only in passive-backup with
  /// wait-backup-ack; otherwise they are fire-and-forget (failures logged once per change).
  void setSendToBackups(bool send);
  bool sendToBackups() const;

  /// Packet thread, from the leases4_committed callout. Returns true when the reply must be
  /// parked: the updater has then taken ONE reference (`lot.reference(key)`) itself, before
  /// sending anything; the caller only sets NextStep::kPark (it must not take a reference of its
  /// own). The updater later calls lot.unpark(key) once every required ack arrived, or
  /// lot.drop(key) at the first failure or rejection, from the HA thread (an ack that beats the
  /// server's park() is kept by the lot, which then resumes the packet as soon as it is parked).
  /// Returns false when nothing needs an acknowledgement (the reply goes at once).
  /// Deleted leases are sent first (lease4-del), then the stored ones (lease4-update).
  /// Unsent updates (kCount, and queue overflow) are counted per lease update, not per packet.
  bool leasesCommitted(const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& leases,
                       const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& deleted,
                       ParkingLot& lot, const void* key);

  /// Kea's unsent-update-count: updates the partner should have had but did not get.
  uint64_t unsentUpdateCount() const;
  size_t queuedUpdates() const;
  /// More than delayed-updates-limit updates were queued: the partner needs a full sync.
  bool queueOverflowed() const;
  /// HA thread: sends the queued updates in order, one at a time (updates queued meanwhile are
  /// sent too); `done(true)` when every one was answered (the queue is then empty; a rejected
  /// update counts as answered and is reported to the CommunicationState), `done(false)` at the
  /// first failure (that update and the rest stay queued). When the queue overflowed nothing is
  /// sent and done(false) is called: the partner needs a full synchronisation. A call while one
  /// runs gets done(false) at once. `done` runs on the HA thread.
  void sendQueued(std::function<void(bool ok)> done);
  /// Empties the queue and clears the overflow flag.
  void clearQueue();
  /// Updates answered with success (result 0, or 3 for lease4-del of a lease the peer does not
  /// have) / updates that failed (transport, HTTP, error answer) or were rejected, since start,
  /// all peers (status, tests).
  uint64_t sentUpdates() const;
  uint64_t failedUpdates() const;
  /// Whether updates to `peer` (the partner or a backup, by its entry in the configuration) go
  /// in lease4-bulk-apply batches (true), singly (false), or that is not known yet (nullopt).
  std::optional<bool> bulkUpdates(const PeerConfig& peer) const;
  /// HTTP requests that carried updates (batches count once), all peers, since start.
  uint64_t updateRequests() const;

  /// The lease4-update / lease4-del arguments for a lease. Exposed for tests.
  static cc::Value updateArguments(const dhcpsrv::Lease4& lease);
  static cc::Value deleteArguments(const dhcpsrv::Lease4& lease);
  /// Timeout of one lease update (Kea's default HTTP client request timeout).
  static constexpr std::chrono::milliseconds kUpdateTimeout{10000};

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::hooks::ha
