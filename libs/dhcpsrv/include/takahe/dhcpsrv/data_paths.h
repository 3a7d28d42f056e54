#pragma once

// Where a DHCP daemon keeps its files when the configuration does not say: the data directory
// (lease files, the DHCPv6 server DUID, reservations added by command) and the takahe-lfc
// binary the memfile stores spawn.

#include <string>

#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv {

/// $TAKAHE_DHCP_DATA_DIR, else $KEA_DHCP_DATA_DIR, else <localstatedir>/lib/takahe.
std::string dataDirectory();

/// takahe-lfc: installed beside the running binary, or in the build tree, else in sbindir.
std::string lfcExecutable();

/// The memfile lease file of `db`: its `name`, else `default_file` in the data directory.
std::string leaseFilePath(const LeaseDatabaseConfig& db, const std::string& default_file);

/// The memfile settings of `db` (file from leaseFilePath, takahe-lfc, the daemon's config file
/// passed to it); creates the file's directory when leases persist.
MemfileConfig memfileConfig(const LeaseDatabaseConfig& db, const std::string& default_file,
                            const std::string& config_file);

}  // namespace takahe::dhcpsrv
