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
  readLeaseTerms(args, subnet.lifetimes.valid, now, "DHCPv4").applyTo(l);
  out.force_create = optBool(args, "force-create").value_or(false);
  return out;
}

}  // namespace takahe::hooks::lease_cmds
