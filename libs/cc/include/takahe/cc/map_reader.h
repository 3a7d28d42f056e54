#pragma once

// Reads one JSON map of the configuration while tracking which keys were used, so that every
// key is either handled, reported as "not implemented yet" (a warning), or refused as unknown
// (an error with its position) — never silently ignored.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/util/address.h"

namespace takahe::cc {

class MapReader {
 public:
  /// `path` is the JSON path of the map ("Dhcp4/subnet4[0]"); `map` must be a map.
  MapReader(const Value& map, std::string path);

  const std::string& path() const { return path_; }
  const Value& map() const { return map_; }
  std::string childPath(std::string_view key) const { return path_ + "/" + std::string(key); }

  /// Marks the key used and returns it, or nullptr when absent.
  const Value* get(std::string_view key);
  const Value& require(std::string_view key);

  std::optional<bool> getBool(std::string_view key);
  std::optional<int64_t> getInt(std::string_view key, int64_t min, int64_t max);
  std::optional<uint32_t> getUint32(std::string_view key);
  std::optional<double> getDouble(std::string_view key, double min, double max);
  std::optional<std::string> getString(std::string_view key);
  /// A string that must not be empty when present.
  std::optional<std::string> getNonEmptyString(std::string_view key);
  std::optional<IPv4Address> getIPv4(std::string_view key);

  /// Keys that are valid but have no effect (documentation only).
  void ignore(std::initializer_list<std::string_view> keys);

  /// Reports every unused key: those in `unimplemented` add a warning, others throw.
  void finish(std::vector<std::string>& warnings,
              std::span<const std::string_view> unimplemented = {});
  /// Every unused key is an error.
  void finish();

  [[noreturn]] void fail(std::string_view key, std::string_view message) const;
  [[noreturn]] void failAt(const Value& at, std::string_view path, std::string_view msg) const;

 private:
  const Value& map_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace takahe::cc
