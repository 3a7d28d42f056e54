// The HA state machine of one server against a scripted partner (a real HTTP server answering
// ha-heartbeat with the state each test sets): start-up and synchronisation, both servers
// starting together, failover by silence and by unanswered clients, return from partner-down,
// communication-recovery, maintenance, ha-reset, clock skew and rejected lease updates leading to
// terminated and (beyond Kea) out of it again, passive-backup and backup roles, pausing.
// Heartbeats every 100 ms, max-response-delay 400 ms.

#include <catch2/catch.hpp>

#include "ha_test_support.h"
#include "takahe/hooks/parking_lot.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using namespace std::chrono_literals;

namespace {

/// This server (the library under test), its DHCPv4 server, and its partner.
struct Pair {
  Partner partner;  // first: the first FakePeer of a process quiets the logs once
  LogCapture log;
  LocalServer server;
  std::unique_ptr<HaService> service;

  /// Load-balancing (or `mode`) with this server as `me` ("server1" primary or "server2").
  void make(const std::string& mode = "load-balancing", const std::string& me = "server1",
            const std::string& extra = "", ServiceOptions options = {}) {
    std::string other_role = mode == "hot-standby" ? "standby" : "secondary";
    std::string self_url = unusedUrl();
    std::vector<std::array<std::string, 3>> peers;
    if (me == "server1") {
      peers = {{"server1", self_url, "primary"}, {"server2", partner.peer.url(), other_role}};
    } else {
      peers = {{"server1", partner.peer.url(), "primary"}, {"server2", self_url, other_role}};
    }
    service =
        std::make_unique<HaService>(parseHaConfig(haParameters(me, mode, peers, extra)), options);
  }
  void start() { service->start(false); }
  bool reaches(HaState s, std::chrono::milliseconds limit = 5000ms) {
    return waitFor([&] { return service->state() == s; }, limit);
  }
  /// Stays in `s` for `period` (several heartbeats).
  bool stays(HaState s, std::chrono::milliseconds period = 500ms) {
    auto end = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < end) {
      if (service->state() != s) return false;
      std::this_thread::sleep_for(5ms);
    }
    return service->state() == s;
  }
  size_t heartbeats() const { return partner.count("ha-heartbeat"); }
  ~Pair() {
    if (service) service->stop();
    service.reset();
  }
};

std::vector<std::string> served(HaService& s) { return s.queryFilter().servedScopes(); }

/// Brings `p` (this server the primary) to load-balancing with a partner in load-balancing.
void toLoadBalancing(Pair& p) {
  p.partner.set("load-balancing", {"server2"});
  p.start();
  REQUIRE(p.reaches(HaState::kLoadBalancing));
}

}  // namespace

TEST_CASE("HA: a primary starting beside a load-balancing partner syncs, gets ready and balances") {
  Pair p;
  p.partner.leases = {testLease(10), testLease(11), testLease(12)};
  p.make();
  p.partner.set("load-balancing", {"server2"});
  CHECK(p.service->state() == HaState::kWaiting);
  p.start();
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  CHECK(transitioned(p.log, "waiting", "syncing"));
  CHECK(transitioned(p.log, "syncing", "ready"));
  CHECK(transitioned(p.log, "ready", "load-balancing"));
  // The transition line names the server, both states and the partner's state.
  auto lines = p.log.lines("HA_STATE_TRANSITION");
  REQUIRE(!lines.empty());
  CHECK(lines.front().find("HA state of server1 changed from waiting to syncing: partner server2 "
                           "is load-balancing") != std::string::npos);
  // The sync: the partner was disabled for sync-timeout (60 s) by ha-partner, paged (limit 2),
  // and told it is over; the three leases are in the local store.
  auto disables = p.partner.received("dhcp-disable");
  REQUIRE(!disables.empty());
  CHECK(disables[0].arguments->at("max-period").asInt() == 60);
  CHECK(disables[0].arguments->at("origin").asString() == "ha-partner");
  CHECK(p.partner.count("lease4-get-page") >= 2);
  CHECK(p.partner.count("ha-sync-complete-notify") == 1);
  CHECK(p.server.store->size() == 3);
  // Local service: off (ha-local) while waiting, on again in load-balancing.
  p.server.drain();
  auto executed = p.server.executedCommands();
  REQUIRE(executed.size() >= 2);
  CHECK(executed[0] == "dhcp-disable ha-local");
  CHECK(executed.back() == "dhcp-enable ha-local");
  CHECK(p.server.serving());
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
  CHECK(p.service->leaseUpdater().partnerPolicy() == LeaseUpdater::PartnerPolicy::kSend);
  cc::Value hb = p.service->heartbeatArguments();
  CHECK(hb.at("state").asString() == "load-balancing");
  CHECK(hb.at("scopes").toJson() == R"(["server1"])");
  CHECK(parseHttpDate(hb.at("date-time").asString()).has_value());
  // Queries: its own scope is served, the partner's is not.
  CHECK(p.service->acceptQuery(discoverIn(p.service->queryFilter(), "server1", 0, 1)));
  CHECK_FALSE(p.service->acceptQuery(discoverIn(p.service->queryFilter(), "server2", 0, 2)));
}

