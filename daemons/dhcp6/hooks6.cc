#include "hooks6.h"

namespace takahe::dhcp6 {

const std::vector<std::string>& dhcp6HookPoints() {
  static const std::vector<std::string> points{"dhcp6_srv_configured",
                                               "buffer6_receive",
                                               "pkt6_receive",
                                               "subnet6_select",
                                               "lease6_select",
                                               "lease6_renew",
                                               "lease6_rebind",
                                               "lease6_release",
                                               "lease6_decline",
                                               "lease6_expire",
                                               "lease6_recover",
                                               "leases6_committed",
                                               "pkt6_send",
                                               "buffer6_send",
                                               "command_processed"};
  return points;
}

Hooks6::Hooks6()
    : manager_(dhcp6HookPoints()),
      dhcp6_srv_configured(manager_.hookIndex("dhcp6_srv_configured")),
      buffer6_receive(manager_.hookIndex("buffer6_receive")),
      pkt6_receive(manager_.hookIndex("pkt6_receive")),
      subnet6_select(manager_.hookIndex("subnet6_select")),
      lease6_select(manager_.hookIndex("lease6_select")),
      lease6_renew(manager_.hookIndex("lease6_renew")),
      lease6_rebind(manager_.hookIndex("lease6_rebind")),
      lease6_release(manager_.hookIndex("lease6_release")),
      lease6_decline(manager_.hookIndex("lease6_decline")),
      lease6_expire(manager_.hookIndex("lease6_expire")),
      lease6_recover(manager_.hookIndex("lease6_recover")),
      leases6_committed(manager_.hookIndex("leases6_committed")),
      pkt6_send(manager_.hookIndex("pkt6_send")),
      buffer6_send(manager_.hookIndex("buffer6_send")),
      command_processed(manager_.hookIndex("command_processed")) {}

}  // namespace takahe::dhcp6
