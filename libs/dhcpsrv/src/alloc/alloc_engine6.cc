#include "takahe/dhcpsrv/alloc_engine6.h"

#include <algorithm>

namespace takahe::dhcpsrv {

namespace {

/// base + off, the offset added to the low 64 bits with the carry into the high ones.
IPv6Address addOffset(const IPv6Address& base, uint64_t off) {
  std::array<uint8_t, 16> b = base.bytes();
  uint64_t lo = 0;
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[i];
  uint64_t sum = lo + off;
  bool carry = sum < lo;
  for (int i = 15; i >= 8; --i) {
    b[i] = static_cast<uint8_t>(sum & 0xff);
    sum >>= 8;
  }
  for (int i = 7; i >= 0 && carry; --i) {
    b[i] = static_cast<uint8_t>(b[i] + 1);
    carry = b[i] == 0;
  }
  return IPv6Address(b);
}

/// Cursor key of one pool: subnet id, kind (0 addresses, 1 prefixes) and pool index.
uint64_t cursorKey(SubnetId id, int kind, size_t index) {
  return (uint64_t{id.value} << 32) | (uint64_t(kind) << 31) | (index & 0x7fffffff);
}

}  // namespace

uint32_t AllocEngine6::validFor(const Subnet6& subnet, std::optional<uint32_t> hint) {
  const Lifetimes6& l = subnet.lifetimes;
  if (!hint || *hint == 0) return l.valid;
  return std::clamp(*hint, l.min_valid, l.max_valid);
}

uint32_t AllocEngine6::preferredFor(const Subnet6& subnet, std::optional<uint32_t> hint,
                                    uint32_t valid) {
  const Lifetimes6& l = subnet.lifetimes;
  uint32_t p = (!hint || *hint == 0) ? l.preferred : std::clamp(*hint, l.min_preferred, l.max_preferred);
  return std::min(p, valid);
}

bool AllocEngine6::ownedBy(const Lease6& lease, const ClientContext6& ctx, uint32_t iaid) {
  return lease.duid == ctx.duid && lease.iaid == iaid;
}

std::vector<const Subnet6*> AllocEngine6::candidateSubnets(const ClientContext6& ctx) const {
  std::vector<const Subnet6*> out;
  if (!ctx.subnet) return out;
  out.push_back(ctx.subnet);
  if (!ctx.subnet->shared_network.empty() && ctx.cfg) {
    for (const auto& s : ctx.cfg->subnets) {
      if (&s != ctx.subnet && s.shared_network == ctx.subnet->shared_network && s.allows(ctx.classes)) {
        out.push_back(&s);
      }
    }
  }
  return out;
}

const Host6* AllocEngine6::hostFor(const ClientContext6& ctx, const Subnet6& subnet) const {
  // The reservation found for the selected subnet applies to that subnet only (or it is global).
  if (ctx.host && (ctx.host->subnet_id == subnet.id || ctx.host->subnet_id.value == 0)) return ctx.host;
  return nullptr;
}

bool AllocEngine6::reservedForOther(const ClientContext6& ctx, const Subnet6& subnet,
                                    const IPv6Address& a, Lease6Type type, uint8_t len) const {
  const bool pd = type == Lease6Type::kPd;
  const Prefix6 p{a, len};
  const Host6* owner = nullptr;
  if (subnet.reservations_in_subnet) {
    owner = pd ? subnet.hosts.findByPrefix(p) : subnet.hosts.findByAddress(a);
  }
  if (!owner && ctx.cfg && subnet.reservations_global) {
    owner = pd ? ctx.cfg->global_hosts.findByPrefix(p) : ctx.cfg->global_hosts.findByAddress(a);
  }
  if (!owner) return false;
  const Host6* mine = hostFor(ctx, subnet);
  return mine == nullptr || !(mine->id_type == owner->id_type && mine->identifier == owner->identifier);
}

bool AllocEngine6::inRange(const ClientContext6& ctx, const Subnet6& subnet, Lease6Type type,
                           const IPv6Address& a, uint8_t len) const {
  if (const Host6* h = hostFor(ctx, subnet)) {
    if (type == Lease6Type::kPd) {
      if (std::find(h->prefixes.begin(), h->prefixes.end(), Prefix6{a, len}) != h->prefixes.end()) return true;
    } else if (std::find(h->addresses.begin(), h->addresses.end(), a) != h->addresses.end()) {
      return true;
    }
  }
  if (type == Lease6Type::kPd) {
    const PdPool6* pool = subnet.pdPoolFor(Prefix6{a, len});
    return pool && pool->allows(ctx.classes);
  }
  return subnet.inPoolFor(a, ctx.classes);
}

bool AllocEngine6::usable(const ClientContext6& ctx, const IaContext6& ia, const Subnet6& subnet,
                          const IPv6Address& a, uint8_t len, std::optional<Lease6>* existing) const {
  if (reservedForOther(ctx, subnet, a, ia.type, len)) return false;
  std::optional<Lease6> lease = store_.get(ia.type, a);
  if (!lease && ia.type == Lease6Type::kNa) {
    // An address holds one lease of any type (the store refuses a second).
    if (store_.get(Lease6Type::kPd, a)) return false;
  }
  if (existing) *existing = lease;
  if (!lease) return true;
  if (ownedBy(*lease, ctx, ia.iaid) && lease->state != LeaseState::kDeclined) return true;
  return lease->expired(ctx.now);
}

uint64_t AllocEngine6::nextOffset(uint64_t key, uint64_t size, bool random) {
  std::lock_guard lock(cursor_mutex_);
  return random ? rng_() % size : cursors_[key] % size;
}

void AllocEngine6::advanceCursor(uint64_t key, uint64_t next) {
  std::lock_guard lock(cursor_mutex_);
  cursors_[key] = next;
}

std::optional<Prefix6> AllocEngine6::pickAddress(const ClientContext6& ctx, const IaContext6& ia,
                                                 const Subnet6& subnet,
                                                 std::optional<Lease6>* existing) {
  const bool random = ctx.cfg && ctx.cfg->allocator == AllocatorType::kRandom;
  for (size_t pi = 0; pi < subnet.pools.size(); ++pi) {
    const Pool6& pool = subnet.pools[pi];
    if (!pool.allows(ctx.classes)) continue;
    const uint64_t size = std::max<uint64_t>(pool.size(), 1);
    const uint64_t key = cursorKey(subnet.id, 0, pi);
    const uint64_t start = nextOffset(key, size, random);
    const uint64_t probes = std::min(size, kMaxProbes);
    for (uint64_t i = 0; i < probes; ++i) {
      const uint64_t off = (start + i) % size;
      IPv6Address a = addOffset(pool.first, off);
      if (!usable(ctx, ia, subnet, a, 128, existing)) continue;
      if (!random) advanceCursor(key, (off + 1) % size);
      return Prefix6{a, 128};
    }
  }
  return std::nullopt;
}

std::optional<Prefix6> AllocEngine6::pickPrefix(const ClientContext6& ctx, const IaContext6& ia,
                                                const Subnet6& subnet,
                                                std::optional<Lease6>* existing) {
  const bool random = ctx.cfg && ctx.cfg->pd_allocator == AllocatorType::kRandom;
  // A length the client hinted at (IAPREFIX with ::/len) picks pools of that length first.
  std::optional<uint8_t> wanted;
  for (const auto& h : ia.prefix_hints) {
    if (h.length != 0 && h.length != 128) wanted = h.length;
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t pi = 0; pi < subnet.pd_pools.size(); ++pi) {
      const PdPool6& pool = subnet.pd_pools[pi];
      if (!pool.allows(ctx.classes)) continue;
      const bool matches = wanted && pool.delegated_len == *wanted;
      if (wanted && (pass == 0) != matches) continue;
      if (!wanted && pass == 1) continue;
      const uint64_t size = std::max<uint64_t>(pool.capacity(), 1);
      const uint64_t key = cursorKey(subnet.id, 1, pi);
      const uint64_t start = nextOffset(key, size, random);
      const uint64_t probes = std::min(size, kMaxProbes);
      for (uint64_t i = 0; i < probes; ++i) {
        const uint64_t off = (start + i) % size;
        std::optional<Prefix6> p = pool.nth(off);
        if (!p || !usable(ctx, ia, subnet, p->address, p->length, existing)) continue;
        if (!random) advanceCursor(key, (off + 1) % size);
        return p;
      }
    }
  }
  return std::nullopt;
}

