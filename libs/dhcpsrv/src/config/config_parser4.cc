#include "takahe/dhcpsrv/config_parser4.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "takahe/cc/map_reader.h"
#include "takahe/db/db_config.h"
#include "option_parser.h"
#include "shared_blocks.h"
#include "takahe/log/loggers_config.h"
#include "subnet_parser.h"

namespace takahe::dhcpsrv {

using cc::MapReader;

namespace {

// Dhcp4 keys Kea accepts that Takahe does not act on yet: reported as warnings.
constexpr std::string_view kUnimplementedGlobals[] = {
    "client-classes", "dhcp4o6-port",
    "dhcp-queue-control", "dhcp-ddns", "sanity-checks", "config-control", "cache-max-age",
    "hostname-char-set", "hostname-char-replacement", "ddns-send-updates",
    "ddns-override-no-update", "ddns-override-client-update", "ddns-replace-client-name",
    "ddns-generated-prefix", "ddns-qualifying-suffix", "ddns-update-on-renew",
    "ddns-use-conflict-resolution", "ddns-conflict-resolution-mode", "ddns-ttl-percent",
    "ddns-ttl", "ddns-ttl-min", "ddns-ttl-max", "store-extended-info",
    "early-global-reservations-lookup", "ip-reservations-unique", "reservations-lookup-first",
    "compatibility", "offer-lifetime", "stash-agent-options",
    "adaptive-lease-time-threshold"};

void parseInterfaces(const cc::Value& v, const std::string& path, SrvConfig4& cfg) {
  MapReader r(v, path);
  if (const auto* list = r.get("interfaces")) {
    if (!list->isList()) r.fail("interfaces", "expected a list of interface names");
    for (const auto& item : list->asList()) {
      if (!item.isString()) {
        cc::throwConfigError(r.childPath("interfaces"), "interface names must be strings", item.position());
      }
      InterfaceSpec spec;
      const std::string& s = item.asString();
      auto slash = s.find('/');
      spec.name = s.substr(0, slash);
      if (slash != std::string::npos) {
        auto a = IPv4Address::parse(s.substr(slash + 1));
        if (!a) {
          cc::throwConfigError(r.childPath("interfaces"), "'" + s + "': invalid address after '/'",
                               item.position());
        }
        spec.address = a;
      }
      if (spec.name.empty()) {
        cc::throwConfigError(r.childPath("interfaces"), "empty interface name", item.position());
      }
      cfg.interfaces.interfaces.push_back(spec);
    }
  }
  if (auto t = r.getString("dhcp-socket-type")) {
    if (*t == "raw") {
      cfg.interfaces.socket_type = SocketType::kRaw;
    } else if (*t == "udp") {
      cfg.interfaces.socket_type = SocketType::kUdp;
    } else {
      r.fail("dhcp-socket-type", "'" + *t + "' is not a socket type (use 'raw' or 'udp')");
    }
  }
  if (auto o = r.getString("outbound-interface")) {
    if (*o == "same-as-inbound") {
      cfg.interfaces.outbound = OutboundInterface::kSameAsInbound;
    } else if (*o == "use-routing") {
      cfg.interfaces.outbound = OutboundInterface::kUseRouting;
    } else {
      r.fail("outbound-interface", "'" + *o + "' is invalid (use 'same-as-inbound' or 'use-routing')");
    }
  }
  if (auto b = r.getBool("re-detect")) cfg.interfaces.re_detect = *b;
  if (auto b = r.getBool("service-sockets-require-all")) cfg.interfaces.service_sockets_require_all = *b;
  if (auto x = r.getUint32("service-sockets-retry-wait-time")) cfg.interfaces.service_sockets_retry_wait_time = *x;
  if (auto x = r.getUint32("service-sockets-max-retries")) cfg.interfaces.service_sockets_max_retries = *x;
  // Accepted settings whose behaviour is not there yet are said out loud, never silently dropped.
  if (cfg.interfaces.outbound == OutboundInterface::kUseRouting) {
    cfg.warnings.push_back(r.childPath("outbound-interface") +
                           ": 'use-routing' is not implemented yet; replies leave by the inbound interface");
  }
  if (cfg.interfaces.service_sockets_max_retries > 0) {
    cfg.warnings.push_back(r.childPath("service-sockets-max-retries") +
                           ": socket open retries are not implemented yet; a failed interface is skipped");
  }
  if (r.map().contains("re-detect") && cfg.interfaces.re_detect) {
    cfg.warnings.push_back(r.childPath("re-detect") +
                           ": interfaces are read at (re)configuration only; re-detection is not implemented yet");
  }
  r.finish(cfg.warnings);
}

void parseMultiThreading(const cc::Value& v, const std::string& path, SrvConfig4& cfg) {
  detail::parseMultiThreadingBlock(v, path, cfg.multi_threading, cfg.warnings);
  if (cfg.multi_threading.enabled) {
    cfg.warnings.push_back(path + ": takahe-dhcp4 processes packets on one thread for now; "
                                  "enable-multi-threading is accepted and has no effect");
  }
}

void parseHostIdentifiers(const cc::Value& v, const std::string& path, SrvConfig4& cfg) {
  if (!v.isList()) cc::throwConfigError(path, "expected a list of identifier types", v.position());
  cfg.host_identifiers.clear();
  for (const auto& item : v.asList()) {
    std::string s = item.isString() ? item.asString() : "";
    if (s == "hw-address") {
      cfg.host_identifiers.push_back(HostIdType::kHwAddress);
    } else if (s == "duid") {
      cfg.host_identifiers.push_back(HostIdType::kDuid);
    } else if (s == "circuit-id") {
      cfg.host_identifiers.push_back(HostIdType::kCircuitId);
    } else if (s == "client-id") {
      cfg.host_identifiers.push_back(HostIdType::kClientId);
    } else if (s == "flex-id") {
      cfg.host_identifiers.push_back(HostIdType::kFlexId);
    } else {
      cc::throwConfigError(path, "unsupported host identifier type '" + s + "'", item.position());
    }
  }
}

void checkSubnets(SrvConfig4& cfg) {
  std::set<uint32_t> ids;
  std::map<std::string, const Subnet4*> prefixes;
  for (const auto& s : cfg.subnets) {
    if (!ids.insert(s.id.value).second) {
      throw ConfigError(s.json_path + ": subnet id " + std::to_string(s.id.value) +
                        " is used by more than one subnet");
    }
    std::string key = s.prefix.network().toString() + "/" + std::to_string(s.prefix.length);
    if (auto [it, fresh] = prefixes.emplace(key, &s); !fresh) {
      throw ConfigError(s.json_path + ": subnet " + key + " is already defined at " + it->second->json_path);
    }
  }
  // Pools must not overlap across subnets either.
  std::vector<std::pair<const Pool4*, const Subnet4*>> pools;
  for (const auto& s : cfg.subnets) {
    for (const auto& p : s.pools) pools.emplace_back(&p, &s);
  }
  std::sort(pools.begin(), pools.end(), [](auto& a, auto& b) { return a.first->first < b.first->first; });
  for (size_t i = 1; i < pools.size(); ++i) {
    if (pools[i].first->first <= pools[i - 1].first->last) {
      throw ConfigError(pools[i].second->json_path + ": pool " + pools[i].first->first.toString() + " - " +
                        pools[i].first->last.toString() + " overlaps a pool of " +
                        pools[i - 1].second->json_path);
    }
  }
}

}  // namespace

const Subnet4* SrvConfig4::subnetById(SubnetId id) const {
  for (const auto& s : subnets) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

SrvConfig4Ptr parseDhcp4Config(const cc::Value& root) {
  if (!root.isMap()) cc::throwConfigError("", "the configuration must be a JSON map", root.position());
  auto cfg = std::make_shared<SrvConfig4>();
  const cc::Value* dhcp4 = nullptr;
  for (const auto& [key, value] : root.asMap()) {
    if (key == "Dhcp4") {
      dhcp4 = &value;
    } else if (key == "Logging" || key == "Dhcp6" || key == "DhcpDdns" || key == "Control-agent" ||
               key == "Netconf" || key == "comment" || key == "user-context") {
      cfg->warnings.push_back("top-level '" + key + "' is ignored by takahe-dhcp4");
    } else {
      cc::throwConfigError(key, "unknown top-level entry '" + key + "' (expected 'Dhcp4')", value.position());
    }
  }
  if (!dhcp4) cc::throwConfigError("", "missing 'Dhcp4' map", root.position());
  cfg->source = *dhcp4;
  const std::string path = "Dhcp4";
  MapReader r(*dhcp4, path);

  cfg->option_defs = dhcp::OptionDefinitionSet::standard4();
  detail::addVendorDefs(cfg->option_defs);
  if (const auto* v = r.get("option-def")) detail::parseOptionDefs(*v, r.childPath("option-def"), cfg->option_defs, cfg->warnings);
  if (const auto* v = r.get("option-data")) cfg->options = detail::parseOptionData(*v, r.childPath("option-data"), cfg->option_defs, cfg->warnings);
  if (const auto* v = r.get("interfaces-config")) parseInterfaces(*v, r.childPath("interfaces-config"), *cfg);
  if (const auto* v = r.get("lease-database")) detail::parseLeaseDatabaseBlock(*v, r.childPath("lease-database"), cfg->lease_database, cfg->warnings);
  if (const auto* v = r.get("expired-leases-processing")) detail::parseExpiredBlock(*v, r.childPath("expired-leases-processing"), cfg->expired_leases, cfg->warnings);
  if (const auto* v = r.get("multi-threading")) parseMultiThreading(*v, r.childPath("multi-threading"), *cfg);
  if (const auto* v = r.get("loggers")) cfg->loggers = log::parseLoggers(*v, r.childPath("loggers"), cfg->warnings);
  if (const auto* v = r.get("host-reservation-identifiers")) parseHostIdentifiers(*v, r.childPath("host-reservation-identifiers"), *cfg);
  if (auto x = r.getUint32("decline-probation-period")) cfg->decline_probation_period = *x;
  if (auto b = r.getBool("echo-client-id")) cfg->echo_client_id = *b;
  if (auto s = r.getString("server-tag")) cfg->server_tag = *s;
  if (auto x = r.getInt("statistic-default-sample-count", 0, INT32_MAX)) cfg->statistic_default_sample_count = *x;
  if (auto x = r.getInt("statistic-default-sample-age", 0, INT32_MAX)) cfg->statistic_default_sample_age = *x;
  if (auto a = r.getString("allocator")) {
    if (*a == "iterative") {
      cfg->allocator = AllocatorType::kIterative;
    } else if (*a == "random") {
      cfg->allocator = AllocatorType::kRandom;
    } else if (*a == "flq" || *a == "shared-flq") {
      cfg->warnings.push_back(r.childPath("allocator") + ": allocator '" + *a +
                              "' is not implemented yet; using 'iterative'");
    } else {
      r.fail("allocator", "unknown allocator '" + *a + "' (use 'iterative' or 'random')");
    }
  }
  if (const auto* v = r.get("control-socket")) {
    cfg->control_sockets.push_back(detail::parseControlSocketBlock(*v, r.childPath("control-socket"), cfg->warnings));
  }
  if (const auto* v = r.get("control-sockets")) {
    if (!v->isList()) r.fail("control-sockets", "expected a list of control sockets");
    for (size_t i = 0; i < v->asList().size(); ++i) {
      cfg->control_sockets.push_back(detail::parseControlSocketBlock(
          v->asList()[i], r.childPath("control-sockets") + "[" + std::to_string(i) + "]", cfg->warnings));
    }
  }
  if (const auto* v = r.get("hosts-database")) detail::parseHostsDatabaseBlock(*v, r.childPath("hosts-database"), cfg->hosts_database, cfg->warnings);
  if (const auto* v = r.get("hosts-databases")) {
    if (r.get("hosts-database")) r.fail("hosts-databases", "give either hosts-database or hosts-databases, not both");
    detail::parseHostsDatabasesBlock(*v, r.childPath("hosts-databases"), cfg->hosts_database, cfg->warnings);
  }
  if (const auto* v = r.get("hooks-libraries")) {
    cfg->hooks_libraries = hooks::parseHooksLibraries(*v, r.childPath("hooks-libraries"));
  }
  if (auto x = r.getUint32("parked-packet-limit")) cfg->parked_packet_limit = *x;

  detail::InheritedParams global = detail::readInheritable(r, cfg->warnings, detail::Level::kGlobal);
  cfg->cache_threshold = global.cache_threshold.value_or(0.25);

  if (const auto* v = r.get("reservations")) {
    detail::parseReservations(*v, r.childPath("reservations"), SubnetId(0), *cfg, cfg->global_hosts);
  }
  if (const auto* v = r.get("subnet4")) {
    detail::parseSubnets(*v, r.childPath("subnet4"), global, CfgOptions{}, *cfg);
  }
  if (const auto* v = r.get("shared-networks")) {
    detail::parseSharedNetworks(*v, r.childPath("shared-networks"), global, *cfg);
  }
  r.finish(cfg->warnings, kUnimplementedGlobals);
  checkSubnets(*cfg);
  return cfg;
}

SrvConfig4Ptr loadDhcp4ConfigFile(const std::string& path) {
  return parseDhcp4Config(cc::parseConfigFile(path));
}

}  // namespace takahe::dhcpsrv
