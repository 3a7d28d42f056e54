#include "packet_path.h"

#include <algorithm>

#include "dhcp4_messages.h"

namespace takahe::dhcp4 {

void PacketPath::handle(ServedInterface& s, const net::Datagram4& d) {
auto& processor_ = c_.processor;
auto& hooks = c_.hooks;
  if (!processor_) return;  // only after a fatal reload failure, while stopping
  if (!c_.network.enabled()) {
    processor_->countServiceDisabled();
    return;
  }
  if (hooks.manager().anyLoaded()) return handleWithHooks(s, d);
  auto parsed = dhcp::Pkt4::parse(d.data);
  if (!parsed) {
    processor_->countParseFailure();
    TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_PACKET_PARSE_FAIL, d.remote_addr.toString(), parsed.error().reason);
    return;
  }
  dhcp::Pkt4& q = *parsed;
  fillMeta(q, s, d);
  dhcpsrv::SrvConfig4Ptr cfg = c_.config;  // the snapshot this packet is processed with
  LinkInfo patched;
  const LinkInfo& link = linkFor(s, d, patched);
  std::optional<dhcp::Pkt4> reply;
  try {
    reply = processor_->process(q, *cfg, link);
  } catch (const std::exception& e) {
    failed(q, e);
    return;
  }
  if (!reply) return;
  size_t max = q.maxMessageSize().value_or(576);
  sendReply(s, q, *reply, reply->serialize(std::max<size_t>(max, 576)));
}

void PacketPath::failed(const dhcp::Pkt4& q, const std::exception& e) {
  c_.stats.counter("pkt4-processing-failed").inc();
  TAKAHE_LOG(c_.logger, DHCP4_PROCESS_FAIL, q.label(), e.what());
  if (c_.failed) c_.failed(e);
}

void PacketPath::fillMeta(dhcp::Pkt4& q, const ServedInterface& s, const net::Datagram4& d) {
  q.meta.iface = s.iface.name;
  q.meta.ifindex = s.iface.index;
  q.meta.local_addr = d.local_addr;
  q.meta.local_port = d.local_port;
  q.meta.remote_addr = d.remote_addr;
  q.meta.remote_port = d.remote_port;
  q.meta.remote_hw = d.remote_hw;
  q.meta.rx_time_us = d.rx_time_us;
}

/// The link of the interface; a unicast to another of our addresses names the server address
/// of this exchange (then `patched` holds the copy returned).
const LinkInfo& PacketPath::linkFor(const ServedInterface& s, const net::Datagram4& d, LinkInfo& patched) {
  if (!d.local_addr.isZero() && !d.local_addr.isBroadcast() && d.local_addr != s.link.server_address &&
      (s.iface.loopback || std::find(s.link.our_addresses.begin(), s.link.our_addresses.end(), d.local_addr) !=
                               s.link.our_addresses.end())) {
    patched = s.link;
    patched.server_address = d.local_addr;
    if (s.iface.loopback) patched.our_addresses.push_back(d.local_addr);
    return patched;
  }
  return s.link;
}

void PacketPath::sendReply(ServedInterface& s, const dhcp::Pkt4& q, const dhcp::Pkt4& reply, const Bytes& wire) {
  std::string error;
  if (SocketSet::send(s, q, reply, c_.ports(), wire, error)) {
    c_.processor->countSent(reply);
    if (c_.logger.enabled(log::Severity::kDebug, 40)) {
      Destination dst = replyDestination(q, reply, c_.ports());
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_PACKET_SEND, reply.label(), dst.address.toString(), dst.port);
    }
  } else {
    TAKAHE_LOG(c_.logger, DHCP4_PACKET_SEND_FAIL, reply.label(), replyDestination(q, reply, c_.ports()).address.toString(), error);
  }
}

// --- with hook libraries loaded (doc/hooks.md) --------------------------------------------

