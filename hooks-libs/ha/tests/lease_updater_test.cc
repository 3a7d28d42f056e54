// LeaseUpdater against fake Kea peers: the exact lease4-update / lease4-del it sends, the
// parked reply released on the acks it needs (or dropped on a failure or rejection), the
// partner policies, the communication-recovery queue, and the rate of updates to a local peer.

#include "lease_updater.h"

#include <catch2/catch.hpp>
#include <future>

#include "core/communication_state.h"
#include "fake_peer.h"
#include "updater_test_support.h"
#include "takahe/hooks/parking_lot.h"
#include "takahe/http/event_thread.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using dhcpsrv::Lease4;
using Policy = LeaseUpdater::PartnerPolicy;
using Setup = UpdaterSetup;

namespace {

std::string addressOf(const Received& r) {
  return r.arguments ? r.arguments->at("ip-address").asString() : "";
}

}  // namespace

TEST_CASE("lease4-update and lease4-del carry the lease as Kea 2.2 sends it") {
  Lease4 l = *lease("192.0.2.104");
  l.pool_id = 7;  // not sent: the partner takes the pool from its own configuration
  CHECK(LeaseUpdater::updateArguments(l).toJson() ==
        R"({"client-id":"01:00:0c:01:02:10:00","expire":1795924963,"force-create":true,)"
        R"("fqdn-fwd":false,"fqdn-rev":false,"hostname":"","hw-address":"00:0c:01:02:10:00",)"
        R"("ip-address":"192.0.2.104","state":0,"subnet-id":1,"valid-lft":600})");
  CHECK(LeaseUpdater::deleteArguments(l).toJson() ==
        R"({"client-id":"01:00:0c:01:02:10:00","expire":1795924963,"fqdn-fwd":false,)"
        R"("fqdn-rev":false,"hostname":"","hw-address":"00:0c:01:02:10:00",)"
        R"("ip-address":"192.0.2.104","state":0,"subnet-id":1,"valid-lft":600})");

  l.client_id = ClientId();
  l.hostname = "host.example.org.";
  l.fqdn_fwd = true;
  l.state = dhcpsrv::LeaseState::kDeclined;
  l.user_context = R"({"comment": "x"})";
  CHECK(LeaseUpdater::updateArguments(l).toJson() ==
        R"({"expire":1795924963,"force-create":true,"fqdn-fwd":true,"fqdn-rev":false,)"
        R"("hostname":"host.example.org.","hw-address":"00:0c:01:02:10:00",)"
        R"("ip-address":"192.0.2.104","state":1,"subnet-id":1,"user-context":{"comment":"x"},)"
        R"("valid-lft":600})");
}

TEST_CASE("The reply is parked until the partner acknowledges every update") {
  FakePeer partner;
  partner.answer([](const Received& r) {
    Reply rep = keaAnswer(0, r.command == "lease4-del" ? "IPv4 lease deleted." : "IPv4 lease added.");
    rep.delay = 200ms;  // long enough to see the reply held
    return rep;
  });
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())});
  s.updater->setPartnerPolicy(Policy::kSend);
  Packet pkt;
  pkt.commit(*s.updater, s.lot, {lease("192.0.2.104"), lease("192.0.2.105")},
             {lease("192.0.2.20")});
  REQUIRE(pkt.parked);
  std::this_thread::sleep_for(100ms);
  CHECK(s.lot.isParked(&pkt));
  CHECK(pkt.resumed == 0);
  REQUIRE(waitFor([&] { return pkt.settled(); }));
  CHECK(pkt.resumed == 1);
  CHECK(pkt.dropped == 0);
  CHECK(s.lot.size() == 0);
  CHECK(s.updater->sentUpdates() == 3);
  CHECK(s.updater->failedUpdates() == 0);

  // Deleted leases first, then the stored ones, each the exact Kea 2.2 body.
  auto got = partner.received();
  REQUIRE(got.size() == 3);
  CHECK(got[0].body == makeCommandBody("lease4-del", LeaseUpdater::deleteArguments(*lease("192.0.2.20"))));
  CHECK(got[1].body ==
        R"({"arguments":{"client-id":"01:00:0c:01:02:10:00","expire":1795924963,"force-create":true,)"
        R"("fqdn-fwd":false,"fqdn-rev":false,"hostname":"","hw-address":"00:0c:01:02:10:00",)"
        R"("ip-address":"192.0.2.104","state":0,"subnet-id":1,"valid-lft":600},)"
        R"("command":"lease4-update","service":["dhcp4"]})");
  CHECK(addressOf(got[2]) == "192.0.2.105");
}