TEST_CASE("HA: both servers waiting — the primary goes first and becomes ready") {
  Pair p;
  p.make();
  p.partner.set("waiting");
  p.start();
  REQUIRE(p.reaches(HaState::kReady));
  // Ready waits while the partner synchronises, then the primary goes first.
  CHECK(p.stays(HaState::kReady, 400ms));
  CHECK_FALSE(p.server.serving());
  p.partner.set("ready");
  REQUIRE(p.reaches(HaState::kLoadBalancing));
}

TEST_CASE("HA: both servers waiting — the secondary waits for the primary, then follows it") {
  Pair p;
  p.make("load-balancing", "server2");
  p.partner.set("waiting");
  p.start();
  CHECK(p.stays(HaState::kWaiting, 500ms));
  CHECK(p.heartbeats() >= 3);
  CHECK(p.partner.count("dhcp-disable") == 0);
  p.partner.set("ready");
  REQUIRE(p.reaches(HaState::kReady));
  // Both ready: the secondary does not go first; it follows the primary into load-balancing.
  CHECK(p.stays(HaState::kReady, 400ms));
  p.partner.set("load-balancing", {"server1"});
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  CHECK(served(*p.service) == std::vector<std::string>{"server2"});
}

TEST_CASE(
    "HA: a server alone takes over after max-response-delay, and hands back when the partner is "
    "ready") {
  Pair p;
  p.make();
  p.partner.setOffline(true);
  auto t0 = std::chrono::steady_clock::now();
  p.start();
  // Not before max-response-delay (400 ms) of silence.
  CHECK(p.stays(HaState::kWaiting, 300ms));
  REQUIRE(p.reaches(HaState::kPartnerDown, 3000ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 350ms);
  CHECK(!p.log.lines("HA_COMMUNICATION_INTERRUPTED").empty());
  p.server.drain();
  CHECK(p.server.serving());
  CHECK(served(*p.service) == std::vector<std::string>{"server1", "server2"});
  CHECK(p.service->leaseUpdater().partnerPolicy() == LeaseUpdater::PartnerPolicy::kCount);
  // The partner comes back and synchronises: partner-down holds while it waits or syncs.
  p.partner.setOffline(false);
  p.partner.set("syncing");
  CHECK(p.stays(HaState::kPartnerDown, 300ms));
  p.partner.set("ready");
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
  CHECK(p.log.lines("HA_COMMUNICATION_INTERRUPTED").size() == 1);  // logged once
  CHECK(p.log.lines("HA_COMMUNICATION_RESTORED").size() == 1);
}

TEST_CASE("HA: partner-down goes back to waiting when the partner served clients too") {
  Pair p;
  p.make();
  p.partner.setOffline(true);
  p.start();
  REQUIRE(p.reaches(HaState::kPartnerDown, 3000ms));
  p.partner.setOffline(false);
  p.partner.set("partner-down", {"server1", "server2"});
  REQUIRE(p.reaches(HaState::kWaiting));
  // ... and resynchronises from it.
  p.partner.set("load-balancing", {"server2"});
  REQUIRE(p.reaches(HaState::kLoadBalancing));
}

TEST_CASE(
    "HA: load-balancing without the partner queues updates (communication-recovery) and sends them "
    "when it is back") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  p.partner.setOffline(true);
  REQUIRE(p.reaches(HaState::kCommunicationRecovery, 2000ms));
  CHECK(p.service->leaseUpdater().partnerPolicy() == LeaseUpdater::PartnerPolicy::kQueue);
  // A lease handed out meanwhile is queued, the reply not held.
  hooks::ParkingLot lot;
  auto lease = std::make_shared<dhcpsrv::Lease4>(testLease(50));
  int key = 0;
  CHECK_FALSE(p.service->leasesCommitted({lease}, {}, lot, &key));
  CHECK(p.service->leaseUpdater().queuedUpdates() == 1);
  p.partner.setOffline(false);
  p.partner.set("load-balancing", {"server2"});
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  auto updates = p.partner.received("lease4-update");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].arguments->at("ip-address").asString() == "192.0.2.50");
  CHECK(p.service->leaseUpdater().queuedUpdates() == 0);
}

