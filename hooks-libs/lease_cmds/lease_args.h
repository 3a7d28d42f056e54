#pragma once

// Reading the arguments of lease commands: typed getters whose errors name the parameter and say
// what was expected, for the {"result": 1, "text": ...} answer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::hooks::lease_cmds {

/// The arguments map of `cmd`; throws takahe::Error naming `expected` (e.g. "'ip-address'")
/// when the command has none.
const cc::Value& requireArguments(const cc::Command& cmd, std::string_view expected);

/// A member that must be there.
const cc::Value& requireMember(const cc::Value& args, std::string_view name);

/// Typed getters: nullopt when the member is absent; takahe::Error when it has another type or
/// is out of range.
std::optional<std::string> optString(const cc::Value& args, std::string_view name);
std::optional<bool> optBool(const cc::Value& args, std::string_view name);
std::optional<int64_t> optInt(const cc::Value& args, std::string_view name, int64_t min,
                              int64_t max);
std::optional<uint32_t> optUint32(const cc::Value& args, std::string_view name);

/// Mandatory variants.
std::string getString(const cc::Value& args, std::string_view name);
uint32_t getUint32(const cc::Value& args, std::string_view name);

/// A list member; nullptr when absent, takahe::Error ("'name' must be <expected>") otherwise.
const cc::List* optList(const cc::Value& args, std::string_view name, std::string_view expected);

/// The "subnets" list of lease4-get-all / lease6-get-all; throws naming `command` when the
/// arguments hold no "subnets", or for a member that is no subnet id.
std::vector<SubnetId> subnetIdList(const cc::Value& args, std::string_view command);

/// The lease's user context as JSON text ("" when none): "user-context" (a map) with "comment"
/// merged into it.
std::string userContextArgument(const cc::Value& args);

/// What lease4 and lease6 arguments share: "valid-lft" (default `default_valid`, never 0);
/// "expire" or else "cltt" (default `now`); "fqdn-fwd", "fqdn-rev" and "hostname" (needed when
/// either is true); "state" 0..3; "user-context" and "comment". `family` ("DHCPv4", "DHCPv6")
/// names the lease kind in messages.
struct LeaseTerms {
  uint32_t valid_lifetime = 0;
  int64_t cltt = 0;
  bool fqdn_fwd = false;
  bool fqdn_rev = false;
  std::string hostname;
  dhcpsrv::LeaseState state = dhcpsrv::LeaseState::kDefault;
  std::string user_context;

  /// Copies the terms into a Lease4 or Lease6.
  template <class Lease>
  void applyTo(Lease& l) const {
    l.valid_lifetime = valid_lifetime;
    l.cltt = cltt;
    l.fqdn_fwd = fqdn_fwd;
    l.fqdn_rev = fqdn_rev;
    l.hostname = hostname;
    l.state = state;
    l.user_context = user_context;
  }
};
LeaseTerms readLeaseTerms(const cc::Value& args, uint32_t default_valid, int64_t now,
                          std::string_view family);

/// An IPv4 address member ("192.0.2.1"); throws for a missing member, another type, an IPv6
/// address or text that is no address.
IPv4Address getAddress(const cc::Value& args, std::string_view name);

/// "1a:1b:1c:1d:1e:1f" (also without separators); "" is the empty address. At most 20 bytes.
HwAddr parseHwAddress(std::string_view text, std::string_view name = "hw-address");
/// Hex bytes, 2 to 255 of them, as Kea's client identifiers.
ClientId parseClientId(std::string_view text, std::string_view name = "client-id");

}  // namespace takahe::hooks::lease_cmds
