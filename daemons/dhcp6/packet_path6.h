#pragma once

// The way of one received DHCPv6 datagram: parse, process, send back out of the socket it came
// in on — and, when hook libraries are loaded, the buffer6_receive, leases6_committed (with
// parking), pkt6_send and buffer6_send points around the processor. With no library loaded the
// path is the plain one plus a single check.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hooks6.h"
#include "processor6.h"
#include "socket_set6.h"
#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/log/logger.h"
#include "takahe/net/packet_socket6.h"
#include "takahe/net/udp_socket6.h"
#include "takahe/process/network_state.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp6 {

class PacketPath6 {
 public:
  /// The server state the path works with (references into the server, which outlives it).
  struct Context {
    std::unique_ptr<Processor6>& processor;  // may be null briefly: packets are dropped and counted
    Hooks6& hooks;
    dhcpsrv::SrvConfig6Ptr& config;
    process::NetworkState& network;  // dhcp-disable
    stats::StatsStore& stats;
    const log::Logger& logger;
    /// kea-dhcp6 -P: replies go to this port instead of the query's source port.
    std::optional<uint16_t> client_port;
    /// Runs a task later on the io thread (replies of parked packets are sent from there).
    std::function<void(std::function<void()>)> post;
    /// Where a parked reply finds its socket again when it is released (sockets may have been
    /// reopened meanwhile). Without it a parked reply is dropped when released.
    SocketSet6* sockets = nullptr;
    /// Told of every processing failure: a lost lease database connection starts recovery
    /// (DbRecovery::failed); may be empty.
    std::function<void(const std::exception&)> failed{};
  };

  explicit PacketPath6(Context c) : c_(std::move(c)) {}

  /// Handles one datagram received on `socket` of served interface `s`. Never throws.
  void handle(ServedInterface6& s, net::UdpSocket6& socket, const net::Datagram6& d);

 private:
  /// Where the reply to a query goes, and through which socket (found again after parking).
  struct Route {
    std::string iface;
    IPv6Address local;  // the query's destination: a unicast socket's address, or multicast
    IPv6Address to;
    uint16_t port = 0;
    unsigned ifindex = 0;
  };

  void handleUnsafe(ServedInterface6& s, net::UdpSocket6& socket, const net::Datagram6& d);
  static void fillMeta(dhcp::Pkt6& q, const ServedInterface6& s, const net::Datagram6& d);
  Route routeFor(const ServedInterface6& s, const net::Datagram6& d) const;
  static Arrival6 arrivalFor(const ServedInterface6& s, const net::Datagram6& d);
  /// Counts and logs a processing failure.
  void failed(const std::string& what, const std::exception& e);
  void sendReply(net::UdpSocket6& socket, const Route& r, const dhcp::Pkt6& reply,
                 const Bytes& wire);
  void handleWithHooks(ServedInterface6& s, net::UdpSocket6& socket, const net::Datagram6& d);
  void park(const Route& route, Pkt6Ptr query, Pkt6Ptr response, hooks::CalloutHandlePtr handle);
  void sendWithHooks(net::UdpSocket6& socket, const Route& route, const Pkt6Ptr& query,
                     const Pkt6Ptr& response, const hooks::CalloutHandlePtr& handle);

  Context c_;
};

}  // namespace takahe::dhcp6
