#pragma once

// DHCPv4 packet (RFC 2131/2132): fixed BOOTP header plus options. Parsing never throws.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/util/address.h"
#include "takahe/util/hex.h"
#include "takahe/util/identifiers.h"
#include "takahe/util/result.h"

namespace takahe::dhcp {

enum class MessageType : uint8_t {
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
  kLeaseQuery = 10,
  kLeaseUnassigned = 11,
  kLeaseUnknown = 12,
  kLeaseActive = 13,
};
std::string_view messageTypeName(MessageType t);  // "DHCPDISCOVER", ...

/// Frequently used option codes.
namespace opt {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouters = 3;
inline constexpr uint8_t kDomainNameServers = 6;
inline constexpr uint8_t kHostName = 12;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kBroadcastAddress = 28;
inline constexpr uint8_t kVendorEncapsulated = 43;
inline constexpr uint8_t kRequestedAddress = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterRequestList = 55;
inline constexpr uint8_t kMessage = 56;
inline constexpr uint8_t kMaxMessageSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kVendorClassId = 60;
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kTftpServerName = 66;
inline constexpr uint8_t kBootFileName = 67;
inline constexpr uint8_t kClientFqdn = 81;
inline constexpr uint8_t kRelayAgentInfo = 82;
inline constexpr uint8_t kSubnetSelection = 118;
inline constexpr uint8_t kEnd = 255;
}  // namespace opt

/// Relay agent information (option 82) sub-option codes.
namespace rai {
inline constexpr uint8_t kCircuitId = 1;
inline constexpr uint8_t kRemoteId = 2;
inline constexpr uint8_t kLinkSelection = 5;
inline constexpr uint8_t kServerIdOverride = 11;
}  // namespace rai

/// One option instance: code and payload (without code/length bytes).
struct Option4 {
  uint8_t code = 0;
  Bytes data;
  bool operator==(const Option4&) const = default;
};

/// Where a packet came from / goes to. Filled by the socket layer, not by parse().
struct PacketMeta {
  std::string iface;
  int ifindex = 0;
  IPv4Address local_addr;
  uint16_t local_port = 0;
  IPv4Address remote_addr;
  uint16_t remote_port = 0;
  HwAddr remote_hw;        // link-layer source (raw sockets only)
  int64_t rx_time_us = 0;  // monotonic
  /// Client classes the packet belongs to (set by hook libraries, e.g. HA's "HA_server1");
  /// pools with a `client-class` serve only packets of that class.
  std::vector<std::string> classes;
  bool inClass(std::string_view name) const {
    if (name == "ALL") return true;
    for (const auto& c : classes) {
      if (c == name) return true;
    }
    return false;
  }
  void addClass(std::string name) {
    if (!inClass(name)) classes.push_back(std::move(name));
  }
};

/// Parse failures are values, never exceptions: the text says what was wrong.
struct ParseError4 {
  std::string reason;
};

class Pkt4 {
 public:
  static constexpr size_t kHeaderSize = 236;  // fixed BOOTP part
  static constexpr size_t kMinSize = 300;     // BOOTP minimum; replies are padded to it
  static constexpr uint32_t kMagicCookie = 0x63825363;
  static constexpr uint16_t kFlagBroadcast = 0x8000;

  uint8_t op = 1;  // 1 BOOTREQUEST, 2 BOOTREPLY
  uint8_t htype = 1;
  uint8_t hlen = 6;
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;
  IPv4Address ciaddr, yiaddr, siaddr, giaddr;
  std::array<uint8_t, 16> chaddr{};
  std::array<uint8_t, 64> sname{};
  std::array<uint8_t, 128> file{};
  PacketMeta meta;

  /// Parses a packet. Accepts option overload (52) by reading options from file/sname as well,
  /// concatenates repeated instances of one code (RFC 3396), and refuses truncated headers,
  /// a wrong cookie or options running past the end. A missing message type is not a parse
  /// error (BOOTP packets have none); the server decides what to do with it.
  /// Details: input over 65535 bytes and hlen > 16 are errors; zeros (or nothing) where the
  /// cookie belongs mean plain BOOTP with no options; option 52 is consumed (not kept) and
  /// the overloaded sname/file fields are zeroed in the result.
  static Result<Pkt4, ParseError4> parse(std::span<const uint8_t> wire);

  /// Serializes: header, cookie, options in insertion order (message type first), END, then
  /// padding to kMinSize. Options longer than 255 bytes are split into several instances
  /// (RFC 3396). When the result would exceed max_size (the DHCP message itself, raised to at
  /// least 576), options that do not fit are left out: they are taken in order while they fit,
  /// so earlier-added options win; the message type and server id are always written. Option
  /// 52 (overload) is never written: this serializer does not overload sname/file.
  Bytes serialize(size_t max_size = 1500) const;
  /// As above, and appends the codes of options left out for size to `dropped` (if not null).
  Bytes serialize(size_t max_size, std::vector<uint8_t>* dropped) const;

  // Options: one logical entry per code, kept in insertion order.
  const Bytes* option(uint8_t code) const;
  bool has(uint8_t code) const { return option(code) != nullptr; }
  void setOption(uint8_t code, Bytes data);  // replaces, keeps position if present; 0/255 ignored
  void removeOption(uint8_t code);
  const std::vector<Option4>& options() const { return options_; }

  // Typed helpers over common options.
  std::optional<MessageType> messageType() const;
  void setMessageType(MessageType t);
  HwAddr hwAddr() const;  // htype + first hlen bytes of chaddr (hlen capped at 16)
  void setHwAddr(const HwAddr& hw);
  std::optional<ClientId> clientId() const;  // option 61 payload; nullopt if absent or empty
  std::optional<IPv4Address> requestedAddress() const;
  std::optional<IPv4Address> serverId() const;
  std::vector<uint8_t> parameterRequestList() const;
  std::optional<uint16_t> maxMessageSize() const;
  std::optional<std::string> hostName() const;  // trailing NULs stripped; nullopt if empty
  /// Sub-option payload of option 82, or nullopt when absent/malformed.
  std::optional<Bytes> relayAgentSubOption(uint8_t sub_code) const;
  bool broadcastFlag() const { return (flags & kFlagBroadcast) != 0; }
  bool isRelayed() const { return !giaddr.isZero(); }

  /// One-line description for logs: "DHCPDISCOVER xid=0x1234 hw=aa:bb:.. cid=.. via 1.2.3.4".
  std::string label() const;

 private:
  std::vector<Option4> options_;
};

/// Parses a sequence of TLV options (code 0 pad, 255 end) from `wire` into `out`, merging
/// repeated codes. Used for option 82 sub-options and encapsulated spaces too.
/// Returns false on a truncated option.
bool parseOptions4(std::span<const uint8_t> wire, std::vector<Option4>& out);

/// Appends options as TLVs (splitting > 255 bytes), without an END.
void appendOptions4(const std::vector<Option4>& options, Bytes& out);

}  // namespace takahe::dhcp
