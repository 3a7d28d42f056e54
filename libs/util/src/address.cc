#include "takahe/util/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "takahe/util/error.h"

namespace takahe {

std::optional<IPv4Address> IPv4Address::parse(std::string_view text) {
  // Strict dotted quad: four decimal parts 0..255, no leading '+', no spaces.
  uint32_t value = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  for (int part = 0; part < 4; ++part) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || octet > 255 || next - p > 3) return std::nullopt;
    value = (value << 8) | octet;
    p = next;
    if (part < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return IPv4Address(value);
}

IPv4Address IPv4Address::fromString(std::string_view text) {
  auto a = parse(text);
  if (!a) throw Error("'" + std::string(text) + "' is not a valid IPv4 address");
  return *a;
}

IPv4Address IPv4Address::fromBytes(const uint8_t* b) {
  return IPv4Address((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) |
                     uint32_t{b[3]});
}

std::array<uint8_t, 4> IPv4Address::toBytes() const {
  return {static_cast<uint8_t>(v_ >> 24), static_cast<uint8_t>(v_ >> 16),
          static_cast<uint8_t>(v_ >> 8), static_cast<uint8_t>(v_)};
}

std::string IPv4Address::toString() const {
  char buf[16];
  auto b = toBytes();
  int n = snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<IPv6Address> IPv6Address::parse(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  std::array<uint8_t, 16> b;
  if (inet_pton(AF_INET6, buf, b.data()) != 1) return std::nullopt;
  return IPv6Address(b);
}

IPv6Address IPv6Address::fromString(std::string_view text) {
  auto a = parse(text);
  if (!a) throw Error("'" + std::string(text) + "' is not a valid IPv6 address");
  return *a;
}

std::string IPv6Address::toString() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, b_.data(), buf, sizeof(buf));
  return buf;
}

bool IPv6Address::isZero() const {
  for (auto x : b_) {
    if (x) return false;
  }
  return true;
}

namespace {
std::optional<uint8_t> parseLength(std::string_view s, unsigned max) {
  unsigned len = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), len);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || len > max) return std::nullopt;
  return static_cast<uint8_t>(len);
}
}  // namespace

std::optional<Prefix4> Prefix4::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = IPv4Address::parse(text.substr(0, slash));
  auto l = parseLength(text.substr(slash + 1), 32);
  if (!a || !l) return std::nullopt;
  return Prefix4{*a, *l};
}

Prefix4 Prefix4::fromString(std::string_view text) {
  auto p = parse(text);
  if (!p) throw Error("'" + std::string(text) + "' is not a valid IPv4 prefix (expected a.b.c.d/len)");
  return *p;
}

std::string Prefix4::toString() const { return address.toString() + "/" + std::to_string(length); }

std::optional<Prefix6> Prefix6::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = IPv6Address::parse(text.substr(0, slash));
  auto l = parseLength(text.substr(slash + 1), 128);
  if (!a || !l) return std::nullopt;
  return Prefix6{*a, *l};
}

Prefix6 Prefix6::fromString(std::string_view text) {
  auto p = parse(text);
  if (!p) throw Error("'" + std::string(text) + "' is not a valid IPv6 prefix (expected addr/len)");
  return *p;
}

bool Prefix6::contains(const IPv6Address& a) const {
  const auto& x = address.bytes();
  const auto& y = a.bytes();
  unsigned bits = length;
  for (size_t i = 0; i < 16 && bits > 0; ++i) {
    uint8_t m = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((x[i] & m) != (y[i] & m)) return false;
    bits = bits >= 8 ? bits - 8 : 0;
  }
  return true;
}

std::string Prefix6::toString() const { return address.toString() + "/" + std::to_string(length); }

IPv4Address prefixLengthToMask(uint8_t length) {
  return IPv4Address(length == 0 ? 0 : (length >= 32 ? 0xffffffffu : 0xffffffffu << (32 - length)));
}

}  // namespace takahe
