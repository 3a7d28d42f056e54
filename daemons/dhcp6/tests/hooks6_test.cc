// The DHCPv6 processor's hook points, driven through the real loader with libtest_hooks.so
// (hooks-libs/test_hooks): the arguments each point passes, and what each next step does. The
// points around the processor (buffer6_*, leases6_committed parking, pkt6_send) are exercised
// with real sockets in packet_path6_test.cc.

#include <catch2/catch.hpp>

#include "test_helpers6.h"

using namespace takahe;
using namespace takahe::dhcp6;
using namespace takahe::dhcp6::test;
using dhcp::MessageType6;
using dhcp::Pkt6;
using dhcp::StatusCode6;
using dhcpsrv::LeaseState;

namespace {

constexpr int64_t kNow = 1800000000;

std::string duidHex(uint8_t n) { return toHex(clientDuid(n).bytes); }

std::optional<StatusCode6> iaStatus(const Pkt6& r) {
  auto ias = r.iaNas();
  REQUIRE(ias.size() == 1);
  if (!ias[0].status) return std::nullopt;
  return static_cast<StatusCode6>(ias[0].status->code);
}

}  // namespace

TEST_CASE(
    "hooks6: with no library loaded, replies and leases are those of a server without hooks") {
  Harness6 plain;
  plain.proc->setHooks(nullptr);
  Harness6 empty;     // a Hooks6 with nothing loaded
  Harness6 counting;  // a library that only records
  counting.load();
  const std::vector<Pkt6> exchange = {query6(MessageType6::kSolicit, 1, 0x10),
                                      query6(MessageType6::kRequest, 1, 0x11, "2001:db8:1::10"),
                                      query6(MessageType6::kRenew, 1, 0x12, "2001:db8:1::10"),
                                      query6(MessageType6::kRebind, 1, 0x13, "2001:db8:1::10"),
                                      query6(MessageType6::kSolicit, 2, 0x14),
                                      query6(MessageType6::kRequest, 2, 0x15, "2001:db8:1::11"),
                                      query6(MessageType6::kDecline, 2, 0x16, "2001:db8:1::11"),
                                      query6(MessageType6::kRelease, 1, 0x17, "2001:db8:1::10")};
  for (const Pkt6& q : exchange) {
    INFO("query " << q.label());
    auto a = plain.proc->process(q, *plain.cfg, plain.arrival, kNow);
    auto b = empty.run(q, kNow).reply;
    auto c = counting.run(q, kNow).reply;
    REQUIRE(a.has_value() == b.has_value());
    REQUIRE(a.has_value() == c.has_value());
    if (a) {
      CHECK(a->serialize() == b->serialize());
      CHECK(a->serialize() == c->serialize());
    }
  }
  auto leases = plain.store->getAll();
  CHECK(leases.size() == 1);  // the declined address
  CHECK(empty.store->getAll() == leases);
  CHECK(counting.store->getAll() == leases);
  for (const char* stat : {"pkt6-received", "pkt6-receive-drop", "subnet[1].assigned-nas",
                           "declined-addresses", "cumulative-assigned-nas", "v6-allocation-fail"}) {
    INFO(stat);
    CHECK(empty.stat(stat) == plain.stat(stat));
    CHECK(counting.stat(stat) == plain.stat(stat));
  }
  CHECK(counting.argLines("pkt6_receive").size() == exchange.size());
  CHECK(fileLines(empty.counter_file).empty());
}

