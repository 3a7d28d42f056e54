// The DHCPv4 processor's hook points, driven through the real loader with libtest_hooks.so
// (hooks-libs/test_hooks): the arguments each point passes, and what each next step does.
// The server-side points (buffer4_*, leases4_committed, pkt4_send) are covered by
// test/system/hooks.sh; here we check what the processor hands to leases4_committed.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/util/time.h"
#include "test_helpers.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::dhcp4;
using namespace takahe::dhcp4::test;
using dhcp::MessageType;
using dhcp::Pkt4;
using dhcpsrv::LeaseState;

namespace {

const std::string kTwoSubnets = R"(
  "valid-lifetime": 4000,
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                 "pools": [ { "pool": "192.0.2.10 - 192.0.2.12" } ],
                 "reservations": [ { "flex-id": "'abc'", "ip-address": "192.0.2.200" } ] },
               { "id": 2, "subnet": "198.51.100.0/24",
                 "pools": [ { "pool": "198.51.100.10 - 198.51.100.12" } ] } ]
)";

Bytes addrBytes(const IPv4Address& a) {
  auto b = a.toBytes();
  return Bytes(b.begin(), b.end());
}

Pkt4 discover(uint8_t mac, uint32_t xid = 0x1234) {
  return query(MessageType::kDiscover, mac, xid);
}

Pkt4 requestSelecting(uint8_t mac, const IPv4Address& addr, uint32_t xid = 0x1235) {
  Pkt4 r = query(MessageType::kRequest, mac, xid);
  r.setOption(dhcp::opt::kServerId, ip("192.0.2.1"));
  r.setOption(dhcp::opt::kRequestedAddress, addrBytes(addr));
  return r;
}

Pkt4 requestRenewing(uint8_t mac, const IPv4Address& addr, uint32_t xid = 0x1236) {
  Pkt4 r = query(MessageType::kRequest, mac, xid);
  r.ciaddr = addr;
  return r;
}

Pkt4 release(uint8_t mac, const IPv4Address& addr, uint32_t xid = 0x1237) {
  Pkt4 r = query(MessageType::kRelease, mac, xid);
  r.ciaddr = addr;
  return r;
}

Pkt4 decline(uint8_t mac, const IPv4Address& addr, uint32_t xid = 0x1238) {
  Pkt4 r = query(MessageType::kDecline, mac, xid);
  r.setOption(dhcp::opt::kRequestedAddress, addrBytes(addr));
  return r;
}

/// A Harness whose processor calls the hook points of a Hooks4 into which libtest_hooks.so is
/// loaded with the parameters a test gives; every packet goes through run() with its own
/// PacketHooks, as in the server's hook path.
struct HookHarness : Harness {
  Hooks4 hooks;
  takahe::testing::TempDir dir;
  std::string counter_file = dir.file("counter");
  std::string args_file = dir.file("args");

  struct Outcome {
    std::optional<Pkt4> reply;
    PacketHooks ph;
  };

  explicit HookHarness(const std::string& body) : Harness(body) { proc->setHooks(&hooks, nullptr); }
  ~HookHarness() { hooks.manager().unloadAll(); }

