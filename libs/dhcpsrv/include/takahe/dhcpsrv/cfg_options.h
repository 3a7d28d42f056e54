#pragma once

// Options configured by `option-data` at one level (global, subnet, pool, reservation),
// already encoded to wire bytes when the configuration was built. CfgOptions holds DHCPv4
// options (8-bit codes), CfgOptions6 DHCPv6 options (16-bit codes).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/util/hex.h"

namespace takahe::dhcpsrv {

struct ConfiguredOption {
  uint8_t code = 0;
  Bytes data;               // payload, sub-options of encapsulated spaces already appended
  bool always_send = false;  // send even when not in the parameter request list
  bool never_send = false;   // never send, even when requested
};

/// Options of one configuration level. Lookup by code is a short linear scan (few options).
struct CfgOptions {
  std::vector<ConfiguredOption> options;

  const ConfiguredOption* find(uint8_t code) const {
    for (const auto& o : options) {
      if (o.code == code) return &o;
    }
    return nullptr;
  }
  bool empty() const { return options.empty(); }
};

/// A DHCPv6 option of one configuration level: 16-bit code, payload with the sub-options of
/// its encapsulated space already appended (2-byte codes and lengths). vendor-opts (17) holds
/// its enterprise number followed by the options of space "vendor-<enterprise>".
struct ConfiguredOption6 {
  uint16_t code = 0;
  Bytes data;
  bool always_send = false;
  bool never_send = false;
};

/// The options of one DHCPv6 option space other than "dhcp6" at one configuration level
/// (sub-options such as s46-cont-mape-options, vendor spaces "vendor-<enterprise>"), payloads
/// with their own encapsulated spaces folded in. Kept so a server can combine a container
/// configured at one level with sub-options configured at another (a reservation's s46 rules
/// in a subnet's s46-cont-mape) and answer vendor-specific requests.
struct SpaceOptions6 {
  std::string space;
  std::vector<ConfiguredOption6> options;

  const ConfiguredOption6* find(uint16_t code) const {
    for (const auto& o : options) {
      if (o.code == code) return &o;
    }
    return nullptr;
  }
};

/// DHCPv6 options of one configuration level (global, shared network, subnet, pool, pd-pool,
/// reservation).
struct CfgOptions6 {
  /// Options of space "dhcp6", in configuration order, with the options of the space each one
  /// encapsulates (at this level) folded in. vendor-opts (17) may appear once per enterprise
  /// number; any other code appears once (a later entry replaces an earlier one).
  std::vector<ConfiguredOption6> options;
  /// Every other space configured at this level, in name order.
  std::vector<SpaceOptions6> spaces;

  const ConfiguredOption6* find(uint16_t code) const {
    for (const auto& o : options) {
      if (o.code == code) return &o;
    }
    return nullptr;
  }
  /// The vendor-opts (17) option configured for `enterprise`, or null.
  const ConfiguredOption6* findVendorOpts(uint32_t enterprise) const {
    for (const auto& o : options) {
      if (o.code == 17 && o.data.size() >= 4 &&
          ((uint32_t{o.data[0]} << 24) | (uint32_t{o.data[1]} << 16) | (uint32_t{o.data[2]} << 8) |
           o.data[3]) == enterprise) {
        return &o;
      }
    }
    return nullptr;
  }
  /// The options configured in `space_name`, or null.
  const SpaceOptions6* space(std::string_view space_name) const {
    for (const auto& s : spaces) {
      if (s.space == space_name) return &s;
    }
    return nullptr;
  }
  /// The options configured in space "vendor-<enterprise>", or null.
  const SpaceOptions6* vendor(uint32_t enterprise) const {
    return space("vendor-" + std::to_string(enterprise));
  }
  bool empty() const { return options.empty() && spaces.empty(); }
};

}  // namespace takahe::dhcpsrv
