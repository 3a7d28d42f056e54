#include "takahe/dhcpsrv/alloc_engine4.h"

#include <algorithm>

namespace takahe::dhcpsrv {

namespace {

const Host4* hostFor(const ClientContext4& ctx, const Subnet4& subnet) {
  // The reservation found for the selected subnet applies only to that subnet; other subnets
  // of a shared network are searched with the same identifiers by the caller's host lookup.
  if (ctx.host && (ctx.host->subnet_id == subnet.id || ctx.host->subnet_id.value == 0)) return ctx.host;
  return nullptr;
}

}  // namespace

uint32_t AllocEngine4::lifetimeFor(const Subnet4& subnet, std::optional<uint32_t> requested) {
  const auto& l = subnet.lifetimes;
  if (!requested) return l.valid;
  return std::clamp(*requested, l.min_valid, l.max_valid);
}

bool AllocEngine4::ownedBy(const Lease4& lease, const ClientContext4& ctx) {
  bool match_cid = ctx.subnet ? ctx.subnet->match_client_id : true;
  if (match_cid && ctx.client_id && !lease.client_id.empty()) {
    return lease.client_id == *ctx.client_id;
  }
  // Without client ids on both sides (or with match-client-id false) the hardware address decides.
  return !lease.hwaddr.empty() && lease.hwaddr.bytes == ctx.hwaddr.bytes;
}

std::vector<const Subnet4*> AllocEngine4::candidateSubnets(const ClientContext4& ctx) const {
  std::vector<const Subnet4*> out;
  if (!ctx.subnet) return out;
  out.push_back(ctx.subnet);
  if (!ctx.subnet->shared_network.empty() && ctx.cfg) {
    for (const auto& s : ctx.cfg->subnets) {
      if (&s != ctx.subnet && s.shared_network == ctx.subnet->shared_network) out.push_back(&s);
    }
  }
  return out;
}

std::optional<Lease4> AllocEngine4::findClientLease(const ClientContext4& ctx) const {
  auto subnets = candidateSubnets(ctx);
  auto inScope = [&](const Lease4& l) {
    return std::any_of(subnets.begin(), subnets.end(), [&](const Subnet4* s) { return s->id == l.subnet_id; });
  };
  std::optional<Lease4> best;
  auto consider = [&](const std::vector<Lease4>& leases) {
    for (const auto& l : leases) {
      if (!inScope(l) || l.state == LeaseState::kDeclined || !ownedBy(l, ctx)) continue;
      // Prefer the most recent lease the client had.
      if (!best || l.cltt > best->cltt) best = l;
    }
  };
  bool match_cid = ctx.subnet ? ctx.subnet->match_client_id : true;
  if (ctx.client_id && match_cid) consider(store_.getByClientId(*ctx.client_id));
  if (!best) consider(store_.getByHwAddr(ctx.hwaddr));
  return best;
}

bool AllocEngine4::reservedForOther(const ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr) const {
  // Reservations switched off for this subnet do not keep their addresses out of the pool.
  const Host4* owner = subnet.reservations_in_subnet ? subnet.hosts.findByAddress(addr) : nullptr;
  if (!owner && ctx.cfg && subnet.reservations_global) owner = ctx.cfg->global_hosts.findByAddress(addr);
  std::optional<Host4> stored;  // a reservation added by command
  if (!owner && ctx.host_store && ctx.host_store->size() != 0) {
    if (subnet.reservations_in_subnet) stored = ctx.host_store->getByAddress(subnet.id, addr);
    if (!stored && subnet.reservations_global) stored = ctx.host_store->getByAddress(SubnetId(0), addr);
    if (stored) owner = &*stored;
  }
  if (!owner) return false;
  const Host4* mine = hostFor(ctx, subnet);
  if (!mine) return true;
  return mine != owner && !(mine->subnet_id == owner->subnet_id && mine->id_type == owner->id_type &&
                            mine->identifier == owner->identifier);
}

bool AllocEngine4::addressUsableBy(const ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr,
                                   std::optional<Lease4>* existing) const {
  if (!subnet.prefix.contains(addr)) return false;
  if (reservedForOther(ctx, subnet, addr)) return false;
  auto lease = store_.get(addr);
  if (existing) *existing = lease;
  if (!lease) return true;
  if (ownedBy(*lease, ctx) && lease->state != LeaseState::kDeclined) return true;
  // Someone else's lease: usable only once it has expired (declined ones after probation).
  return lease->expired(ctx.now);
}

std::optional<IPv4Address> AllocEngine4::pickFromPools(const ClientContext4& ctx, const Subnet4& subnet,
                                                       std::optional<Lease4>* expired_lease) {
  const bool random = ctx.cfg && ctx.cfg->allocator == AllocatorType::kRandom;
  for (size_t pi = 0; pi < subnet.pools.size(); ++pi) {
    const Pool4& pool = subnet.pools[pi];
    if (!pool.allows(ctx.classes)) continue;
    const uint64_t size = pool.size();
    uint64_t key = (uint64_t{subnet.id.value} << 32) | pi;
    uint64_t start;
    {
      std::lock_guard lock(cursor_mutex_);
      start = random ? rng_() % size : cursors_[key] % size;
    }
    // Walk the whole pool once from the cursor; free addresses first, expired ones as we meet them.
    for (uint64_t i = 0; i < size; ++i) {
      uint64_t off = (start + i) % size;
      IPv4Address addr(static_cast<uint32_t>(pool.first.toUint() + off));
      std::optional<Lease4> existing;
      if (!addressUsableBy(ctx, subnet, addr, &existing)) continue;
      if (!random) {
        std::lock_guard lock(cursor_mutex_);
        cursors_[key] = static_cast<uint32_t>((off + 1) % size);
      }
      if (expired_lease) *expired_lease = existing;
      return addr;
    }
  }
  return std::nullopt;
}

bool AllocEngine4::commit(ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr,
                          const std::optional<Lease4>& existing, AllocResult& out) {
  Lease4 lease;
  lease.address = addr;
  lease.hwaddr = ctx.hwaddr;
  if (ctx.client_id) lease.client_id = *ctx.client_id;
  lease.valid_lifetime = lifetimeFor(subnet, ctx.requested_lifetime);
  lease.cltt = ctx.now;
  lease.subnet_id = subnet.id;
  lease.hostname = ctx.hostname;
  lease.state = LeaseState::kDefault;
  if (const Pool4* p = subnet.poolFor(addr)) lease.pool_id = p->pool_id;
  if (existing) {
    out.replaced = existing;
    out.reused = ownedBy(*existing, ctx) && existing->state == LeaseState::kDefault;
    out.reclaimed_expired = !ownedBy(*existing, ctx);
    if (!existing->user_context.empty()) lease.user_context = existing->user_context;
  }
  if (ctx.before_commit && !ctx.before_commit(lease, out.reused)) {
    if (!out.reused) {
      out.failure = AllocFailure::kHookSkip;
      return false;
    }
    // A skipped renewal: the client keeps its lease as stored.
    out.lease = *existing;
    return true;
  }
  if (!ctx.fake) {
    // Conditional writes: an insert fails when another worker or server created the lease
    // first, and a takeover fails when the lease changed since we read it. Either way this
    // address is lost to us and the caller tries another.
    bool ok = existing ? store_.updateIf(lease, *existing) : store_.add(lease);
    if (!ok) return false;
  }
  out.lease = std::move(lease);
  return true;
}

void AllocEngine4::dropPrevious(const ClientContext4& ctx, const std::optional<Lease4>& previous,
                                IPv4Address now_held, AllocResult& out) {
  // Written after the new lease is stored, so a failed write never leaves the client with none.
  if (!previous || previous->address == now_held) return;
  if (!ctx.fake) store_.remove(previous->address);
  out.old_lease = previous;
}

AllocResult AllocEngine4::allocate(ClientContext4& ctx) {
  AllocResult out;
  if (!ctx.subnet) {
    out.failure = AllocFailure::kNoPools;
    return out;
  }
  auto subnets = candidateSubnets(ctx);
  std::optional<Lease4> current = ctx.client_lease ? *ctx.client_lease : findClientLease(ctx);

  // 1. A reservation with an address wins over everything else.
  for (const Subnet4* s : subnets) {
    const Host4* h = hostFor(ctx, *s);
    if (!h || !h->address || !s->prefix.contains(*h->address)) continue;
    std::optional<Lease4> existing;
    if (addressUsableBy(ctx, *s, *h->address, &existing) && commit(ctx, *s, *h->address, existing, out)) {
      // The client moved to its reserved address: its old lease elsewhere goes.
      dropPrevious(ctx, current, *h->address, out);
      ctx.subnet = s;
      return out;
    }
    if (out.failure == AllocFailure::kHookSkip) return out;
  }

  // 2. The client's own lease (active or expired) if its address is still acceptable.
  if (current) {
    const Subnet4* s = nullptr;
    for (const Subnet4* c : subnets) {
      if (c->id == current->subnet_id) s = c;
    }
    bool in_range = s && (s->inPoolFor(current->address, ctx.classes) ||
                          (hostFor(ctx, *s) && hostFor(ctx, *s)->address == current->address));
    if (s && in_range && !reservedForOther(ctx, *s, current->address) &&
        (!ctx.requested || *ctx.requested == current->address || ctx.fake)) {
      if (commit(ctx, *s, current->address, current, out)) {
        ctx.subnet = s;
        return out;
      }
      if (out.failure == AllocFailure::kHookSkip) return out;
    }
  }

  // 3. The address the client asked for.
  if (ctx.requested) {
    for (const Subnet4* s : subnets) {
      if (!s->inPoolFor(*ctx.requested, ctx.classes)) continue;
      std::optional<Lease4> existing;
      if (addressUsableBy(ctx, *s, *ctx.requested, &existing) && commit(ctx, *s, *ctx.requested, existing, out)) {
        dropPrevious(ctx, current, *ctx.requested, out);
        ctx.subnet = s;
        return out;
      }
      if (out.failure == AllocFailure::kHookSkip) return out;
    }
    // A REQUEST names exactly one address: no other address will do.
    if (!ctx.fake) return out;
  }

  // 4. A fresh address from the pools (bounded retries against concurrent takers).
  bool any_pool = false;
  for (const Subnet4* s : subnets) {
    if (s->pools.empty()) continue;
    any_pool = true;
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::optional<Lease4> existing;
      auto addr = pickFromPools(ctx, *s, &existing);
      if (!addr) break;
      if (commit(ctx, *s, *addr, existing, out)) {
        dropPrevious(ctx, current, *addr, out);
        ctx.subnet = s;
        return out;
      }
      if (out.failure == AllocFailure::kStoreError || out.failure == AllocFailure::kHookSkip) return out;
    }
  }
  if (!any_pool) {
    out.failure = AllocFailure::kNoPools;
  } else {
    out.failure = subnets.size() > 1 ? AllocFailure::kSharedNetworkExhausted : AllocFailure::kSubnetExhausted;
  }
  return out;
}

void AllocEngine4::resetCursors() {
  std::lock_guard lock(cursor_mutex_);
  cursors_.clear();
}

}  // namespace takahe::dhcpsrv
