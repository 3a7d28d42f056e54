#pragma once

// takahe-dhcp6's hook points: the HooksManager with the DHCPv6 point names (Kea's), their
// indexes, and the per-packet state a packet carries through them. With no library loaded the
// processor checks one flag per point and builds no arguments.
//
// Arguments per point (types as libraries read them):
//   buffer6_receive    query6 (null; a SKIP may supply one), buffer6 (shared_ptr<Bytes>), iface
//   pkt6_receive       query6 (shared_ptr<dhcp::Pkt6>)
//   subnet6_select     query6, subnet6 (const Subnet6*), subnet6collection (const vector<Subnet6>*)
//   lease6_select      query6, subnet6, fake_allocation (bool), lease6 (shared_ptr<Lease6>)
//   lease6_renew       query6, subnet6, lease6          (RENEW extending the client's lease)
//   lease6_rebind      query6, subnet6, lease6          (REBIND extending the client's lease)
//   lease6_release     query6, lease6
//   lease6_decline     query6, lease6
//   leases6_committed  query6, leases6, deleted_leases6 (vector<shared_ptr<Lease6>>)
//   pkt6_send          query6, response6 (shared_ptr<dhcp::Pkt6>); after SKIP, buffer6 if set
//   buffer6_send       response6, buffer6
//   lease6_expire      lease6, remove_lease (bool);  lease6_recover  lease6
//   dhcp6_srv_configured, command_processed: called by the server frame.

#include <memory>
#include <string>
#include <vector>

#include "takahe/dhcp/pkt6.h"
#include "takahe/dhcpsrv/lease6.h"
#include "takahe/hooks/hooks_manager.h"

namespace takahe::dhcp6 {

/// The DHCPv6 server's hook points, in index order.
const std::vector<std::string>& dhcp6HookPoints();

class Hooks6 {
  hooks::HooksManager manager_;  // first: the indexes below are looked up in it

 public:
  Hooks6();

  hooks::HooksManager& manager() { return manager_; }
  bool present(int index) const { return manager_.calloutsPresent(index); }
  /// Calls the callouts of `index` on `handle` (arguments already set); returns the next step.
  hooks::NextStep call(int index, hooks::CalloutHandle& handle) {
    manager_.callCallouts(index, handle);
    return handle.getStatus();
  }

  const int dhcp6_srv_configured, buffer6_receive, pkt6_receive, subnet6_select, lease6_select,
      lease6_renew, lease6_rebind, lease6_release, lease6_decline, lease6_expire, lease6_recover,
      leases6_committed, pkt6_send, buffer6_send, command_processed;
};

using Lease6Ptr = std::shared_ptr<dhcpsrv::Lease6>;
using Pkt6Ptr = std::shared_ptr<dhcp::Pkt6>;

/// A packet's journey through the hook points (only when some library is loaded).
struct PacketHooks6 {
  hooks::CalloutHandlePtr handle;
  Pkt6Ptr query;                     // the query the processor works on ("query6")
  std::vector<Lease6Ptr> committed;  // "leases6"
  std::vector<Lease6Ptr> deleted;    // "deleted_leases6"
  /// The exchange is one that commits leases (REQUEST, RENEW, REBIND, RELEASE, DECLINE, SOLICIT
  /// with rapid commit): leases6_committed applies, even when the lists are empty (as in Kea).
  bool commits = false;

  /// Clears the arguments of the previous point and sets "query6".
  hooks::CalloutHandle& begin() {
    handle->deleteAllArguments();
    handle->setArgument("query6", query);
    return *handle;
  }
};

}  // namespace takahe::dhcp6
