#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "test_helpers.h"
#include "takahe/util/time.h"

using namespace takahe;
using namespace takahe::dhcp4;
using namespace takahe::dhcp4::test;
using dhcp::MessageType;
using dhcp::Pkt4;

namespace {

const std::string kBasic = R"(
  "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
  "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54" },
                   { "name": "domain-name", "data": "example.org" },
                   { "name": "ntp-servers", "data": "192.0.2.123" } ],
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                 "pools": [ { "pool": "192.0.2.10 - 192.0.2.12" } ],
                 "option-data": [ { "name": "routers", "data": "192.0.2.1" } ],
                 "reservations": [ { "hw-address": "02:00:00:00:00:99", "ip-address": "192.0.2.200",
                                     "hostname": "reserved-host" } ] } ]
)";

Pkt4 discover(uint8_t mac) { return query(MessageType::kDiscover, mac); }

Pkt4 requestSelecting(uint8_t mac, const IPv4Address& addr) {
  Pkt4 r = query(MessageType::kRequest, mac);
  r.setOption(dhcp::opt::kServerId, ip("192.0.2.1"));
  auto b = addr.toBytes();
  r.setOption(dhcp::opt::kRequestedAddress, Bytes(b.begin(), b.end()));
  return r;
}

IPv4Address dora(Harness& h, uint8_t mac) {
  auto offer = h.send(discover(mac));
  REQUIRE(offer);
  REQUIRE(offer->messageType() == MessageType::kOffer);
  auto ack = h.send(requestSelecting(mac, offer->yiaddr));
  REQUIRE(ack);
  REQUIRE(ack->messageType() == MessageType::kAck);
  REQUIRE(ack->yiaddr == offer->yiaddr);
  return ack->yiaddr;
}

}  // namespace

TEST_CASE("DISCOVER gets an OFFER from the pool with the configured options") {
  Harness h(kBasic);
  auto q = discover(1);
  q.setOption(dhcp::opt::kParameterRequestList, Bytes{1, 3, 6, 15});
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(offer->messageType() == MessageType::kOffer);
  CHECK(offer->op == 2);
  CHECK(offer->xid == q.xid);
  CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
  CHECK(*offer->option(dhcp::opt::kServerId) == ip("192.0.2.1"));
  CHECK(*offer->option(dhcp::opt::kSubnetMask) == ip("255.255.255.0"));
  CHECK(*offer->option(dhcp::opt::kRouters) == ip("192.0.2.1"));
  CHECK(offer->option(dhcp::opt::kDomainNameServers)->size() == 8);
  CHECK(*offer->option(dhcp::opt::kDomainName) == Bytes{'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'});
  CHECK(u32(offer->option(dhcp::opt::kLeaseTime)) == 4000);
  CHECK(u32(offer->option(dhcp::opt::kRenewalTime)) == 1000);
  CHECK(u32(offer->option(dhcp::opt::kRebindingTime)) == 2000);
  // Not requested and not a basic option: ntp-servers (42) stays out.
  CHECK_FALSE(offer->has(42));
  // An offer commits nothing.
  CHECK(h.store->size() == 0);
  CHECK(h.stat("pkt4-discover-received") == 1);
}

TEST_CASE("requested options are sent, never-send wins, always-send is sent unasked") {
  Harness h(R"("option-data": [ { "name": "ntp-servers", "data": "192.0.2.123" },
                                { "name": "time-offset", "data": "3600", "always-send": true },
                                { "name": "domain-name", "data": "x.org", "never-send": true } ],
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ] } ])");
  auto q = discover(1);
  q.setOption(dhcp::opt::kParameterRequestList, Bytes{42, 15});
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(*offer->option(42) == ip("192.0.2.123"));
  CHECK(u32(offer->option(2)) == 3600);
  CHECK_FALSE(offer->has(dhcp::opt::kDomainName));
}

TEST_CASE("SELECTING REQUEST is ACKed and the lease committed and counted") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  auto lease = h.store->get(a);
  REQUIRE(lease);
  CHECK(lease->hwaddr.toString() == "02:00:00:00:00:01");
  CHECK(lease->valid_lifetime == 4000);
  CHECK(lease->subnet_id == SubnetId(1));
  CHECK(h.stat("subnet[1].assigned-addresses") == 1);
  CHECK(h.stat("subnet[1].total-addresses") == 3);
  CHECK(h.stat("cumulative-assigned-addresses") == 1);
  CHECK(h.stat("pkt4-request-received") == 1);
}

