#pragma once

// Host reservations <-> JSON in Kea's reservation syntax: what the host commands answer
// (reservation-get) and accept (reservation-add), and what the memfile host store writes.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcpsrv/host.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv {

enum class HostJsonForm {
  /// Kea's reservation-get shape: every field, "0.0.0.0" and "" for the unset ones.
  kCommand,
  /// Only the fields that are set, as an operator writes a `reservations` entry (plus
  /// "subnet-id"); such an entry can be pasted into a configuration once "subnet-id" is removed.
  kConfig,
};

/// The reservation as a JSON map with Kea's keys, sorted: "boot-file-name", "client-classes",
/// "hostname", the identifier ("hw-address", "client-id", "circuit-id", "duid" or "flex-id",
/// colon-separated hex), "ip-address", "next-server", "option-data", "server-hostname",
/// "subnet-id". An option whose definition in `defs` (space dhcp4) renders its bytes back
/// exactly is written as csv text with its name; any other option as hex with
/// "csv-format": false, so the map always parses back to the same bytes.
cc::Value hostToJson(const Host4& host, const dhcp::OptionDefinitionSet& defs,
                     HostJsonForm form = HostJsonForm::kCommand);

/// One option of a reservation as Kea's option-data map (see hostToJson).
cc::Value optionToJson(const ConfiguredOption& option, const dhcp::OptionDefinitionSet& defs);

/// Builds a reservation of subnet `subnet` from a `reservations` entry, with the checks and
/// option encoding of the configuration parser (option names resolved with `config`'s
/// definitions). A "subnet-id" member is skipped (the caller has read it into `subnet`);
/// "ip-address" or "next-server" equal to "0.0.0.0" mean "not set", as in Kea's answers.
/// Throws takahe::ConfigError naming `path` and what is wrong. Warnings (keys that are
/// accepted but have no effect yet) are appended to `warnings` when given.
Host4 hostFromJson(const cc::Value& entry, const SrvConfig4& config, SubnetId subnet,
                   const std::string& path = "reservation",
                   std::vector<std::string>* warnings = nullptr);

/// The same with only `defs` known (no configuration at hand, e.g. loading a host file).
Host4 hostFromJson(const cc::Value& entry, const dhcp::OptionDefinitionSet& defs, SubnetId subnet,
                   const std::string& path = "reservation",
                   std::vector<std::string>* warnings = nullptr);

}  // namespace takahe::dhcpsrv
