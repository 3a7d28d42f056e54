#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace takahe {

/// An IPv4 address, held in host byte order.
class IPv4Address {
 public:
  constexpr IPv4Address() = default;
  constexpr explicit IPv4Address(uint32_t host_order) : v_(host_order) {}
  static std::optional<IPv4Address> parse(std::string_view text);
  /// Parses or throws takahe::Error naming the text.
  static IPv4Address fromString(std::string_view text);
  static IPv4Address fromBytes(const uint8_t* network_order);

  constexpr uint32_t toUint() const { return v_; }
  std::array<uint8_t, 4> toBytes() const;
  std::string toString() const;
  constexpr bool isZero() const { return v_ == 0; }
  constexpr bool isBroadcast() const { return v_ == 0xffffffffu; }

  constexpr auto operator<=>(const IPv4Address&) const = default;
  IPv4Address next() const { return IPv4Address(v_ + 1); }

 private:
  uint32_t v_ = 0;
};

/// An IPv6 address in network byte order.
class IPv6Address {
 public:
  IPv6Address() { b_.fill(0); }
  explicit IPv6Address(const std::array<uint8_t, 16>& bytes) : b_(bytes) {}
  static std::optional<IPv6Address> parse(std::string_view text);
  static IPv6Address fromString(std::string_view text);
  const std::array<uint8_t, 16>& bytes() const { return b_; }
  std::string toString() const;
  bool isZero() const;
  auto operator<=>(const IPv6Address&) const = default;

 private:
  std::array<uint8_t, 16> b_;
};

/// An IPv4 prefix such as 192.0.2.0/24. The address is kept as given (not masked).
struct Prefix4 {
  IPv4Address address;
  uint8_t length = 32;

  static std::optional<Prefix4> parse(std::string_view text);
  static Prefix4 fromString(std::string_view text);
  uint32_t mask() const { return length == 0 ? 0 : 0xffffffffu << (32 - length); }
  IPv4Address network() const { return IPv4Address(address.toUint() & mask()); }
  IPv4Address broadcast() const { return IPv4Address(network().toUint() | ~mask()); }
  IPv4Address first() const { return network(); }
  IPv4Address last() const { return broadcast(); }
  bool contains(IPv4Address a) const { return (a.toUint() & mask()) == network().toUint(); }
  uint64_t size() const { return uint64_t{1} << (32 - length); }
  std::string toString() const;
  bool operator==(const Prefix4&) const = default;
};

/// An IPv6 prefix such as 2001:db8::/32.
struct Prefix6 {
  IPv6Address address;
  uint8_t length = 128;

  static std::optional<Prefix6> parse(std::string_view text);
  static Prefix6 fromString(std::string_view text);
  bool contains(const IPv6Address& a) const;
  std::string toString() const;
  bool operator==(const Prefix6&) const = default;
};

/// Converts a prefix length to an IPv4 netmask (e.g. 24 -> 255.255.255.0).
IPv4Address prefixLengthToMask(uint8_t length);

}  // namespace takahe

template <>
struct std::hash<takahe::IPv4Address> {
  size_t operator()(const takahe::IPv4Address& a) const noexcept {
    return std::hash<uint32_t>()(a.toUint());
  }
};
