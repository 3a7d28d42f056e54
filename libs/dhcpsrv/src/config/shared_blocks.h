#pragma once

// Configuration blocks whose shape is the same in Dhcp4 and Dhcp6 (lease-database,
// hosts-database(s), expired-leases-processing, multi-threading, control-socket(s)), read into
// the shared types of srv_config.h, for the DHCPv4 and the DHCPv6 parser.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv::detail {

void parseLeaseDatabaseBlock(const cc::Value& v, const std::string& path, LeaseDatabaseConfig& db,
                             std::vector<std::string>& warnings);
void parseHostsDatabaseBlock(const cc::Value& v, const std::string& path, HostDatabaseConfig& db,
                             std::vector<std::string>& warnings);
/// Kea's `hosts-databases` list: Takahe uses one host database (the first entry).
void parseHostsDatabasesBlock(const cc::Value& v, const std::string& path, HostDatabaseConfig& db,
                              std::vector<std::string>& warnings);
void parseExpiredBlock(const cc::Value& v, const std::string& path, ExpiredLeasesConfig& e,
                       std::vector<std::string>& warnings);
void parseMultiThreadingBlock(const cc::Value& v, const std::string& path, MultiThreadingConfig& mt,
                              std::vector<std::string>& warnings);
ControlSocketSpec parseControlSocketBlock(const cc::Value& v, const std::string& path,
                                          std::vector<std::string>& warnings);

}  // namespace takahe::dhcpsrv::detail
