#pragma once

// The lease updates to one HA peer. A Kea peer gets one lease4-update / lease4-del per lease,
// as Kea 2.2 sends them. A peer whose list-commands shows lease4-bulk-apply (Takahe's lease
// commands) gets them in batches: while a batch is on its way, the updates committed meanwhile
// wait and go together in the next one, so the cost per lease falls as the rate rises and a
// lone update still leaves at once. Every update learns its own outcome, whichever way it went.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ha_config.h"
#include "peer_link.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::hooks::ha {

/// One lease update for a peer.
struct LeaseUpdate {
  std::string command;  ///< "lease4-update" or "lease4-del"
  std::string address;  ///< the lease's address (log, rejected-update key)
  std::shared_ptr<const dhcpsrv::Lease4> lease;
};

/// The lease4-update arguments for a lease, as Kea 2.2 sends them: the lease JSON with "expire"
/// instead of "cltt", no "pool-id", "force-create": true, members sorted by name.
cc::Value leaseUpdateArguments(const dhcpsrv::Lease4& lease);
/// The lease4-del arguments (the same lease JSON without "force-create"); also the form of each
/// lease in a lease4-bulk-apply list.
cc::Value leaseDeleteArguments(const dhcpsrv::Lease4& lease);
/// The single command for one update (makeCommandBody of lease4-update / lease4-del).
std::string singleUpdateBody(const LeaseUpdate& update);
/// {"arguments": {"deleted-leases": [...], "leases": [...]}, "command": "lease4-bulk-apply",
/// "service": ["dhcp4"]} for the updates, lease4-del ones in "deleted-leases".
std::string bulkUpdateBody(const std::vector<const LeaseUpdate*>& updates);

/// The answer to one update of a lease4-bulk-apply: the whole answer when it failed or was
/// refused; otherwise result 0, or the item's own entry of failed-leases /
/// failed-deleted-leases (result and error-message). Exposed for tests.
PeerAnswer bulkItemAnswer(const PeerAnswer& whole, const LeaseUpdate& update);

class UpdateChannel {
 public:
  /// Runs once per update, on the HA event thread, with the answer that concerns it.
  using Done = std::function<void(const PeerAnswer&)>;
  /// A batch never holds more than this many updates.
  static constexpr size_t kMaxBatch = 500;
  /// Batches on their way at once; the updates committed meanwhile wait for one to return.
  static constexpr unsigned kMaxBatchesInFlight = 1;

  UpdateChannel(PeerLink& link, const PeerConfig& peer, std::chrono::milliseconds timeout);
  ~UpdateChannel();
  UpdateChannel(const UpdateChannel&) = delete;
  UpdateChannel& operator=(const UpdateChannel&) = delete;

  /// Thread-safe. Sends the update: singly until the peer is known to take lease4-bulk-apply
  /// (the first call asks it with list-commands, again after a failed exchange), in batches
  /// afterwards. `done` never runs inside send().
  void send(LeaseUpdate update, Done done);
  /// Forget what the peer takes (it may have been replaced, e.g. by a Kea server): the next
  /// update asks again. Updates already waiting for a batch still go in one.
  void forgetCapability();
  /// true: batches; false: single updates; nullopt: not known yet.
  std::optional<bool> bulk() const;
  /// HTTP requests that carried updates (batches and single ones), since start.
  uint64_t requests() const;
  /// Updates waiting for a batch slot.
  size_t waiting() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::hooks::ha
