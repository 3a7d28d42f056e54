#include "lease6_checks.h"

#include "../leases/csv_text.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

void checkStorable6(const Lease6& lease, size_t max_hostname, const std::string& hostname_why) {
  auto refuse = [&](const std::string& why) { throw Error("lease " + lease.address.toString() + ": " + why); };
  if (lease.address.isZero()) throw Error("lease address :: is not valid");
  if (lease.valid_lifetime == 0) refuse("valid lifetime 0 is not allowed (it marks a deleted lease in lease files)");
  if (static_cast<uint32_t>(lease.type) > kMaxLease6Type) {
    refuse("unknown lease type " + std::to_string(static_cast<uint32_t>(lease.type)));
  }
  if (lease.prefix_len == 0 || lease.prefix_len > 128) {
    refuse("prefix length " + std::to_string(lease.prefix_len) + " is not in 1..128");
  }
  if (lease.duid.empty() || lease.duid.bytes.size() > kMaxDuidBytes6) {
    refuse("a DUID of 1 to 130 bytes is required (got " + std::to_string(lease.duid.bytes.size()) + ")");
  }
  if (lease.hwaddr.bytes.size() > kMaxHwAddrBytes6) refuse("hardware address longer than 20 bytes");
  if (lease.hostname.size() > max_hostname) refuse(hostname_why);
  if (static_cast<uint32_t>(lease.state) > kMaxLeaseState) {
    refuse("unknown state " + std::to_string(static_cast<uint32_t>(lease.state)));
  }
  if (!lease.user_context.empty() && !looksLikeJsonMap(lease.user_context)) refuse("user context must be a JSON map");
}

}  // namespace takahe::dhcpsrv::detail
