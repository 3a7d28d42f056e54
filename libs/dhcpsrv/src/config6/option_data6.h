#pragma once

// Dhcp6 `option-def` and `option-data`: entries are read by the shared reader of
// src/config/option_parser.h, then the DHCPv6 layout is applied (2-byte sub-option codes and
// lengths, nested encapsulation, vendor-opts carrying space vendor-<enterprise>).

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/cfg_options.h"

namespace takahe::dhcpsrv::detail {

/// Adds the `option-def` entries of a Dhcp6 map (universe kV6, default space "dhcp6").
void parseOptionDefs6(const cc::Value& list, const std::string& path,
                      dhcp::OptionDefinitionSet& defs, std::vector<std::string>& warnings);

/// Encodes an `option-data` list of one configuration level. Options of space "dhcp6" become
/// CfgOptions6::options with their encapsulated spaces folded in (except lq-query and
/// client-data, which encapsulate "dhcp6" itself); a vendor-opts (17) entry whose data is just
/// an enterprise number carries the options of space "vendor-<enterprise>". The options of
/// every other space are also kept per space (CfgOptions6::spaces).
CfgOptions6 parseOptionData6(const cc::Value& list, const std::string& path,
                             const dhcp::OptionDefinitionSet& defs,
                             std::vector<std::string>& warnings);

}  // namespace takahe::dhcpsrv::detail