TEST_CASE(
    "HA: communication-recovery past delayed-updates-limit asks the partner to resynchronise "
    "(ha-reset)") {
  Pair p;
  p.make("load-balancing", "server1", R"("delayed-updates-limit": 1)");
  toLoadBalancing(p);
  p.partner.setOffline(true);
  REQUIRE(p.reaches(HaState::kCommunicationRecovery, 2000ms));
  hooks::ParkingLot lot;
  std::vector<int> keys(3);
  for (int i = 0; i < 3; ++i) {
    auto lease = std::make_shared<dhcpsrv::Lease4>(testLease(80 + i));
    p.service->leasesCommitted({lease}, {}, lot, &keys[static_cast<size_t>(i)]);
  }
  CHECK(p.service->leaseUpdater().queueOverflowed());
  p.partner.setOffline(false);
  p.partner.set("load-balancing", {"server2"});
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  CHECK(p.partner.count("ha-reset") == 1);
  CHECK(p.partner.count("lease4-update") == 0);  // a full sync instead of single updates
  CHECK(!p.log.lines("HA_COMMUNICATION_RECOVERY_RESET").empty());
}

TEST_CASE("HA: partner-down goes to waiting when the ready partner has updates it could not send") {
  Pair p;
  p.make();
  p.partner.setOffline(true);
  p.start();
  REQUIRE(p.reaches(HaState::kPartnerDown, 3000ms));
  {
    std::lock_guard lock(p.partner.mu);
    p.partner.unsent = 5;  // it served clients it could not tell us about
    p.partner.offline = false;
    p.partner.state = "ready";
  }
  REQUIRE(p.reaches(HaState::kWaiting, 2000ms));
}

TEST_CASE(
    "HA: communication-recovery becomes partner-down after max-response-delay when no client must "
    "wait") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  p.partner.setOffline(true);
  REQUIRE(p.reaches(HaState::kCommunicationRecovery, 2000ms));
  REQUIRE(p.reaches(HaState::kPartnerDown, 3000ms));
}

TEST_CASE(
    "HA: with max-unacked-clients, failover needs more unanswered clients of the partner than the "
    "limit") {
  Pair p;
  // delayed-updates-limit 0: no communication-recovery, straight to failure detection.
  p.make("load-balancing", "server1", R"("max-unacked-clients": 2, "delayed-updates-limit": 0)");
  toLoadBalancing(p);
  p.partner.setOffline(true);
  // Interrupted (400 ms), but no client of the partner has been left unanswered.
  CHECK(p.stays(HaState::kLoadBalancing, 800ms));
  const auto& f = p.service->queryFilter();
  // A client of our own scope and a client that just started (secs 0) do not count.
  CHECK(p.service->acceptQuery(discoverIn(f, "server1", 30, 1)));
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server2", 0, 2)));
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server2", 5, 3)));
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server2", 5, 4)));
  CHECK(p.stays(HaState::kLoadBalancing, 300ms));  // 2 unacked: not more than 2
  cc::Value remote = p.service->statusJson().at("ha-servers").at("remote");
  CHECK(remote.at("unacked-clients").asInt() == 2);
  CHECK(remote.at("unacked-clients-left").asInt() == 1);
  CHECK(remote.at("communication-interrupted").asBool());
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server2", 5, 5)));
  REQUIRE(p.reaches(HaState::kPartnerDown, 1000ms));
  CHECK(served(*p.service) == std::vector<std::string>{"server1", "server2"});
}