TEST_CASE("REQUEST naming another server is dropped") {
  Harness h(kBasic);
  auto r = requestSelecting(1, IPv4Address::fromString("192.0.2.10"));
  r.setOption(dhcp::opt::kServerId, ip("192.0.2.250"));
  CHECK_FALSE(h.send(r));
  CHECK(h.store->size() == 0);
}

TEST_CASE("a returning client is offered the address it already holds") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  dora(h, 2);
  auto again = h.send(discover(1));
  REQUIRE(again);
  CHECK(again->yiaddr == a);
}

TEST_CASE("REQUEST in RENEWING state renews the same lease and echoes ciaddr") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 renew = query(MessageType::kRequest, 1);
  renew.ciaddr = a;
  auto ack = h.send(renew);
  REQUIRE(ack);
  CHECK(ack->messageType() == MessageType::kAck);
  CHECK(ack->yiaddr == a);
  CHECK(ack->ciaddr == a);
  CHECK(h.stat("subnet[1].assigned-addresses") == 1);
  CHECK(h.stat("cumulative-assigned-addresses") == 1);
  auto dst = replyDestination(renew, *ack, ReplyPorts{});
  CHECK(dst.kind == Destination::Kind::kUnicastCiaddr);
  CHECK(dst.address == a);
}

TEST_CASE("REQUEST in RENEWING state for a foreign address is NAKed") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 renew = query(MessageType::kRequest, 2);
  renew.ciaddr = a;
  auto nak = h.send(renew);
  REQUIRE(nak);
  CHECK(nak->messageType() == MessageType::kNak);
  CHECK(nak->yiaddr.isZero());
  CHECK_FALSE(nak->has(dhcp::opt::kLeaseTime));
  // The owner keeps its lease.
  CHECK(h.store->get(a)->hwaddr.toString() == "02:00:00:00:00:01");
}

TEST_CASE("INIT-REBOOT: unknown clients get silence, or a NAK when authoritative") {
  Harness h(kBasic);
  Pkt4 unknown = query(MessageType::kRequest, 3);
  unknown.setOption(dhcp::opt::kRequestedAddress, ip("192.0.2.11"));
  CHECK_FALSE(h.send(unknown));
  Pkt4 elsewhere = query(MessageType::kRequest, 3);
  elsewhere.setOption(dhcp::opt::kRequestedAddress, ip("10.9.9.9"));
  CHECK_FALSE(h.send(elsewhere));

  Harness auth(R"("authoritative": true, )" + kBasic);
  auto nak = auth.send(unknown);
  REQUIRE(nak);
  CHECK(nak->messageType() == MessageType::kNak);
  CHECK(replyDestination(unknown, *nak, ReplyPorts{}).kind == Destination::Kind::kBroadcast);
  CHECK(auth.store->size() == 0);
}

TEST_CASE("INIT-REBOOT for another address than the client holds is NAKed") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 moved = query(MessageType::kRequest, 1);
  moved.setOption(dhcp::opt::kRequestedAddress, ip("10.9.9.9"));
  auto nak = h.send(moved);
  REQUIRE(nak);
  CHECK(nak->messageType() == MessageType::kNak);
  CHECK(h.store->get(a));
}

TEST_CASE("INIT-REBOOT for the client's own address is ACKed") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 reboot = query(MessageType::kRequest, 1);
  auto b = a.toBytes();
  reboot.setOption(dhcp::opt::kRequestedAddress, Bytes(b.begin(), b.end()));
  auto ack = h.send(reboot);
  REQUIRE(ack);
  CHECK(ack->messageType() == MessageType::kAck);
  CHECK(ack->yiaddr == a);
}

TEST_CASE("RELEASE frees the lease; a release by someone else is ignored") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 rogue = query(MessageType::kRelease, 2);
  rogue.ciaddr = a;
  h.send(rogue);
  CHECK(h.store->get(a));
  Pkt4 rel = query(MessageType::kRelease, 1);
  rel.ciaddr = a;
  CHECK_FALSE(h.send(rel));
  CHECK_FALSE(h.store->get(a));
  CHECK(h.stat("subnet[1].assigned-addresses") == 0);
  CHECK(h.stat("pkt4-release-received") == 2);
}

