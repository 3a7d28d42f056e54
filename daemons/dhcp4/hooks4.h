#pragma once

// takahe-dhcp4's hook points: the HooksManager with the DHCPv4 point names, their indexes, and
// the per-packet state a packet carries through them. With no library loaded the processor
// checks one flag per point and builds no arguments.

#include <memory>
#include <string>
#include <vector>

#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/hooks/hooks_manager.h"

namespace takahe::dhcp4 {

class Hooks4 {
  hooks::HooksManager manager_;  // first: the indexes below are looked up in it

 public:
  Hooks4();

  hooks::HooksManager& manager() { return manager_; }
  bool present(int index) const { return manager_.calloutsPresent(index); }
  /// Calls the callouts of `index` on `handle` (arguments already set); returns the next step.
  hooks::NextStep call(int index, hooks::CalloutHandle& handle) {
    manager_.callCallouts(index, handle);
    return handle.getStatus();
  }

  const int dhcp4_srv_configured, buffer4_receive, pkt4_receive, subnet4_select, host4_identifier,
      lease4_select, lease4_renew, lease4_release, lease4_decline, lease4_expire, lease4_recover,
      leases4_committed, pkt4_send, buffer4_send, command_processed;
};

/// A packet's journey through the hook points (only when some library is loaded).
struct PacketHooks {
  hooks::CalloutHandlePtr handle;
  std::shared_ptr<dhcp::Pkt4> query;  // the query the processor works on ("query4")
  std::vector<std::shared_ptr<dhcpsrv::Lease4>> committed;  // "leases4"
  std::vector<std::shared_ptr<dhcpsrv::Lease4>> deleted;    // "deleted_leases4"
  bool commits = false;  // the exchange stored or released leases (leases4_committed applies)

  /// Clears the arguments of the previous point and sets "query4".
  hooks::CalloutHandle& begin() {
    handle->deleteAllArguments();
    handle->setArgument("query4", query);
    return *handle;
  }
};

}  // namespace takahe::dhcp4