TEST_CASE(
    "HA: a hot-standby primary takes over after max-response-delay without waiting for clients") {
  Pair p;
  p.make("hot-standby", "server1", R"("max-unacked-clients": 10)");
  p.partner.set("hot-standby");
  p.start();
  REQUIRE(p.reaches(HaState::kHotStandby));
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
  p.partner.setOffline(true);
  // No communication-recovery in hot-standby.
  REQUIRE(p.reaches(HaState::kPartnerDown, 3000ms));
  CHECK_FALSE(transitioned(p.log, "hot-standby", "communication-recovery"));
}

TEST_CASE(
    "HA: a hot-standby standby serves nobody and takes over only when clients are left "
    "unanswered") {
  Pair p;
  p.make("hot-standby", "server2", R"("max-unacked-clients": 1)");
  p.partner.set("hot-standby", {"server1"});
  p.start();
  REQUIRE(p.reaches(HaState::kHotStandby));
  CHECK(served(*p.service).empty());
  p.server.drain();
  CHECK(p.server.serving());  // on, to see the clients, but out of every scope
  p.partner.setOffline(true);
  CHECK(p.stays(HaState::kHotStandby, 800ms));
  const auto& f = p.service->queryFilter();
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server1", 5, 1)));
  CHECK(p.stays(HaState::kHotStandby, 300ms));
  CHECK_FALSE(p.service->acceptQuery(discoverIn(f, "server1", 5, 2)));
  REQUIRE(p.reaches(HaState::kPartnerDown, 1000ms));
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
}

TEST_CASE(
    "HA: (beyond Kea) a partner that is up but refuses us (TLS, basic auth) is never declared "
    "down") {
  Pair p;
  p.make();
  {
    std::lock_guard lock(p.partner.mu);
    p.partner.http_status = 401;
  }
  p.start();
  // Kea 2.2 goes partner-down from waiting here, and both servers serve every client.
  CHECK(p.stays(HaState::kWaiting, 1000ms));
  CHECK(p.log.lines("HA_PARTNER_ALIVE_NO_FAILOVER").size() == 1);
  CHECK(p.log.lines("HA_PARTNER_ALIVE_NO_FAILOVER")[0].find("HTTP 401") != std::string::npos);
  p.server.drain();
  CHECK(p.server.disabledBy("ha-local"));
  // Once it really stops answering, it is down.
  {
    std::lock_guard lock(p.partner.mu);
    p.partner.http_status = 200;
    p.partner.offline = true;
  }
  REQUIRE(p.reaches(HaState::kPartnerDown, 2000ms));
}

TEST_CASE("HA: auto-failover false keeps the server out of partner-down and says why once") {
  Pair p;
  std::string self_url = unusedUrl();
  std::string json =
      R"({"high-availability": [{"this-server-name": "server1", "mode": "load-balancing",
    "heartbeat-delay": 100, "max-response-delay": 300, "max-unacked-clients": 0, "delayed-updates-limit": 0,
    "peers": [{"name": "server1", "url": ")" +
      self_url + R"(", "role": "primary", "auto-failover": false},
              {"name": "server2", "url": ")" +
      p.partner.peer.url() + R"(", "role": "secondary"}]}]})";
  p.service = std::make_unique<HaService>(parseHaConfig(cc::parseJson(json)));
  toLoadBalancing(p);
  p.partner.setOffline(true);
  CHECK(p.stays(HaState::kLoadBalancing, 1000ms));
  CHECK(p.log.lines("HA_NO_AUTO_FAILOVER").size() == 1);
}

