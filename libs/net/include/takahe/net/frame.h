#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "takahe/util/address.h"
#include "takahe/util/hex.h"

namespace takahe::net {

/// A 48-bit Ethernet address.
using MacAddress = std::array<uint8_t, 6>;
inline constexpr MacAddress kBroadcastMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr size_t kIpv4HeaderSize = 20;  // without options
inline constexpr size_t kUdpHeaderSize = 8;
/// Bytes in front of the payload in a frame built by buildUdpFrame().
inline constexpr size_t kUdpFrameHeadersSize =
    kEthernetHeaderSize + kIpv4HeaderSize + kUdpHeaderSize;
/// Largest payload an IPv4/UDP datagram can carry (65535 - 20 - 8).
inline constexpr size_t kMaxUdpPayload = 65507;
inline constexpr uint8_t kDefaultTtl = 64;

/// Addresses and IP header fields of an Ethernet + IPv4 + UDP frame to build.
struct UdpFrameSpec {
  MacAddress src_mac{};
  MacAddress dst_mac = kBroadcastMac;
  IPv4Address src_addr;
  IPv4Address dst_addr;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint8_t ttl = kDefaultTtl;
  uint8_t tos = 0;
  uint16_t ip_id = 0;
};

/// RFC 1071 Internet checksum of `data` (an odd trailing byte is padded with zero). A header
/// that already holds its correct checksum sums to 0.
uint16_t ipChecksum(std::span<const uint8_t> data);

/// UDP checksum of `segment` (UDP header + payload, its checksum field taken as it is) over the
/// RFC 768 pseudo-header. Never returns 0: a computed 0 is sent as 0xffff.
uint16_t udpChecksum(IPv4Address src, IPv4Address dst, std::span<const uint8_t> segment);

/// Writes the Ethernet, IPv4 (no options, DF clear, header checksum) and UDP (checksum over
/// `payload`) headers for `payload` into `out`. Returns false when the payload is longer than
/// kMaxUdpPayload. Lets a sender pass the payload as a second iovec instead of copying it.
bool writeUdpFrameHeaders(const UdpFrameSpec& spec, std::span<const uint8_t> payload,
                          std::span<uint8_t, kUdpFrameHeadersSize> out);

/// Builds a complete frame (headers then payload). Returns an empty vector when the payload is
/// longer than kMaxUdpPayload.
Bytes buildUdpFrame(const UdpFrameSpec& spec, std::span<const uint8_t> payload);

/// Why parseUdpFrame() rejected a frame.
enum class FrameError {
  kTooShort,           // shorter than an Ethernet + minimal IPv4 header
  kNotIpv4,            // EtherType is not 0x0800
  kBadIpVersion,       // version nibble is not 4
  kBadIpHeaderLength,  // IHL below 5 or beyond the total length
  kBadIpTotalLength,   // total length beyond the frame or too small for a UDP header
  kBadIpChecksum,
  kFragment,      // MF set or non-zero fragment offset
  kNotUdp,        // protocol is not 17
  kBadUdpLength,  // UDP length differs from the IP payload length
  kBadUdpChecksum,
};
std::string_view toString(FrameError error);

/// A frame accepted by parseUdpFrame(). `payload` points into the parsed buffer.
struct ParsedFrame {
  MacAddress src_mac{};
  MacAddress dst_mac{};
  IPv4Address src_addr;
  IPv4Address dst_addr;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint8_t ttl = 0;
  std::span<const uint8_t> payload;
};

/// Whether parseUdpFrame() checks a non-zero UDP checksum. kSkip is for frames the kernel marks
/// as not checksummed yet (locally generated, checksum offloaded).
enum class UdpChecksumCheck { kVerify, kSkip };

/// Parses an untagged Ethernet II frame carrying an unfragmented IPv4/UDP datagram, checking
/// every length and the IP header checksum (and the UDP checksum unless told not to; a zero
/// UDP checksum means "none" and is accepted). Trailing Ethernet padding is ignored. Never
/// throws; on rejection returns nullopt and, when `error` is given, stores the reason there.
std::optional<ParsedFrame> parseUdpFrame(std::span<const uint8_t> frame,
                                         UdpChecksumCheck check = UdpChecksumCheck::kVerify,
                                         FrameError* error = nullptr);

}  // namespace takahe::net