  /// Loads the test library with `extra` parameters (JSON members, may be empty) besides the
  /// counter and argument files.
  void load(const std::string& extra = "") {
    std::string json =
        R"({"counter-file": ")" + counter_file + R"(", "args-file": ")" + args_file + "\"";
    if (!extra.empty()) json += ", " + extra;
    hooks::HookLibraryConfig lib;
    lib.path = TEST_HOOKS_LIB;
    lib.parameters = cc::parseJson(json + "}");
    hooks.manager().load({lib}, false);
  }

  Outcome run(const Pkt4& q) {
    Outcome out;
    out.ph.handle = hooks.manager().createHandle();
    out.ph.query = std::make_shared<Pkt4>(q);
    out.reply = proc->process(*out.ph.query, *cfg, link, &out.ph);
    return out;
  }

  IPv4Address dora(uint8_t mac) {
    auto offer = run(discover(mac)).reply;
    REQUIRE(offer);
    REQUIRE(offer->messageType() == MessageType::kOffer);
    auto ack = run(requestSelecting(mac, offer->yiaddr)).reply;
    REQUIRE(ack);
    REQUIRE(ack->messageType() == MessageType::kAck);
    REQUIRE(ack->yiaddr == offer->yiaddr);
    return ack->yiaddr;
  }

  static std::vector<std::string> lines(const std::string& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  /// Lines of the argument file for `hook`.
  std::vector<std::string> argLines(const std::string& hook) const {
    std::vector<std::string> out;
    for (auto& l : lines(args_file)) {
      if (l.rfind(hook + " ", 0) == 0 || l == hook) out.push_back(l);
    }
    return out;
  }
  /// Hook names of the counter file in call order, without load/unload.
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (auto& l : lines(counter_file)) {
      std::string name = l.substr(0, l.find(' '));
      if (name != "load" && name != "unload") out.push_back(name);
    }
    return out;
  }
  void clearFiles() {
    std::ofstream(counter_file, std::ios::trunc);
    std::ofstream(args_file, std::ios::trunc);
  }
};

using Calls = std::vector<std::string>;

}  // namespace

TEST_CASE("hooks: with no library loaded, replies and leases are those of a server without hooks") {
  // Three processors over the same exchanges: without hooks, with an empty Hooks4, and with a
  // library that only counts. Every reply must be byte for byte the same.
  Harness plain(kTwoSubnets);
  HookHarness empty(kTwoSubnets);
  HookHarness counting(kTwoSubnets);
  counting.load();
  const IPv4Address first = IPv4Address::fromString("192.0.2.10");
  const std::vector<Pkt4> exchange = {discover(1),
                                      requestSelecting(1, first),
                                      requestRenewing(1, first),
                                      discover(2),
                                      requestSelecting(2, IPv4Address::fromString("192.0.2.11")),
                                      query(MessageType::kInform, 3),
                                      release(1, first),
                                      decline(2, IPv4Address::fromString("192.0.2.11"))};
  for (const Pkt4& q : exchange) {
    INFO("query " << q.label());
    auto a = plain.send(q);
    auto b = empty.run(q).reply;
    auto c = counting.run(q).reply;
    REQUIRE(a.has_value() == b.has_value());
    REQUIRE(a.has_value() == c.has_value());
    if (a) {
      CHECK(a->serialize(576) == b->serialize(576));
      CHECK(a->serialize(576) == c->serialize(576));
    }
  }
  // Leases compared without cltt: the three runs may straddle a second.
  auto leasesOf = [](const Harness& x) {
    auto all = x.store->getAll();
    for (auto& l : all) l.cltt = 0;
    return all;
  };
  auto leases = leasesOf(plain);
  CHECK(leases.size() == 1);  // the declined address
  CHECK(leasesOf(empty) == leases);
  CHECK(leasesOf(counting) == leases);
  for (const char* stat : {"pkt4-received", "pkt4-receive-drop", "subnet[1].assigned-addresses",
                           "declined-addresses", "cumulative-assigned-addresses"}) {
    INFO(stat);
    CHECK(empty.stat(stat) == plain.stat(stat));
    CHECK(counting.stat(stat) == plain.stat(stat));
  }
  // The counting library saw every packet; the empty Hooks4 called nothing.
  CHECK(counting.argLines("pkt4_receive").size() == exchange.size());
  CHECK(HookHarness::lines(empty.counter_file).empty());
}

