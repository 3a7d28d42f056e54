#include "takahe/dhcpsrv/config_parser6.h"

#include <algorithm>
#include <map>
#include <set>

#include "option_data6.h"
#include "../config/shared_blocks.h"
#include "subnet_parser6.h"
#include "takahe/cc/map_reader.h"
#include "takahe/log/loggers_config.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv {

using cc::MapReader;

namespace {

// Dhcp6 keys Kea accepts that Takahe does not act on yet: reported as warnings.
constexpr std::string_view kUnimplementedGlobals[] = {"dhcp-queue-control",
                                                      "config-control",
                                                      "compatibility",
                                                      "store-extended-info",
                                                      "cache-threshold",
                                                      "cache-max-age",
                                                      "hostname-char-set",
                                                      "hostname-char-replacement",
                                                      "ddns-send-updates",
                                                      "ddns-override-no-update",
                                                      "ddns-override-client-update",
                                                      "ddns-replace-client-name",
                                                      "ddns-generated-prefix",
                                                      "ddns-qualifying-suffix",
                                                      "ddns-update-on-renew",
                                                      "ddns-use-conflict-resolution",
                                                      "ddns-conflict-resolution-mode",
                                                      "ddns-ttl-percent",
                                                      "ddns-ttl",
                                                      "ddns-ttl-min",
                                                      "ddns-ttl-max"};

std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

void parseInterfaces(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  MapReader r(v, path);
  if (const auto* list = r.get("interfaces")) {
    if (!list->isList()) r.fail("interfaces", "expected a list of interface names");
    for (const auto& item : list->asList()) {
      const std::string where = r.childPath("interfaces");
      if (!item.isString())
        cc::throwConfigError(where, "interface names must be strings", item.position());
      const std::string& s = item.asString();
      InterfaceSpec6 spec;
      auto slash = s.find('/');
      spec.name = s.substr(0, slash);
      if (spec.name.empty())
        cc::throwConfigError(where, "empty interface name in '" + s + "'", item.position());
      if (slash != std::string::npos) {
        auto a = IPv6Address::parse(s.substr(slash + 1));
        if (!a || a->isZero() || a->bytes()[0] == 0xff) {
          cc::throwConfigError(
              where, "'" + s + "': '" + s.substr(slash + 1) + "' is not an IPv6 unicast address",
              item.position());
        }
        if (spec.name == "*") {
          cc::throwConfigError(where, "'" + s + "': the wildcard '*' cannot take an address",
                               item.position());
        }
        spec.unicast = a;
      }
      cfg.interfaces.interfaces.push_back(spec);
    }
  }
  if (auto b = r.getBool("re-detect")) cfg.interfaces.re_detect = *b;
  if (auto b = r.getBool("service-sockets-require-all"))
    cfg.interfaces.service_sockets_require_all = *b;
  if (auto x = r.getUint32("service-sockets-retry-wait-time"))
    cfg.interfaces.service_sockets_retry_wait_time = *x;
  if (auto x = r.getUint32("service-sockets-max-retries"))
    cfg.interfaces.service_sockets_max_retries = *x;
  for (const char* v4_only : {"dhcp-socket-type", "outbound-interface"}) {
    if (r.map().contains(v4_only)) {
      r.fail(v4_only,
             "'" + std::string(v4_only) + "' is a DHCPv4 setting; DHCPv6 always uses UDP sockets");
    }
  }
  r.finish(cfg.warnings);
}

void parseServerId(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  MapReader r(v, path);
  auto& sid = cfg.server_id;
  if (auto t = r.getString("type")) {
    if (*t == "LLT") {
      sid.type = ServerDuidType::kLlt;
    } else if (*t == "EN") {
      sid.type = ServerDuidType::kEn;
    } else if (*t == "LL") {
      sid.type = ServerDuidType::kLl;
    } else {
      r.fail("type", "unknown server-id type '" + *t + "' (use LLT, EN or LL)");
    }
  }
  if (auto id = r.getString("identifier"); id && !trim(*id).empty()) {
    auto bytes = parseHex(trim(*id));
    if (!bytes || bytes->empty())
      r.fail("identifier", "'" + *id + "' is not a string of hexadecimal digits");
    if (bytes->size() > 128) r.fail("identifier", "a DUID identifier holds at most 128 bytes");
    sid.identifier = std::move(*bytes);
  }
  if (auto x = r.getInt("htype", 0, 65535)) sid.htype = static_cast<uint16_t>(*x);
  if (auto x = r.getUint32("time")) sid.time = *x;
  if (auto x = r.getUint32("enterprise-id")) sid.enterprise_id = *x;
  if (auto b = r.getBool("persist")) sid.persist = *b;
  r.finish(cfg.warnings);
}

void parseHostIdentifiers(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  if (!v.isList()) cc::throwConfigError(path, "expected a list of identifier types", v.position());
  cfg.host_identifiers.clear();
  for (const auto& item : v.asList()) {
    std::string s = item.isString() ? item.asString() : "";
    HostIdType t;
    if (s == "hw-address") {
      t = HostIdType::kHwAddress;
    } else if (s == "duid") {
      t = HostIdType::kDuid;
    } else if (s == "flex-id") {
      t = HostIdType::kFlexId;
    } else {
      cc::throwConfigError(
          path,
          "unsupported DHCPv6 host identifier type '" + s + "' (use duid, hw-address or flex-id)",
          item.position());
    }
    if (std::find(cfg.host_identifiers.begin(), cfg.host_identifiers.end(), t) !=
        cfg.host_identifiers.end()) {
      cc::throwConfigError(path, "'" + s + "' is listed twice", item.position());
    }
    cfg.host_identifiers.push_back(t);
  }
}

void parseMacSources(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  static const std::map<std::string, MacSource, std::less<>> kNames = {
      {"any", MacSource::kAny},
      {"raw", MacSource::kRaw},
      {"duid", MacSource::kDuid},
      {"ipv6-link-local", MacSource::kIpv6LinkLocal},
      {"client-link-addr-option", MacSource::kClientLinkAddrOption},
      {"rfc6939", MacSource::kClientLinkAddrOption},
      {"remote-id", MacSource::kRemoteId},
      {"rfc4649", MacSource::kRemoteId},
      {"subscriber-id", MacSource::kSubscriberId},
      {"rfc4580", MacSource::kSubscriberId},
      {"docsis-cmts", MacSource::kDocsisCmts},
      {"docsis-modem", MacSource::kDocsisModem}};
  if (!v.isList()) cc::throwConfigError(path, "expected a list of MAC sources", v.position());
  cfg.mac_sources.clear();
  for (const auto& item : v.asList()) {
    std::string s = item.isString() ? item.asString() : "";
    auto it = kNames.find(s);
    if (it == kNames.end()) {
      cc::throwConfigError(
          path,
          "unknown MAC source '" + s +
              "' (any, raw, duid, ipv6-link-local, "
              "client-link-addr-option, remote-id, subscriber-id, docsis-cmts, docsis-modem)",
          item.position());
    }
    if (std::find(cfg.mac_sources.begin(), cfg.mac_sources.end(), it->second) !=
        cfg.mac_sources.end()) {
      cc::throwConfigError(path,
                           "MAC source '" + s +
                               "' is given twice (rfc6939, rfc4649 and rfc4580 are other "
                               "names of client-link-addr-option, remote-id and subscriber-id)",
                           item.position());
    }
    cfg.mac_sources.push_back(it->second);
  }
}

void parseRelaySuppliedOptions(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  if (!v.isList())
    cc::throwConfigError(path, "expected a list of option codes or names", v.position());
  for (const auto& item : v.asList()) {
    std::string s = item.isString() ? std::string(trim(item.asString())) : "";
    std::optional<uint16_t> code;
    if (!s.empty() &&
        std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (s.size() <= 5 && std::stoul(s) >= 1 && std::stoul(s) <= 65535)
        code = static_cast<uint16_t>(std::stoul(s));
    } else if (const auto* def = cfg.option_defs.find(dhcp::kDhcp6Space, std::string_view(s))) {
      code = def->code;
    }
    if (!code) {
      cc::throwConfigError(
          path,
          "'" + s + "' is neither a DHCPv6 option code (1-65535) nor the name of a dhcp6 option",
          item.position());
    }
    if (std::find(cfg.relay_supplied_options.begin(), cfg.relay_supplied_options.end(), *code) ==
        cfg.relay_supplied_options.end()) {
      cfg.relay_supplied_options.push_back(*code);
    }
  }
}

void parseSanityChecks(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  MapReader r(v, path);
  if (auto s = r.getString("lease-checks")) {
    static const std::map<std::string, LeaseChecks, std::less<>> kNames = {
        {"none", LeaseChecks::kNone},
        {"warn", LeaseChecks::kWarn},
        {"fix", LeaseChecks::kFix},
        {"fix-del", LeaseChecks::kFixDel},
        {"del", LeaseChecks::kDel}};
    auto it = kNames.find(*s);
    if (it == kNames.end())
      r.fail("lease-checks", "unknown lease-checks '" + *s + "' (none, warn, fix, fix-del or del)");
    cfg.lease_checks = it->second;
  }
  r.finish(cfg.warnings, std::array<std::string_view, 1>{"extended-info-checks"});
}

void parseClientClasses(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  if (!v.isList()) cc::throwConfigError(path, "expected a list of client classes", v.position());
  for (size_t i = 0; i < v.asList().size(); ++i) {
    const auto& item = v.asList()[i];
    if (!item.isMap())
      cc::throwConfigError(idx(path, i), "a client class must be a map", item.position());
    const auto* name = item.find("name");
    if (!name || !name->isString() || name->asString().empty()) {
      cc::throwConfigError(idx(path, i), "a client class needs a non-empty 'name'",
                           item.position());
    }
    for (const auto& c : cfg.client_classes) {
      if (c.name == name->asString()) {
        cc::throwConfigError(idx(path, i) + "/name",
                             "client class '" + c.name + "' is defined twice", name->position());
      }
    }
    cfg.client_classes.push_back(ClientClass6{name->asString(), item});
  }
  if (!cfg.client_classes.empty()) {
    cfg.warnings.push_back(path +
                           ": client classification is not implemented yet; the classes are kept "
                           "by name only (their tests, options and lifetimes are not applied)");
  }
}

void parseDhcpDdns(const cc::Value& v, const std::string& path, SrvConfig6& cfg) {
  MapReader r(v, path);
  cfg.dhcp_ddns = v;
  cfg.ddns_enable_updates = r.getBool("enable-updates").value_or(false);
  // Checked for type so a typo is caught, kept as written for the DNS update client to come.
  (void)r.getString("server-ip");
  (void)r.getInt("server-port", 0, 65535);
  (void)r.getString("sender-ip");
  (void)r.getInt("sender-port", 0, 65535);
  (void)r.getUint32("max-queue-size");
  if (auto p = r.getString("ncr-protocol"); p && *p != "UDP" && *p != "TCP") {
    r.fail("ncr-protocol", "ncr-protocol must be UDP or TCP");
  }
  if (auto f = r.getString("ncr-format"); f && *f != "JSON")
    r.fail("ncr-format", "ncr-format must be JSON");
  // Kea 2.2 still accepts the older per-connection copies of the ddns-* globals here.
  r.ignore({"always-include-fqdn", "override-no-update", "override-client-update",
            "replace-client-name", "generated-prefix", "qualifying-suffix", "hostname-char-set",
            "hostname-char-replacement"});
  r.finish(cfg.warnings);
  if (cfg.ddns_enable_updates) {
    cfg.warnings.push_back(path +
                           ": DNS updates for DHCPv6 leases are not implemented yet; "
                           "'enable-updates' has no effect");
  }
}

AllocatorType parseAllocator(MapReader& r, std::string_view key,
                             std::vector<std::string>& warnings) {
  auto a = r.getString(key);
  if (!a || *a == "iterative") return AllocatorType::kIterative;
  if (*a == "random") return AllocatorType::kRandom;
  if (*a == "flq" || *a == "shared-flq") {
    warnings.push_back(r.childPath(key) + ": allocator '" + *a +
                       "' is not implemented yet; using 'iterative'");
    return AllocatorType::kIterative;
  }
  r.fail(key, "unknown allocator '" + *a + "' (use 'iterative' or 'random')");
}

/// Checks across subnets (ids and prefixes are checked while parsing), then orders them by id.
void checkSubnets(SrvConfig6& cfg) {
  // Kea accepts pools that overlap across subnets; one address could then be leased twice.
  for (size_t i = 0; i < cfg.subnets.size(); ++i) {
    for (size_t j = i + 1; j < cfg.subnets.size(); ++j) {
      for (const auto& a : cfg.subnets[i].pools) {
        for (const auto& b : cfg.subnets[j].pools) {
          if (a.first <= b.last && b.first <= a.last) {
            cfg.warnings.push_back(cfg.subnets[j].json_path + ": a pool overlaps a pool of " +
                                   cfg.subnets[i].json_path);
          }
        }
      }
      for (const auto& a : cfg.subnets[i].pd_pools) {
        for (const auto& b : cfg.subnets[j].pd_pools) {
          uint8_t shorter = std::min(a.prefix.length, b.prefix.length);
          if (detail::maskAddress(a.prefix.address, shorter) ==
              detail::maskAddress(b.prefix.address, shorter)) {
            cfg.warnings.push_back(cfg.subnets[j].json_path + ": pd-pool " + b.prefix.toString() +
                                   " overlaps pd-pool " + a.prefix.toString() + " of " +
                                   cfg.subnets[i].json_path);
          }
        }
      }
    }
  }
  // Kea keeps subnets ordered by id and selects in that order.
  std::stable_sort(cfg.subnets.begin(), cfg.subnets.end(),
                   [](const Subnet6& a, const Subnet6& b) { return a.id < b.id; });
}

const cc::Value& findDhcp6(const cc::Value& root, SrvConfig6& cfg) {
  if (!root.isMap())
    cc::throwConfigError("", "the configuration must be a JSON map", root.position());
  static constexpr std::string_view kTopLevel[] = {"Dhcp4", "Logging", "DhcpDdns", "Control-agent",
                                                   "Netconf"};
  bool looks_like_root = root.contains("Dhcp6");
  for (auto k : kTopLevel) looks_like_root |= root.contains(k);
  if (!looks_like_root) return root;  // the Dhcp6 map itself
  const cc::Value* dhcp6 = nullptr;
  for (const auto& [key, value] : root.asMap()) {
    if (key == "Dhcp6") {
      dhcp6 = &value;
    } else if (std::find(std::begin(kTopLevel), std::end(kTopLevel), key) != std::end(kTopLevel) ||
               key == "comment" || key == "user-context") {
      cfg.warnings.push_back("top-level '" + key + "' is ignored by the DHCPv6 server");
    } else {
      cc::throwConfigError(key, "unknown top-level entry '" + key + "' (expected 'Dhcp6')",
                           value.position());
    }
  }
  if (!dhcp6) cc::throwConfigError("", "missing 'Dhcp6' map", root.position());
  return *dhcp6;
}

}  // namespace

