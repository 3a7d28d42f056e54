#include "takahe/dhcpsrv/lease.h"

#include <ostream>

namespace takahe::dhcpsrv {

std::string leaseStateName(LeaseState state) {
  switch (state) {
    case LeaseState::kDefault:
      return "default";
    case LeaseState::kDeclined:
      return "declined";
    case LeaseState::kExpiredReclaimed:
      return "expired-reclaimed";
    case LeaseState::kReleased:
      return "released";
    case LeaseState::kRegistered:
      return "registered";
  }
  return std::to_string(static_cast<uint32_t>(state));
}

bool Lease4::expired(int64_t now) const { return !infinite() && expire() < now; }

std::string toString(const Lease4& lease) {
  std::string s = lease.address.toString();
  s += " hw=" + lease.hwaddr.toString();
  s += " cid=" + lease.client_id.toString();
  s += " valid=" + std::to_string(lease.valid_lifetime);
  s += " cltt=" + std::to_string(lease.cltt);
  s += " subnet=" + std::to_string(lease.subnet_id.value);
  s += " fwd=" + std::to_string(lease.fqdn_fwd) + " rev=" + std::to_string(lease.fqdn_rev);
  s += " hostname='" + lease.hostname + "'";
  s += " state=" + leaseStateName(lease.state);
  s += " ctx='" + lease.user_context + "'";
  s += " pool=" + std::to_string(lease.pool_id);
  return s;
}

std::ostream& operator<<(std::ostream& os, const Lease4& lease) { return os << toString(lease); }

}  // namespace takahe::dhcpsrv
