#pragma once

// `option-def` and `option-data` lists: definitions are added to the configuration's own copy of
// the standard set; option data is encoded to wire bytes, with sub-options of encapsulated
// spaces (43, 82, custom spaces, vendor-N for 125) folded into their carrier option.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/cfg_options.h"

namespace takahe::dhcpsrv::detail {

/// `universe` kV6 reads a Dhcp6 `option-def`: default space "dhcp6", codes up to 65535, every
/// definition marked kV6, the standard dhcp6 definitions cannot be redefined, and space
/// "docsis3-v6" is read as "vendor-4491".
void parseOptionDefs(const cc::Value& list, const std::string& path, dhcp::OptionDefinitionSet& defs,
                     std::vector<std::string>& warnings,
                     dhcp::OptionUniverse universe = dhcp::OptionUniverse::kV4);

CfgOptions parseOptionData(const cc::Value& list, const std::string& path,
                           const dhcp::OptionDefinitionSet& defs, std::vector<std::string>& warnings);

/// One `option-data` entry, its own data encoded, before sub-options are folded into carriers.
struct OptionEntry {
  std::string space;
  uint16_t code = 0;
  Bytes data;
  bool always_send = false;
  bool never_send = false;
  const dhcp::OptionDefinition* def = nullptr;  // null: no definition (hex data)
  std::string path;                             // JSON path of the entry
  cc::Position position;                        // where the entry was written
  bool has_data = false;
};

/// Reads and encodes every entry of an `option-data` list (shared by the DHCPv4 and DHCPv6
/// parsers). `universe` decides the default space (dhcp4/dhcp6) and the code range; with kV6
/// the space "docsis3-v6" (Kea 2.2's name of the CableLabs space) is read as "vendor-4491".
std::vector<OptionEntry> readOptionData(const cc::Value& list, const std::string& path,
                                        const dhcp::OptionDefinitionSet& defs,
                                        std::vector<std::string>& warnings,
                                        dhcp::OptionUniverse universe);

/// Adds definitions Kea knows in vendor spaces that configs commonly use (vendor-4491).
void addVendorDefs(dhcp::OptionDefinitionSet& defs);

}  // namespace takahe::dhcpsrv::detail
