#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "takahe/util/hex.h"

namespace takahe {

/// Subnet identifier as configured in `subnet4[].id`.
struct SubnetId {
  uint32_t value = 0;
  constexpr SubnetId() = default;
  constexpr explicit SubnetId(uint32_t v) : value(v) {}
  constexpr auto operator<=>(const SubnetId&) const = default;
};

/// Hardware type + address from chaddr (htype 1 = Ethernet).
struct HwAddr {
  uint8_t htype = 1;
  Bytes bytes;

  HwAddr() = default;
  HwAddr(uint8_t type, Bytes b) : htype(type), bytes(std::move(b)) {}
  /// Parses "aa:bb:cc:dd:ee:ff" (any form parseHex takes); htype is set to 1. Throws Error.
  static HwAddr fromString(std::string_view text, uint8_t htype = 1);
  std::string toString() const { return toHex(bytes); }
  bool empty() const { return bytes.empty(); }
  bool operator==(const HwAddr& o) const { return htype == o.htype && bytes == o.bytes; }
};

/// DHCPv4 client identifier (option 61 payload, including its type byte).
struct ClientId {
  Bytes bytes;
  ClientId() = default;
  explicit ClientId(Bytes b) : bytes(std::move(b)) {}
  static ClientId fromString(std::string_view text);
  std::string toString() const { return toHex(bytes); }
  bool empty() const { return bytes.empty(); }
  bool operator==(const ClientId&) const = default;
};

/// DHCPv6 DUID.
struct Duid {
  Bytes bytes;
  Duid() = default;
  explicit Duid(Bytes b) : bytes(std::move(b)) {}
  static Duid fromString(std::string_view text);
  std::string toString() const { return toHex(bytes); }
  bool empty() const { return bytes.empty(); }
  bool operator==(const Duid&) const = default;
};

size_t hashBytes(const Bytes& b) noexcept;

}  // namespace takahe

template <>
struct std::hash<takahe::SubnetId> {
  size_t operator()(const takahe::SubnetId& s) const noexcept { return std::hash<uint32_t>()(s.value); }
};
template <>
struct std::hash<takahe::HwAddr> {
  size_t operator()(const takahe::HwAddr& h) const noexcept {
    return takahe::hashBytes(h.bytes) ^ h.htype;
  }
};
template <>
struct std::hash<takahe::ClientId> {
  size_t operator()(const takahe::ClientId& c) const noexcept { return takahe::hashBytes(c.bytes); }
};
template <>
struct std::hash<takahe::Duid> {
  size_t operator()(const takahe::Duid& c) const noexcept { return takahe::hashBytes(c.bytes); }
};
