#include "takahe/dhcpsrv/lease6_json.h"

#include <string>

#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

cc::Value lease6ToJson(const Lease6& lease) {
  cc::Value m = cc::Value::makeMap();
  m.set("ip-address", lease.address.toString());
  if (lease.type == Lease6Type::kPd) {
    m.set("prefix-len", int64_t{lease.prefix_len});
  }
  m.set("type", std::string(lease6TypeName(lease.type)));
  m.set("duid", lease.duid.toString());
  m.set("iaid", int64_t{lease.iaid});
  m.set("preferred-lft", int64_t{lease.preferred_lifetime});
  m.set("valid-lft", int64_t{lease.valid_lifetime});
  m.set("cltt", lease.cltt);
  m.set("subnet-id", int64_t{lease.subnet_id.value});
  if (lease.pool_id != 0) {
    m.set("pool-id", int64_t{lease.pool_id});
  }
  m.set("fqdn-fwd", lease.fqdn_fwd);
  m.set("fqdn-rev", lease.fqdn_rev);
  m.set("hostname", lease.hostname);
  m.set("state", int64_t{static_cast<uint32_t>(lease.state)});
  if (!lease.hwaddr.empty()) {
    m.set("hw-address", lease.hwaddr.toString());
  }
  if (!lease.user_context.empty()) {
    try {
      m.set("user-context", cc::parseJson(lease.user_context, "<lease user context>"));
    } catch (const Error&) {
      // A context written by another tool that is not JSON: show it rather than hide it.
      m.set("user-context", lease.user_context);
    }
  }
  return m;
}

}  // namespace takahe::dhcpsrv
