#include "config_reader.h"

namespace takahe::agent {

ConfigReader::ConfigReader(const cc::Value& map, std::string path)
    : map_(map), path_(std::move(path)) {
  if (!map_.isMap()) {
    cc::throwConfigError(path_, "expected a map, got " + std::string(map_.typeName()),
                         map_.position());
  }
  used_.insert("comment");
  used_.insert("user-context");
}

std::string ConfigReader::childPath(std::string_view key) const {
  return path_ + "/" + std::string(key);
}

const cc::Value* ConfigReader::get(std::string_view key) {
  const cc::Value* v = map_.find(key);
  if (v) {
    used_.emplace(key);
  }
  return v;
}

const cc::Value& ConfigReader::require(std::string_view key) {
  const cc::Value* v = get(key);
  if (!v) {
    cc::throwConfigError(path_, "missing mandatory parameter '" + std::string(key) + "'",
                         map_.position());
  }
  return *v;
}

std::optional<bool> ConfigReader::getBool(std::string_view key) {
  const cc::Value* v = get(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isBool()) {
    fail(key, "expected a boolean, got " + std::string(v->typeName()));
  }
  return v->asBool();
}

std::optional<int64_t> ConfigReader::getInt(std::string_view key, int64_t min, int64_t max) {
  const cc::Value* v = get(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isInt()) {
    fail(key, "expected an integer, got " + std::string(v->typeName()));
  }
  int64_t x = v->asInt();
  if (x < min || x > max) {
    fail(key, "value " + std::to_string(x) + " is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return x;
}

std::optional<std::string> ConfigReader::getString(std::string_view key) {
  const cc::Value* v = get(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isString()) {
    fail(key, "expected a string, got " + std::string(v->typeName()));
  }
  return v->asString();
}

std::optional<std::string> ConfigReader::getNonEmptyString(std::string_view key) {
  auto s = getString(key);
  if (s && s->empty()) {
    fail(key, "must not be empty");
  }
  return s;
}

void ConfigReader::finish() const {
  for (const auto& [key, value] : map_.asMap()) {
    if (!used_.count(key)) {
      cc::throwConfigError(childPath(key), "unknown parameter '" + key + "'", value.position());
    }
  }
}

[[noreturn]] void ConfigReader::fail(std::string_view key, std::string_view message) const {
  const cc::Value* v = map_.find(key);
  cc::throwConfigError(childPath(key), message, v ? v->position() : map_.position());
}

}  // namespace takahe::agent
