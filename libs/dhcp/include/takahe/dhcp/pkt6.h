#pragma once

// DHCPv6 message (RFC 8415 §8-9): message type, 24-bit transaction id and options. A relayed
// message (RELAY-FORW / RELAY-REPL) is unwrapped into its relay chain around the client's
// message. Parsing never throws.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcp/options6.h"
#include "takahe/util/address.h"
#include "takahe/util/hex.h"
#include "takahe/util/identifiers.h"
#include "takahe/util/result.h"

namespace takahe::dhcp {

/// RFC 8415 §7.3 message types. Other values (leasequery, DHCPv4-over-DHCPv6, ...) parse as
/// well; their name is "UNKNOWN".
enum class MessageType6 : uint8_t {
  kSolicit = 1,
  kAdvertise = 2,
  kRequest = 3,
  kConfirm = 4,
  kRenew = 5,
  kRebind = 6,
  kReply = 7,
  kRelease = 8,
  kDecline = 9,
  kReconfigure = 10,
  kInformationRequest = 11,
  kRelayForw = 12,
  kRelayRepl = 13,
};
/// "SOLICIT", "ADVERTISE", ..., "INFORMATION-REQUEST", "RELAY-FORW", "RELAY-REPL"; "UNKNOWN".
std::string_view messageType6Name(MessageType6 t);
inline bool isRelayMessage(MessageType6 t) {
  return t == MessageType6::kRelayForw || t == MessageType6::kRelayRepl;
}

/// Parse failures are values, never exceptions: the text says what was wrong and where.
struct ParseError6 {
  std::string reason;
};

/// One relay layer (RFC 8415 §9): the relay agent's header and its options.
struct RelayInfo {
  /// Where relay-msg sat among the options when `relay_msg_index` is not set explicitly.
  static constexpr size_t kRelayMsgLast = std::numeric_limits<size_t>::max();

  MessageType6 msg_type = MessageType6::kRelayForw;
  uint8_t hop_count = 0;
  IPv6Address link_address;  // identifies the client's link (may be :: for an LDRA)
  IPv6Address peer_address;  // where the relay got the message from (client or relay)
  /// The relay's options in wire order, without relay-msg (9): interface-id (18), remote-id
  /// (37), subscriber-id (38), client link-layer address (79), relay source port (135), ...
  std::vector<Option6> options;
  /// Index in `options` before which relay-msg is written (kRelayMsgLast: after them all).
  /// parse() records where it was (kRelayMsgLast when it came last), so serialize() gives
  /// back the same bytes.
  size_t relay_msg_index = kRelayMsgLast;

  const Bytes* option(uint16_t code) const { return findOption6(options, code); }
  std::optional<Bytes> interfaceId() const;
  std::optional<RemoteId6> remoteId() const;
  std::optional<HwAddr> clientLinkLayerAddr() const;  // option 79
  bool operator==(const RelayInfo&) const = default;
};

/// Where a packet came from / goes to. Filled by the socket layer, not by parse().
struct PacketMeta6 {
  std::string iface;
  int ifindex = 0;
  IPv6Address local_addr;
  uint16_t local_port = 0;
  IPv6Address remote_addr;
  uint16_t remote_port = 0;
  HwAddr remote_hw;        // link-layer source, when the socket knows it
  int64_t rx_time_us = 0;  // monotonic
  /// Client classes the packet belongs to (set by classification and hook libraries).
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

class Pkt6 {
 public:
  static constexpr size_t kHeaderSize = 4;        // msg-type, transaction-id (3 bytes)
  static constexpr size_t kRelayHeaderSize = 34;  // msg-type, hop-count, link, peer
  static constexpr size_t kMaxWireSize = 65535;
  static constexpr uint32_t kTransIdMask = 0xffffff;
  /// Relay nesting limit. RFC 8415 §7.6 sets HOP_COUNT_LIMIT to 8 but lets operators raise
  /// it; 32 leaves room for that and still bounds the work per packet. More nested relay
  /// layers, or a relay header claiming a hop count above this, is a parse error.
  static constexpr size_t kMaxRelayDepth = 32;
  static constexpr uint8_t kMaxHopCount = 32;

  MessageType6 msg_type = MessageType6::kSolicit;
  uint32_t transid = 0;  // 24 bits; serialize() writes the low 24
  /// Relay layers from the outermost (the one the server received) to the innermost (the
  /// relay closest to the client). Empty for a message the client sent directly.
  std::vector<RelayInfo> relays;
  PacketMeta6 meta;

