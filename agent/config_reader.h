#pragma once

// Reads one JSON map of the agent's configuration while tracking which keys were used, so that
// every key is handled, warned about, or refused with its JSON path and file:line. (The agent
// does not link dhcpsrv, whose reader serves the DHCP daemons; this is the agent's small one.)

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::agent {

class ConfigReader {
 public:
  /// `path` is the JSON path of the map ("Control-agent/authentication"). Throws
  /// takahe::ConfigError when `map` is not a map. `comment` and `user-context` are accepted.
  ConfigReader(const cc::Value& map, std::string path);

  const std::string& path() const { return path_; }
  const cc::Value& map() const { return map_; }
  std::string childPath(std::string_view key) const;

  /// Marks the key used and returns it, or nullptr when absent.
  const cc::Value* get(std::string_view key);
  /// As get(), but a missing key is an error.
  const cc::Value& require(std::string_view key);

  std::optional<bool> getBool(std::string_view key);
  std::optional<int64_t> getInt(std::string_view key, int64_t min, int64_t max);
  std::optional<std::string> getString(std::string_view key);
  /// A string that must not be empty when present.
  std::optional<std::string> getNonEmptyString(std::string_view key);

  /// Throws for the first key that was not used (in file order): "unknown parameter 'x'".
  void finish() const;

  /// Throws takahe::ConfigError for `key` ("<path>/<key>: message (file:line)").
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

 private:
  const cc::Value& map_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace takahe::agent
