#include "socket_set6.h"

#include <algorithm>
#include <optional>

#include "takahe/util/error.h"

namespace takahe::dhcp6 {

namespace {

constexpr size_t kReceiveBuffer = 4 * 1024 * 1024;  // rides out scheduling stalls under load
const IPv6Address kAllServersAndRelays = IPv6Address::fromString("ff02::1:2");

/// An interface to serve, with the unicast addresses configured for it.
struct Choice {
  net::Interface iface;
  std::vector<IPv6Address> unicast;
};

}  // namespace

void SocketSet6::open(const dhcpsrv::InterfacesConfig6& cfg, uint16_t port,
                      std::vector<std::string>& errors, std::vector<std::string>& opened) {
  served_.clear();
  std::vector<net::Interface> all;
  try {
    all = net::listInterfaces();
  } catch (const Error& e) {
    errors.push_back(std::string("cannot list the network interfaces: ") + e.what());
    return;
  }
  std::vector<Choice> chosen;
  auto add = [&](const net::Interface& i, const std::optional<IPv6Address>& unicast) {
    auto it = std::find_if(chosen.begin(), chosen.end(),
                           [&](const Choice& c) { return c.iface.index == i.index; });
    if (it == chosen.end()) it = chosen.insert(chosen.end(), Choice{i, {}});
    if (unicast &&
        std::find(it->unicast.begin(), it->unicast.end(), *unicast) == it->unicast.end()) {
      it->unicast.push_back(*unicast);
    }
  };
  for (const auto& spec : cfg.interfaces) {
    if (spec.name == "*") {
      for (const auto& i : all) {
        if (i.up && !i.loopback && i.linkLocal6()) add(i, std::nullopt);
      }
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const net::Interface& i) { return i.name == spec.name; });
    if (it == all.end()) {
      errors.push_back("interface '" + spec.name + "' does not exist");
      continue;
    }
    add(*it, spec.unicast);
  }

  for (auto& c : chosen) {
    ServedInterface6 s;
    s.iface = c.iface;
    try {
      s.socket =
          std::make_unique<net::UdpSocket6>(net::UdpSocket6Config{.address = IPv6Address(),
                                                                  .port = port,
                                                                  .device = c.iface.name,
                                                                  .rcvbuf_bytes = kReceiveBuffer});
    } catch (const Error& e) {
      errors.push_back(c.iface.name + ": " + e.what());
      continue;
    }
    std::string joined = " joined ff02::1:2";
    try {
      s.socket->joinMulticast(static_cast<unsigned>(c.iface.index), kAllServersAndRelays);
    } catch (const Error& e) {
      // Loopback has no multicast: it is served by unicast only (relays, perfdhcp, tests).
      if (!c.iface.loopback) {
        errors.push_back(c.iface.name + ": cannot join ff02::1:2: " + e.what());
        continue;
      }
      joined.clear();
    }
    opened.push_back(c.iface.name + ": " + s.socket->describe() + joined);
    for (const auto& a : c.unicast) {
      try {
        s.unicast.push_back(std::make_unique<net::UdpSocket6>(net::UdpSocket6Config{
            .address = a, .port = port, .device = c.iface.name, .rcvbuf_bytes = kReceiveBuffer}));
        opened.push_back(c.iface.name + ": " + s.unicast.back()->describe());
      } catch (const Error& e) {
        errors.push_back(c.iface.name + "/" + a.toString() + ": " + e.what());
      }
    }
    s.unicast_allowed = !c.unicast.empty();
    served_.push_back(std::move(s));
  }
}

ServedInterface6* SocketSet6::find(const std::string& name) {
  for (auto& s : served_) {
    if (s.iface.name == name) return &s;
  }
  return nullptr;
}

}  // namespace takahe::dhcp6
