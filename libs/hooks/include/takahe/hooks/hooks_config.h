#pragma once

// The `hooks-libraries` entries of a daemon's configuration.

#include <string>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::hooks {

/// One entry of `hooks-libraries`.
struct HookLibraryConfig {
  std::string path;
  cc::Value parameters = cc::Value::makeMap();
  bool operator==(const HookLibraryConfig& o) const;
};

/// Parses a `hooks-libraries` list; throws takahe::ConfigError naming the entry (`json_path`
/// is the list's path, e.g. "Dhcp4/hooks-libraries").
std::vector<HookLibraryConfig> parseHooksLibraries(const cc::Value& list, const std::string& json_path);

}  // namespace takahe::hooks
