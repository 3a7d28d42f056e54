#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/net/packet_socket6.h"
#include "takahe/util/address.h"

namespace takahe::net {

/// How to open a UdpSocket6. Designated initializers read well:
/// `UdpSocket6({.port = 547, .device = "eth0"})`.
struct UdpSocket6Config {
  /// Address to bind: `::` (any) or one of this host's addresses. A link-local address needs
  /// `device`, which is its scope.
  IPv6Address address{};
  /// 0 picks a free port (see UdpSocket6::localPort()).
  uint16_t port = 0;
  /// Restricts the socket to one interface (SO_BINDTODEVICE): it receives only what arrives
  /// there and sends only out of it.
  std::optional<std::string> device{};
  /// Receive buffer size (SO_RCVBUFFORCE, then SO_RCVBUF); 0 keeps the system default.
  size_t rcvbuf_bytes = 0;
  /// Size of each receive slot. Longer datagrams are dropped and counted as truncated.
  size_t max_datagram_bytes = 65536;
  /// Hop limit of datagrams sent to multicast groups (IPV6_MULTICAST_HOPS).
  int multicast_hops = 1;
  /// Whether this host's own sockets receive the multicast datagrams this socket sends
  /// (IPV6_MULTICAST_LOOP).
  bool multicast_loop = false;
};

/// A non-blocking UDP/IPv6 socket for a DHCPv6 server: IPV6_V6ONLY, SO_REUSEADDR,
/// IPV6_RECVPKTINFO (each datagram reports its arrival interface and destination address),
/// multicast group membership per interface, read in batches with recvmmsg().
///
/// The recommended layout for a server (see libs/net/README.md) is one socket per served
/// interface, bound to [::]:547 with `device` set and joined to ff02::1:2 on that interface,
/// plus one socket bound to each configured unicast address.
class UdpSocket6 final : public PacketSocket6 {
 public:
  /// Datagrams read per recvmmsg() call.
  static constexpr size_t kBatchSize = 32;

  /// Opens and binds the socket. Throws takahe::Error naming the address, port, device and the
  /// reason, e.g. "cannot bind UDP socket to [2001:db8::1]:547: Cannot assign requested address".
  explicit UdpSocket6(const UdpSocket6Config& config);
  /// Shorthand for the common fields of UdpSocket6Config.
  UdpSocket6(const IPv6Address& bind_addr, uint16_t port,
             std::optional<std::string> bind_device = {}, size_t rcvbuf_bytes = 0);
  ~UdpSocket6() override;

  using PacketSocket6::send;

  int fd() const override;
  size_t receiveBatch(std::vector<Datagram6>& out, size_t max) override;
  bool send(const OutboundPacket6& packet) override;
  std::string lastError() const override;
  uint64_t droppedMalformed() const override;
  uint64_t droppedTruncated() const override;
  std::string describe() const override;

  /// Joins multicast `group` (e.g. ff02::1:2) on interface `ifindex`, so datagrams sent to it
  /// there are received. Joining a group already joined on that interface does nothing.
  /// Throws takahe::Error (control plane) when the address is not a multicast group, the
  /// interface is 0, unknown, or not the one the socket is bound to, or the kernel refuses.
  void joinMulticast(unsigned ifindex, const IPv6Address& group);
  /// Leaves a group joined with joinMulticast(). Returns false (see lastError()) when it was not
  /// joined, e.g. because the interface has gone; never throws.
  bool leaveMulticast(unsigned ifindex, const IPv6Address& group);

  IPv6Address localAddress() const;
  /// The bound port (the kernel's choice when constructed with port 0).
  uint16_t localPort() const;
  /// The device given at construction, if any.
  const std::optional<std::string>& device() const;
  /// Index of that device (0 when not bound to one).
  unsigned deviceIndex() const;
  /// Receive buffer size as the kernel reports it.
  size_t receiveBufferBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::net
