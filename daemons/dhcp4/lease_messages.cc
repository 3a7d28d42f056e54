// DISCOVER and REQUEST: the messages that allocate, renew or refuse leases (RFC 2131 4.3.1-4.3.2).

#include <algorithm>

#include "dhcp4_messages.h"
#include "processor.h"
#include "takahe/util/time.h"

namespace takahe::dhcp4 {

using dhcp::MessageType;
using dhcp::Pkt4;
using dhcpsrv::AllocFailure;
using dhcpsrv::Host4;
using dhcpsrv::HostIdType;
using dhcpsrv::Lease4;
using dhcpsrv::SrvConfig4;
using dhcpsrv::Subnet4;

namespace {

const char* failureText(AllocFailure f) {
  switch (f) {
    case AllocFailure::kNoPools: return "the subnet has no pools";
    case AllocFailure::kSubnetExhausted: return "the subnet's pools are exhausted";
    case AllocFailure::kSharedNetworkExhausted: return "the shared network's pools are exhausted";
    case AllocFailure::kStoreError: return "the lease could not be stored";
    case AllocFailure::kHookSkip: return "a hook library skipped the allocation (lease4_select)";
    case AllocFailure::kNone: break;
  }
  return "no address is available";
}

}  // namespace

std::optional<Bytes> Processor::clientIdentifier(HostIdType t, const Pkt4& q) {
  switch (t) {
    case HostIdType::kHwAddress: return q.hwAddr().bytes;
    case HostIdType::kClientId:
      if (auto c = q.clientId()) return c->bytes;
      return std::nullopt;
    case HostIdType::kCircuitId: return q.relayAgentSubOption(dhcp::rai::kCircuitId);
    case HostIdType::kDuid:
      // RFC 4361 client identifiers carry a DUID after type 255 and a 4-byte IAID.
      if (auto c = q.clientId(); c && c->bytes.size() > 5 && c->bytes[0] == 255) {
        return Bytes(c->bytes.begin() + 5, c->bytes.end());
      }
      return std::nullopt;
    case HostIdType::kFlexId: {
      // A hook library computes the flexible identifier (host4_identifier).
      PacketHooks* ph = packetHooks();
      if (!ph || !hooks_->present(hooks_->host4_identifier)) return std::nullopt;
      callHook(hooks_->host4_identifier, [](hooks::CalloutHandle& h) {
        h.setArgument("id_type", HostIdType::kFlexId);
        h.setArgument("id_value", Bytes{});
      });
      if (auto* v = ph->handle->argument<Bytes>("id_value")) return *v;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

/// The reservation that matches one of the client's identifiers, in configured order: the
/// configuration's first, then those added by command (looked up only when there are any).
void Processor::findHost(dhcpsrv::ClientContext4& ctx, const Pkt4& q, const SrvConfig4& cfg, const Subnet4* subnet) {
  if (!subnet) return;
  const bool use_store = host_store_ && host_store_->size() != 0;
  std::vector<std::pair<HostIdType, Bytes>> store_ids;  // stays empty (no allocation) without a store
  for (HostIdType t : cfg.host_identifiers) {
    std::optional<Bytes> id = clientIdentifier(t, q);
    if (!id || id->empty()) continue;
    // The selected subnet first, then the other subnets of its shared network.
    auto inSubnet = [&](const Subnet4& s) -> const Host4* {
      return s.reservations_in_subnet ? s.hosts.find(t, *id) : nullptr;
    };
    if (const Host4* h = inSubnet(*subnet)) return void(ctx.host = h);
    if (!subnet->shared_network.empty()) {
      for (const auto& s : cfg.subnets) {
        if (&s == subnet || s.shared_network != subnet->shared_network) continue;
        if (const Host4* h = inSubnet(s)) return void(ctx.host = h);
      }
    }
    if (subnet->reservations_global) {
      if (const Host4* h = cfg.global_hosts.find(t, *id)) return void(ctx.host = h);
    }
    if (use_store) store_ids.emplace_back(t, std::move(*id));
  }
  for (const auto& [t, id] : store_ids) {
    std::optional<Host4> h;
    if (subnet->reservations_in_subnet) h = host_store_->get(subnet->id, t, id);
    if (!h && subnet->reservations_global) h = host_store_->get(SubnetId(0), t, id);
    if (h) {
      ctx.stored_host = std::make_shared<const Host4>(std::move(*h));
      ctx.host = ctx.stored_host.get();
      return;
    }
  }
}

const Subnet4* Processor::selectSubnetOrCount(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link) {
  const Subnet4* subnet = selectSubnet(q, cfg, link);
  if (PacketHooks* ph = packetHooks(); ph && hooks_->present(hooks_->subnet4_select)) {
    auto step = callHook(hooks_->subnet4_select, [&](hooks::CalloutHandle& h) {
      h.setArgument("subnet4", subnet);
      h.setArgument("subnet4collection", &cfg.subnets);
    });
    if (step == hooks::NextStep::kDrop) {
      TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_HOOK_DROP, q.label(), "subnet4_select", hooks::nextStepName(step));
      receive_drop_.inc();
      return nullptr;
    }
    const Subnet4* chosen = nullptr;
    if (step != hooks::NextStep::kSkip) {
      if (auto* v = ph->handle->argument<const Subnet4*>("subnet4")) chosen = *v;
    }
    bool known = !chosen || (!cfg.subnets.empty() && chosen >= &cfg.subnets.front() && chosen <= &cfg.subnets.back());
    if (known) {
      subnet = chosen;
    } else {
      TAKAHE_LOG(pkt_log_, DHCP4_HOOK_SUBNET_IGNORED, q.label());
    }
  }
  if (!subnet) {
    TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_SUBNET_SELECTION_FAILED, q.label(), q.giaddr.toString(), q.meta.iface);
    receive_drop_.inc();
  }
  return subnet;
}

void Processor::installLeaseHooks(dhcpsrv::ClientContext4& ctx) {
  PacketHooks* ph = packetHooks();
  if (!ph || !(hooks_->present(hooks_->lease4_select) || hooks_->present(hooks_->lease4_renew))) return;
  const SrvConfig4* cfg = ctx.cfg;
  bool fake = ctx.fake;
  HwAddr hwaddr = ctx.hwaddr;
  std::optional<ClientId> client_id = ctx.client_id;
  ctx.before_commit = [this, ph, cfg, fake, hwaddr, client_id](Lease4& lease, bool renew) {
    int point = renew && !fake ? hooks_->lease4_renew : hooks_->lease4_select;
    if (!hooks_->present(point)) return true;
    auto lp = std::make_shared<Lease4>(lease);
    hooks::CalloutHandle& h = ph->begin();
    h.setArgument("subnet4", cfg->subnetById(lease.subnet_id));
    h.setArgument("lease4", lp);
    if (point == hooks_->lease4_select) {
      h.setArgument("fake_allocation", fake);
    } else {
      h.setArgument("hwaddr", hwaddr);
      h.setArgument("clientid", client_id.value_or(ClientId{}));
    }
    if (hooks_->call(point, h) != hooks::NextStep::kContinue) return false;
    lease = *lp;
    return true;
  };
}

void Processor::noteCommitted(const dhcpsrv::AllocResult& r) {
  PacketHooks* ph = packetHooks();
  if (!ph) return;
  ph->commits = true;
  if (r.lease) ph->committed.push_back(std::make_shared<Lease4>(*r.lease));
  if (r.old_lease) ph->deleted.push_back(std::make_shared<Lease4>(*r.old_lease));
}

dhcpsrv::ClientContext4 Processor::makeContext(const Pkt4& q, const SrvConfig4& cfg, const Subnet4* subnet) {
  dhcpsrv::ClientContext4 ctx;
  ctx.cfg = &cfg;
  ctx.subnet = subnet;
  ctx.hwaddr = q.hwAddr();
  ctx.client_id = q.clientId();
  ctx.classes = &q.meta.classes;
  ctx.host_store = host_store_;
  findHost(ctx, q, cfg, subnet);
  if (const Bytes* lt = q.option(dhcp::opt::kLeaseTime); lt && lt->size() == 4) {
    ctx.requested_lifetime = (uint32_t{(*lt)[0]} << 24) | (uint32_t{(*lt)[1]} << 16) |
                             (uint32_t{(*lt)[2]} << 8) | (*lt)[3];
  }
  if (ctx.host && !ctx.host->hostname.empty()) {
    ctx.hostname = ctx.host->hostname;
  } else if (auto hn = q.hostName()) {
    ctx.hostname = *hn;
  }
  ctx.now = nowUnixSeconds();
  return ctx;
}

std::optional<Pkt4> Processor::onDiscover(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link) {
  const Subnet4* subnet = selectSubnetOrCount(q, cfg, link);
  if (!subnet) return std::nullopt;
  auto ctx = makeContext(q, cfg, subnet);
  ctx.fake = true;
  ctx.requested = q.requestedAddress();
  installLeaseHooks(ctx);
  auto result = engine_.allocate(ctx);
  if (!result.lease) {
    TAKAHE_LOG(alloc_log_, DHCP4_ALLOC_FAIL, q.label(), subnet->prefix.toString(), failureText(result.failure));
    if (result.failure != AllocFailure::kHookSkip) countAllocFailure(subnet->id, result.failure);
    return std::nullopt;
  }
  const Subnet4& chosen = *ctx.subnet;
  Pkt4 reply = makeReply(q, MessageType::kOffer, link, cfg);
  reply.yiaddr = result.lease->address;
  addLeaseOptions(reply, q, *result.lease, chosen, ctx.host, cfg);
  TAKAHE_LOG(lease_log_, DHCP4_LEASE_OFFER, q.label(), result.lease->address.toString(), result.lease->valid_lifetime);
  return reply;
}

std::optional<Pkt4> Processor::onRequest(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link) {
  auto server_id = q.serverId();
  auto requested_opt = q.requestedAddress();
  enum class State { kSelecting, kInitReboot, kRenewing } state;
  IPv4Address requested;
  if (server_id) {
    bool ours = std::find(link.our_addresses.begin(), link.our_addresses.end(), *server_id) !=
                    link.our_addresses.end() ||
                *server_id == link.server_address;
    if (!ours) {
      // The client chose another server's offer.
      TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_PACKET_DROP_NOT_FOR_US, q.label(), server_id->toString());
      not_for_us_.inc();
      return std::nullopt;
    }
    state = State::kSelecting;
    if (!requested_opt && q.ciaddr.isZero()) {
      receive_drop_.inc();
      return std::nullopt;
    }
    requested = requested_opt ? *requested_opt : q.ciaddr;
  } else if (requested_opt && q.ciaddr.isZero()) {
    state = State::kInitReboot;
    requested = *requested_opt;
  } else if (!q.ciaddr.isZero()) {
    state = State::kRenewing;  // RENEWING (unicast) or REBINDING (broadcast): same handling
    requested = q.ciaddr;
  } else {
    receive_drop_.inc();  // RFC 2131 violation: nothing says which address
    return std::nullopt;
  }

  const Subnet4* subnet = selectSubnetOrCount(q, cfg, link);
  if (!subnet) return std::nullopt;
  auto ctx = makeContext(q, cfg, subnet);
  ctx.requested = requested;

  auto current = engine_.findClientLease(ctx);
  ctx.client_lease = current;  // allocate() reuses it instead of reading the store again
  if (state == State::kInitReboot) {
    // RFC 2131 4.3.2 as Kea applies it: with no lease on record for the client, a
    // non-authoritative server stays silent and an authoritative one NAKs; a client that
    // believes in another address than the one we hold for it is NAKed.
    if (!current) {
      if (!subnet->authoritative) {
        TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_INIT_REBOOT_UNKNOWN, q.label(), requested.toString());
        receive_drop_.inc();
        return std::nullopt;
      }
      return makeNak(q, link, cfg, "no lease on record for this client");
    }
  }
  if (state != State::kSelecting && current && current->address != requested) {
    return makeNak(q, link, cfg, "client's notion of its address is wrong");
  }
  // The address must belong to the client's network segment.
  bool on_link = false;
  for (const auto& s : cfg.subnets) {
    bool same_net = &s == subnet || (!subnet->shared_network.empty() && s.shared_network == subnet->shared_network);
    if (same_net && s.prefix.contains(requested)) on_link = true;
  }
  if (!on_link) {
    return makeNak(q, link, cfg, "requested address is not on the client's network");
  }

