#include "ha_service.h"

#include <exception>
#include <future>
#include <utility>

#include "ha_messages.h"
#include "ha_service_impl.h"
#include "takahe/cc/command.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/http/event_thread.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::hooks::ha {

namespace {

unsigned connectionsPerPeer(const HaConfig& config, const ServiceOptions& options) {
  if (options.connections_per_peer) return options.connections_per_peer;
  if (config.http_client_threads) return config.http_client_threads;
  return 4;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

cc::Value stringList(const std::vector<std::string>& items) {
  cc::Value list = cc::Value::makeList();
  for (const auto& s : items) list.push(s);
  return list;
}

const char* policyName(LeaseUpdater::PartnerPolicy p) {
  switch (p) {
    case LeaseUpdater::PartnerPolicy::kSend:
      return "sent before the client is answered";
    case LeaseUpdater::PartnerPolicy::kQueue:
      return "queued until the partner is reachable (communication-recovery)";
    case LeaseUpdater::PartnerPolicy::kCount:
      return "not sent, counted as unsent (the partner resynchronises)";
    case LeaseUpdater::PartnerPolicy::kNone:
      break;
  }
  return "none";
}

}  // namespace

bool serviceEnabledIn(HaState s) {
  switch (s) {
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
    case HaState::kPartnerDown:
    case HaState::kPartnerInMaintenance:
    case HaState::kPassiveBackup:
    case HaState::kCommunicationRecovery:
    case HaState::kTerminated:
      return true;
    default:
      return false;
  }
}

// --- Impl: construction -------------------------------------------------------------------------

HaService::Impl::Impl(HaConfig cfg, ServiceOptions opts)
    : config(std::move(cfg)),
      options(opts),
      self(config.thisServer()),
      partner(config.partner()),
      filter(config) {
  thread = std::make_unique<http::EventThread>("ha");
  link = std::make_unique<PeerLink>(*thread, config, connectionsPerPeer(config, options));
  if (partner) comm = std::make_unique<CommunicationState>(config, *partner);
  updater = std::make_unique<LeaseUpdater>(config, *link, comm.get());
  sync = std::make_unique<LeaseSync>(config, *link);
  heartbeat_timer = std::make_unique<http::Timer>(*thread);
  filter.serveNoScopes();
}

HaService::Impl::~Impl() = default;

// --- Impl: lifecycle ----------------------------------------------------------------------------

void HaService::Impl::startOnThread() {
  TAKAHE_LOG(haLogger(), HA_SERVICE_STARTED, self.name, stateName(state.load()));
  applyStateSettings(HaState::kWaiting);
  if (self.role == PeerRole::kBackup) {
    transition(HaState::kBackup,
               "this server is a backup: it stores the leases it is sent and serves no client");
    return;
  }
  if (config.mode == HaMode::kPassiveBackup) {
    transition(HaState::kPassiveBackup, "passive-backup mode: this primary serves every client");
    return;
  }
  StatePause p = config.pauseFor(HaState::kWaiting);
  if (p != StatePause::kNever) {
    paused_once.insert(HaState::kWaiting);
    paused = true;
    TAKAHE_LOG(haLogger(), HA_STATE_MACHINE_PAUSED, self.name, stateName(HaState::kWaiting));
  }
  scheduleHeartbeat(std::chrono::milliseconds(0));
}

std::chrono::milliseconds HaService::Impl::heartbeatTimeout() const {
  // Long enough for a loaded peer, short enough to notice a silent one well within
  // max-response-delay: the heartbeat delay, between 1 s and 10 s.
  uint32_t ms = config.heartbeat_delay_ms;
  if (ms < 1000) ms = 1000;
  if (ms > 10000) ms = 10000;
  return std::chrono::milliseconds(ms);
}

void HaService::Impl::scheduleHeartbeat(std::chrono::milliseconds delay) {
  if (stopping || !partner) return;
  heartbeat_timer->schedule(delay, [this] { sendHeartbeat(); });
}

void HaService::Impl::sendHeartbeat() {
  if (stopping || !partner || heartbeat_in_flight) return;
  heartbeat_in_flight = true;
  link->send(*partner, "ha-heartbeat", std::nullopt, heartbeatTimeout(),
             [this, sent = epoch](PeerAnswer answer) { heartbeatDone(answer, sent); });
}

void HaService::Impl::heartbeatDone(const PeerAnswer& answer, uint64_t sent_epoch) {
  heartbeat_in_flight = false;
  if (stopping) return;
  auto now = Clock::now();
  link->noteOutcome(*partner, answer);
  bool ok = answer.ok && answer.result == 0 && answer.arguments;
  if (ok) {
    try {
      comm->heartbeatOk(parseHeartbeat(*answer.arguments), now, nowUnixSeconds());
    } catch (const std::exception& e) {
      // A peer that answers with a malformed heartbeat is as good as an unreachable one.
      TAKAHE_LOG(haLogger(), HA_CALLOUT_FAILED, "ha-heartbeat answer of " + partner->name,
                 e.what());
      ok = false;
    }
  }
  if (!ok) comm->heartbeatFailed(now);
  bool alive = !ok && (answer.tls_failed || answer.error.find("HTTP 401") != std::string::npos ||
                       answer.error.find("HTTP 403") != std::string::npos);
  if (alive) {
    partner_alive_silent = true;
    partner_alive_cause = answer.error;
  } else {
    partner_alive_silent = false;
    alive_logged = false;
  }
  // Only an answer to a heartbeat sent after the last transition tells what the partner thinks
  // of the new state (an older one may predate, e.g., its ha-maintenance-notify).
  if (sent_epoch == epoch) fresh = true;
  noteCauses(now);
  runStateMachine();
  scheduleHeartbeat(std::chrono::milliseconds(config.heartbeat_delay_ms));
}

void HaService::Impl::noteCauses(Clock::time_point now) {
  bool interrupted = comm->isCommunicationInterrupted(now);
  if (interrupted && !interrupted_logged) {
    interrupted_logged = true;
    std::string next;
    if (!partner || self.role == PeerRole::kBackup) {
      next = "";
    } else if (partner_alive_silent) {
      next = "the partner is up but refuses this server (TLS or authentication): no takeover";
    } else if (!self.auto_failover) {
      next = "auto-failover is false for this server: it will not take over the partner's clients";
    } else if (config.max_unacked_clients == 0 || !local_enabled ||
               (config.mode == HaMode::kHotStandby && self.role == PeerRole::kPrimary)) {
      next = "this server takes over the partner's clients now (partner-down)";
    } else {
      next = "this server takes over when more than " + std::to_string(config.max_unacked_clients) +
             " clients of the partner retry for longer than max-ack-delay (" +
             std::to_string(config.max_ack_delay_ms) +
             " ms); check the partner and the network between the servers";
    }
    TAKAHE_LOG(haLogger(), HA_COMMUNICATION_INTERRUPTED, partner->name,
               config.max_response_delay_ms, next);
  } else if (!interrupted && interrupted_logged && comm->partnerState() != HaState::kUnavailable) {
    interrupted_logged = false;
    no_failover_logged = false;
    TAKAHE_LOG(haLogger(), HA_COMMUNICATION_RESTORED, partner->name,
               stateName(comm->partnerState()));
  }
  if (comm->partnerState() == HaState::kUnavailable) return;
  bool warn = comm->clockSkewShouldWarn();
  if (warn && !skew_warned) {
    skew_warned = true;
    if (!comm->clockSkewShouldTerminate()) {
      TAKAHE_LOG(haLogger(), HA_CLOCK_SKEW_WARN, partner->name, comm->clockSkewSeconds());
    }
  } else if (!warn && skew_warned) {
    skew_warned = false;
    TAKAHE_LOG(haLogger(), HA_CLOCK_SKEW_FIXED, partner->name, comm->clockSkewSeconds());
  }
}

// --- Impl: transitions
// ----------------------------------------------------------------------------

void HaService::Impl::transition(HaState next, const std::string& why) {
  HaState cur = state.load();
  if (cur == next) return;
  TAKAHE_LOG(haLogger(), HA_STATE_TRANSITION, self.name, stateName(cur), stateName(next), why);
  if (cur == HaState::kSyncing && sync_running) {
    sync_running = false;
    sync->cancel();
  }
  if (next != HaState::kTerminated) terminated_cause = TerminatedCause::kNone;
  if (next != HaState::kWaiting) {
    partner_terminated_since.reset();
    partner_terminated_logged = false;
  }
  flushing = false;
  prev_state = cur;
  state = next;
  fresh = false;
  ++epoch;
  applyStateSettings(next);
  if (next == HaState::kInMaintenance)
    TAKAHE_LOG(haLogger(), HA_MAINTENANCE_SHUTDOWN_SAFE, self.name);
  if (next == HaState::kPartnerInMaintenance && partner) {
    TAKAHE_LOG(haLogger(), HA_MAINTENANCE_STARTED, self.name, partner->name);
  }
  StatePause p = config.pauseFor(next);
  if (p == StatePause::kAlways || (p == StatePause::kOnce && !paused_once.count(next))) {
    paused_once.insert(next);
    paused = true;
    TAKAHE_LOG(haLogger(), HA_STATE_MACHINE_PAUSED, self.name, stateName(next));
  }
  if (next == HaState::kSyncing && !paused) startSync();
}

void HaService::Impl::applyStateSettings(HaState s) {
  switch (s) {
    case HaState::kLoadBalancing:
    case HaState::kHotStandby:
    case HaState::kCommunicationRecovery:
    case HaState::kTerminated:
      filter.serveDefaultScopes();
      break;
    case HaState::kPartnerDown:
    case HaState::kPartnerInMaintenance:
    case HaState::kPassiveBackup:
      filter.serveFailoverScopes();
      break;
    default:
      filter.serveNoScopes();
      break;
  }
  using Policy = LeaseUpdater::PartnerPolicy;
  Policy policy = Policy::kNone;
  if (partner && config.send_lease_updates) {
    switch (s) {
      case HaState::kLoadBalancing:
      case HaState::kHotStandby:
      case HaState::kPartnerInMaintenance:
        policy = Policy::kSend;
        break;
      case HaState::kCommunicationRecovery:
        policy = Policy::kQueue;
        break;
      case HaState::kPartnerDown:
        policy = Policy::kCount;
        break;
      default:
        break;
    }
  }
  if (partner && policy != updater->partnerPolicy()) {
    TAKAHE_LOG(haLogger(), HA_LEASE_UPDATES_POLICY, partner->name, policyName(policy),
               stateName(s));
  }
  updater->setPartnerPolicy(policy);
  // Backups get every lease this server hands out, in every state where it serves, except
  // terminated (no lease updates at all there, as in Kea).
  updater->setSendToBackups(config.send_lease_updates && serviceEnabledIn(s) &&
                            s != HaState::kTerminated);
  setLocalService(serviceEnabledIn(s), s);
}

void HaService::Impl::setLocalService(bool enabled, HaState s) {
  if (local_enabled.exchange(enabled) == enabled) return;
  if (enabled) {
    TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_ENABLE, self.name, stateName(s));
  } else {
    TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_DISABLE, self.name, stateName(s));
  }
  auto* services = dhcpsrv::serverServices4();
  if (!services || !services->post) return;
  local_disabled_by_us = !enabled;
  cc::Value args = cc::Value::makeMap();
  args.set("origin", "ha-local");
  cc::Command cmd{enabled ? "dhcp-enable" : "dhcp-disable", {}, args};
  // The task carries everything it needs: it may run after this service is gone.
  services->post([cmd] {
    auto* now_services = dhcpsrv::serverServices4();
    if (!now_services || !now_services->execute) return;
    try {
      cc::Answer a = cc::parseAnswer(now_services->execute(cmd));
      if (a.result != 0) TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_FAILED, cmd.name, a.text);
    } catch (const std::exception& e) {
      TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_FAILED, cmd.name, e.what());
    }
  });
}

