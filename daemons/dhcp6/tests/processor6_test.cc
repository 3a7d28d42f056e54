// Processor6 on packets built in code: each message type (RFC 8415 §18.3), the identifiers each
// must and must not carry, rapid commit, relayed queries answered through the relay chain,
// options, status codes and the statistics Kea keeps.

#include "processor6.h"

#include <catch2/catch.hpp>

#include "quiet_logs.h"
#include "takahe/cc/value.h"
#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

using namespace takahe;
using namespace takahe::dhcp;
using namespace takahe::dhcp6;
using dhcpsrv::Lease6Type;
using dhcpsrv::kInfiniteLifetime;

namespace {

constexpr const char* kConfig = R"({ "Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" },
                   { "name": "domain-search", "data": "example.org" } ],
  "subnet6": [
    { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "rapid-commit": true,
      "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::11" } ],
      "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 55, "delegated-len": 56,
                      "excluded-prefix": "2001:db8:8000:ff::", "excluded-prefix-len": 64 } ],
      "option-data": [ { "name": "sntp-servers", "data": "2001:db8::123" } ] },
    { "id": 2, "subnet": "2001:db8:2::/64",
      "renew-timer": 100, "rebind-timer": 200,
      "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::20" } ] } ] } })";

constexpr int64_t kNow = 1800000000;
const Duid kServer = makeDuidEn(2495, Bytes{1, 2, 3, 4});
const Duid kClientA = makeDuidLl(1, Bytes{0x02, 0, 0, 0, 0, 0x0a});
const Duid kClientB = makeDuidLl(1, Bytes{0x02, 0, 0, 0, 0, 0x0b});

struct Harness {
  std::unique_ptr<dhcpsrv::MemfileLeaseStore6> store;
  stats::StatsStore stats;
  std::unique_ptr<Processor6> proc;
  dhcpsrv::SrvConfig6Ptr cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(kConfig, "p6.json"));
  Arrival6 arrival{"eth0", true, false};

  Harness() {
    testing::quietLogs();
    dhcpsrv::MemfileConfig mc;
    mc.persist = false;
    store = std::make_unique<dhcpsrv::MemfileLeaseStore6>(mc);
    proc = std::make_unique<Processor6>(*store, stats);
    proc->setServerDuid(kServer);
    proc->configure(*cfg);
  }
  std::optional<Pkt6> send(const Pkt6& q, int64_t now = kNow) { return proc->process(q, *cfg, arrival, now); }
  int64_t stat(const std::string& name) const { return stats.value(name); }
};

Pkt6 query(MessageType6 type, const Duid& client, uint32_t xid = 0x102030) {
  Pkt6 p;
  p.msg_type = type;
  p.transid = xid;
  p.setClientId(client);
  p.meta.iface = "eth0";
  p.meta.remote_addr = IPv6Address::fromString("fe80::a");
  return p;
}

IaNa iaNa(uint32_t iaid, std::optional<std::string> addr = std::nullopt) {
  IaNa ia;
  ia.iaid = iaid;
  if (addr) ia.addresses.push_back({IPv6Address::fromString(*addr), 0, 0, std::nullopt, {}});
  return ia;
}

IaPd iaPd(uint32_t iaid, std::optional<std::string> prefix = std::nullopt) {
  IaPd ia;
  ia.iaid = iaid;
  if (prefix) {
    IaPrefix p;
    p.prefix = Prefix6::fromString(*prefix);
    ia.prefixes.push_back(p);
  }
  return ia;
}

/// The one address of the reply's IA_NA (or "" with its status).
std::string addressOf(const Pkt6& r) {
  auto ias = r.iaNas();
  REQUIRE(ias.size() == 1);
  if (ias[0].addresses.empty()) return "";
  return ias[0].addresses[0].address.toString();
}

}  // namespace

