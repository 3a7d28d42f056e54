#include "option_parser.h"

#include <algorithm>
#include <map>

#include "takahe/cc/map_reader.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv::detail {

using cc::MapReader;

namespace {

// Kea 2.2's name of the CableLabs DHCPv6 space, the same definitions as "vendor-4491".
constexpr std::string_view kDocsis3V6Alias = "docsis3-v6";

std::string indexPath(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

void appendSubOption(Bytes& out, uint8_t code, const Bytes& data) {
  // Sub-options longer than 255 bytes cannot be expressed in one TLV; split like RFC 3396.
  size_t off = 0;
  do {
    size_t n = std::min<size_t>(255, data.size() - off);
    out.push_back(code);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(off),
               data.begin() + static_cast<std::ptrdiff_t>(off + n));
    off += n;
  } while (off < data.size());
}

}  // namespace

void addVendorDefs(dhcp::OptionDefinitionSet& defs) {
  // CableLabs (enterprise 4491) sub-options used in Kea's example configuration.
  if (!defs.find("vendor-4491", uint16_t{2})) {
    dhcp::OptionDefinition oro{"oro", 1, "vendor-4491", dhcp::OptionDataType::kUint16, true, {}, ""};
    dhcp::OptionDefinition tftp{"tftp-servers", 2, "vendor-4491", dhcp::OptionDataType::kIpv4Address,
                                true, {}, ""};
    (void)defs.add(oro);
    (void)defs.add(tftp);
  }
}

void parseOptionDefs(const cc::Value& list, const std::string& path, dhcp::OptionDefinitionSet& defs,
                     std::vector<std::string>& warnings, dhcp::OptionUniverse universe) {
  const bool v6 = universe == dhcp::OptionUniverse::kV6;
  const std::string default_space(v6 ? dhcp::kDhcp6Space : dhcp::kDhcp4Space);
  if (!list.isList()) cc::throwConfigError(path, "expected a list", list.position());
  for (size_t i = 0; i < list.asList().size(); ++i) {
    const auto& item = list.asList()[i];
    MapReader r(item, indexPath(path, i));
    dhcp::OptionDefinition def;
    auto name = r.getString("name");
    if (!name) r.require("name");
    def.name = *name;
    if (def.name.empty()) r.fail("name", "option name must not be empty");
    if (!r.map().contains("code")) r.require("code");
    // DHCPv6 codes are 16 bits; 0 is refused in space dhcp6 by validateOptionDefinition.
    auto code = v6 ? r.getInt("code", 0, 65535) : r.getInt("code", 1, 254);
    def.code = static_cast<uint16_t>(*code);
    auto type_name = r.getString("type");
    if (!type_name) r.require("type");
    auto type = dhcp::optionDataTypeFromName(*type_name);
    if (!type) r.fail("type", "unknown option data type '" + *type_name + "'");
    def.type = *type;
    def.space = r.getString("space").value_or(default_space);
    if (v6 && def.space == kDocsis3V6Alias) def.space = std::string(dhcp::kDocsis6Space);
    if (v6) def.universe = dhcp::OptionUniverse::kV6;
    def.array = r.getBool("array").value_or(false);
    def.encapsulate = r.getString("encapsulate").value_or("");
    if (auto rt = r.getString("record-types"); rt && !trim(*rt).empty()) {
      if (def.type != dhcp::OptionDataType::kRecord) {
        r.fail("record-types", "record-types is only valid with type 'record'");
      }
      for (const auto& field : split(*rt, ',')) {
        auto ft = dhcp::optionDataTypeFromName(trim(field));
        if (!ft) r.fail("record-types", "unknown record field type '" + std::string(trim(field)) + "'");
        def.record_types.push_back(*ft);
      }
    } else if (def.type == dhcp::OptionDataType::kRecord) {
      r.fail("type", "a 'record' option definition needs 'record-types'");
    }
    if (def.space == dhcp::kDhcp4Space && (def.code == 0 || def.code == 255)) {
      r.fail("code", "option code " + std::to_string(def.code) + " is reserved");
    }
    if (v6 && def.space == dhcp::kDhcp6Space) {
      if (const auto* std_def = dhcp::OptionDefinitionSet::standard6().find(def.space, def.code)) {
        r.fail("code", "option code " + std::to_string(def.code) + " is the standard option '" +
                           std_def->name + "' of space 'dhcp6' and cannot be redefined");
      }
    }
    auto added = defs.add(def);
    if (!added) r.fail("name", added.error());
    r.finish(warnings);
  }
}

