#include "hwaddr6.h"

#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcp6 {

namespace {

using dhcpsrv::MacSource;
namespace src = dhcpsrv::hwaddr_source;

/// The MAC inside an EUI-64 link-local address (fe80::/10 with ff:fe in the middle).
std::optional<HwAddr> fromLinkLocal(const IPv6Address& a) {
  const auto& b = a.bytes();
  if (b[0] != 0xfe || (b[1] & 0xc0) != 0x80 || b[11] != 0xff || b[12] != 0xfe) return std::nullopt;
  return HwAddr(1, Bytes{static_cast<uint8_t>(b[8] ^ 0x02), b[9], b[10], b[13], b[14], b[15]});
}

/// The relay nearest the client (the last of the chain), or nullptr when the query came direct.
const dhcp::RelayInfo* nearestRelay(const dhcp::Pkt6& q) { return q.relays.empty() ? nullptr : &q.relays.back(); }

std::optional<ClientHwAddr> fromSource(const dhcp::Pkt6& q, const Duid& duid, MacSource s) {
  auto found = [](std::optional<HwAddr> hw, uint32_t bit) -> std::optional<ClientHwAddr> {
    if (!hw || hw->bytes.empty()) return std::nullopt;
    return ClientHwAddr{*hw, bit};
  };
  const dhcp::RelayInfo* relay = nearestRelay(q);
  switch (s) {
    case MacSource::kRaw:
      return found(q.meta.remote_hw, src::kRaw);
    case MacSource::kClientLinkAddrOption:
      return found(q.clientLinkLayerAddr(), src::kClientAddrRelay);
    case MacSource::kDuid:
      return found(dhcp::hwAddrFromDuid(duid.bytes), src::kDuid);
    case MacSource::kIpv6LinkLocal:
      return found(fromLinkLocal(relay ? relay->peer_address : q.meta.remote_addr), src::kIpv6LinkLocal);
    case MacSource::kRemoteId: {
      auto r = relay ? relay->remoteId() : std::nullopt;
      return found(r ? std::optional<HwAddr>(HwAddr(1, r->id)) : std::nullopt, src::kRemoteId);
    }
    case MacSource::kSubscriberId: {
      const Bytes* d = relay ? relay->option(dhcp::opt6::kSubscriberId) : nullptr;
      return found(d ? std::optional<HwAddr>(HwAddr(1, *d)) : std::nullopt, src::kSubscriberId);
    }
    default:
      return std::nullopt;  // DOCSIS: the vendor options are not parsed
  }
}

}  // namespace

std::optional<ClientHwAddr> clientHwAddr(const dhcp::Pkt6& query, const Duid& duid,
                                         const std::vector<MacSource>& sources) {
  static const MacSource kAnyOrder[] = {MacSource::kRaw, MacSource::kClientLinkAddrOption, MacSource::kDuid,
                                        MacSource::kIpv6LinkLocal, MacSource::kRemoteId,
                                        MacSource::kSubscriberId};
  for (MacSource s : sources) {
    if (s == MacSource::kAny) {
      for (MacSource a : kAnyOrder) {
        if (auto r = fromSource(query, duid, a)) return r;
      }
    } else if (auto r = fromSource(query, duid, s)) {
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace takahe::dhcp6
