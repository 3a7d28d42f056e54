#pragma once

// Option definitions as data: the standard DHCPv4 set plus whatever `option-def` adds, and the
// codec that turns config text ("data" with csv-format) into wire bytes and wire bytes back
// into text. Pure wire code: no config, sockets or logging.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/util/hex.h"
#include "takahe/util/result.h"

namespace takahe::dhcp {

/// Kea's option data type names (option_data_types.cc), spelled the same in config.
enum class OptionDataType {
  kEmpty,
  kBinary,
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kUint8,
  kUint16,
  kUint32,
  kIpv4Address,
  kIpv6Address,
  kIpv6Prefix,
  kPsid,
  kString,
  kFqdn,
  kTuple,
  kRecord,
  kInternal,
};

/// "uint8" -> kUint8 etc.; nullopt for unknown names.
std::optional<OptionDataType> optionDataTypeFromName(std::string_view name);
std::string_view optionDataTypeName(OptionDataType t);

/// Standard option space names.
inline constexpr std::string_view kDhcp4Space = "dhcp4";
inline constexpr std::string_view kAgentSpace = "dhcp-agent-options-space";  // option 82 subs
inline constexpr std::string_view kVendorEncapsulatedSpace =
    "vendor-encapsulated-options-space";  // 43

/// DHCPv6 option spaces of the standard set (Kea's names). Vendor options (17) carry the
/// options of space "vendor-<enterprise-id>", as in DHCPv4 (125).
inline constexpr std::string_view kDhcp6Space = "dhcp6";
inline constexpr std::string_view kNtpServerSpace6 = "v6-ntp-server-suboptions";  // 56
inline constexpr std::string_view kRsooSpace6 = "rsoo-opts";                      // 66
inline constexpr std::string_view kS46MapeSpace = "s46-cont-mape-options";        // 94
inline constexpr std::string_view kS46MaptSpace = "s46-cont-mapt-options";        // 95
inline constexpr std::string_view kS46LwSpace = "s46-cont-lw-options";            // 96
inline constexpr std::string_view kS46RuleSpace = "s46-rule-options";             // s46-rule
inline constexpr std::string_view kS46V4v6BindSpace = "s46-v4v6bind-options";     // s46-v4v6bind
inline constexpr std::string_view kDocsis6Space = "vendor-4491";                  // CableLabs

/// Which protocol a definition belongs to. It decides the code range (DHCPv4 options are
/// 1..254 and sub-options 0..255; DHCPv6 options 1..65535 and sub-options 0..65535) and the
/// width of tuple lengths (1 byte in DHCPv4, 2 bytes in DHCPv6, RFC 8415 opaque data).
enum class OptionUniverse : uint8_t { kV4, kV6 };

struct OptionDefinition {
  std::string name;
  uint16_t code = 0;
  std::string space = std::string(kDhcp4Space);
  OptionDataType type = OptionDataType::kBinary;
  bool array = false;
  /// For kRecord: the field types, in order. With array=true the last field repeats.
  std::vector<OptionDataType> record_types;
  /// Name of the option space whose options this one carries as sub-options ("" for none).
  std::string encapsulate;
  /// kV6 for DHCPv6 definitions (standard6() sets it; a dhcp6 `option-def` parser must too).
  /// A definition in space "dhcp6" counts as DHCPv6 whatever this says.
  OptionUniverse universe = OptionUniverse::kV4;
};

/// True for a DHCPv6 definition: universe kV6, or space "dhcp6".
bool isV6Definition(const OptionDefinition& def);

/// A registry of definitions indexed by (space, code) and (space, name). Lookups are cheap.
class OptionDefinitionSet {
 public:
  /// The built-in DHCPv4 definitions: every RFC 2132 option and the common later ones
  /// (client FQDN 81, relay agent info 82 and its sub-options, 43, 60, 61, 66/67, 93/94/97,
  /// 108, 114, 116, 118, 119, 121, 124, 125, 212, ...), with Kea's names and types.
  /// Notes: 121 (classless-static-route) is `internal` with the text format
  /// "10.229.0.128/25 - 10.229.0.1, 0.0.0.0/0 - 10.0.0.1"; 125 (vivso-suboptions) is a record
  /// of uint32 (enterprise number) and binary (the rest of the payload, may be omitted).
  static const OptionDefinitionSet& standard4();