TEST_CASE("hooks6: every processor hook point receives its documented arguments") {
  Harness6 h;
  h.load();
  std::string a = h.sarr(1, 0x100);
  REQUIRE(a == "2001:db8:1::10");
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_select", "pkt6_receive",
                           "subnet6_select", "lease6_select"});
  CHECK(h.argLines("pkt6_receive") ==
        Calls{"pkt6_receive query6=0x000100/SOLICIT", "pkt6_receive query6=0x000101/REQUEST"});
  CHECK(
      h.argLines("subnet6_select") ==
      Calls{"subnet6_select query6=0x000100/SOLICIT subnet6=subnet1 subnet6collection=2-subnets",
            "subnet6_select query6=0x000101/REQUEST subnet6=subnet1 subnet6collection=2-subnets"});
  CHECK(h.argLines("lease6_select") ==
        Calls{"lease6_select fake_allocation=true lease6=2001:db8:1::10/4000/subnet1 "
              "query6=0x000100/SOLICIT subnet6=subnet1",
              "lease6_select fake_allocation=false lease6=2001:db8:1::10/4000/subnet1 "
              "query6=0x000101/REQUEST subnet6=subnet1"});

  h.clearFiles();
  REQUIRE(h.run(query6(MessageType6::kRenew, 1, 0x102, a)).reply);
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_renew"});
  CHECK(
      h.argLines("lease6_renew") ==
      Calls{
          "lease6_renew lease6=2001:db8:1::10/4000/subnet1 query6=0x000102/RENEW subnet6=subnet1"});

  h.clearFiles();
  REQUIRE(h.run(query6(MessageType6::kRebind, 1, 0x103, a)).reply);
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_rebind"});
  CHECK(h.argLines("lease6_rebind") == Calls{"lease6_rebind lease6=2001:db8:1::10/4000/subnet1 "
                                             "query6=0x000103/REBIND subnet6=subnet1"});

  h.clearFiles();
  REQUIRE(h.run(query6(MessageType6::kDecline, 1, 0x104, a)).reply);
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_decline"});
  CHECK(h.argLines("lease6_decline") ==
        Calls{"lease6_decline lease6=2001:db8:1::10/4000/subnet1 query6=0x000104/DECLINE"});

  std::string b = h.sarr(2, 0x200);
  h.clearFiles();
  REQUIRE(h.run(query6(MessageType6::kRelease, 2, 0x202, b)).reply);
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_release"});
  CHECK(h.argLines("lease6_release") ==
        Calls{"lease6_release lease6=" + b + "/4000/subnet1 query6=0x000202/RELEASE"});

  // A delegated prefix is described with its length.
  h.clearFiles();
  Pkt6 pd = query6(MessageType6::kSolicit, 3, 0x300);
  pd.removeOption(dhcp::opt6::kIaNa);
  pd.addIaPd(iaPd(7));
  REQUIRE(h.run(pd).reply);
  CHECK(h.argLines("lease6_select") ==
        Calls{"lease6_select fake_allocation=true lease6=2001:db8:8000::/56/4000/subnet1 "
              "query6=0x000300/SOLICIT subnet6=subnet1"});
}

TEST_CASE("hooks6: pkt6_receive DROP or SKIP drops the client's packet; other clients are served") {
  Harness6 h;
  const std::string step = GENERATE("drop", "skip");
  h.load("\"" + step + R"(-duid": ")" + duidHex(1) + "\"");
  auto out = h.run(query6(MessageType6::kSolicit, 1, 0x10));
  CHECK_FALSE(out.reply);
  CHECK(h.stat("pkt6-receive-drop") == 1);
  CHECK(h.stat("pkt6-received") == 1);
  CHECK(h.stat("pkt6-solicit-received") == 0);
  CHECK(h.calls() == Calls{"pkt6_receive"});  // nothing after the drop
  auto other = h.run(query6(MessageType6::kSolicit, 2, 0x11));
  REQUIRE(other.reply);
  CHECK(other.reply->msg_type == MessageType6::kAdvertise);
  CHECK(h.stat("pkt6-receive-drop") == 1);
}

