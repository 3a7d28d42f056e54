#pragma once

// DHCPv6 option payloads as values (RFC 8415 §21 and later RFCs): DUIDs, IA_NA/IA_TA/IA_PD with
// their IAADDR/IAPREFIX sub-options, status codes, PD_EXCLUDE and the small options a server
// reads or writes. Every decoder checks every length and returns an error instead of throwing;
// every encoder writes the RFC layout so server code never assembles bytes by hand.

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

/// DHCPv6 option codes (IANA "DHCPv6 Option Codes").
namespace opt6 {
inline constexpr uint16_t kClientId = 1;
inline constexpr uint16_t kServerId = 2;
inline constexpr uint16_t kIaNa = 3;
inline constexpr uint16_t kIaTa = 4;
inline constexpr uint16_t kIaAddr = 5;
inline constexpr uint16_t kOro = 6;
inline constexpr uint16_t kPreference = 7;
inline constexpr uint16_t kElapsedTime = 8;
inline constexpr uint16_t kRelayMsg = 9;
inline constexpr uint16_t kAuth = 11;
inline constexpr uint16_t kUnicast = 12;
inline constexpr uint16_t kStatusCode = 13;
inline constexpr uint16_t kRapidCommit = 14;
inline constexpr uint16_t kUserClass = 15;
inline constexpr uint16_t kVendorClass = 16;
inline constexpr uint16_t kVendorOpts = 17;
inline constexpr uint16_t kInterfaceId = 18;
inline constexpr uint16_t kReconfMsg = 19;
inline constexpr uint16_t kReconfAccept = 20;
inline constexpr uint16_t kDnsServers = 23;
inline constexpr uint16_t kDomainSearch = 24;
inline constexpr uint16_t kIaPd = 25;
inline constexpr uint16_t kIaPrefix = 26;
inline constexpr uint16_t kSntpServers = 31;
inline constexpr uint16_t kInformationRefreshTime = 32;
inline constexpr uint16_t kRemoteId = 37;
inline constexpr uint16_t kSubscriberId = 38;
inline constexpr uint16_t kClientFqdn = 39;
inline constexpr uint16_t kEro = 43;
inline constexpr uint16_t kNtpServer = 56;
inline constexpr uint16_t kRsoo = 66;
inline constexpr uint16_t kPdExclude = 67;
inline constexpr uint16_t kClientLinkLayerAddr = 79;
inline constexpr uint16_t kSolMaxRt = 82;
inline constexpr uint16_t kInfMaxRt = 83;
inline constexpr uint16_t kRelaySourcePort = 135;
}  // namespace opt6

/// One DHCPv6 option: code and payload (without the 2-byte code and 2-byte length).
struct Option6 {
  uint16_t code = 0;
  Bytes data;
  bool operator==(const Option6&) const = default;
};

/// Parses a run of DHCPv6 options (code 2 bytes, length 2 bytes, data), keeping order and
/// repeated codes. The error names the offset and what ran short.
Result<std::vector<Option6>> parseOptions6(std::span<const uint8_t> wire);

/// Appends one option as code/length/data. Returns false (and writes nothing) when the data is
/// longer than 65535 bytes.
bool appendOption6(uint16_t code, std::span<const uint8_t> data, Bytes& out);
/// Appends every option in order; options over 65535 bytes are left out and make it return false.
bool appendOptions6(const std::vector<Option6>& options, Bytes& out);
/// The first instance of `code`, or null.
const Bytes* findOption6(const std::vector<Option6>& options, uint16_t code);

// ---- DUID (RFC 8415 §11) -------------------------------------------------------------------

enum class DuidType : uint16_t { kLlt = 1, kEn = 2, kLl = 3, kUuid = 4 };

/// Longest DUID: a 2-byte type plus at most 128 bytes (RFC 8415 §11.1).
inline constexpr size_t kMaxDuidSize = 130;

