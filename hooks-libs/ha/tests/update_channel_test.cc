// Lease updates in lease4-bulk-apply batches to a peer that lists the command (Takahe), one by
// one to a peer that does not (Kea 2.2): the question asked, the exact batch body, the batching
// of updates committed while a batch is on its way, per-lease outcomes, and the fallbacks.

#include "update_channel.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/communication_state.h"
#include "fake_peer.h"
#include "lease_updater.h"
#include "updater_test_support.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using dhcpsrv::Lease4;
using Policy = LeaseUpdater::PartnerPolicy;

namespace {

/// server1 with `partner` as its load-balancing partner (4 connections, as Takahe's default),
/// sending it updates.
struct Setup : UpdaterSetup {
  explicit Setup(const FakePeer& partner)
      : UpdaterSetup(HaMode::kLoadBalancing,
                     {peerAt("server2", PeerRole::kSecondary, partner.port())}, 4) {
    updater->setPartnerPolicy(Policy::kSend);
  }
  std::optional<bool> bulk() const { return updater->bulkUpdates(*config.partner()); }
  /// Commits one lease and waits for its reply: the first update also asks the partner.
  void learn() {
    Packet p;
    p.commit(*updater, lot, {lease("192.0.2.250")});
    REQUIRE(waitFor([&] { return p.settled(); }));
    REQUIRE(waitFor([&] { return bulk().has_value(); }));
  }
};

/// Kea's lease6-bulk-apply answer shape, for IPv4.
Reply bulkAnswer(size_t n, std::optional<cc::Value> failures = std::nullopt) {
  return keaAnswer(0, "Bulk apply of " + std::to_string(n) + " IPv4 leases completed.",
                   std::move(failures));
}

size_t itemsIn(const Received& r) {
  return r.arguments->at("leases").asList().size() +
         r.arguments->at("deleted-leases").asList().size();
}

std::vector<Received> only(const std::vector<Received>& all, const std::string& command) {
  std::vector<Received> out;
  for (const auto& r : all) {
    if (r.command == command) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The lease4-bulk-apply body lists deleted leases and stored leases as Kea's v6 one") {
  LeaseUpdate del{"lease4-del", "192.0.2.20", lease("192.0.2.20")};
  LeaseUpdate up{"lease4-update", "192.0.2.104", lease("192.0.2.104")};
  const std::string one =
      R"({"client-id":"01:00:0c:01:02:10:00","expire":1795924963,"fqdn-fwd":false,"fqdn-rev":false,"hostname":"",)"
      R"("hw-address":"00:0c:01:02:10:00","ip-address":")";
  const std::string tail = R"(","state":0,"subnet-id":1,"valid-lft":600})";
  CHECK(bulkUpdateBody({&up, &del}) ==
        R"({"arguments":{"deleted-leases":[)" + one + "192.0.2.20" + tail +
            R"(],"leases":[)" + one + "192.0.2.104" + tail +
            R"(]},"command":"lease4-bulk-apply","service":["dhcp4"]})");
  // The body parses as a command with the lease lists Takahe's lease4-bulk-apply takes.
  cc::Command c = cc::parseCommand(cc::parseJson(bulkUpdateBody({&del})));
  CHECK(c.name == "lease4-bulk-apply");
  CHECK(c.arguments->at("leases").asList().empty());
  CHECK(c.arguments->at("deleted-leases").asList().size() == 1);
}

TEST_CASE("Each lease in a batch is written exactly as the lease4-del arguments") {
  // The bulk body writes lease JSON text directly; it must equal the general path's.
  auto l = lease("192.0.2.104");
  std::vector<std::shared_ptr<Lease4>> cases;
  cases.push_back(l);
  auto with_id = std::make_shared<Lease4>(*l);
  with_id->client_id = ClientId::fromString("01:00:0c:01:02:10:00");
  with_id->hostname = "host.example.org.";
  with_id->fqdn_fwd = true;
  with_id->state = dhcpsrv::LeaseState::kDeclined;
  with_id->pool_id = 3;
  cases.push_back(with_id);
  auto odd_name = std::make_shared<Lease4>(*l);
  odd_name->hostname = "a\"b\\c\x01";
  cases.push_back(odd_name);
  auto context = std::make_shared<Lease4>(*l);
  context->user_context = R"({"comment": "x", "n": [1, 2]})";
  cases.push_back(context);
  for (const auto& c : cases) {
    LeaseUpdate u{"lease4-update", c->address.toString(), c};
    cc::Command cmd = cc::parseCommand(cc::parseJson(bulkUpdateBody({&u})));
    const cc::Value& written = cmd.arguments->at("leases").asList().at(0);
    INFO(written.toJson());
    CHECK(written.toJson() == leaseDeleteArguments(*c).toJson());
    const std::string body = bulkUpdateBody({&u});
    CHECK(body.find(leaseDeleteArguments(*c).toJson()) != std::string::npos);
  }
}

