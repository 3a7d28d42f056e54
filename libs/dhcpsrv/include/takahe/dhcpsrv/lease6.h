#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "takahe/dhcpsrv/lease.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv {

/// What a DHCPv6 lease is for (Kea's numbering, the `lease_type` column of lease files).
enum class Lease6Type : uint8_t {
  kNa = 0,  ///< non-temporary address (IA_NA)
  kTa = 1,  ///< temporary address (IA_TA)
  kPd = 2,  ///< delegated prefix (IA_PD)
};

/// Highest Lease6Type value understood.
inline constexpr uint32_t kMaxLease6Type = 2;

/// "IA_NA", "IA_TA", "IA_PD" (as lease6 commands show them).
std::string_view lease6TypeName(Lease6Type type);
/// Reverse of lease6TypeName; nullopt for anything else.
std::optional<Lease6Type> parseLease6Type(std::string_view name);

/// Bits of `Lease6::hwaddr_source`: where the server learnt the hardware address (Kea's values,
/// the `hwaddr_source` column).
namespace hwaddr_source {
inline constexpr uint32_t kUnknown = 0;
inline constexpr uint32_t kRaw = 1;              ///< the packet's source link-layer address
inline constexpr uint32_t kIpv6LinkLocal = 2;    ///< from an EUI-64 link-local source address
inline constexpr uint32_t kDuid = 4;             ///< from a DUID-LLT or DUID-LL
inline constexpr uint32_t kClientAddrRelay = 8;  ///< client link-layer address option (RFC 6939)
inline constexpr uint32_t kRemoteId = 16;        ///< relay remote-id (RFC 4649)
inline constexpr uint32_t kSubscriberId = 32;    ///< relay subscriber-id (RFC 4580)
inline constexpr uint32_t kDocsisCmts = 64;
inline constexpr uint32_t kDocsisModem = 128;
}  // namespace hwaddr_source

/// One DHCPv6 lease: an address (IA_NA, IA_TA) or a delegated prefix (IA_PD).
struct Lease6 {
  IPv6Address address;  ///< the address, or the first address of the delegated prefix
  Lease6Type type = Lease6Type::kNa;
  uint8_t prefix_len = 128;  ///< 128 for addresses; the delegated length for prefixes
  Duid duid;                 ///< the client's DUID; never empty in a stored lease
  uint32_t iaid = 0;
  uint32_t preferred_lifetime = 0;  ///< seconds
  uint32_t valid_lifetime = 0;      ///< seconds; kInfiniteLifetime = never expires
  int64_t cltt = 0;                 ///< client last transmission time, Unix seconds
  SubnetId subnet_id;
  uint32_t pool_id = 0;
  bool fqdn_fwd = false;
  bool fqdn_rev = false;
  std::string hostname;
  HwAddr hwaddr;               ///< may be empty; htype is the lease file's `hwtype`
  uint32_t hwaddr_source = 0;  ///< hwaddr_source bits; meaningful only with a hwaddr
  LeaseState state = LeaseState::kDefault;
  std::string user_context;  ///< JSON map text, or empty

  /// Expiration time (Unix seconds), as written to the `expire` column.
  int64_t expire() const { return cltt + valid_lifetime; }
  /// True when the lease has expired at `now`; a lease with an infinite lifetime never expires.
  bool expired(int64_t now) const;
  /// True for infinite-lifetime leases.
  bool infinite() const { return valid_lifetime == kInfiniteLifetime; }

  bool operator==(const Lease6&) const = default;
};

/// "2001:db8::1 IA_NA duid=.. iaid=.. subnet=1 ..." ("3000:1::/56 IA_PD ..." for prefixes), for
/// logs and test failure messages.
std::string toString(const Lease6& lease);
std::ostream& operator<<(std::ostream& os, const Lease6& lease);

}  // namespace takahe::dhcpsrv