TEST_CASE(
    "HA: maintenance — the partner goes in-maintenance, this server serves everything, cancel "
    "returns both") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  CommandOutcome start = p.service->maintenanceStart();
  CHECK(start.result == 0);
  CHECK(start.text ==
        "Server is now in the partner-in-maintenance state and its partner is in-maintenance "
        "state. The partner can be "
        "now safely shut down.");
  CHECK(p.service->state() == HaState::kPartnerInMaintenance);
  auto notes = p.partner.received("ha-maintenance-notify");
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].arguments->at("cancel").asBool() == false);
  CHECK(served(*p.service) == std::vector<std::string>{"server1", "server2"});
  CHECK(p.service->leaseUpdater().partnerPolicy() == LeaseUpdater::PartnerPolicy::kSend);
  p.partner.set("in-maintenance");
  CHECK(p.stays(HaState::kPartnerInMaintenance, 300ms));
  CHECK(p.service->maintenanceStart().result == 1);  // already there
  CommandOutcome cancel = p.service->maintenanceCancel();
  CHECK(cancel.result == 0);
  CHECK(cancel.text == "Server maintenance successfully canceled.");
  CHECK(p.service->state() == HaState::kLoadBalancing);
  CHECK(p.partner.received("ha-maintenance-notify").back().arguments->at("cancel").asBool() ==
        true);
  CommandOutcome again = p.service->maintenanceCancel();
  CHECK(again.result == 1);
  CHECK(again.text ==
        "Unable to cancel maintenance request because the server is not in the "
        "partner-in-maintenance state.");
}

TEST_CASE("HA: partner-in-maintenance goes to partner-down as soon as the partner is shut down") {
  Pair p;
  p.make("load-balancing", "server1", R"("max-unacked-clients": 10)");
  toLoadBalancing(p);
  REQUIRE(p.service->maintenanceStart().result == 0);
  p.partner.set("in-maintenance");
  CHECK(p.stays(HaState::kPartnerInMaintenance, 250ms));
  p.partner.setOffline(true);
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(p.reaches(HaState::kPartnerDown, 2000ms));
  // At the first failed heartbeat, not after max-response-delay and unacked clients.
  CHECK(std::chrono::steady_clock::now() - t0 < 400ms);
}

TEST_CASE("HA: ha-maintenance-start with the partner already gone goes to partner-down") {
  Pair p;
  std::string self_url = unusedUrl();
  auto params =
      haParameters("server1", "load-balancing",
                   {{"server1", self_url, "primary"}, {"server2", unusedUrl(), "secondary"}});
  p.service = std::make_unique<HaService>(parseHaConfig(params));
  p.start();
  CommandOutcome out = p.service->maintenanceStart();
  CHECK(out.result == 0);
  CHECK(out.text ==
        "Server is now in the partner-down state as its partner appears to be offline for "
        "maintenance.");
  CHECK(p.service->state() == HaState::kPartnerDown);
}

TEST_CASE(
    "HA: ha-maintenance-notify puts this server in maintenance (service off) and takes it out") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  CommandOutcome in = p.service->maintenanceNotify(false);
  CHECK(in.result == 0);
  CHECK(in.text == "Server is in-maintenance state.");
  CHECK(p.service->state() == HaState::kInMaintenance);
  CHECK(served(*p.service).empty());
  p.server.drain();
  CHECK(p.server.disabledBy("ha-local"));
  CHECK(!p.log.lines("HA_MAINTENANCE_SHUTDOWN_SAFE").empty());
  p.partner.set("partner-in-maintenance", {"server1", "server2"});
  CHECK(p.stays(HaState::kInMaintenance, 300ms));
  CommandOutcome out = p.service->maintenanceNotify(true);
  CHECK(out.result == 0);
  CHECK(out.text == "Server maintenance canceled.");
  CHECK(p.service->state() == HaState::kLoadBalancing);
  CommandOutcome bad = p.service->maintenanceNotify(true);
  CHECK(bad.result == 1);
  CHECK(bad.text ==
        "Unable to cancel the maintenance for the server not in the in-maintenance state.");
}

TEST_CASE("HA: ha-reset sends the server back to waiting, and it resynchronises") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  size_t syncs = p.partner.count("ha-sync-complete-notify");
  p.service->reset();
  CHECK(p.service->state() == HaState::kWaiting);
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  CHECK(p.partner.count("ha-sync-complete-notify") == syncs + 1);
  CHECK(transitioned(p.log, "load-balancing", "waiting"));
}