TEST_CASE("Each update of a batch gets its own outcome from the bulk answer") {
  LeaseUpdate up{"lease4-update", "192.0.2.104", lease("192.0.2.104")};
  LeaseUpdate del{"lease4-del", "192.0.2.20", lease("192.0.2.20")};
  PeerAnswer whole;
  whole.ok = true;
  whole.result = 0;
  whole.text = "Bulk apply of 3 IPv4 leases completed.";
  whole.arguments = cc::parseJson(R"({
    "failed-deleted-leases": [{"ip-address": "192.0.2.20", "result": 3,
                               "error-message": "lease not found"}],
    "failed-leases": [{"ip-address": "192.0.2.105", "result": 1,
                       "error-message": "no subnet"}]})");
  CHECK(bulkItemAnswer(whole, up).result == 0);
  PeerAnswer d = bulkItemAnswer(whole, del);
  CHECK(d.result == 3);
  CHECK(d.text == "lease not found");
  LeaseUpdate other{"lease4-update", "192.0.2.105", lease("192.0.2.105")};
  PeerAnswer o = bulkItemAnswer(whole, other);
  CHECK(o.ok);
  CHECK(o.result == 1);
  CHECK(o.text == "no subnet");
  // A whole answer that failed or was refused is every update's answer.
  whole.result = 1;
  whole.text = "bad arguments";
  CHECK(bulkItemAnswer(whole, up).result == 1);
  CHECK(bulkItemAnswer(whole, up).text == "bad arguments");
  PeerAnswer broken;
  broken.error = "POST failed";
  CHECK_FALSE(bulkItemAnswer(broken, up).ok);
}

TEST_CASE("A Kea peer (no lease4-bulk-apply in list-commands) gets one update per lease") {
  FakePeer partner;  // answers list-commands as Kea 2.2 does
  partner.answer([](const Received&) { return keaAnswer(0, "IPv4 lease updated."); });
  Setup s(partner);
  LogCapture log;
  s.learn();
  CHECK(s.bulk() == false);
  CHECK(partner.listCommandsAsked() == 1);
  std::vector<std::unique_ptr<Packet>> pkts;
  for (int i = 0; i < 20; ++i) {
    pkts.push_back(std::make_unique<Packet>());
    pkts.back()->commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(100 + i))});
  }
  for (auto& p : pkts) {
    REQUIRE(waitFor([&] { return p->settled(); }));
    CHECK(p->resumed == 1);
  }
  CHECK(only(partner.received(), "lease4-bulk-apply").empty());
  CHECK(only(partner.received(), "lease4-update").size() == 21);
  CHECK(s.updater->updateRequests() == 21);
  CHECK(partner.listCommandsAsked() == 1);  // asked once
  REQUIRE(log.lines("HA_LEASE_UPDATES_SINGLE").size() == 1);
  CHECK_THAT(log.lines("HA_LEASE_UPDATES_SINGLE")[0], Catch::Contains("server2"));
}

