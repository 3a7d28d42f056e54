#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/net/packet_socket.h"
#include "takahe/util/address.h"

namespace takahe::net {

/// A non-blocking UDP/IPv4 socket with SO_REUSEADDR, SO_BROADCAST and IP_PKTINFO, read in
/// batches with recvmmsg(). Sends only Delivery::kUdp packets.
class UdpSocket4 final : public PacketSocket4 {
 public:
  /// Datagrams read per recvmmsg() call.
  static constexpr size_t kBatchSize = 32;

  /// Binds to bind_addr:port (port 0 picks a free one, see localPort()). `bind_device` restricts
  /// the socket to one interface (SO_BINDTODEVICE). `rcvbuf_bytes` sizes the receive buffer
  /// (0 keeps the system default). Throws takahe::Error naming the address, port and reason,
  /// e.g. "cannot bind UDP socket to 127.0.0.1:67: Address already in use".
  UdpSocket4(IPv4Address bind_addr, uint16_t port, std::optional<std::string> bind_device = {},
             size_t rcvbuf_bytes = 0);
  ~UdpSocket4() override;

  int fd() const override;
  size_t receiveBatch(std::vector<Datagram4>& out, size_t max) override;
  bool send(const OutboundPacket4& packet) override;
  std::string lastError() const override;
  uint64_t droppedMalformed() const override;
  uint64_t droppedTruncated() const override;
  SocketKind kind() const override { return SocketKind::kUdp; }
  std::string describe() const override;

  IPv4Address localAddress() const;
  /// The bound port (the kernel's choice when constructed with port 0).
  uint16_t localPort() const;
  /// Receive buffer size as the kernel reports it.
  size_t receiveBufferBytes() const;

  /// Reads and throws away up to `max` queued datagrams; returns how many. For the companion
  /// socket kept open next to a RawSocket4, whose traffic the raw socket already sees.
  size_t discardPending(size_t max);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::net
