#include "takahe/cc/map_reader.h"

#include <algorithm>

namespace takahe::cc {

MapReader::MapReader(const Value& map, std::string path) : map_(map), path_(std::move(path)) {
  if (!map_.isMap()) {
    throwConfigError(path_, "expected a map, got " + std::string(map_.typeName()),
                         map_.position());
  }
  // Documentation keys are accepted everywhere Kea accepts them.
  used_.insert("comment");
  used_.insert("user-context");
}

const Value* MapReader::get(std::string_view key) {
  const Value* v = map_.find(key);
  if (v) used_.emplace(key);
  return v;
}

const Value& MapReader::require(std::string_view key) {
  const Value* v = get(key);
  if (!v) throwConfigError(path_, "missing mandatory parameter '" + std::string(key) + "'", map_.position());
  return *v;
}

[[noreturn]] void MapReader::fail(std::string_view key, std::string_view message) const {
  const Value* v = map_.find(key);
  throwConfigError(childPath(key), message, v ? v->position() : map_.position());
}

[[noreturn]] void MapReader::failAt(const Value& at, std::string_view path,
                                    std::string_view msg) const {
  throwConfigError(path, msg, at.position());
}

std::optional<bool> MapReader::getBool(std::string_view key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->isBool()) fail(key, "expected a boolean, got " + std::string(v->typeName()));
  return v->asBool();
}

std::optional<int64_t> MapReader::getInt(std::string_view key, int64_t min, int64_t max) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->isInt()) fail(key, "expected an integer, got " + std::string(v->typeName()));
  int64_t x = v->asInt();
  if (x < min || x > max) {
    fail(key, "value " + std::to_string(x) + " is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return x;
}

std::optional<uint32_t> MapReader::getUint32(std::string_view key) {
  auto v = getInt(key, 0, 0xffffffffLL);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<double> MapReader::getDouble(std::string_view key, double min, double max) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->isNumber()) fail(key, "expected a number, got " + std::string(v->typeName()));
  double x = v->asDouble();
  if (x < min || x > max) {
    fail(key, "value " + std::to_string(x) + " is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return x;
}

std::optional<std::string> MapReader::getString(std::string_view key) {
  const Value* v = get(key);
  if (!v) return std::nullopt;
  if (!v->isString()) fail(key, "expected a string, got " + std::string(v->typeName()));
  return v->asString();
}

std::optional<std::string> MapReader::getNonEmptyString(std::string_view key) {
  auto s = getString(key);
  if (s && s->empty()) fail(key, "'" + std::string(key) + "' must not be empty");
  return s;
}

void MapReader::finish() {
  std::vector<std::string> none;
  finish(none);
}

std::optional<IPv4Address> MapReader::getIPv4(std::string_view key) {
  auto s = getString(key);
  if (!s) return std::nullopt;
  auto a = IPv4Address::parse(*s);
  if (!a) fail(key, "'" + *s + "' is not a valid IPv4 address");
  return a;
}

void MapReader::ignore(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) used_.emplace(k);
}

void MapReader::finish(std::vector<std::string>& warnings,
                       std::span<const std::string_view> unimplemented) {
  for (const auto& [key, value] : map_.asMap()) {
    if (used_.count(key)) continue;
    bool known = std::find(unimplemented.begin(), unimplemented.end(), key) != unimplemented.end();
    if (!known) {
      throwConfigError(childPath(key), "unknown parameter '" + key + "'", value.position());
    }
    std::string where = value.position().str();
    warnings.push_back(childPath(key) + ": parameter '" + key +
                       "' is not implemented yet and is ignored" +
                       (where.empty() ? "" : " (" + where + ")"));
  }
}

}  // namespace takahe::cc
