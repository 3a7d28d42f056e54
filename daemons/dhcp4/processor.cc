#include "processor.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "dhcp4_messages.h"
#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/util/time.h"

namespace takahe::dhcp4 {

using dhcp::MessageType;
using dhcp::Pkt4;
using dhcpsrv::Lease4;
using dhcpsrv::LeaseState;
using dhcpsrv::SrvConfig4;
using dhcpsrv::Subnet4;

Processor::Processor(dhcpsrv::LeaseStore4& store, stats::StatsStore& stats)
    : store_(store),
      stats_(stats),
      engine_(store),
      received_(stats.counter("pkt4-received")),
      discover_(stats.counter("pkt4-discover-received")),
      request_(stats.counter("pkt4-request-received")),
      release_(stats.counter("pkt4-release-received")),
      decline_(stats.counter("pkt4-decline-received")),
      inform_(stats.counter("pkt4-inform-received")),
      unknown_(stats.counter("pkt4-unknown-received")),
      sent_(stats.counter("pkt4-sent")),
      offer_sent_(stats.counter("pkt4-offer-sent")),
      ack_sent_(stats.counter("pkt4-ack-sent")),
      nak_sent_(stats.counter("pkt4-nak-sent")),
      parse_failed_(stats.counter("pkt4-parse-failed")),
      receive_drop_(stats.counter("pkt4-receive-drop")),
      not_for_us_(stats.counter("pkt4-not-for-us")),
      service_disabled_(stats.counter("pkt4-service-disabled")),
      g_alloc_fail_(stats.counter("v4-allocation-fail")),
      g_alloc_fail_subnet_(stats.counter("v4-allocation-fail-subnet")),
      g_alloc_fail_shared_(stats.counter("v4-allocation-fail-shared-network")),
      g_alloc_fail_no_pools_(stats.counter("v4-allocation-fail-no-pools")),
      g_reclaimed_(stats.counter("reclaimed-leases")),
      g_reclaimed_declined_(stats.counter("reclaimed-declined-addresses")),
      g_declined_(stats.counter("declined-addresses")),
      g_cumulative_(stats.counter("cumulative-assigned-addresses")) {
  // Kea also reports these, starting at zero.
  for (const char* name : {"pkt4-offer-received", "pkt4-ack-received", "pkt4-nak-received",
                           "pkt4-queue-full", "pkt4-rfc-violation",
                           "pkt4-admin-filtered", "pkt4-processing-failed", "pkt4-duplicate",
                           "v4-allocation-fail-classes", "v4-lease-reuses", "v4-reservation-conflicts"}) {
    stats.counter(name);
  }
}

Processor::SubnetCounters* Processor::counters(SubnetId id) {
  std::lock_guard lock(counters_mutex_);
  auto it = subnet_counters_.find(id.value);
  return it == subnet_counters_.end() ? nullptr : it->second.get();
}

void Processor::configure(const SrvConfig4& cfg) {
  std::lock_guard lock(counters_mutex_);
  // Statistics of subnets that disappeared go away, as in Kea. The store is asked rather than
  // our own table, which a processor created at this reconfiguration has not filled yet.
  dhcpsrv::removeUnconfiguredSubnetStats(stats_, [&](SubnetId id) { return cfg.subnetById(id) != nullptr; });
  for (auto it = subnet_counters_.begin(); it != subnet_counters_.end();) {
    it = cfg.subnetById(SubnetId(it->first)) ? std::next(it) : subnet_counters_.erase(it);
  }
  std::map<SubnetId, dhcpsrv::SubnetLeaseCounts> counts;
  try {
    counts = store_.countBySubnet();
  } catch (const std::exception&) {
    // A lease database not reachable (yet): counted again once it is back.
  }
  for (const auto& s : cfg.subnets) {
    auto& c = subnet_counters_[s.id.value];
    if (!c) c = std::make_unique<SubnetCounters>();
    std::string p = "subnet[" + std::to_string(s.id.value) + "].";
    c->total = stats_.counter(p + "total-addresses");
    c->assigned = stats_.counter(p + "assigned-addresses");
    c->cumulative_assigned = stats_.counter(p + "cumulative-assigned-addresses");
    c->declined = stats_.counter(p + "declined-addresses");
    c->reclaimed_declined = stats_.counter(p + "reclaimed-declined-addresses");
    c->reclaimed = stats_.counter(p + "reclaimed-leases");
    c->alloc_fail = stats_.counter(p + "v4-allocation-fail");
    c->alloc_fail_subnet = stats_.counter(p + "v4-allocation-fail-subnet");
    c->alloc_fail_shared = stats_.counter(p + "v4-allocation-fail-shared-network");
    c->alloc_fail_no_pools = stats_.counter(p + "v4-allocation-fail-no-pools");
    c->total.set(static_cast<int64_t>(s.totalAddresses()));
    auto it = counts.find(s.id);
    // As in Kea, declined addresses also count as assigned until they are reclaimed.
    c->assigned.set(it == counts.end() ? 0 : static_cast<int64_t>(it->second.assigned + it->second.declined));
    c->declined.set(it == counts.end() ? 0 : static_cast<int64_t>(it->second.declined));
  }
  int64_t declined = 0;
  for (const auto& [id, c] : counts) declined += static_cast<int64_t>(c.declined);
  g_declined_.set(declined);
}

void Processor::countParseFailure() {
  received_.inc();
  parse_failed_.inc();
  receive_drop_.inc();
}

void Processor::countReceiveDrop() { receive_drop_.inc(); }

void Processor::countServiceDisabled() {
  received_.inc();
  service_disabled_.inc();
  receive_drop_.inc();
}

void Processor::countSent(const Pkt4& reply) {
  sent_.inc();
  switch (reply.messageType().value_or(MessageType::kAck)) {
    case MessageType::kOffer: offer_sent_.inc(); break;
    case MessageType::kAck: ack_sent_.inc(); break;
    case MessageType::kNak: nak_sent_.inc(); break;
    default: break;
  }
}

const Subnet4* Processor::selectSubnet(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link) {
  // 1. The link the client is on, as the relay or the client says: link-selection (82/5), then
  //    subnet-selection (118), then giaddr.
  std::optional<IPv4Address> selector;
  if (auto ls = q.relayAgentSubOption(dhcp::rai::kLinkSelection); ls && ls->size() == 4) {
    selector = IPv4Address::fromBytes(ls->data());
  } else if (const Bytes* ss = q.option(dhcp::opt::kSubnetSelection); ss && ss->size() == 4) {
    selector = IPv4Address::fromBytes(ss->data());
  }
  if (!selector && q.isRelayed()) {
    for (const auto& s : cfg.subnets) {
      if (std::find(s.relay_addresses.begin(), s.relay_addresses.end(), q.giaddr) != s.relay_addresses.end()) {
        return &s;
      }
    }
    selector = q.giaddr;
  }
  if (!selector && !q.ciaddr.isZero()) {
    for (const auto& s : cfg.subnets) {
      if (s.prefix.contains(q.ciaddr)) return &s;
    }
  }
  if (selector) {
    for (const auto& s : cfg.subnets) {
      if (s.prefix.contains(*selector)) return &s;
    }
    return nullptr;
  }
  // 2. Directly connected: the subnet bound to the interface, else one of its prefixes.
  for (const auto& s : cfg.subnets) {
    if (!s.interface.empty() && s.interface == q.meta.iface) return &s;
  }
  for (const auto& s : cfg.subnets) {
    if (!s.interface.empty()) continue;
    for (const auto& p : link.iface_prefixes) {
      if (s.prefix.contains(p.address)) return &s;
    }
  }
  return nullptr;
}

thread_local PacketHooks* Processor::current_hooks_ = nullptr;

namespace {
/// Makes `ph` the current packet's hook state for the duration of one process() call.
struct CurrentHooks {
  PacketHooks*& slot;
  CurrentHooks(PacketHooks*& s, PacketHooks* ph) : slot(s) { slot = ph; }
  ~CurrentHooks() { slot = nullptr; }
};
}  // namespace

std::optional<Pkt4> Processor::process(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link, PacketHooks* ph) {
  received_.inc();
  CurrentHooks current(current_hooks_, hooks_ ? ph : nullptr);
  if (auto step = callHook(hooks_ ? hooks_->pkt4_receive : -1, [](hooks::CalloutHandle&) {});
      step == hooks::NextStep::kDrop || step == hooks::NextStep::kSkip) {
    TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_HOOK_DROP, q.label(), "pkt4_receive", hooks::nextStepName(step));
    receive_drop_.inc();
    return std::nullopt;
  }
  auto type = q.messageType();
  if (q.op != 1) {
    TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_DROP_NOT_REQUEST, q.label());
    receive_drop_.inc();
    return std::nullopt;
  }
  if (!type) {
    TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_DROP_NO_TYPE, q.label());
    receive_drop_.inc();
    return std::nullopt;
  }
  if (q.hwAddr().empty() && !q.clientId()) {
    TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_DROP_NO_CLIENT_ID, q.label());
    receive_drop_.inc();
    return std::nullopt;
  }
  TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_RECEIVED, q.label(), q.meta.remote_addr.toString(), q.meta.iface);
  switch (*type) {
    case MessageType::kDiscover:
      discover_.inc();
      return onDiscover(q, cfg, link);
    case MessageType::kRequest:
      request_.inc();
      return onRequest(q, cfg, link);
    case MessageType::kRelease:
      release_.inc();
      onRelease(q, cfg);
      return std::nullopt;
    case MessageType::kDecline:
      decline_.inc();
      onDecline(q, cfg);
      return std::nullopt;
    case MessageType::kInform:
      inform_.inc();
      return onInform(q, cfg, link);
    default:
      unknown_.inc();
      receive_drop_.inc();
      TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_DROP_UNKNOWN_TYPE, q.label(), static_cast<int>(*type));
      return std::nullopt;
  }
}