/// The fields of a DUID. Which fields are meaningful depends on `type`.
struct DuidInfo {
  uint16_t type = 0;
  uint16_t hw_type = 0;     // LLT, LL: IANA hardware type (1 = Ethernet)
  uint32_t time = 0;        // LLT: seconds since 2000-01-01 00:00 UTC, mod 2^32
  uint32_t enterprise = 0;  // EN: IANA private enterprise number
  /// LLT/LL: the link-layer address; EN: the identifier; UUID: the 16 bytes; any other type:
  /// everything after the type code.
  Bytes identifier;
  bool operator==(const DuidInfo&) const = default;
};

/// Splits a DUID into its fields. Errors: shorter than 3 bytes (type code plus at least one
/// byte) or longer than 130, LLT under 9 bytes, LL under 5, EN under 7, UUID not exactly 18.
/// Unknown types are accepted (their identifier is the rest).
Result<DuidInfo> parseDuid(std::span<const uint8_t> duid);

/// The hardware address inside a DUID-LLT or DUID-LL; nullopt for other types, malformed
/// DUIDs, hardware types above 255 (HwAddr keeps one byte) or an empty address.
std::optional<HwAddr> hwAddrFromDuid(std::span<const uint8_t> duid);

Duid makeDuidLlt(uint16_t hw_type, uint32_t time, std::span<const uint8_t> link_layer);
Duid makeDuidLl(uint16_t hw_type, std::span<const uint8_t> link_layer);
Duid makeDuidEn(uint32_t enterprise, std::span<const uint8_t> identifier);
Duid makeDuidUuid(const std::array<uint8_t, 16>& uuid);

// ---- status code (13) ----------------------------------------------------------------------

enum class StatusCode6 : uint16_t {
  kSuccess = 0,
  kUnspecFail = 1,
  kNoAddrsAvail = 2,
  kNoBinding = 3,
  kNotOnLink = 4,
  kUseMulticast = 5,
  kNoPrefixAvail = 6,
};
/// "Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink", "UseMulticast",
/// "NoPrefixAvail"; "Unknown" for other codes.
std::string_view statusCode6Name(uint16_t code);

/// Status code option: 16-bit code and a UTF-8 message (not NUL-terminated, may be empty).
struct Status6 {
  uint16_t code = 0;
  std::string message;

  Status6() = default;
  Status6(StatusCode6 c, std::string msg = {})
      : code(static_cast<uint16_t>(c)), message(std::move(msg)) {}
  bool is(StatusCode6 c) const { return code == static_cast<uint16_t>(c); }
  bool operator==(const Status6&) const = default;
};

Bytes encodeStatus6(const Status6& status);
/// Error when shorter than the 2-byte code.
Result<Status6> decodeStatus6(std::span<const uint8_t> data);

// ---- IA options (3, 4, 25) and their addresses/prefixes (5, 26) ------------------------------
//
// Decoders move the sub-options they know into typed fields (IAADDR -> addresses, IAPREFIX ->
// prefixes, the first status code -> status, PD_EXCLUDE -> excluded) and keep every other
// sub-option, in order, in `options`. Encoders write the fixed fields, then the typed
// sub-options (addresses/prefixes, status, excluded), then `options`.

struct IaAddress {
  IPv6Address address;
  uint32_t preferred_lft = 0;
  uint32_t valid_lft = 0;
  std::optional<Status6> status;
  std::vector<Option6> options;
  bool operator==(const IaAddress&) const = default;
};

struct IaPrefix {
  uint32_t preferred_lft = 0;
  uint32_t valid_lft = 0;
  Prefix6 prefix;  // the address bytes are kept as sent (not masked)
  /// PD_EXCLUDE (RFC 6603): a prefix inside `prefix` the client must not use.
  std::optional<Prefix6> excluded;
  std::optional<Status6> status;
  std::vector<Option6> options;
  bool operator==(const IaPrefix&) const = default;
};

