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

void parseOptionDefs(const cc::Value& list, const std::string& path, dhcp::OptionDefinitionSet& defs,
                     std::vector<std::string>& warnings);

CfgOptions parseOptionData(const cc::Value& list, const std::string& path,
                           const dhcp::OptionDefinitionSet& defs, std::vector<std::string>& warnings);

/// Adds definitions Kea knows in vendor spaces that configs commonly use (vendor-4491).
void addVendorDefs(dhcp::OptionDefinitionSet& defs);

}  // namespace takahe::dhcpsrv::detail
