#pragma once

// What every DHCPv6 lease store refuses (memfile, SQL): leases a lease file or table could not
// represent, or would read back as something else (a deletion, a malformed row).

#include <cstddef>
#include <string>

#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcpsrv::detail {

inline constexpr size_t kMaxDuidBytes6 = 130;   // RFC 8415: 128 bytes of DUID after its 2-byte type
inline constexpr size_t kMaxHwAddrBytes6 = 20;  // Kea's hwaddr limit

/// Throws takahe::Error naming the lease and the reason. `max_hostname` is the store's limit,
/// `hostname_why` the reason given when a hostname exceeds it.
void checkStorable6(const Lease6& lease, size_t max_hostname, const std::string& hostname_why);

}  // namespace takahe::dhcpsrv::detail
