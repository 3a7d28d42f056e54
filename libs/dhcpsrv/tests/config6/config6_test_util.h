#pragma once

// Helpers for the Dhcp6 configuration tests: a config from the body of a Dhcp6 map, and the
// error text of a config that must be refused.

#include <catch2/catch.hpp>
#include <string>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv::test6 {

inline SrvConfig6Ptr cfg6(const std::string& dhcp6_body) {
  return parseDhcp6Config(cc::parseConfigText("{\"Dhcp6\": {" + dhcp6_body + "}}", "test6.json"));
}

/// The message of the ConfigError the body raises, or "" when it parses.
inline std::string errorOf6(const std::string& dhcp6_body) {
  try {
    cfg6(dhcp6_body);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

inline bool hasWarning(const SrvConfig6& cfg, const std::string& part) {
  for (const auto& w : cfg.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

inline IPv6Address ip6(const char* text) { return IPv6Address::fromString(text); }
inline Prefix6 pfx6(const char* text) { return Prefix6::fromString(text); }

}  // namespace takahe::dhcpsrv::test6
