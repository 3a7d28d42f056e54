#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "takahe/util/address.h"
#include "takahe/util/hex.h"

namespace takahe::net {

/// One received IPv6/UDP payload with where it came from and where it arrived.
struct Datagram6 {
  /// UDP payload. Its capacity is kept between receiveBatch() calls that reuse this element.
  Bytes data;
  /// Sender's address (a link-local one for clients on the link, scope = `ifindex`).
  IPv6Address remote;
  uint16_t remote_port = 0;
  /// Destination address in the IPv6 header: a multicast group (e.g. ff02::1:2) or one of this
  /// host's unicast addresses.
  IPv6Address local;
  uint16_t local_port = 0;
  /// Interface the datagram arrived on.
  unsigned ifindex = 0;
  std::string ifname;
  /// Monotonic time (takahe::monotonicMicros) at which the batch was read from the kernel.
  int64_t rx_time_us = 0;

  /// True when the datagram was sent to a multicast group rather than to one of our addresses.
  bool toMulticast() const { return local.bytes()[0] == 0xff; }
};

/// A UDP payload to send. The payload is borrowed for the duration of send().
struct OutboundPacket6 {
  std::span<const uint8_t> payload;
  IPv6Address dst_addr;
  uint16_t dst_port = 0;
  /// Outgoing interface. Required for link-local and link-scope multicast destinations (it is
  /// their scope); for other destinations 0 lets routing decide.
  unsigned ifindex = 0;
  /// Source address, chosen with IPV6_PKTINFO when non-zero; it must be an address of this host.
  /// Zero lets the kernel pick (the interface's link-local address for link-local peers).
  IPv6Address src_addr;
};

/// A non-blocking IPv6 packet socket: the seam between the DHCPv6 server and the wire.
///
/// Threading: receiveBatch() must be called from one thread at a time; send() may be called
/// from several threads at once; counters and lastError() may be read from any thread.
/// Data-plane calls never throw; constructors of implementations may throw takahe::Error.
class PacketSocket6 {
 public:
  PacketSocket6() = default;
  PacketSocket6(const PacketSocket6&) = delete;
  PacketSocket6& operator=(const PacketSocket6&) = delete;
  virtual ~PacketSocket6() = default;

  /// The file descriptor to wait on for readability (it is non-blocking).
  virtual int fd() const = 0;

  /// Reads up to `max` queued datagrams without blocking and returns how many were read
  /// (0 when nothing is queued or on error, see lastError()). They are stored in out[0..n):
  /// `out` is grown when needed but never shrunk, so the buffers of its elements are reused
  /// from call to call; elements from n on are left over from earlier calls and must be ignored.
  virtual size_t receiveBatch(std::vector<Datagram6>& out, size_t max) = 0;

  /// Sends one packet. Returns false (and sets lastError()) on failure; never throws.
  virtual bool send(const OutboundPacket6& packet) = 0;

  /// Sends `data` to [to]:to_port out of interface `ifindex` (0: routing decides), letting the
  /// kernel choose the source address. Same contract as send(OutboundPacket6).
  bool send(std::span<const uint8_t> data, const IPv6Address& to, uint16_t to_port,
            unsigned ifindex) {
    OutboundPacket6 p;
    p.payload = data;
    p.dst_addr = to;
    p.dst_port = to_port;
    p.ifindex = ifindex;
    return send(p);
  }

  /// Text of the most recent send or receive failure, e.g.
  /// "sendmsg to [2001:db8::9]:546 on udp6 [::]:547 device eth0: Network is unreachable";
  /// empty if none happened yet.
  virtual std::string lastError() const = 0;

  /// Received datagrams dropped because the kernel did not report where they arrived
  /// (no or truncated IPV6_PKTINFO, or a sender address that is not IPv6).
  virtual uint64_t droppedMalformed() const = 0;
  /// Received datagrams dropped because they did not fit the receive buffer.
  virtual uint64_t droppedTruncated() const = 0;

  /// Human-readable identity for logs, e.g. "udp6 [::]:547 device eth0".
  virtual std::string describe() const = 0;
};

}  // namespace takahe::net