TEST_CASE(
    "hooks6: subnet6_select can refuse the subnet, drop the packet or choose another subnet") {
  Harness6 h;
  SECTION("SKIP: no subnet, so NoAddrsAvail and no lease") {
    h.load(R"("skip-hook": "subnet6_select")");
    auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply;
    REQUIRE(adv);
    CHECK(addressOf(*adv).empty());
    CHECK(iaStatus(*adv) == StatusCode6::kNoAddrsAvail);
    auto rep = h.run(query6(MessageType6::kRequest, 1, 0x11, "2001:db8:1::10")).reply;
    REQUIRE(rep);
    CHECK(addressOf(*rep).empty());
    CHECK(h.store->size() == 0);
    CHECK(h.argLines("lease6_select").empty());
  }
  SECTION("DROP: no reply, counted") {
    h.load(R"("drop-hook": "subnet6_select")");
    CHECK_FALSE(h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply);
    CHECK(h.stat("pkt6-receive-drop") == 1);
    CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select"});
  }
  SECTION("a callout choosing subnet 2 gets the client an address there, stored in subnet 2") {
    h.load(R"("select-subnet-id": 2)");
    std::string a = h.sarr(1);
    CHECK(a == "2001:db8:2::10");
    auto l = h.lease(a);
    REQUIRE(l);
    CHECK(l->subnet_id == SubnetId(2));
    CHECK(h.stat("subnet[2].assigned-nas") == 1);
    CHECK(h.stat("subnet[1].assigned-nas") == 0);
    CHECK(h.argLines("lease6_select").back().find("subnet6=subnet2") != std::string::npos);
  }
  SECTION("a subnet from outside the configuration is ignored: the server's choice stands") {
    h.load(R"("select-foreign-subnet": true)");
    auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply;
    REQUIRE(adv);
    CHECK(addressOf(*adv) == "2001:db8:1::10");
  }
}

TEST_CASE("hooks6: lease6_select SKIP or DROP refuses the lease; a changed lifetime is stored") {
  Harness6 h;
  SECTION("refused") {
    const std::string step = GENERATE("skip", "drop");
    h.load("\"" + step + R"(-hook": "lease6_select")");
    auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply;
    REQUIRE(adv);
    CHECK(addressOf(*adv).empty());
    CHECK(iaStatus(*adv) == StatusCode6::kNoAddrsAvail);
    auto out = h.run(query6(MessageType6::kRequest, 1, 0x11, "2001:db8:1::10"));
    REQUIRE(out.reply);
    CHECK(iaStatus(*out.reply) == StatusCode6::kNoAddrsAvail);
    CHECK(h.store->size() == 0);
    CHECK(out.ph.committed.empty());
    // The library's decision, not an allocation failure.
    CHECK(h.stat("v6-allocation-fail") == 0);
    CHECK(h.stat("subnet[1].assigned-nas") == 0);
  }
  SECTION("a lifetime changed by the callout is advertised, given and stored") {
    h.load(R"("set-lifetime": 777)");
    auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply;
    REQUIRE(adv);
    CHECK(adv->iaNas()[0].addresses[0].valid_lft == 777);
    CHECK(adv->iaNas()[0].addresses[0].preferred_lft == 777);
    auto rep = h.run(query6(MessageType6::kRequest, 1, 0x11, "2001:db8:1::10")).reply;
    REQUIRE(rep);
    CHECK(rep->iaNas()[0].addresses[0].valid_lft == 777);
    auto l = h.lease("2001:db8:1::10");
    REQUIRE(l);
    CHECK(l->valid_lifetime == 777);
  }
}