void PacketPath::handleWithHooks(ServedInterface& s, const net::Datagram4& d) {
auto& processor_ = c_.processor;
auto& hooks = c_.hooks;
  PacketHooks ph;
  ph.handle = hooks.manager().createHandle();
  std::shared_ptr<Bytes> buffer;
  if (hooks.present(hooks.buffer4_receive)) {
    buffer = std::make_shared<Bytes>(d.data.begin(), d.data.end());
    auto& h = *ph.handle;
    h.setArgument("buffer4", buffer);
    h.setArgument("iface", s.iface.name);
    h.setArgument("query4", std::shared_ptr<dhcp::Pkt4>());
    auto step = hooks.call(hooks.buffer4_receive, h);
    if (step == hooks::NextStep::kDrop) {
      processor_->countReceiveDrop();
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_HOOK_DROP, d.remote_addr.toString(), "buffer4_receive", "drop");
      return;
    }
    if (step == hooks::NextStep::kSkip) {
      if (auto* q = h.argument<std::shared_ptr<dhcp::Pkt4>>("query4"); q && *q) ph.query = *q;
    }
  }
  if (!ph.query) {
    auto parsed = buffer ? dhcp::Pkt4::parse(*buffer) : dhcp::Pkt4::parse(d.data);
    if (!parsed) {
      processor_->countParseFailure();
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_PACKET_PARSE_FAIL, d.remote_addr.toString(), parsed.error().reason);
      return;
    }
    ph.query = std::make_shared<dhcp::Pkt4>(std::move(*parsed));
  }
  fillMeta(*ph.query, s, d);
  dhcpsrv::SrvConfig4Ptr cfg = c_.config;
  LinkInfo patched;
  const LinkInfo& link = linkFor(s, d, patched);
  std::optional<dhcp::Pkt4> reply;
  try {
    reply = processor_->process(*ph.query, *cfg, link, &ph);
  } catch (const std::exception& e) {
    failed(*ph.query, e);
    return;
  }
  auto response = reply ? std::make_shared<dhcp::Pkt4>(std::move(*reply)) : nullptr;
  if (ph.commits && hooks.present(hooks.leases4_committed)) {
    auto& h = ph.begin();
    h.setArgument("leases4", ph.committed);
    h.setArgument("deleted_leases4", ph.deleted);
    auto step = hooks.call(hooks.leases4_committed, h);
    if (step != hooks::NextStep::kPark) hooks.manager().parkingLot(hooks.leases4_committed).forget(ph.query.get());
    if (step == hooks::NextStep::kDrop) {
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_HOOK_DROP, ph.query->label(), "leases4_committed", "drop");
      return;
    }
    if (step == hooks::NextStep::kPark) {
      park(s.iface.name, ph.query, response, ph.handle);
      return;
    }
  }
  if (response) sendWithHooks(s, ph.query, response, ph.handle);
}

/// Holds the reply until the library that parked it unparks it (then it is sent from the
/// io thread) or drops it.
void PacketPath::park(const std::string& iface, std::shared_ptr<dhcp::Pkt4> query, std::shared_ptr<dhcp::Pkt4> response,
                    hooks::CalloutHandlePtr handle) {
auto& hooks = c_.hooks;
  auto& lot = hooks.manager().parkingLot(hooks.leases4_committed);
  const void* key = query.get();
  auto resume = [this, iface, query, response, handle] {
    c_.post([this, iface, query, response, handle] {
      if (!response || !c_.processor) return;
      for (auto& s : c_.sockets.served()) {
        if (s.iface.name == iface) return sendWithHooks(s, query, response, handle);
      }
    });
  };
  if (!lot.park(key, std::move(resume), [] {})) {
    c_.processor->countReceiveDrop();
    TAKAHE_LOG(c_.logger, DHCP4_HOOK_PARK_FULL, query->label(), "leases4_committed");
  }
}

void PacketPath::sendWithHooks(ServedInterface& s, const std::shared_ptr<dhcp::Pkt4>& query,
                             const std::shared_ptr<dhcp::Pkt4>& response, const hooks::CalloutHandlePtr& handle) {
auto& hooks = c_.hooks;
  std::shared_ptr<Bytes> wire;
  if (hooks.present(hooks.pkt4_send)) {
    handle->deleteAllArguments();
    handle->setArgument("query4", query);
    handle->setArgument("response4", response);
    auto step = hooks.call(hooks.pkt4_send, *handle);
    if (step == hooks::NextStep::kDrop) {
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_HOOK_DROP, response->label(), "pkt4_send", "drop");
      return;
    }
    if (step == hooks::NextStep::kSkip) {
      // The library built the wire form itself ("buffer4"); without one nothing is sent.
      auto* b = handle->argument<std::shared_ptr<Bytes>>("buffer4");
      if (!b || !*b) return;
      wire = *b;
    }
  }
  if (!wire) {
    size_t max = query->maxMessageSize().value_or(576);
    wire = std::make_shared<Bytes>(response->serialize(std::max<size_t>(max, 576)));
  }
  if (hooks.present(hooks.buffer4_send)) {
    handle->deleteAllArguments();
    handle->setArgument("response4", response);
    handle->setArgument("buffer4", wire);
    auto step = hooks.call(hooks.buffer4_send, *handle);
    if (step != hooks::NextStep::kContinue) {
      TAKAHE_LOG_DEBUG(c_.logger, 40, DHCP4_HOOK_DROP, response->label(), "buffer4_send", hooks::nextStepName(step));
      return;
    }
  }
  sendReply(s, *query, *response, *wire);
}

}  // namespace takahe::dhcp4
