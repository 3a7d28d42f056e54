#pragma once

// Private to ha_service*.cc: the state of one HA service. Fields marked "HA thread" are only
// read and written on the HA event thread (or inline before start / after stop); the atomics
// are read from any thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "ha_listener.h"
#include "ha_service.h"

namespace takahe::http {
class Timer;
}

namespace takahe::hooks::ha {

/// Why this server is in the terminated state (what must change for it to leave it).
enum class TerminatedCause { kNone, kClockSkew, kRejectedUpdates, kPartnerTerminated };

struct HaService::Impl {
  Impl(HaConfig cfg, ServiceOptions opts);
  ~Impl();

  HaConfig config;
  ServiceOptions options;
  const PeerConfig& self;
  const PeerConfig* partner;  // the active partner, nullptr in passive-backup / on a backup

  std::unique_ptr<http::EventThread> thread;
  std::unique_ptr<PeerLink> link;
  std::unique_ptr<CommunicationState> comm;
  QueryFilter filter;
  std::unique_ptr<LeaseUpdater> updater;
  std::unique_ptr<LeaseSync> sync;
  std::unique_ptr<http::Timer> heartbeat_timer;
  std::unique_ptr<HaListener> listener;

  std::atomic<HaState> state{HaState::kWaiting};
  std::atomic<bool> paused{false};
  std::atomic<bool> local_enabled{true};  // the server starts serving; waiting disables it
  std::atomic<bool> local_disabled_by_us{false};
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};

  // --- HA thread -------------------------------------------------------------------------
  HaState prev_state = HaState::kWaiting;
  HaState before_maintenance = HaState::kWaiting;  // where maintenance cancel returns
  std::set<HaState> paused_once;                   // states paused in once ("pause": "once")
  bool fresh = false;  // a heartbeat sent after the last transition has been answered
  uint64_t epoch = 0;  // transitions so far: answers to older heartbeats are stale
  bool heartbeat_in_flight = false;
  bool sync_running = false;
  std::string sync_failure;  // last failure logged ("" = none), for once-per-change logging
  bool flushing = false;     // communication-recovery: queued updates being sent
  bool skew_warned = false;
  bool interrupted_logged = false;
  bool no_failover_logged = false;
  // The last heartbeat failed although the partner is up: its TLS handshake or HTTP
  // authentication failed. Beyond Kea: no partner-down then (both would serve its clients).
  bool partner_alive_silent = false;
  std::string partner_alive_cause;
  bool alive_logged = false;
  TerminatedCause terminated_cause = TerminatedCause::kNone;
  std::optional<Clock::time_point> partner_terminated_since;  // waiting with a terminated partner
  bool partner_terminated_gave_up = false;
  bool partner_terminated_logged = false;

  // --- lifecycle (ha_service.cc) ----------------------------------------------------------
  void startOnThread();
  void scheduleHeartbeat(std::chrono::milliseconds delay);
  void sendHeartbeat();
  void heartbeatDone(const PeerAnswer& answer, uint64_t sent_epoch);
  std::chrono::milliseconds heartbeatTimeout() const;
  /// Logs clock skew and interrupted communication once per change.
  void noteCauses(Clock::time_point now);

  // --- transitions (ha_service.cc) ---------------------------------------------------------
  /// Moves to `next` (logged with `why`), applies the state's scopes, local service and lease
  /// update policy, pauses when configured. No-op when already there.
  void transition(HaState next, const std::string& why);
  void applyStateSettings(HaState s);
  void setLocalService(bool enabled, HaState s);
  /// Runs the current state's handler until the state stops changing (bounded).
  void runStateMachine();

  // --- state handlers (ha_state_handlers.cc) ------------------------------------------------
  void handleState();
  void waitingHandler();
  void syncingHandler();
  void readyHandler();
  void normalHandler();
  void communicationRecoveryHandler();
  void partnerDownHandler();
  void partnerInMaintenanceHandler();
  void inMaintenanceHandler();
  void terminatedHandler();
  /// Clock skew or rejected updates that terminate HA; true when it transitioned.
  bool checkTermination();
  /// Kea's rule: communication interrupted and (local service off, or failure detected in
  /// load-balancing / on the standby, or always on a hot-standby primary); never when this
  /// server's auto-failover is false (logged once).
  bool shouldPartnerDown();
  void startSync();
  HaState normalState() const;
  std::string partnerIs() const;  // "partner server2 is load-balancing"
  HaState partnerState() const;
};

/// Whether the local DHCP service is on in state `s` (Kea's table).
bool serviceEnabledIn(HaState s);

}  // namespace takahe::hooks::ha
