#include "takahe/net/interface.h"

#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "socket_util.h"
#include "takahe/util/error.h"

namespace takahe::net {

namespace {

uint8_t prefixLengthOf(const sockaddr* netmask) {
  if (netmask == nullptr || netmask->sa_family != AF_INET) {
    return 32;
  }
  uint32_t mask = ntohl(reinterpret_cast<const sockaddr_in*>(netmask)->sin_addr.s_addr);
  uint8_t len = 0;
  while (len < 32 && (mask & (0x80000000u >> len)) != 0) {
    ++len;
  }
  return len;
}

uint8_t prefixLengthOf6(const sockaddr* netmask) {
  if (netmask == nullptr || netmask->sa_family != AF_INET6) {
    return 128;
  }
  const auto* mask = reinterpret_cast<const sockaddr_in6*>(netmask)->sin6_addr.s6_addr;
  uint8_t len = 0;
  while (len < 128 && (mask[len / 8] & (0x80u >> (len % 8))) != 0) {
    ++len;
  }
  return len;
}

bool isLinkLocal6(const IPv6Address& a) {
  return a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

bool isLoopback6(const IPv6Address& a) {
  static const IPv6Address kLoopback = IPv6Address::fromString("::1");
  return a == kLoopback;
}

// DHCP htype values are ARP hardware types; loopback carries Ethernet-style headers.
uint8_t dhcpHardwareType(uint16_t link_type) {
  if (link_type == ARPHRD_LOOPBACK) {
    return 1;
  }
  return link_type < 256 ? static_cast<uint8_t>(link_type) : 0;
}

// IPv4 entries are named by address label ("eth0:1"); the link is the part before ':'.
std::string_view linkName(std::string_view label) { return label.substr(0, label.find(':')); }

Interface& entryFor(std::vector<Interface>& list, std::string_view name) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const Interface& i) { return i.name == name; });
  if (it != list.end()) {
    return *it;
  }
  Interface& added = list.emplace_back();
  added.name = std::string(name);
  return added;
}

}  // namespace

bool Interface::hasEthernetFraming() const {
  return link_type == ARPHRD_ETHER || link_type == ARPHRD_LOOPBACK;
}

std::optional<IPv6Address> Interface::linkLocal6() const {
  for (const Prefix6& p : v6) {
    if (isLinkLocal6(p.address)) {
      return p.address;
    }
  }
  return std::nullopt;
}

std::vector<Prefix6> Interface::global6() const {
  std::vector<Prefix6> out;
  for (const Prefix6& p : v6) {
    if (!isLinkLocal6(p.address) && !isLoopback6(p.address)) {
      out.push_back(p);
    }
  }
  return out;
}

std::vector<Interface> listInterfaces() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) {
    throw Error("cannot list network interfaces: " + detail::errnoText(errno));
  }
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> addrs(raw, &::freeifaddrs);

  std::vector<Interface> list;
  for (const ifaddrs* a = addrs.get(); a != nullptr; a = a->ifa_next) {
    if (a->ifa_name == nullptr) {
      continue;
    }
    Interface& entry = entryFor(list, linkName(a->ifa_name));
    if (std::string_view(a->ifa_name) == entry.name) {
      entry.up = (a->ifa_flags & IFF_UP) != 0;
      entry.running = (a->ifa_flags & IFF_RUNNING) != 0;
      entry.loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
      entry.broadcast_capable = (a->ifa_flags & IFF_BROADCAST) != 0;
    }
    if (a->ifa_addr == nullptr) {
      continue;
    }
    if (a->ifa_addr->sa_family == AF_PACKET) {
      const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
      entry.index = ll->sll_ifindex;
      entry.link_type = ll->sll_hatype;
      size_t len = std::min<size_t>(ll->sll_halen, sizeof(ll->sll_addr));
      entry.mac = HwAddr(dhcpHardwareType(ll->sll_hatype), Bytes(ll->sll_addr, ll->sll_addr + len));
    } else if (a->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      Prefix4 p;
      p.address = IPv4Address(ntohl(in->sin_addr.s_addr));
      p.length = prefixLengthOf(a->ifa_netmask);
      entry.v4.push_back(p);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(), in6->sin6_addr.s6_addr, bytes.size());
      entry.v6.push_back(Prefix6{IPv6Address(bytes), prefixLengthOf6(a->ifa_netmask)});
    }
  }
  // Links without an AF_PACKET entry (rare) still need their index.
  for (Interface& i : list) {
    if (i.index == 0) {
      i.index = static_cast<int>(::if_nametoindex(i.name.c_str()));
    }
  }
  std::sort(list.begin(), list.end(),
            [](const Interface& a, const Interface& b) { return a.index < b.index; });
  return list;
}

std::optional<Interface> findInterface(std::string_view name) {
  for (Interface& i : listInterfaces()) {
    if (i.name == name) {
      return std::move(i);
    }
  }
  return std::nullopt;
}

}  // namespace takahe::net
