#pragma once

// Options configured by `option-data` at one level (global, subnet, pool, reservation),
// already encoded to wire bytes when the configuration was built.

#include <cstdint>
#include <string>
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

}  // namespace takahe::dhcpsrv