void HaService::Impl::runStateMachine() {
  // A handler acts on what the partner said after the last transition (fresh), so one
  // heartbeat moves the machine at most one step, as Kea's does.
  for (int i = 0; i < 4 && !paused && !stopping; ++i) {
    HaState before = state.load();
    handleState();
    if (state.load() == before) break;
  }
}

// --- HaService ----------------------------------------------------------------------------------

HaService::HaService(HaConfig config, ServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), options)) {}

HaService::~HaService() { stop(); }

void HaService::start(bool dhcp_multi_threading) {
  auto& m = *impl_;
  if (m.running.exchange(true)) return;
  if (m.config.enable_multi_threading && m.config.http_dedicated_listener) {
    if (dhcp_multi_threading) {
      auto listener = std::make_unique<HaListener>(*m.thread, m.config);
      try {
        listener->start();
        m.listener = std::move(listener);
      } catch (const std::exception&) {
        // Logged (HA_LISTENER_FAILED). The configuration is in force already: HA runs on, and
        // a partner that cannot reach this server never sees it ready, so nothing is served twice.
      }
    } else {
      TAKAHE_LOG(haLogger(), HA_LISTENER_NOT_USED, m.self.url);
    }
  }
  m.thread->post([&m] { m.startOnThread(); });
}

