#pragma once

// The client's hardware address, from the sources `mac-sources` allows, in their order (Kea's
// names and hwaddr_source bits). Used for hw-address reservations and the lease's hwaddr.

#include <cstdint>
#include <optional>
#include <vector>

#include "takahe/dhcp/pkt6.h"
#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::dhcp6 {

struct ClientHwAddr {
  HwAddr hw;
  uint32_t source = 0;  // a dhcpsrv::hwaddr_source bit
};

/// The first source of `sources` that yields an address. `any` tries, in order: the frame's
/// source address (raw; only when the socket layer knows it), the client link-layer address
/// option a relay added (79), the DUID (LLT, LL), an EUI-64 link-local source address (the
/// client's own, or the peer-address of the relay nearest it), the relay's remote-id (after its
/// enterprise number) and subscriber-id. The DOCSIS sources yield nothing (their vendor
/// options are not parsed).
std::optional<ClientHwAddr> clientHwAddr(const dhcp::Pkt6& query, const Duid& duid,
                                         const std::vector<dhcpsrv::MacSource>& sources);

}  // namespace takahe::dhcp6
