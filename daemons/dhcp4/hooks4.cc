#include "hooks4.h"

namespace takahe::dhcp4 {

Hooks4::Hooks4()
    : manager_(hooks::dhcp4HookPoints()),
      dhcp4_srv_configured(manager_.hookIndex("dhcp4_srv_configured")),
      buffer4_receive(manager_.hookIndex("buffer4_receive")),
      pkt4_receive(manager_.hookIndex("pkt4_receive")),
      subnet4_select(manager_.hookIndex("subnet4_select")),
      host4_identifier(manager_.hookIndex("host4_identifier")),
      lease4_select(manager_.hookIndex("lease4_select")),
      lease4_renew(manager_.hookIndex("lease4_renew")),
      lease4_release(manager_.hookIndex("lease4_release")),
      lease4_decline(manager_.hookIndex("lease4_decline")),
      lease4_expire(manager_.hookIndex("lease4_expire")),
      lease4_recover(manager_.hookIndex("lease4_recover")),
      leases4_committed(manager_.hookIndex("leases4_committed")),
      pkt4_send(manager_.hookIndex("pkt4_send")),
      buffer4_send(manager_.hookIndex("buffer4_send")),
      command_processed(manager_.hookIndex("command_processed")) {}

}  // namespace takahe::dhcp4
