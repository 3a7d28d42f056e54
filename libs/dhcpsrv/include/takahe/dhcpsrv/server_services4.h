#pragma once

// What a running DHCPv4 server lends to the hook libraries loaded into it (lease and host
// commands, statistics). Libraries ask for it on each use: the lease store can be replaced by a
// reconfiguration.

#include <functional>
#include <memory>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
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
  /// Runs a task on the server's packet thread (thread-safe): libraries with threads of their
  /// own (High Availability) touch the stores and the service state only from there.
  std::function<void(std::function<void()>)> post;
  /// Runs a control command as if it had arrived on the control socket (commands of every
  /// loaded library included) and returns the answer. Only on the server's packet thread.
  std::function<cc::Value(const cc::Command&)> execute;
};

/// The services of the server in this process, or nullptr (e.g. in a unit test without one).
ServerServices4* serverServices4();
/// Set by the server before it loads hook libraries; nullptr when it stops.
void setServerServices4(ServerServices4* services);

}  // namespace takahe::dhcpsrv