TEST_CASE("DECLINE holds the address for the probation period, away from other clients") {
  Harness h(R"("decline-probation-period": 600, )" + kBasic);
  IPv4Address a = dora(h, 1);
  Pkt4 dec = query(MessageType::kDecline, 1);
  auto b = a.toBytes();
  dec.setOption(dhcp::opt::kRequestedAddress, Bytes(b.begin(), b.end()));
  CHECK_FALSE(h.send(dec));
  auto lease = h.store->get(a);
  REQUIRE(lease);
  CHECK(lease->state == dhcpsrv::LeaseState::kDeclined);
  CHECK(lease->valid_lifetime == 600);
  CHECK(lease->hwaddr.empty());
  CHECK(h.stat("subnet[1].declined-addresses") == 1);
  CHECK(h.stat("declined-addresses") == 1);
  // Neither the decliner nor anyone else gets that address now.
  for (uint8_t mac : {1, 2, 3}) {
    auto offer = h.send(discover(mac));
    if (offer) CHECK(offer->yiaddr != a);
  }
}

TEST_CASE("INFORM is ACKed with options and no lease") {
  Harness h(kBasic);
  Pkt4 inf = query(MessageType::kInform, 5);
  inf.ciaddr = IPv4Address::fromString("192.0.2.77");
  auto ack = h.send(inf);
  REQUIRE(ack);
  CHECK(ack->messageType() == MessageType::kAck);
  CHECK(ack->yiaddr.isZero());
  CHECK_FALSE(ack->has(dhcp::opt::kLeaseTime));
  CHECK(*ack->option(dhcp::opt::kRouters) == ip("192.0.2.1"));
  CHECK(h.store->size() == 0);
  CHECK(replyDestination(inf, *ack, ReplyPorts{}).kind == Destination::Kind::kUnicastCiaddr);
}

TEST_CASE("a reservation wins over the pool and carries its hostname") {
  Harness h(kBasic);
  auto q = discover(0x99);
  q.setOption(dhcp::opt::kParameterRequestList, Bytes{1, 3, 12});
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.200"));
  REQUIRE(offer->option(dhcp::opt::kHostName));
  CHECK(std::string(offer->option(dhcp::opt::kHostName)->begin(), offer->option(dhcp::opt::kHostName)->end()) ==
        "reserved-host");
  // Nobody else is ever given the reserved address, even with a hint.
  auto other = discover(7);
  other.setOption(dhcp::opt::kRequestedAddress, ip("192.0.2.200"));
  auto o2 = h.send(other);
  REQUIRE(o2);
  CHECK(o2->yiaddr != IPv4Address::fromString("192.0.2.200"));
}

TEST_CASE("an exhausted pool gives no offer and counts the failure") {
  Harness h(kBasic);
  dora(h, 1);
  dora(h, 2);
  dora(h, 3);
  CHECK_FALSE(h.send(discover(4)));
  CHECK(h.stat("v4-allocation-fail") == 1);
  CHECK(h.stat("subnet[1].v4-allocation-fail-subnet") == 1);
  CHECK(h.stat("subnet[1].assigned-addresses") == 3);
}

TEST_CASE("client-id identifies the client unless match-client-id is false") {
  Harness h(kBasic);
  auto d = discover(1);
  d.setOption(dhcp::opt::kClientId, Bytes{1, 0xaa, 0xbb});
  auto offer = h.send(d);
  REQUIRE(offer);
  CHECK(*offer->option(dhcp::opt::kClientId) == Bytes{1, 0xaa, 0xbb});  // echoed
  auto r = requestSelecting(1, offer->yiaddr);
  r.setOption(dhcp::opt::kClientId, Bytes{1, 0xaa, 0xbb});
  REQUIRE(h.send(r));
  // Same client-id, different chaddr: still the same client.
  auto moved = discover(9);
  moved.setOption(dhcp::opt::kClientId, Bytes{1, 0xaa, 0xbb});
  CHECK(h.send(moved)->yiaddr == offer->yiaddr);
  // Same chaddr, different client-id: another client.
  auto other = discover(1);
  other.setOption(dhcp::opt::kClientId, Bytes{1, 0xcc});
  CHECK(h.send(other)->yiaddr != offer->yiaddr);

  Harness h2(R"("match-client-id": false, )" + kBasic);
  auto a = dora(h2, 1);
  auto byhw = discover(1);
  byhw.setOption(dhcp::opt::kClientId, Bytes{1, 0xcc});
  CHECK(h2.send(byhw)->yiaddr == a);
}

