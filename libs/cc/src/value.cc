#include "takahe/cc/value.h"

#include <algorithm>
#include <string>

namespace takahe::cc {

namespace {

std::string withPosition(std::string msg, const Position& pos) {
  if (pos.known()) {
    msg += " (";
    msg += pos.str();
    msg += ')';
  }
  return msg;
}

[[noreturn]] void throwWrongType(const Value& v, std::string_view expected) {
  std::string msg = "expected ";
  msg += expected;
  msg += ", got ";
  msg += v.typeName();
  throw ConfigError(withPosition(std::move(msg), v.position()));
}

// JSON maps are unordered: equal when both hold the same keys with equal values.
bool mapsEqual(const Members& a, const Members& b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.size() <= 16) {
    for (const auto& member : a) {
      auto it = std::find_if(b.begin(), b.end(),
                             [&](const auto& kv) { return kv.first == member.first; });
      if (it == b.end() || !(it->second == member.second)) {
        return false;
      }
    }
    return true;
  }
  // Large maps: sort views of both by key so the comparison stays O(n log n).
  auto sorted = [](const Members& m) {
    std::vector<const std::pair<std::string, Value>*> v;
    v.reserve(m.size());
    for (const auto& kv : m) {
      v.push_back(&kv);
    }
    std::stable_sort(v.begin(), v.end(), [](auto* x, auto* y) { return x->first < y->first; });
    return v;
  };
  auto sa = sorted(a);
  auto sb = sorted(b);
  for (size_t i = 0; i < sa.size(); ++i) {
    if (sa[i]->first != sb[i]->first || !(sa[i]->second == sb[i]->second)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Position::str() const {
  if (!known()) {
    return {};
  }
  return *file + ":" + std::to_string(line);
}

ParseError::ParseError(const Position& where, std::string_view message)
    : ConfigError([&] {
        std::string s = where.file ? *where.file : std::string("<unknown>");
        s += ':';
        s += std::to_string(where.line);
        s += ':';
        s += std::to_string(where.column);
        s += ": ";
        s += message;
        return s;
      }()),
      where_(where) {}

std::string_view Value::typeName() const {
  switch (type()) {
    case Type::Null:
      return "null";
    case Type::Bool:
      return "boolean";
    case Type::Int:
      return "integer";
    case Type::Double:
      return "real";
    case Type::String:
      return "string";
    case Type::List:
      return "list";
    case Type::Map:
      return "map";
  }
  return "unknown";
}

bool Value::asBool() const {
  if (const auto* b = std::get_if<bool>(&v_)) {
    return *b;
  }
  throwWrongType(*this, "boolean");
}

int64_t Value::asInt() const {
  if (const auto* i = std::get_if<int64_t>(&v_)) {
    return *i;
  }
  throwWrongType(*this, "integer");
}

double Value::asDouble() const {
  if (const auto* d = std::get_if<double>(&v_)) {
    return *d;
  }
  if (const auto* i = std::get_if<int64_t>(&v_)) {
    return static_cast<double>(*i);
  }
  throwWrongType(*this, "real");
}

const std::string& Value::asString() const {
  if (const auto* s = std::get_if<std::string>(&v_)) {
    return *s;
  }
  throwWrongType(*this, "string");
}

const List& Value::asList() const {
  if (const auto* l = std::get_if<List>(&v_)) {
    return *l;
  }
  throwWrongType(*this, "list");
}

List& Value::asList() {
  if (auto* l = std::get_if<List>(&v_)) {
    return *l;
  }
  throwWrongType(*this, "list");
}

const Members& Value::asMap() const {
  if (const auto* m = std::get_if<Members>(&v_)) {
    return *m;
  }
  throwWrongType(*this, "map");
}

Members& Value::asMap() {
  if (auto* m = std::get_if<Members>(&v_)) {
    return *m;
  }
  throwWrongType(*this, "map");
}

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : asMap()) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  for (auto& [k, v] : asMap()) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

const Value& Value::at(std::string_view key) const {
  if (const Value* v = find(key)) {
    return *v;
  }
  std::string msg = "missing mandatory parameter '";
  msg += key;
  msg += '\'';
  throw ConfigError(withPosition(std::move(msg), pos_));
}

void Value::set(std::string_view key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return;
  }
  asMap().emplace_back(std::string(key), std::move(v));
}

bool Value::erase(std::string_view key) {
  Members& m = asMap();
  auto it = std::find_if(m.begin(), m.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == m.end()) {
    return false;
  }
  m.erase(it);
  return true;
}

void Value::push(Value v) { asList().push_back(std::move(v)); }

size_t Value::size() const {
  if (const auto* l = std::get_if<List>(&v_)) {
    return l->size();
  }
  if (const auto* m = std::get_if<Members>(&v_)) {
    return m->size();
  }
  return 0;
}

bool Value::operator==(const Value& other) const {
  if (isNumber() && other.isNumber()) {
    if (isInt() && other.isInt()) {
      return asInt() == other.asInt();
    }
    return asDouble() == other.asDouble();
  }
  if (type() != other.type()) {
    return false;
  }
  switch (type()) {
    case Type::Null:
      return true;
    case Type::Bool:
      return asBool() == other.asBool();
    case Type::String:
      return asString() == other.asString();
    case Type::List:
      return asList() == other.asList();
    case Type::Map:
      return mapsEqual(asMap(), other.asMap());
    default:
      return false;  // numbers handled above
  }
}

void throwConfigError(std::string_view json_path, std::string_view message, const Position& where) {
  std::string msg;
  if (!json_path.empty()) {
    msg += json_path;
    msg += ": ";
  }
  msg += message;
  throw ConfigError(withPosition(std::move(msg), where));
}

}  // namespace takahe::cc
