// Option definition registry: lookups by (space, code) and (space, name), and the checks a
// definition must pass before it is added.

#include "takahe/dhcp/option_definition.h"

#include <algorithm>
#include <array>
#include <utility>

namespace takahe::dhcp {

namespace {

struct TypeName {
  OptionDataType type;
  std::string_view name;
};

constexpr std::array<TypeName, 18> kTypeNames = {{
    {OptionDataType::kEmpty, "empty"},
    {OptionDataType::kBinary, "binary"},
    {OptionDataType::kBoolean, "boolean"},
    {OptionDataType::kInt8, "int8"},
    {OptionDataType::kInt16, "int16"},
    {OptionDataType::kInt32, "int32"},
    {OptionDataType::kUint8, "uint8"},
    {OptionDataType::kUint16, "uint16"},
    {OptionDataType::kUint32, "uint32"},
    {OptionDataType::kIpv4Address, "ipv4-address"},
    {OptionDataType::kIpv6Address, "ipv6-address"},
    {OptionDataType::kIpv6Prefix, "ipv6-prefix"},
    {OptionDataType::kPsid, "psid"},
    {OptionDataType::kString, "string"},
    {OptionDataType::kFqdn, "fqdn"},
    {OptionDataType::kTuple, "tuple"},
    {OptionDataType::kRecord, "record"},
    {OptionDataType::kInternal, "internal"},
}};

bool validNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool validName(std::string_view name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), validNameChar)) {
    return false;
  }
  auto edge = [](char c) { return c == '-' || c == '_'; };
  return !edge(name.front()) && !edge(name.back());
}

bool variableTail(OptionDataType t) {
  return t == OptionDataType::kString || t == OptionDataType::kBinary;
}

}  // namespace

std::optional<OptionDataType> optionDataTypeFromName(std::string_view name) {
  for (const auto& t : kTypeNames) {
    if (t.name == name) {
      return t.type;
    }
  }
  return std::nullopt;
}

std::string_view optionDataTypeName(OptionDataType t) {
  for (const auto& n : kTypeNames) {
    if (n.type == t) {
      return n.name;
    }
  }
  return "unknown";
}

bool isV6Definition(const OptionDefinition& def) {
  return def.universe == OptionUniverse::kV6 || def.space == kDhcp6Space;
}

Result<bool> validateOptionDefinition(const OptionDefinition& def) {
  using R = Result<bool>;
  std::string who = "option definition '" + def.name + "' (code " + std::to_string(def.code) +
                    ", space '" + def.space + "'): ";
  if (!validName(def.name)) {
    return R::failure(who + "invalid name: use letters, digits, '-' and '_' (not at either end)");
  }
  if (!validName(def.space)) {
    return R::failure(who + "invalid option space name");
  }
  if (!def.encapsulate.empty() && !validName(def.encapsulate)) {
    return R::failure(who + "invalid encapsulated space name '" + def.encapsulate + "'");
  }
  if (isV6Definition(def)) {
    // 16-bit codes; only 0 is reserved, and only at the top level (RFC 8415 21.1).
    if (def.space == kDhcp6Space && def.code == 0) {
      return R::failure(who + "DHCPv6 option codes must be 1..65535 (0 is reserved)");
    }
  } else if (def.space == kDhcp4Space && (def.code == 0 || def.code > 254)) {
    return R::failure(who + "DHCPv4 option codes must be 1..254 (0 and 255 are pad and end)");
  } else if (def.space != kDhcp4Space && def.code > 255) {
    return R::failure(who + "DHCPv4 sub-option codes must be 0..255");
  }
  if (def.type == OptionDataType::kRecord) {
    const auto& f = def.record_types;
    if (f.size() < 2) {
      return R::failure(who + "a record needs at least two fields");
    }
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] == OptionDataType::kEmpty || f[i] == OptionDataType::kRecord ||
          f[i] == OptionDataType::kInternal) {
        return R::failure(who + "a record cannot hold a field of type '" +
                          std::string(optionDataTypeName(f[i])) + "'");
      }
      if (variableTail(f[i]) && i + 1 < f.size()) {
        return R::failure(who + "a " + std::string(optionDataTypeName(f[i])) +
                          " field can only be the last field of a record");
      }
    }
    if (def.array && variableTail(f.back())) {
      return R::failure(who + "an array of " + std::string(optionDataTypeName(f.back())) +
                        " values is not a valid option definition");
    }
  } else {
    if (!def.record_types.empty()) {
      return R::failure(who + "record-types are only allowed for type 'record'");
    }
    if (def.array && (variableTail(def.type) || def.type == OptionDataType::kEmpty ||
                      def.type == OptionDataType::kInternal)) {
      return R::failure(who + "an array of " + std::string(optionDataTypeName(def.type)) +
                        " values is not a valid option definition");
    }
  }
  return true;
}

Result<bool> OptionDefinitionSet::add(OptionDefinition def) {
  auto valid = validateOptionDefinition(def);
  if (!valid) {
    return valid;
  }
  auto name_it = by_name_.find(std::pair<std::string_view, std::string_view>(def.space, def.name));
  if (name_it != by_name_.end() && name_it->second != def.code) {
    return Result<bool>::failure(
        "option definition '" + def.name + "' (code " + std::to_string(def.code) + ", space '" +
        def.space + "'): the name is already used by code " + std::to_string(name_it->second));
  }
  auto code_it = by_code_.find(std::pair<std::string_view, uint16_t>(def.space, def.code));
  if (code_it != by_code_.end()) {
    // Replacing: the old name no longer refers to this code.
    auto old_name = by_name_.find(
        std::pair<std::string_view, std::string_view>(def.space, code_it->second.name));
    if (old_name != by_name_.end()) {
      by_name_.erase(old_name);
    }
    by_code_.erase(code_it);
  }
  by_name_[{def.space, def.name}] = def.code;
  std::pair<std::string, uint16_t> key{def.space, def.code};
  by_code_.emplace(std::move(key), std::move(def));
  return true;
}

const OptionDefinition* OptionDefinitionSet::find(std::string_view space, uint16_t code) const {
  auto it = by_code_.find(std::pair<std::string_view, uint16_t>(space, code));
  return it == by_code_.end() ? nullptr : &it->second;
}

const OptionDefinition* OptionDefinitionSet::find(std::string_view space,
                                                  std::string_view name) const {
  auto it = by_name_.find(std::pair<std::string_view, std::string_view>(space, name));
  return it == by_name_.end() ? nullptr : find(space, it->second);
}

std::vector<const OptionDefinition*> OptionDefinitionSet::all() const {
  std::vector<const OptionDefinition*> out;
  out.reserve(by_code_.size());
  for (const auto& [key, def] : by_code_) {
    out.push_back(&def);
  }
  return out;
}

}  // namespace takahe::dhcp