TEST_CASE("relayed traffic: subnet by relay address, option 82 echoed, reply to the relay") {
  Harness h(R"("subnet4": [
      { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] },
      { "id": 2, "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10 - 198.51.100.20" } ] },
      { "id": 3, "subnet": "203.0.113.0/24", "relay": { "ip-addresses": [ "10.0.0.1" ] },
        "pools": [ { "pool": "203.0.113.10 - 203.0.113.20" } ] } ])");
  auto q = discover(1);
  q.giaddr = IPv4Address::fromString("198.51.100.1");
  q.hops = 1;
  q.setOption(dhcp::opt::kRelayAgentInfo, Bytes{1, 3, 'c', 'i', 'd'});
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(Prefix4::fromString("198.51.100.0/24").contains(offer->yiaddr));
  CHECK(*offer->option(dhcp::opt::kRelayAgentInfo) == Bytes{1, 3, 'c', 'i', 'd'});
  CHECK(offer->giaddr == q.giaddr);
  auto dst = replyDestination(q, *offer, ReplyPorts{68, 67});
  CHECK(dst.kind == Destination::Kind::kRelay);
  CHECK(dst.address == q.giaddr);
  CHECK(dst.port == 67);
  CHECK(replyDestination(q, *offer, ReplyPorts{10068, 10068}).port == 10068);

  auto viaRelayList = discover(2);
  viaRelayList.giaddr = IPv4Address::fromString("10.0.0.1");
  auto o3 = h.send(viaRelayList);
  REQUIRE(o3);
  CHECK(Prefix4::fromString("203.0.113.0/24").contains(o3->yiaddr));

  auto unknownRelay = discover(3);
  unknownRelay.giaddr = IPv4Address::fromString("10.9.9.9");
  CHECK_FALSE(h.send(unknownRelay));
}

TEST_CASE("reply destination follows RFC 2131 4.1 for direct clients") {
  Pkt4 q = query(MessageType::kDiscover, 1);
  Pkt4 r;
  r.setMessageType(MessageType::kOffer);
  r.yiaddr = IPv4Address::fromString("192.0.2.10");
  CHECK(replyDestination(q, r, ReplyPorts{}).kind == Destination::Kind::kUnicastYiaddr);
  q.flags = Pkt4::kFlagBroadcast;
  CHECK(replyDestination(q, r, ReplyPorts{}).kind == Destination::Kind::kBroadcast);
  CHECK(replyDestination(q, r, ReplyPorts{}).address.isBroadcast());
}

TEST_CASE("lease time requests are clamped to min/max and tee times calculated") {
  Harness h(R"("valid-lifetime": 1000, "min-valid-lifetime": 500, "max-valid-lifetime": 2000,
              "calculate-tee-times": true,
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/31" } ] } ])");
  auto q = discover(1);
  q.setOption(dhcp::opt::kLeaseTime, Bytes{0, 0, 0x27, 0x10});  // 10000 s
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(u32(offer->option(dhcp::opt::kLeaseTime)) == 2000);
  CHECK(u32(offer->option(dhcp::opt::kRenewalTime)) == 1000);
  CHECK(u32(offer->option(dhcp::opt::kRebindingTime)) == 1750);
  auto odd = discover(4);
  odd.setOption(dhcp::opt::kLeaseTime, Bytes{0, 0, 0x04, 0x4b});  // 1099 s: halves truncate
  auto o4 = h.send(odd);
  REQUIRE(o4);
  CHECK(u32(o4->option(dhcp::opt::kRenewalTime)) == 549);
  CHECK(u32(o4->option(dhcp::opt::kRebindingTime)) == 961);
  auto q2 = discover(2);
  q2.setOption(dhcp::opt::kLeaseTime, Bytes{0, 0, 0, 10});
  CHECK(u32(h.send(q2)->option(dhcp::opt::kLeaseTime)) == 500);
  CHECK(u32(h.send(discover(3))->option(dhcp::opt::kLeaseTime)) == 1000);
}

