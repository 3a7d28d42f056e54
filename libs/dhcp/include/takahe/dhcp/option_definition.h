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
inline constexpr std::string_view kVendorEncapsulatedSpace = "vendor-encapsulated-options-space";  // 43

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
};

/// A registry of definitions indexed by (space, code) and (space, name). Lookups are cheap.
class OptionDefinitionSet {
 public:
  /// The built-in DHCPv4 definitions: every RFC 2132 option and the common later ones
  /// (client FQDN 81, relay agent info 82 and its sub-options, 43, 60, 61, 66/67, 93/94/97,
  /// 116, 118, 119, 121, 124, 125, 150, 252, ...), with Kea's names and types.
  static const OptionDefinitionSet& standard4();

  /// Adds or replaces (same space and code) a definition; a name clash with another code in the
  /// same space is an error (returned, not thrown).
  Result<bool> add(OptionDefinition def);

  const OptionDefinition* find(std::string_view space, uint16_t code) const;
  const OptionDefinition* find(std::string_view space, std::string_view name) const;
  std::vector<const OptionDefinition*> all() const;

 private:
  std::map<std::pair<std::string, uint16_t>, OptionDefinition, std::less<>> by_code_;
  std::map<std::pair<std::string, std::string>, uint16_t, std::less<>> by_name_;
};

/// Encodes the `data` of an option-data entry per the definition.
/// csv_format=true: comma-separated fields as Kea writes them ("192.0.2.1, 192.0.2.2",
/// "true", "1, example.com", quoted strings with embedded commas allowed as "'a,b'");
/// csv_format=false: hex (any form parseHex accepts, spaces allowed). Empty data for an
/// `empty`-type option. Errors say which field is wrong and why.
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
