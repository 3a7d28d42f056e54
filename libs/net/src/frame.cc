#include "takahe/net/frame.h"

#include <algorithm>

namespace takahe::net {

namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kProtocolUdp = 17;
constexpr uint16_t kFlagMoreFragments = 0x2000;
constexpr uint16_t kFragmentOffsetMask = 0x1fff;

// Adds 16-bit big-endian words of `data` to a running one's-complement sum. Callers only pass
// an odd-length span as the last piece, where padding with zero is what RFC 1071 asks for.
uint32_t sumWords(uint32_t sum, std::span<const uint8_t> data) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
    // Fold early so that even a 64 KiB buffer can never overflow 32 bits.
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (i < data.size()) {
    sum += static_cast<uint32_t>(data[i] << 8);
  }
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(sum);
}

uint32_t sumPseudoHeader(IPv4Address src, IPv4Address dst, size_t udp_length) {
  uint32_t sum = 0;
  sum += src.toUint() >> 16;
  sum += src.toUint() & 0xffff;
  sum += dst.toUint() >> 16;
  sum += dst.toUint() & 0xffff;
  sum += kProtocolUdp;
  sum += static_cast<uint32_t>(udp_length);
  return sum;
}

uint16_t readU16(std::span<const uint8_t> d, size_t at) {
  return static_cast<uint16_t>(d[at] << 8 | d[at + 1]);
}

void putU16(std::span<uint8_t> d, size_t at, uint16_t v) {
  d[at] = static_cast<uint8_t>(v >> 8);
  d[at + 1] = static_cast<uint8_t>(v);
}

void putAddr(std::span<uint8_t> d, size_t at, IPv4Address a) {
  auto b = a.toBytes();
  std::copy(b.begin(), b.end(), d.begin() + static_cast<ptrdiff_t>(at));
}

std::optional<ParsedFrame> reject(FrameError why, FrameError* error) {
  if (error != nullptr) {
    *error = why;
  }
  return std::nullopt;
}

}  // namespace

uint16_t ipChecksum(std::span<const uint8_t> data) {
  return static_cast<uint16_t>(~fold(sumWords(0, data)));
}

uint16_t udpChecksum(IPv4Address src, IPv4Address dst, std::span<const uint8_t> segment) {
  uint16_t sum =
      static_cast<uint16_t>(~fold(sumWords(sumPseudoHeader(src, dst, segment.size()), segment)));
  return sum == 0 ? 0xffff : sum;
}

bool writeUdpFrameHeaders(const UdpFrameSpec& spec, std::span<const uint8_t> payload,
                          std::span<uint8_t, kUdpFrameHeadersSize> out) {
  if (payload.size() > kMaxUdpPayload) {
    return false;
  }
  std::span<uint8_t> eth = std::span<uint8_t>(out).subspan(0, kEthernetHeaderSize);
  std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), eth.begin());
  std::copy(spec.src_mac.begin(), spec.src_mac.end(), eth.begin() + 6);
  putU16(eth, 12, kEtherTypeIpv4);

  const auto udp_length = static_cast<uint16_t>(kUdpHeaderSize + payload.size());
  std::span<uint8_t> ip = std::span<uint8_t>(out).subspan(kEthernetHeaderSize, kIpv4HeaderSize);
  ip[0] = 0x45;  // version 4, IHL 5
  ip[1] = spec.tos;
  putU16(ip, 2, static_cast<uint16_t>(kIpv4HeaderSize + udp_length));
  putU16(ip, 4, spec.ip_id);
  putU16(ip, 6, 0);  // DF clear, not a fragment
  ip[8] = spec.ttl;
  ip[9] = kProtocolUdp;
  putU16(ip, 10, 0);
  putAddr(ip, 12, spec.src_addr);
  putAddr(ip, 16, spec.dst_addr);
  putU16(ip, 10, ipChecksum(ip));

  std::span<uint8_t> udp =
      std::span<uint8_t>(out).subspan(kEthernetHeaderSize + kIpv4HeaderSize, kUdpHeaderSize);
  putU16(udp, 0, spec.src_port);
  putU16(udp, 2, spec.dst_port);
  putU16(udp, 4, udp_length);
  putU16(udp, 6, 0);
  uint32_t sum = sumPseudoHeader(spec.src_addr, spec.dst_addr, udp_length);
  sum = sumWords(sum, udp);
  sum = sumWords(sum, payload);
  uint16_t check = static_cast<uint16_t>(~fold(sum));
  putU16(udp, 6, check == 0 ? 0xffff : check);
  return true;
}

