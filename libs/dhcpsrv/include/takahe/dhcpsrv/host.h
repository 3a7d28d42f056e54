#pragma once

// Host reservations (`reservations` at global or subnet level).

#include <optional>
#include <string>

#include "takahe/dhcpsrv/cfg_options.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv {

/// Identifier kinds in Kea's order (`host-reservation-identifiers`, database enum values).
enum class HostIdType : uint8_t { kHwAddress = 0, kDuid = 1, kCircuitId = 2, kClientId = 3, kFlexId = 4 };

std::string_view hostIdTypeName(HostIdType t);  // "hw-address", ...

struct Host4 {
  HostIdType id_type = HostIdType::kHwAddress;
  Bytes identifier;
  SubnetId subnet_id;  // 0 = global reservation
  std::optional<IPv4Address> address;
  std::string hostname;
  CfgOptions options;
  std::optional<IPv4Address> next_server;
  std::string server_hostname;
  std::string boot_file_name;
};

}  // namespace takahe::dhcpsrv