bool AllocEngine6::commit(ClientContext6& ctx, const IaContext6& ia, const Subnet6& subnet,
                          const Prefix6& what, const std::optional<Lease6>& existing,
                          IaResult6& out) {
  Lease6 lease;
  lease.address = what.address;
  lease.type = ia.type;
  lease.prefix_len = ia.type == Lease6Type::kPd ? what.length : 128;
  lease.duid = ctx.duid;
  lease.iaid = ia.iaid;
  lease.valid_lifetime = validFor(subnet, ia.valid_hint);
  lease.preferred_lifetime = preferredFor(subnet, ia.preferred_hint, lease.valid_lifetime);
  lease.cltt = ctx.now;
  lease.subnet_id = subnet.id;
  lease.hostname = ctx.hostname;
  lease.hwaddr = ctx.hwaddr;
  lease.hwaddr_source = ctx.hwaddr.empty() ? 0 : ctx.hwaddr_source;
  lease.state = LeaseState::kDefault;
  if (ia.type == Lease6Type::kPd) {
    if (const PdPool6* p = subnet.pdPoolFor(what)) lease.pool_id = p->pool_id;
  } else if (const Pool6* p = subnet.poolFor(what.address)) {
    lease.pool_id = p->pool_id;
  }
  bool renew = false;
  if (existing) {
    renew = ownedBy(*existing, ctx, ia.iaid) && existing->state == LeaseState::kDefault;
    if (!renew) out.replaced = existing;
    if (!existing->user_context.empty()) lease.user_context = existing->user_context;
  }
  if (ctx.before_commit && !ctx.before_commit(lease, renew)) {
    if (!renew) {
      out.failure = AllocFailure6::kHookSkip;
      return false;
    }
    out.lease = *existing;  // a skipped renewal: the client keeps its lease as stored
    out.renewed = true;
    return true;
  }
  if (!ctx.fake) {
    // Conditional writes: an insert fails when another worker or server created the lease
    // first, a takeover when the lease changed since it was read. This one is then lost to us.
    bool ok = existing ? store_.updateIf(lease, *existing) : store_.add(lease);
    if (!ok) {
      if (existing) out.replaced.reset();
      return false;
    }
  }
  out.renewed = renew;
  out.lease = std::move(lease);
  return true;
}

