#pragma once

// subnet6, shared-networks, pools, pd-pools and reservations of a Dhcp6 map, with Kea's
// inheritance of parameters (global -> shared network -> subnet).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "takahe/cc/map_reader.h"
#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::dhcpsrv::detail {

using cc::MapReader;

/// Parameters that may be given at global, shared-network and subnet level.
struct InheritedParams6 {
  std::optional<uint32_t> valid, min_valid, max_valid, preferred, min_preferred, max_preferred;
  std::optional<uint32_t> renew, rebind;
  std::optional<bool> calculate_tee_times;
  std::optional<double> t1_percent, t2_percent;
  std::optional<bool> reservations_global, reservations_in_subnet, reservations_out_of_pool;
  std::optional<bool> rapid_commit;
  std::optional<std::string> interface, interface_id;
  std::optional<std::vector<IPv6Address>> relay_addresses;

  /// Values set here win over `parent`.
  InheritedParams6 over(const InheritedParams6& parent) const;
};

/// Where a parameter block sits; `interface`, `interface-id` and `relay` exist only below the
/// global level.
enum class Level6 { kGlobal, kSharedNetwork, kSubnet };

InheritedParams6 readInheritable6(MapReader& r, std::vector<std::string>& warnings, Level6 level);

/// Resolves lifetimes and timers with Kea's defaults (valid 7200, preferred 3600, T1/T2 0.5/0.8
/// of the preferred lifetime when calculated) and checks them; errors name the key in `r`.
Lifetimes6 resolveLifetimes6(const InheritedParams6& p, const MapReader& r,
                             std::vector<std::string>& warnings);

/// State shared by the subnet parsers of one configuration.
struct SubnetContext6 {
  SrvConfig6& cfg;
  std::set<uint32_t> explicit_ids;           // every `id` written in the file, found before parsing
  uint32_t next_free_id = 1;                 // for subnets without an id
  std::map<uint32_t, std::string> id_owner;  // subnet id -> JSON path of its subnet
  std::map<std::string, std::string> prefix_owner;  // "2001:db8::/64" -> JSON path
};

/// Collects the explicit subnet ids of `subnet6` and `shared-networks[].subnet6` so subnets
/// without an id can be numbered without clashing.
void collectSubnetIds(const cc::Value& dhcp6, SubnetContext6& ctx);

void parseSubnets6(const cc::Value& list, const std::string& path, const InheritedParams6& parent,
                   SubnetContext6& ctx, const SharedNetwork6* network = nullptr,
                   const std::string& network_client_class = "",
                   const CfgOptions6& network_options = {});
void parseSharedNetworks6(const cc::Value& list, const std::string& path,
                          const InheritedParams6& global, SubnetContext6& ctx);

/// `reservations` of a subnet (subnet != nullptr) or the global ones (into cfg.global_hosts).
void parseReservations6(const cc::Value& list, const std::string& path, const Subnet6* subnet,
                        SrvConfig6& cfg, HostIndex6& into);

/// Reads a list of client class names (`require-client-classes`).
std::vector<std::string> readClassList(MapReader& r, std::string_view key);

std::optional<IPv6Address> getIPv6(MapReader& r, std::string_view key);

/// Clears the bits of `a` past `len`.
IPv6Address maskAddress(const IPv6Address& a, uint8_t len);

}  // namespace takahe::dhcpsrv::detail
