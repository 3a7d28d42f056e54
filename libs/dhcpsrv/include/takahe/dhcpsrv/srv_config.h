#pragma once

// The immutable DHCPv4 server configuration snapshot built from a Kea `Dhcp4` map.
// Packets hold a std::shared_ptr<const SrvConfig4>; reload builds a new one and swaps it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/cfg_options.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/subnet.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/log/config.h"

namespace takahe::dhcpsrv {

enum class SocketType { kRaw, kUdp };
enum class OutboundInterface { kSameAsInbound, kUseRouting };
enum class AllocatorType { kIterative, kRandom };

struct InterfaceSpec {
  std::string name;                   // "eth0", "*" for all
  std::optional<IPv4Address> address;  // "eth0/192.0.2.1"
};

struct InterfacesConfig {
  std::vector<InterfaceSpec> interfaces;
  SocketType socket_type = SocketType::kRaw;
  OutboundInterface outbound = OutboundInterface::kSameAsInbound;
  bool re_detect = true;
  bool service_sockets_require_all = false;
  uint32_t service_sockets_retry_wait_time = 5000;
  uint32_t service_sockets_max_retries = 0;
};

struct LeaseDatabaseConfig {
  std::string type = "memfile";
  std::string name;  // lease file path ("" = default)
  bool persist = true;
  int64_t lfc_interval = 3600;
  uint64_t max_row_errors = 0;
  cc::Value raw;  // the whole map as written
  /// Connection parameters when `type` is sqlite, postgresql or mysql.
  std::optional<db::DbConfig> sql;
};

/// `hosts-database`: where reservations added by command are kept: "memfile" (Takahe's embedded
/// JSON file) or a SQL database.
struct HostDatabaseConfig {
  std::string type = "memfile";
  std::string name;  // memfile: file path ("" = beside the lease file, or memory only when leases are)
  std::optional<db::DbConfig> sql;  // sqlite, postgresql, mysql
};

struct ExpiredLeasesConfig {
  uint32_t reclaim_timer_wait_time = 10;          // s
  uint32_t flush_reclaimed_timer_wait_time = 25;  // s
  uint32_t hold_reclaimed_time = 3600;            // s
  uint32_t max_reclaim_leases = 100;
  uint32_t max_reclaim_time = 250;  // ms
  uint32_t unwarned_reclaim_cycles = 5;
};

struct MultiThreadingConfig {
  bool enabled = false;
  uint32_t thread_pool_size = 0;
  uint32_t packet_queue_size = 64;
};

/// One control channel. Only "unix" is served today; "http"/"https" are accepted with a warning.
struct ControlSocketSpec {
  std::string type;  // "unix", "http", "https"
  std::string name;  // unix: socket path
  cc::Value raw;     // the whole map, for the HTTP channel to come
};

struct SrvConfig4 {
  cc::Value source;  // the Dhcp4 map as given (for config-get), comments removed
  std::vector<std::string> warnings;

  InterfacesConfig interfaces;
  LeaseDatabaseConfig lease_database;
  HostDatabaseConfig hosts_database;
  ExpiredLeasesConfig expired_leases;
  MultiThreadingConfig multi_threading;
  std::vector<log::LoggerSpec> loggers;
  /// Control channels from Kea 2's `control-socket` map and Kea 3's `control-sockets` list.
  std::vector<ControlSocketSpec> control_sockets;

  dhcp::OptionDefinitionSet option_defs;
  CfgOptions options;  // global option-data
  std::vector<Subnet4> subnets;
  HostIndex global_hosts;
  std::vector<HostIdType> host_identifiers{HostIdType::kHwAddress, HostIdType::kDuid,
                                          HostIdType::kCircuitId, HostIdType::kClientId};

  uint32_t decline_probation_period = 86400;
  bool echo_client_id = true;
  AllocatorType allocator = AllocatorType::kIterative;
  std::string server_tag;
  int64_t statistic_default_sample_count = 20;
  int64_t statistic_default_sample_age = 0;
  double cache_threshold = 0.25;
  /// `hooks-libraries`, loaded in this order.
  std::vector<hooks::HookLibraryConfig> hooks_libraries;
  /// `parked-packet-limit`: packets a hook point may hold parked (0 = no limit).
  uint32_t parked_packet_limit = 256;

  const Subnet4* subnetById(SubnetId id) const;
};

using SrvConfig4Ptr = std::shared_ptr<const SrvConfig4>;

}  // namespace takahe::dhcpsrv