TEST_CASE("hooks6: lease6_renew and lease6_rebind SKIP keep the stored lease as it was") {
  Harness6 h;
  std::string a = h.sarr(1);  // the library is not loaded yet
  auto stored = *h.lease(a);
  const int64_t later = stored.cltt + 1000;
  const bool rebind = GENERATE(false, true);
  const MessageType6 type = rebind ? MessageType6::kRebind : MessageType6::kRenew;
  const std::string point = rebind ? "lease6_rebind" : "lease6_renew";
  SECTION("SKIP at the message's point: not extended, the lifetime change not applied") {
    h.load(R"("skip-hook": ")" + point + R"(", "set-lifetime": 999)");
    auto rep = h.run(query6(type, 1, 0x20, a), later).reply;
    REQUIRE(rep);
    CHECK(addressOf(*rep) == a);
    CHECK(*h.lease(a) == stored);
    CHECK(rep->iaNas()[0].addresses[0].valid_lft == 4000);
    CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", point});
  }
  SECTION("SKIP at the other point changes nothing: the lease is extended with the new lifetime") {
    h.load(R"("skip-hook": ")" + std::string(rebind ? "lease6_renew" : "lease6_rebind") +
           R"(", "set-lifetime": 999)");
    auto rep = h.run(query6(type, 1, 0x20, a), later).reply;
    REQUIRE(rep);
    auto now = *h.lease(a);
    CHECK(now.cltt == later);
    CHECK(now.valid_lifetime == 999);
    CHECK(rep->iaNas()[0].addresses[0].valid_lft == 999);
  }
}

TEST_CASE("hooks6: lease6_release and lease6_decline SKIP leave the lease; DROP sends no reply") {
  Harness6 h;
  std::string a = h.sarr(1);
  auto before = *h.lease(a);
  const MessageType6 type = GENERATE(MessageType6::kRelease, MessageType6::kDecline);
  const std::string point = type == MessageType6::kRelease ? "lease6_release" : "lease6_decline";
  SECTION("SKIP") {
    h.load(R"("skip-hook": ")" + point + "\"");
    auto out = h.run(query6(type, 1, 0x30, a));
    REQUIRE(out.reply);
    CHECK(*h.lease(a) == before);
    CHECK(h.stat("subnet[1].assigned-nas") == 1);
    CHECK(h.stat("declined-addresses") == 0);
    CHECK(out.ph.committed.empty());
    CHECK(out.ph.deleted.empty());
  }
  SECTION("DROP") {
    h.load(R"("drop-hook": ")" + point + "\"");
    auto out = h.run(query6(type, 1, 0x30, a));
    CHECK_FALSE(out.reply);
    CHECK(*h.lease(a) == before);
    CHECK(h.stat("pkt6-receive-drop") == 1);
  }
  SECTION("CONTINUE: released or declined") {
    h.load();
    auto out = h.run(query6(type, 1, 0x30, a));
    REQUIRE(out.reply);
    if (type == MessageType6::kRelease) {
      CHECK_FALSE(h.lease(a));
    } else {
      CHECK(h.lease(a)->state == LeaseState::kDeclined);
      CHECK(h.stat("declined-addresses") == 1);
    }
  }
}

