#include "takahe/dhcpsrv/host_json.h"

#include "../config/option_parser.h"
#include "../config/subnet_parser.h"
#include "reservation_reader.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

namespace {

/// csv text for `option` when its definition renders it and that text encodes back to the very
/// same bytes; nullopt otherwise (the caller falls back to hex).
std::optional<std::string> csvText(const ConfiguredOption& option, const dhcp::OptionDefinition& def) {
  // Carriers of encapsulated spaces hold their sub-options folded in (see option_parser), and
  // 125 carries vendor spaces: their bytes are not the definition's layout.
  if (!def.encapsulate.empty() || option.code == 125) {
    return std::nullopt;
  }
  auto text = dhcp::formatOptionData(def, option.data);
  if (!text) {
    return std::nullopt;
  }
  auto back = dhcp::encodeOptionData(def, *text, true);
  if (!back || *back != option.data) {
    return std::nullopt;
  }
  return *text;
}

}  // namespace

cc::Value optionToJson(const ConfiguredOption& option, const dhcp::OptionDefinitionSet& defs) {
  const dhcp::OptionDefinition* def = defs.find(dhcp::kDhcp4Space, uint16_t{option.code});
  std::optional<std::string> csv = def ? csvText(option, *def) : std::nullopt;
  cc::Value m = cc::Value::makeMap();
  m.set("always-send", option.always_send);
  m.set("code", static_cast<int>(option.code));
  m.set("csv-format", csv.has_value());
  m.set("data", csv ? *csv : toHex(option.data, '\0'));
  if (def) {
    m.set("name", def->name);
  }
  m.set("never-send", option.never_send);
  m.set("space", dhcp::kDhcp4Space);
  return m;
}

cc::Value hostToJson(const Host4& host, const dhcp::OptionDefinitionSet& defs, HostJsonForm form) {
  bool all = form == HostJsonForm::kCommand;
  cc::Value m = cc::Value::makeMap();
  if (all || !host.boot_file_name.empty()) {
    m.set("boot-file-name", host.boot_file_name);
  }
  if (all) {
    m.set("client-classes", cc::Value::makeList());
  }
  if (all || !host.hostname.empty()) {
    m.set("hostname", host.hostname);
  }
  m.set(hostIdTypeName(host.id_type), toHex(host.identifier));
  if (all || host.address) {
    m.set("ip-address", host.address.value_or(IPv4Address()).toString());
  }
  if (all || host.next_server) {
    m.set("next-server", host.next_server.value_or(IPv4Address()).toString());
  }
  if (all || !host.options.empty()) {
    cc::Value options = cc::Value::makeList();
    for (const auto& o : host.options.options) {
      options.push(optionToJson(o, defs));
    }
    m.set("option-data", std::move(options));
  }
  if (all || !host.server_hostname.empty()) {
    m.set("server-hostname", host.server_hostname);
  }
  m.set("subnet-id", static_cast<int64_t>(host.subnet_id.value));
  return m;
}

namespace detail {

ReservationReader::ReservationReader(const dhcp::OptionDefinitionSet& defs) { scratch_.option_defs = defs; }

Host4 ReservationReader::read(const cc::Value& entry, SubnetId subnet, const std::string& path,
                              std::vector<std::string>* warnings) {
  if (!entry.isMap()) {
    cc::throwConfigError(path, "a reservation must be a map, not " + std::string(entry.typeName()),
                         entry.position());
  }
  // The parser refuses keys it does not know; "subnet-id" belongs to the command and the file,
  // and Kea's answers spell "not set" as 0.0.0.0.
  cc::Value copy = entry;
  copy.erase("subnet-id");
  for (const char* key : {"ip-address", "next-server"}) {
    const cc::Value* v = copy.find(key);
    if (v && v->isString() && v->asString() == "0.0.0.0") {
      copy.erase(key);
    }
  }
  cc::Value list = cc::Value::makeList();
  list.push(std::move(copy));
  HostIndex index;
  scratch_.warnings.clear();
  // The parser names entries "<path>[0]"; strip the index so messages name the entry itself.
  try {
    parseReservations(list, path, subnet, scratch_, index);
  } catch (const ConfigError& e) {
    std::string what = e.what();
    std::string indexed = path + "[0]";
    if (what.compare(0, indexed.size(), indexed) == 0) {
      what = path + what.substr(indexed.size());
    }
    throw ConfigError(what);
  }
  if (warnings) {
    for (auto& w : scratch_.warnings) {
      std::string indexed = path + "[0]";
      if (w.compare(0, indexed.size(), indexed) == 0) {
        w = path + w.substr(indexed.size());
      }
      warnings->push_back(std::move(w));
    }
  }
  return index.all().front();
}

const dhcp::OptionDefinitionSet& hostFileDefinitions() {
  static const dhcp::OptionDefinitionSet defs = [] {
    dhcp::OptionDefinitionSet d = dhcp::OptionDefinitionSet::standard4();
    addVendorDefs(d);
    return d;
  }();
  return defs;
}

}  // namespace detail

Host4 hostFromJson(const cc::Value& entry, const SrvConfig4& config, SubnetId subnet,
                   const std::string& path, std::vector<std::string>* warnings) {
  return hostFromJson(entry, config.option_defs, subnet, path, warnings);
}

Host4 hostFromJson(const cc::Value& entry, const dhcp::OptionDefinitionSet& defs, SubnetId subnet,
                   const std::string& path, std::vector<std::string>* warnings) {
  detail::ReservationReader reader(defs);
  return reader.read(entry, subnet, path, warnings);
}

}  // namespace takahe::dhcpsrv