TEST_CASE("A packet without leases, or with updates switched off, is not parked") {
  FakePeer partner;
  SECTION("no leases") {
    Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())});
    s.updater->setPartnerPolicy(Policy::kSend);
    Packet pkt;
    pkt.commit(*s.updater, s.lot, {});
    CHECK_FALSE(pkt.parked);
  }
  SECTION("send-lease-updates false") {
    Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())}, 1,
            [](HaConfig& c) { c.send_lease_updates = false; });
    s.updater->setPartnerPolicy(Policy::kSend);
    Packet pkt;
    pkt.commit(*s.updater, s.lot, {lease("192.0.2.104")});
    CHECK_FALSE(pkt.parked);
    CHECK(s.updater->unsentUpdateCount() == 0);
  }
  std::this_thread::sleep_for(50ms);
  CHECK(partner.count() == 0);
}

TEST_CASE("A failed update drops the parked reply and is logged once per burst") {
  Setup s(HaMode::kHotStandby, {peerAt("server2", PeerRole::kStandby, closedPort())});
  s.updater->setPartnerPolicy(Policy::kSend);
  LogCapture log;
  std::vector<std::unique_ptr<Packet>> pkts;
  for (int i = 0; i < 3; ++i) {
    pkts.push_back(std::make_unique<Packet>());
    pkts.back()->commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(100 + i))});
    REQUIRE(pkts.back()->parked);
  }
  for (auto& p : pkts) {
    REQUIRE(waitFor([&] { return p->settled(); }));
    CHECK(p->dropped == 1);
    CHECK(p->resumed == 0);
  }
  CHECK(s.lot.size() == 0);
  CHECK(s.updater->failedUpdates() == 3);
  auto lines = log.lines("HA_LEASE_UPDATE_FAILED");
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("WARN"));
  CHECK_THAT(lines[0], Catch::Contains("lease updates to HA peer server2 (" +
                                       s.config.peers[1].url + ") fail: lease4-update 192.0.2.10"));
  CHECK_THAT(lines[0], Catch::Contains("Connection refused"));
}

TEST_CASE("A rejected update drops the reply and counts until the lease is accepted") {
  FakePeer partner;
  std::atomic<bool> reject{true};
  partner.answer([&](const Received&) {
    return reject ? keaAnswer(1, "lease conflict") : keaAnswer(0, "IPv4 lease updated.");
  });
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())});
  s.updater->setPartnerPolicy(Policy::kSend);
  LogCapture log;

  Packet first;
  first.commit(*s.updater, s.lot, {lease("192.0.2.104")});
  REQUIRE(waitFor([&] { return first.settled(); }));
  CHECK(first.dropped == 1);
  CHECK(s.state->rejectedLeaseUpdates() == 1);
  CHECK(log.lines("HA_LEASE_UPDATE_REJECTED").size() == 1);
  CHECK(log.lines("HA_LEASE_UPDATE_FAILED").empty());  // the peer answered: not a link failure

  reject = false;
  Packet second;
  second.commit(*s.updater, s.lot, {lease("192.0.2.104")});
  REQUIRE(waitFor([&] { return second.settled(); }));
  CHECK(second.resumed == 1);
  CHECK(s.state->rejectedLeaseUpdates() == 0);
}

TEST_CASE("An answer that arrives before the server parks the reply still settles it") {
  FakePeer partner;
  std::atomic<bool> reject{false};
  partner.answer([&](const Received&) {
    return reject ? keaAnswer(1, "lease conflict") : keaAnswer(0, "IPv4 lease added.");
  });
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())});
  s.updater->setPartnerPolicy(Policy::kSend);
  Packet pkt;
  reject = GENERATE(false, true);
  REQUIRE(s.updater->leasesCommitted({lease("192.0.2.104")}, {}, s.lot, &pkt));
  REQUIRE(waitFor([&] { return s.updater->sentUpdates() + s.updater->failedUpdates() == 1; }));
  std::this_thread::sleep_for(20ms);
  REQUIRE(s.lot.park(&pkt, [&] { ++pkt.resumed; }, [&] { ++pkt.dropped; }));
  REQUIRE(waitFor([&] { return pkt.settled(); }));
  CHECK(pkt.resumed == (reject ? 0 : 1));
  CHECK(pkt.dropped == (reject ? 1 : 0));
  CHECK(s.lot.size() == 0);
}