SrvConfig6Ptr parseDhcp6Config(const cc::Value& root_or_dhcp6) {
  auto cfg = std::make_shared<SrvConfig6>();
  const cc::Value& dhcp6 = findDhcp6(root_or_dhcp6, *cfg);
  cfg->source = dhcp6;
  const std::string path = "Dhcp6";
  MapReader r(dhcp6, path);
  auto& w = cfg->warnings;

  cfg->option_defs = dhcp::OptionDefinitionSet::standard6();
  if (const auto* v = r.get("option-def"))
    detail::parseOptionDefs6(*v, r.childPath("option-def"), cfg->option_defs, w);
  if (const auto* v = r.get("option-data")) {
    cfg->options = detail::parseOptionData6(*v, r.childPath("option-data"), cfg->option_defs, w);
  }
  if (const auto* v = r.get("interfaces-config"))
    parseInterfaces(*v, r.childPath("interfaces-config"), *cfg);
  if (const auto* v = r.get("lease-database")) {
    detail::parseLeaseDatabaseBlock(*v, r.childPath("lease-database"), cfg->lease_database, w);
  }
  if (const auto* v = r.get("hosts-database")) {
    detail::parseHostsDatabaseBlock(*v, r.childPath("hosts-database"), cfg->hosts_database, w);
  }
  if (const auto* v = r.get("hosts-databases")) {
    if (r.get("hosts-database"))
      r.fail("hosts-databases", "give either hosts-database or hosts-databases, not both");
    detail::parseHostsDatabasesBlock(*v, r.childPath("hosts-databases"), cfg->hosts_database, w);
  }
  if (const auto* v = r.get("expired-leases-processing")) {
    detail::parseExpiredBlock(*v, r.childPath("expired-leases-processing"), cfg->expired_leases, w);
  }
  if (const auto* v = r.get("multi-threading")) {
    detail::parseMultiThreadingBlock(*v, r.childPath("multi-threading"), cfg->multi_threading, w);
  }
  if (const auto* v = r.get("loggers"))
    cfg->loggers = log::parseLoggers(*v, r.childPath("loggers"), w);
  if (const auto* v = r.get("hooks-libraries")) {
    cfg->hooks_libraries = hooks::parseHooksLibraries(*v, r.childPath("hooks-libraries"));
  }
  if (const auto* v = r.get("control-socket")) {
    cfg->control_sockets.push_back(
        detail::parseControlSocketBlock(*v, r.childPath("control-socket"), w));
  }
  if (const auto* v = r.get("control-sockets")) {
    if (!v->isList()) r.fail("control-sockets", "expected a list of control sockets");
    for (size_t i = 0; i < v->asList().size(); ++i) {
      cfg->control_sockets.push_back(detail::parseControlSocketBlock(
          v->asList()[i], idx(r.childPath("control-sockets"), i), w));
    }
  }
  if (const auto* v = r.get("server-id")) parseServerId(*v, r.childPath("server-id"), *cfg);
  if (auto d = r.getString("data-directory")) cfg->data_directory = *d;
  if (const auto* v = r.get("host-reservation-identifiers")) {
    parseHostIdentifiers(*v, r.childPath("host-reservation-identifiers"), *cfg);
  }
  if (const auto* v = r.get("mac-sources")) parseMacSources(*v, r.childPath("mac-sources"), *cfg);
  if (const auto* v = r.get("relay-supplied-options")) {
    parseRelaySuppliedOptions(*v, r.childPath("relay-supplied-options"), *cfg);
  }
  if (const auto* v = r.get("sanity-checks"))
    parseSanityChecks(*v, r.childPath("sanity-checks"), *cfg);
  if (const auto* v = r.get("client-classes"))
    parseClientClasses(*v, r.childPath("client-classes"), *cfg);
  if (const auto* v = r.get("dhcp-ddns")) parseDhcpDdns(*v, r.childPath("dhcp-ddns"), *cfg);
  if (auto x = r.getUint32("decline-probation-period")) cfg->decline_probation_period = *x;
  if (auto x = r.getInt("dhcp4o6-port", 0, 65535)) {
    cfg->dhcp4o6_port = static_cast<uint16_t>(*x);
    if (*x != 0)
      w.push_back(r.childPath("dhcp4o6-port") +
                  ": DHCPv4-over-DHCPv6 is not implemented; the port is not opened");
  }
  if (auto x = r.getUint32("parked-packet-limit")) cfg->parked_packet_limit = *x;
  if (auto s = r.getString("server-tag")) cfg->server_tag = *s;
  if (auto x = r.getInt("statistic-default-sample-count", 0, INT32_MAX))
    cfg->statistic_default_sample_count = *x;
  if (auto x = r.getInt("statistic-default-sample-age", 0, INT32_MAX))
    cfg->statistic_default_sample_age = *x;
  cfg->allocator = parseAllocator(r, "allocator", w);
  cfg->pd_allocator = parseAllocator(r, "pd-allocator", w);
  if (auto b = r.getBool("ip-reservations-unique")) cfg->ip_reservations_unique = *b;
  if (auto b = r.getBool("early-global-reservations-lookup"))
    cfg->early_global_reservations_lookup = *b;
  if (auto b = r.getBool("reservations-lookup-first")) cfg->reservations_lookup_first = *b;

  detail::InheritedParams6 global = detail::readInheritable6(r, w, detail::Level6::kGlobal);
  {
    // Checked here too so that bad global min/max values are refused even without subnets;
    // the warnings come again for each subnet that inherits the values.
    std::vector<std::string> scratch;
    (void)detail::resolveLifetimes6(global, r, scratch);
  }
  detail::SubnetContext6 ctx{*cfg, {}, 1, {}, {}};
  detail::collectSubnetIds(dhcp6, ctx);
  if (const auto* v = r.get("reservations")) {
    detail::parseReservations6(*v, r.childPath("reservations"), nullptr, *cfg, cfg->global_hosts);
  }
  if (const auto* v = r.get("subnet6"))
    detail::parseSubnets6(*v, r.childPath("subnet6"), global, ctx);
  if (const auto* v = r.get("shared-networks")) {
    detail::parseSharedNetworks6(*v, r.childPath("shared-networks"), global, ctx);
  }
  r.finish(w, kUnimplementedGlobals);
  checkSubnets(*cfg);
  return cfg;
}

SrvConfig6Ptr loadDhcp6ConfigFile(const std::string& path) {
  return parseDhcp6Config(cc::parseConfigFile(path));
}

}  // namespace takahe::dhcpsrv