  installLeaseHooks(ctx);
  auto result = engine_.allocate(ctx);
  if (!result.lease || result.lease->address != requested) {
    if (result.failure == AllocFailure::kStoreError) {
      TAKAHE_LOG(alloc_log_, DHCP4_ALLOC_FAIL, q.label(), subnet->prefix.toString(), failureText(result.failure));
      return std::nullopt;
    }
    if (!result.lease && result.failure != AllocFailure::kNone && result.failure != AllocFailure::kHookSkip) {
      countAllocFailure(subnet->id, result.failure);
    }
    return makeNak(q, link, cfg, "requested address is not available");
  }
  countAllocation(result);
  noteCommitted(result);
  const Subnet4& chosen = *ctx.subnet;
  Pkt4 reply = makeReply(q, MessageType::kAck, link, cfg);
  reply.yiaddr = result.lease->address;
  if (state == State::kRenewing) reply.ciaddr = q.ciaddr;
  addLeaseOptions(reply, q, *result.lease, chosen, ctx.host, cfg);
  if (result.reused) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_LEASE_RENEW, q.label(), result.lease->address.toString(),
                     result.lease->valid_lifetime);
  } else {
    TAKAHE_LOG(lease_log_, DHCP4_LEASE_ALLOC, q.label(), result.lease->address.toString(), result.lease->valid_lifetime);
  }
  return reply;
}

}  // namespace takahe::dhcp4
