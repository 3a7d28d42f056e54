#include "takahe/dhcpsrv/host.h"
#include "takahe/dhcpsrv/subnet.h"

namespace takahe::dhcpsrv {

namespace {
std::string key(HostIdType type, const Bytes& id) {
  std::string k(1, static_cast<char>(type));
  k.append(id.begin(), id.end());
  return k;
}
}  // namespace

std::string_view hostIdTypeName(HostIdType t) {
  switch (t) {
    case HostIdType::kHwAddress: return "hw-address";
    case HostIdType::kDuid: return "duid";
    case HostIdType::kCircuitId: return "circuit-id";
    case HostIdType::kClientId: return "client-id";
    case HostIdType::kFlexId: return "flex-id";
  }
  return "unknown";
}

void HostIndex::add(Host4 host) {
  size_t i = hosts_.size();
  by_id_.emplace(key(host.id_type, host.identifier), i);
  if (host.address) by_addr_.emplace(*host.address, i);
  hosts_.push_back(std::move(host));
}

const Host4* HostIndex::find(HostIdType type, const Bytes& id) const {
  auto it = by_id_.find(key(type, id));
  return it == by_id_.end() ? nullptr : &hosts_[it->second];
}

const Host4* HostIndex::findByAddress(IPv4Address a) const {
  auto it = by_addr_.find(a);
  return it == by_addr_.end() ? nullptr : &hosts_[it->second];
}

bool Subnet4::inPool(IPv4Address a) const { return poolFor(a) != nullptr; }

bool Subnet4::inPoolFor(IPv4Address a, const std::vector<std::string>* classes) const {
  const Pool4* p = poolFor(a);
  return p && p->allows(classes);
}

const Pool4* Subnet4::poolFor(IPv4Address a) const {
  for (const auto& p : pools) {
    if (p.contains(a)) return &p;
  }
  return nullptr;
}

uint64_t Subnet4::totalAddresses() const {
  uint64_t n = 0;
  for (const auto& p : pools) n += p.size();
  return n;
}

}  // namespace takahe::dhcpsrv