TEST_CASE("A Takahe peer gets the updates committed while a batch is on its way in one request") {
  FakePeer partner;
  partner.takeBulkApply(true);
  partner.answer([](const Received& r) {
    Reply rep = r.command == "lease4-bulk-apply" ? bulkAnswer(itemsIn(r))
                                                 : keaAnswer(0, "IPv4 lease updated.");
    rep.delay = 150ms;  // batches stay on their way long enough for others to gather
    return rep;
  });
  Setup s(partner);
  LogCapture log;
  s.learn();
  REQUIRE(s.bulk() == true);
  CHECK(log.lines("HA_LEASE_UPDATES_BATCHED").size() == 1);
  const size_t singles_before = partner.count();  // the learning update went singly

  std::vector<std::unique_ptr<Packet>> pkts;
  for (int i = 0; i < 12; ++i) {
    pkts.push_back(std::make_unique<Packet>());
    Leases deleted;
    if (i == 5) {
      deleted.push_back(lease("192.0.2.9"));
    }
    pkts.back()->commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(100 + i))}, deleted);
    REQUIRE(pkts.back()->parked);
  }
  // The first kMaxBatchesInFlight updates leave at once, one per batch; the others wait for
  // a batch to come back and then leave together.
  constexpr size_t kFirst = UpdateChannel::kMaxBatchesInFlight;
  std::this_thread::sleep_for(50ms);
  for (auto& p : pkts) {
    CHECK_FALSE(p->settled());
  }
  for (auto& p : pkts) {
    REQUIRE(waitFor([&] { return p->settled(); }));
    CHECK(p->resumed == 1);
  }
  auto bulks = only(partner.received(), "lease4-bulk-apply");
  REQUIRE(bulks.size() == kFirst + 1);
  for (size_t i = 0; i < kFirst; ++i) {
    CHECK(itemsIn(bulks[i]) == 1);
  }
  CHECK(itemsIn(bulks[kFirst]) == 13 - kFirst);  // 12 stored leases + 1 deleted in all
  CHECK(bulks[kFirst].arguments->at("deleted-leases").asList().at(0).at("ip-address").asString() ==
        "192.0.2.9");
  CHECK(partner.count() == singles_before + kFirst + 1);
  CHECK(s.updater->sentUpdates() == 1 + 13);
  CHECK(s.updater->failedUpdates() == 0);
  CHECK(s.lot.size() == 0);
}

TEST_CASE("A lease deleted after being stored goes in a later batch than the store") {
  // The peer applies a batch's deletions before its stored leases: a release that follows an
  // allocation of the same address must not overtake it.
  FakePeer partner;
  partner.takeBulkApply(true);
  partner.answer([](const Received& r) {
    Reply rep = r.command == "lease4-bulk-apply" ? bulkAnswer(itemsIn(r))
                                                 : keaAnswer(0, "IPv4 lease updated.");
    rep.delay = 100ms;
    return rep;
  });
  Setup s(partner);
  s.learn();
  REQUIRE(s.bulk() == true);
  const size_t before = partner.count();
  Packet first, alloc, other, release, again;
  first.commit(*s.updater, s.lot, {lease("192.0.2.100")});  // leaves at once
  alloc.commit(*s.updater, s.lot, {lease("192.0.2.101")});  // these wait for it
  other.commit(*s.updater, s.lot, {lease("192.0.2.102")});
  release.commit(*s.updater, s.lot, {}, {lease("192.0.2.101")});
  again.commit(*s.updater, s.lot, {lease("192.0.2.101")});
  for (Packet* p : {&first, &alloc, &other, &release, &again}) {
    REQUIRE(waitFor([&] { return p->settled(); }));
    CHECK(p->resumed == 1);
  }
  auto got = partner.received();
  std::vector<std::string> order;  // "+addr" stored, "-addr" deleted, "|" between requests
  for (size_t i = before; i < got.size(); ++i) {
    for (const auto& l : got[i].arguments->at("deleted-leases").asList()) {
      order.push_back("-" + l.at("ip-address").asString());
    }
    for (const auto& l : got[i].arguments->at("leases").asList()) {
      order.push_back("+" + l.at("ip-address").asString());
    }
    order.push_back("|");
  }
  CHECK(order == std::vector<std::string>{"+192.0.2.100", "|", "+192.0.2.101", "+192.0.2.102",
                                          "|", "-192.0.2.101", "+192.0.2.101", "|"});
}