TEST_CASE("hooks: every processor hook point receives its documented arguments") {
  HookHarness h(R"("host-reservation-identifiers": [ "flex-id", "hw-address" ], )" + kTwoSubnets);
  h.load();
  IPv4Address a = h.dora(1);
  REQUIRE(a == IPv4Address::fromString("192.0.2.10"));
  CHECK(h.calls() == Calls{"pkt4_receive", "subnet4_select", "host4_identifier", "lease4_select",
                           "pkt4_receive", "subnet4_select", "host4_identifier", "lease4_select"});
  CHECK(h.argLines("pkt4_receive") == Calls{"pkt4_receive query4=0x00001234/DHCPDISCOVER",
                                            "pkt4_receive query4=0x00001235/DHCPREQUEST"});
  CHECK(h.argLines("subnet4_select") == Calls{"subnet4_select query4=0x00001234/DHCPDISCOVER "
                                              "subnet4=subnet1 subnet4collection=2-subnets",
                                              "subnet4_select query4=0x00001235/DHCPREQUEST "
                                              "subnet4=subnet1 subnet4collection=2-subnets"});
  CHECK(h.argLines("host4_identifier") ==
        Calls{"host4_identifier id_type=flex-id id_value=- query4=0x00001234/DHCPDISCOVER",
              "host4_identifier id_type=flex-id id_value=- query4=0x00001235/DHCPREQUEST"});
  CHECK(h.argLines("lease4_select") ==
        Calls{"lease4_select fake_allocation=true lease4=192.0.2.10/4000/subnet1 "
              "query4=0x00001234/DHCPDISCOVER "
              "subnet4=subnet1",
              "lease4_select fake_allocation=false lease4=192.0.2.10/4000/subnet1 "
              "query4=0x00001235/DHCPREQUEST "
              "subnet4=subnet1"});

  h.clearFiles();
  REQUIRE(h.run(requestRenewing(1, a)).reply);
  CHECK(h.argLines("lease4_renew") ==
        Calls{"lease4_renew clientid=- hwaddr=02:00:00:00:00:01 lease4=192.0.2.10/4000/subnet1 "
              "query4=0x00001236/DHCPREQUEST subnet4=subnet1"});
  CHECK(h.argLines("lease4_select").empty());

  h.clearFiles();
  h.run(decline(1, a));
  CHECK(h.calls() == Calls{"pkt4_receive", "lease4_decline"});
  CHECK(h.argLines("lease4_decline") ==
        Calls{"lease4_decline lease4=192.0.2.10/4000/subnet1 query4=0x00001238/DHCPDECLINE"});

  IPv4Address b = h.dora(2);
  h.clearFiles();
  h.run(release(2, b));
  CHECK(h.calls() == Calls{"pkt4_receive", "lease4_release"});
  CHECK(h.argLines("lease4_release") == Calls{"lease4_release lease4=" + b.toString() +
                                              "/4000/subnet1 query4=0x00001237/DHCPRELEASE"});
}