struct IaNa {
  uint32_t iaid = 0;
  uint32_t t1 = 0;
  uint32_t t2 = 0;
  std::vector<IaAddress> addresses;
  std::optional<Status6> status;
  std::vector<Option6> options;
  bool operator==(const IaNa&) const = default;
};

/// IA_TA has no T1/T2 (RFC 8415 §21.5).
struct IaTa {
  uint32_t iaid = 0;
  std::vector<IaAddress> addresses;
  std::optional<Status6> status;
  std::vector<Option6> options;
  bool operator==(const IaTa&) const = default;
};

struct IaPd {
  uint32_t iaid = 0;
  uint32_t t1 = 0;
  uint32_t t2 = 0;
  std::vector<IaPrefix> prefixes;
  std::optional<Status6> status;
  std::vector<Option6> options;
  bool operator==(const IaPd&) const = default;
};

/// Payload encoders (the option's data, without its own code/length). An IaPrefix whose
/// `excluded` does not fit its prefix fails (see encodePdExclude); so does any IA holding it.
Bytes encodeIaAddress(const IaAddress& a);
Result<Bytes> encodeIaPrefix(const IaPrefix& p);
Bytes encodeIaNa(const IaNa& ia);
Bytes encodeIaTa(const IaTa& ia);
Result<Bytes> encodeIaPd(const IaPd& ia);

/// Payload decoders. Errors: fixed part short (IAADDR 24, IAPREFIX 25, IA_NA/IA_PD 12, IA_TA 4
/// bytes), a sub-option running past the end, prefix length over 128, a malformed nested
/// IAADDR/IAPREFIX, status code or PD_EXCLUDE. The message names the part that failed.
Result<IaAddress> decodeIaAddress(std::span<const uint8_t> data);
Result<IaPrefix> decodeIaPrefix(std::span<const uint8_t> data);
Result<IaNa> decodeIaNa(std::span<const uint8_t> data);
Result<IaTa> decodeIaTa(std::span<const uint8_t> data);
Result<IaPd> decodeIaPd(std::span<const uint8_t> data);

/// PD_EXCLUDE payload (RFC 6603 §4.2): excluded prefix length, then the bits of the excluded
/// prefix between the delegated and excluded lengths, left-aligned and zero-padded to whole
/// bytes. The excluded prefix must be longer than the delegated one and lie inside it.
Result<Bytes> encodePdExclude(const Prefix6& delegated, const Prefix6& excluded);
/// Rebuilds the excluded prefix from the delegated prefix and the payload; checks that the
/// length is in (delegated length, 128] and the payload has exactly the bytes it needs.
Result<Prefix6> decodePdExclude(const Prefix6& delegated, std::span<const uint8_t> data);

// ---- small options -------------------------------------------------------------------------

/// Big-endian integers, for preference (7), elapsed time (8), information refresh time (32),
/// SOL_MAX_RT (82), relay source port (135) and the like.
Bytes encodeU8(uint8_t v);
Bytes encodeU16(uint16_t v);
Bytes encodeU32(uint32_t v);
/// The value when `data` is exactly the size of the integer.
std::optional<uint8_t> decodeU8(std::span<const uint8_t> data);
std::optional<uint16_t> decodeU16(std::span<const uint8_t> data);
std::optional<uint32_t> decodeU32(std::span<const uint8_t> data);

/// ORO (6) and ERO (43): a list of 16-bit option codes. Error on an odd length.
Bytes encodeOptionCodes(std::span<const uint16_t> codes);
Result<std::vector<uint16_t>> decodeOptionCodes(std::span<const uint8_t> data);

/// Lists of IPv6 addresses: DNS servers (23), SNTP servers (31), SIP (22), NIS (27/28)...
/// Error when the length is not a multiple of 16.
Bytes encodeAddressList(std::span<const IPv6Address> addresses);
Result<std::vector<IPv6Address>> decodeAddressList(std::span<const uint8_t> data);