void Processor::countAllocation(const dhcpsrv::AllocResult& r) {
  if (!r.lease) return;
  auto* c = counters(r.lease->subnet_id);
  if (r.reused) return;  // a renewal of the client's own lease changes no counts
  // The lease is new to this client. An address taken over from another client's lease that
  // was expired but not yet reclaimed was still counted as assigned in its subnet.
  bool was_counted = r.replaced && r.replaced->state != LeaseState::kExpiredReclaimed;
  if (c) {
    if (!was_counted) c->assigned.inc();
    c->cumulative_assigned.inc();
  }
  g_cumulative_.inc();
  if (r.replaced && r.replaced->state == LeaseState::kDeclined) {
    // An expired declined address taken over before reclamation got to it.
    g_declined_.add(-1);
    if (c) c->declined.add(-1);
  }
  if (r.old_lease && r.old_lease->state != LeaseState::kExpiredReclaimed) {
    if (auto* oc = counters(r.old_lease->subnet_id)) oc->assigned.add(-1);
  }
}

void Processor::countAllocFailure(SubnetId id, dhcpsrv::AllocFailure f) {
  auto* c = counters(id);
  g_alloc_fail_.inc();
  if (c) c->alloc_fail.inc();
  switch (f) {
    case dhcpsrv::AllocFailure::kNoPools:
      g_alloc_fail_no_pools_.inc();
      if (c) c->alloc_fail_no_pools.inc();
      break;
    case dhcpsrv::AllocFailure::kSharedNetworkExhausted:
      g_alloc_fail_shared_.inc();
      if (c) c->alloc_fail_shared.inc();
      break;
    default:
      g_alloc_fail_subnet_.inc();
      if (c) c->alloc_fail_subnet.inc();
      break;
  }
}

