#pragma once

// Builds a SrvConfig6 from a Kea `Dhcp6` map. Errors throw takahe::ConfigError naming the JSON
// path and file:line; keys Kea knows but Takahe does not implement yet become warnings; other
// keys are refused.

#include <string>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::dhcpsrv {

/// `root_or_dhcp6` is either the whole file ({"Dhcp6": {...}, ...}; the other top-level maps
/// Kea tolerates are ignored with a warning) or the Dhcp6 map itself.
SrvConfig6Ptr parseDhcp6Config(const cc::Value& root_or_dhcp6);

/// Reads and parses a config file (comments, includes).
SrvConfig6Ptr loadDhcp6ConfigFile(const std::string& path);

}  // namespace takahe::dhcpsrv
