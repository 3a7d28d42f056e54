#pragma once

// Reading the arguments of lease commands: typed getters whose errors name the parameter and say
// what was expected, for the {"result": 1, "text": ...} answer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
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

/// An IPv4 address member ("192.0.2.1"); throws for a missing member, another type, an IPv6
/// address or text that is no address.
IPv4Address getAddress(const cc::Value& args, std::string_view name);

/// "1a:1b:1c:1d:1e:1f" (also without separators); "" is the empty address. At most 20 bytes.
HwAddr parseHwAddress(std::string_view text, std::string_view name = "hw-address");
/// Hex bytes, 2 to 255 of them, as Kea's client identifiers.
ClientId parseClientId(std::string_view text, std::string_view name = "client-id");

}  // namespace takahe::hooks::lease_cmds
