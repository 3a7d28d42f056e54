// The HaService functions behind the maintenance commands, ha-sync-complete-notify and the
// blocking ha-sync. They run on the server's packet thread; exchanges with the partner are
// blocking requests (Kea 2.2 blocks its server for these commands too), state changes run on
// the HA thread (runOnHaThread).

#include <algorithm>
#include <exception>

#include "ha_messages.h"
#include "ha_service_impl.h"
#include "takahe/cc/command.h"
#include "takahe/dhcpsrv/server_services4.h"

namespace takahe::hooks::ha {

namespace {

/// Where maintenance returns to: the state before it, or the normal state when that state was
/// itself a maintenance state.
HaState afterMaintenance(HaState before, HaState normal) {
  if (before == HaState::kPartnerInMaintenance || before == HaState::kInMaintenance) return normal;
  return before;
}

cc::Value cancelArgs(bool cancel) {
  cc::Value args = cc::Value::makeMap();
  args.set("cancel", cancel);
  return args;
}

std::string notTo(HaState from, HaState to) {
  return "Unable to transition the server from the " + std::string(stateName(from)) + " to " +
         std::string(stateName(to)) + " state.";
}

}  // namespace

CommandOutcome HaService::maintenanceStart() {
  auto& m = *impl_;
  HaState s = m.state.load();
  if (!m.partner) {
    return {1, "ha-maintenance-start needs an active partner: this server is " +
                   std::string(stateName(s)) + " in " + std::string(modeName(m.config.mode)) +
                   " mode"};
  }
  switch (s) {
    case HaState::kBackup:
    case HaState::kPassiveBackup:
    case HaState::kTerminated:
    case HaState::kPartnerInMaintenance:
    case HaState::kInMaintenance:
      return {1, notTo(s, HaState::kPartnerInMaintenance)};
    default:
      break;
  }
  PeerAnswer a = m.link->sendSync(*m.partner, "ha-maintenance-notify", cancelArgs(false),
                                  m.heartbeatTimeout());
  m.link->noteOutcome(*m.partner, a);
  CommandOutcome out;
  runOnHaThread([&] {
    HaState now = m.state.load();
    if (!a.ok) {
      // The partner is already gone (e.g. shut down for an upgrade): serve everything now.
      m.before_maintenance = now;
      m.transition(HaState::kPartnerDown, "ha-maintenance-start and partner " + m.partner->name +
                                              " cannot be reached: " + a.error);
      out = {0,
             "Server is now in the partner-down state as its partner appears to be offline for "
             "maintenance."};
      return;
    }
    if (a.result != 0) {
      out = {1, "Unable to start the maintenance: partner " + m.partner->name +
                    " answered ha-maintenance-notify with: " + a.text};
      return;
    }
    if (now == HaState::kPartnerInMaintenance) {
      out = {1, notTo(now, HaState::kPartnerInMaintenance)};
      return;
    }
    m.before_maintenance = now;
    m.transition(HaState::kPartnerInMaintenance,
                 "ha-maintenance-start: partner " + m.partner->name + " is in-maintenance");
    out = {0,
           "Server is now in the partner-in-maintenance state and its partner is in-maintenance "
           "state. "
           "The partner can be now safely shut down."};
  });
  return out;
}

CommandOutcome HaService::maintenanceCancel() {
  auto& m = *impl_;
  if (m.state.load() != HaState::kPartnerInMaintenance || !m.partner) {
    return {1,
            "Unable to cancel maintenance request because the server is not in the "
            "partner-in-maintenance state."};
  }
  PeerAnswer a =
      m.link->sendSync(*m.partner, "ha-maintenance-notify", cancelArgs(true), m.heartbeatTimeout());
  m.link->noteOutcome(*m.partner, a);
  if (!a.ok || a.result != 0) {
    return {1, "Unable to cancel the maintenance: partner " + m.partner->name +
                   " answered ha-maintenance-notify with: " + (a.ok ? a.text : a.error)};
  }
  CommandOutcome out{0, "Server maintenance successfully canceled."};
  runOnHaThread([&] {
    if (m.state.load() != HaState::kPartnerInMaintenance) return;
    HaState back = afterMaintenance(m.before_maintenance, m.normalState());
    TAKAHE_LOG(haLogger(), HA_MAINTENANCE_CANCELED, m.self.name, stateName(back));
    m.transition(back, "ha-maintenance-cancel");
  });
  return out;
}

CommandOutcome HaService::maintenanceNotify(bool cancel) {
  auto& m = *impl_;
  CommandOutcome out;
  runOnHaThread([&] {
    HaState s = m.state.load();
    if (cancel) {
      if (s != HaState::kInMaintenance) {
        out = {1,
               "Unable to cancel the maintenance for the server not in the in-maintenance state."};
        return;
      }
      HaState back = afterMaintenance(m.before_maintenance, m.normalState());
      TAKAHE_LOG(haLogger(), HA_MAINTENANCE_CANCELED, m.self.name, stateName(back));
      m.transition(back, "the partner canceled the maintenance (ha-maintenance-notify)");
      out = {0, "Server maintenance canceled."};
      return;
    }
    switch (s) {
      case HaState::kInMaintenance:
        out = {0, "Server is in-maintenance state."};
        return;
      case HaState::kBackup:
      case HaState::kPassiveBackup:
      case HaState::kTerminated:
      case HaState::kPartnerInMaintenance:
      case HaState::kPartnerDown:
        // partner-down: this server holds leases the partner does not know; it must not hand
        // every client to it.
        out = {1, notTo(s, HaState::kInMaintenance)};
        return;
      default:
        break;
    }
    m.before_maintenance = s;
    m.transition(HaState::kInMaintenance,
                 "the partner takes over every client for a maintenance (ha-maintenance-notify)");
    out = {0, "Server is in-maintenance state."};
  });
  return out;
}

CommandOutcome HaService::syncCompleteNotify() {
  auto& m = *impl_;
  auto* services = dhcpsrv::serverServices4();
  if (services && services->execute) {
    cc::Value args = cc::Value::makeMap();
    args.set("origin", "ha-partner");
    try {
      services->execute(cc::Command{"dhcp-enable", {}, args});
    } catch (const std::exception& e) {
      TAKAHE_LOG(haLogger(), HA_LOCAL_DHCP_FAILED, "dhcp-enable (ha-partner)", e.what());
    }
  }
  TAKAHE_LOG(haLogger(), HA_SYNC_COMPLETE_NOTIFIED, m.self.name);
  return {0, "Server successfully notified about the synchronization completion."};
}

SyncResult HaService::syncFrom(const PeerConfig& peer, uint32_t max_period_s) {
  auto& m = *impl_;
  auto timeout = std::chrono::milliseconds(std::max<uint32_t>(m.config.sync_timeout_ms, 1000));
  SyncResult r;
  bool disabled = false;
  auto enablePeer = [&] {
    cc::Value args = cc::Value::makeMap();
    args.set("origin", "ha-partner");
    m.link->sendSync(peer, "dhcp-enable", args, timeout);
  };
  auto fail = [&](const std::string& why) {
    r.ok = false;
    r.error = why;
    if (disabled) enablePeer();  // do not leave the peer off until max-period
    return r;
  };
  std::string from = "start";
  for (;;) {
    // Sent before every page: keeps the peer disabled however long the sync takes.
    cc::Value dargs = cc::Value::makeMap();
    dargs.set("max-period", static_cast<int64_t>(max_period_s));
    dargs.set("origin", "ha-partner");
    PeerAnswer a = m.link->sendSync(peer, "dhcp-disable", dargs, timeout);
    m.link->noteOutcome(peer, a);
    if (!a.ok) return fail(a.error);
    if (a.result != 0) return fail(peer.name + " refused dhcp-disable: " + a.text);
    disabled = true;
    cc::Value pargs = cc::Value::makeMap();
    pargs.set("from", from);
    pargs.set("limit", static_cast<int64_t>(m.config.sync_page_limit));
    a = m.link->sendSync(peer, "lease4-get-page", pargs, timeout);
    if (!a.ok) return fail(a.error);
    if (a.result == 3) break;  // no more leases
    if (a.result != 0) return fail(peer.name + " answered lease4-get-page with: " + a.text);
    const cc::Value* leases = a.arguments ? a.arguments->find("leases") : nullptr;
    if (!leases || !leases->isList())
      return fail(peer.name + " sent a lease page without a 'leases' list");
    size_t n = leases->asList().size();
    r.fetched += n;
    r.stored += LeaseSync::storePage(*leases);
    if (n < m.config.sync_page_limit || n == 0) break;
    const cc::Value* last = leases->asList().back().find("ip-address");
    if (!last || !last->isString()) return fail(peer.name + " sent a lease without 'ip-address'");
    from = last->asString();
  }
  PeerAnswer done = m.link->sendSync(peer, "ha-sync-complete-notify", std::nullopt, timeout);
  if (!done.ok || done.result != 0) {
    // An older peer without the command (result 2), or a failure: re-enable it directly.
    enablePeer();
  }
  r.ok = true;
  return r;
}

}  // namespace takahe::hooks::ha