std::pair<size_t, bool> Processor::reclaimExpired(const SrvConfig4& cfg, int64_t now) {
  const auto& e = cfg.expired_leases;
  int64_t deadline = monotonicMicros() + int64_t{e.max_reclaim_time} * 1000;
  size_t limit = e.max_reclaim_leases ? e.max_reclaim_leases : SIZE_MAX;
  auto expired = store_.getExpired(now, limit == SIZE_MAX ? 1000000 : limit + 1);
  size_t done = 0;
  const bool hold = e.flush_reclaimed_timer_wait_time > 0 && e.hold_reclaimed_time > 0;
  for (auto& lease : expired) {
    if (done >= limit || (e.max_reclaim_time && monotonicMicros() > deadline)) break;
    auto* c = counters(lease.subnet_id);
    bool declined = lease.state == LeaseState::kDeclined;
    // lease4_expire (lease4_recover for a declined address at the end of its probation):
    // "skip" leaves the lease as it is.
    if (int point = !hooks_ ? -1 : declined ? hooks_->lease4_recover : hooks_->lease4_expire; hooks_ && hooks_->present(point)) {
      auto handle = hooks_->manager().createHandle();
      auto lp = std::make_shared<Lease4>(lease);
      handle->setArgument("lease4", lp);
      if (!declined) handle->setArgument("remove_lease", !hold);
      if (hooks_->call(point, *handle) != hooks::NextStep::kContinue) {
        ++done;
        continue;
      }
    }
    if (declined) {
      g_declined_.add(-1);
      g_reclaimed_declined_.inc();
      if (c) {
        c->declined.add(-1);
        c->reclaimed_declined.inc();
      }
    }
    if (c) {
      c->assigned.add(-1);
      c->reclaimed.inc();
    }
    g_reclaimed_.inc();
    if (hold) {
      // Keep the lease, marked reclaimed, so a returning client gets its address back.
      lease.state = LeaseState::kExpiredReclaimed;
      if (declined) {
        lease.hwaddr = {};
        lease.client_id = {};
      }
      store_.update(lease);
    } else {
      store_.remove(lease.address);
    }
    ++done;
  }
  return {done, expired.size() > done};
}

size_t Processor::flushReclaimed(const SrvConfig4& cfg, int64_t now) {
  return store_.removeReclaimedBefore(now - cfg.expired_leases.hold_reclaimed_time);
}

}  // namespace takahe::dhcp4