/// Lists of domain names in DNS wire format without compression (RFC 8415 §10): domain search
/// (24), SIP server names (21)... Decoded names end with a dot.
Result<Bytes> encodeDomainList(const std::vector<std::string>& names);
Result<std::vector<std::string>> decodeDomainList(std::span<const uint8_t> data);

/// Opaque data items with 2-byte lengths: user class (15) data.
Bytes encodeOpaqueList(const std::vector<Bytes>& items);
Result<std::vector<Bytes>> decodeOpaqueList(std::span<const uint8_t> data);

/// Vendor class (16): enterprise number, then opaque data items.
struct VendorClass6 {
  uint32_t enterprise = 0;
  std::vector<Bytes> data;
  bool operator==(const VendorClass6&) const = default;
};
Bytes encodeVendorClass6(const VendorClass6& v);
Result<VendorClass6> decodeVendorClass6(std::span<const uint8_t> data);

/// Vendor-specific information (17): enterprise number, then options with 2-byte codes and
/// lengths in that vendor's space.
struct VendorOpts6 {
  uint32_t enterprise = 0;
  std::vector<Option6> options;
  bool operator==(const VendorOpts6&) const = default;
};
Bytes encodeVendorOpts6(const VendorOpts6& v);
Result<VendorOpts6> decodeVendorOpts6(std::span<const uint8_t> data);

/// Remote-id (37, RFC 4649): enterprise number and the relay's opaque remote id.
struct RemoteId6 {
  uint32_t enterprise = 0;
  Bytes id;
  bool operator==(const RemoteId6&) const = default;
};
Bytes encodeRemoteId6(const RemoteId6& r);
Result<RemoteId6> decodeRemoteId6(std::span<const uint8_t> data);

/// Client FQDN (39, RFC 4704): flags S (server does the AAAA update), O (server overrode the
/// client), N (no update), then a domain name in wire format that may be partial.
struct ClientFqdn6 {
  static constexpr uint8_t kFlagS = 0x01;
  static constexpr uint8_t kFlagO = 0x02;
  static constexpr uint8_t kFlagN = 0x04;
  uint8_t flags = 0;
  /// "" when the client sent no name; a fully qualified name ends with a dot, a partial name
  /// (no root label on the wire) does not.
  std::string name;
  bool operator==(const ClientFqdn6&) const = default;
};
Result<Bytes> encodeClientFqdn6(const ClientFqdn6& f);
/// Error when empty, when flag bits other than S/O/N are set, or the name is malformed.
Result<ClientFqdn6> decodeClientFqdn6(std::span<const uint8_t> data);

/// NTP server (56, RFC 5908): sub-options server address (1), multicast address (2) and
/// server FQDN (3).
struct NtpServer6 {
  enum class Kind : uint16_t { kServerAddress = 1, kMulticastAddress = 2, kServerFqdn = 3 };
  Kind kind = Kind::kServerAddress;
  IPv6Address address;  // kServerAddress, kMulticastAddress
  std::string fqdn;     // kServerFqdn
  bool operator==(const NtpServer6&) const = default;
};
Result<Bytes> encodeNtpServer6(const std::vector<NtpServer6>& entries);
/// Errors: a sub-option running past the end, an address not 16 bytes, a bad name, an unknown
/// sub-option code, or no sub-option at all (RFC 5908 requires one).
Result<std::vector<NtpServer6>> decodeNtpServer6(std::span<const uint8_t> data);

/// Client link-layer address (79, RFC 6939): 2-byte hardware type, then the address.
Bytes encodeClientLinkLayer(const HwAddr& hw);
/// Error when under 3 bytes or the hardware type does not fit HwAddr's one byte.
Result<HwAddr> decodeClientLinkLayer(std::span<const uint8_t> data);

}  // namespace takahe::dhcp