TEST_CASE(
    "hooks6: the processor tells leases6_committed which leases were stored and which removed") {
  Harness6 h;
  h.load();
  auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10));
  REQUIRE(adv.reply);
  CHECK_FALSE(adv.ph.commits);  // an ADVERTISE commits nothing
  CHECK(adv.ph.committed.empty());

  auto rep = h.run(query6(MessageType6::kRequest, 1, 0x11, "2001:db8:1::10"));
  REQUIRE(rep.reply);
  CHECK(rep.ph.commits);
  REQUIRE(rep.ph.committed.size() == 1);
  CHECK(*rep.ph.committed[0] == *h.lease("2001:db8:1::10"));
  CHECK(rep.ph.deleted.empty());

  // Two IAs in one REQUEST: both leases are listed.
  Pkt6 two = query6(MessageType6::kRequest, 2, 0x12);
  two.addIaPd(iaPd(9));
  auto both = h.run(two);
  REQUIRE(both.reply);
  REQUIRE(both.ph.committed.size() == 2);
  CHECK(both.ph.committed[0]->address == IPv6Address::fromString("2001:db8:1::11"));
  CHECK(both.ph.committed[1]->type == dhcpsrv::Lease6Type::kPd);

  auto rel = h.run(query6(MessageType6::kRelease, 1, 0x13, "2001:db8:1::10"));
  CHECK(rel.ph.commits);
  CHECK(rel.ph.committed.empty());
  REQUIRE(rel.ph.deleted.size() == 1);
  CHECK(rel.ph.deleted[0]->address == IPv6Address::fromString("2001:db8:1::10"));

  auto dec = h.run(query6(MessageType6::kDecline, 2, 0x14, "2001:db8:1::11"));
  CHECK(dec.ph.commits);
  REQUIRE(dec.ph.committed.size() == 1);
  CHECK(dec.ph.committed[0]->state == LeaseState::kDeclined);

  // Rapid commit commits; an INFORMATION-REQUEST does not.
  Harness6 rc(twoSubnets("eth0", "", R"("rapid-commit": true, )"));
  rc.load();
  Pkt6 sol = query6(MessageType6::kSolicit, 3, 0x15);
  sol.addOption(dhcp::opt6::kRapidCommit, {});
  auto fast = rc.run(sol);
  REQUIRE(fast.reply);
  CHECK(fast.reply->msg_type == MessageType6::kReply);
  CHECK(fast.ph.commits);
  CHECK(fast.ph.committed.size() == 1);
  Pkt6 info;
  info.msg_type = MessageType6::kInformationRequest;
  info.transid = 0x16;
  auto inf = rc.run(info);
  REQUIRE(inf.reply);
  CHECK_FALSE(inf.ph.commits);
}

TEST_CASE("hooks6: a callout that fails or throws does not stop packet processing") {
  Harness6 h;
  const char* how = GENERATE("fail-hook", "throw-hook");
  h.load(std::string("\"") + how + R"(": "pkt6_receive")");
  auto adv = h.run(query6(MessageType6::kSolicit, 1, 0x10)).reply;
  REQUIRE(adv);
  CHECK(addressOf(*adv) == "2001:db8:1::10");
  CHECK(h.calls() == Calls{"pkt6_receive", "subnet6_select", "lease6_select"});
}

TEST_CASE("hooks6: the DHCPv6 server offers Kea's DHCPv6 hook points and no DHCPv4 ones") {
  Hooks6 hooks;
  for (const char* point :
       {"dhcp6_srv_configured", "buffer6_receive", "pkt6_receive", "subnet6_select",
        "lease6_select", "lease6_renew", "lease6_rebind", "lease6_release", "lease6_decline",
        "lease6_expire", "lease6_recover", "leases6_committed", "pkt6_send", "buffer6_send",
        "command_processed"}) {
    INFO(point);
    CHECK(hooks.manager().hookIndex(point) >= 0);
  }
  CHECK(hooks.manager().hookIndex("pkt4_receive") < 0);
  CHECK(hooks.pkt6_receive == hooks.manager().hookIndex("pkt6_receive"));
  CHECK(hooks.leases6_committed == hooks.manager().hookIndex("leases6_committed"));
}

