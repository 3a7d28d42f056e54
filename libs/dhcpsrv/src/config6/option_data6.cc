#include "option_data6.h"

#include <map>

#include "../config/option_parser.h"

namespace takahe::dhcpsrv::detail {

namespace {

// Deeper nesting than any standard space uses (s46 containers -> rule -> port parameters);
// beyond it two spaces encapsulate each other.
constexpr int kMaxNesting = 8;
constexpr uint16_t kVendorOpts = 17;

void appendTlv6(Bytes& out, uint16_t code, const Bytes& data, const OptionEntry& e) {
  if (data.size() > 0xffff) {
    cc::throwConfigError(e.path,
                         "option data with its sub-options is " + std::to_string(data.size()) +
                             " bytes, more than a DHCPv6 option holds (65535)",
                         e.position);
  }
  out.push_back(static_cast<uint8_t>(code >> 8));
  out.push_back(static_cast<uint8_t>(code));
  out.push_back(static_cast<uint8_t>(data.size() >> 8));
  out.push_back(static_cast<uint8_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
}

uint32_t enterpriseOf(const Bytes& data) {
  return (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) | (uint32_t{data[2]} << 8) | data[3];
}

class Folder {
 public:
  explicit Folder(const std::vector<OptionEntry>& entries) {
    for (const auto& e : entries) by_space_[e.space].push_back(&e);
  }

  /// The entry's payload followed by the options of the space its definition encapsulates.
  Bytes payload(const OptionEntry& e, int depth) const {
    Bytes out = e.data;
    if (!e.def || e.def->encapsulate.empty() || e.def->encapsulate == dhcp::kDhcp6Space) return out;
    if (depth > kMaxNesting) {
      cc::throwConfigError(
          e.path,
          "option spaces encapsulate each other in a loop (through '" + e.def->encapsulate + "')",
          e.position);
    }
    appendSpace(out, e.def->encapsulate, depth + 1);
    return out;
  }

  void appendSpace(Bytes& out, const std::string& space, int depth) const {
    auto it = by_space_.find(space);
    if (it == by_space_.end()) return;
    for (const auto* sub : it->second) appendTlv6(out, sub->code, payload(*sub, depth), *sub);
  }

  const std::map<std::string, std::vector<const OptionEntry*>>& bySpace() const {
    return by_space_;
  }

 private:
  std::map<std::string, std::vector<const OptionEntry*>> by_space_;
};

void checkHasData(const OptionEntry& e, const ConfiguredOption6& o) {
  if (o.data.empty() && !e.never_send && e.def && e.def->type != dhcp::OptionDataType::kEmpty &&
      e.def->encapsulate.empty()) {
    cc::throwConfigError(e.path, "option '" + e.def->name + "' needs data", e.position);
  }
}

}  // namespace

void parseOptionDefs6(const cc::Value& list, const std::string& path,
                      dhcp::OptionDefinitionSet& defs, std::vector<std::string>& warnings) {
  parseOptionDefs(list, path, defs, warnings, dhcp::OptionUniverse::kV6);
}

CfgOptions6 parseOptionData6(const cc::Value& list, const std::string& path,
                             const dhcp::OptionDefinitionSet& defs,
                             std::vector<std::string>& warnings) {
  std::vector<OptionEntry> entries =
      readOptionData(list, path, defs, warnings, dhcp::OptionUniverse::kV6);
  Folder folder(entries);

  CfgOptions6 out;
  for (const auto& e : entries) {
    if (e.space != dhcp::kDhcp6Space) continue;
    ConfiguredOption6 o{e.code, folder.payload(e, 0), e.always_send, e.never_send};
    bool is_vendor = e.code == kVendorOpts && e.data.size() >= 4;
    if (is_vendor && e.data.size() == 4) {
      // Just an enterprise number: carry what is configured in space vendor-<enterprise>.
      folder.appendSpace(o.data, "vendor-" + std::to_string(enterpriseOf(e.data)), 1);
    }
    checkHasData(e, o);
    // A later entry replaces an earlier one of the same code (of the same enterprise for 17).
    bool replaced = false;
    for (auto& existing : out.options) {
      if (existing.code != o.code) continue;
      if (is_vendor &&
          (existing.data.size() < 4 || enterpriseOf(existing.data) != enterpriseOf(o.data))) {
        continue;
      }
      existing = o;
      replaced = true;
    }
    if (!replaced) out.options.push_back(std::move(o));
  }

  for (const auto& [space, list_in_space] : folder.bySpace()) {
    if (space == dhcp::kDhcp6Space) continue;
    SpaceOptions6 sp{space, {}};
    for (const auto* e : list_in_space) {
      ConfiguredOption6 o{e->code, folder.payload(*e, 1), e->always_send, e->never_send};
      checkHasData(*e, o);
      sp.options.push_back(std::move(o));
    }
    out.spaces.push_back(std::move(sp));
  }
  return out;
}

}  // namespace takahe::dhcpsrv::detail
