#include "lease_json.h"

#include <limits>
#include <string>

#include "lease_args.h"
#include "takahe/util/error.h"

namespace takahe::hooks::lease_cmds {

using dhcpsrv::Lease4;
using dhcpsrv::LeaseState;
using dhcpsrv::SrvConfig4;
using dhcpsrv::Subnet4;

namespace {

const Subnet4& subnetFor(const cc::Value& args, const SrvConfig4& cfg, IPv4Address addr) {
  uint32_t id = optUint32(args, "subnet-id").value_or(0);
  if (id == 0) {
    for (const auto& s : cfg.subnets) {
      if (s.prefix.contains(addr)) {
        return s;
      }
    }
    throw Error("no 'subnet-id' given and no configured subnet contains " + addr.toString());
  }
  const Subnet4* s = cfg.subnetById(SubnetId(id));
  if (s == nullptr) {
    throw Error("no IPv4 subnet with subnet-id " + std::to_string(id) + " is configured");
  }
  if (!s->prefix.contains(addr)) {
    throw Error("address " + addr.toString() + " is not in subnet " + s->prefix.toString() +
                " (subnet-id " + std::to_string(id) + ")");
  }
  return *s;
}

std::string userContext(const cc::Value& args) {
  cc::Value ctx = cc::Value::makeMap();
  bool present = false;
  if (const cc::Value* c = args.find("user-context")) {
    if (!c->isMap()) {
      throw Error("'user-context' must be a map, not " + std::string(c->typeName()) + " " +
                  c->toJson());
    }
    ctx = *c;
    present = true;
  }
  if (const cc::Value* comment = args.find("comment")) {
    if (ctx.contains("comment")) {
      throw Error("'comment' is given both as a parameter and inside 'user-context'");
    }
    ctx.set("comment", *comment);
    present = true;
  }
  return present ? ctx.toJson() : std::string();
}

}  // namespace

LeaseArguments parseLeaseArguments(const cc::Value& args, const SrvConfig4& cfg, int64_t now) {
  LeaseArguments out;
  Lease4& l = out.lease;
  l.address = getAddress(args, "ip-address");
  if (l.address.isZero()) {
    throw Error("'ip-address' 0.0.0.0 cannot be leased");
  }
  l.hwaddr = parseHwAddress(getString(args, "hw-address"));
  const Subnet4& subnet = subnetFor(args, cfg, l.address);
  l.subnet_id = subnet.id;
  if (const dhcpsrv::Pool4* pool = subnet.poolFor(l.address)) {
    l.pool_id = pool->pool_id;
  }
  if (auto cid = optString(args, "client-id"); cid && !cid->empty()) {
    l.client_id = parseClientId(*cid);
  }
  l.valid_lifetime = optUint32(args, "valid-lft").value_or(subnet.lifetimes.valid);
  if (l.valid_lifetime == 0) {
    throw Error("'valid-lft' must be greater than 0");
  }
  if (auto expire = optInt(args, "expire", 1, std::numeric_limits<int64_t>::max())) {
    if (*expire < int64_t{l.valid_lifetime}) {
      throw Error("'expire' " + std::to_string(*expire) + " is smaller than 'valid-lft' " +
                  std::to_string(l.valid_lifetime) + ": the lease would have started before 1970");
    }
    l.cltt = *expire - l.valid_lifetime;
  } else {
    l.cltt = optInt(args, "cltt", 0, std::numeric_limits<uint32_t>::max()).value_or(now);
  }
  l.fqdn_fwd = optBool(args, "fqdn-fwd").value_or(false);
  l.fqdn_rev = optBool(args, "fqdn-rev").value_or(false);
  l.hostname = optString(args, "hostname").value_or("");
  if (l.hostname.empty() && (l.fqdn_fwd || l.fqdn_rev)) {
    throw Error("'fqdn-fwd' or 'fqdn-rev' is true but no 'hostname' is given");
  }
  if (auto state = optInt(args, "state", 0, std::numeric_limits<int32_t>::max())) {
    if (*state > 3) {
      throw Error("'state' " + std::to_string(*state) +
                  " is not a DHCPv4 lease state (0 default, 1 declined, 2 expired-reclaimed, "
                  "3 released)");
    }
    l.state = static_cast<LeaseState>(*state);
  }
  l.user_context = userContext(args);
  out.force_create = optBool(args, "force-create").value_or(false);
  return out;
}

}  // namespace takahe::hooks::lease_cmds
