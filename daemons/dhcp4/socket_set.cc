#include "socket_set.h"

#include <algorithm>

#include "takahe/net/raw_socket.h"
#include "takahe/util/error.h"

namespace takahe::dhcp4 {

namespace {
constexpr size_t kReceiveBuffer = 4 * 1024 * 1024;  // rides out scheduling stalls under load
}

void SocketSet::open(const dhcpsrv::InterfacesConfig& cfg, uint16_t port, std::vector<std::string>& errors,
                     std::vector<std::string>& opened) {
  served_.clear();
  std::vector<net::Interface> all = net::listInterfaces();
  std::vector<std::pair<net::Interface, std::optional<IPv4Address>>> chosen;
  for (const auto& spec : cfg.interfaces) {
    if (spec.name == "*") {
      for (const auto& i : all) {
        if (!i.loopback && i.up) chosen.emplace_back(i, std::nullopt);
      }
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(), [&](const net::Interface& i) { return i.name == spec.name; });
    if (it == all.end()) {
      errors.push_back("interface '" + spec.name + "' does not exist");
      continue;
    }
    chosen.emplace_back(*it, spec.address);
  }
  std::vector<IPv4Address> ours;
  for (const auto& [iface, addr] : chosen) {
    for (const auto& p : iface.v4) ours.push_back(p.address);
  }
  for (auto& [iface, addr] : chosen) {
    if (std::any_of(served_.begin(), served_.end(), [&](const ServedInterface& s) { return s.iface.index == iface.index; })) {
      continue;
    }
    ServedInterface s;
    s.iface = iface;
    if (addr) {
      s.link.server_address = *addr;
    } else if (!iface.v4.empty()) {
      s.link.server_address = iface.v4.front().address;
    }
    // On a real interface the socket binds the wildcard address on the device, so it also hears
    // broadcasts from directly connected clients. On loopback, where only relayed or local
    // traffic exists, it binds the interface address, leaving the port free on the other
    // loopback addresses (perfdhcp poses as a relay from 127.0.0.2:67).
    IPv4Address bind_addr = iface.loopback ? s.link.server_address : IPv4Address();
    s.link.our_addresses = ours;
    s.link.iface_prefixes = iface.v4;
    bool raw = cfg.socket_type == dhcpsrv::SocketType::kRaw && !iface.loopback && iface.hasEthernetFraming();
    try {
      if (raw) {
        s.reader = std::make_unique<net::RawSocket4>(iface, port, kReceiveBuffer);
        // Keeps the port open so the kernel does not answer with ICMP unreachable; used for
        // routed sends (relays, renewing clients). What arrives on it the raw socket saw too.
        s.udp = std::make_unique<net::UdpSocket4>(bind_addr, port, iface.name, 0);
      } else {
        s.udp = std::make_unique<net::UdpSocket4>(bind_addr, port, iface.name, kReceiveBuffer);
      }
      opened.push_back(iface.name + (raw ? " (raw)" : " (udp)"));
      served_.push_back(std::move(s));
    } catch (const Error& e) {
      errors.push_back(iface.name + ": " + e.what());
    }
  }
}

bool SocketSet::send(ServedInterface& on, const dhcp::Pkt4& query, const dhcp::Pkt4& reply, ReplyPorts ports,
                     const Bytes& wire, std::string& error) {
  Destination d = replyDestination(query, reply, ports);
  net::OutboundPacket4 out;
  out.payload = wire;
  out.dst_addr = d.address;
  out.dst_port = d.port;
  out.src_addr = on.link.server_address;
  out.ifindex = on.iface.index;
  bool raw_available = on.reader && on.reader->kind() == net::SocketKind::kRaw;
  if (raw_available && (d.kind == Destination::Kind::kBroadcast || d.kind == Destination::Kind::kUnicastYiaddr)) {
    out.delivery = net::Delivery::kRawFrame;
    if (d.kind == Destination::Kind::kUnicastYiaddr) out.dst_hw = query.hwAddr();
    if (!on.reader->send(out)) {
      error = on.reader->lastError();
      return false;
    }
    return true;
  }
  if (d.kind == Destination::Kind::kUnicastYiaddr) {
    // Without a raw socket the client cannot be reached by unicast before it has its address.
    out.dst_addr = IPv4Address(0xffffffffu);
  }
  out.delivery = net::Delivery::kUdp;
  net::UdpSocket4* udp = on.udp.get();
  if (!udp) {
    error = "no UDP socket on " + on.iface.name;
    return false;
  }
  if (!udp->send(out)) {
    error = udp->lastError();
    return false;
  }
  return true;
}

}  // namespace takahe::dhcp4
