#pragma once

// The JSON value model used everywhere above libs/cc. RapidJSON stays inside libs/cc.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "takahe/util/error.h"

namespace takahe::cc {

/// Where a value was written: file (or "<string>", "<command>") and 1-based line/column.
/// Empty when the value was built in code.
struct Position {
  std::shared_ptr<const std::string> file;
  uint32_t line = 0;
  uint32_t column = 0;

  bool known() const { return file != nullptr && line > 0; }
  /// "kea-dhcp4.conf:41" (column omitted), or "" when unknown.
  std::string str() const;
};

class Value;
using List = std::vector<Value>;
/// A JSON object; keeps member order as written (config-get returns keys in file order).
using Members = std::vector<std::pair<std::string, Value>>;

/// A JSON value with the position it was read from. Copyable, cheap to move.
class Value {
 public:
  enum class Type { Null, Bool, Int, Double, String, List, Map };

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(unsigned i) : v_(int64_t{i}) {}
  Value(int64_t i) : v_(i) {}
  Value(uint64_t i) : v_(static_cast<int64_t>(i)) {}
  Value(long long i) : v_(static_cast<int64_t>(i)) {}
  Value(unsigned long long i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::move(l)) {}
  Value(Members m) : v_(std::move(m)) {}

  static Value makeList() { return Value(List{}); }
  static Value makeMap() { return Value(Members{}); }

  Type type() const { return static_cast<Type>(v_.index()); }
  /// "null", "boolean", "integer", "real", "string", "list", "map" (for error messages).
  std::string_view typeName() const;
  bool isNull() const { return type() == Type::Null; }
  bool isBool() const { return type() == Type::Bool; }
  bool isInt() const { return type() == Type::Int; }
  bool isDouble() const { return type() == Type::Double; }
  bool isNumber() const { return isInt() || isDouble(); }
  bool isString() const { return type() == Type::String; }
  bool isList() const { return type() == Type::List; }
  bool isMap() const { return type() == Type::Map; }

  /// Typed access; a wrong type throws takahe::ConfigError naming the expected type and position.
  bool asBool() const;
  int64_t asInt() const;
  double asDouble() const;  // accepts integers too
  const std::string& asString() const;
  const List& asList() const;
  List& asList();
  const Members& asMap() const;
  Members& asMap();

  // Map helpers (throw ConfigError if this is not a map).
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  /// Throws ConfigError "missing mandatory parameter 'key'" with this map's position.
  const Value& at(std::string_view key) const;
  /// Replaces an existing member in place or appends a new one.
  void set(std::string_view key, Value v);
  bool erase(std::string_view key);

  // List helper.
  void push(Value v);
  /// Number of list items or map members; 0 for scalars.
  size_t size() const;

  const Position& position() const { return pos_; }
  void setPosition(Position p) { pos_ = std::move(p); }

  /// Compact JSON ("{"a":1}"), or indented with 4 spaces when pretty.
  std::string toJson(bool pretty = false) const;

  /// Deep equality, ignoring positions and map member order; an int and a double compare by
  /// value.
  bool operator==(const Value& other) const;

 private:
  std::variant<std::nullptr_t, bool, int64_t, double, std::string, List, Members> v_{nullptr};
  Position pos_;
};

/// Error while reading JSON text. what() is "file:line:col: message".
class ParseError : public takahe::ConfigError {
 public:
  using ConfigError::ConfigError;
  /// Builds what() as "file:line:col: message" and keeps `where` for callers.
  ParseError(const Position& where, std::string_view message);
  /// Where the error was found (unknown when built from a plain message).
  const Position& position() const { return where_; }

 private:
  Position where_;
};

/// Parses strict JSON (no comments), as received on the control channel. Positions refer to
/// `origin`. Throws ParseError.
Value parseJson(std::string_view text, std::string_view origin = "<string>");

/// Parses a configuration file as Kea does: `//`, `/* */` and `#` comments, and
/// `<?include "path"?>` (relative paths resolve against the including file's folder; includes
/// nest, loops are refused). Positions name the file each value really came from.
/// Throws ParseError (syntax) or takahe::ConfigError (unreadable file).
Value parseConfigFile(const std::string& path);

/// Same as parseConfigFile on text already in memory; `origin` names it in positions and
/// `base_dir` resolves relative includes.
Value parseConfigText(std::string_view text, std::string_view origin,
                      std::string_view base_dir = ".");

/// Builds "<path>: <message> (<file:line>)" — the form of every configuration error — and
/// throws it as takahe::ConfigError. The position part is left out when unknown.
[[noreturn]] void throwConfigError(std::string_view json_path, std::string_view message,
                                   const Position& where);

}  // namespace takahe::cc