void AllocEngine6::dropOthers(const ClientContext6& ctx, const std::vector<Lease6>& current,
                              const IPv6Address& kept, IaResult6& out) {
  // After the new lease is stored, so that a failed write never leaves the IA with nothing.
  for (const auto& l : current) {
    if (l.address == kept) continue;
    if (!ctx.fake) store_.remove(l.type, l.address);
    out.dropped.push_back(l);
  }
}

std::vector<Lease6> AllocEngine6::iaLeases(const ClientContext6& ctx, const IaContext6& ia) const {
  auto subnets = candidateSubnets(ctx);
  std::vector<Lease6> out;
  for (auto& l : store_.getByDuidIaid(ctx.duid, ia.iaid, ia.type)) {
    bool in_scope = std::any_of(subnets.begin(), subnets.end(),
                                [&](const Subnet6* s) { return s->id == l.subnet_id; });
    if (in_scope && l.state != LeaseState::kDeclined) out.push_back(std::move(l));
  }
  // The most recent first: that is the one kept.
  std::sort(out.begin(), out.end(), [](const Lease6& a, const Lease6& b) { return a.cltt > b.cltt; });
  return out;
}

IaResult6 AllocEngine6::allocate(ClientContext6& ctx, const IaContext6& ia) {
  IaResult6 out;
  if (!ctx.subnet) {
    out.failure = AllocFailure6::kNoPools;
    return out;
  }
  const bool pd = ia.type == Lease6Type::kPd;
  const auto subnets = candidateSubnets(ctx);
  const std::vector<Lease6> current = iaLeases(ctx, ia);
  auto take = [&](const Subnet6* s, const Prefix6& what, const std::optional<Lease6>& existing) {
    if (!commit(ctx, ia, *s, what, existing, out)) return false;
    dropOthers(ctx, current, what.address, out);
    ctx.subnet = s;
    return true;
  };

  // 1. The IA's own lease while its address (or prefix) is still acceptable.
  for (const Lease6& l : current) {
    for (const Subnet6* s : subnets) {
      if (s->id != l.subnet_id || !inRange(ctx, *s, ia.type, l.address, l.prefix_len)) continue;
      if (reservedForOther(ctx, *s, l.address, ia.type, l.prefix_len)) continue;
      if (take(s, Prefix6{l.address, l.prefix_len}, l)) return out;
      if (out.failure == AllocFailure6::kHookSkip) return out;
    }
  }

  // 2. A reservation.
  for (const Subnet6* s : subnets) {
    const Host6* h = hostFor(ctx, *s);
    if (!h) continue;
    std::vector<Prefix6> reserved;
    if (pd) {
      reserved = h->prefixes;
    } else {
      for (const auto& a : h->addresses) reserved.push_back(Prefix6{a, 128});
    }
    for (const Prefix6& r : reserved) {
      std::optional<Lease6> existing;
      if (!pd && !s->contains(r.address)) continue;
      if (usable(ctx, ia, *s, r.address, r.length, &existing) && take(s, r, existing)) return out;
      if (out.failure == AllocFailure6::kHookSkip) return out;
    }
  }

  // 3. The client's hint, when it lies in a pool the client may use.
  for (const Subnet6* s : subnets) {
    std::vector<Prefix6> hints;
    if (pd) {
      for (const auto& h : ia.prefix_hints) {
        if (!h.address.isZero()) hints.push_back(h);
      }
    } else {
      for (const auto& a : ia.hints) hints.push_back(Prefix6{a, 128});
    }
    for (const Prefix6& h : hints) {
      if (!inRange(ctx, *s, ia.type, h.address, h.length)) continue;
      std::optional<Lease6> existing;
      if (usable(ctx, ia, *s, h.address, h.length, &existing) && take(s, h, existing)) return out;
      if (out.failure == AllocFailure6::kHookSkip) return out;
    }
  }

  // 4. Fresh from the pools (bounded retries against concurrent takers).
  bool any_pool = false;
  for (const Subnet6* s : subnets) {
    if (pd ? s->pd_pools.empty() : s->pools.empty()) continue;
    any_pool = true;
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::optional<Lease6> existing;
      std::optional<Prefix6> what = pd ? pickPrefix(ctx, ia, *s, &existing) : pickAddress(ctx, ia, *s, &existing);
      if (!what) break;
      if (take(s, *what, existing)) return out;
      if (out.failure == AllocFailure6::kHookSkip || out.failure == AllocFailure6::kStoreError) return out;
    }
  }
  out.failure = !any_pool ? AllocFailure6::kNoPools
                          : (subnets.size() > 1 ? AllocFailure6::kSharedNetworkExhausted
                                                : AllocFailure6::kSubnetExhausted);
  return out;
}

void AllocEngine6::resetCursors() {
  std::lock_guard lock(cursor_mutex_);
  cursors_.clear();
}

}  // namespace takahe::dhcpsrv
