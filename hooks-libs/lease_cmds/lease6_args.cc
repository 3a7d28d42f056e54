#include "lease6_args.h"

#include <limits>
#include <string>

#include "lease_args.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::hooks::lease_cmds {

using dhcpsrv::Lease6;
using dhcpsrv::Lease6Type;
using dhcpsrv::LeaseState;
using dhcpsrv::SrvConfig6;
using dhcpsrv::Subnet6;

IPv6Address getAddress6(const cc::Value& args, std::string_view name) {
  std::string text = getString(args, name);
  auto a = IPv6Address::parse(text);
  if (!a) {
    throw Error("'" + std::string(name) + "' value '" + text + "' is not an IPv6 address");
  }
  return *a;
}

Duid parseDuid(std::string_view text, std::string_view name) {
  auto bytes = parseHex(text);
  if (!bytes || bytes->empty() || bytes->size() > 128) {
    throw Error("'" + std::string(name) + "' value '" + std::string(text) +
                "' is not a DUID (1 to 128 hex bytes such as 00:03:00:01:1a:1b:1c:1d:1e:1f)");
  }
  return Duid(std::move(*bytes));
}

Lease6Type optLease6Type(const cc::Value& args) {
  auto text = optString(args, "type");
  if (!text) {
    return Lease6Type::kNa;
  }
  auto type = dhcpsrv::parseLease6Type(*text);
  if (!type) {
    throw Error("'type' '" + *text + "' is not a lease type; use IA_NA, IA_TA or IA_PD");
  }
  return *type;
}

namespace {

/// Whether `subnet` may hold the lease: its prefix contains the address, or (IA_PD) one of its
/// pd-pools holds the prefix.
bool holds(const Subnet6& subnet, const Lease6& l) {
  if (l.type == Lease6Type::kPd && subnet.pdPoolFor(Prefix6{l.address, l.prefix_len}) != nullptr) {
    return true;
  }
  return subnet.contains(l.address);
}

std::string leaseName(const Lease6& l) {
  return l.type == Lease6Type::kPd
             ? "prefix " + l.address.toString() + "/" + std::to_string(l.prefix_len)
             : "address " + l.address.toString();
}

const Subnet6& subnetFor(const cc::Value& args, const SrvConfig6& cfg, const Lease6& l) {
  uint32_t id = optUint32(args, "subnet-id").value_or(0);
  if (id == 0) {
    if (l.type == Lease6Type::kPd) {
      for (const auto& s : cfg.subnets) {
        if (s.pdPoolFor(Prefix6{l.address, l.prefix_len}) != nullptr) {
          return s;
        }
      }
    }
    for (const auto& s : cfg.subnets) {
      if (s.contains(l.address)) {
        return s;
      }
    }
    throw Error("no 'subnet-id' given and no configured subnet holds " + leaseName(l));
  }
  const Subnet6* s = cfg.subnetById(SubnetId(id));
  if (s == nullptr) {
    throw Error("no IPv6 subnet with subnet-id " + std::to_string(id) + " is configured");
  }
  if (!holds(*s, l)) {
    throw Error(leaseName(l) + " is not in subnet " + s->prefix.toString() + " (subnet-id " +
                std::to_string(id) + ")" +
                (l.type == Lease6Type::kPd ? " nor in one of its pd-pools" : ""));
  }
  return *s;
}

}  // namespace

Lease6Arguments parseLease6Arguments(const cc::Value& args, const SrvConfig6& cfg, int64_t now) {
  Lease6Arguments out;
  Lease6& l = out.lease;
  l.address = getAddress6(args, "ip-address");
  if (l.address == IPv6Address()) {
    throw Error("'ip-address' :: cannot be leased");
  }
  l.type = optLease6Type(args);
  if (l.type == Lease6Type::kPd) {
    requireMember(args, "prefix-len");
    l.prefix_len = static_cast<uint8_t>(*optInt(args, "prefix-len", 1, 128));
  } else if (auto len = optInt(args, "prefix-len", 0, 255); len && *len != 128) {
    throw Error("'prefix-len' " + std::to_string(*len) + " is only allowed for IA_PD leases; " +
                std::string(dhcpsrv::lease6TypeName(l.type)) + " leases are /128");
  }
  l.duid = parseDuid(getString(args, "duid"));
  l.iaid = getUint32(args, "iaid");
  const Subnet6& subnet = subnetFor(args, cfg, l);
  l.subnet_id = subnet.id;
  if (l.type == Lease6Type::kPd) {
    if (const dhcpsrv::PdPool6* pool = subnet.pdPoolFor(Prefix6{l.address, l.prefix_len})) {
      l.pool_id = pool->pool_id;
    }
  } else if (const dhcpsrv::Pool6* pool = subnet.poolFor(l.address)) {
    l.pool_id = pool->pool_id;
  }
  readLeaseTerms(args, subnet.lifetimes.valid, now, "DHCPv6").applyTo(l);
  // Without "preferred-lft" Kea 2.2 makes the lease preferred for its whole valid lifetime.
  l.preferred_lifetime = optUint32(args, "preferred-lft").value_or(l.valid_lifetime);
  if (auto hw = optString(args, "hw-address")) {
    l.hwaddr = parseHwAddress(*hw);
  }
  out.force_create = optBool(args, "force-create").value_or(false);
  return out;
}

}  // namespace takahe::hooks::lease_cmds
