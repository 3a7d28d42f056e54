#include "subnet_parser.h"

#include <algorithm>
#include <set>

#include "option_parser.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv::detail {

namespace {

// Subnet-level keys Kea accepts that Takahe does not act on yet.
constexpr std::string_view kUnimplementedSubnet[] = {
    "client-class", "client-classes", "require-client-classes", "evaluate-additional-classes",
    "4o6-interface", "4o6-interface-id", "4o6-subnet", "cache-max-age", "ddns-send-updates",
    "ddns-override-no-update", "ddns-override-client-update", "ddns-replace-client-name",
    "ddns-generated-prefix", "ddns-qualifying-suffix", "ddns-update-on-renew",
    "ddns-use-conflict-resolution", "ddns-conflict-resolution-mode", "ddns-ttl-percent",
    "ddns-ttl", "ddns-ttl-min", "ddns-ttl-max", "hostname-char-set", "hostname-char-replacement",
    "store-extended-info", "offer-lifetime", "allocator", "metadata", "pool-id"};

constexpr std::string_view kUnimplementedPool[] = {
    "client-classes", "require-client-classes", "evaluate-additional-classes",
    "ddns-send-updates", "ddns-override-no-update", "ddns-override-client-update",
    "ddns-replace-client-name", "ddns-generated-prefix", "ddns-qualifying-suffix",
    "ddns-update-on-renew", "ddns-conflict-resolution-mode", "ddns-ttl-percent", "ddns-ttl",
    "ddns-ttl-min", "ddns-ttl-max", "hostname-char-set", "hostname-char-replacement"};

template <typename T>
void inherit(std::optional<T>& mine, const std::optional<T>& parent) {
  if (!mine) mine = parent;
}

std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

Pool4 parsePool(const cc::Value& v, const std::string& path, const Subnet4& subnet, SrvConfig4& cfg) {
  MapReader r(v, path);
  auto text = r.getString("pool");
  if (!text) r.require("pool");
  Pool4 pool;
  std::string_view t = trim(*text);
  auto dash = t.find('-');
  if (dash != std::string_view::npos) {
    auto a = IPv4Address::parse(trim(t.substr(0, dash)));
    auto b = IPv4Address::parse(trim(t.substr(dash + 1)));
    if (!a || !b) r.fail("pool", "'" + *text + "' is not a valid range (expected 'first - last')");
    if (*b < *a) r.fail("pool", "'" + *text + "': the last address is lower than the first");
    pool.first = *a;
    pool.last = *b;
  } else {
    auto p = Prefix4::parse(t);
    if (!p) r.fail("pool", "'" + *text + "' is neither a range 'a - b' nor a prefix 'a/len'");
    pool.first = p->network();
    pool.last = p->broadcast();
  }
  if (!subnet.prefix.contains(pool.first) || !subnet.prefix.contains(pool.last)) {
    r.fail("pool", "pool " + std::string(t) + " is outside subnet " + subnet.prefix.toString());
  }
  if (auto id = r.getUint32("pool-id")) pool.pool_id = *id;
  if (auto cls = r.getString("client-class")) {
    pool.client_class = *cls;
    if (!cls->starts_with("HA_") && *cls != "ALL") {
      cfg.warnings.push_back(r.path() + ": pool client-class '" + *cls +
                             "' matches only packets a hook library puts in that class (client "
                             "classification is not implemented yet; HA sets HA_<server-name>)");
    }
  }
  if (const auto* od = r.get("option-data")) {
    pool.options = parseOptionData(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
  }
  r.finish(cfg.warnings, kUnimplementedPool);
  return pool;
}

Lifetimes resolveLifetimes(const InheritedParams& p, const MapReader& r) {
  Lifetimes l;
  l.valid = p.valid.value_or(7200);
  l.min_valid = p.min_valid.value_or(l.valid);
  l.max_valid = p.max_valid.value_or(l.valid);
  if (l.min_valid > l.valid || l.valid > l.max_valid) {
    r.fail("valid-lifetime", "valid-lifetime " + std::to_string(l.valid) + " must lie between min-valid-lifetime " +
                                 std::to_string(l.min_valid) + " and max-valid-lifetime " +
                                 std::to_string(l.max_valid));
  }
  l.renew = p.renew;
  l.rebind = p.rebind;
  l.calculate_tee_times = p.calculate_tee_times.value_or(false);
  l.t1_percent = p.t1_percent.value_or(0.5);
  l.t2_percent = p.t2_percent.value_or(0.875);
  if (l.calculate_tee_times && l.t1_percent >= l.t2_percent) {
    r.fail("t1-percent", "t1-percent must be lower than t2-percent");
  }
  return l;
}

}  // namespace

InheritedParams InheritedParams::over(const InheritedParams& parent) const {
  InheritedParams out = *this;
  inherit(out.valid, parent.valid);
  inherit(out.min_valid, parent.min_valid);
  inherit(out.max_valid, parent.max_valid);
  inherit(out.renew, parent.renew);
  inherit(out.rebind, parent.rebind);
  inherit(out.calculate_tee_times, parent.calculate_tee_times);
  inherit(out.t1_percent, parent.t1_percent);
  inherit(out.t2_percent, parent.t2_percent);
  inherit(out.cache_threshold, parent.cache_threshold);
  inherit(out.match_client_id, parent.match_client_id);
  inherit(out.authoritative, parent.authoritative);
  inherit(out.reservations_global, parent.reservations_global);
  inherit(out.reservations_in_subnet, parent.reservations_in_subnet);
  inherit(out.reservations_out_of_pool, parent.reservations_out_of_pool);
  inherit(out.next_server, parent.next_server);
  inherit(out.server_hostname, parent.server_hostname);
  inherit(out.boot_file_name, parent.boot_file_name);
  inherit(out.interface, parent.interface);
  inherit(out.relay_addresses, parent.relay_addresses);
  return out;
}

InheritedParams readInheritable(MapReader& r, std::vector<std::string>& warnings, Level level) {
  InheritedParams p;
  p.valid = r.getUint32("valid-lifetime");
  p.min_valid = r.getUint32("min-valid-lifetime");
  p.max_valid = r.getUint32("max-valid-lifetime");
  p.renew = r.getUint32("renew-timer");
  p.rebind = r.getUint32("rebind-timer");
  if (p.renew && p.rebind && *p.renew > *p.rebind) {
    r.fail("renew-timer", "renew-timer " + std::to_string(*p.renew) + " is greater than rebind-timer " +
                              std::to_string(*p.rebind));
  }
  p.calculate_tee_times = r.getBool("calculate-tee-times");
  p.t1_percent = r.getDouble("t1-percent", 0.0, 1.0);
  p.t2_percent = r.getDouble("t2-percent", 0.0, 1.0);
  p.cache_threshold = r.getDouble("cache-threshold", 0.0, 1.0);
  if (p.cache_threshold) {
    warnings.push_back(r.childPath("cache-threshold") +
                       ": lease caching is not implemented yet; every renewal is written");
  }
  p.match_client_id = r.getBool("match-client-id");
  p.authoritative = r.getBool("authoritative");
  p.reservations_global = r.getBool("reservations-global");
  p.reservations_in_subnet = r.getBool("reservations-in-subnet");
  p.reservations_out_of_pool = r.getBool("reservations-out-of-pool");
  if (auto mode = r.getString("reservation-mode")) {
    // Deprecated single switch of Kea 1.x/2.x, mapped onto the three flags.
    if (*mode == "all") {
      p.reservations_global = false, p.reservations_in_subnet = true, p.reservations_out_of_pool = false;
    } else if (*mode == "out-of-pool") {
      p.reservations_global = false, p.reservations_in_subnet = true, p.reservations_out_of_pool = true;
    } else if (*mode == "global") {
      p.reservations_global = true, p.reservations_in_subnet = false, p.reservations_out_of_pool = false;
    } else if (*mode == "disabled") {
      p.reservations_global = false, p.reservations_in_subnet = false, p.reservations_out_of_pool = false;
    } else {
      r.fail("reservation-mode", "unknown reservation-mode '" + *mode + "'");
    }
    warnings.push_back(r.childPath("reservation-mode") +
                       ": 'reservation-mode' is deprecated; use reservations-global/-in-subnet/-out-of-pool");
  }
  p.next_server = r.getIPv4("next-server");
  p.server_hostname = r.getString("server-hostname");
  p.boot_file_name = r.getString("boot-file-name");
  if (level != Level::kGlobal) p.interface = r.getString("interface");
  if (const auto* relay = level == Level::kGlobal ? nullptr : r.get("relay")) {
    MapReader rr(*relay, r.childPath("relay"));
    std::vector<IPv4Address> addrs;
    if (const auto* list = rr.get("ip-addresses")) {
      if (!list->isList()) rr.fail("ip-addresses", "expected a list of IPv4 addresses");
      for (const auto& a : list->asList()) {
        auto ip = a.isString() ? IPv4Address::parse(a.asString()) : std::nullopt;
        if (!ip) cc::throwConfigError(rr.childPath("ip-addresses"), "invalid IPv4 address", a.position());
        addrs.push_back(*ip);
      }
    }
    if (auto single = rr.getIPv4("ip-address")) addrs.push_back(*single);
    rr.finish(warnings);
    p.relay_addresses = addrs;
  }
  return p;
}

void parseReservations(const cc::Value& list, const std::string& path, SubnetId subnet,
                       const SrvConfig4& cfg, HostIndex& into) {
  if (!list.isList()) cc::throwConfigError(path, "expected a list of reservations", list.position());
  auto& warnings = const_cast<SrvConfig4&>(cfg).warnings;
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    Host4 h;
    h.subnet_id = subnet;
    int ids = 0;
    struct Kind {
      const char* key;
      HostIdType type;
    };
    for (Kind k : {Kind{"hw-address", HostIdType::kHwAddress}, Kind{"duid", HostIdType::kDuid},
                   Kind{"circuit-id", HostIdType::kCircuitId}, Kind{"client-id", HostIdType::kClientId},
                   Kind{"flex-id", HostIdType::kFlexId}}) {
      auto s = r.getString(k.key);
      if (!s) continue;
      ++ids;
      h.id_type = k.type;
      std::string_view text = trim(*s);
      if ((k.type == HostIdType::kCircuitId || k.type == HostIdType::kFlexId) && text.size() >= 2 &&
          text.front() == '\'' && text.back() == '\'') {
        text = text.substr(1, text.size() - 2);  // quoted text identifier
        h.identifier.assign(text.begin(), text.end());
      } else {
        auto bytes = parseHex(text);
        if (!bytes || bytes->empty()) r.fail(k.key, "'" + *s + "' is not a valid identifier (hex bytes expected)");
        h.identifier = std::move(*bytes);
      }
    }
    if (ids == 0) {
      cc::throwConfigError(r.path(), "a reservation needs one identifier: hw-address, duid, client-id, circuit-id or flex-id",
                           r.map().position());
    }
    if (ids > 1) {
      cc::throwConfigError(r.path(), "a reservation must have exactly one identifier", r.map().position());
    }
    h.address = r.getIPv4("ip-address");
    h.hostname = r.getString("hostname").value_or("");
    h.next_server = r.getIPv4("next-server");
    h.server_hostname = r.getString("server-hostname").value_or("");
    h.boot_file_name = r.getString("boot-file-name").value_or("");
    if (const auto* od = r.get("option-data")) {
      h.options = parseOptionData(*od, r.childPath("option-data"), cfg.option_defs, warnings);
    }
    if (h.id_type == HostIdType::kFlexId) {
      warnings.push_back(r.path() + ": flex-id reservations match only when a hook library supplies the identifier at host4_identifier (and flex-id is in host-reservation-identifiers)");
    }
    if (into.find(h.id_type, h.identifier)) {
      r.fail(hostIdTypeName(h.id_type), "duplicate reservation for " + std::string(hostIdTypeName(h.id_type)) +
                                            " " + toHex(h.identifier));
    }
    if (h.address && into.findByAddress(*h.address)) {
      r.fail("ip-address", "address " + h.address->toString() + " is reserved more than once");
    }
    r.ignore({"client-classes"});
    if (r.map().contains("client-classes")) {
      warnings.push_back(r.path() + ": reservation 'client-classes' are not implemented yet");
    }
    r.finish(warnings);
    into.add(std::move(h));
  }
}

