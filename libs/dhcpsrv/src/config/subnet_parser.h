#pragma once

// subnet4, shared-networks and reservations, with Kea's inheritance of parameters
// (global -> shared network -> subnet).

#include <optional>
#include <string>
#include <vector>

#include "takahe/cc/map_reader.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv::detail {

using cc::MapReader;

/// Parameters that may be given at global, shared-network and subnet level.
struct InheritedParams {
  std::optional<uint32_t> valid, min_valid, max_valid, renew, rebind;
  std::optional<bool> calculate_tee_times;
  std::optional<double> t1_percent, t2_percent, cache_threshold;
  std::optional<bool> match_client_id, authoritative;
  std::optional<bool> reservations_global, reservations_in_subnet, reservations_out_of_pool;
  std::optional<IPv4Address> next_server;
  std::optional<std::string> server_hostname, boot_file_name, interface;
  std::optional<std::vector<IPv4Address>> relay_addresses;

  /// Values set here win over `parent`.
  InheritedParams over(const InheritedParams& parent) const;
};

/// Where a parameter block sits; `interface` and `relay` exist only below the global level.
enum class Level { kGlobal, kSharedNetwork, kSubnet };

InheritedParams readInheritable(MapReader& r, std::vector<std::string>& warnings, Level level);

void parseSubnets(const cc::Value& list, const std::string& path, const InheritedParams& parent,
                  const CfgOptions& network_options, SrvConfig4& cfg,
                  const std::string& network_name = "");
void parseSharedNetworks(const cc::Value& list, const std::string& path, const InheritedParams& global,
                         SrvConfig4& cfg);
void parseReservations(const cc::Value& list, const std::string& path, SubnetId subnet,
                       const SrvConfig4& cfg, HostIndex& into);

}  // namespace takahe::dhcpsrv::detail
