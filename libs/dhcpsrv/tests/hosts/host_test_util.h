#pragma once

// Helpers for the host reservation tests.

#include <string>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/host.h"

namespace takahe::dhcpsrv::test {

inline Host4 makeHost(uint32_t subnet, const char* hw, const char* address = nullptr,
                      const char* hostname = "") {
  Host4 h;
  h.subnet_id = SubnetId(subnet);
  h.id_type = HostIdType::kHwAddress;
  h.identifier = *parseHex(hw);
  if (address) {
    h.address = IPv4Address::fromString(address);
  }
  h.hostname = hostname;
  return h;
}

inline bool sameOptions(const CfgOptions& a, const CfgOptions& b) {
  if (a.options.size() != b.options.size()) {
    return false;
  }
  for (size_t i = 0; i < a.options.size(); ++i) {
    const auto& x = a.options[i];
    const auto& y = b.options[i];
    if (x.code != y.code || x.data != y.data || x.always_send != y.always_send ||
        x.never_send != y.never_send) {
      return false;
    }
  }
  return true;
}

inline bool sameHost(const Host4& a, const Host4& b) {
  return a.id_type == b.id_type && a.identifier == b.identifier && a.subnet_id == b.subnet_id &&
         a.address == b.address && a.hostname == b.hostname && sameOptions(a.options, b.options) &&
         a.next_server == b.next_server && a.server_hostname == b.server_hostname &&
         a.boot_file_name == b.boot_file_name;
}

/// A configuration with subnet 1 (192.0.2.0/24) and a custom option definition (code 224,
/// "tftp-config", string) to show names resolved through the configuration.
inline SrvConfig4Ptr hostTestConfig() {
  return parseDhcp4Config(cc::parseJson(R"({"Dhcp4": {
    "option-def": [ { "name": "tftp-config", "code": 224, "type": "string" } ],
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                   "pools": [ { "pool": "192.0.2.100 - 192.0.2.200" } ] } ] }})"));
}

}  // namespace takahe::dhcpsrv::test