TEST_CASE("SOLICIT -> ADVERTISE (nothing stored), REQUEST -> REPLY with the same lease stored") {
  Harness h;
  Pkt6 sol = query(MessageType6::kSolicit, kClientA);
  sol.addIaNa(iaNa(1));
  sol.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers, opt6::kDomainSearch, opt6::kSntpServers}));
  auto adv = h.send(sol);
  REQUIRE(adv);
  CHECK(adv->msg_type == MessageType6::kAdvertise);
  CHECK(adv->transid == sol.transid);
  CHECK(adv->clientId() == kClientA);
  CHECK(adv->serverId() == kServer);
  CHECK(addressOf(*adv) == "2001:db8:1::10");
  CHECK(adv->iaNas()[0].addresses[0].valid_lft == 4000);
  CHECK(adv->iaNas()[0].addresses[0].preferred_lft == 3000);
  // calculate-tee-times: 0.5 and 0.8 of the preferred lifetime.
  CHECK(adv->iaNas()[0].t1 == 1500);
  CHECK(adv->iaNas()[0].t2 == 2400);
  REQUIRE(adv->option(opt6::kDnsServers));
  auto dns = decodeAddressList(*adv->option(opt6::kDnsServers));
  REQUIRE(dns);
  CHECK(*dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::53")});
  CHECK(adv->option(opt6::kDomainSearch));
  CHECK(adv->option(opt6::kSntpServers));  // subnet level
  CHECK(h.store->size() == 0);
  CHECK(h.stat("pkt6-solicit-received") == 1);

  Pkt6 req = query(MessageType6::kRequest, kClientA, 0x405060);
  req.setServerId(kServer);
  req.addIaNa(iaNa(1, "2001:db8:1::10"));
  auto rep = h.send(req);
  REQUIRE(rep);
  CHECK(rep->msg_type == MessageType6::kReply);
  CHECK(addressOf(*rep) == "2001:db8:1::10");
  auto l = h.store->get(Lease6Type::kNa, IPv6Address::fromString("2001:db8:1::10"));
  REQUIRE(l);
  CHECK(l->duid == kClientA);
  CHECK(l->iaid == 1);
  CHECK(l->cltt == kNow);
  // The DUID-LL gives the lease its hardware address.
  CHECK(l->hwaddr.bytes == Bytes{0x02, 0, 0, 0, 0, 0x0a});
  CHECK(h.stat("subnet[1].assigned-nas") == 1);
  CHECK(h.stat("subnet[1].cumulative-assigned-nas") == 1);
  CHECK(h.stat("cumulative-assigned-nas") == 1);
  CHECK(h.stat("subnet[1].total-nas") == 2);
  CHECK(h.stat("subnet[1].total-pds") == 2);
}

TEST_CASE("Rapid commit: a SOLICIT with rapid-commit gets a REPLY and the lease is stored") {
  Harness h;
  Pkt6 sol = query(MessageType6::kSolicit, kClientA);
  sol.addIaNa(iaNa(1));
  sol.addOption(opt6::kRapidCommit, {});
  auto rep = h.send(sol);
  REQUIRE(rep);
  CHECK(rep->msg_type == MessageType6::kReply);
  CHECK(rep->rapidCommit());
  CHECK(h.store->size() == 1);

  // Subnet 2 does not allow it: an ADVERTISE.
  Pkt6 other = query(MessageType6::kSolicit, kClientB);
  other.meta.iface = "eth1";
  other.meta.remote_addr = IPv6Address::fromString("2001:db8:2::99");
  other.addIaNa(iaNa(1));
  other.addOption(opt6::kRapidCommit, {});
  auto adv = h.send(other);
  REQUIRE(adv);
  CHECK(adv->msg_type == MessageType6::kAdvertise);
  CHECK_FALSE(adv->rapidCommit());
  CHECK(addressOf(*adv) == "2001:db8:2::10");
  // renew-timer / rebind-timer configured: those T1 and T2.
  CHECK(adv->iaNas()[0].t1 == 100);
  CHECK(adv->iaNas()[0].t2 == 200);
}