void HaService::stop() {
  auto& m = *impl_;
  if (m.stopping.exchange(true)) return;
  if (m.thread) {
    // Timers, a running sync and the peer connections go on the HA thread itself, then it ends.
    runOnHaThread([&m] {
      m.heartbeat_timer->cancel();
      if (m.sync_running) {
        m.sync_running = false;
        m.sync->cancel();
      }
    });
    if (m.listener) m.listener->stop();
    m.link->closeAll();
    m.thread->stop();
  }
  m.running = false;
}

bool HaService::started() const { return impl_->running; }

void HaService::releaseLocalService() {
  auto& m = *impl_;
  if (!m.local_disabled_by_us.exchange(false)) return;
  auto* services = dhcpsrv::serverServices4();
  if (!services || !services->execute) return;
  cc::Value args = cc::Value::makeMap();
  args.set("origin", "ha-local");
  cc::Command cmd{"dhcp-enable", {}, args};
  auto run = [cmd] {
    auto* now_services = dhcpsrv::serverServices4();
    if (!now_services || !now_services->execute) return;
    try {
      now_services->execute(cmd);
    } catch (const std::exception& e) {
      TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_FAILED, "dhcp-enable", e.what());
    }
  };
  // Queued behind any dhcp-disable this service posted earlier, so it is the last word.
  if (services->post) {
    services->post(run);
  } else {
    run();
  }
}

