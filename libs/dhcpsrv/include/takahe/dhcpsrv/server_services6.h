#pragma once

// What a running DHCPv6 server lends to the hook libraries loaded into it (lease commands,
// statistics): the DHCPv6 counterpart of ServerServices4. Libraries ask for it on each use: the
// lease store can be replaced by a reconfiguration.

#include <functional>

#include "takahe/dhcpsrv/lease_store6.h"
#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::stats {
class StatsStore;
}

namespace takahe::dhcpsrv {

struct ServerServices6 {
  LeaseStore6* leases = nullptr;       ///< the lease store in use
  stats::StatsStore* stats = nullptr;  ///< the server's statistics
  /// The configuration in force.
  std::function<SrvConfig6Ptr()> config;
};

/// The services of the DHCPv6 server in this process, or nullptr (no server, or a unit test).
ServerServices6* serverServices6();
/// Set by the server before it loads hook libraries; nullptr when it stops.
void setServerServices6(ServerServices6* services);

}  // namespace takahe::dhcpsrv
