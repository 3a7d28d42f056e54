// What each state does with the partner's last known state (HA thread). Kea 2.2's rules, with
// the exceptions written next to them: a terminated server keeps heartbeating and leaves
// terminated by itself once the cause is gone, and a server in maintenance whose partner dies
// takes over instead of leaving the clients without a server.

#include <algorithm>
#include <cstdlib>

#include "ha_messages.h"
#include "ha_service_impl.h"
#include "takahe/http/event_thread.h"

namespace takahe::hooks::ha {

HaState HaService::Impl::normalState() const {
  return config.mode == HaMode::kHotStandby ? HaState::kHotStandby : HaState::kLoadBalancing;
}

HaState HaService::Impl::partnerState() const {
  return comm ? comm->partnerState() : HaState::kUnavailable;
}

std::string HaService::Impl::partnerIs() const {
  if (!partner) return "no partner";
  HaState p = partnerState();
  if (p == HaState::kUnavailable) return "partner " + partner->name + " is unavailable";
  return "partner " + partner->name + " is " + std::string(stateName(p));
}

void HaService::Impl::handleState() {
  // Roles without a partner: no heartbeats, nothing to wait for.
  if (state == HaState::kWaiting) {
    if (self.role == PeerRole::kBackup) {
      transition(HaState::kBackup, "this server is a backup");
      return;
    }
    if (config.mode == HaMode::kPassiveBackup) {
      transition(HaState::kPassiveBackup, "passive-backup mode: this primary serves every client");
      return;
    }
  }
  if (!comm || !fresh) return;
  switch (state.load()) {
    case HaState::kWaiting:
      return waitingHandler();
    case HaState::kSyncing:
      return syncingHandler();
    case HaState::kReady:
      return readyHandler();
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
      return normalHandler();
    case HaState::kCommunicationRecovery:
      return communicationRecoveryHandler();
    case HaState::kPartnerDown:
      return partnerDownHandler();
    case HaState::kPartnerInMaintenance:
      return partnerInMaintenanceHandler();
    case HaState::kInMaintenance:
      return inMaintenanceHandler();
    case HaState::kTerminated:
      return terminatedHandler();
    default:
      return;
  }
}

bool HaService::Impl::checkTermination() {
  if (partnerState() != HaState::kUnavailable && comm->clockSkewShouldTerminate()) {
    TAKAHE_LOG(haLogger(), HA_CLOCK_SKEW_TERMINATE, partner->name, comm->clockSkewSeconds());
    transition(HaState::kTerminated, "clock skew with partner " + partner->name + " is " +
                                         std::to_string(comm->clockSkewSeconds()) +
                                         " s (more than 60 s)");
    terminated_cause = TerminatedCause::kClockSkew;
    return true;
  }
  if (comm->rejectedLeaseUpdatesShouldTerminate()) {
    TAKAHE_LOG(haLogger(), HA_LEASE_UPDATES_REJECTED_TERMINATE, partner->name,
               comm->rejectedLeaseUpdates(), config.max_rejected_lease_updates);
    transition(HaState::kTerminated, "partner " + partner->name + " rejected " +
                                         std::to_string(comm->rejectedLeaseUpdates()) +
                                         " lease updates");
    terminated_cause = TerminatedCause::kRejectedUpdates;
    return true;
  }
  return false;
}

bool HaService::Impl::shouldPartnerDown() {
  auto now = Clock::now();
  if (!comm->isCommunicationInterrupted(now)) return false;
  bool down = false;
  if (!local_enabled) {
    // Not serving, so no client traffic to judge by: the silence is enough.
    down = true;
  } else if (config.mode == HaMode::kLoadBalancing || self.role == PeerRole::kStandby) {
    down = comm->failureDetected(now);
  } else {
    down = true;  // hot-standby primary: the standby serves nobody, nothing to wait for
  }
  if (down && partner_alive_silent) {
    // A TLS or authentication failure proves the partner runs: taking over its clients would
    // have both servers serve them (Kea 2.2 does, from waiting). Stay, and say why once.
    if (!alive_logged) {
      alive_logged = true;
      TAKAHE_LOG(haLogger(), HA_PARTNER_ALIVE_NO_FAILOVER, partner->name, partner_alive_cause,
                 stateName(state.load()));
    }
    return false;
  }
  if (down && !self.auto_failover) {
    if (!no_failover_logged) {
      no_failover_logged = true;
      TAKAHE_LOG(haLogger(), HA_NO_AUTO_FAILOVER, partner->name, self.name,
                 stateName(state.load()));
    }
    return false;
  }
  return down;
}

void HaService::Impl::startSync() {
  if (sync_running || !partner) return;
  sync_running = true;
  uint32_t max_period = std::max<uint32_t>(1, config.sync_timeout_ms / 1000);
  sync->start(*partner, max_period, true, [this](SyncResult r) {
    if (stopping || !sync_running) return;
    sync_running = false;
    if (state != HaState::kSyncing) return;
    if (r.ok) {
      sync_failure.clear();
      transition(HaState::kReady, "lease database synchronised from " + partner->name + " (" +
                                      std::to_string(r.fetched) + " lease(s))");
      return;
    }
    // LeaseSync logs each failure; retried at the next heartbeat.
    sync_failure = r.error;
  });
}

void HaService::Impl::waitingHandler() {
  if (checkTermination()) return;
  HaState p = partnerState();
  if (p != HaState::kTerminated) {
    partner_terminated_since.reset();
    partner_terminated_gave_up = false;
    partner_terminated_logged = false;
  }
  HaState next = config.sync_leases ? HaState::kSyncing : HaState::kReady;
  switch (p) {
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
    case HaState::kPartnerDown:
    case HaState::kPartnerInMaintenance:
    case HaState::kInMaintenance:
    case HaState::kReady:
    case HaState::kCommunicationRecovery:
      return transition(next, partnerIs());
    case HaState::kWaiting:
      // Both starting: the primary synchronises first, the other waits for it to be ready.
      if (self.role == PeerRole::kPrimary)
        transition(next, partnerIs() + " too; the primary goes first");
      return;
    case HaState::kTerminated: {
      auto now = Clock::now();
      if (!partner_terminated_since) partner_terminated_since = now;
      if (!partner_terminated_logged) {
        partner_terminated_logged = true;
        TAKAHE_LOG(haLogger(), HA_PARTNER_TERMINATED_WAIT, partner->name, self.name,
                   options.terminated_partner_wait.count() / 1000);
      }
      if (now - *partner_terminated_since >= options.terminated_partner_wait) {
        partner_terminated_gave_up = true;
        transition(HaState::kTerminated,
                   partnerIs() + " and did not restart: serving this server's clients");
        terminated_cause = TerminatedCause::kPartnerTerminated;
      }
      return;
    }
    case HaState::kUnavailable:
      if (shouldPartnerDown())
        transition(HaState::kPartnerDown, partnerIs() + " and communication is interrupted");
      return;
    default:  // syncing: it is synchronising (from us, perhaps); wait
      return;
  }
}

void HaService::Impl::syncingHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    case HaState::kUnavailable:
      if (shouldPartnerDown())
        transition(HaState::kPartnerDown, partnerIs() + " and communication is interrupted");
      return;
    default:
      if (!sync_running) startSync();  // first attempt, or a retry after a failure
      return;
  }
}

