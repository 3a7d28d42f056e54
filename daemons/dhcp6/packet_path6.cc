#include "packet_path6.h"

#include "path_messages6.h"
#include "takahe/util/time.h"

namespace takahe::dhcp6 {

namespace {

constexpr int kDbgDetail = 40;

bool isLinkLocal(const IPv6Address& a) {
  return a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}
bool isMulticast(const IPv6Address& a) { return a.bytes()[0] == 0xff; }

/// The socket of `s` a query to `local` arrived on: the unicast socket bound to that address,
/// else the interface's main socket.
net::UdpSocket6* socketFor(ServedInterface6& s, const IPv6Address& local) {
  for (auto& u : s.unicast) {
    if (u && u->localAddress() == local) return u.get();
  }
  return s.socket.get();
}

}  // namespace

void PacketPath6::handle(ServedInterface6& s, net::UdpSocket6& socket, const net::Datagram6& d) {
  try {
    handleUnsafe(s, socket, d);
  } catch (const std::exception& e) {
    failed("packet from " + d.remote.toString() + " on " + s.iface.name, e);
  } catch (...) {
    c_.stats.counter("pkt6-processing-failed").inc();
  }
}

void PacketPath6::handleUnsafe(ServedInterface6& s, net::UdpSocket6& socket,
                               const net::Datagram6& d) {
  auto& processor = c_.processor;
  dhcpsrv::SrvConfig6Ptr cfg = c_.config;  // the snapshot this packet is processed with
  if (!processor || !cfg) {
    // Only while a failed reload stops the server, or before the first configuration.
    c_.stats.counter("pkt6-receive-drop").inc();
    TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_PACKET_DROP_NOT_READY, d.remote.toString(),
                     s.iface.name);
    return;
  }
  if (!c_.network.enabled()) {
    processor->countReceiveDrop();
    TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_PACKET_DROP_DISABLED, d.remote.toString(),
                     s.iface.name);
    return;
  }
  if (c_.hooks.manager().anyLoaded()) return handleWithHooks(s, socket, d);
  auto parsed = dhcp::Pkt6::parse(d.data);
  if (!parsed) {
    processor->countParseFailure();
    TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_PACKET_PARSE_FAIL, d.remote.toString(),
                     s.iface.name, parsed.error().reason);
    return;
  }
  dhcp::Pkt6& q = *parsed;
  fillMeta(q, s, d);
  std::optional<dhcp::Pkt6> reply;
  try {
    reply = processor->process(q, *cfg, arrivalFor(s, d), nowUnixSeconds());
  } catch (const std::exception& e) {
    failed(q.label(), e);
    return;
  }
  if (!reply) return;
  sendReply(socket, routeFor(s, d), *reply, reply->serialize());
}

void PacketPath6::failed(const std::string& what, const std::exception& e) {
  c_.stats.counter("pkt6-processing-failed").inc();
  TAKAHE_LOG(c_.logger, DHCP6_PACKET_PROCESS_FAIL, what, e.what());
  if (c_.failed) c_.failed(e);
}

void PacketPath6::fillMeta(dhcp::Pkt6& q, const ServedInterface6& s, const net::Datagram6& d) {
  q.meta.iface = s.iface.name;
  q.meta.ifindex = d.ifindex ? static_cast<int>(d.ifindex) : s.iface.index;
  q.meta.local_addr = d.local;
  q.meta.local_port = d.local_port;
  q.meta.remote_addr = d.remote;
  q.meta.remote_port = d.remote_port;
  q.meta.rx_time_us = d.rx_time_us;
}

Arrival6 PacketPath6::arrivalFor(const ServedInterface6& s, const net::Datagram6& d) {
  Arrival6 a;
  a.iface = s.iface.name;
  a.multicast = d.toMulticast();
  a.unicast_allowed = s.unicast_allowed;
  return a;
}

/// Back to where the query came from: a client (port 546), a relay (547), or a tool using its
/// own port; -P overrides the port.
PacketPath6::Route PacketPath6::routeFor(const ServedInterface6& s, const net::Datagram6& d) const {
  Route r;
  r.iface = s.iface.name;
  r.local = d.local;
  r.to = d.remote;
  r.port = c_.client_port.value_or(d.remote_port);
  // The interface is the scope of a link-local destination; other destinations are routed
  // (the socket is bound to its device anyway).
  if (isLinkLocal(r.to) || isMulticast(r.to))
    r.ifindex = d.ifindex ? d.ifindex : static_cast<unsigned>(s.iface.index);
  return r;
}

void PacketPath6::sendReply(net::UdpSocket6& socket, const Route& r, const dhcp::Pkt6& reply,
                            const Bytes& wire) {
  net::OutboundPacket6 out;
  out.payload = wire;
  out.dst_addr = r.to;
  out.dst_port = r.port;
  out.ifindex = r.ifindex;
  if (socket.send(out)) {
    if (c_.processor) c_.processor->countSent(reply);
    if (c_.logger.enabled(log::Severity::kDebug, kDbgDetail)) {
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_PACKET_SEND, reply.label(), r.to.toString(),
                       r.port, r.iface);
    }
  } else {
    TAKAHE_LOG(c_.logger, DHCP6_PACKET_SEND_FAIL, reply.label(), r.to.toString(), r.port,
               socket.lastError());
  }
}

// --- with hook libraries loaded ------------------------------------------------------------

