#pragma once

// Subnets, address pools, prefix-delegation pools and reservations of the DHCPv6
// configuration. Every inheritable parameter (global -> shared network -> subnet) is resolved
// when the configuration is built, so packet processing reads plain fields.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "takahe/dhcpsrv/cfg_options.h"
#include "takahe/dhcpsrv/host.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv {

/// Client classes of a packet; nullptr stands for a packet in no class.
using ClassList = std::vector<std::string>;

/// Whether a packet of `classes` may use something restricted to `client_class` ("" and
/// "ALL" admit every packet).
bool classAllows(const std::string& client_class, const ClassList* classes);

/// An IA_NA address pool: `pool` given as "first - last" or as a prefix.
struct Pool6 {
  IPv6Address first;
  IPv6Address last;
  uint32_t pool_id = 0;
  CfgOptions6 options;
  std::string client_class;  // Kea's pool `client-class`
  std::vector<std::string> require_client_classes;

  bool contains(const IPv6Address& a) const { return first <= a && a <= last; }
  /// Number of addresses, capped at UINT64_MAX (Kea caps pool capacities the same way).
  uint64_t size() const;
  bool allows(const ClassList* classes) const { return classAllows(client_class, classes); }
};

/// A prefix-delegation pool: `prefix`/`prefix-len` carved into prefixes of `delegated-len`.
struct PdPool6 {
  Prefix6 prefix;  // host bits cleared; length = prefix-len
  uint8_t delegated_len = 64;
  /// `excluded-prefix`/`excluded-prefix-len` (RFC 6603): its bits between delegated-len and its
  /// own length are the same inside every delegated prefix of the pool.
  std::optional<Prefix6> excluded;
  uint32_t pool_id = 0;
  CfgOptions6 options;
  std::string client_class;
  std::vector<std::string> require_client_classes;

  /// How many prefixes of `delegated_len` the pool holds: 2^(delegated-len - prefix-len),
  /// capped at UINT64_MAX.
  uint64_t capacity() const;
  /// The delegated prefix number `n` (0-based, in address order), or nullopt past the end.
  std::optional<Prefix6> nth(uint64_t n) const;
  /// The position of a delegated prefix in the pool, or nullopt when it is not one of the
  /// pool's prefixes (wrong length, outside the pool, or host bits set).
  std::optional<uint64_t> indexOf(const Prefix6& delegated) const;
  bool contains(const Prefix6& delegated) const { return indexOf(delegated).has_value(); }
  /// Whether an address lies inside the pool prefix.
  bool containsAddress(const IPv6Address& a) const { return prefix.contains(a); }
  /// The prefix to put in PD_EXCLUDE for `delegated` (nullopt without excluded-prefix or when
  /// `delegated` is not a prefix of this pool).
  std::optional<Prefix6> excludedFor(const Prefix6& delegated) const;
  bool allows(const ClassList* classes) const { return classAllows(client_class, classes); }
};

/// A DHCPv6 host reservation (`reservations` in Dhcp6 or a subnet6).
struct Host6 {
  HostIdType id_type = HostIdType::kDuid;  // duid, hw-address or flex-id
  Bytes identifier;
  SubnetId subnet_id;  // 0 = global reservation
  std::vector<IPv6Address> addresses;
  std::vector<Prefix6> prefixes;
  std::string hostname;
  CfgOptions6 options;
  std::vector<std::string> client_classes;
};

/// Host reservations of one subnet (or the global ones), indexed for the lookups packet
/// processing makes.
class HostIndex6 {
 public:
  void add(Host6 host);
  const Host6* find(HostIdType type, const Bytes& id) const;
  const Host6* findByDuid(const Duid& duid) const { return find(HostIdType::kDuid, duid.bytes); }
  /// Kea keys hw-address reservations by the address bytes only (any hardware type).
  const Host6* findByHwAddr(const HwAddr& hw) const {
    return find(HostIdType::kHwAddress, hw.bytes);
  }
  const Host6* findByAddress(const IPv6Address& a) const;
  const Host6* findByPrefix(const Prefix6& p) const;
  const std::vector<Host6>& all() const { return hosts_; }
  bool empty() const { return hosts_.empty(); }
  size_t size() const { return hosts_.size(); }

 private:
  std::vector<Host6> hosts_;
  std::unordered_map<std::string, size_t> by_id_;  // type byte + identifier bytes
  std::unordered_map<std::string, size_t>
      by_lease_;  // 16 address bytes (+ length byte for prefixes)
};