TEST_CASE(
    "HA: clock skew warns once above 30 s, terminates above 60 s, and (beyond Kea) recovers once "
    "fixed") {
  Pair p;
  p.make();
  toLoadBalancing(p);
  p.partner.setSkew(45);
  CHECK(waitFor([&] { return !p.log.lines("HA_CLOCK_SKEW_WARN").empty(); }, 2000ms));
  CHECK(p.stays(HaState::kLoadBalancing, 300ms));
  CHECK(p.log.lines("HA_CLOCK_SKEW_WARN").size() == 1);
  p.partner.setSkew(-120);
  REQUIRE(p.reaches(HaState::kTerminated, 2000ms));
  CHECK(p.log.lines("HA_CLOCK_SKEW_TERMINATE").size() == 1);
  // Terminated: serves its own scope, sends no lease updates, keeps heartbeating.
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
  CHECK(p.service->leaseUpdater().partnerPolicy() == LeaseUpdater::PartnerPolicy::kNone);
  p.server.drain();
  CHECK(p.server.serving());
  size_t before = p.heartbeats();
  CHECK(p.stays(HaState::kTerminated, 400ms));
  CHECK(p.heartbeats() >= before + 2);
  CHECK(p.log.lines("HA_CLOCK_SKEW_TERMINATE").size() == 1);
  // The partner terminated too (Kea does); the clocks are fixed: the primary goes first.
  p.partner.set("terminated", {"server2"});
  p.partner.setSkew(0);
  REQUIRE(p.reaches(HaState::kWaiting, 2000ms));
  CHECK(!p.log.lines("HA_TERMINATED_RECOVER").empty());
  CHECK(p.log.lines("HA_CLOCK_SKEW_FIXED").size() == 1);
  p.partner.set("load-balancing", {"server2"});
  REQUIRE(p.reaches(HaState::kLoadBalancing));
}

TEST_CASE("HA: terminated by the partner, the secondary resynchronises when the partner restarts") {
  Pair p;
  p.make("load-balancing", "server2");
  p.partner.set("load-balancing", {"server1"});
  p.start();
  REQUIRE(p.reaches(HaState::kLoadBalancing));
  p.partner.set("terminated", {"server1"});
  REQUIRE(p.reaches(HaState::kTerminated, 2000ms));
  CHECK(p.stays(HaState::kTerminated, 400ms));
  p.partner.set("waiting");  // restarted
  REQUIRE(p.reaches(HaState::kWaiting, 2000ms));
  p.partner.set("ready");
  REQUIRE(p.reaches(HaState::kReady));
}

TEST_CASE(
    "HA: rejected lease updates above the limit terminate; a restarted partner brings it back") {
  Pair p;
  p.make("load-balancing", "server1", R"("max-rejected-lease-updates": 2)");
  toLoadBalancing(p);
  {
    std::lock_guard lock(p.partner.mu);
    p.partner.update_result = 1;
  }
  hooks::ParkingLot lot;
  std::vector<int> keys(2);
  for (int i = 0; i < 2; ++i) {
    auto lease = std::make_shared<dhcpsrv::Lease4>(testLease(60 + i));
    CHECK(p.service->leasesCommitted({lease}, {}, lot, &keys[static_cast<size_t>(i)]));
  }
  REQUIRE(p.reaches(HaState::kTerminated, 2000ms));
  CHECK(p.log.lines("HA_LEASE_UPDATES_REJECTED_TERMINATE").size() == 1);
  // Unlike clock skew, this cause needs the partner to restart (or ha-reset).
  CHECK(p.stays(HaState::kTerminated, 400ms));
  {
    std::lock_guard lock(p.partner.mu);
    p.partner.update_result = 0;
  }
  p.partner.set("waiting");
  REQUIRE(p.reaches(HaState::kWaiting, 2000ms));
  CHECK(p.partner.received("ha-heartbeat").size() > 0);
}