TEST_CASE("expired leases are reclaimed and counted; the address is reused") {
  Harness h(R"("valid-lifetime": 1, "expired-leases-processing": { "hold-reclaimed-time": 0 },
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ] } ])");
  IPv4Address a = dora(h, 1);
  CHECK_FALSE(h.send(discover(2)));  // the only address is taken
  auto [n, more] = h.proc->reclaimExpired(*h.cfg, nowUnixSeconds() + 5);
  CHECK(n == 1);
  CHECK_FALSE(more);
  CHECK(h.stat("reclaimed-leases") == 1);
  CHECK(h.stat("subnet[1].assigned-addresses") == 0);
  CHECK_FALSE(h.store->get(a));
  CHECK(dora(h, 2) == a);
}

TEST_CASE("a shared network hands out addresses from its next subnet when one is full") {
  Harness h(R"("shared-networks": [ { "name": "net1",
      "option-data": [ { "name": "domain-name", "data": "shared.example" } ],
      "subnet4": [
        { "id": 10, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ] },
        { "id": 11, "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10/32" } ] } ] } ])");
  IPv4Address a = dora(h, 1);
  IPv4Address b = dora(h, 2);
  CHECK(a == IPv4Address::fromString("192.0.2.10"));
  CHECK(b == IPv4Address::fromString("198.51.100.10"));
  CHECK(h.stat("subnet[11].assigned-addresses") == 1);
  auto q = discover(2);
  auto offer = h.send(q);
  REQUIRE(offer);
  CHECK(offer->option(dhcp::opt::kDomainName));
  CHECK(*offer->option(dhcp::opt::kSubnetMask) == ip("255.255.255.0"));
}

TEST_CASE("packets without a message type or not BOOTREQUEST are dropped and counted") {
  Harness h(kBasic);
  Pkt4 bootp;
  bootp.op = 1;
  bootp.setHwAddr(HwAddr(1, Bytes{2, 0, 0, 0, 0, 1}));
  CHECK_FALSE(h.send(bootp));
  Pkt4 reply = query(MessageType::kOffer, 1);
  reply.op = 2;
  CHECK_FALSE(h.send(reply));
  CHECK(h.stat("pkt4-receive-drop") == 2);
  CHECK(h.stat("pkt4-received") == 2);
}

TEST_CASE("configured timers outside the lease are not sent") {
  Harness h(R"("valid-lifetime": 100, "renew-timer": 150, "rebind-timer": 200,
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ] } ])");
  auto offer = h.send(discover(1));
  REQUIRE(offer);
  CHECK_FALSE(offer->has(dhcp::opt::kRenewalTime));
  CHECK_FALSE(offer->has(dhcp::opt::kRebindingTime));
}

TEST_CASE("always-send and never-send hold across configuration levels") {
  Harness h(R"("option-data": [ { "name": "ntp-servers", "data": "192.0.2.123", "always-send": true },
                                { "name": "domain-name", "never-send": true } ],
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ],
                 "option-data": [ { "name": "ntp-servers", "data": "192.0.2.124" },
                                  { "name": "domain-name", "data": "sub.example" } ] } ])");
  auto offer = h.send(discover(1));  // no parameter request list at all
  REQUIRE(offer);
  CHECK(*offer->option(42) == ip("192.0.2.124"));  // subnet data, global always-send
  CHECK_FALSE(offer->has(dhcp::opt::kDomainName));  // global never-send wins
}

TEST_CASE("a reservation in another subnet of the shared network is honoured") {
  Harness h(R"("shared-networks": [ { "name": "net1", "subnet4": [
        { "id": 10, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] },
        { "id": 11, "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10/32" } ],
          "reservations": [ { "hw-address": "02:00:00:00:00:05", "ip-address": "198.51.100.50" } ] } ] } ])");
  auto offer = h.send(discover(5));
  REQUIRE(offer);
  CHECK(offer->yiaddr == IPv4Address::fromString("198.51.100.50"));
  CHECK(*offer->option(dhcp::opt::kSubnetMask) == ip("255.255.255.0"));
}

TEST_CASE("with in-subnet reservations off, a reserved address is an ordinary pool address") {
  Harness h(R"("reservations-in-subnet": false,
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/32" } ],
                 "reservations": [ { "hw-address": "02:00:00:00:00:99", "ip-address": "192.0.2.10" } ] } ])");
  auto offer = h.send(discover(1));
  REQUIRE(offer);
  CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
}