Bytes buildUdpFrame(const UdpFrameSpec& spec, std::span<const uint8_t> payload) {
  if (payload.size() > kMaxUdpPayload) {
    return {};
  }
  Bytes frame(kUdpFrameHeadersSize + payload.size());
  writeUdpFrameHeaders(
      spec, payload, std::span<uint8_t, kUdpFrameHeadersSize>(frame.data(), kUdpFrameHeadersSize));
  std::copy(payload.begin(), payload.end(), frame.begin() + kUdpFrameHeadersSize);
  return frame;
}

std::string_view toString(FrameError error) {
  switch (error) {
    case FrameError::kTooShort:
      return "frame too short";
    case FrameError::kNotIpv4:
      return "not an IPv4 frame";
    case FrameError::kBadIpVersion:
      return "bad IP version";
    case FrameError::kBadIpHeaderLength:
      return "bad IP header length";
    case FrameError::kBadIpTotalLength:
      return "bad IP total length";
    case FrameError::kBadIpChecksum:
      return "bad IP header checksum";
    case FrameError::kFragment:
      return "IP fragment";
    case FrameError::kNotUdp:
      return "not UDP";
    case FrameError::kBadUdpLength:
      return "bad UDP length";
    case FrameError::kBadUdpChecksum:
      return "bad UDP checksum";
  }
  return "unknown frame error";
}

std::optional<ParsedFrame> parseUdpFrame(std::span<const uint8_t> frame, UdpChecksumCheck check,
                                         FrameError* error) {
  if (frame.size() < kEthernetHeaderSize + kIpv4HeaderSize) {
    return reject(FrameError::kTooShort, error);
  }
  if (readU16(frame, 12) != kEtherTypeIpv4) {
    return reject(FrameError::kNotIpv4, error);
  }
  const std::span<const uint8_t> after_eth = frame.subspan(kEthernetHeaderSize);
  if ((after_eth[0] >> 4) != 4) {
    return reject(FrameError::kBadIpVersion, error);
  }
  const size_t ihl = static_cast<size_t>(after_eth[0] & 0x0f) * 4;
  const size_t total = readU16(after_eth, 2);
  if (ihl < kIpv4HeaderSize || ihl > after_eth.size()) {
    return reject(FrameError::kBadIpHeaderLength, error);
  }
  if (total < ihl) {
    return reject(FrameError::kBadIpHeaderLength, error);
  }
  if (total > after_eth.size() || total < ihl + kUdpHeaderSize) {
    return reject(FrameError::kBadIpTotalLength, error);
  }
  // Anything past the IP total length is Ethernet padding.
  const std::span<const uint8_t> ip = after_eth.first(total);
  if (ipChecksum(ip.first(ihl)) != 0) {
    return reject(FrameError::kBadIpChecksum, error);
  }
  const uint16_t frag = readU16(ip, 6);
  if ((frag & kFlagMoreFragments) != 0 || (frag & kFragmentOffsetMask) != 0) {
    return reject(FrameError::kFragment, error);
  }
  if (ip[9] != kProtocolUdp) {
    return reject(FrameError::kNotUdp, error);
  }
  const std::span<const uint8_t> udp = ip.subspan(ihl);
  if (readU16(udp, 4) != udp.size()) {
    return reject(FrameError::kBadUdpLength, error);
  }
  ParsedFrame parsed;
  std::copy_n(frame.begin(), 6, parsed.dst_mac.begin());
  std::copy_n(frame.begin() + 6, 6, parsed.src_mac.begin());
  parsed.src_addr = IPv4Address::fromBytes(ip.data() + 12);
  parsed.dst_addr = IPv4Address::fromBytes(ip.data() + 16);
  parsed.ttl = ip[8];
  if (check == UdpChecksumCheck::kVerify && readU16(udp, 6) != 0) {
    // With the transmitted checksum included, a correct segment sums to 0xffff.
    if (fold(sumWords(sumPseudoHeader(parsed.src_addr, parsed.dst_addr, udp.size()), udp)) !=
        0xffff) {
      return reject(FrameError::kBadUdpChecksum, error);
    }
  }
  parsed.src_port = readU16(udp, 0);
  parsed.dst_port = readU16(udp, 2);
  parsed.payload = udp.subspan(kUdpHeaderSize);
  return parsed;
}

}  // namespace takahe::net
