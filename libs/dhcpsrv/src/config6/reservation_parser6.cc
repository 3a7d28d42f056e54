// `reservations` of a Dhcp6 map or subnet6: one identifier (duid, hw-address or flex-id),
// addresses, prefixes, hostname, options and client classes, checked as Kea checks them.

#include "option_data6.h"
#include "subnet_parser6.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv::detail {

namespace {

std::string idx(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

/// Hex bytes, or 'quoted text' taken as its bytes (Kea accepts both for every identifier).
std::optional<Bytes> parseIdentifier(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    text = text.substr(1, text.size() - 2);
    if (text.empty()) return std::nullopt;
    return Bytes(text.begin(), text.end());
  }
  auto bytes = parseHex(text);
  if (!bytes || bytes->empty()) return std::nullopt;
  return bytes;
}

template <typename T, typename Parse>
std::vector<T> readList(MapReader& r, std::string_view key, std::string_view what, Parse parse) {
  std::vector<T> out;
  const auto* v = r.get(key);
  if (!v) return out;
  if (!v->isList()) r.fail(key, "expected a list of " + std::string(what));
  for (const auto& item : v->asList()) {
    std::optional<T> x = item.isString() ? parse(trim(item.asString())) : std::nullopt;
    if (!x) {
      cc::throwConfigError(r.childPath(key),
                           (item.isString() ? "'" + item.asString() + "'" : std::string("value")) +
                               " is not " + std::string(what),
                           item.position());
    }
    out.push_back(*x);
  }
  return out;
}

std::string leaseKey(const IPv6Address& a) { return a.toString(); }
std::string leaseKey(const Prefix6& p) { return p.toString(); }

}  // namespace

void parseReservations6(const cc::Value& list, const std::string& path, const Subnet6* subnet,
                        SrvConfig6& cfg, HostIndex6& into) {
  if (!list.isList())
    cc::throwConfigError(path, "expected a list of reservations", list.position());
  for (size_t i = 0; i < list.asList().size(); ++i) {
    MapReader r(list.asList()[i], idx(path, i));
    Host6 h;
    h.subnet_id = subnet ? subnet->id : SubnetId(0);
    for (const char* v4_only : {"client-id", "circuit-id", "ip-address", "next-server",
                                "server-hostname", "boot-file-name"}) {
      if (r.map().contains(v4_only)) {
        r.fail(v4_only, "'" + std::string(v4_only) +
                            "' is a DHCPv4 reservation parameter (DHCPv6 reservations "
                            "take duid, hw-address or flex-id, ip-addresses and prefixes)");
      }
    }
    const char* id_key = nullptr;
    struct Kind {
      const char* key;
      HostIdType type;
    };
    for (Kind k : {Kind{"duid", HostIdType::kDuid}, Kind{"hw-address", HostIdType::kHwAddress},
                   Kind{"flex-id", HostIdType::kFlexId}}) {
      auto s = r.getString(k.key);
      if (!s) continue;
      if (id_key) {
        r.fail(k.key, "'" + std::string(id_key) + "' and '" + k.key +
                          "' are mutually exclusive: a reservation has exactly one identifier");
      }
      id_key = k.key;
      h.id_type = k.type;
      auto bytes = parseIdentifier(*s);
      if (!bytes)
        r.fail(k.key, "'" + *s + "' is not a valid identifier (hex bytes or 'quoted text')");
      h.identifier = std::move(*bytes);
    }
    if (!id_key) {
      cc::throwConfigError(r.path(),
                           "a reservation needs one identifier: duid, hw-address or flex-id",
                           r.map().position());
    }
    h.addresses = readList<IPv6Address>(r, "ip-addresses", "an IPv6 address",
                                        [](std::string_view t) { return IPv6Address::parse(t); });
    h.prefixes =
        readList<Prefix6>(r, "prefixes", "an IPv6 prefix (address/len)", [](std::string_view t) {
          auto p = Prefix6::parse(t);
          if (p) p->address = maskAddress(p->address, p->length);
          return p;
        });
    h.hostname = r.getString("hostname").value_or("");
    if (const auto* od = r.get("option-data")) {
      h.options = parseOptionData6(*od, r.childPath("option-data"), cfg.option_defs, cfg.warnings);
    }
    h.client_classes = readClassList(r, "client-classes");
    if (h.addresses.empty() && h.prefixes.empty() && h.hostname.empty() && h.options.empty() &&
        h.client_classes.empty()) {
      cc::throwConfigError(
          r.path(),
          "a reservation must reserve something: ip-addresses, prefixes, hostname, "
          "option-data or client-classes",
          r.map().position());
    }
    if (subnet) {
      for (const auto& a : h.addresses) {
        if (!subnet->contains(a)) {
          r.fail("ip-addresses", "reserved address " + a.toString() + " is outside subnet " +
                                     subnet->prefix.toString());
        }
      }
    }
    if (into.find(h.id_type, h.identifier)) {
      r.fail(id_key, "duplicate reservation for " + std::string(id_key) + " " +
                         toHex(h.identifier) +
                         (subnet ? " in subnet " + std::to_string(subnet->id.value)
                                 : std::string(" (global)")));
    }
    if (cfg.ip_reservations_unique) {
      for (const auto& a : h.addresses) {
        if (into.findByAddress(a))
          r.fail("ip-addresses", "address " + leaseKey(a) + " is reserved more than once");
      }
      for (const auto& p : h.prefixes) {
        if (into.findByPrefix(p))
          r.fail("prefixes", "prefix " + leaseKey(p) + " is reserved more than once");
      }
    }
    if (h.id_type == HostIdType::kFlexId) {
      cfg.warnings.push_back(r.path() +
                             ": flex-id reservations match only when a hook library supplies "
                             "the identifier (and flex-id is in host-reservation-identifiers)");
    }
    r.finish(cfg.warnings);
    into.add(std::move(h));
  }
}

}  // namespace takahe::dhcpsrv::detail
