#pragma once

// The immutable DHCPv6 server configuration snapshot built from a Kea `Dhcp6` map.
// Packets hold a std::shared_ptr<const SrvConfig6>; reload builds a new one and swaps it.
// Blocks that DHCPv4 and DHCPv6 share (lease-database, hosts-database, expired leases,
// multi-threading, control sockets) use the types of srv_config.h.

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/cfg_options.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/dhcpsrv/subnet6.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/log/config.h"

namespace takahe::dhcpsrv {

/// One `interfaces-config.interfaces` entry: "eth0", "eth0/2001:db8::1" (also listen on that
/// unicast address), or "*".
struct InterfaceSpec6 {
  std::string name;
  std::optional<IPv6Address> unicast;
};

struct InterfacesConfig6 {
  std::vector<InterfaceSpec6> interfaces;
  bool re_detect = true;
  bool service_sockets_require_all = false;
  uint32_t service_sockets_retry_wait_time = 5000;
  uint32_t service_sockets_max_retries = 0;
};

enum class ServerDuidType : uint16_t { kLlt = 1, kEn = 2, kLl = 3 };

/// `server-id`: how the server DUID is built (Kea's defaults: DUID-LLT, kept in the data
/// directory as `kea-dhcp6-serverid`). Zero/empty fields are filled from the stored DUID or
/// generated (see resolveServerDuid).
struct ServerIdConfig {
  ServerDuidType type = ServerDuidType::kLlt;
  Bytes identifier;            // LLT/LL: link-layer address; EN: identifier
  uint16_t htype = 0;          // LLT/LL hardware type
  uint32_t time = 0;           // LLT: seconds since 2000-01-01 UTC
  uint32_t enterprise_id = 0;  // EN
  bool persist = true;
};

/// `mac-sources`: where the server may find a client's hardware address (Kea's names; the
/// aliases rfc6939, rfc4649 and rfc4580 map onto client-link-addr-option, remote-id and
/// subscriber-id).
enum class MacSource {
  kAny,
  kRaw,
  kDuid,
  kIpv6LinkLocal,
  kClientLinkAddrOption,
  kRemoteId,
  kSubscriberId,
  kDocsisCmts,
  kDocsisModem,
};

/// `sanity-checks.lease-checks`.
enum class LeaseChecks { kNone, kWarn, kFix, kFixDel, kDel };

/// A client class of `client-classes`: kept by name (classification is not implemented yet).
struct ClientClass6 {
  std::string name;
  cc::Value raw;  // the class map as written
};

struct SharedNetwork6 {
  std::string name;
  std::vector<SubnetId> subnets;
  std::string json_path;
};

struct SrvConfig6 {
  cc::Value source;  // the Dhcp6 map as given (for config-get)
  std::vector<std::string> warnings;

  InterfacesConfig6 interfaces;
  LeaseDatabaseConfig lease_database;
  HostDatabaseConfig hosts_database;
  ExpiredLeasesConfig expired_leases;
  MultiThreadingConfig multi_threading;  // Kea 2.2 default: disabled
  std::vector<log::LoggerSpec> loggers;
  std::vector<ControlSocketSpec> control_sockets;
  std::vector<hooks::HookLibraryConfig> hooks_libraries;

  ServerIdConfig server_id;
  /// `data-directory`; "" = the daemon's default (where kea-dhcp6-serverid is kept).
  std::string data_directory;

  dhcp::OptionDefinitionSet option_defs;
  CfgOptions6 options;           // global option-data
  std::vector<Subnet6> subnets;  // ordered by subnet id (the order Kea selects in)
  std::vector<SharedNetwork6> shared_networks;
  HostIndex6 global_hosts;
  std::vector<ClientClass6> client_classes;
  std::vector<HostIdType> host_identifiers{HostIdType::kHwAddress, HostIdType::kDuid};
  std::vector<MacSource> mac_sources{MacSource::kAny};
  /// Option codes a relay may supply that are copied into the reply (RSOO, RFC 6422); 65
  /// (erp-local-domain-name) is always included, as in Kea.
  std::vector<uint16_t> relay_supplied_options{65};

  uint32_t decline_probation_period = 86400;
  uint16_t dhcp4o6_port = 0;  // accepted; DHCPv4-over-DHCPv6 is not implemented
  LeaseChecks lease_checks = LeaseChecks::kWarn;
  uint32_t parked_packet_limit = 256;
  std::string server_tag;
  int64_t statistic_default_sample_count = 20;
  int64_t statistic_default_sample_age = 0;
  AllocatorType allocator = AllocatorType::kIterative;
  AllocatorType pd_allocator = AllocatorType::kIterative;
  bool ip_reservations_unique = true;
  bool early_global_reservations_lookup = false;
  bool reservations_lookup_first = false;
  /// `dhcp-ddns` as written (null when absent); DHCPv6 DNS updates are not implemented yet.
  cc::Value dhcp_ddns;
  bool ddns_enable_updates = false;

  const Subnet6* subnetById(SubnetId id) const;
  const SharedNetwork6* sharedNetwork(const std::string& name) const;
  /// Kea's subnet selection over this configuration's subnets (see selectSubnet6).
  const Subnet6* selectSubnet(const SubnetSelector6& sel) const {
    return selectSubnet6(subnets, sel);
  }
};

using SrvConfig6Ptr = std::shared_ptr<const SrvConfig6>;

/// Kea's server DUID file name, "kea-dhcp6-serverid", inside `data_directory`.
std::string serverIdFilePath(const std::string& data_directory);

/// A link-layer address the server may build its DUID-LLT/LL from (an interface's).
struct LinkLayerSource {
  uint16_t htype = 1;
  Bytes address;
};

/// Builds the server DUID as Kea does. Configured fields win. With `persist`, fields left
/// unset come from the DUID stored in `file` when it has the configured type; what is still
/// missing is generated: the link-layer address and type from `link`, the LLT time from `now`,
/// an EN identifier of 6 random bytes under enterprise 2495 (ISC). With `persist` the result is
/// written back to `file` as colon-separated hex. Throws takahe::Error when a DUID-LLT/LL
/// needs a link-layer address and none is known, or the file cannot be written.
Duid resolveServerDuid(const ServerIdConfig& cfg, const std::string& file,
                       const std::optional<LinkLayerSource>& link, std::time_t now);

}  // namespace takahe::dhcpsrv