TEST_CASE("HA: a restarted server waits for a partner stuck in terminated, then serves alone") {
  Pair p;
  ServiceOptions opts;
  opts.terminated_partner_wait = 500ms;
  p.make("load-balancing", "server1", "", opts);
  p.partner.set("terminated", {"server2"});
  p.start();
  CHECK(p.stays(HaState::kWaiting, 300ms));
  REQUIRE(p.reaches(HaState::kTerminated, 2000ms));
  CHECK(p.log.lines("HA_PARTNER_TERMINATED_WAIT").size() == 1);
  // It does not bounce back to waiting while that partner stays terminated.
  CHECK(p.stays(HaState::kTerminated, 400ms));
}

TEST_CASE("HA: pause once in waiting; ha-continue resumes") {
  Pair p;
  p.make("load-balancing", "server1",
         R"("state-machine": {"states": [{"state": "waiting", "pause": "once"}]})");
  p.partner.set("load-balancing", {"server2"});
  p.start();
  CHECK(p.stays(HaState::kWaiting, 400ms));
  CHECK(p.service->paused());
  CHECK(p.heartbeats() >= 2);  // heartbeats go on while paused
  CHECK(p.service->resume());
  CHECK_FALSE(p.service->resume());
  REQUIRE(p.reaches(HaState::kLoadBalancing));
}

TEST_CASE(
    "HA: passive-backup — the primary serves everything, heartbeats nobody, updates its backup") {
  Pair p;
  std::string self_url = unusedUrl();
  auto params =
      haParameters("server1", "passive-backup",
                   {{"server1", self_url, "primary"}, {"server2", p.partner.peer.url(), "backup"}});
  p.service = std::make_unique<HaService>(parseHaConfig(params));
  p.start();
  REQUIRE(p.reaches(HaState::kPassiveBackup));
  p.server.drain();
  CHECK(p.server.serving());
  CHECK(served(*p.service) == std::vector<std::string>{"server1"});
  CHECK(p.service->partnerState() == nullptr);
  hooks::ParkingLot lot;
  int key = 0;
  auto lease = std::make_shared<dhcpsrv::Lease4>(testLease(70));
  CHECK_FALSE(p.service->leasesCommitted({lease}, {}, lot, &key));  // wait-backup-ack false
  REQUIRE(waitFor([&] { return p.partner.count("lease4-update") == 1; }));
  std::this_thread::sleep_for(300ms);
  CHECK(p.heartbeats() == 0);
  CHECK(!p.service->statusJson().at("ha-servers").contains("remote"));
}

TEST_CASE("HA: a backup server serves nobody and heartbeats nobody") {
  Pair p;
  std::string self_url = unusedUrl();
  auto params = haParameters("server3", "load-balancing",
                             {{"server1", p.partner.peer.url(), "primary"},
                              {"server2", unusedUrl(), "secondary"},
                              {"server3", self_url, "backup"}});
  p.service = std::make_unique<HaService>(parseHaConfig(params));
  p.start();
  REQUIRE(p.reaches(HaState::kBackup));
  p.server.drain();
  CHECK(p.server.disabledBy("ha-local"));
  CHECK(served(*p.service).empty());
  std::this_thread::sleep_for(300ms);
  CHECK(p.heartbeats() == 0);
  CHECK(p.service->heartbeatArguments().at("state").asString() == "backup");
  cc::Value local = p.service->statusJson().at("ha-servers").at("local");
  CHECK(local.at("role").asString() == "backup");
  // ha-reset on a backup: back to backup at once.
  p.service->reset();
  CHECK(p.service->state() == HaState::kBackup);
}

TEST_CASE("HA: stop() joins the HA thread and leaves the local service to releaseLocalService()") {
  Pair p;
  p.make();
  p.partner.set("waiting");
  p.start();
  REQUIRE(waitFor([&] { return p.heartbeats() >= 1; }));
  p.server.drain();
  CHECK(p.server.disabledBy("ha-local"));
  p.service->stop();
  size_t after_stop = p.heartbeats();
  std::this_thread::sleep_for(300ms);
  CHECK(p.heartbeats() == after_stop);
  p.service->releaseLocalService();
  p.server.drain();
  CHECK(p.server.serving());
}
