#include "processor6.h"

#include <algorithm>
#include <cstdlib>

#include "hwaddr6.h"
#include "path_messages6.h"
#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/dhcpsrv/lease_stats6.h"
#include "takahe/util/time.h"

namespace takahe::dhcp6 {

using dhcp::MessageType6;
using dhcp::Pkt6;
using dhcp::Status6;
using dhcp::StatusCode6;
using dhcpsrv::Lease6;
using dhcpsrv::Lease6Type;
using dhcpsrv::SrvConfig6;
using dhcpsrv::kInfiniteLifetime;
using dhcpsrv::Subnet6;

namespace {

constexpr int kDbgDetail = 40;

log::MessageId DHCP6_QUERY_DROPPED{"DHCP6_QUERY_DROPPED", log::Severity::kDebug,
                                   "%1: dropped: %2"};
log::MessageId DHCP6_LEASE_ALLOC{"DHCP6_LEASE_ALLOC", log::Severity::kInfo,
                                 "%1: %2 %3 for iaid %4, valid %5 s"};
log::MessageId DHCP6_LEASE_RELEASED{"DHCP6_LEASE_RELEASED", log::Severity::kInfo,
                                    "%1: %2 %3 of iaid %4 released"};
log::MessageId DHCP6_LEASE_DECLINED{"DHCP6_LEASE_DECLINED", log::Severity::kInfo,
                                    "%1: address %2 declined; unavailable for %3 s"};
log::MessageId DHCP6_NO_LEASE{"DHCP6_NO_LEASE", log::Severity::kWarn,
                              "%1: no %2 available for iaid %3 in subnet %4 (%5)"};

/// An IA the server has no binding for (RFC 8415 §18.3.4, §18.3.7, §18.3.8).
void addNoBinding(Pkt6& reply, Lease6Type type, uint32_t iaid) {
  const Status6 status(StatusCode6::kNoBinding, "No binding for this IA");
  if (type == Lease6Type::kPd) {
    dhcp::IaPd out;
    out.iaid = iaid;
    out.status = status;
    reply.addIaPd(out);
  } else {
    dhcp::IaNa out;
    out.iaid = iaid;
    out.status = status;
    reply.addIaNa(out);
  }
}

std::string what(Lease6Type t) { return t == Lease6Type::kPd ? "prefix" : "address"; }

std::string leaseText(const Lease6& l) {
  return l.type == Lease6Type::kPd ? Prefix6{l.address, l.prefix_len}.toString() : l.address.toString();
}

const char* failureText(dhcpsrv::AllocFailure6 f) {
  switch (f) {
    case dhcpsrv::AllocFailure6::kNoPools: return "no pool";
    case dhcpsrv::AllocFailure6::kSubnetExhausted: return "subnet exhausted";
    case dhcpsrv::AllocFailure6::kSharedNetworkExhausted: return "shared network exhausted";
    case dhcpsrv::AllocFailure6::kStoreError: return "lease store error";
    case dhcpsrv::AllocFailure6::kHookSkip: return "skipped by a hook";
    case dhcpsrv::AllocFailure6::kNone: break;
  }
  return "none";
}

}  // namespace

struct Processor6::Query {
  const Pkt6& pkt;
  const SrvConfig6& cfg;
  const Arrival6& arrival;
  int64_t now;
  Duid duid;
  const Subnet6* subnet = nullptr;
  const dhcpsrv::Host6* host = nullptr;
  HwAddr hwaddr;
  uint32_t hwaddr_source = 0;
  const dhcpsrv::Pool6* pool = nullptr;  // pool of the first address given (its option-data)
  const dhcpsrv::PdPool6* pd_pool = nullptr;
  PacketHooks6* ph = nullptr;  // set only when a hook library is loaded
};

Processor6::Processor6(dhcpsrv::LeaseStore6& store, stats::StatsStore& stats)
    : store_(store),
      stats_(stats),
      engine_(store),
      received_(stats.counter("pkt6-received")),
      solicit_(stats.counter("pkt6-solicit-received")),
      request_(stats.counter("pkt6-request-received")),
      renew_(stats.counter("pkt6-renew-received")),
      rebind_(stats.counter("pkt6-rebind-received")),
      release_(stats.counter("pkt6-release-received")),
      decline_(stats.counter("pkt6-decline-received")),
      confirm_(stats.counter("pkt6-confirm-received")),
      inforequest_(stats.counter("pkt6-infrequest-received")),
      unknown_(stats.counter("pkt6-unknown-received")),
      sent_(stats.counter("pkt6-sent")),
      advertise_sent_(stats.counter("pkt6-advertise-sent")),
      reply_sent_(stats.counter("pkt6-reply-sent")),
      parse_failed_(stats.counter("pkt6-parse-failed")),
      receive_drop_(stats.counter("pkt6-receive-drop")),
      g_declined_(stats.counter("declined-addresses")),
      g_cumulative_nas_(stats.counter("cumulative-assigned-nas")),
      g_cumulative_pds_(stats.counter("cumulative-assigned-pds")),
      g_alloc_fail_(stats.counter("v6-allocation-fail")),
      g_reclaimed_(stats.counter("reclaimed-leases")),
      g_reclaimed_declined_(stats.counter("reclaimed-declined-addresses")) {
  // Kea declares these at start-up, so they show in statistic-get-all from the first moment.
  for (const stats::Counter* c : {&received_, &solicit_, &request_, &renew_, &rebind_, &release_,
                                  &decline_, &confirm_, &inforequest_, &unknown_, &sent_,
                                  &advertise_sent_, &reply_sent_, &parse_failed_, &receive_drop_}) {
    c->add(0);
  }
}

void Processor6::configure(const SrvConfig6& cfg) {
  std::lock_guard lock(counters_mutex_);
  dhcpsrv::removeUnconfiguredSubnetStats(stats_, [&](SubnetId id) { return cfg.subnetById(id) != nullptr; });
  for (auto it = subnet_counters_.begin(); it != subnet_counters_.end();) {
    it = cfg.subnetById(SubnetId(it->first)) ? std::next(it) : subnet_counters_.erase(it);
  }
  std::map<SubnetId, dhcpsrv::SubnetLeaseCounts6> counts;
  try {
    counts = store_.countBySubnet();
  } catch (const std::exception&) {
    // A lease database not reachable (yet): counted again once it is back.
  }
  int64_t declined = 0;
  for (const auto& s : cfg.subnets) {
    auto& c = subnet_counters_[s.id.value];
    if (!c) c = std::make_unique<SubnetCounters>();
    const std::string p = "subnet[" + std::to_string(s.id.value) + "].";
    c->total_nas = stats_.counter(p + "total-nas");
    c->assigned_nas = stats_.counter(p + "assigned-nas");
    c->cumulative_nas = stats_.counter(p + "cumulative-assigned-nas");
    c->total_pds = stats_.counter(p + "total-pds");
    c->assigned_pds = stats_.counter(p + "assigned-pds");
    c->cumulative_pds = stats_.counter(p + "cumulative-assigned-pds");
    c->declined = stats_.counter(p + "declined-addresses");
    c->alloc_fail = stats_.counter(p + "v6-allocation-fail");
    c->reclaimed = stats_.counter(p + "reclaimed-leases");
    c->reclaimed_declined = stats_.counter(p + "reclaimed-declined-addresses");
    c->total_nas.set(static_cast<int64_t>(std::min<uint64_t>(s.totalAddresses(), INT64_MAX)));
    c->total_pds.set(static_cast<int64_t>(std::min<uint64_t>(s.totalPrefixes(), INT64_MAX)));
    auto it = counts.find(s.id);
    const dhcpsrv::SubnetLeaseCounts6 n = it == counts.end() ? dhcpsrv::SubnetLeaseCounts6{} : it->second;
    // As in Kea, declined addresses count as assigned until they are reclaimed.
    c->assigned_nas.set(static_cast<int64_t>(n.assigned_nas + n.declined_nas));
    c->assigned_pds.set(static_cast<int64_t>(n.assigned_pds));
    c->declined.set(static_cast<int64_t>(n.declined_nas));
    c->cumulative_nas.add(0);
    c->cumulative_pds.add(0);
    declined += static_cast<int64_t>(n.declined_nas);
  }
  g_declined_.set(declined);
  engine_.resetCursors();
}

Processor6::SubnetCounters* Processor6::counters(SubnetId id) {
  std::lock_guard lock(counters_mutex_);
  auto it = subnet_counters_.find(id.value);
  return it == subnet_counters_.end() ? nullptr : it->second.get();
}

void Processor6::countParseFailure() {
  received_.inc();
  parse_failed_.inc();
}

void Processor6::countReceiveDrop() { receive_drop_.inc(); }

void Processor6::countSent(const Pkt6& reply) {
  sent_.inc();
  if (reply.msg_type == MessageType6::kAdvertise) {
    advertise_sent_.inc();
  } else if (reply.msg_type == MessageType6::kReply) {
    reply_sent_.inc();
  }
}

std::pair<uint32_t, uint32_t> Processor6::teeTimes(const Subnet6& subnet, uint32_t preferred) {
  const dhcpsrv::Lifetimes6& l = subnet.lifetimes;
  uint32_t t1 = 0;
  uint32_t t2 = 0;
  if (l.renew || l.rebind) {
    t1 = l.renew.value_or(0);
    t2 = l.rebind.value_or(0);
  } else if (l.calculate_tee_times && preferred != kInfiniteLifetime) {
    t1 = static_cast<uint32_t>(preferred * l.t1_percent);
    t2 = static_cast<uint32_t>(preferred * l.t2_percent);
  } else if (preferred == kInfiniteLifetime) {
    return {kInfiniteLifetime, kInfiniteLifetime};
  }
  if (t2 != 0 && t1 > t2) t1 = 0;  // RFC 8415 §21.4: the client would ignore the IA otherwise
  return {t1, t2};
}

// ---------------------------------------------------------------------------------------------

template <class F>
hooks::NextStep Processor6::callHook(const Query& q, int index, F&& set_arguments) {
  if (!q.ph || !hooks_->present(index)) return hooks::NextStep::kContinue;
  hooks::CalloutHandle& h = q.ph->begin();
  set_arguments(h);
  return hooks_->call(index, h);
}

bool Processor6::selectSubnetHook(Query& q) {
  if (!hooks_->present(hooks_->subnet6_select)) return true;
  auto step = callHook(q, hooks_->subnet6_select, [&](hooks::CalloutHandle& h) {
    h.setArgument("subnet6", q.subnet);
    h.setArgument("subnet6collection", &q.cfg.subnets);
  });
  if (step == hooks::NextStep::kDrop) {
    TAKAHE_LOG_DEBUG(pkt_log_, kDbgDetail, DHCP6_HOOK_DROP, q.pkt.label(), "subnet6_select",
                     "drop");
    receive_drop_.inc();
    return false;
  }
  // SKIP: the server selects no subnet (the client gets no lease); otherwise the callout's
  // choice, when it is one of this configuration's subnets.
  const Subnet6* chosen = nullptr;
  if (step != hooks::NextStep::kSkip) {
    if (auto* v = q.ph->handle->argument<const Subnet6*>("subnet6")) chosen = *v;
  }
  const auto& all = q.cfg.subnets;
  const bool known = !chosen || (!all.empty() && chosen >= &all.front() && chosen <= &all.back());
  if (known) {
    q.subnet = chosen;
  } else {
    TAKAHE_LOG(pkt_log_, DHCP6_HOOK_SUBNET_IGNORED, q.pkt.label());
  }
  return true;
}

void Processor6::installLeaseHooks(Query& q, dhcpsrv::ClientContext6& ctx) {
  if (!q.ph) return;
  const int renew_point =
      q.pkt.msg_type == MessageType6::kRebind ? hooks_->lease6_rebind : hooks_->lease6_renew;
  if (!hooks_->present(hooks_->lease6_select) && !hooks_->present(renew_point)) return;
  const bool fake = ctx.fake;
  ctx.before_commit = [this, &q, fake, renew_point](Lease6& lease, bool renew) {
    const int point = renew && !fake ? renew_point : hooks_->lease6_select;
    if (!hooks_->present(point)) return true;
    auto lp = std::make_shared<Lease6>(lease);
    auto step = callHook(q, point, [&](hooks::CalloutHandle& h) {
      h.setArgument("subnet6", q.cfg.subnetById(lease.subnet_id));
      h.setArgument("lease6", lp);
      if (point == hooks_->lease6_select) h.setArgument("fake_allocation", fake);
    });
    if (step != hooks::NextStep::kContinue) {
      TAKAHE_LOG_DEBUG(lease_log_, kDbgDetail, DHCP6_HOOK_LEASE_KEPT, q.pkt.label(),
                       leaseText(lease), hooks_->manager().hookPoints()[point],
                       hooks::nextStepName(step));
      return false;
    }
    lease = *lp;
    return true;
  };
}

const dhcpsrv::Host6* Processor6::findHost(const dhcpsrv::HostIndex6& hosts, const Query& q) {
  for (dhcpsrv::HostIdType type : q.cfg.host_identifiers) {
    const dhcpsrv::Host6* h = nullptr;
    if (type == dhcpsrv::HostIdType::kDuid && !q.duid.empty()) {
      h = hosts.findByDuid(q.duid);
    } else if (type == dhcpsrv::HostIdType::kHwAddress && !q.hwaddr.empty()) {
      h = hosts.findByHwAddr(q.hwaddr);
    }
    if (h) return h;
  }
  return nullptr;
}

void Processor6::findReservation(Query& q) {
  const Subnet6& selected = *q.subnet;
  if (selected.reservations_in_subnet) q.host = findHost(selected.hosts, q);
  // In a shared network a reservation in another of its subnets wins, and that subnet is used
  // (as Kea does): the subnets are tried in the network's order.
  if (!q.host && !selected.shared_network.empty()) {
    if (const auto* net = q.cfg.sharedNetwork(selected.shared_network)) {
      for (SubnetId id : net->subnets) {
        const Subnet6* s = q.cfg.subnetById(id);
        if (!s || s == &selected || !s->reservations_in_subnet || !s->allows(&q.pkt.meta.classes)) continue;
        if (const dhcpsrv::Host6* h = findHost(s->hosts, q)) {
          q.host = h;
          q.subnet = s;
          break;
        }
      }
    }
  }
  if (!q.host && q.subnet->reservations_global) q.host = findHost(q.cfg.global_hosts, q);
}

std::optional<Pkt6> Processor6::process(const Pkt6& query, const SrvConfig6& cfg,
                                        const Arrival6& arrival, int64_t now, PacketHooks6* ph) {
  received_.inc();
  Query q{query, cfg, arrival, now, {}, nullptr, nullptr, {}, 0, nullptr, nullptr};
  q.ph = hooks_ ? ph : nullptr;
  auto drop = [&](const std::string& why) -> std::optional<Pkt6> {
    TAKAHE_LOG_DEBUG(pkt_log_, kDbgDetail, DHCP6_QUERY_DROPPED, q.pkt.label(), why);
    return std::nullopt;
  };
  // A query that breaks RFC 8415's identifier rules, or is meant for another server, is
  // counted in pkt6-receive-drop, as Kea does.
  auto reject = [&](const std::string& why) {
    receive_drop_.inc();
    return drop(why);
  };
  if (q.ph) {
    if (auto step = callHook(q, hooks_->pkt6_receive, [](hooks::CalloutHandle&) {});
        step == hooks::NextStep::kDrop || step == hooks::NextStep::kSkip) {
      TAKAHE_LOG_DEBUG(pkt_log_, kDbgDetail, DHCP6_HOOK_DROP, q.pkt.label(), "pkt6_receive",
                       hooks::nextStepName(step));
      receive_drop_.inc();
      return std::nullopt;
    }
  }
  const MessageType6 type = query.msg_type;
  switch (type) {
    case MessageType6::kSolicit: solicit_.inc(); break;
    case MessageType6::kRequest: request_.inc(); break;
    case MessageType6::kRenew: renew_.inc(); break;
    case MessageType6::kRebind: rebind_.inc(); break;
    case MessageType6::kRelease: release_.inc(); break;
    case MessageType6::kDecline: decline_.inc(); break;
    case MessageType6::kConfirm: confirm_.inc(); break;
    case MessageType6::kInformationRequest: inforequest_.inc(); break;
    default:
      unknown_.inc();
      return drop("not a message a server answers");
  }

  // RFC 8415 §16: which messages carry a client-id and (our) server-id.
  std::optional<Duid> client = query.clientId();
  std::optional<Duid> server = query.serverId();
  const bool needs_server_id = type == MessageType6::kRequest || type == MessageType6::kRenew ||
                               type == MessageType6::kRelease || type == MessageType6::kDecline;
  const bool no_server_id = type == MessageType6::kSolicit || type == MessageType6::kRebind ||
                            type == MessageType6::kConfirm;
  if (type != MessageType6::kInformationRequest && (!client || client->empty())) {
    return reject("no client identifier");
  }
  if (needs_server_id && !server) return reject("no server identifier");
  if (no_server_id && server) return reject("a server identifier where none may be");
  if (server && *server != server_duid_) return reject("for another server (" + server->toString() + ")");
  if (client) q.duid = *client;

  // RFC 8415 §18.4: unicast only where the server allows it.
  if (!query.isRelayed() && !arrival.multicast && !arrival.unicast_allowed && needs_server_id) {
    Pkt6 reply = makeReply(q, MessageType6::kReply);
    reply.setStatus(Status6(StatusCode6::kUseMulticast, "Send this message to the multicast address"));
    return reply;
  }

  // Hardware address, from the sources mac-sources allows.
  if (auto hw = clientHwAddr(query, q.duid, cfg.mac_sources)) {
    q.hwaddr = hw->hw;
    q.hwaddr_source = hw->source;
  }

  dhcpsrv::SubnetSelector6 sel;
  sel.iface = query.meta.iface.empty() ? arrival.iface : query.meta.iface;
  sel.remote_address = query.meta.remote_addr;
  std::vector<IPv6Address> links;
  for (const auto& r : query.relays) links.push_back(r.link_address);
  sel.relay_link_address = dhcpsrv::relayLinkAddress(links);
  if (!query.relays.empty()) sel.interface_id = query.relays.front().interfaceId();
  sel.classes = &query.meta.classes;
  q.subnet = cfg.selectSubnet(sel);
  if (q.ph && !selectSubnetHook(q)) return std::nullopt;
  if (q.subnet) findReservation(q);

  switch (type) {
    case MessageType6::kSolicit: return onSolicit(q);
    case MessageType6::kRequest: return onRequest(q);
    case MessageType6::kRenew:
    case MessageType6::kRebind: return onRenew(q);
    case MessageType6::kRelease: return onRelease(q);
    case MessageType6::kDecline: return onDecline(q);
    case MessageType6::kConfirm: return onConfirm(q);
    case MessageType6::kInformationRequest: return onInformationRequest(q);
    default: return std::nullopt;
  }
}

Pkt6 Processor6::makeReply(const Query& q, MessageType6 type) const {
  Pkt6 reply = Pkt6::makeReply(q.pkt, type);
  if (!q.duid.empty()) reply.setClientId(q.duid);
  reply.setServerId(server_duid_);
  return reply;
}

bool Processor6::assignIas(Query& q, Pkt6& reply, bool fake) {
  bool any = false;
  dhcpsrv::ClientContext6 ctx;
  ctx.cfg = &q.cfg;
  ctx.subnet = q.subnet;
  ctx.duid = q.duid;
  ctx.hwaddr = q.hwaddr;
  ctx.hwaddr_source = q.hwaddr_source;
  ctx.host = q.host;
  ctx.classes = &q.pkt.meta.classes;
  ctx.fake = fake;
  ctx.now = q.now;
  if (q.host) ctx.hostname = q.host->hostname;
  installLeaseHooks(q, ctx);

  for (const dhcp::IaNa& in : q.pkt.iaNas()) {
    dhcpsrv::IaContext6 ia;
    ia.type = Lease6Type::kNa;
    ia.iaid = in.iaid;
    for (const auto& a : in.addresses) {
      ia.hints.push_back(a.address);
      if (a.preferred_lft) ia.preferred_hint = a.preferred_lft;
      if (a.valid_lft) ia.valid_hint = a.valid_lft;
    }
    dhcp::IaNa out;
    out.iaid = in.iaid;
    dhcpsrv::IaResult6 r;
    if (const Subnet6* s = grant(q, ctx, ia, fake, r)) {
      any = true;
      const Lease6& l = *r.lease;
      std::tie(out.t1, out.t2) = teeTimes(*s, l.preferred_lifetime);
      out.addresses.push_back({l.address, l.preferred_lifetime, l.valid_lifetime, std::nullopt, {}});
      if (!q.pool) q.pool = s->poolFor(l.address);
    } else {
      out.status = Status6(StatusCode6::kNoAddrsAvail, "No addresses available");
    }
    // Addresses the client listed that it does not keep: lifetimes 0 (RFC 8415 §18.3.4).
    for (const auto& d : r.dropped) out.addresses.push_back({d.address, 0, 0, std::nullopt, {}});
    for (const auto& a : in.addresses) {
      bool listed = std::any_of(out.addresses.begin(), out.addresses.end(),
                                [&](const dhcp::IaAddress& x) { return x.address == a.address; });
      if (!listed && !fake && r.lease) out.addresses.push_back({a.address, 0, 0, std::nullopt, {}});
    }
    reply.addIaNa(out);
  }

  for (const dhcp::IaPd& in : q.pkt.iaPds()) {
    dhcpsrv::IaContext6 ia;
    ia.type = Lease6Type::kPd;
    ia.iaid = in.iaid;
    for (const auto& p : in.prefixes) {
      ia.prefix_hints.push_back(p.prefix);
      if (p.preferred_lft) ia.preferred_hint = p.preferred_lft;
      if (p.valid_lft) ia.valid_hint = p.valid_lft;
    }
    dhcp::IaPd out;
    out.iaid = in.iaid;
    dhcpsrv::IaResult6 r;
    if (const Subnet6* s = grant(q, ctx, ia, fake, r)) {
      any = true;
      const Lease6& l = *r.lease;
      std::tie(out.t1, out.t2) = teeTimes(*s, l.preferred_lifetime);
      dhcp::IaPrefix p;
      p.preferred_lft = l.preferred_lifetime;
      p.valid_lft = l.valid_lifetime;
      p.prefix = Prefix6{l.address, l.prefix_len};
      if (const dhcpsrv::PdPool6* pool = s->pdPoolFor(p.prefix)) {
        p.excluded = pool->excludedFor(p.prefix);
        if (!q.pd_pool) q.pd_pool = pool;
      }
      out.prefixes.push_back(p);
    } else {
      out.status = Status6(StatusCode6::kNoPrefixAvail, "No prefixes available");
    }
    for (const auto& d : r.dropped) {
      dhcp::IaPrefix gone;
      gone.prefix = Prefix6{d.address, d.prefix_len};
      out.prefixes.push_back(gone);
    }
    if (!reply.addIaPd(out)) {
      // A PD_EXCLUDE that does not fit: send the prefix without it rather than nothing.
      for (auto& p : out.prefixes) p.excluded.reset();
      reply.addIaPd(out);
    }
  }
  return any;
}

const Subnet6* Processor6::grant(Query& q, dhcpsrv::ClientContext6& ctx,
                                 const dhcpsrv::IaContext6& ia, bool fake, dhcpsrv::IaResult6& r) {
  const std::string kind = what(ia.type);
  if (q.subnet) r = engine_.allocate(ctx, ia);
  if (!r.lease) {
    // A hook library's refusal is its decision, not an allocation failure.
    if (q.subnet && r.failure != dhcpsrv::AllocFailure6::kHookSkip) {
      g_alloc_fail_.inc();
      if (auto* c = counters(q.subnet->id)) c->alloc_fail.inc();
      TAKAHE_LOG(lease_log_, DHCP6_NO_LEASE, q.pkt.label(), kind, ia.iaid, q.subnet->id.value, failureText(r.failure));
    }
    return nullptr;
  }
  // Within a shared network the lease may come from a sibling subnet: later IAs and the
  // options follow it.
  const Subnet6* s = q.cfg.subnetById(r.lease->subnet_id);
  q.subnet = s;
  ctx.subnet = s;
  if (!fake) {
    if (q.ph) {
      q.ph->committed.push_back(std::make_shared<Lease6>(*r.lease));
      for (const auto& d : r.dropped) q.ph->deleted.push_back(std::make_shared<Lease6>(d));
    }
    countAllocation(r, *s);
    if (!r.renewed) {
      TAKAHE_LOG(lease_log_, DHCP6_LEASE_ALLOC, q.pkt.label(), kind, leaseText(*r.lease), r.lease->iaid,
                 r.lease->valid_lifetime);
    }
  }
  return s;
}

void Processor6::countAllocation(const dhcpsrv::IaResult6& r, const Subnet6& subnet) {
  for (const auto& d : r.dropped) dhcpsrv::updateLeaseStats6(stats_, &d, nullptr);
  if (!r.lease || r.renewed) return;
  dhcpsrv::updateLeaseStats6(stats_, r.replaced ? &*r.replaced : nullptr, &*r.lease);
  const bool pd = r.lease->type == Lease6Type::kPd;
  (pd ? g_cumulative_pds_ : g_cumulative_nas_).inc();
  if (auto* c = counters(subnet.id)) (pd ? c->cumulative_pds : c->cumulative_nas).inc();
}

void Processor6::addConfiguredOptions(Pkt6& reply, const Query& q) const {
  std::vector<const dhcpsrv::CfgOptions6*> levels;
  if (q.host) levels.push_back(&q.host->options);
  if (q.pool) levels.push_back(&q.pool->options);
  if (q.pd_pool) levels.push_back(&q.pd_pool->options);
  if (q.subnet) {
    levels.push_back(&q.subnet->options);
    levels.push_back(&q.subnet->network_options);
  }
  levels.push_back(&q.cfg.options);
  std::vector<uint16_t> wanted = q.pkt.requestedOptions();
  for (const auto* level : levels) {
    for (const auto& o : level->options) {
      if (o.always_send && std::find(wanted.begin(), wanted.end(), o.code) == wanted.end()) {
        wanted.push_back(o.code);
      }
    }
  }
  for (uint16_t code : wanted) {
    if (reply.has(code) || code == dhcp::opt6::kVendorOpts) continue;
    for (const auto* level : levels) {
      const dhcpsrv::ConfiguredOption6* o = level->find(code);
      if (!o) continue;
      if (!o->never_send) reply.addOption(code, o->data);
      break;
    }
  }
  // Relay-supplied options (RFC 6422): what a relay offers in its RSOO option, for the codes
  // relay-supplied-options allows, unless the server already answers with that option.
  const auto& allowed = q.cfg.relay_supplied_options;
  for (const auto& relay : q.pkt.relays) {
    const Bytes* rsoo = relay.option(dhcp::opt6::kRsoo);
    if (!rsoo) continue;
    auto offered = dhcp::parseOptions6(*rsoo);
    if (!offered) continue;  // a malformed RSOO is ignored, the reply still goes out
    for (const auto& o : *offered) {
      if (std::find(allowed.begin(), allowed.end(), o.code) == allowed.end() || reply.has(o.code)) continue;
      reply.addOption(o.code, o.data);
    }
  }
  // vendor-opts (17): the enterprises the client names in its own vendor-opts or vendor-class.
  std::vector<uint32_t> enterprises;
  for (const auto& v : q.pkt.vendorOpts()) enterprises.push_back(v.enterprise);
  for (const auto& v : q.pkt.vendorClasses()) enterprises.push_back(v.enterprise);
  for (uint32_t e : enterprises) {
    for (const auto* level : levels) {
      if (const dhcpsrv::ConfiguredOption6* o = level->findVendorOpts(e)) {
        if (!o->never_send) reply.addOption(dhcp::opt6::kVendorOpts, o->data);
        break;
      }
    }
  }
}

std::optional<Pkt6> Processor6::onSolicit(Query& q) {
  // Rapid commit (RFC 8415 §18.3.1): a REPLY with the leases committed, when the subnet allows it.
  const bool rapid = q.pkt.rapidCommit() && q.subnet && q.subnet->rapid_commit;
  Pkt6 reply = makeReply(q, rapid ? MessageType6::kReply : MessageType6::kAdvertise);
  if (rapid) reply.addOption(dhcp::opt6::kRapidCommit, {});
  if (rapid && q.ph) q.ph->commits = true;
  assignIas(q, reply, !rapid);
  addConfiguredOptions(reply, q);
  return reply;
}

std::optional<Pkt6> Processor6::onRequest(Query& q) {
  if (q.ph) q.ph->commits = true;
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  assignIas(q, reply, false);
  addConfiguredOptions(reply, q);
  return reply;
}

std::optional<Pkt6> Processor6::onRenew(Query& q) {
  if (q.ph) q.ph->commits = true;
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  if (!q.subnet) {
    // RFC 8415 §18.3.4/§18.3.5: no link the server knows: the IAs have no binding here.
    for (const auto& in : q.pkt.iaNas()) {
      addNoBinding(reply, Lease6Type::kNa, in.iaid);
    }
    for (const auto& in : q.pkt.iaPds()) {
      addNoBinding(reply, Lease6Type::kPd, in.iaid);
    }
    return reply;
  }
  // The IA's lease is extended, or a new one given (RFC 8415 §18.3.4 allows creating it).
  assignIas(q, reply, false);
  addConfiguredOptions(reply, q);
  return reply;
}

/// lease6_release / lease6_decline for one lease: kContinue when no library objects. DROP drops
/// the whole query; SKIP leaves this lease as it is.
hooks::NextStep Processor6::leaseHook(const Query& q, int index, const Lease6& lease) {
  if (!q.ph || !hooks_->present(index)) return hooks::NextStep::kContinue;
  auto step = callHook(q, index, [&](hooks::CalloutHandle& h) {
    h.setArgument("lease6", std::make_shared<Lease6>(lease));
  });
  if (step == hooks::NextStep::kDrop) {
    TAKAHE_LOG_DEBUG(pkt_log_, kDbgDetail, DHCP6_HOOK_DROP, q.pkt.label(),
                     hooks_->manager().hookPoints()[index], "drop");
  } else if (step != hooks::NextStep::kContinue) {
    TAKAHE_LOG_DEBUG(lease_log_, kDbgDetail, DHCP6_HOOK_LEASE_KEPT, q.pkt.label(), leaseText(lease),
                     hooks_->manager().hookPoints()[index], hooks::nextStepName(step));
  }
  return step;
}

std::optional<Pkt6> Processor6::onRelease(Query& q) {
  if (q.ph) q.ph->commits = true;
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  bool dropped = false;
  auto release = [&](Lease6Type type, uint32_t iaid, const IPv6Address& a) {
    if (dropped) return true;
    std::optional<Lease6> l = store_.get(type, a);
    if (!l || l->duid != q.duid || l->iaid != iaid) return false;
    if (q.ph) {
      // SKIP: the lease stays until it expires; the client is not told otherwise.
      auto step = leaseHook(q, hooks_->lease6_release, *l);
      if (step == hooks::NextStep::kDrop) dropped = true;
      if (step != hooks::NextStep::kContinue) return true;
    }
    if (!store_.remove(type, a)) return false;
    dhcpsrv::updateLeaseStats6(stats_, &*l, nullptr);
    if (q.ph) q.ph->deleted.push_back(std::make_shared<Lease6>(*l));
    TAKAHE_LOG(lease_log_, DHCP6_LEASE_RELEASED, q.pkt.label(), what(type), leaseText(*l), iaid);
    return true;
  };
  for (const auto& in : q.pkt.iaNas()) {
    bool all = !in.addresses.empty();
    for (const auto& a : in.addresses) all = release(Lease6Type::kNa, in.iaid, a.address) && all;
    if (!all) {
      addNoBinding(reply, Lease6Type::kNa, in.iaid);
    }
  }
  for (const auto& in : q.pkt.iaPds()) {
    bool all = !in.prefixes.empty();
    for (const auto& p : in.prefixes) all = release(Lease6Type::kPd, in.iaid, p.prefix.address) && all;
    if (!all) {
      addNoBinding(reply, Lease6Type::kPd, in.iaid);
    }
  }
  if (dropped) {
    receive_drop_.inc();
    return std::nullopt;
  }
  reply.setStatus(Status6(StatusCode6::kSuccess, "Release processed"));
  return reply;
}

std::optional<Pkt6> Processor6::onDecline(Query& q) {
  if (q.ph) q.ph->commits = true;
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  for (const auto& in : q.pkt.iaNas()) {
    bool all = !in.addresses.empty();
    for (const auto& a : in.addresses) {
      std::optional<Lease6> l = store_.get(Lease6Type::kNa, a.address);
      if (!l || l->duid != q.duid || l->iaid != in.iaid) {
        all = false;
        continue;
      }
      if (q.ph) {
        // SKIP: the address stays the client's; DROP: no reply at all.
        auto step = leaseHook(q, hooks_->lease6_decline, *l);
        if (step == hooks::NextStep::kDrop) {
          receive_drop_.inc();
          return std::nullopt;
        }
        if (step != hooks::NextStep::kContinue) continue;
      }
      // The address is set aside for decline-probation-period; it belongs to no client then.
      Lease6 declined = *l;
      declined.state = dhcpsrv::LeaseState::kDeclined;
      declined.cltt = q.now;
      declined.valid_lifetime = q.cfg.decline_probation_period;
      declined.preferred_lifetime = 0;
      declined.hostname.clear();
      declined.fqdn_fwd = declined.fqdn_rev = false;
      if (!store_.update(declined)) {
        all = false;
        continue;
      }
      dhcpsrv::updateLeaseStats6(stats_, &*l, &declined);
      if (q.ph) q.ph->committed.push_back(std::make_shared<Lease6>(declined));
      TAKAHE_LOG(lease_log_, DHCP6_LEASE_DECLINED, q.pkt.label(), a.address.toString(), q.cfg.decline_probation_period);
    }
    if (!all) {
      addNoBinding(reply, Lease6Type::kNa, in.iaid);
    }
  }
  reply.setStatus(Status6(StatusCode6::kSuccess, "Decline processed"));
  return reply;
}

std::optional<Pkt6> Processor6::onConfirm(Query& q) {
  // RFC 8415 §18.3.3: only addresses are confirmed; without any, or without a known link,
  // the server stays silent.
  std::vector<IPv6Address> addresses;
  for (const auto& in : q.pkt.iaNas()) {
    for (const auto& a : in.addresses) addresses.push_back(a.address);
  }
  if (addresses.empty() || !q.subnet) return std::nullopt;
  bool on_link = true;
  for (const auto& a : addresses) {
    bool in_network = q.subnet->contains(a);
    if (!in_network && !q.subnet->shared_network.empty()) {
      for (const auto& s : q.cfg.subnets) {
        if (s.shared_network == q.subnet->shared_network && s.contains(a)) in_network = true;
      }
    }
    on_link = on_link && in_network;
  }
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  reply.setStatus(on_link ? Status6(StatusCode6::kSuccess, "All addresses are on-link")
                          : Status6(StatusCode6::kNotOnLink, "Some addresses are not on-link"));
  return reply;
}

std::optional<Pkt6> Processor6::onInformationRequest(Query& q) {
  Pkt6 reply = makeReply(q, MessageType6::kReply);
  addConfiguredOptions(reply, q);
  return reply;
}

}  // namespace takahe::dhcp6
