#include "takahe/dhcpsrv/lease6.h"

#include <ostream>

namespace takahe::dhcpsrv {

std::string_view lease6TypeName(Lease6Type type) {
  switch (type) {
    case Lease6Type::kNa:
      return "IA_NA";
    case Lease6Type::kTa:
      return "IA_TA";
    case Lease6Type::kPd:
      return "IA_PD";
  }
  return "IA_?";
}

std::optional<Lease6Type> parseLease6Type(std::string_view name) {
  for (Lease6Type t : {Lease6Type::kNa, Lease6Type::kTa, Lease6Type::kPd}) {
    if (name == lease6TypeName(t)) {
      return t;
    }
  }
  return std::nullopt;
}

bool Lease6::expired(int64_t now) const { return !infinite() && expire() < now; }

std::string toString(const Lease6& lease) {
  std::string s = lease.address.toString();
  if (lease.type == Lease6Type::kPd) {
    s += "/" + std::to_string(lease.prefix_len);
  }
  s += " ";
  s += lease6TypeName(lease.type);
  if (lease.type != Lease6Type::kPd && lease.prefix_len != 128) {
    s += " prefix_len=" + std::to_string(lease.prefix_len);
  }
  s += " duid=" + lease.duid.toString();
  s += " iaid=" + std::to_string(lease.iaid);
  s += " pref=" + std::to_string(lease.preferred_lifetime);
  s += " valid=" + std::to_string(lease.valid_lifetime);
  s += " cltt=" + std::to_string(lease.cltt);
  s += " subnet=" + std::to_string(lease.subnet_id.value);
  s += " pool=" + std::to_string(lease.pool_id);
  s += " fwd=" + std::to_string(lease.fqdn_fwd) + " rev=" + std::to_string(lease.fqdn_rev);
  s += " hostname='" + lease.hostname + "'";
  if (!lease.hwaddr.empty()) {
    s += " hw=" + std::to_string(lease.hwaddr.htype) + "/" + lease.hwaddr.toString();
    s += " hwsrc=" + std::to_string(lease.hwaddr_source);
  }
  s += " state=" + leaseStateName(lease.state);
  s += " ctx='" + lease.user_context + "'";
  return s;
}

std::ostream& operator<<(std::ostream& os, const Lease6& lease) { return os << toString(lease); }

}  // namespace takahe::dhcpsrv