TEST_CASE("a client moving to a new address keeps the counts right") {
  Harness h(kBasic);
  IPv4Address a = dora(h, 1);
  // The client asks for another free address in SELECTING state: it moves, the old lease goes.
  auto r = requestSelecting(1, IPv4Address::fromString("192.0.2.12"));
  auto ack = h.send(r);
  REQUIRE(ack);
  CHECK(ack->yiaddr == IPv4Address::fromString("192.0.2.12"));
  CHECK_FALSE(h.store->get(a));
  CHECK(h.stat("subnet[1].assigned-addresses") == 1);
}

TEST_CASE("the random allocator hands out distinct pool addresses until the pool is exhausted") {
  Harness h(R"("allocator": "random",
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.29" } ] } ])");
  std::set<uint32_t> seen;
  std::vector<uint32_t> order;
  for (uint8_t mac = 1; mac <= 20; ++mac) {
    IPv4Address a = dora(h, mac);
    CHECK(h.cfg->subnets[0].inPool(a));
    seen.insert(a.toUint());
    order.push_back(a.toUint());
  }
  CHECK(seen.size() == 20);
  CHECK_FALSE(std::is_sorted(order.begin(), order.end()));  // 1 in 20! chance of a false failure
  CHECK_FALSE(h.send(discover(21)));
}

TEST_CASE("timers Kea would not send are left out: zero, not below the lifetime, T1 not below T2") {
  Harness h(R"("valid-lifetime": 3600, "calculate-tee-times": true, "rebind-timer": 100,
              "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10/31" } ] },
                           { "id": 2, "subnet": "198.51.100.0/24", "renew-timer": 0, "t2-percent": 1.0,
                             "t1-percent": 0.5, "rebind-timer": 4000,
                             "pools": [ { "pool": "198.51.100.10/31" } ] } ])");
  auto offer = h.send(discover(1));
  REQUIRE(offer);
  CHECK(u32(offer->option(dhcp::opt::kRebindingTime)) == 100);
  CHECK_FALSE(offer->has(dhcp::opt::kRenewalTime));  // computed 1800 is not below T2 = 100
  auto q = discover(2);
  q.giaddr = IPv4Address::fromString("198.51.100.1");
  auto o2 = h.send(q);
  REQUIRE(o2);
  CHECK_FALSE(o2->has(dhcp::opt::kRenewalTime));    // renew-timer 0
  CHECK_FALSE(o2->has(dhcp::opt::kRebindingTime));  // rebind-timer 4000 >= lifetime
}

TEST_CASE("statistics of a subnet removed by reconfiguration disappear, also with a new processor") {
  Harness h(kBasic);
  dora(h, 1);
  CHECK(h.stats.exists("subnet[1].assigned-addresses"));
  // A fresh processor (as after a lease-file change) configured without subnet 1.
  Processor fresh(*h.store, h.stats);
  auto cfg = configFrom(R"("subnet4": [ { "id": 2, "subnet": "198.51.100.0/24" } ])");
  fresh.configure(*cfg);
  CHECK_FALSE(h.stats.exists("subnet[1].assigned-addresses"));
  CHECK_FALSE(h.stats.exists("subnet[1].total-addresses"));
  CHECK(h.stats.exists("subnet[2].total-addresses"));
}

TEST_CASE("pools with a client-class serve only packets of that class (HA's HA_server1/HA_server2 split)") {
  Harness h(R"("subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [
      {"pool": "192.0.2.10 - 192.0.2.19", "client-class": "HA_server1"},
      {"pool": "192.0.2.20 - 192.0.2.29", "client-class": "HA_server2"}]}])");
  auto q1 = discover(1);
  q1.meta.addClass("HA_server2");
  auto offer = h.send(q1);
  REQUIRE(offer);
  CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.20"));
  auto q2 = discover(2);
  q2.meta.addClass("HA_server1");
  offer = h.send(q2);
  REQUIRE(offer);
  CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
  // A packet in neither class finds no pool open to it.
  CHECK_FALSE(h.send(discover(3)));
  // A requested address in the other class's pool is not given: the client gets one of its own.
  auto req = requestSelecting(4, IPv4Address::fromString("192.0.2.25"));
  req.meta.addClass("HA_server1");
  auto reply = h.send(req);
  if (reply && reply->messageType() == MessageType::kAck) CHECK(reply->yiaddr != IPv4Address::fromString("192.0.2.25"));
  CHECK_FALSE(h.store->get(IPv4Address::fromString("192.0.2.25")));
}