void parseSubnets(const cc::Value& list, const std::string& path, const InheritedParams& parent,
                  const CfgOptions& network_options, SrvConfig4& cfg, const std::string& network_name) {
  if (!list.isList()) cc::throwConfigError(path, "expected a list of subnets", list.position());
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    Subnet4 s;
    s.json_path = r.path();
    s.shared_network = network_name;
    s.network_options = network_options;
    auto text = r.getString("subnet");
    if (!text) r.require("subnet");
    auto prefix = Prefix4::parse(trim(*text));
    if (!prefix) r.fail("subnet", "'" + *text + "' is not a valid subnet (expected a.b.c.d/len)");
    s.prefix = *prefix;
    if (auto id = r.getInt("id", 1, 0xfffffffeLL)) {
      s.id = SubnetId(static_cast<uint32_t>(*id));
    } else {
      // Kea numbers subnets without an id after the highest explicit one; do the same.
      uint32_t max_id = 0;
      for (const auto& other : cfg.subnets) max_id = std::max(max_id, other.id.value);
      s.id = SubnetId(max_id + 1);
      cfg.warnings.push_back(r.path() + ": subnet " + *text + " has no 'id'; assigned " + std::to_string(s.id.value) +
                             " (set ids explicitly so leases keep their subnet across edits)");
    }
    InheritedParams p = readInheritable(r, cfg.warnings, Level::kSubnet).over(parent);
    s.lifetimes = resolveLifetimes(p, r);
    s.match_client_id = p.match_client_id.value_or(true);
    s.authoritative = p.authoritative.value_or(false);
    s.reservations_global = p.reservations_global.value_or(false);
    s.reservations_in_subnet = p.reservations_in_subnet.value_or(true);
    s.reservations_out_of_pool = p.reservations_out_of_pool.value_or(false);
    s.next_server = p.next_server;
    s.server_hostname = p.server_hostname.value_or("");
    s.boot_file_name = p.boot_file_name.value_or("");
    s.interface = p.interface.value_or("");
    s.relay_addresses = p.relay_addresses.value_or(std::vector<IPv4Address>{});
    if (const auto* od = r.get("option-data")) {
      s.options = parseOptionData(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
    }
    if (const auto* pools = r.get("pools")) {
      if (!pools->isList()) r.fail("pools", "expected a list of pools");
      for (size_t j = 0; j < pools->asList().size(); ++j) {
        s.pools.push_back(parsePool(pools->asList()[j], idx(r.childPath("pools"), j), s, cfg));
      }
    }
    if (const auto* res = r.get("reservations")) {
      parseReservations(*res, r.childPath("reservations"), s.id, cfg, s.hosts);
      for (const auto& h : s.hosts.all()) {
        if (h.address && !s.prefix.contains(*h.address)) {
          cc::throwConfigError(r.childPath("reservations"),
                               "reserved address " + h.address->toString() + " is outside subnet " +
                                   s.prefix.toString(),
                               res->position());
        }
      }
    }
    r.finish(cfg.warnings, kUnimplementedSubnet);
    cfg.subnets.push_back(std::move(s));
  }
}

void parseSharedNetworks(const cc::Value& list, const std::string& path, const InheritedParams& global,
                         SrvConfig4& cfg) {
  if (!list.isList()) cc::throwConfigError(path, "expected a list of shared networks", list.position());
  std::set<std::string> names;
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    auto name = r.getString("name");
    if (!name || name->empty()) r.fail("name", "a shared network needs a non-empty 'name'");
    if (!names.insert(*name).second) r.fail("name", "shared network '" + *name + "' is defined twice");
    InheritedParams p = readInheritable(r, cfg.warnings, Level::kSharedNetwork).over(global);
    CfgOptions opts;
    if (const auto* od = r.get("option-data")) {
      opts = parseOptionData(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
    }
    if (const auto* subs = r.get("subnet4")) parseSubnets(*subs, r.childPath("subnet4"), p, opts, cfg, *name);
    r.finish(cfg.warnings, kUnimplementedSubnet);
  }
}

}  // namespace takahe::dhcpsrv::detail