TEST_CASE(
    "hooks6: reclamation calls lease6_expire and lease6_recover; SKIP leaves the lease alone") {
  Harness6 h(twoSubnets("eth0", R"("decline-probation-period": 600, )"));
  std::string a = h.sarr(1, 0x10);
  std::string d = h.sarr(2, 0x20);
  REQUIRE(h.run(query6(MessageType6::kDecline, 2, 0x22, d)).reply);
  const int64_t later = nowUnixSeconds() + 5000;  // both expired by then
  auto active = *h.lease(a);
  auto declined = *h.lease(d);
  REQUIRE(declined.state == LeaseState::kDeclined);
  REQUIRE(h.stat("subnet[1].assigned-nas") == 2);
  REQUIRE(h.stat("declined-addresses") == 1);
  SECTION("SKIP at lease6_expire: the active lease stays; the declined address is recovered") {
    h.load(R"("skip-hook": "lease6_expire", "counter-hooks": ["lease6_expire", "lease6_recover"])");
    auto [n, more] = h.proc->reclaimExpired(*h.cfg, later);
    CHECK(n == 2);
    CHECK_FALSE(more);
    CHECK(*h.lease(a) == active);
    CHECK(h.argLines("lease6_expire") ==
          Calls{"lease6_expire lease6=" + a + "/4000/subnet1 remove_lease=false"});
    CHECK(h.argLines("lease6_recover") == Calls{"lease6_recover lease6=" + d + "/600/subnet1"});
    CHECK(h.lease(d)->state == LeaseState::kExpiredReclaimed);  // held (hold-reclaimed-time)
    CHECK(h.stat("subnet[1].assigned-nas") == 1);
    CHECK(h.stat("declined-addresses") == 0);
    CHECK(h.stat("reclaimed-declined-addresses") == 1);
    CHECK(h.stat("subnet[1].reclaimed-declined-addresses") == 1);
    CHECK(h.stat("reclaimed-leases") == 1);
    CHECK(h.stat("subnet[1].reclaimed-leases") == 1);
  }
  SECTION("SKIP at lease6_recover: the declined address stays declined") {
    h.load(R"("skip-hook": "lease6_recover")");
    h.proc->reclaimExpired(*h.cfg, later);
    CHECK(*h.lease(d) == declined);
    CHECK(h.stat("declined-addresses") == 1);
    CHECK(h.stat("reclaimed-declined-addresses") == 0);
    CHECK(h.lease(a)->state == LeaseState::kExpiredReclaimed);
    CHECK(h.stat("reclaimed-leases") == 1);
    CHECK(h.stat("subnet[1].assigned-nas") == 1);
  }
  SECTION("no library: both reclaimed; flushReclaimed removes them after hold-reclaimed-time") {
    auto [n, more] = h.proc->reclaimExpired(*h.cfg, later);
    CHECK(n == 2);
    CHECK(h.stat("reclaimed-leases") == 2);
    CHECK(h.stat("subnet[1].assigned-nas") == 0);
    CHECK(h.store->size() == 2);
    // Held for hold-reclaimed-time (3600 s) after their expiry: the declined address expired
    // 4400 s before `later`, the other lease 1000 s before.
    CHECK(h.proc->flushReclaimed(*h.cfg, later) == 1);
    CHECK_FALSE(h.lease(d));
    CHECK(h.lease(a));
    CHECK(h.proc->flushReclaimed(*h.cfg, later + 2000) == 0);
    CHECK(h.proc->flushReclaimed(*h.cfg, later + 3000) == 1);
    CHECK(h.store->size() == 0);
  }
}

TEST_CASE(
    "hooks6: reclamation removes leases without hold-reclaimed-time and honours "
    "max-reclaim-leases") {
  Harness6 h(twoSubnets(
      "eth0",
      R"("expired-leases-processing": { "hold-reclaimed-time": 0, "max-reclaim-leases": 1 }, )"));
  std::string a = h.sarr(1, 0x10);
  std::string b = h.sarr(2, 0x20);
  h.load();
  const int64_t later = nowUnixSeconds() + 5000;
  auto [n, more] = h.proc->reclaimExpired(*h.cfg, later);
  CHECK(n == 1);
  CHECK(more);
  CHECK(h.store->size() == 1);
  auto [n2, more2] = h.proc->reclaimExpired(*h.cfg, later);
  CHECK(n2 == 1);
  CHECK_FALSE(more2);
  CHECK(h.store->size() == 0);
  auto lines = h.argLines("lease6_expire");
  REQUIRE(lines.size() == 2);
  for (const auto& l : lines) CHECK(l.find("remove_lease=true") != std::string::npos);
  CHECK(h.stat("reclaimed-leases") == 2);
  CHECK(h.stat("subnet[1].assigned-nas") == 0);
}
