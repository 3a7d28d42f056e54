#pragma once

// What a running DHCPv4 server lends to the hook libraries loaded into it (lease and host
// commands, statistics). Libraries ask for it on each use: the lease store can be replaced by a
// reconfiguration.

#include <functional>
#include <memory>

#include "takahe/dhcpsrv/host_store.h"
#include "takahe/dhcpsrv/lease_store.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::stats {
class StatsStore;
}

namespace takahe::dhcpsrv {

struct ServerServices4 {
  LeaseStore4* leases = nullptr;      ///< the lease store in use
  HostStore4* hosts = nullptr;        ///< reservations added at run time
  stats::StatsStore* stats = nullptr;  ///< the server's statistics
  /// The configuration in force.
  std::function<SrvConfig4Ptr()> config;
};

/// The services of the server in this process, or nullptr (e.g. in a unit test without one).
ServerServices4* serverServices4();
/// Set by the server before it loads hook libraries; nullptr when it stops.
void setServerServices4(ServerServices4* services);

}  // namespace takahe::dhcpsrv
