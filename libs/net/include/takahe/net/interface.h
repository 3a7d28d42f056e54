#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/util/address.h"
#include "takahe/util/identifiers.h"

namespace takahe::net {

/// One network interface of this host as seen at the time of listing.
struct Interface {
  std::string name;
  int index = 0;
  /// Link-layer address; htype is the ARP hardware type (1 = Ethernet, also used for loopback).
  HwAddr mac;
  /// Linux ARPHRD_* link type (1 = Ethernet, 772 = loopback, 65534 = none, e.g. tun).
  uint16_t link_type = 0;
  /// IPv4 addresses with their prefix length, in the order the kernel reports them.
  std::vector<Prefix4> v4;
  /// IPv6 addresses with their prefix length (link-local fe80::/10 and global ones, including
  /// unique local fc00::/7), in the order the kernel reports them. Addresses still undergoing
  /// duplicate address detection are listed too.
  std::vector<Prefix6> v6;
  bool up = false;
  bool running = false;
  bool loopback = false;
  bool broadcast_capable = false;

  /// True when frames on this link carry an Ethernet header (what RawSocket4 needs).
  bool hasEthernetFraming() const;

  /// The first link-local IPv6 address (fe80::/10), the source of DHCPv6 replies to clients on
  /// this link; nullopt when the link has none (IPv6 disabled, or the link is down).
  std::optional<IPv6Address> linkLocal6() const;
  /// The IPv6 addresses that are neither link-local nor loopback, in kernel order.
  std::vector<Prefix6> global6() const;
};

/// Lists the interfaces of the current network namespace, ordered by index. Throws takahe::Error
/// when the kernel cannot be asked (control plane).
std::vector<Interface> listInterfaces();

/// The interface called `name`, or nullopt. Throws takahe::Error like listInterfaces().
std::optional<Interface> findInterface(std::string_view name);

}  // namespace takahe::net
