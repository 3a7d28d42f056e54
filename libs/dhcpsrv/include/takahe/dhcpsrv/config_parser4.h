#pragma once

// Builds a SrvConfig4 from a Kea `Dhcp4` map. Errors throw takahe::ConfigError naming the JSON
// path and file:line; keys Kea knows but Takahe does not implement yet become warnings.

#include <string>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv {

/// `root` is the whole file ({"Dhcp4": {...}, ...}). Other top-level maps Kea tolerates
/// (Logging, Control-agent, DhcpDdns, Dhcp6) are ignored with a warning.
SrvConfig4Ptr parseDhcp4Config(const cc::Value& root);

/// Reads and parses a config file (comments, includes).
SrvConfig4Ptr loadDhcp4ConfigFile(const std::string& path);

}  // namespace takahe::dhcpsrv