void HaService::Impl::readyHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
    case HaState::kCommunicationRecovery:
      return transition(normalState(), partnerIs());
    case HaState::kInMaintenance:
      return transition(HaState::kPartnerInMaintenance, partnerIs());
    case HaState::kReady:
      // Both ready: the primary goes first; the other follows when it sees it in normal state.
      if (self.role == PeerRole::kPrimary)
        transition(normalState(), partnerIs() + " too; the primary goes first");
      return;
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    case HaState::kUnavailable:
      if (shouldPartnerDown())
        transition(HaState::kPartnerDown, partnerIs() + " and communication is interrupted");
      return;
    default:
      // partner-down: it serves everything and returns to normal when it sees us ready (then
      // we follow); waiting/syncing/partner-in-maintenance: wait.
      return;
  }
}

void HaService::Impl::normalHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kPartnerDown:
      return transition(HaState::kWaiting,
                        partnerIs() + ": it served our clients, resynchronising");
    case HaState::kPartnerInMaintenance:
      return transition(HaState::kWaiting,
                        partnerIs() + " and serves every client: resynchronising");
    case HaState::kInMaintenance:
      return transition(HaState::kPartnerInMaintenance, partnerIs());
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    case HaState::kUnavailable:
      if (config.mode == HaMode::kLoadBalancing && config.delayed_updates_limit > 0) {
        return transition(HaState::kCommunicationRecovery,
                          partnerIs() + ": lease updates are queued (up to delayed-updates-limit " +
                              std::to_string(config.delayed_updates_limit) + ")");
      }
      if (shouldPartnerDown())
        transition(HaState::kPartnerDown, partnerIs() + " and communication is interrupted");
      return;
    default:
      return;
  }
}