  /// Parses a message, unwrapping relay layers into `relays` and the client's message into
  /// this packet. Refused: empty or > 65535 bytes, a truncated header or relay header, an
  /// option header or option length running past its message, relay nesting over
  /// kMaxRelayDepth or a hop count over kMaxHopCount, a relay message without exactly one
  /// relay-msg option, and IA_NA/IA_TA/IA_PD options of the client's message that do not
  /// decode (fixed part short, IAADDR/IAPREFIX/status/PD_EXCLUDE malformed, sub-options running
  /// past their option). Other option contents (DUIDs, ORO, ...) are not judged here.
  /// Options are kept as sent, in order, repeated codes included, so serialize() of a parsed
  /// packet gives back the input bytes.
  static Result<Pkt6, ParseError6> parse(std::span<const uint8_t> wire);

  /// The wire form: the client message wrapped in one RELAY-FORW/RELAY-REPL layer per entry of
  /// `relays` (relay-msg placed per relay_msg_index). Options must not include relay-msg in a
  /// relay's `options`. Returns an empty buffer when something cannot be encoded: an option
  /// over 65535 bytes, or a message too large to fit a relay-msg option.
  Bytes serialize() const;
  /// The client message alone (header and options), without relay layers; empty on failure.
  Bytes serializeMessage() const;

  /// A reply skeleton for `query`: the given type, the same transaction id, the relay chain
  /// built by relayReplyChain() and a copy of `meta`.
  static Pkt6 makeReply(const Pkt6& query, MessageType6 type);

  // Options of the client message: a list in wire order; one code may appear several times.
  const Bytes* option(uint16_t code) const { return findOption6(options_, code); }
  std::vector<const Bytes*> allOptions(uint16_t code) const;
  bool has(uint16_t code) const { return option(code) != nullptr; }
  void addOption(uint16_t code, Bytes data);  // appends, even when the code is present
  void setOption(uint16_t code, Bytes data);  // replaces the first instance, drops the others
  void removeOption(uint16_t code);           // every instance
  const std::vector<Option6>& options() const { return options_; }

  // Typed helpers. Getters return nullopt (or empty) when the option is absent or malformed.
  std::optional<Duid> clientId() const;  // option 1 payload; nullopt if absent or empty
  std::optional<Duid> serverId() const;  // option 2
  void setClientId(const Duid& d) { setOption(opt6::kClientId, d.bytes); }
  void setServerId(const Duid& d) { setOption(opt6::kServerId, d.bytes); }
  /// Every IA_NA / IA_TA / IA_PD in order (after parse() they always decode).
  std::vector<IaNa> iaNas() const;
  std::vector<IaTa> iaTas() const;
  std::vector<IaPd> iaPds() const;
  void addIaNa(const IaNa& ia) { addOption(opt6::kIaNa, encodeIaNa(ia)); }
  void addIaTa(const IaTa& ia) { addOption(opt6::kIaTa, encodeIaTa(ia)); }
  /// False (nothing added) when a prefix's PD_EXCLUDE does not fit it.
  bool addIaPd(const IaPd& ia);
  std::vector<uint16_t> requestedOptions() const;  // ORO (6); empty if absent or malformed
  std::optional<uint8_t> preference() const;
  std::optional<uint16_t> elapsedTime() const;  // hundredths of a second
  bool rapidCommit() const { return has(opt6::kRapidCommit); }
  bool reconfigureAccept() const { return has(opt6::kReconfAccept); }
  std::optional<Status6> status() const;  // top-level status code (13)
  std::optional<ClientFqdn6> clientFqdn() const;
  std::vector<Bytes> userClasses() const;  // every user-class item of every option 15
  std::vector<VendorClass6> vendorClasses() const;
  std::vector<VendorOpts6> vendorOpts() const;
  void setStatus(const Status6& s) { setOption(opt6::kStatusCode, encodeStatus6(s)); }

  // Relay helpers.
  bool isRelayed() const { return !relays.empty(); }
  /// The relay closest to the client (relays.back()), or null.
  const RelayInfo* innermostRelay() const { return relays.empty() ? nullptr : &relays.back(); }
  /// The first instance of `code` among the relays' options, innermost relay first.
  const Bytes* relayOption(uint16_t code) const;
  /// Client link-layer address (79) from the innermost relay that carries one.
  std::optional<HwAddr> clientLinkLayerAddr() const;

  /// One line for logs: "SOLICIT transid=0x00a1b2 duid=00:01:.. via 2001:db8::1 relays=2".
  std::string label() const;

 private:
  std::vector<Option6> options_;
};

/// The RELAY-REPL chain for a reply to a message received through `forw` (outermost first):
/// one layer per relay with the same hop count, link and peer addresses, echoing the
/// interface-id option (RFC 8415 §19.3) and the options the relay asked to get back in an
/// Echo Request Option (43, RFC 4994), in the order the relay sent them.
std::vector<RelayInfo> relayReplyChain(const std::vector<RelayInfo>& forw);

}  // namespace takahe::dhcp