void PacketPath6::handleWithHooks(ServedInterface6& s, net::UdpSocket6& socket,
                                  const net::Datagram6& d) {
  Processor6& processor = *c_.processor;
  Hooks6& hooks = c_.hooks;
  PacketHooks6 ph;
  ph.handle = hooks.manager().createHandle();
  std::shared_ptr<Bytes> buffer;
  if (hooks.present(hooks.buffer6_receive)) {
    buffer = std::make_shared<Bytes>(d.data.begin(), d.data.end());
    auto& h = *ph.handle;
    h.setArgument("buffer6", buffer);
    h.setArgument("iface", s.iface.name);
    h.setArgument("query6", Pkt6Ptr());
    auto step = hooks.call(hooks.buffer6_receive, h);
    if (step == hooks::NextStep::kDrop) {
      processor.countReceiveDrop();
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_HOOK_DROP, d.remote.toString(),
                       "buffer6_receive", "drop");
      return;
    }
    if (step == hooks::NextStep::kSkip) {
      // The library parsed the buffer itself.
      if (auto* q = h.argument<Pkt6Ptr>("query6"); q && *q) ph.query = *q;
    }
  }
  if (!ph.query) {
    auto parsed = buffer ? dhcp::Pkt6::parse(*buffer) : dhcp::Pkt6::parse(d.data);
    if (!parsed) {
      processor.countParseFailure();
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_PACKET_PARSE_FAIL, d.remote.toString(),
                       s.iface.name, parsed.error().reason);
      return;
    }
    ph.query = std::make_shared<dhcp::Pkt6>(std::move(*parsed));
  }
  fillMeta(*ph.query, s, d);
  dhcpsrv::SrvConfig6Ptr cfg = c_.config;
  std::optional<dhcp::Pkt6> reply;
  try {
    reply = processor.process(*ph.query, *cfg, arrivalFor(s, d), nowUnixSeconds(), &ph);
  } catch (const std::exception& e) {
    failed(ph.query->label(), e);
    return;
  }
  auto response = reply ? std::make_shared<dhcp::Pkt6>(std::move(*reply)) : nullptr;
  const Route route = routeFor(s, d);
  if (ph.commits && hooks.present(hooks.leases6_committed)) {
    auto& h = ph.begin();
    h.setArgument("leases6", ph.committed);
    h.setArgument("deleted_leases6", ph.deleted);
    auto step = hooks.call(hooks.leases6_committed, h);
    if (step != hooks::NextStep::kPark)
      hooks.manager().parkingLot(hooks.leases6_committed).forget(ph.query.get());
    if (step == hooks::NextStep::kDrop) {
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_HOOK_DROP, ph.query->label(),
                       "leases6_committed", "drop");
      return;
    }
    if (step == hooks::NextStep::kPark) {
      park(route, ph.query, response, ph.handle);
      return;
    }
  }
  if (response) sendWithHooks(socket, route, ph.query, response, ph.handle);
}

/// Holds the reply until the library that parked it unparks it (it is then sent from the io
/// thread, through the interface's socket as it is then) or drops it.
void PacketPath6::park(const Route& route, Pkt6Ptr query, Pkt6Ptr response,
                       hooks::CalloutHandlePtr handle) {
  auto& lot = c_.hooks.manager().parkingLot(c_.hooks.leases6_committed);
  const void* key = query.get();
  auto send = [this, route, query, response, handle] {
    if (!response || !c_.processor) return;
    try {
      ServedInterface6* s = c_.sockets ? c_.sockets->find(route.iface) : nullptr;
      net::UdpSocket6* socket = s ? socketFor(*s, route.local) : nullptr;
      if (!socket) {
        TAKAHE_LOG(c_.logger, DHCP6_HOOK_PARKED_LOST, response->label(), route.iface,
                   c_.sockets ? "the interface is no longer served"
                              : "the packet path was given no SocketSet6 (Context::sockets)");
        return;
      }
      sendWithHooks(*socket, route, query, response, handle);
    } catch (const std::exception& e) {
      failed(response->label(), e);
    }
  };
  auto resume = [this, send] {
    if (c_.post) {
      c_.post(send);
    } else {
      send();
    }
  };
  if (!lot.park(key, std::move(resume), [] {})) {
    c_.processor->countReceiveDrop();
    TAKAHE_LOG(c_.logger, DHCP6_HOOK_PARK_FULL, query->label(), "leases6_committed");
  }
}

void PacketPath6::sendWithHooks(net::UdpSocket6& socket, const Route& route, const Pkt6Ptr& query,
                                const Pkt6Ptr& response, const hooks::CalloutHandlePtr& handle) {
  Hooks6& hooks = c_.hooks;
  std::shared_ptr<Bytes> wire;
  if (hooks.present(hooks.pkt6_send)) {
    handle->deleteAllArguments();
    handle->setArgument("query6", query);
    handle->setArgument("response6", response);
    auto step = hooks.call(hooks.pkt6_send, *handle);
    if (step == hooks::NextStep::kDrop) {
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_HOOK_DROP, response->label(), "pkt6_send",
                       "drop");
      return;
    }
    if (step == hooks::NextStep::kSkip) {
      // The library built the wire form itself ("buffer6"); without one nothing is sent.
      auto* b = handle->argument<std::shared_ptr<Bytes>>("buffer6");
      if (!b || !*b) return;
      wire = *b;
    }
  }
  if (!wire) wire = std::make_shared<Bytes>(response->serialize());
  if (hooks.present(hooks.buffer6_send)) {
    handle->deleteAllArguments();
    handle->setArgument("response6", response);
    handle->setArgument("buffer6", wire);
    auto step = hooks.call(hooks.buffer6_send, *handle);
    if (step != hooks::NextStep::kContinue) {
      TAKAHE_LOG_DEBUG(c_.logger, kDbgDetail, DHCP6_HOOK_DROP, response->label(), "buffer6_send",
                       hooks::nextStepName(step));
      return;
    }
  }
  sendReply(socket, route, *response, *wire);
}

}  // namespace takahe::dhcp6