TEST_CASE("hooks: pkt4_receive DROP or SKIP drops the client's packet; other clients are served") {
  HookHarness h(kTwoSubnets);
  const char* step = GENERATE("drop", "skip");
  h.load(std::string(R"(")") + step + R"(-hw": "02:00:00:00:00:01")");
  auto out = h.run(discover(1));
  CHECK_FALSE(out.reply);
  CHECK(h.stat("pkt4-receive-drop") == 1);
  CHECK(h.calls() == Calls{"pkt4_receive"});  // nothing after the drop
  CHECK(h.stat("pkt4-discover-received") == 0);
  auto other = h.run(discover(2));
  REQUIRE(other.reply);
  CHECK(other.reply->messageType() == MessageType::kOffer);
  CHECK(h.stat("pkt4-receive-drop") == 1);
}

TEST_CASE("hooks: subnet4_select can refuse the subnet, drop the packet or choose another subnet") {
  HookHarness h(kTwoSubnets);
  SECTION("SKIP: no subnet, so no offer and no lease") {
    h.load(R"("skip-hook": "subnet4_select")");
    CHECK_FALSE(h.run(discover(1)).reply);
    CHECK_FALSE(h.run(requestSelecting(1, IPv4Address::fromString("192.0.2.10"))).reply);
    CHECK(h.store->size() == 0);
    CHECK(h.stat("pkt4-receive-drop") == 2);
    CHECK(h.calls() == Calls{"pkt4_receive", "subnet4_select", "pkt4_receive", "subnet4_select"});
  }
  SECTION("DROP: dropped and counted") {
    h.load(R"("drop-hook": "subnet4_select")");
    CHECK_FALSE(h.run(discover(1)).reply);
    CHECK(h.stat("pkt4-receive-drop") == 1);
    CHECK(h.argLines("lease4_select").empty());
  }
  SECTION("a callout choosing subnet 2 gets the client an address there, stored in subnet 2") {
    h.load(R"("select-subnet-id": 2)");
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(offer->yiaddr == IPv4Address::fromString("198.51.100.10"));
    auto ack = h.run(requestSelecting(1, offer->yiaddr)).reply;
    REQUIRE(ack);
    CHECK(ack->messageType() == MessageType::kAck);
    auto lease = h.store->get(IPv4Address::fromString("198.51.100.10"));
    REQUIRE(lease);
    CHECK(lease->subnet_id == SubnetId(2));
    CHECK(h.stat("subnet[2].assigned-addresses") == 1);
    CHECK(h.stat("subnet[1].assigned-addresses") == 0);
    // lease4_select is told the chosen subnet.
    CHECK(h.argLines("lease4_select").back().find("subnet4=subnet2") != std::string::npos);
  }
  SECTION("a callout setting subnet4 to null leaves the client unserved") {
    h.load(R"("select-subnet-id": 0)");
    CHECK_FALSE(h.run(discover(1)).reply);
    CHECK(h.stat("pkt4-receive-drop") == 1);
  }
  SECTION("a subnet from outside the configuration is ignored: the server's choice stands") {
    h.load(R"("select-foreign-subnet": true)");
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
  }
}

TEST_CASE("hooks: lease4_select SKIP means no OFFER and a NAK; a changed lifetime is stored") {
  HookHarness h(kTwoSubnets);
  SECTION("SKIP") {
    h.load(R"("skip-hook": "lease4_select")");
    CHECK_FALSE(h.run(discover(1)).reply);
    auto nak = h.run(requestSelecting(1, IPv4Address::fromString("192.0.2.10"))).reply;
    REQUIRE(nak);
    CHECK(nak->messageType() == MessageType::kNak);
    CHECK(h.store->size() == 0);
    // A skip is the library's decision, not an allocation failure.
    CHECK(h.stat("v4-allocation-fail") == 0);
    CHECK(h.stat("subnet[1].assigned-addresses") == 0);
  }
  SECTION("a lifetime changed by the callout is offered, acknowledged and stored") {
    h.load(R"("set-lifetime": 777)");
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(u32(offer->option(dhcp::opt::kLeaseTime)) == 777);
    auto ack = h.run(requestSelecting(1, offer->yiaddr)).reply;
    REQUIRE(ack);
    CHECK(u32(ack->option(dhcp::opt::kLeaseTime)) == 777);
    auto lease = h.store->get(ack->yiaddr);
    REQUIRE(lease);
    CHECK(lease->valid_lifetime == 777);
  }
}

TEST_CASE("hooks: lease4_renew SKIP keeps the stored lease as it was") {
  HookHarness h(kTwoSubnets);
  IPv4Address a = h.dora(1);  // no library yet
  // Make the stored lease visibly old, so that a renewal would change it.
  auto stored = *h.store->get(a);
  stored.cltt -= 1000;
  REQUIRE(h.store->update(stored));
  SECTION("SKIP: the lease is not renewed (and the lifetime change is not applied)") {
    h.load(R"("skip-hook": "lease4_renew", "set-lifetime": 999)");
    auto ack = h.run(requestRenewing(1, a)).reply;
    REQUIRE(ack);
    CHECK(ack->yiaddr == a);
    CHECK(*h.store->get(a) == stored);
    CHECK(u32(ack->option(dhcp::opt::kLeaseTime)) == 4000);
    CHECK(h.calls() == Calls{"pkt4_receive", "subnet4_select", "lease4_renew"});
  }
  SECTION("CONTINUE: the renewal is stored, with the callout's lifetime") {
    h.load(R"("set-lifetime": 999)");
    auto ack = h.run(requestRenewing(1, a)).reply;
    REQUIRE(ack);
    auto now = *h.store->get(a);
    CHECK(now.cltt >= stored.cltt + 1000);
    CHECK(now.valid_lifetime == 999);
    CHECK(u32(ack->option(dhcp::opt::kLeaseTime)) == 999);
  }
}

TEST_CASE("hooks: lease4_release and lease4_decline SKIP leave the lease in place") {
  HookHarness h(kTwoSubnets);
  IPv4Address a = h.dora(1);
  auto before = *h.store->get(a);
  SECTION("release skipped") {
    h.load(R"("skip-hook": "lease4_release")");
    auto out = h.run(release(1, a));
    CHECK(*h.store->get(a) == before);
    CHECK(h.stat("subnet[1].assigned-addresses") == 1);
    CHECK_FALSE(out.ph.commits);
    CHECK(out.ph.deleted.empty());
  }
  SECTION("decline skipped") {
    h.load(R"("skip-hook": "lease4_decline")");
    auto out = h.run(decline(1, a));
    CHECK(*h.store->get(a) == before);
    CHECK(h.stat("declined-addresses") == 0);
    CHECK_FALSE(out.ph.commits);
    CHECK(out.ph.committed.empty());
  }
  SECTION("the same packets without SKIP release and decline") {
    h.load();
    auto out = h.run(decline(1, a));
    CHECK(h.store->get(a)->state == LeaseState::kDeclined);
    CHECK(h.stat("declined-addresses") == 1);
    IPv4Address b = h.dora(2);
    h.run(release(2, b));
    CHECK_FALSE(h.store->get(b));
  }
}

TEST_CASE("hooks: leases4_committed is told which leases were stored and which removed") {
  HookHarness h(kTwoSubnets);
  h.load();
  auto offer = h.run(discover(1));
  CHECK_FALSE(offer.ph.commits);  // a DISCOVER never commits
  CHECK(offer.ph.committed.empty());

  auto ack = h.run(requestSelecting(1, offer.reply->yiaddr));
  REQUIRE(ack.reply);
  CHECK(ack.ph.commits);
  REQUIRE(ack.ph.committed.size() == 1);
  CHECK(*ack.ph.committed[0] == *h.store->get(ack.reply->yiaddr));
  CHECK(ack.ph.deleted.empty());

  // A NAK (client 3 renewing client 1's address) commits nothing.
  auto nak = h.run(requestRenewing(3, ack.reply->yiaddr));
  REQUIRE(nak.reply);
  CHECK(nak.reply->messageType() == MessageType::kNak);
  CHECK_FALSE(nak.ph.commits);
  CHECK(nak.ph.committed.empty());

  // The client moves to another address: the new lease is committed, the old one deleted.
  IPv4Address old = ack.reply->yiaddr;
  auto moved = h.run(requestSelecting(1, IPv4Address::fromString("192.0.2.12")));
  REQUIRE(moved.reply);
  REQUIRE(moved.ph.committed.size() == 1);
  CHECK(moved.ph.committed[0]->address == IPv4Address::fromString("192.0.2.12"));
  REQUIRE(moved.ph.deleted.size() == 1);
  CHECK(moved.ph.deleted[0]->address == old);

  auto rel = h.run(release(1, IPv4Address::fromString("192.0.2.12")));
  CHECK(rel.ph.commits);
  CHECK(rel.ph.committed.empty());
  REQUIRE(rel.ph.deleted.size() == 1);
  CHECK(rel.ph.deleted[0]->address == IPv4Address::fromString("192.0.2.12"));

  IPv4Address b = h.dora(2);
  auto dec = h.run(decline(2, b));
  CHECK(dec.ph.commits);
  REQUIRE(dec.ph.committed.size() == 1);
  CHECK(dec.ph.committed[0]->state == LeaseState::kDeclined);
}

TEST_CASE("hooks: lease4_expire and lease4_recover SKIP leave leases alone during reclamation") {
  HookHarness h(R"("decline-probation-period": 600, )" + kTwoSubnets);
  IPv4Address a = h.dora(1);
  IPv4Address d = h.dora(2);
  h.run(decline(2, d));
  const int64_t later = nowUnixSeconds() + 5000;  // both are expired by then
  auto active = *h.store->get(a);
  auto declined = *h.store->get(d);
  REQUIRE(declined.state == LeaseState::kDeclined);
  SECTION("SKIP at both points") {
    h.load(R"("skip-hook": "lease4_expire", "counter-hooks": ["lease4_expire", "lease4_recover"])");
    auto [n, more] = h.proc->reclaimExpired(*h.cfg, later);
    CHECK(n == 2);
    CHECK(*h.store->get(a) == active);
    CHECK(h.stat("subnet[1].assigned-addresses") == 1);  // was 2: the declined one went
    CHECK(h.stat("reclaimed-leases") == 1);              // the declined address only
    CHECK(h.argLines("lease4_expire") ==
          Calls{"lease4_expire lease4=" + a.toString() + "/4000/subnet1 remove_lease=false"});
    CHECK(h.argLines("lease4_recover") ==
          Calls{"lease4_recover lease4=" + d.toString() + "/600/subnet1"});
    // lease4_recover was not skipped: the declined address is reclaimed.
    CHECK(h.store->get(d)->state == LeaseState::kExpiredReclaimed);
    CHECK(h.stat("reclaimed-declined-addresses") == 1);
  }
  SECTION("SKIP at lease4_recover only") {
    h.load(R"("skip-hook": "lease4_recover")");
    h.proc->reclaimExpired(*h.cfg, later);
    CHECK(*h.store->get(d) == declined);
    CHECK(h.stat("declined-addresses") == 1);
    CHECK(h.stat("reclaimed-declined-addresses") == 0);
    CHECK(h.store->get(a)->state == LeaseState::kExpiredReclaimed);
    CHECK(h.stat("reclaimed-leases") == 1);
  }
}

TEST_CASE("hooks: remove_lease tells lease4_expire whether reclaimed leases are removed") {
  HookHarness h(R"("expired-leases-processing": { "hold-reclaimed-time": 0 }, )" + kTwoSubnets);
  IPv4Address a = h.dora(1);
  h.load();
  h.proc->reclaimExpired(*h.cfg, nowUnixSeconds() + 5000);
  CHECK(h.argLines("lease4_expire") ==
        Calls{"lease4_expire lease4=" + a.toString() + "/4000/subnet1 remove_lease=true"});
  CHECK_FALSE(h.store->get(a));
}

TEST_CASE("hooks: host4_identifier supplies the flex-id that finds a reservation") {
  HookHarness h(R"("host-reservation-identifiers": [ "flex-id", "hw-address" ], )" + kTwoSubnets);
  SECTION("with the library's flex-id the client gets its reserved address") {
    h.load(R"("flex-id": "61:62:63")");  // 'abc'
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.200"));
    auto ack = h.run(requestSelecting(1, offer->yiaddr)).reply;
    REQUIRE(ack);
    CHECK(ack->messageType() == MessageType::kAck);
    CHECK(h.store->get(IPv4Address::fromString("192.0.2.200")));
  }
  SECTION("another flex-id matches nothing: a pool address") {
    h.load(R"("flex-id": "61:62:64")");
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
  }
  SECTION("flex-id not among host-reservation-identifiers: the hook point is not called") {
    h.reconfigure(kTwoSubnets);
    h.load(R"("flex-id": "61:62:63")");
    auto offer = h.run(discover(1)).reply;
    REQUIRE(offer);
    CHECK(offer->yiaddr == IPv4Address::fromString("192.0.2.10"));
    CHECK(h.argLines("host4_identifier").empty());
  }
}

TEST_CASE("hooks: a callout that fails or throws does not stop packet processing") {
  HookHarness h(kTwoSubnets);
  const char* how = GENERATE("fail-hook", "throw-hook");
  h.load(std::string("\"") + how + R"(": "pkt4_receive")");
  auto offer = h.run(discover(1)).reply;
  REQUIRE(offer);
  CHECK(offer->messageType() == MessageType::kOffer);
  CHECK(h.calls() == Calls{"pkt4_receive", "subnet4_select", "lease4_select"});
}

TEST_CASE(
    "hooks: a library without multi_threading_compatible is refused with multi-threading on") {
  HookHarness h(kTwoSubnets);
  hooks::HookLibraryConfig lib;
  lib.path = TEST_HOOKS_NOMT_LIB;
  CHECK_THROWS_WITH(h.hooks.manager().load({lib}, true), Catch::Contains("multi"));
  CHECK_FALSE(h.hooks.manager().anyLoaded());
  h.hooks.manager().load({lib}, false);
  CHECK(h.hooks.manager().anyLoaded());
}