const HaConfig& HaService::config() const { return impl_->config; }
HaState HaService::state() const { return impl_->state.load(); }
bool HaService::paused() const { return impl_->paused.load(); }
bool HaService::localServiceEnabled() const { return impl_->local_enabled.load(); }
uint16_t HaService::listenerPort() const { return impl_->listener ? impl_->listener->port() : 0; }

bool HaService::acceptQuery(const dhcp::Pkt4& query, std::string* scope) {
  auto& m = *impl_;
  std::string s;
  bool in = m.filter.inScope(query, s);
  if (scope) *scope = s;
  if (!in && m.comm) m.comm->analyzeMessage(query, Clock::now());
  return in;
}

bool HaService::leasesCommitted(const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& leases,
                                const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& deleted,
                                ParkingLot& lot, const void* key) {
  return impl_->updater->leasesCommitted(leases, deleted, lot, key);
}

cc::Value HaService::heartbeatArguments() const {
  auto& m = *impl_;
  cc::Value args = cc::Value::makeMap();
  args.set("date-time", httpDate(nowUnixSeconds()));
  args.set("scopes", stringList(m.filter.servedScopes()));
  args.set("state", stateName(m.state.load()));
  args.set("unsent-update-count", m.updater->unsentUpdateCount());
  return args;
}

cc::Value HaService::statusJson() const {
  auto& m = *impl_;
  cc::Value local = cc::Value::makeMap();
  local.set("role", roleName(m.self.role));
  local.set("scopes", stringList(m.filter.servedScopes()));
  local.set("state", stateName(m.state.load()));
  cc::Value servers = cc::Value::makeMap();
  servers.set("local", local);
  if (m.comm) {
    cc::Value remote = m.comm->remoteStatusJson(Clock::now());
    remote.erase("server-name");  // Kea 2.2's shape (kea22-wire.md §4): no server names
    servers.set("remote", remote);
  }
  cc::Value v = cc::Value::makeMap();
  v.set("ha-mode", modeName(m.config.mode));
  v.set("ha-servers", servers);
  return v;
}

void HaService::setScopes(const std::vector<std::string>& scopes) {
  impl_->filter.serveScopes(scopes);
  TAKAHE_LOG(haLogger(), HA_SCOPES_COMMAND, impl_->self.name, joined(impl_->filter.servedScopes()));
}

bool HaService::resume() {
  bool was_paused = false;
  runOnHaThread([&] {
    auto& m = *impl_;
    if (!m.paused) return;
    was_paused = true;
    m.paused = false;
    TAKAHE_LOG(haLogger(), HA_STATE_MACHINE_CONTINUED, m.self.name, stateName(m.state.load()));
    if (m.state == HaState::kSyncing && !m.sync_running) m.startSync();
    m.runStateMachine();
  });
  return was_paused;
}

void HaService::reset() {
  runOnHaThread([&] {
    auto& m = *impl_;
    if (m.state == HaState::kWaiting) return;
    TAKAHE_LOG(haLogger(), HA_RESET, m.self.name, "ha-reset command");
    if (m.comm) m.comm->reset(Clock::now());
    m.updater->clearQueue();
    m.transition(HaState::kWaiting, "ha-reset command: the lease database is resynchronised");
    m.runStateMachine();
  });
}

http::EventThread& HaService::eventThread() { return *impl_->thread; }
PeerLink& HaService::link() { return *impl_->link; }
CommunicationState* HaService::partnerState() { return impl_->comm.get(); }
QueryFilter& HaService::queryFilter() { return impl_->filter; }
LeaseUpdater& HaService::leaseUpdater() { return *impl_->updater; }

void HaService::runOnHaThread(const std::function<void()>& fn) {
  auto& m = *impl_;
  if (!m.running || !m.thread || m.thread->onThread()) {
    fn();
    return;
  }
  std::promise<void> done;
  auto finished = done.get_future();
  m.thread->post([&fn, &done] {
    try {
      fn();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  finished.get();
}

}  // namespace takahe::hooks::ha
