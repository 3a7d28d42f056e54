#include "subnet_parser6.h"

#include <algorithm>

#include "option_data6.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv::detail {

namespace {

// Subnet and shared-network keys Kea accepts that Takahe does not act on yet.
constexpr std::string_view kUnimplementedSubnet[] = {"client-classes",
                                                     "evaluate-additional-classes",
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
                                                     "ddns-ttl-max",
                                                     "hostname-char-set",
                                                     "hostname-char-replacement",
                                                     "store-extended-info",
                                                     "cache-threshold",
                                                     "cache-max-age",
                                                     "allocator",
                                                     "pd-allocator",
                                                     "metadata"};

constexpr std::string_view kUnimplementedPool[] = {"client-classes",
                                                   "evaluate-additional-classes",
                                                   "ddns-send-updates",
                                                   "ddns-override-no-update",
                                                   "ddns-override-client-update",
                                                   "ddns-replace-client-name",
                                                   "ddns-generated-prefix",
                                                   "ddns-qualifying-suffix",
                                                   "ddns-update-on-renew",
                                                   "ddns-conflict-resolution-mode",
                                                   "ddns-ttl-percent",
                                                   "ddns-ttl",
                                                   "ddns-ttl-min",
                                                   "ddns-ttl-max",
                                                   "hostname-char-set",
                                                   "hostname-char-replacement",
                                                   "metadata"};

template <typename T>
void inherit(std::optional<T>& mine, const std::optional<T>& parent) {
  if (!mine) mine = parent;
}

std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool sameBits(const IPv6Address& a, const IPv6Address& b, uint8_t len) {
  return maskAddress(a, len) == maskAddress(b, len);
}

std::string rangeText(const IPv6Address& a, const IPv6Address& b) {
  return a.toString() + " - " + b.toString();
}

/// Reads `client-class` at `r`; a class other than ALL and the HA_ classes gets a warning, as
/// no client is put in it until classification exists (only hook libraries can).
std::string readClientClass(MapReader& r, std::vector<std::string>& warnings, const char* what) {
  std::string cls = r.getString("client-class").value_or("");
  if (!cls.empty() && !cls.starts_with("HA_") && cls != "ALL") {
    warnings.push_back(r.path() + ": " + what + " client-class '" + cls +
                       "' matches only packets a hook library puts in that class (client "
                       "classification is not implemented yet)");
  }
  return cls;
}

void readPoolCommon(MapReader& r, SrvConfig6& cfg, uint32_t& pool_id, CfgOptions6& options,
                    std::string& client_class, std::vector<std::string>& required) {
  if (auto id = r.getUint32("pool-id")) pool_id = *id;
  if (const auto* od = r.get("option-data")) {
    options = parseOptionData6(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
  }
  client_class = readClientClass(r, cfg.warnings, "pool");
  required = readClassList(r, "require-client-classes");
}

Pool6 parsePool(const cc::Value& v, const std::string& path, const Subnet6& subnet,
                SrvConfig6& cfg) {
  MapReader r(v, path);
  auto text = r.getString("pool");
  if (!text) r.require("pool");
  Pool6 pool;
  std::string_view t = trim(*text);
  if (t.find('/') != std::string_view::npos) {
    auto p = Prefix6::parse(t);
    if (!p)
      r.fail("pool", "'" + *text +
                         "' is not a valid IPv6 prefix (expected 'address/len' or 'first - last')");
    pool.first = maskAddress(p->address, p->length);
    pool.last = maskAddress(p->address, p->length);
    auto bytes = pool.last.bytes();
    for (unsigned bit = p->length; bit < 128; ++bit)
      bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
    pool.last = IPv6Address(bytes);
  } else {
    auto dash = t.find('-');
    if (dash == std::string_view::npos) {
      r.fail("pool",
             "'" + *text + "' is neither a range 'first - last' nor a prefix 'address/len'");
    }
    auto a = IPv6Address::parse(trim(t.substr(0, dash)));
    auto b = IPv6Address::parse(trim(t.substr(dash + 1)));
    if (!a || !b)
      r.fail("pool", "'" + *text + "' is not a valid IPv6 address range (expected 'first - last')");
    if (*b < *a) r.fail("pool", "'" + *text + "': the last address is lower than the first");
    pool.first = *a;
    pool.last = *b;
  }
  if (!subnet.prefix.contains(pool.first) || !subnet.prefix.contains(pool.last)) {
    r.fail("pool", "pool " + rangeText(pool.first, pool.last) + " is outside subnet " +
                       subnet.prefix.toString());
  }
  for (const auto& other : subnet.pools) {
    if (pool.first <= other.last && other.first <= pool.last) {
      r.fail("pool", "pool " + rangeText(pool.first, pool.last) + " overlaps pool " +
                         rangeText(other.first, other.last) + " of the same subnet");
    }
  }
  readPoolCommon(r, cfg, pool.pool_id, pool.options, pool.client_class,
                 pool.require_client_classes);
  r.finish(cfg.warnings, kUnimplementedPool);
  return pool;
}

PdPool6 parsePdPool(const cc::Value& v, const std::string& path, const Subnet6& subnet,
                    SrvConfig6& cfg) {
  MapReader r(v, path);
  PdPool6 pool;
  auto text = r.getString("prefix");
  if (!text) r.require("prefix");
  auto addr = IPv6Address::parse(trim(*text));
  if (!addr) {
    r.fail("prefix", "'" + *text +
                         "' is not an IPv6 address (write the prefix address here and its "
                         "length in 'prefix-len')");
  }
  if (!r.map().contains("prefix-len")) r.require("prefix-len");
  if (!r.map().contains("delegated-len")) r.require("delegated-len");
  auto plen = static_cast<uint8_t>(*r.getInt("prefix-len", 1, 128));
  auto dlen = static_cast<uint8_t>(*r.getInt("delegated-len", 1, 128));
  if (dlen < plen) {
    r.fail("delegated-len", "delegated-len " + std::to_string(dlen) +
                                " must be longer than or equal to prefix-len " +
                                std::to_string(plen));
  }
  pool.prefix = Prefix6{maskAddress(*addr, plen), plen};
  pool.delegated_len = dlen;
  // Kea writes an unset excluded prefix as "::" with length 0; both or neither must be set.
  std::optional<IPv6Address> ex_addr;
  if (auto ex_text = r.getString("excluded-prefix"); ex_text && !trim(*ex_text).empty()) {
    ex_addr = IPv6Address::parse(trim(*ex_text));
    if (!ex_addr) {
      r.fail(
          "excluded-prefix",
          "'" + *ex_text + "' is not an IPv6 address (write its length in 'excluded-prefix-len')");
    }
    if (ex_addr->isZero()) ex_addr.reset();
  }
  auto ex_len = static_cast<uint8_t>(r.getInt("excluded-prefix-len", 0, 128).value_or(0));
  if (ex_addr.has_value() != (ex_len != 0)) {
    r.fail(ex_addr ? "excluded-prefix" : "excluded-prefix-len",
           "excluded-prefix and excluded-prefix-len must be given together");
  }
  if (ex_addr) {
    Prefix6 ex{maskAddress(*ex_addr, ex_len), ex_len};
    if (ex.length <= dlen) {
      r.fail("excluded-prefix-len", "excluded-prefix-len " + std::to_string(ex.length) +
                                        " must be longer than delegated-len " +
                                        std::to_string(dlen));
    }
    if (!sameBits(ex.address, pool.prefix.address, dlen)) {
      r.fail("excluded-prefix",
             "excluded prefix " + ex.toString() + " must lie inside the first delegated prefix " +
                 maskAddress(pool.prefix.address, dlen).toString() + "/" + std::to_string(dlen) +
                 " (its first " + std::to_string(dlen) + " bits are those of the pool prefix)");
    }
    pool.excluded = ex;
  }
  for (const auto& other : subnet.pd_pools) {
    uint8_t shorter = std::min(other.prefix.length, pool.prefix.length);
    if (sameBits(other.prefix.address, pool.prefix.address, shorter)) {
      r.fail("prefix", "pd-pool " + pool.prefix.toString() + " overlaps pd-pool " +
                           other.prefix.toString() + " of the same subnet");
    }
  }
  readPoolCommon(r, cfg, pool.pool_id, pool.options, pool.client_class,
                 pool.require_client_classes);
  r.finish(cfg.warnings, kUnimplementedPool);
  return pool;
}

void checkRange(const MapReader& r, std::string_view key, uint32_t value, uint32_t min,
                uint32_t max, std::string_view min_key, std::string_view max_key) {
  if (min > value) {
    r.fail(min_key, std::string(min_key) + " " + std::to_string(min) + " is greater than " +
                        std::string(key) + " " + std::to_string(value));
  }
  if (value > max) {
    r.fail(max_key, std::string(key) + " " + std::to_string(value) + " is greater than " +
                        std::string(max_key) + " " + std::to_string(max));
  }
}

void checkInterfaceAndId(const MapReader& r, const std::optional<std::string>& iface,
                         const std::optional<std::string>& iface_id) {
  if (iface && !iface->empty() && iface_id && !iface_id->empty()) {
    r.fail("interface-id",
           "'interface' (directly reachable clients) and 'interface-id' (clients behind "
           "relays) cannot both be set");
  }
}

}  // namespace

IPv6Address maskAddress(const IPv6Address& a, uint8_t len) {
  auto b = a.bytes();
  for (unsigned bit = len; bit < 128; ++bit)
    b[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return IPv6Address(b);
}

Lifetimes6 resolveLifetimes6(const InheritedParams6& p, const MapReader& r,
                             std::vector<std::string>& warnings) {
  Lifetimes6 l;
  l.valid = p.valid.value_or(7200);
  l.min_valid = p.min_valid.value_or(l.valid);
  l.max_valid = p.max_valid.value_or(l.valid);
  checkRange(r, "valid-lifetime", l.valid, l.min_valid, l.max_valid, "min-valid-lifetime",
             "max-valid-lifetime");
  l.preferred = p.preferred.value_or(3600);
  l.min_preferred = p.min_preferred.value_or(l.preferred);
  l.max_preferred = p.max_preferred.value_or(l.preferred);
  checkRange(r, "preferred-lifetime", l.preferred, l.min_preferred, l.max_preferred,
             "min-preferred-lifetime", "max-preferred-lifetime");
  if (l.preferred > l.valid) {
    // Kea accepts this; clients discard such addresses (RFC 8415 21.6), so say it.
    warnings.push_back(r.path() + ": preferred-lifetime " + std::to_string(l.preferred) +
                       " is greater than valid-lifetime " + std::to_string(l.valid) +
                       "; clients will discard the addresses");
  }
  l.renew = p.renew;
  l.rebind = p.rebind;
  if (l.renew && l.rebind && *l.renew > *l.rebind) {
    r.fail("renew-timer", "renew-timer " + std::to_string(*l.renew) +
                              " is greater than rebind-timer " + std::to_string(*l.rebind));
  }
  l.calculate_tee_times = p.calculate_tee_times.value_or(true);
  l.t1_percent = p.t1_percent.value_or(0.5);
  l.t2_percent = p.t2_percent.value_or(0.8);
  if (l.calculate_tee_times && l.t1_percent >= l.t2_percent) {
    r.fail("t1-percent", "t1-percent " + std::to_string(l.t1_percent) +
                             " must be lower than t2-percent " + std::to_string(l.t2_percent));
  }
  return l;
}

std::optional<IPv6Address> getIPv6(MapReader& r, std::string_view key) {
  auto s = r.getString(key);
  if (!s) return std::nullopt;
  auto a = IPv6Address::parse(trim(*s));
  if (!a) r.fail(key, "'" + *s + "' is not a valid IPv6 address");
  return a;
}

std::vector<std::string> readClassList(MapReader& r, std::string_view key) {
  std::vector<std::string> out;
  const auto* v = r.get(key);
  if (!v) return out;
  if (!v->isList()) r.fail(key, "expected a list of client class names");
  for (const auto& item : v->asList()) {
    if (!item.isString())
      cc::throwConfigError(r.childPath(key), "client class names must be strings", item.position());
    out.push_back(item.asString());
  }
  return out;
}

InheritedParams6 InheritedParams6::over(const InheritedParams6& parent) const {
  InheritedParams6 out = *this;
  inherit(out.valid, parent.valid);
  inherit(out.min_valid, parent.min_valid);
  inherit(out.max_valid, parent.max_valid);
  inherit(out.preferred, parent.preferred);
  inherit(out.min_preferred, parent.min_preferred);
  inherit(out.max_preferred, parent.max_preferred);
  inherit(out.renew, parent.renew);
  inherit(out.rebind, parent.rebind);
  inherit(out.calculate_tee_times, parent.calculate_tee_times);
  inherit(out.t1_percent, parent.t1_percent);
  inherit(out.t2_percent, parent.t2_percent);
  inherit(out.reservations_global, parent.reservations_global);
  inherit(out.reservations_in_subnet, parent.reservations_in_subnet);
  inherit(out.reservations_out_of_pool, parent.reservations_out_of_pool);
  inherit(out.rapid_commit, parent.rapid_commit);
  inherit(out.interface, parent.interface);
  inherit(out.interface_id, parent.interface_id);
  inherit(out.relay_addresses, parent.relay_addresses);
  return out;
}

InheritedParams6 readInheritable6(MapReader& r, std::vector<std::string>& warnings, Level6 level) {
  InheritedParams6 p;
  p.valid = r.getUint32("valid-lifetime");
  p.min_valid = r.getUint32("min-valid-lifetime");
  p.max_valid = r.getUint32("max-valid-lifetime");
  p.preferred = r.getUint32("preferred-lifetime");
  p.min_preferred = r.getUint32("min-preferred-lifetime");
  p.max_preferred = r.getUint32("max-preferred-lifetime");
  p.renew = r.getUint32("renew-timer");
  p.rebind = r.getUint32("rebind-timer");
  p.calculate_tee_times = r.getBool("calculate-tee-times");
  p.t1_percent = r.getDouble("t1-percent", 0.0, 1.0);
  p.t2_percent = r.getDouble("t2-percent", 0.0, 1.0);
  p.reservations_global = r.getBool("reservations-global");
  p.reservations_in_subnet = r.getBool("reservations-in-subnet");
  p.reservations_out_of_pool = r.getBool("reservations-out-of-pool");
  if (auto mode = r.getString("reservation-mode")) {
    // Deprecated single switch of Kea 1.x/2.x, mapped onto the three flags.
    if (*mode == "all") {
      p.reservations_global = false, p.reservations_in_subnet = true,
      p.reservations_out_of_pool = false;
    } else if (*mode == "out-of-pool") {
      p.reservations_global = false, p.reservations_in_subnet = true,
      p.reservations_out_of_pool = true;
    } else if (*mode == "global") {
      p.reservations_global = true, p.reservations_in_subnet = false,
      p.reservations_out_of_pool = false;
    } else if (*mode == "disabled") {
      p.reservations_global = false, p.reservations_in_subnet = false,
      p.reservations_out_of_pool = false;
    } else {
      r.fail("reservation-mode",
             "unknown reservation-mode '" + *mode + "' (all, out-of-pool, global or disabled)");
    }
    warnings.push_back(
        r.childPath("reservation-mode") +
        ": 'reservation-mode' is deprecated; use reservations-global/-in-subnet/-out-of-pool");
  }
  // Kea 2.2 has rapid-commit on subnets and shared networks; a global value is accepted as the
  // default for both.
  p.rapid_commit = r.getBool("rapid-commit");
  if (level == Level6::kGlobal) return p;
  p.interface = r.getString("interface");
  p.interface_id = r.getString("interface-id");
  checkInterfaceAndId(r, p.interface, p.interface_id);
  if (const auto* relay = r.get("relay")) {
    MapReader rr(*relay, r.childPath("relay"));
    std::vector<IPv6Address> addrs;
    const auto* list = rr.get("ip-addresses");
    if (list) {
      if (!list->isList()) rr.fail("ip-addresses", "expected a list of IPv6 addresses");
      for (const auto& a : list->asList()) {
        auto ip = a.isString() ? IPv6Address::parse(trim(a.asString())) : std::nullopt;
        if (!ip) {
          cc::throwConfigError(rr.childPath("ip-addresses"),
                               (a.isString() ? "'" + a.asString() + "'" : std::string("value")) +
                                   " is not a valid IPv6 address",
                               a.position());
        }
        addrs.push_back(*ip);
      }
    }
    if (auto single = getIPv6(rr, "ip-address")) {
      if (list) rr.fail("ip-address", "give either 'ip-address' or 'ip-addresses', not both");
      addrs.push_back(*single);
    }
    rr.finish(warnings);
    p.relay_addresses = addrs;
  }
  return p;
}

void collectSubnetIds(const cc::Value& dhcp6, SubnetContext6& ctx) {
  auto scan = [&](const cc::Value* list) {
    if (!list || !list->isList()) return;
    for (const auto& s : list->asList()) {
      const cc::Value* id = s.isMap() ? s.find("id") : nullptr;
      if (id && id->isInt() && id->asInt() > 0 && id->asInt() <= 0xffffffffLL) {
        ctx.explicit_ids.insert(static_cast<uint32_t>(id->asInt()));
      }
    }
  };
  scan(dhcp6.find("subnet6"));
  if (const auto* nets = dhcp6.find("shared-networks"); nets && nets->isList()) {
    for (const auto& n : nets->asList()) {
      if (n.isMap()) scan(n.find("subnet6"));
    }
  }
  ctx.next_free_id = ctx.explicit_ids.empty() ? 1 : *ctx.explicit_ids.rbegin() + 1;
}

void parseSubnets6(const cc::Value& list, const std::string& path, const InheritedParams6& parent,
                   SubnetContext6& ctx, const SharedNetwork6* network,
                   const std::string& network_client_class, const CfgOptions6& network_options) {
  SrvConfig6& cfg = ctx.cfg;
  if (!list.isList()) cc::throwConfigError(path, "expected a list of subnets", list.position());
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    Subnet6 s;
    s.json_path = r.path();
    auto text = r.getString("subnet");
    if (!text) r.require("subnet");
    auto prefix = Prefix6::parse(trim(*text));
    if (!prefix) {
      r.fail("subnet", "'" + *text + "' is not an IPv6 prefix (expected e.g. 2001:db8:1::/64)");
    }
    s.prefix = Prefix6{maskAddress(prefix->address, prefix->length), prefix->length};
    if (auto id = r.getInt("id", 1, 0xfffffffeLL)) {
      s.id = SubnetId(static_cast<uint32_t>(*id));
    } else {
      // Kea numbers subnets without an id itself; take ids above every explicit one.
      s.id = SubnetId(ctx.next_free_id++);
      cfg.warnings.push_back(r.path() + ": subnet " + *text + " has no 'id'; assigned " +
                             std::to_string(s.id.value) +
                             " (set ids explicitly so leases keep their subnet across edits)");
    }
    if (auto [it, fresh] = ctx.id_owner.emplace(s.id.value, s.json_path); !fresh) {
      r.fail("id", "subnet id " + std::to_string(s.id.value) + " is already used by " + it->second);
    }
    if (auto [it, fresh] = ctx.prefix_owner.emplace(s.prefix.toString(), s.json_path); !fresh) {
      r.fail("subnet", "subnet " + s.prefix.toString() + " is already defined at " + it->second);
    }
    InheritedParams6 own = readInheritable6(r, cfg.warnings, Level6::kSubnet);
    InheritedParams6 p = own.over(parent);
    s.lifetimes = resolveLifetimes6(p, r, cfg.warnings);
    s.reservations_global = p.reservations_global.value_or(false);
    s.reservations_in_subnet = p.reservations_in_subnet.value_or(true);
    s.reservations_out_of_pool = p.reservations_out_of_pool.value_or(false);
    s.rapid_commit = p.rapid_commit.value_or(false);
    s.interface = p.interface.value_or("");
    std::string iface_id = p.interface_id.value_or("");
    s.interface_id.assign(iface_id.begin(), iface_id.end());
    s.relay_addresses = p.relay_addresses.value_or(std::vector<IPv6Address>{});
    s.client_class = readClientClass(r, cfg.warnings, "subnet");
    s.require_client_classes = readClassList(r, "require-client-classes");
    if (network) {
      s.shared_network = network->name;
      s.network_client_class = network_client_class;
      s.network_options = network_options;
    }
    if (const auto* od = r.get("option-data")) {
      s.options = parseOptionData6(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
    }
    if (const auto* pools = r.get("pools")) {
      if (!pools->isList()) r.fail("pools", "expected a list of pools");
      for (size_t j = 0; j < pools->asList().size(); ++j) {
        s.pools.push_back(parsePool(pools->asList()[j], idx(r.childPath("pools"), j), s, cfg));
      }
    }
    if (const auto* pools = r.get("pd-pools")) {
      if (!pools->isList()) r.fail("pd-pools", "expected a list of prefix delegation pools");
      for (size_t j = 0; j < pools->asList().size(); ++j) {
        s.pd_pools.push_back(
            parsePdPool(pools->asList()[j], idx(r.childPath("pd-pools"), j), s, cfg));
      }
    }
    if (const auto* res = r.get("reservations")) {
      parseReservations6(*res, r.childPath("reservations"), &s, cfg, s.hosts);
    }
    r.finish(cfg.warnings, kUnimplementedSubnet);
    cfg.subnets.push_back(std::move(s));
  }
}

void parseSharedNetworks6(const cc::Value& list, const std::string& path,
                          const InheritedParams6& global, SubnetContext6& ctx) {
  SrvConfig6& cfg = ctx.cfg;
  if (!list.isList())
    cc::throwConfigError(path, "expected a list of shared networks", list.position());
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    auto name = r.getString("name");
    if (!name || name->empty()) r.fail("name", "a shared network needs a non-empty 'name'");
    if (cfg.sharedNetwork(*name)) r.fail("name", "shared network '" + *name + "' is defined twice");
    SharedNetwork6 net{*name, {}, r.path()};
    InheritedParams6 p = readInheritable6(r, cfg.warnings, Level6::kSharedNetwork).over(global);
    std::string client_class = readClientClass(r, cfg.warnings, "shared network");
    // Kea keeps require-client-classes of a network for the evaluation it does not have here.
    (void)readClassList(r, "require-client-classes");
    CfgOptions6 opts;
    if (const auto* od = r.get("option-data")) {
      opts = parseOptionData6(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
    }
    size_t first = cfg.subnets.size();
    if (const auto* subs = r.get("subnet6")) {
      parseSubnets6(*subs, r.childPath("subnet6"), p, ctx, &net, client_class, opts);
      // A client moves between the subnets of a shared network, so they must agree on
      // rapid-commit (Kea refuses the configuration otherwise).
      for (size_t j = first + 1; j < cfg.subnets.size(); ++j) {
        const Subnet6& a = cfg.subnets[first];
        const Subnet6& b = cfg.subnets[j];
        if (a.rapid_commit == b.rapid_commit) continue;
        const cc::Value& item = subs->asList()[j - first];
        const cc::Value* key = item.find("rapid-commit");
        cc::throwConfigError(b.json_path + "/rapid-commit",
                             "all subnets of shared network '" + *name +
                                 "' must have the same rapid-commit; " + "this one has " +
                                 (b.rapid_commit ? "true" : "false") + ", " + a.json_path +
                                 " has " + (a.rapid_commit ? "true" : "false"),
                             key ? key->position() : item.position());
      }
    }
    for (size_t j = first; j < cfg.subnets.size(); ++j) net.subnets.push_back(cfg.subnets[j].id);
    r.finish(cfg.warnings, kUnimplementedSubnet);
    cfg.shared_networks.push_back(std::move(net));
  }
}

}  // namespace takahe::dhcpsrv::detail
