#pragma once

// Argument reading and the lookups shared by the host commands: typed getters that throw
// takahe::Error with an operator-readable message (answered as result 1), the server's
// services, and reservations from both sources (configuration file and host store).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::hooks::host_cmds {

/// The command's "arguments" map; throws when absent or not a map.
const cc::Value& argumentsOf(const cc::Command& cmd);

/// A map member `key` of `args` (nullptr when absent); throws when present with another type.
const cc::Value* optMap(const cc::Value& args, std::string_view key);
std::optional<int64_t> optInt(const cc::Value& args, std::string_view key, int64_t min, int64_t max);
int64_t reqInt(const cc::Value& args, std::string_view key, int64_t min, int64_t max);
std::optional<std::string> optString(const cc::Value& args, std::string_view key);
std::string reqString(const cc::Value& args, std::string_view key);
std::optional<SubnetId> optSubnetId(const cc::Value& args);
SubnetId reqSubnetId(const cc::Value& args);
IPv4Address reqAddress(const cc::Value& args, std::string_view key);

/// An identifier given as ("identifier-type", "identifier"): the type name and hex bytes
/// ("01:02:03", "010203") or a 'quoted' text.
struct Identifier {
  dhcpsrv::HostIdType type;
  Bytes bytes;
};
Identifier reqIdentifier(const cc::Value& args);

/// Where a command looks: Kea's "operation-target" ("memory" = configuration file,
/// "database" = host store, "all", "default").
enum class Target { kConfig, kStore, kAll, kDefault };
Target operationTarget(const cc::Value& args);
bool includesConfig(Target t);  // kDefault counts as kAll (reads)
bool includesStore(Target t);

/// The running server's services and its configuration now; throws when no server is there.
struct Context {
  dhcpsrv::ServerServices4& services;
  dhcpsrv::SrvConfig4Ptr config;
};
Context context();

/// The configured subnet `id`, nullptr for 0 (global); throws when `id` is not configured.
const dhcpsrv::Subnet4* requireSubnet(const dhcpsrv::SrvConfig4& config, SubnetId id);

/// The reservations the configuration file gives one scope (subnet 0 = global).
const dhcpsrv::HostIndex* configHosts(const dhcpsrv::SrvConfig4& config, SubnetId id);
/// Every scope's configured reservations: global first, then subnets by id.
std::vector<const dhcpsrv::HostIndex*> allConfigHosts(const dhcpsrv::SrvConfig4& config);

/// "hw-address 01:02:03 in subnet 1" for messages.
std::string describe(dhcpsrv::HostIdType type, const Bytes& id, SubnetId subnet);

/// "N IPv4 host(s) found." with {"hosts": [...]} in Kea's shape; result 3 when empty.
cc::Value hostsAnswer(const std::vector<dhcpsrv::Host4>& hosts, const dhcpsrv::SrvConfig4& config);

/// Calls `fn`, turning any exception into {"result": 1, "text": what()}.
template <typename Fn>
cc::Value guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return cc::makeAnswer(cc::ResultCode::kError, e.what());
  }
}

}  // namespace takahe::hooks::host_cmds