TEST_CASE("Prefix delegation with PD_EXCLUDE, and NoPrefixAvail when the pool is used up") {
  Harness h;
  auto request = [&](const Duid& d) {
    Pkt6 q = query(MessageType6::kSolicit, d);
    q.addIaPd(iaPd(9));
    q.addOption(opt6::kRapidCommit, {});
    return h.send(q);
  };
  auto r = request(kClientA);
  REQUIRE(r);
  auto pds = r->iaPds();
  REQUIRE(pds.size() == 1);
  REQUIRE(pds[0].prefixes.size() == 1);
  CHECK(pds[0].prefixes[0].prefix.toString() == "2001:db8:8000::/56");
  REQUIRE(pds[0].prefixes[0].excluded);
  CHECK(pds[0].prefixes[0].excluded->toString() == "2001:db8:8000:ff::/64");
  CHECK(h.stat("subnet[1].assigned-pds") == 1);
  CHECK(h.stat("cumulative-assigned-pds") == 1);
  REQUIRE(request(kClientB));
  auto none = request(makeDuidLl(1, Bytes{2, 0, 0, 0, 0, 0x0c}));
  REQUIRE(none);
  REQUIRE(none->iaPds().size() == 1);
  REQUIRE(none->iaPds()[0].status);
  CHECK(none->iaPds()[0].status->is(StatusCode6::kNoPrefixAvail));
  CHECK(none->iaPds()[0].prefixes.empty());
  CHECK(h.stat("v6-allocation-fail") == 1);
}

TEST_CASE("NoAddrsAvail in the IA when the pool is used up; several IAs in one message") {
  Harness h;
  Pkt6 two = query(MessageType6::kSolicit, kClientA);
  two.addIaNa(iaNa(1));
  two.addIaNa(iaNa(2));
  two.addIaPd(iaPd(3));
  two.addOption(opt6::kRapidCommit, {});
  auto r = h.send(two);
  REQUIRE(r);
  REQUIRE(r->iaNas().size() == 2);
  CHECK(r->iaNas()[0].addresses.at(0).address != r->iaNas()[1].addresses.at(0).address);
  CHECK(r->iaPds().size() == 1);
  Pkt6 third = query(MessageType6::kSolicit, kClientB);
  third.addIaNa(iaNa(1));
  auto none = h.send(third);
  REQUIRE(none);
  REQUIRE(none->iaNas().size() == 1);
  REQUIRE(none->iaNas()[0].status);
  CHECK(none->iaNas()[0].status->is(StatusCode6::kNoAddrsAvail));
}

TEST_CASE("RENEW and REBIND extend the lease; an address the client no longer has gets 0") {
  Harness h;
  Pkt6 sol = query(MessageType6::kSolicit, kClientA);
  sol.addIaNa(iaNa(1));
  sol.addOption(opt6::kRapidCommit, {});
  REQUIRE(h.send(sol));
  for (MessageType6 t : {MessageType6::kRenew, MessageType6::kRebind}) {
    Pkt6 q = query(t, kClientA, 0x777);
    if (t == MessageType6::kRenew) q.setServerId(kServer);
    // The client also lists an address that is not its own.
    IaNa ia = iaNa(1, "2001:db8:1::10");
    ia.addresses.push_back({IPv6Address::fromString("2001:db8:1::99"), 0, 0, std::nullopt, {}});
    q.addIaNa(ia);
    auto r = h.send(q, kNow + 1000);
    REQUIRE(r);
    CHECK(r->msg_type == MessageType6::kReply);
    auto ias = r->iaNas();
    REQUIRE(ias.size() == 1);
    REQUIRE(ias[0].addresses.size() == 2);
    CHECK(ias[0].addresses[0].address.toString() == "2001:db8:1::10");
    CHECK(ias[0].addresses[0].valid_lft == 4000);
    CHECK(ias[0].addresses[1].address.toString() == "2001:db8:1::99");
    CHECK(ias[0].addresses[1].valid_lft == 0);
    CHECK(ias[0].addresses[1].preferred_lft == 0);
    CHECK(h.store->get(Lease6Type::kNa, IPv6Address::fromString("2001:db8:1::10"))->cltt == kNow + 1000);
  }
  CHECK(h.stat("subnet[1].assigned-nas") == 1);
  CHECK(h.stat("subnet[1].cumulative-assigned-nas") == 1);  // renewals are not new leases
}

