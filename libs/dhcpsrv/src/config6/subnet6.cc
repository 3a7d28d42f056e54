// Lookups on the DHCPv6 configuration model: pools, prefix-delegation arithmetic,
// reservations and Kea's subnet selection.

#include "takahe/dhcpsrv/subnet6.h"

#include <limits>

#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::dhcpsrv {

namespace {

using U128 = unsigned __int128;

U128 toU128(const IPv6Address& a) {
  U128 v = 0;
  for (uint8_t b : a.bytes()) v = (v << 8) | b;
  return v;
}

IPv6Address fromU128(U128 v) {
  std::array<uint8_t, 16> b{};
  for (int i = 15; i >= 0; --i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return IPv6Address(b);
}

/// Mask of the first `len` bits.
U128 prefixMask(uint8_t len) { return len == 0 ? 0 : ~U128{0} << (128 - len); }

uint64_t saturate(U128 v) {
  return v > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                  : static_cast<uint64_t>(v);
}

std::string idKey(HostIdType type, const Bytes& id) {
  std::string k(1, static_cast<char>(type));
  k.append(id.begin(), id.end());
  return k;
}

std::string leaseKey(const IPv6Address& a) {
  return std::string(a.bytes().begin(), a.bytes().end());
}

std::string leaseKey(const Prefix6& p) {
  std::string k = leaseKey(p.address);
  k.push_back(static_cast<char>(p.length));
  return k;
}

bool isLinkLocal(const IPv6Address& a) {
  return a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

}  // namespace

bool classAllows(const std::string& client_class, const ClassList* classes) {
  if (client_class.empty() || client_class == "ALL") return true;
  if (!classes) return false;
  for (const auto& c : *classes) {
    if (c == client_class) return true;
  }
  return false;
}

uint64_t Pool6::size() const {
  U128 span = toU128(last) - toU128(first);  // +1 could wrap for the whole address space
  return span >= std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                      : static_cast<uint64_t>(span) + 1;
}

uint64_t PdPool6::capacity() const {
  unsigned bits = delegated_len - prefix.length;
  return bits >= 64 ? std::numeric_limits<uint64_t>::max() : uint64_t{1} << bits;
}

std::optional<Prefix6> PdPool6::nth(uint64_t n) const {
  unsigned bits = delegated_len - prefix.length;
  if (bits < 64 && n >= (uint64_t{1} << bits)) return std::nullopt;
  U128 step = delegated_len == 0 ? 0 : U128{1} << (128 - delegated_len);
  U128 base = toU128(prefix.address) & prefixMask(prefix.length);
  return Prefix6{fromU128(base + U128{n} * step), delegated_len};
}

std::optional<uint64_t> PdPool6::indexOf(const Prefix6& delegated) const {
  if (delegated.length != delegated_len || !prefix.contains(delegated.address)) return std::nullopt;
  U128 a = toU128(delegated.address);
  if ((a & ~prefixMask(delegated_len)) != 0) return std::nullopt;  // host bits set
  U128 offset = (a & ~prefixMask(prefix.length)) >> (128 - delegated_len);
  if (offset > std::numeric_limits<uint64_t>::max()) return std::nullopt;  // beyond what we index
  return static_cast<uint64_t>(offset);
}

std::optional<Prefix6> PdPool6::excludedFor(const Prefix6& delegated) const {
  if (!excluded || !contains(delegated)) return std::nullopt;
  // The bits of the configured excluded prefix between delegated-len and its own length are
  // the "subnet id" RFC 6603 carries; they are the same in every delegated prefix.
  U128 sub = toU128(excluded->address) & ~prefixMask(delegated_len) & prefixMask(excluded->length);
  return Prefix6{fromU128(toU128(delegated.address) | sub), excluded->length};
}

void HostIndex6::add(Host6 host) {
  size_t i = hosts_.size();
  by_id_.emplace(idKey(host.id_type, host.identifier), i);
  for (const auto& a : host.addresses) by_lease_.emplace(leaseKey(a), i);
  for (const auto& p : host.prefixes) by_lease_.emplace(leaseKey(p), i);
  hosts_.push_back(std::move(host));
}

const Host6* HostIndex6::find(HostIdType type, const Bytes& id) const {
  auto it = by_id_.find(idKey(type, id));
  return it == by_id_.end() ? nullptr : &hosts_[it->second];
}

const Host6* HostIndex6::findByAddress(const IPv6Address& a) const {
  auto it = by_lease_.find(leaseKey(a));
  return it == by_lease_.end() ? nullptr : &hosts_[it->second];
}

const Host6* HostIndex6::findByPrefix(const Prefix6& p) const {
  auto it = by_lease_.find(leaseKey(p));
  return it == by_lease_.end() ? nullptr : &hosts_[it->second];
}

bool Subnet6::allows(const ClassList* classes) const {
  return classAllows(network_client_class, classes) && classAllows(client_class, classes);
}

bool Subnet6::inPoolFor(const IPv6Address& a, const ClassList* classes) const {
  const Pool6* p = poolFor(a);
  return p && p->allows(classes);
}

const Pool6* Subnet6::poolFor(const IPv6Address& a) const {
  for (const auto& p : pools) {
    if (p.contains(a)) return &p;
  }
  return nullptr;
}

std::vector<const Pool6*> Subnet6::poolsFor(const ClassList* classes) const {
  std::vector<const Pool6*> out;
  for (const auto& p : pools) {
    if (p.allows(classes)) out.push_back(&p);
  }
  return out;
}

const PdPool6* Subnet6::pdPoolFor(const Prefix6& delegated) const {
  for (const auto& p : pd_pools) {
    if (p.contains(delegated)) return &p;
  }
  return nullptr;
}

std::vector<const PdPool6*> Subnet6::pdPoolsFor(const ClassList* classes) const {
  std::vector<const PdPool6*> out;
  for (const auto& p : pd_pools) {
    if (p.allows(classes)) out.push_back(&p);
  }
  return out;
}

uint64_t Subnet6::totalAddresses() const {
  U128 n = 0;
  for (const auto& p : pools) n += p.size();
  return saturate(n);
}

uint64_t Subnet6::totalPrefixes() const {
  U128 n = 0;
  for (const auto& p : pd_pools) n += p.capacity();
  return saturate(n);
}

IPv6Address relayLinkAddress(const std::vector<IPv6Address>& link_addresses) {
  for (auto it = link_addresses.rbegin(); it != link_addresses.rend(); ++it) {
    if (!it->isZero() && !isLinkLocal(*it)) return *it;
  }
  return IPv6Address();
}

const Subnet6* selectSubnet6(const std::vector<Subnet6>& subnets, const SubnetSelector6& sel) {
  if (sel.relay_link_address.isZero()) {
    if (!sel.iface.empty()) {
      for (const auto& s : subnets) {
        if (s.interface == sel.iface && s.allows(sel.classes)) return &s;
      }
    }
    if (!sel.remote_address.isZero()) {
      for (const auto& s : subnets) {
        if (s.contains(sel.remote_address) && s.allows(sel.classes)) return &s;
      }
    }
    return nullptr;
  }
  if (sel.interface_id) {
    for (const auto& s : subnets) {
      if (!s.interface_id.empty() && s.interface_id == *sel.interface_id && s.allows(sel.classes))
        return &s;
    }
  }
  for (const auto& s : subnets) {
    for (const auto& relay : s.relay_addresses) {
      if (relay == sel.relay_link_address && s.allows(sel.classes)) return &s;
    }
  }
  for (const auto& s : subnets) {
    if (s.contains(sel.relay_link_address) && s.allows(sel.classes)) return &s;
  }
  return nullptr;
}

const Subnet6* SrvConfig6::subnetById(SubnetId id) const {
  for (const auto& s : subnets) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const SharedNetwork6* SrvConfig6::sharedNetwork(const std::string& name) const {
  for (const auto& n : shared_networks) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

}  // namespace takahe::dhcpsrv
