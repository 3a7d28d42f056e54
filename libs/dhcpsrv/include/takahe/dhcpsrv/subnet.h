#pragma once

// Subnets and pools of the DHCPv4 configuration. Every inheritable parameter is resolved when
// the configuration is built, so packet processing reads plain fields.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "takahe/dhcpsrv/cfg_options.h"
#include "takahe/dhcpsrv/host.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv {

struct Pool4 {
  IPv4Address first;
  IPv4Address last;
  uint32_t pool_id = 0;
  CfgOptions options;
  /// Kea's pool `client-class`: when set, only packets of that class get addresses here.
  std::string client_class;

  /// Whether a packet of `classes` may get addresses here ("ALL" matches every packet).
  bool allows(const std::vector<std::string>* classes) const {
    if (client_class.empty() || client_class == "ALL") return true;
    if (!classes) return false;
    for (const auto& c : *classes) {
      if (c == client_class) return true;
    }
    return false;
  }

  bool contains(IPv4Address a) const { return first <= a && a <= last; }
  uint64_t size() const { return uint64_t{last.toUint()} - first.toUint() + 1; }
};

struct Lifetimes {
  uint32_t valid = 7200;
  uint32_t min_valid = 7200;
  uint32_t max_valid = 7200;
  std::optional<uint32_t> renew;   // T1 when configured
  std::optional<uint32_t> rebind;  // T2 when configured
  bool calculate_tee_times = false;
  double t1_percent = 0.5;
  double t2_percent = 0.875;
};

/// Host reservations indexed for the lookups packet processing makes.
class HostIndex {
 public:
  void add(Host4 host);
  const Host4* find(HostIdType type, const Bytes& id) const;
  const Host4* findByAddress(IPv4Address a) const;
  const std::vector<Host4>& all() const { return hosts_; }
  bool empty() const { return hosts_.empty(); }

 private:
  std::vector<Host4> hosts_;
  std::unordered_map<std::string, size_t> by_id_;  // key: type byte + identifier bytes
  std::unordered_map<IPv4Address, size_t> by_addr_;
};

struct Subnet4 {
  SubnetId id;
  Prefix4 prefix;
  std::vector<Pool4> pools;
  CfgOptions options;
  HostIndex hosts;
  std::vector<IPv4Address> relay_addresses;
  std::string interface;
  Lifetimes lifetimes;
  bool match_client_id = true;
  bool authoritative = false;
  bool reservations_global = false;
  bool reservations_in_subnet = true;
  bool reservations_out_of_pool = false;
  std::optional<IPv4Address> next_server;
  std::string server_hostname;
  std::string boot_file_name;
  std::string shared_network;   // name of the shared network, "" when standalone
  CfgOptions network_options;   // option-data of the shared network
  std::string json_path;  // "Dhcp4/subnet4[2]" for messages

  bool inPool(IPv4Address a) const;
  /// In a pool that a packet of `classes` may use (nullptr: a packet without classes).
  bool inPoolFor(IPv4Address a, const std::vector<std::string>* classes) const;
  const Pool4* poolFor(IPv4Address a) const;
  uint64_t totalAddresses() const;
};

}  // namespace takahe::dhcpsrv
