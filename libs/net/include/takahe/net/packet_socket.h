#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "takahe/util/address.h"
#include "takahe/util/hex.h"
#include "takahe/util/identifiers.h"

namespace takahe::net {

/// One received IPv4/UDP payload with where it came from and where it arrived.
struct Datagram4 {
  /// UDP payload. Its capacity is kept between receiveBatch() calls that reuse this element.
  Bytes data;
  /// Interface the datagram arrived on (0 if unknown).
  int ifindex = 0;
  std::string ifname;
  IPv4Address remote_addr;
  uint16_t remote_port = 0;
  /// Destination address in the IP header (e.g. 255.255.255.255 for a broadcast).
  IPv4Address local_addr;
  uint16_t local_port = 0;
  /// Sender's link-layer source address. Raw sockets only; empty for UDP sockets.
  HwAddr remote_hw;
  /// Monotonic time (takahe::monotonicMicros) at which the batch was read from the kernel.
  int64_t rx_time_us = 0;
};

/// How an outbound packet reaches its destination.
enum class Delivery {
  /// Through the kernel's IP stack (routing, ARP). UdpSocket4 only.
  kUdp,
  /// As a complete Ethernet frame written to `dst_hw` (broadcast when empty). RawSocket4 only.
  kRawFrame,
};

/// A UDP payload to send. The payload is borrowed for the duration of send().
struct OutboundPacket4 {
  std::span<const uint8_t> payload;
  IPv4Address dst_addr;
  uint16_t dst_port = 0;
  /// Source address. kUdp: chosen with IP_PKTINFO when non-zero. kRawFrame: written into the IP
  /// header; when zero the interface's first IPv4 address is used (0.0.0.0 if it has none).
  IPv4Address src_addr;
  /// Source port. kUdp: ignored (the socket's bound port is used). kRawFrame: 0 means the
  /// socket's server port.
  uint16_t src_port = 0;
  /// Outgoing interface. kUdp: 0 lets routing decide. kRawFrame: 0 or the socket's interface.
  int ifindex = 0;
  /// kRawFrame: destination link-layer address (6 bytes); empty means ff:ff:ff:ff:ff:ff.
  HwAddr dst_hw;
  Delivery delivery = Delivery::kUdp;
};

/// What kind of socket a PacketSocket4 is.
enum class SocketKind { kUdp, kRaw };

/// A non-blocking IPv4 packet socket: the seam between the DHCPv4 server and the wire.
///
/// Threading: receiveBatch() must be called from one thread at a time; send() may be called
/// from several threads at once; counters and lastError() may be read from any thread.
/// Data-plane calls never throw; constructors of implementations may throw takahe::Error.
class PacketSocket4 {
 public:
  PacketSocket4() = default;
  PacketSocket4(const PacketSocket4&) = delete;
  PacketSocket4& operator=(const PacketSocket4&) = delete;
  virtual ~PacketSocket4() = default;

  /// The file descriptor to wait on for readability (it is non-blocking).
  virtual int fd() const = 0;

  /// Reads up to `max` queued datagrams without blocking and returns how many were read
  /// (0 when nothing is queued or on error, see lastError()). They are stored in out[0..n):
  /// `out` is grown when needed but never shrunk, so the buffers of its elements are reused
  /// from call to call; elements from n on are left over from earlier calls and must be ignored.
  virtual size_t receiveBatch(std::vector<Datagram4>& out, size_t max) = 0;

  /// Sends one packet. Returns false (and sets lastError()) on failure; never throws.
  virtual bool send(const OutboundPacket4& packet) = 0;

  /// Text of the most recent send or receive failure, e.g.
  /// "sendmsg to 192.0.2.9:68: Network is unreachable"; empty if none happened yet.
  virtual std::string lastError() const = 0;

  /// Received packets dropped because their headers were invalid (raw sockets: bad Ethernet,
  /// IPv4 or UDP header or checksum; UDP sockets: missing packet info).
  virtual uint64_t droppedMalformed() const = 0;
  /// Received packets dropped because they did not fit the receive buffer.
  virtual uint64_t droppedTruncated() const = 0;

  virtual SocketKind kind() const = 0;
  /// Human-readable identity for logs, e.g. "udp 0.0.0.0:67 device eth0" or "raw eth0 port 67".
  virtual std::string describe() const = 0;
};

}  // namespace takahe::net