/// Lifetimes and timers of a DHCPv6 subnet, resolved from global, shared network and subnet.
struct Lifetimes6 {
  uint32_t valid = 7200;
  uint32_t min_valid = 7200;
  uint32_t max_valid = 7200;
  uint32_t preferred = 3600;
  uint32_t min_preferred = 3600;
  uint32_t max_preferred = 3600;
  std::optional<uint32_t> renew;   // T1 when configured
  std::optional<uint32_t> rebind;  // T2 when configured
  bool calculate_tee_times = true;
  double t1_percent = 0.5;
  double t2_percent = 0.8;
};

struct Subnet6 {
  SubnetId id;
  Prefix6 prefix;  // host bits cleared
  std::vector<Pool6> pools;
  std::vector<PdPool6> pd_pools;
  CfgOptions6 options;
  HostIndex6 hosts;
  /// `relay.ip-addresses` of the subnet, or of its shared network when the subnet has none.
  std::vector<IPv6Address> relay_addresses;
  std::string interface;  // "" when not set (inherited from the shared network)
  Bytes interface_id;     // `interface-id` text as bytes, empty when not set (inherited)
  bool rapid_commit = false;
  Lifetimes6 lifetimes;
  bool reservations_global = false;
  bool reservations_in_subnet = true;
  bool reservations_out_of_pool = false;
  std::string client_class;  // `client-class`: only packets of that class may use the subnet
  std::vector<std::string> require_client_classes;
  std::string shared_network;        // name of the shared network, "" when standalone
  std::string network_client_class;  // `client-class` of the shared network
  CfgOptions6 network_options;       // option-data of the shared network
  std::string json_path;             // "Dhcp6/subnet6[2]" for messages

  bool contains(const IPv6Address& a) const { return prefix.contains(a); }
  /// Whether a packet of `classes` may use this subnet (its own and its network's class).
  bool allows(const ClassList* classes) const;

  bool inPool(const IPv6Address& a) const { return poolFor(a) != nullptr; }
  /// In a pool that a packet of `classes` may use.
  bool inPoolFor(const IPv6Address& a, const ClassList* classes) const;
  const Pool6* poolFor(const IPv6Address& a) const;
  /// The address pools a packet of `classes` may use, in configuration order.
  std::vector<const Pool6*> poolsFor(const ClassList* classes) const;

  /// The pd-pool a delegated prefix belongs to (right length, inside the pool), or null.
  const PdPool6* pdPoolFor(const Prefix6& delegated) const;
  std::vector<const PdPool6*> pdPoolsFor(const ClassList* classes) const;

  /// Sizes for `total-nas` / `total-pds`, capped at UINT64_MAX.
  uint64_t totalAddresses() const;
  uint64_t totalPrefixes() const;
};

/// Where a DHCPv6 packet came from, for subnet selection (Kea's rules, see selectSubnet6).
struct SubnetSelector6 {
  std::string iface;           ///< interface the packet arrived on
  IPv6Address remote_address;  ///< source address of a direct packet (:: when unknown)
  /// Link-address of the innermost relay whose link-address is neither :: nor link-local
  /// (see relayLinkAddress); :: for a direct packet.
  IPv6Address relay_link_address;
  /// Payload of the interface-id option (18) of the relay closest to the server, if any.
  std::optional<Bytes> interface_id;
  const ClassList* classes = nullptr;  ///< the packet's client classes
};

/// The link-address Kea selects by: walking the relays from the client side (`link_addresses`
/// is ordered outermost relay first, as decapsulated), the first that is neither :: nor
/// link-local (fe80::/10); :: when there is none.
IPv6Address relayLinkAddress(const std::vector<IPv6Address>& link_addresses);

/// Kea's DHCPv6 subnet selection over `subnets` (tried in subnet-id order):
/// - direct (relay link-address ::): the first subnet whose `interface` is the arrival
///   interface, else the first whose prefix holds the source address;
/// - relayed: the first subnet whose `interface-id` equals the relay's, else the first whose
///   relay ip-addresses (its own, else its shared network's) list the link-address, else the
///   first whose prefix holds the link-address.
/// A subnet (or its shared network) restricted to a client class is skipped for other packets.
const Subnet6* selectSubnet6(const std::vector<Subnet6>& subnets, const SubnetSelector6& sel);

}  // namespace takahe::dhcpsrv
