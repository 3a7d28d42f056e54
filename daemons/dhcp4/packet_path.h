#pragma once

// The way of one received datagram: parse, process, send — and, when hook libraries are loaded,
// the buffer4_receive, leases4_committed (with parking), pkt4_send and buffer4_send points around
// the processor. With no library loaded the path is the plain one plus a single check.

#include <functional>
#include <memory>
#include <string>

#include "hooks4.h"
#include "takahe/process/network_state.h"
#include "processor.h"
#include "socket_set.h"
#include "takahe/log/logger.h"
#include "takahe/net/packet_socket.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp4 {

using process::NetworkState;

class PacketPath {
 public:
  /// The server state the path works with (references into the server, which outlives it).
  struct Context {
    std::unique_ptr<Processor>& processor;  // null only while a failed reload stops the server
    Hooks4& hooks;
    SocketSet& sockets;
    dhcpsrv::SrvConfig4Ptr& config;
    NetworkState& network;
    stats::StatsStore& stats;
    const log::Logger& logger;
    std::function<ReplyPorts()> ports;
    std::function<void(std::function<void()>)> post;  // runs a task on the server's io thread
    std::function<void(const std::exception&)> failed;  // every processing failure (DbRecovery::failed)
  };

  explicit PacketPath(Context c) : c_(std::move(c)) {}

  /// Handles one datagram received on `s`.
  void handle(ServedInterface& s, const net::Datagram4& d);

 private:
  static void fillMeta(dhcp::Pkt4& q, const ServedInterface& s, const net::Datagram4& d);
  static const LinkInfo& linkFor(const ServedInterface& s, const net::Datagram4& d, LinkInfo& patched);
  /// Counts and logs a processing failure; a lost database starts recovery.
  void failed(const dhcp::Pkt4& q, const std::exception& e);
  void sendReply(ServedInterface& s, const dhcp::Pkt4& q, const dhcp::Pkt4& reply, const Bytes& wire);
  void handleWithHooks(ServedInterface& s, const net::Datagram4& d);
  void park(const std::string& iface, std::shared_ptr<dhcp::Pkt4> query, std::shared_ptr<dhcp::Pkt4> response,
            hooks::CalloutHandlePtr handle);
  void sendWithHooks(ServedInterface& s, const std::shared_ptr<dhcp::Pkt4>& query,
                     const std::shared_ptr<dhcp::Pkt4>& response, const hooks::CalloutHandlePtr& handle);

  Context c_;
};

}  // namespace takahe::dhcp4