TEST_CASE("RELEASE removes the client's lease; another client's gets NoBinding") {
  Harness h;
  Pkt6 sol = query(MessageType6::kSolicit, kClientA);
  sol.addIaNa(iaNa(1));
  sol.addIaPd(iaPd(2));
  sol.addOption(opt6::kRapidCommit, {});
  REQUIRE(h.send(sol));
  REQUIRE(h.store->size() == 2);

  Pkt6 thief = query(MessageType6::kRelease, kClientB);
  thief.setServerId(kServer);
  thief.addIaNa(iaNa(1, "2001:db8:1::10"));
  auto no = h.send(thief);
  REQUIRE(no);
  REQUIRE(no->status());
  CHECK(no->status()->is(StatusCode6::kSuccess));
  REQUIRE(no->iaNas().size() == 1);
  CHECK(no->iaNas()[0].status->is(StatusCode6::kNoBinding));
  CHECK(h.store->size() == 2);

  Pkt6 rel = query(MessageType6::kRelease, kClientA);
  rel.setServerId(kServer);
  rel.addIaNa(iaNa(1, "2001:db8:1::10"));
  rel.addIaPd(iaPd(2, "2001:db8:8000::/56"));
  auto ok = h.send(rel);
  REQUIRE(ok);
  CHECK(ok->status()->is(StatusCode6::kSuccess));
  CHECK(ok->iaNas().empty());
  CHECK(ok->iaPds().empty());
  CHECK(h.store->size() == 0);
  CHECK(h.stat("subnet[1].assigned-nas") == 0);
  CHECK(h.stat("subnet[1].assigned-pds") == 0);
}

TEST_CASE("DECLINE sets the address aside for the probation period and counts it") {
  Harness h;
  Pkt6 sol = query(MessageType6::kSolicit, kClientA);
  sol.addIaNa(iaNa(1));
  sol.addOption(opt6::kRapidCommit, {});
  REQUIRE(h.send(sol));
  Pkt6 dec = query(MessageType6::kDecline, kClientA);
  dec.setServerId(kServer);
  dec.addIaNa(iaNa(1, "2001:db8:1::10"));
  auto r = h.send(dec, kNow + 5);
  REQUIRE(r);
  CHECK(r->status()->is(StatusCode6::kSuccess));
  auto l = h.store->get(Lease6Type::kNa, IPv6Address::fromString("2001:db8:1::10"));
  REQUIRE(l);
  CHECK(l->state == dhcpsrv::LeaseState::kDeclined);
  CHECK(l->valid_lifetime == 86400);
  CHECK(l->cltt == kNow + 5);
  CHECK(h.stat("declined-addresses") == 1);
  CHECK(h.stat("subnet[1].declined-addresses") == 1);
  CHECK(h.stat("subnet[1].assigned-nas") == 1);  // declined counts as assigned, as in Kea
}

TEST_CASE("CONFIRM: Success on-link, NotOnLink elsewhere, silence without addresses") {
  Harness h;
  Pkt6 good = query(MessageType6::kConfirm, kClientA);
  good.addIaNa(iaNa(1, "2001:db8:1::abcd"));
  auto r = h.send(good);
  REQUIRE(r);
  CHECK(r->status()->is(StatusCode6::kSuccess));
  Pkt6 bad = query(MessageType6::kConfirm, kClientA);
  bad.addIaNa(iaNa(1, "2001:db8:2::10"));
  auto n = h.send(bad);
  REQUIRE(n);
  CHECK(n->status()->is(StatusCode6::kNotOnLink));
  Pkt6 empty = query(MessageType6::kConfirm, kClientA);
  empty.addIaNa(iaNa(1));
  CHECK_FALSE(h.send(empty));
}

TEST_CASE("INFORMATION-REQUEST gets the options, with or without a client identifier") {
  Harness h;
  Pkt6 q = query(MessageType6::kInformationRequest, kClientA);
  q.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers}));
  auto r = h.send(q);
  REQUIRE(r);
  CHECK(r->msg_type == MessageType6::kReply);
  CHECK(r->option(opt6::kDnsServers));
  CHECK_FALSE(r->option(opt6::kDomainSearch));  // not asked for, not always-send
  Pkt6 anon;
  anon.msg_type = MessageType6::kInformationRequest;
  anon.transid = 5;
  anon.meta.iface = "eth0";
  anon.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers}));
  auto r2 = h.send(anon);
  REQUIRE(r2);
  CHECK_FALSE(r2->clientId());
  CHECK(r2->serverId() == kServer);
}

