#pragma once

// The HA service of one server: Kea 2.2's state machine (waiting, syncing, ready,
// load-balancing/hot-standby, partner-down, communication-recovery, maintenance, passive-backup,
// backup, terminated), its heartbeats to the partner, the scopes it serves, the lease-update
// policy per state, and the local DHCP service switched on and off per state.
//
// Threads: one http::EventThread ("ha") runs the heartbeat timer, the peer traffic callbacks
// and every state transition. The server's packet thread calls acceptQuery() and
// leasesCommitted() (callouts) and the command functions (control commands); those that change
// the state run their change on the HA thread and wait for it (the HA thread never waits for
// the packet thread, so this cannot deadlock). The local DHCP service and the lease store are
// only touched on the packet thread (ServerServices4::post / execute).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/communication_state.h"
#include "core/ha_config.h"
#include "core/query_filter.h"
#include "lease_sync.h"
#include "lease_updater.h"
#include "peer_link.h"
#include "takahe/cc/value.h"

namespace takahe::dhcp {
class Pkt4;
}
namespace takahe::http {
class EventThread;
}

namespace takahe::hooks::ha {

/// Settings that are not part of Kea's configuration (tests shorten them).
struct ServiceOptions {
  /// Keep-alive connections per peer; 0 = `http-client-threads`, or 4 when that is 0 too.
  unsigned connections_per_peer = 0;
  /// How long a restarted server waits in `waiting` for a partner that stays `terminated`
  /// before it goes back to `terminated` itself to serve its clients (Kea: 10 minutes).
  std::chrono::milliseconds terminated_partner_wait{600000};
};

/// Answer of a command that the state machine handles: Kea result code and text.
struct CommandOutcome {
  int result = 0;
  std::string text;
};

class HaService {
 public:
  explicit HaService(HaConfig config, ServiceOptions options = {});
  ~HaService();
  HaService(const HaService&) = delete;
  HaService& operator=(const HaService&) = delete;

  /// Starts the state machine on the HA thread (waiting; backup or passive-backup by role and
  /// mode) and the heartbeats, and — when `dhcp_multi_threading` and the HA `multi-threading`
  /// settings ask for it — the dedicated listener (one that cannot listen is logged,
  /// HA_LISTENER_FAILED, and HA runs without it). A second call does nothing.
  void start(bool dhcp_multi_threading);
  /// Cancels the timers and a running synchronisation, closes the listener and the peer
  /// connections, and joins the HA thread. Idempotent. Does not touch the local DHCP service
  /// (see releaseLocalService()).
  void stop();
  bool started() const;
  /// Packet thread: enables the local DHCP service again if this library disabled it (unload).
  void releaseLocalService();

  const HaConfig& config() const;
  HaState state() const;
  bool paused() const;
  /// Whether the state wants the local DHCP service on (what was last sent to the server).
  bool localServiceEnabled() const;
  /// Whether the dedicated listener runs, and its port (0 when none).
  uint16_t listenerPort() const;

  // --- packet thread (callouts) -------------------------------------------------------------
  /// pkt4_receive: true when this server serves the query now; `scope` gets its scope. A query
  /// of another scope is fed to failure detection (clients the partner leaves unanswered).
  bool acceptQuery(const dhcp::Pkt4& query, std::string* scope = nullptr);
  /// leases4_committed: true when the reply must be parked (see LeaseUpdater).
  bool leasesCommitted(const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& leases,
                       const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& deleted,
                       ParkingLot& lot, const void* key);

  // --- control commands (any thread but the HA thread) ---------------------------------------
  /// ha-heartbeat arguments: {"date-time", "scopes", "state", "unsent-update-count"}.
  cc::Value heartbeatArguments() const;
  /// One element of status-get's "high-availability" list.
  cc::Value statusJson() const;
  /// ha-scopes (names already checked against the configuration).
  void setScopes(const std::vector<std::string>& scopes);
  /// ha-continue: false when the state machine was not paused.
  bool resume();
  /// ha-reset: back to waiting (nothing when already waiting); forgets what the partner said.
  void reset();
  /// ha-maintenance-start: tells the partner (ha-maintenance-notify, blocking) and moves to
  /// partner-in-maintenance, or to partner-down when the partner cannot be reached.
  CommandOutcome maintenanceStart();
  /// ha-maintenance-cancel.
  CommandOutcome maintenanceCancel();
  /// ha-maintenance-notify {"cancel": ...} from the partner.
  CommandOutcome maintenanceNotify(bool cancel);
  /// ha-sync-complete-notify from the partner: enables the service it disabled (packet thread).
  CommandOutcome syncCompleteNotify();
  /// ha-sync: blocking synchronisation from `peer` on the calling (packet) thread: pages are
  /// fetched with blocking requests and stored directly. `max_period_s` for dhcp-disable.
  SyncResult syncFrom(const PeerConfig& peer, uint32_t max_period_s);

  // --- components (tests, listener) ---------------------------------------------------------
  http::EventThread& eventThread();
  PeerLink& link();
  /// nullptr when there is no active partner (passive-backup, backup server).
  CommunicationState* partnerState();
  QueryFilter& queryFilter();
  LeaseUpdater& leaseUpdater();
  /// Runs `fn` on the HA thread and waits for it (inline when the thread does not run or when
  /// already on it).
  void runOnHaThread(const std::function<void()>& fn);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::hooks::ha
