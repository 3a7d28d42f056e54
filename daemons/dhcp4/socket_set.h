#pragma once

// The sockets the server listens on, opened from `interfaces-config`, and how a reply leaves.

#include <memory>
#include <string>
#include <vector>

#include "processor.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/net/interface.h"
#include "takahe/net/packet_socket.h"
#include "takahe/net/udp_socket.h"

namespace takahe::dhcp4 {

/// One served interface: the socket we read, an optional UDP companion (raw mode) and what the
/// processor must know about the link.
struct ServedInterface {
  net::Interface iface;
  std::unique_ptr<net::PacketSocket4> reader;     // raw socket, or the UDP socket in UDP mode
  std::unique_ptr<net::UdpSocket4> udp;           // UDP socket for routed sends (raw mode: also drained)
  LinkInfo link;
};

class SocketSet {
 public:
  /// Opens sockets for the configured interfaces. Interfaces that cannot be opened are
  /// reported in `errors` (the server keeps serving the others, as Kea does).
  void open(const dhcpsrv::InterfacesConfig& cfg, uint16_t port, std::vector<std::string>& errors,
            std::vector<std::string>& opened);
  void close() { served_.clear(); }

  std::vector<ServedInterface>& served() { return served_; }
  bool empty() const { return served_.empty(); }

  /// Sends `reply` for a query received on `on`; false with `error` set on failure.
  static bool send(ServedInterface& on, const dhcp::Pkt4& query, const dhcp::Pkt4& reply, ReplyPorts ports,
                   const Bytes& wire, std::string& error);

 private:
  std::vector<ServedInterface> served_;
};

}  // namespace takahe::dhcp4