TEST_CASE("Identifiers: each message type drops what RFC 8415 section 16 forbids") {
  Harness h;
  Pkt6 no_client;
  no_client.msg_type = MessageType6::kSolicit;
  no_client.addIaNa(iaNa(1));
  CHECK_FALSE(h.send(no_client));
  Pkt6 sol_with_server = query(MessageType6::kSolicit, kClientA);
  sol_with_server.setServerId(kServer);
  CHECK_FALSE(h.send(sol_with_server));
  Pkt6 req_without_server = query(MessageType6::kRequest, kClientA);
  req_without_server.addIaNa(iaNa(1));
  CHECK_FALSE(h.send(req_without_server));
  Pkt6 req_other_server = query(MessageType6::kRequest, kClientA);
  req_other_server.setServerId(makeDuidEn(9, Bytes{9}));
  req_other_server.addIaNa(iaNa(1));
  CHECK_FALSE(h.send(req_other_server));
  Pkt6 advertise = query(MessageType6::kAdvertise, kClientA);
  CHECK_FALSE(h.send(advertise));
  CHECK(h.stat("pkt6-unknown-received") == 1);
  CHECK(h.stat("pkt6-receive-drop") == 4);  // the four identifier violations, as Kea counts them
  CHECK(h.store->size() == 0);
  CHECK(h.stat("pkt6-received") == 5);
}

TEST_CASE("A direct unicast REQUEST without unicast configured gets UseMulticast") {
  Harness h;
  h.arrival.multicast = false;
  Pkt6 req = query(MessageType6::kRequest, kClientA);
  req.setServerId(kServer);
  req.addIaNa(iaNa(1, "2001:db8:1::10"));
  auto r = h.send(req);
  REQUIRE(r);
  REQUIRE(r->status());
  CHECK(r->status()->is(StatusCode6::kUseMulticast));
  CHECK(r->iaNas().empty());
  CHECK(h.store->size() == 0);
  h.arrival.unicast_allowed = true;
  auto ok = h.send(req);
  REQUIRE(ok);
  CHECK(addressOf(*ok) == "2001:db8:1::10");
}

TEST_CASE("A relayed SOLICIT is answered through the relay, in the subnet of its link-address") {
  Harness h;
  Pkt6 inner = query(MessageType6::kSolicit, kClientA);
  inner.addIaNa(iaNa(1));
  dhcp::RelayInfo relay;
  relay.msg_type = MessageType6::kRelayForw;
  relay.hop_count = 0;
  relay.link_address = IPv6Address::fromString("2001:db8:2::1");
  relay.peer_address = IPv6Address::fromString("fe80::a");
  relay.options.push_back({opt6::kInterfaceId, Bytes{'p', '7'}});
  inner.relays.push_back(relay);
  auto r = h.send(inner);
  REQUIRE(r);
  CHECK(addressOf(*r) == "2001:db8:2::10");
  REQUIRE(r->relays.size() == 1);
  CHECK(r->relays[0].msg_type == MessageType6::kRelayRepl);
  CHECK(r->relays[0].interfaceId() == Bytes{'p', '7'});
  // The wire form wraps the ADVERTISE in a RELAY-REPL.
  Bytes wire = r->serialize();
  REQUIRE_FALSE(wire.empty());
  CHECK(wire[0] == static_cast<uint8_t>(MessageType6::kRelayRepl));
}

TEST_CASE("teeTimes: configured timers, percentages of the preferred lifetime, or none") {
  auto cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(R"({ "Dhcp6": { "subnet6": [
    { "id": 1, "subnet": "2001:db8:1::/64", "renew-timer": 400, "rebind-timer": 500 },
    { "id": 2, "subnet": "2001:db8:2::/64", "calculate-tee-times": false },
    { "id": 3, "subnet": "2001:db8:3::/64", "t1-percent": 0.25, "t2-percent": 0.5 } ] } })",
                                                            "t.json"));
  using Tee = std::pair<uint32_t, uint32_t>;
  CHECK(Processor6::teeTimes(*cfg->subnetById(SubnetId(1)), 3000) == Tee{400, 500});
  CHECK(Processor6::teeTimes(*cfg->subnetById(SubnetId(2)), 3000) == Tee{0, 0});
  CHECK(Processor6::teeTimes(*cfg->subnetById(SubnetId(3)), 3000) == Tee{750, 1500});
  CHECK(Processor6::teeTimes(*cfg->subnetById(SubnetId(3)), kInfiniteLifetime) ==
        Tee{kInfiniteLifetime, kInfiniteLifetime});
}

