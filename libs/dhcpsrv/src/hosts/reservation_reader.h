#pragma once

// Reads `reservations` entries with the configuration parser's own reservation code, against a
// private scratch configuration: the parser records warnings in the configuration it is given,
// and a running configuration is shared and immutable.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/host.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv::detail {

class ReservationReader {
 public:
  explicit ReservationReader(const dhcp::OptionDefinitionSet& defs);

  /// See hostFromJson (host_json.h).
  Host4 read(const cc::Value& entry, SubnetId subnet, const std::string& path,
             std::vector<std::string>* warnings);

 private:
  SrvConfig4 scratch_;
};

/// The definitions the host file is written and read with: the standard set and the vendor
/// definitions every configuration has, so the file does not depend on a configuration.
const dhcp::OptionDefinitionSet& hostFileDefinitions();

}  // namespace takahe::dhcpsrv::detail
