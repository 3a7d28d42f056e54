#pragma once

// The shape of the built-in option tables (std_option_defs4.cc, std_option_defs6.cc) and how a
// table becomes an OptionDefinitionSet. Private to libs/dhcp.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcp/option_definition.h"

namespace takahe::dhcp::detail {

/// One row of a built-in table: Kea's space, name, code, type, array flag, record fields and
/// encapsulated space.
struct StdDef {
  std::string_view space;
  std::string_view name;
  uint16_t code;
  OptionDataType type;
  bool array;
  std::vector<OptionDataType> record;
  std::string_view encapsulate;
};

/// The definitions of `table`, all of `universe`. `what` names the table in the error thrown
/// when a row is refused (a programming error, caught by the first test run).
inline OptionDefinitionSet buildStandardSet(std::span<const StdDef> table, OptionUniverse universe,
                                            std::string_view what) {
  OptionDefinitionSet set;
  for (const auto& d : table) {
    OptionDefinition def;
    def.name = std::string(d.name);
    def.code = d.code;
    def.space = std::string(d.space);
    def.type = d.type;
    def.array = d.array;
    def.record_types.assign(d.record.begin(), d.record.end());
    def.encapsulate = std::string(d.encapsulate);
    def.universe = universe;
    auto r = set.add(std::move(def));
    if (!r) {
      throw std::logic_error(std::string(what) + ": " + r.error());
    }
  }
  return set;
}

}  // namespace takahe::dhcp::detail