TEST_CASE("A reservation gives its address, prefix and options; a shared network fills over") {
  auto cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(R"({ "Dhcp6": {
    "shared-networks": [ { "name": "lan", "interface": "eth0", "subnet6": [
      { "id": 10, "subnet": "2001:db8:a::/64",
        "pools": [ { "pool": "2001:db8:a::10 - 2001:db8:a::10" } ],
        "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:0b",
                            "ip-addresses": [ "2001:db8:a::99" ],
                            "prefixes": [ "2001:db8:7700::/56" ],
                            "hostname": "reserved.example.",
                            "option-data": [ { "name": "dns-servers", "data": "2001:db8::99" } ] } ] },
      { "id": 11, "subnet": "2001:db8:b::/64",
        "pools": [ { "pool": "2001:db8:b::10 - 2001:db8:b::10" } ] } ] } ],
    "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] } })", "sn.json"));
  Harness h;
  h.cfg = cfg;
  h.proc->configure(*cfg);
  auto ask = [&](const Duid& d, bool pd = false) {
    Pkt6 q = query(MessageType6::kSolicit, d);
    q.addIaNa(iaNa(1));
    if (pd) q.addIaPd(iaPd(2));
    q.addOption(opt6::kRapidCommit, {});
    q.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers}));
    return h.send(q);
  };
  // The reserved client: its address (outside the pool), its prefix, its own DNS option.
  auto r = ask(kClientB, true);
  REQUIRE(r);
  CHECK(r->msg_type == MessageType6::kAdvertise);  // rapid-commit is off in these subnets
  CHECK(addressOf(*r) == "2001:db8:a::99");
  REQUIRE(r->iaPds().size() == 1);
  REQUIRE(r->iaPds()[0].prefixes.size() == 1);
  CHECK(r->iaPds()[0].prefixes[0].prefix.toString() == "2001:db8:7700::/56");
  auto dns = decodeAddressList(*r->option(opt6::kDnsServers));
  REQUIRE(dns);
  CHECK(*dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::99")});

  // Others: subnet 10's single address, then subnet 11's, with the global DNS option.
  Pkt6 req = query(MessageType6::kRequest, kClientA);
  req.setServerId(kServer);
  req.addIaNa(iaNa(1));
  auto a = h.send(req);
  REQUIRE(a);
  CHECK(addressOf(*a) == "2001:db8:a::10");
  Pkt6 req_c = query(MessageType6::kRequest, makeDuidLl(1, Bytes{2, 0, 0, 0, 0, 0x0c}));
  req_c.setServerId(kServer);
  req_c.addIaNa(iaNa(1));
  req_c.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers}));
  auto c = h.send(req_c);
  REQUIRE(c);
  CHECK(addressOf(*c) == "2001:db8:b::10");
  auto global_dns = decodeAddressList(*c->option(opt6::kDnsServers));
  REQUIRE(global_dns);
  CHECK(*global_dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::53")});
  // Both pools are now taken (an ADVERTISE reserves nothing, a REPLY does), and nobody else
  // gets the reserved address.
  auto d = ask(makeDuidLl(1, Bytes{2, 0, 0, 0, 0, 0x0d}));
  REQUIRE(d);
  REQUIRE(d->iaNas()[0].status);
  CHECK(d->iaNas()[0].status->is(StatusCode6::kNoAddrsAvail));
}

