#pragma once

// Helpers for the DHCPv6 lease tests (scratch directories and files come from the DHCPv4 ones).

#include <string>
#include <vector>

#include "../leases/lease_test_util.h"
#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcpsrv::test {

/// An IA_NA lease (128-bit prefix length) unless `type` says otherwise.
inline Lease6 makeLease6(const std::string& address, const std::string& duid, uint32_t iaid,
                         uint32_t subnet, int64_t cltt = 1700000000, uint32_t valid = 3600,
                         Lease6Type type = Lease6Type::kNa, uint8_t prefix_len = 128) {
  Lease6 l;
  l.address = IPv6Address::fromString(address);
  l.type = type;
  l.prefix_len = prefix_len;
  l.duid = Duid::fromString(duid);
  l.iaid = iaid;
  l.subnet_id = SubnetId(subnet);
  l.cltt = cltt;
  l.valid_lifetime = valid;
  l.preferred_lifetime = valid == kInfiniteLifetime ? valid : valid / 2;
  return l;
}

inline Lease6 makePd(const std::string& prefix, uint8_t len, const std::string& duid, uint32_t iaid,
                     uint32_t subnet, int64_t cltt = 1700000000, uint32_t valid = 3600) {
  return makeLease6(prefix, duid, iaid, subnet, cltt, valid, Lease6Type::kPd, len);
}

inline std::vector<std::string> addressesOf(const std::vector<Lease6>& leases) {
  std::vector<std::string> out;
  for (const auto& l : leases) {
    out.push_back(l.address.toString());
  }
  return out;
}

}  // namespace takahe::dhcpsrv::test