TEST_CASE("In a batch, a rejected lease drops only its own packet's reply") {
  FakePeer partner;
  partner.takeBulkApply(true);
  partner.answer([](const Received& r) {
    if (r.command != "lease4-bulk-apply") {
      return keaAnswer(0, "IPv4 lease updated.");
    }
    return bulkAnswer(itemsIn(r), cc::parseJson(R"({
      "failed-deleted-leases": [{"ip-address": "192.0.2.9", "result": 3,
                                 "error-message": "lease not found"}],
      "failed-leases": [{"ip-address": "192.0.2.101", "result": 1,
                         "error-message": "lease conflict"}]})"));
  });
  Setup s(partner);
  s.learn();
  REQUIRE(s.bulk() == true);
  Packet a, b, c;
  a.commit(*s.updater, s.lot, {lease("192.0.2.100")});
  b.commit(*s.updater, s.lot, {lease("192.0.2.101")});
  c.commit(*s.updater, s.lot, {lease("192.0.2.102")}, {lease("192.0.2.9")});
  for (Packet* p : {&a, &b, &c}) {
    REQUIRE(waitFor([&] { return p->settled(); }));
  }
  CHECK(a.resumed == 1);
  CHECK(b.dropped == 1);  // rejected: counted as Kea counts a rejected lease4-update
  CHECK(c.resumed == 1);  // a deleted lease the peer does not have is fine
  CHECK(s.state->rejectedLeaseUpdates() == 1);
}

TEST_CASE("A peer that stops knowing lease4-bulk-apply gets the same updates again singly") {
  FakePeer partner;
  partner.takeBulkApply(true);
  std::atomic<bool> knows{true};
  partner.answer([&](const Received& r) {
    if (r.command == "lease4-bulk-apply" && !knows) {
      return keaAnswer(2, "'lease4-bulk-apply' command not supported.");
    }
    return r.command == "lease4-bulk-apply" ? bulkAnswer(itemsIn(r))
                                            : keaAnswer(0, "IPv4 lease updated.");
  });
  Setup s(partner);
  s.learn();
  REQUIRE(s.bulk() == true);
  knows = false;
  const size_t before = partner.count();
  Packet p;
  p.commit(*s.updater, s.lot, {lease("192.0.2.100"), lease("192.0.2.101")});
  REQUIRE(waitFor([&] { return p.settled(); }));
  CHECK(p.resumed == 1);
  CHECK(s.bulk() == false);
  auto got = partner.received();
  std::vector<std::string> singles;
  size_t refused = 0;
  for (size_t i = before; i < got.size(); ++i) {
    if (got[i].command == "lease4-bulk-apply") {
      ++refused;
    } else if (got[i].command == "lease4-update") {
      singles.push_back(got[i].arguments->at("ip-address").asString());
    }
  }
  CHECK(refused >= 1);
  std::sort(singles.begin(), singles.end());
  CHECK(singles == std::vector<std::string>{"192.0.2.100", "192.0.2.101"});
}

TEST_CASE("A failed batch drops every reply in it; the partner is asked again later") {
  auto partner = std::make_unique<FakePeer>();
  partner->takeBulkApply(true);
  partner->answer([](const Received& r) {
    return r.command == "lease4-bulk-apply" ? bulkAnswer(itemsIn(r))
                                            : keaAnswer(0, "IPv4 lease updated.");
  });
  Setup s(*partner);
  s.learn();
  REQUIRE(s.bulk() == true);
  partner->answer([](const Received&) {
    Reply r;
    r.status = 500;
    r.body = "boom";
    return r;
  });
  Packet a, b;
  a.commit(*s.updater, s.lot, {lease("192.0.2.100")});
  b.commit(*s.updater, s.lot, {lease("192.0.2.101")});
  for (Packet* p : {&a, &b}) {
    REQUIRE(waitFor([&] { return p->settled(); }));
    CHECK(p->dropped == 1);
  }
  CHECK_FALSE(s.bulk().has_value());  // forgotten: asked again after a pause

  // Back to normal after partner-down: the partner is asked at once.
  s.updater->setPartnerPolicy(Policy::kCount);
  s.updater->setPartnerPolicy(Policy::kSend);
  partner->answer([](const Received& r) {
    return r.command == "lease4-bulk-apply" ? bulkAnswer(itemsIn(r))
                                            : keaAnswer(0, "IPv4 lease updated.");
  });
  const size_t asked = partner->listCommandsAsked();
  s.learn();
  CHECK(partner->listCommandsAsked() == asked + 1);
  CHECK(s.bulk() == true);
}
