// clientHwAddr: mac-sources in their order, Kea's `any` order and hwaddr_source bits.

#include <catch2/catch.hpp>

#include "hwaddr6.h"
#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/lease6.h"

using namespace takahe;
using dhcp::Pkt6;
using dhcp6::clientHwAddr;
using dhcpsrv::MacSource;
namespace src = dhcpsrv::hwaddr_source;

namespace {

const Bytes kDuidMac{0x02, 0, 0, 0, 0, 0x0a};
const Duid kDuidLl = dhcp::makeDuidLl(1, kDuidMac);

dhcp::RelayInfo relay(const std::string& peer) {
  dhcp::RelayInfo r;
  r.link_address = IPv6Address::fromString("2001:db8:2::1");
  r.peer_address = IPv6Address::fromString(peer);
  return r;
}

}  // namespace

TEST_CASE("clientHwAddr: any prefers the relay's option 79, then the DUID; a list is tried in order") {
  Pkt6 q;
  q.meta.remote_addr = IPv6Address::fromString("fe80::1");
  auto r = clientHwAddr(q, kDuidLl, {MacSource::kAny});
  REQUIRE(r);
  CHECK(r->hw.bytes == kDuidMac);
  CHECK(r->source == src::kDuid);

  dhcp::RelayInfo ri = relay("fe80::1");
  ri.options.push_back({dhcp::opt6::kClientLinkLayerAddr, Bytes{0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}});
  q.relays.push_back(ri);
  r = clientHwAddr(q, kDuidLl, {MacSource::kAny});
  REQUIRE(r);
  CHECK(r->hw.bytes == Bytes{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f});
  CHECK(r->source == src::kClientAddrRelay);
  // An explicit list: the DUID first.
  r = clientHwAddr(q, kDuidLl, {MacSource::kDuid, MacSource::kClientLinkAddrOption});
  REQUIRE(r);
  CHECK(r->source == src::kDuid);
  // A DUID-EN carries no address: the next source of the list.
  r = clientHwAddr(q, dhcp::makeDuidEn(9, Bytes{1, 2}), {MacSource::kDuid, MacSource::kClientLinkAddrOption});
  REQUIRE(r);
  CHECK(r->source == src::kClientAddrRelay);
  CHECK_FALSE(clientHwAddr(q, dhcp::makeDuidEn(9, Bytes{1, 2}), {MacSource::kDuid}));
}

TEST_CASE("clientHwAddr: an EUI-64 link-local address gives its MAC, U/L bit flipped back") {
  Pkt6 direct;
  direct.meta.remote_addr = IPv6Address::fromString("fe80::a8bb:ccff:fedd:eeff");
  auto r = clientHwAddr(direct, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kIpv6LinkLocal});
  REQUIRE(r);
  CHECK(r->hw.bytes == Bytes{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  CHECK(r->source == src::kIpv6LinkLocal);
  // Not EUI-64 (no ff:fe), or not link-local: nothing.
  direct.meta.remote_addr = IPv6Address::fromString("fe80::1234:5678:9abc:def0");
  CHECK_FALSE(clientHwAddr(direct, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kIpv6LinkLocal}));
  direct.meta.remote_addr = IPv6Address::fromString("2001:db8::a8bb:ccff:fedd:eeff");
  CHECK_FALSE(clientHwAddr(direct, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kIpv6LinkLocal}));
  // Relayed: the peer-address of the relay nearest the client.
  Pkt6 relayed;
  relayed.meta.remote_addr = IPv6Address::fromString("2001:db8:2::1");
  relayed.relays.push_back(relay("fe80::1"));
  relayed.relays.push_back(relay("fe80::a8bb:ccff:fedd:eeff"));
  r = clientHwAddr(relayed, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kIpv6LinkLocal});
  REQUIRE(r);
  CHECK(r->hw.bytes == Bytes{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
}

TEST_CASE("clientHwAddr: remote-id (after the enterprise number) and subscriber-id of the nearest relay") {
  Pkt6 q;
  dhcp::RelayInfo ri = relay("2001:db8:2::99");
  ri.options.push_back({dhcp::opt6::kRemoteId, dhcp::encodeRemoteId6({4491, Bytes{1, 2, 3, 4, 5, 6}})});
  ri.options.push_back({dhcp::opt6::kSubscriberId, Bytes{9, 8, 7}});
  q.relays.push_back(ri);
  auto r = clientHwAddr(q, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kRemoteId});
  REQUIRE(r);
  CHECK(r->hw.bytes == Bytes{1, 2, 3, 4, 5, 6});
  CHECK(r->source == src::kRemoteId);
  r = clientHwAddr(q, dhcp::makeDuidEn(9, Bytes{1}), {MacSource::kSubscriberId, MacSource::kRemoteId});
  REQUIRE(r);
  CHECK(r->hw.bytes == Bytes{9, 8, 7});
  CHECK(r->source == src::kSubscriberId);
  // any: remote-id comes after the DUID.
  r = clientHwAddr(q, kDuidLl, {MacSource::kAny});
  REQUIRE(r);
  CHECK(r->source == src::kDuid);
  CHECK_FALSE(clientHwAddr(q, kDuidLl, {MacSource::kDocsisCmts, MacSource::kDocsisModem}));
}
