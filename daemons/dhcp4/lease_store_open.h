#pragma once

// Opens the lease and host stores a configuration names (memfile, or sqlite / postgresql /
// mysql), and tells whether a running store already is that store.

#include <memory>
#include <string>

#include "takahe/dhcpsrv/host_store.h"
#include "takahe/dhcpsrv/lease_store.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/log/logger.h"

namespace takahe::dhcp4 {

/// The memfile lease file of `db` (its name, else takahe-leases4.csv in the data directory).
std::string leaseFilePath(const dhcpsrv::LeaseDatabaseConfig& db);
/// The file of reservations added by command: `hosts-database.name`, else beside the lease
/// file; "" (memory only) when leases are in memory or in a database.
std::string hostFilePath(const dhcpsrv::SrvConfig4& cfg);

/// Opens (memfile: loads) the store; throws takahe::Error / db::DbError with a clear message.
std::unique_ptr<dhcpsrv::LeaseStore4> openLeaseStore(const dhcpsrv::SrvConfig4& cfg, const std::string& config_file,
                                                     const log::Logger& logger);
/// Whether `store` is what `cfg` asks for (same file and settings, or same database).
bool leaseStoreMatches(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg);
/// Whether `store` is a memfile store on the lease file `cfg` names (its lock must be released
/// before the file is opened again).
bool sameLeaseFile(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg);

/// Opens the store of reservations added by command (`hosts-database`: the memfile JSON file,
/// or a SQL database); throws with a clear message.
std::unique_ptr<dhcpsrv::HostStore4> openHostStore(const dhcpsrv::SrvConfig4& cfg, const log::Logger& logger);
/// Whether `store` is the host store `cfg` asks for.
bool hostStoreMatches(const dhcpsrv::HostStore4* store, const dhcpsrv::SrvConfig4& cfg);

}  // namespace takahe::dhcp4
