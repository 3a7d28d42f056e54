#pragma once

// Lease database synchronisation from a peer (state syncing, and the ha-sync command): the
// peer's DHCP service is disabled for at most `max-period` (dhcp-disable {"max-period", "origin":
// "ha-partner"}, sent again before every page as Kea 2.2 does), its leases are fetched page by
// page (lease4-get-page {"from": "start" | last address of the previous page, "limit":
// sync-page-limit}, until a page has fewer than `limit` leases or the answer is 3 = empty),
// each page is stored locally on the server's packet thread (a fetched lease replaces a local
// one only when it expires later; new ones are added), and the peer is told the sync is over
// (ha-sync-complete-notify without arguments; dhcp-enable {"origin": "ha-partner"} when the
// peer answers 2 = unsupported). A failed or cancelled sync re-enables the peer (dhcp-enable)
// when it had been disabled. Every request is bounded by sync-timeout.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/ha_config.h"
#include "peer_link.h"
#include "takahe/cc/value.h"

namespace takahe::hooks::ha {

struct SyncResult {
  bool ok = false;
  std::string error;  ///< why it failed, for the log and the ha-sync answer
  uint64_t fetched = 0;
  uint64_t stored = 0;  ///< added or replaced locally
};

class LeaseSync {
 public:
  LeaseSync(const HaConfig& config, PeerLink& link);
  /// A sync still running is abandoned: its `done` is not called, answers are ignored.
  ~LeaseSync();
  LeaseSync(const LeaseSync&) = delete;
  LeaseSync& operator=(const LeaseSync&) = delete;

  /// false (default): pages are stored on the packet thread (serverServices4()->post). true:
  /// they are stored on the HA thread itself — only for a caller that holds the packet thread
  /// until the sync is done (the synchronous ha-sync command), which would otherwise deadlock;
  /// the lease store and the statistics are thread-safe and nothing else writes leases then.
  void setStoreInline(bool store_inline);

  /// HA thread. Starts a sync from `peer`; `done` runs once on the HA thread. A sync already
  /// running is cancelled first (its done gets ok=false, "cancelled").
  /// `disable_peer`: send dhcp-disable / re-enable around the sync (false for a backup).
  void start(const PeerConfig& peer, uint32_t max_period_s, bool disable_peer,
             std::function<void(SyncResult)> done);
  void cancel();
  bool running() const;

  /// Stores the leases of one lease4-get-page answer ("leases": [...]) in the local lease store
  /// (through dhcpsrv::serverServices4()); must run on the packet thread. Returns how many were
  /// added or replaced; a lease that cannot be stored is logged and skipped. Exposed for tests.
  /// The subnet must be configured here and contain the address; the pool id is taken from the
  /// local configuration; statistics are kept as lease_cmds keeps them (updateLeaseStats4).
  /// Throws takahe::Error when there is no DHCPv4 server (no lease store, no configuration).
  static uint64_t storePage(const cc::Value& leases);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::hooks::ha
