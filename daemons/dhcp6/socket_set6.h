#pragma once

// The sockets takahe-dhcp6 listens on, opened from `interfaces-config`: per served interface one
// socket bound to [::]:port on the device and joined to ff02::1:2 there, plus one socket per
// configured unicast address ("eth0/2001:db8::1"). Replies leave through the socket the query
// came in on (PacketPath6).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/net/interface.h"
#include "takahe/net/udp_socket6.h"

namespace takahe::dhcp6 {

/// One served interface and its sockets.
struct ServedInterface6 {
  net::Interface iface;
  std::unique_ptr<net::UdpSocket6> socket;  // bound [::]:port on the device, joined ff02::1:2
  std::vector<std::unique_ptr<net::UdpSocket6>> unicast;  // one per configured unicast address
  bool unicast_allowed = false;  // a unicast address is configured for this interface
};

class SocketSet6 {
 public:
  /// Opens sockets for `cfg.interfaces`: names, "name/address" (also listen on that unicast
  /// address), or "*" (every interface that is up, not loopback and has a link-local address,
  /// as Kea). A loopback interface is served when named; it is not joined to the multicast
  /// group. Failures go to `errors`, each opened socket to `opened` (for the log); the other
  /// interfaces are still served, as in Kea. Closes what was open before.
  void open(const dhcpsrv::InterfacesConfig6& cfg, uint16_t port, std::vector<std::string>& errors,
            std::vector<std::string>& opened);
  void close() { served_.clear(); }

  std::vector<ServedInterface6>& served() { return served_; }
  bool empty() const { return served_.empty(); }

  /// The served interface called `name`, or nullptr.
  ServedInterface6* find(const std::string& name);

 private:
  std::vector<ServedInterface6> served_;
};

}  // namespace takahe::dhcp6