TEST_CASE("Passive-backup with wait-backup-ack releases the reply after every backup's ack") {
  FakePeer fast, slow;
  slow.answer([](const Received&) {
    Reply r = keaAnswer(0, "IPv4 lease added.");
    r.delay = 300ms;
    return r;
  });
  Setup s(HaMode::kPassiveBackup,
          {peerAt("server2", PeerRole::kBackup, fast.port()),
           peerAt("server3", PeerRole::kBackup, slow.port())},
          1, [](HaConfig& c) { c.wait_backup_ack = true; });
  s.updater->setSendToBackups(true);
  Packet pkt;
  pkt.commit(*s.updater, s.lot, {lease("192.0.2.104"), lease("192.0.2.105")});
  REQUIRE(pkt.parked);
  REQUIRE(waitFor([&] { return fast.count() == 2; }));
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(pkt.settled());  // server3 has not answered yet
  REQUIRE(waitFor([&] { return pkt.settled(); }));
  CHECK(pkt.resumed == 1);
  CHECK(slow.count() == 2);
  CHECK(s.updater->sentUpdates() == 4);

  SECTION("one backup failing drops the reply") {
    slow.answer([](const Received&) {
      Reply r;
      r.status = 503;
      return r;
    });
    Packet next;
    next.commit(*s.updater, s.lot, {lease("192.0.2.106")});
    REQUIRE(waitFor([&] { return next.settled(); }));
    CHECK(next.dropped == 1);
  }
}

TEST_CASE("Backups without wait-backup-ack get the updates but do not hold the reply") {
  FakePeer partner, backup;
  backup.answer([](const Received&) {
    Reply r = keaAnswer(0, "IPv4 lease added.");
    r.delay = 500ms;
    return r;
  });
  Setup s(HaMode::kLoadBalancing,
          {peerAt("server2", PeerRole::kSecondary, partner.port()),
           peerAt("server3", PeerRole::kBackup, backup.port())});
  s.updater->setPartnerPolicy(Policy::kSend);
  s.updater->setSendToBackups(true);
  Packet pkt;
  pkt.commit(*s.updater, s.lot, {lease("192.0.2.104")});
  REQUIRE(pkt.parked);
  REQUIRE(waitFor([&] { return pkt.settled(); }, 400ms));  // before the backup answers
  CHECK(pkt.resumed == 1);
  REQUIRE(waitFor([&] { return backup.count() == 1 && s.updater->sentUpdates() == 2; }));
  CHECK(backup.received()[0].command == "lease4-update");

  SECTION("a backup alone (partner counted) parks nothing") {
    s.updater->setPartnerPolicy(Policy::kCount);
    Packet p2;
    p2.commit(*s.updater, s.lot, {lease("192.0.2.105")});
    CHECK_FALSE(p2.parked);
    CHECK(s.updater->unsentUpdateCount() == 1);
    REQUIRE(waitFor([&] { return backup.count() == 2; }));
  }
}

TEST_CASE("Partner policies: count per lease update, or nothing") {
  FakePeer partner;
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())});
  CHECK(s.updater->partnerPolicy() == Policy::kNone);  // until the state machine decides
  Packet a, b, c;
  a.commit(*s.updater, s.lot, {lease("192.0.2.104")});
  CHECK_FALSE(a.parked);
  CHECK(s.updater->unsentUpdateCount() == 0);

  s.updater->setPartnerPolicy(Policy::kCount);
  b.commit(*s.updater, s.lot, {lease("192.0.2.104"), lease("192.0.2.105")}, {lease("192.0.2.9")});
  c.commit(*s.updater, s.lot, {lease("192.0.2.106")});
  CHECK_FALSE(b.parked);
  CHECK_FALSE(c.parked);
  CHECK(s.updater->unsentUpdateCount() == 4);
  std::this_thread::sleep_for(50ms);
  CHECK(partner.count() == 0);
}