  /// The built-in DHCPv6 definitions (universe kV6): Kea's names, codes and types for space
  /// "dhcp6" (clientid 1 ... addr-reg-enable 148) and the standard sub-option spaces: NTP
  /// server 56 (v6-ntp-server-suboptions), the softwire46 containers 94-96 and their rule/bind
  /// spaces, and the DOCSIS vendor space vendor-4491. Notes: ia-na/ia-pd/iaaddr/iaprefix are
  /// records of their fixed fields (the server builds them with the typed encoders of
  /// options6.h); pd-exclude (67) is binary, since its RFC 6603 layout depends on the
  /// delegated prefix (see encodePdExclude); lq-query (44) and client-data (45) encapsulate
  /// "dhcp6" as in Kea. Not defined: auth internals, v6-dnr (144).
  static const OptionDefinitionSet& standard6();

  /// Adds or replaces (same space and code) a definition; a name clash with another code in the
  /// same space is an error (returned, not thrown).
  Result<bool> add(OptionDefinition def);

  const OptionDefinition* find(std::string_view space, uint16_t code) const;
  const OptionDefinition* find(std::string_view space, std::string_view name) const;
  std::vector<const OptionDefinition*> all() const;

  size_t size() const { return by_code_.size(); }

 private:
  // Transparent ordering so lookups by string_view need no allocation.
  struct CodeKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      int c = std::string_view(a.first).compare(std::string_view(b.first));
      return c < 0 || (c == 0 && a.second < b.second);
    }
  };
  struct NameKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      int c = std::string_view(a.first).compare(std::string_view(b.first));
      return c < 0 || (c == 0 && std::string_view(a.second) < std::string_view(b.second));
    }
  };
  std::map<std::pair<std::string, uint16_t>, OptionDefinition, CodeKeyLess> by_code_;
  std::map<std::pair<std::string, std::string>, uint16_t, NameKeyLess> by_name_;
};

/// Checks a definition the way Kea's option-def parser does: name of letters, digits, '-' and
/// '_' (not at either end), a non-empty space, code 1..254 in the dhcp4 space (0..255 in
/// other DHCPv4 spaces; DHCPv6: 1..65535 in dhcp6, 0..65535 elsewhere), records of at
/// least two fields with string/binary only last, no arrays of string/binary/empty/internal.
/// add() runs this check.
Result<bool> validateOptionDefinition(const OptionDefinition& def);

/// Encodes the `data` of an option-data entry per the definition.
/// csv_format=true: comma-separated fields as Kea writes them ("192.0.2.1, 192.0.2.2",
/// "true", "1, example.com", quoted strings with embedded commas allowed as "'a,b'", and
/// "\," for a literal comma); csv_format=false: hex (any form parseHex accepts, spaces
/// allowed). Empty data for an `empty`-type option. Errors say which field is wrong and why.
/// Field formats: integers decimal or 0x-hex, range-checked; boolean true/false/1/0;
/// ipv6-prefix "2001:db8::/64" (length byte + ceil(len/8) prefix bytes); psid "psid/len"
/// (length byte + psid left-aligned in 16 bits); tuple 1-byte length + text (2 bytes for
/// option 143 and in every DHCPv6 definition); binary hex or a 'quoted' text. A string (alone or as the last record field)
/// takes the rest of the data, commas included. A trailing string/binary record field may be
/// omitted (empty). Records with array=true repeat their last field.
Result<Bytes> encodeOptionData(const OptionDefinition& def, std::string_view data, bool csv_format);

/// Renders wire bytes as csv text per the definition (inverse of encodeOptionData), or an error
/// when the bytes do not fit the layout.
Result<std::string> formatOptionData(const OptionDefinition& def, std::span<const uint8_t> wire);

/// Encodes a domain name in DNS wire format (RFC 1035, no compression); a trailing dot or not
/// makes a fully qualified name; "partial" names end without the root label only when
/// `partial` is set.
Result<Bytes> encodeFqdn(std::string_view name, bool partial = false);
Result<std::string> decodeFqdn(std::span<const uint8_t> wire, size_t* consumed = nullptr);

}  // namespace takahe::dhcp
