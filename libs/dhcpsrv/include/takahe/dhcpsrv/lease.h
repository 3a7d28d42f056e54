#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv {

/// Lease state as stored in lease files and SQL tables (Kea's numbering).
enum class LeaseState : uint32_t {
  kDefault = 0,           ///< assigned to a client
  kDeclined = 1,          ///< the client reported the address in use (DHCPDECLINE)
  kExpiredReclaimed = 2,  ///< expired and reclaimed; kept for hold-reclaimed-time
  kReleased = 3,          ///< released by the client but kept (lease affinity)
  kRegistered = 4,        ///< DHCPv6 address registration (never used for DHCPv4)
};

/// Highest LeaseState value understood.
inline constexpr uint32_t kMaxLeaseState = 4;

/// "default", "declined", "expired-reclaimed", "released", "registered" (or the number).
std::string leaseStateName(LeaseState state);

/// valid_lifetime meaning "never expires".
inline constexpr uint32_t kInfiniteLifetime = 0xffffffffu;

/// One DHCPv4 lease.
struct Lease4 {
  IPv4Address address;
  HwAddr hwaddr;  ///< may be empty (declined leases)
  ClientId client_id;
  uint32_t valid_lifetime = 0;  ///< seconds; kInfiniteLifetime = never expires
  int64_t cltt = 0;             ///< client last transmission time, Unix seconds
  SubnetId subnet_id;
  bool fqdn_fwd = false;
  bool fqdn_rev = false;
  std::string hostname;
  LeaseState state = LeaseState::kDefault;
  std::string user_context;  ///< JSON map text, or empty
  uint32_t pool_id = 0;

  /// Expiration time (Unix seconds), as written to the `expire` column.
  int64_t expire() const { return cltt + valid_lifetime; }
  /// True when the lease has expired at `now`; a lease with an infinite lifetime never expires.
  bool expired(int64_t now) const;
  /// True for infinite-lifetime leases.
  bool infinite() const { return valid_lifetime == kInfiniteLifetime; }

  bool operator==(const Lease4&) const = default;
};

/// "192.0.2.1 hw 1a:1b:.. cid .. subnet 1 ..." for logs and test failure messages.
std::string toString(const Lease4& lease);
std::ostream& operator<<(std::ostream& os, const Lease4& lease);

}  // namespace takahe::dhcpsrv
