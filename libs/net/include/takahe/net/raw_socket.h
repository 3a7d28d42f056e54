#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "takahe/net/interface.h"
#include "takahe/net/packet_socket.h"

namespace takahe::net {

/// A non-blocking AF_PACKET socket on one Ethernet (or loopback) interface that receives the
/// IPv4/UDP frames addressed to one UDP port and sends complete frames, so that a server can
/// answer clients that have no IP address yet. Frames the host sends itself are ignored.
///
/// The kernel also hands unicast IPv4 traffic for this host to its IP stack: keep a UdpSocket4
/// bound to the same port (see README.md) or it answers with ICMP port unreachable.
class RawSocket4 final : public PacketSocket4 {
 public:
  /// Frames read per recvmmsg() call.
  static constexpr size_t kBatchSize = 32;

  /// Opens the socket on `iface` with a classic BPF filter that passes only unfragmented
  /// IPv4/UDP frames to destination port `server_port`. Needs CAP_NET_RAW. Throws takahe::Error
  /// naming the interface and the reason.
  RawSocket4(const Interface& iface, uint16_t server_port, size_t rcvbuf_bytes = 0);
  ~RawSocket4() override;

  int fd() const override;
  /// Fills remote_hw, remote and local (destination) address and port from the frame headers.
  /// Invalid frames are dropped and counted in droppedMalformed().
  size_t receiveBatch(std::vector<Datagram4>& out, size_t max) override;
  /// Sends Delivery::kRawFrame packets: Ethernet (source = interface MAC, destination = dst_hw
  /// or broadcast) + IPv4 (TTL 64, DF clear, header checksum) + UDP (checksum) + payload.
  bool send(const OutboundPacket4& packet) override;
  std::string lastError() const override;
  uint64_t droppedMalformed() const override;
  uint64_t droppedTruncated() const override;
  SocketKind kind() const override { return SocketKind::kRaw; }
  std::string describe() const override;

  /// Frames dropped because they were not meant for this interface: sent to another host's
  /// MAC (seen in promiscuous mode) or carrying a VLAN tag.
  uint64_t droppedNotForUs() const;

  const Interface& interface() const;
  uint16_t serverPort() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::net