void HaService::Impl::communicationRecoveryHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kLoadBalancing:
    case HaState::kCommunicationRecovery:
    case HaState::kReady: {
      if (flushing) return;
      if (updater->queueOverflowed()) {
        // Too much was missed for queued updates: the partner must resynchronise from us.
        TAKAHE_LOG(haLogger(), HA_COMMUNICATION_RECOVERY_RESET, partner->name,
                   config.delayed_updates_limit);
        flushing = true;
        link->send(*partner, "ha-reset", std::nullopt, heartbeatTimeout(), [this](PeerAnswer a) {
          if (stopping || !flushing || state != HaState::kCommunicationRecovery) return;
          flushing = false;
          link->noteOutcome(*partner, a);
          if (a.ok && a.result == 0) {
            updater->clearQueue();
            transition(HaState::kLoadBalancing,
                       "partner " + partner->name + " resynchronises its lease database");
          }
        });
        return;
      }
      if (updater->queuedUpdates() == 0) {
        return transition(HaState::kLoadBalancing, partnerIs() + ", no lease update was queued");
      }
      TAKAHE_LOG(haLogger(), HA_COMMUNICATION_RECOVERY_FLUSH, partner->name,
                 updater->queuedUpdates());
      flushing = true;
      updater->sendQueued([this](bool ok) {
        if (stopping || !flushing || state != HaState::kCommunicationRecovery) return;
        flushing = false;
        if (ok)
          transition(HaState::kLoadBalancing, "queued lease updates delivered to " + partner->name);
      });
      return;
    }
    case HaState::kPartnerDown:
    case HaState::kPartnerInMaintenance:
      return transition(HaState::kWaiting,
                        partnerIs() + ": it served our clients, resynchronising");
    case HaState::kInMaintenance:
      return transition(HaState::kPartnerInMaintenance, partnerIs());
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    case HaState::kUnavailable:
      if (shouldPartnerDown())
        transition(HaState::kPartnerDown, partnerIs() + " and communication is interrupted");
      return;
    default:
      return;  // waiting / syncing: it restarted and synchronises from us; updates wait for ready
  }
}

void HaService::Impl::partnerDownHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
    case HaState::kPartnerDown:
    case HaState::kCommunicationRecovery:
    case HaState::kPartnerInMaintenance:
      // Both served clients meanwhile: this server takes the partner's leases.
      return transition(HaState::kWaiting, partnerIs() + ": both served clients, resynchronising");
    case HaState::kReady:
      if (comm->hasPartnerNewUnsentUpdates()) {
        return transition(
            HaState::kWaiting,
            partnerIs() + " but has lease updates this server never got: resynchronising");
      }
      return transition(normalState(), partnerIs());
    case HaState::kInMaintenance:
      return transition(HaState::kPartnerInMaintenance, partnerIs());
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    default:
      return;  // unavailable, waiting, syncing: keep serving everything
  }
}

void HaService::Impl::partnerInMaintenanceHandler() {
  if (checkTermination()) return;
  switch (partnerState()) {
    case HaState::kInMaintenance:
      return;
    case HaState::kUnavailable:
      // The partner was told to expect a shutdown: no failure detection needed.
      return transition(HaState::kPartnerDown, partnerIs() + ": it was shut down for maintenance");
    case HaState::kTerminated:
      return transition(HaState::kTerminated, partnerIs());
    default:
      // It restarted after its maintenance: carry on as in partner-down (it resynchronises).
      return transition(HaState::kPartnerDown, partnerIs() + " after its maintenance");
  }
}

void HaService::Impl::inMaintenanceHandler() {
  // Stays until the partner cancels (ha-maintenance-notify). Beyond Kea: if the partner that
  // took over dies, nobody would serve; take over rather than leave clients unanswered.
  if (partnerState() == HaState::kUnavailable && shouldPartnerDown()) {
    transition(HaState::kPartnerDown, partnerIs() + " while this server was in maintenance");
  }
}

void HaService::Impl::terminatedHandler() {
  // Beyond Kea: heartbeats go on, and the server resynchronises by itself when the cause is
  // gone instead of waiting for both servers to be restarted.
  HaState p = partnerState();
  if (p == HaState::kUnavailable) return;
  if (p != HaState::kTerminated) partner_terminated_gave_up = false;
  if (comm->clockSkewShouldWarn()) return;  // the clocks still differ by more than 30 s
  bool partner_restarted = p == HaState::kWaiting || p == HaState::kSyncing || p == HaState::kReady;
  if (partner_restarted) {
    TAKAHE_LOG(haLogger(), HA_TERMINATED_RECOVER, self.name, partnerIs());
    comm->reset(Clock::now());
    return transition(HaState::kWaiting, partnerIs() + ": leaving terminated to resynchronise");
  }
  // Rejected lease updates need the partner to restart (or ha-reset): same configurations
  // would be rejected again.
  if (terminated_cause == TerminatedCause::kRejectedUpdates) return;
  if (p == HaState::kTerminated) {
    // Both terminated by the clock skew, now fixed: the primary goes first, the other follows
    // when it sees it waiting. A partner that never follows (Kea) sends us back here after
    // terminated_partner_wait. For any other cause the partner must leave terminated first.
    if (terminated_cause != TerminatedCause::kClockSkew || self.role != PeerRole::kPrimary ||
        partner_terminated_gave_up) {
      return;
    }
  }
  std::string why = terminated_cause == TerminatedCause::kClockSkew
                        ? "clock skew with partner " + partner->name + " is back to " +
                              std::to_string(std::llabs(comm->clockSkewSeconds())) + " s"
                        : partnerIs() + " and the clocks agree";
  TAKAHE_LOG(haLogger(), HA_TERMINATED_RECOVER, self.name, why);
  transition(HaState::kWaiting, why);
}

}  // namespace takahe::hooks::ha