TEST_CASE("Reservations follow host-reservation-identifiers' order; a shared network's other "
          "subnet may hold the reservation") {
  // kClientA's DUID-LL carries the hardware address 02:00:00:00:00:0a: one reservation matches
  // it by DUID, another by hardware address, each with its own address.
  auto config = [](const std::string& order) {
    return dhcpsrv::parseDhcp6Config(cc::parseConfigText(R"({ "Dhcp6": {
      "host-reservation-identifiers": )" + order + R"(,
      "shared-networks": [ { "name": "lan", "interface": "eth0", "subnet6": [
        { "id": 10, "subnet": "2001:db8:a::/64",
          "pools": [ { "pool": "2001:db8:a::10 - 2001:db8:a::20" } ] },
        { "id": 11, "subnet": "2001:db8:b::/64",
          "pools": [ { "pool": "2001:db8:b::10 - 2001:db8:b::20" } ],
          "reservations": [
            { "duid": "00:03:00:01:02:00:00:00:00:0a", "ip-addresses": [ "2001:db8:b::d1" ] },
            { "hw-address": "02:00:00:00:00:0a", "ip-addresses": [ "2001:db8:b::a1" ] } ] } ] } ] } })",
                                                           "ids.json"));
  };
  auto solicit = [](Harness& h) {
    Pkt6 q = query(MessageType6::kSolicit, kClientA);
    q.addIaNa(iaNa(1));
    auto r = h.send(q);
    REQUIRE(r);
    return addressOf(*r);
  };
  Harness h;
  h.cfg = config(R"([ "hw-address", "duid" ])");
  h.proc->configure(*h.cfg);
  // Subnet 10 is selected first (the interface), but the reservation lives in subnet 11.
  CHECK(solicit(h) == "2001:db8:b::a1");
  h.cfg = config(R"([ "duid", "hw-address" ])");
  h.proc->configure(*h.cfg);
  CHECK(solicit(h) == "2001:db8:b::d1");
  h.cfg = config(R"([ "flex-id" ])");
  h.proc->configure(*h.cfg);
  CHECK(solicit(h) == "2001:db8:a::10");  // no identifier that matches: the pool of subnet 10
}

TEST_CASE("Relay-supplied options (RFC 6422): the allowed ones are copied, the server's own win") {
  auto solicitVia = [](Harness& h) {
    Pkt6 inner = query(MessageType6::kSolicit, kClientA);
    inner.addIaNa(iaNa(1));
    inner.addOption(opt6::kOro, encodeOptionCodes(std::vector<uint16_t>{opt6::kDnsServers}));
    dhcp::RelayInfo relay;
    relay.link_address = IPv6Address::fromString("2001:db8:2::1");
    relay.peer_address = IPv6Address::fromString("fe80::a");
    Bytes rsoo;
    REQUIRE(dhcp::appendOption6(65, Bytes{'e', 'r', 'p'}, rsoo));
    REQUIRE(dhcp::appendOption6(110, Bytes{1, 2}, rsoo));
    REQUIRE(dhcp::appendOption6(opt6::kDnsServers, IPv6Address::fromString("2001:db8::66").bytes(), rsoo));
    relay.options.push_back({opt6::kRsoo, rsoo});
    inner.relays.push_back(relay);
    auto r = h.send(inner);
    REQUIRE(r);
    return *r;
  };
  Harness h;  // relay-supplied-options not configured: only 65 (erp-local-domain-name)
  Pkt6 r = solicitVia(h);
  REQUIRE(r.option(65));
  CHECK(*r.option(65) == Bytes{'e', 'r', 'p'});
  CHECK_FALSE(r.option(110));
  auto dns = decodeAddressList(*r.option(opt6::kDnsServers));
  REQUIRE(dns);
  CHECK(*dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::53")});  // the server's

  h.cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(R"({ "Dhcp6": {
    "relay-supplied-options": [ "110", "23" ],
    "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64",
                   "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::20" } ] } ] } })", "rsoo.json"));
  h.proc->configure(*h.cfg);
  r = solicitVia(h);
  CHECK(r.option(65));
  REQUIRE(r.option(110));
  CHECK(*r.option(110) == Bytes{1, 2});
  // No dns-servers configured now: the relay's is allowed and used.
  dns = decodeAddressList(*r.option(opt6::kDnsServers));
  REQUIRE(dns);
  CHECK(*dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::66")});

  // Allowed, but the server has its own dns-servers: the server's wins.
  h.cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(R"({ "Dhcp6": {
    "relay-supplied-options": [ "23" ],
    "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
    "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64",
                   "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::20" } ] } ] } })", "rsoo2.json"));
  h.proc->configure(*h.cfg);
  r = solicitVia(h);
  dns = decodeAddressList(*r.option(opt6::kDnsServers));
  REQUIRE(dns);
  CHECK(*dns == std::vector<IPv6Address>{IPv6Address::fromString("2001:db8::53")});
  CHECK_FALSE(r.option(110));
}