TEST_CASE("Communication-recovery queues updates and sends them in order when asked") {
  FakePeer partner;
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())}, 4,
          [](HaConfig& c) { c.delayed_updates_limit = 10; });
  s.updater->setPartnerPolicy(Policy::kQueue);
  for (int i = 0; i < 6; ++i) {
    Packet p;
    p.commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(110 - i))},
             i == 2 ? Leases{lease("192.0.2.50")} : Leases{});
    CHECK_FALSE(p.parked);
  }
  CHECK(s.updater->queuedUpdates() == 7);
  CHECK_FALSE(s.updater->queueOverflowed());
  std::this_thread::sleep_for(50ms);
  CHECK(partner.count() == 0);

  CHECK(s.sendQueued());
  CHECK(s.updater->queuedUpdates() == 0);
  auto got = partner.received();
  std::vector<std::string> order;
  for (const auto& r : got) {
    order.push_back(r.command.substr(7) + " " + addressOf(r));
  }
  CHECK(order == std::vector<std::string>{"update 192.0.2.110", "update 192.0.2.109",
                                          "del 192.0.2.50", "update 192.0.2.108",
                                          "update 192.0.2.107", "update 192.0.2.106",
                                          "update 192.0.2.105"});
  CHECK(s.updater->sentUpdates() == 7);
}

TEST_CASE("Queued updates stop at the first failure and stay queued") {
  FakePeer partner;
  std::atomic<int> answered{0};
  partner.answer([&](const Received&) {
    if (++answered == 3) {
      Reply r;
      r.status = 500;
      return r;
    }
    return keaAnswer(0, "IPv4 lease updated.");
  });
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())}, 1);
  s.updater->setPartnerPolicy(Policy::kQueue);
  for (int i = 0; i < 5; ++i) {
    Packet p;
    p.commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(100 + i))});
  }
  LogCapture log;
  CHECK_FALSE(s.sendQueued());
  CHECK(partner.count() == 3);
  CHECK(s.updater->queuedUpdates() == 3);  // the failed one and the two after it
  CHECK(log.lines("HA_LEASE_UPDATES_QUEUE_STOPPED").size() == 1);

  // Next time it goes on from the failed one.
  CHECK(s.sendQueued());
  auto got = partner.received();
  REQUIRE(got.size() == 6);
  CHECK(addressOf(got[3]) == "192.0.2.102");
  CHECK(addressOf(got[5]) == "192.0.2.104");
}

TEST_CASE("More updates than delayed-updates-limit overflow the queue") {
  FakePeer partner;
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())}, 1,
          [](HaConfig& c) { c.delayed_updates_limit = 3; });
  s.updater->setPartnerPolicy(Policy::kQueue);
  LogCapture log;
  for (int i = 0; i < 5; ++i) {
    Packet p;
    p.commit(*s.updater, s.lot, {lease("192.0.2." + std::to_string(100 + i))});
  }
  CHECK(s.updater->queuedUpdates() == 3);
  CHECK(s.updater->queueOverflowed());
  CHECK(s.updater->unsentUpdateCount() == 2);
  CHECK(log.lines("HA_LEASE_UPDATES_QUEUE_FULL").size() == 1);
  CHECK_FALSE(s.sendQueued());  // a full sync is needed: nothing is sent
  CHECK(partner.count() == 0);

  s.updater->clearQueue();
  CHECK(s.updater->queuedUpdates() == 0);
  CHECK_FALSE(s.updater->queueOverflowed());
  CHECK(s.sendQueued());
}

TEST_CASE("Lease update rate to a local peer", "[.bench]") {
  const unsigned connections = GENERATE(1u, 4u);
  FakePeer partner;
  Setup s(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, partner.port())},
          connections);
  s.updater->setPartnerPolicy(Policy::kSend);
  constexpr int kUpdates = 10000;
  std::vector<std::unique_ptr<Packet>> pkts;
  pkts.reserve(kUpdates);
  std::atomic<int> done{0};
  hooks::ParkingLot lot(kUpdates);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kUpdates; ++i) {
    auto p = std::make_unique<Packet>();
    Packet* raw = p.get();
    auto l = lease("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
    REQUIRE(s.updater->leasesCommitted({l}, {}, lot, raw));
    REQUIRE(lot.park(raw, [&done] { ++done; }, [&done] { ++done; }));
    pkts.push_back(std::move(p));
  }
  REQUIRE(waitFor([&] { return done == kUpdates; }, 120s));
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(s.updater->sentUpdates() == kUpdates);
  WARN(kUpdates << " parked lease updates acknowledged by a local fake peer over " << connections
                << " connections in " << secs << " s: " << static_cast<int>(kUpdates / secs)
                << " updates/s");
}