std::vector<OptionEntry> readOptionData(const cc::Value& list, const std::string& path,
                                        const dhcp::OptionDefinitionSet& defs,
                                        std::vector<std::string>& warnings,
                                        dhcp::OptionUniverse universe) {
  if (!list.isList()) cc::throwConfigError(path, "expected a list", list.position());
  const bool v6 = universe == dhcp::OptionUniverse::kV6;
  const std::string default_space(v6 ? dhcp::kDhcp6Space : dhcp::kDhcp4Space);
  std::vector<OptionEntry> pending;
  for (size_t i = 0; i < list.asList().size(); ++i) {
    const auto& item = list.asList()[i];
    MapReader r(item, indexPath(path, i));
    OptionEntry p;
    p.path = r.path();
    p.position = item.position();
    p.space = r.getString("space").value_or(default_space);
    if (v6 && p.space == kDocsis3V6Alias) p.space = std::string(dhcp::kDocsis6Space);
    auto name = r.getString("name");
    auto code = r.getInt("code", 0, v6 ? 65535 : 255);
    if (!name && !code) {
      cc::throwConfigError(r.path(), "option data must have a 'name' or a 'code'", item.position());
    }
    if (name) {
      p.def = defs.find(p.space, std::string_view(*name));
      if (!p.def) {
        r.fail("name", "option '" + *name + "' is not defined in space '" + p.space +
                           "'; add an option-def for it or use its code");
      }
      if (code && *code != p.def->code) {
        r.fail("code", "option '" + *name + "' has code " + std::to_string(p.def->code) +
                           ", not " + std::to_string(*code));
      }
      p.code = p.def->code;
    } else {
      p.code = static_cast<uint16_t>(*code);
      p.def = defs.find(p.space, p.code);
    }
    if (p.space == dhcp::kDhcp4Space && (p.code == 0 || p.code == 255)) {
      r.fail("code", "option code " + std::to_string(p.code) + " is reserved (pad/end)");
    }
    if (v6 && p.space == dhcp::kDhcp6Space && p.code == 0) {
      r.fail("code", "option code 0 is reserved in DHCPv6");
    }
    auto csv_given = r.getBool("csv-format");
    bool csv = csv_given.value_or(true);
    p.always_send = r.getBool("always-send").value_or(false);
    p.never_send = r.getBool("never-send").value_or(false);
    auto data = r.getString("data");
    p.has_data = data.has_value() && !data->empty();
    if (!p.def) {
      if (csv_given && *csv_given && p.has_data) {
        r.fail("csv-format", "option code " + std::to_string(p.code) + " in space '" + p.space +
                                 "' has no definition, so its data must be hex (csv-format false)");
      }
      auto hex = parseHex(std::string(trim(data.value_or(""))));
      if (p.has_data && (!hex || hex->empty())) {
        r.fail("data", "'" + data.value_or("") + "' is not valid hex data");
      }
      if (hex) p.data = std::move(*hex);
    } else if (p.has_data || (p.def->encapsulate.empty() && !p.never_send)) {
      auto encoded = dhcp::encodeOptionData(*p.def, data.value_or(""), csv);
      if (!encoded) r.fail("data", encoded.error());
      p.data = std::move(*encoded);
    }
    if (r.get("client-classes")) {
      warnings.push_back(r.path() + ": option 'client-classes' is not implemented yet; the option "
                                    "is sent to every client");
    }
    r.finish(warnings);
    pending.push_back(std::move(p));
  }
  return pending;
}

CfgOptions parseOptionData(const cc::Value& list, const std::string& path,
                           const dhcp::OptionDefinitionSet& defs, std::vector<std::string>& warnings) {
  std::vector<OptionEntry> pending =
      readOptionData(list, path, defs, warnings, dhcp::OptionUniverse::kV4);

  // Fold sub-options into their carriers: an option whose definition encapsulates space S
  // carries every configured option of space S (in order); vivso (125) carries vendor-N spaces.
  std::map<std::string, std::vector<const OptionEntry*>> by_space;
  for (const auto& p : pending) by_space[p.space].push_back(&p);

  CfgOptions out;
  for (const auto& p : pending) {
    if (p.space != dhcp::kDhcp4Space) continue;
    ConfiguredOption o{static_cast<uint8_t>(p.code), p.data, p.always_send, p.never_send};
    if (p.def && !p.def->encapsulate.empty()) {
      auto it = by_space.find(p.def->encapsulate);
      if (it != by_space.end()) {
        for (const auto* sub : it->second) {
          Bytes tmp;
          appendSubOption(tmp, static_cast<uint8_t>(sub->code), sub->data);
          o.data.insert(o.data.end(), tmp.begin(), tmp.end());
        }
      }
    }
    if (p.code == 125 && p.data.size() >= 4 && p.data.size() <= 5) {
      // "vivso-suboptions" with just an enterprise id: carry the options of space vendor-<id>.
      uint32_t ent = (uint32_t{p.data[0]} << 24) | (uint32_t{p.data[1]} << 16) |
                     (uint32_t{p.data[2]} << 8) | p.data[3];
      auto it = by_space.find("vendor-" + std::to_string(ent));
      Bytes subs;
      if (it != by_space.end()) {
        for (const auto* sub : it->second) appendSubOption(subs, static_cast<uint8_t>(sub->code), sub->data);
      }
      o.data.assign(p.data.begin(), p.data.begin() + 4);
      o.data.push_back(static_cast<uint8_t>(subs.size()));
      o.data.insert(o.data.end(), subs.begin(), subs.end());
    }
    if (o.data.empty() && !p.never_send && p.def && p.def->type != dhcp::OptionDataType::kEmpty &&
        p.def->encapsulate.empty()) {
      cc::throwConfigError(p.path, "option '" + p.def->name + "' needs data", cc::Position{});
    }
    // A later entry for the same code at the same level replaces the earlier one.
    bool replaced = false;
    for (auto& existing : out.options) {
      if (existing.code == o.code) {
        existing = o;
        replaced = true;
      }
    }
    if (!replaced) out.options.push_back(std::move(o));
  }
  return out;
}

}  // namespace takahe::dhcpsrv::detail
