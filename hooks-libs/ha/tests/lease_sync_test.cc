// LeaseSync against a fake Kea peer serving 2.5 pages of leases: the command sequence Kea 2.2
// sends, the pages' "from", the leases stored in a real memfile store on the packet thread with
// the statistics kept, newer local leases kept, and failures reported.

#include "lease_sync.h"

#include <catch2/catch.hpp>
#include <future>
#include <map>

#include "fake_peer.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/lease_json.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/http/event_thread.h"
#include "takahe/stats/stats_store.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using dhcpsrv::Lease4;

namespace {

constexpr const char* kConfig = R"({"Dhcp4": {
  "valid-lifetime": 600,
  "subnet4": [
    {"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.200", "pool-id": 5}]}
  ]}})";

constexpr int64_t kCltt = 1795924340;

Lease4 makeLease(int host, int64_t cltt = kCltt) {
  Lease4 l;
  l.address = IPv4Address::fromString("192.0.2." + std::to_string(host));
  l.hwaddr = HwAddr::fromString("00:0c:01:02:03:" + std::to_string(10 + host % 90));
  l.client_id = ClientId::fromString("01:00:0c:01:02:03:" + std::to_string(10 + host % 90));
  l.valid_lifetime = 600;
  l.cltt = cltt;
  l.subnet_id = SubnetId(1);
  l.pool_id = 5;
  return l;
}

/// The local server: configuration, memfile store, statistics, and its packet thread.
struct LocalServer {
  takahe::testing::TempDir dir;
  dhcpsrv::SrvConfig4Ptr cfg = dhcpsrv::parseDhcp4Config(cc::parseConfigText(kConfig, "t.json"));
  std::unique_ptr<dhcpsrv::MemfileLeaseStore4> store;
  stats::StatsStore stats;
  http::EventThread packet_thread{"packet"};
  std::atomic<int> posted{0};
  std::atomic<bool> stored_on_packet_thread{true};
  dhcpsrv::ServerServices4 services;

  LocalServer() {
    dhcpsrv::MemfileConfig mc;
    mc.path = dir.file("leases4.csv");
    store = std::make_unique<dhcpsrv::MemfileLeaseStore4>(mc);
    stats.set("subnet[1].assigned-addresses", 0);
    stats.set("subnet[1].declined-addresses", 0);
    stats.set("declined-addresses", 0);
    services.leases = store.get();
    services.stats = &stats;
    services.config = [this] { return cfg; };
    services.post = [this](std::function<void()> fn) {
      packet_thread.post([this, fn = std::move(fn)] {
        ++posted;
        fn();
      });
    };
    dhcpsrv::setServerServices4(&services);
  }
  ~LocalServer() {
    packet_thread.stop();
    dhcpsrv::setServerServices4(nullptr);
  }
  /// Adds a lease as the server's own allocation would (store + statistics).
  void allocate(const Lease4& l) {
    REQUIRE(store->add(l));
    stats.add("subnet[1].assigned-addresses", 1);
  }
  int64_t assigned() { return stats.value("subnet[1].assigned-addresses"); }
};

/// A Kea peer holding `leases`, answering lease4-get-page as lease_cmds does.
struct LeasePeer {
  FakePeer fake;
  std::map<uint32_t, Lease4> leases;  // by address
  std::atomic<int> notify_result{0};
  std::function<std::optional<Reply>(const Received&, int page)> override_page;
  std::atomic<int> pages{0};

  explicit LeasePeer(int count, int first = 10) {
    for (int i = 0; i < count; ++i) {
      Lease4 l = makeLease(first + i);
      leases[l.address.toUint()] = l;
    }
    fake.answer([this](const Received& r) { return answer(r); });
  }

  Reply answer(const Received& r) {
    if (r.command == "dhcp-disable") {
      return keaAnswer(0, "DHCPv4 service disabled for " +
                              std::to_string(r.arguments->at("max-period").asInt()) + " seconds");
    }
    if (r.command == "dhcp-enable") {
      return keaAnswer(0, "DHCP service successfully enabled");
    }
    if (r.command == "ha-sync-complete-notify") {
      return notify_result == 0
                 ? keaAnswer(0, "Server successfully notified about the synchronization completion.")
                 : keaAnswer(notify_result, "'ha-sync-complete-notify' command not supported.");
    }
    if (r.command != "lease4-get-page") {
      return keaAnswer(2, "'" + r.command + "' command not supported.");
    }
    int page = ++pages;
    if (override_page) {
      if (auto rep = override_page(r, page)) {
        return *rep;
      }
    }
    const std::string from = r.arguments->at("from").asString();
    const auto limit = static_cast<size_t>(r.arguments->at("limit").asInt());
    auto it = from == "start" ? leases.begin()
                              : leases.upper_bound(IPv4Address::fromString(from).toUint());
    cc::Value list = cc::Value::makeList();
    for (; it != leases.end() && list.size() < limit; ++it) {
      list.push(dhcpsrv::leaseToJson(it->second));
    }
    cc::Value args = cc::Value::makeMap();
    const size_t n = list.size();
    args.set("count", static_cast<int64_t>(n));
    args.set("leases", std::move(list));
    return keaAnswer(n == 0 ? 3 : 0, std::to_string(n) + " IPv4 lease(s) found.", args);
  }

  /// "command" or "command(from)" for each request, in order.
  std::vector<std::string> sequence() const {
    std::vector<std::string> out;
    for (const auto& r : fake.received()) {
      std::string s = r.command;
      if (r.command == "lease4-get-page") {
        s += "(" + r.arguments->at("from").asString() + "," +
             std::to_string(r.arguments->at("limit").asInt()) + ")";
      }
      out.push_back(s);
    }
    return out;
  }
};

struct Syncer {
  http::EventThread ha{"ha-test"};
  HaConfig config;
  std::unique_ptr<PeerLink> link;
  std::unique_ptr<LeaseSync> sync;

  Syncer(uint16_t port, uint32_t page_limit) {
    config = configWith(HaMode::kLoadBalancing, {peerAt("server2", PeerRole::kSecondary, port)});
    config.sync_page_limit = page_limit;
    config.sync_timeout_ms = 5000;
    link = std::make_unique<PeerLink>(ha, config, 1);
    sync = std::make_unique<LeaseSync>(config, *link);
  }
  ~Syncer() {
    sync.reset();
    link.reset();
    ha.stop();
  }
  SyncResult run(bool disable_peer = true, uint32_t max_period = 60) {
    std::promise<SyncResult> p;
    ha.post([&] {
      sync->start(config.peers[1], max_period, disable_peer,
                  [&](SyncResult r) { p.set_value(std::move(r)); });
    });
    auto f = p.get_future();
    REQUIRE(f.wait_for(20s) == std::future_status::ready);
    return f.get();
  }
};

std::vector<std::string> expectedSequence(std::vector<std::string> pages_from, int limit,
                                          bool disable = true) {
  std::vector<std::string> out;
  for (const auto& from : pages_from) {
    if (disable) {
      out.push_back("dhcp-disable");
    }
    out.push_back("lease4-get-page(" + from + "," + std::to_string(limit) + ")");
  }
  if (disable) {
    out.push_back("ha-sync-complete-notify");
  }
  return out;
}

}  // namespace

TEST_CASE("storePage adds new leases, replaces older ones, keeps newer local ones") {
  LogCapture::quiet();
  LocalServer local;
  local.allocate(makeLease(20, kCltt + 1000));  // expires later than the peer's: kept
  local.allocate(makeLease(21, kCltt - 1000));  // expires earlier: replaced
  Lease4 declined = makeLease(22);
  declined.state = dhcpsrv::LeaseState::kDeclined;
  declined.hwaddr = HwAddr();

  cc::Value page = cc::Value::makeList();
  page.push(dhcpsrv::leaseToJson(makeLease(20)));
  page.push(dhcpsrv::leaseToJson(makeLease(21)));
  page.push(dhcpsrv::leaseToJson(declined));
  page.push(dhcpsrv::leaseToJson(makeLease(23)));
  cc::Value foreign = dhcpsrv::leaseToJson(makeLease(24));
  foreign.set("subnet-id", 9);  // not configured here: skipped with a message
  page.push(foreign);
  cc::Value by_expire = dhcpsrv::leaseToJson(makeLease(25));
  by_expire.erase("cltt");
  by_expire.set("expire", kCltt + 600);
  by_expire.erase("pool-id");
  page.push(by_expire);

  LogCapture log(log::Severity::kWarn);
  CHECK(LeaseSync::storePage(page) == 4);
  CHECK(local.store->get(IPv4Address::fromString("192.0.2.20"))->cltt == kCltt + 1000);
  CHECK(*local.store->get(IPv4Address::fromString("192.0.2.21")) == makeLease(21));
  CHECK(*local.store->get(IPv4Address::fromString("192.0.2.22")) == declined);
  CHECK(*local.store->get(IPv4Address::fromString("192.0.2.23")) == makeLease(23));
  CHECK(*local.store->get(IPv4Address::fromString("192.0.2.25")) == makeLease(25));  // pool from config
  CHECK_FALSE(local.store->get(IPv4Address::fromString("192.0.2.24")));
  // 20, 21 (replaced, still counted once), 22 (declined counts too), 23, 25.
  CHECK(local.assigned() == 5);
  CHECK(local.stats.value("subnet[1].declined-addresses") == 1);
  CHECK(local.stats.value("declined-addresses") == 1);
  auto skipped = log.lines("HA_SYNC_LEASE_SKIPPED");
  REQUIRE(skipped.size() == 1);
  CHECK_THAT(skipped[0], Catch::Contains("subnet-id 9 is not configured on this server"));
  CHECK_THAT(skipped[0], Catch::Contains("192.0.2.24"));
}

TEST_CASE("storePage without a DHCPv4 server throws") {
  dhcpsrv::setServerServices4(nullptr);
  CHECK_THROWS_WITH(LeaseSync::storePage(cc::Value::makeList()),
                    Catch::Contains("no DHCPv4 lease store"));
}

TEST_CASE("A sync pages through the peer's leases between dhcp-disable and the notify") {
  LocalServer local;
  local.allocate(makeLease(15, kCltt + 5000));  // newer here: kept
  local.allocate(makeLease(16, kCltt - 5000));  // older here: replaced
  LeasePeer peer(25);                           // 192.0.2.10 .. 192.0.2.34
  Syncer s(peer.fake.port(), 10);
  LogCapture log;

  SyncResult r = s.run(true, 60);
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.fetched == 25);
  CHECK(r.stored == 24);
  CHECK(peer.sequence() ==
        expectedSequence({"start", "192.0.2.19", "192.0.2.29"}, 10));
  auto got = peer.fake.received();
  CHECK(got[0].body ==
        R"({"arguments":{"max-period":60,"origin":"ha-partner"},"command":"dhcp-disable","service":["dhcp4"]})");
  CHECK(got.back().body == R"({"command":"ha-sync-complete-notify","service":["dhcp4"]})");

  CHECK(local.store->size() == 25);
  for (const auto& [addr, l] : peer.leases) {
    auto mine = local.store->get(l.address);
    REQUIRE(mine);
    if (l.address.toString() == "192.0.2.15") {
      CHECK(mine->cltt == kCltt + 5000);
    } else {
      CHECK(*mine == l);
    }
  }
  CHECK(local.assigned() == 25);
  CHECK(local.posted == 3);  // one task per page on the packet thread
  CHECK(log.lines("HA_SYNC_START").size() == 1);
  auto complete = log.lines("HA_SYNC_COMPLETE");
  REQUIRE(complete.size() == 1);
  CHECK_THAT(complete[0], Catch::Contains("from HA peer server2 complete: 25 lease(s) fetched, "
                                          "24 added or replaced, in "));
  CHECK_FALSE(s.sync->running());
}

TEST_CASE("A last page that is exactly full is followed by one that answers 3") {
  LocalServer local;
  LeasePeer peer(20);
  Syncer s(peer.fake.port(), 10);
  SyncResult r = s.run();
  REQUIRE(r.ok);
  CHECK(r.fetched == 20);
  CHECK(peer.sequence() == expectedSequence({"start", "192.0.2.19", "192.0.2.29"}, 10));
  CHECK(local.store->size() == 20);
}

TEST_CASE("An empty peer: one page answering 3, then the notify") {
  LocalServer local;
  LeasePeer peer(0);
  Syncer s(peer.fake.port(), 10);
  SyncResult r = s.run();
  REQUIRE(r.ok);
  CHECK(r.fetched == 0);
  CHECK(peer.sequence() == expectedSequence({"start"}, 10));
}

TEST_CASE("A peer without ha-sync-complete-notify gets dhcp-enable instead") {
  LocalServer local;
  LeasePeer peer(3);
  peer.notify_result = 2;
  Syncer s(peer.fake.port(), 10);
  SyncResult r = s.run();
  REQUIRE(r.ok);
  auto seq = peer.sequence();
  auto expected = expectedSequence({"start"}, 10);
  expected.push_back("dhcp-enable");
  CHECK(seq == expected);
  CHECK(peer.fake.received().back().body ==
        R"({"arguments":{"origin":"ha-partner"},"command":"dhcp-enable","service":["dhcp4"]})");
}

TEST_CASE("A sync from a backup neither disables nor notifies it") {
  LocalServer local;
  LeasePeer peer(12);
  Syncer s(peer.fake.port(), 5);
  SyncResult r = s.run(false);
  REQUIRE(r.ok);
  CHECK(r.stored == 12);
  CHECK(peer.sequence() ==
        expectedSequence({"start", "192.0.2.14", "192.0.2.19"}, 5, false));
}

TEST_CASE("A failure mid-way is reported and the peer is enabled again") {
  LocalServer local;
  LeasePeer peer(25);
  Syncer s(peer.fake.port(), 10);
  LogCapture log;

  SECTION("the second page fails with an error answer") {
    peer.override_page = [](const Received&, int page) -> std::optional<Reply> {
      if (page == 2) {
        return keaAnswer(1, "lease database is unavailable");
      }
      return std::nullopt;
    };
    SyncResult r = s.run();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "lease4-get-page answered 1: lease database is unavailable");
    CHECK(r.fetched == 10);
    CHECK(r.stored == 10);
    REQUIRE(waitFor([&] { return peer.fake.count() == 5; }));
    CHECK(peer.sequence() == std::vector<std::string>{"dhcp-disable", "lease4-get-page(start,10)",
                                                      "dhcp-disable",
                                                      "lease4-get-page(192.0.2.19,10)",
                                                      "dhcp-enable"});
    auto failed = log.lines("HA_SYNC_FAILED");
    REQUIRE(failed.size() == 1);
    CHECK_THAT(failed[0], Catch::Contains("ERROR"));
    CHECK_THAT(failed[0], Catch::Contains("lease database synchronisation from HA peer server2 (" +
                                          peer.fake.url() + ") failed: lease4-get-page answered 1"));
  }
  SECTION("the second page is too slow") {
    s.config.sync_timeout_ms = 300;
    peer.override_page = [](const Received&, int page) -> std::optional<Reply> {
      if (page == 2) {
        Reply rep = keaAnswer(0, "late");
        rep.delay = 2000ms;
        return rep;
      }
      return std::nullopt;
    };
    SyncResult r = s.run();
    CHECK_FALSE(r.ok);
    CHECK_THAT(r.error, Catch::StartsWith("lease4-get-page: POST to " + peer.fake.url() + " failed"));
    CHECK_THAT(r.error, Catch::Contains("timed out"));
  }
  SECTION("the peer refuses dhcp-disable") {
    peer.fake.answer([](const Received& rq) {
      return rq.command == "dhcp-disable" ? keaAnswer(1, "not allowed") : keaAnswer(0, "ok");
    });
    SyncResult r = s.run();
    CHECK_FALSE(r.ok);
    CHECK(r.error == "dhcp-disable answered 1: not allowed");
    std::this_thread::sleep_for(100ms);
    CHECK(peer.sequence() == std::vector<std::string>{"dhcp-disable"});  // nothing to re-enable
  }
}

TEST_CASE("Cancelling a sync reports it and ignores the late answers") {
  LocalServer local;
  LeasePeer peer(25);
  peer.override_page = [](const Received&, int) -> std::optional<Reply> {
    Reply rep = keaAnswer(3, "0 IPv4 lease(s) found.");
    rep.delay = 300ms;
    return rep;
  };
  Syncer s(peer.fake.port(), 10);
  std::promise<SyncResult> p;
  s.ha.post([&] {
    s.sync->start(s.config.peers[1], 60, true, [&](SyncResult r) { p.set_value(std::move(r)); });
  });
  REQUIRE(waitFor([&] { return peer.pages == 1; }));
  CHECK(s.sync->running());
  s.ha.post([&] { s.sync->cancel(); });
  auto f = p.get_future();
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  SyncResult r = f.get();
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cancelled");
  CHECK_FALSE(s.sync->running());
  // The page answer comes later and is ignored (no notify); the peer is enabled again.
  std::this_thread::sleep_for(500ms);
  auto seq = peer.sequence();
  CHECK(seq == std::vector<std::string>{"dhcp-disable", "lease4-get-page(start,10)",
                                        "dhcp-enable"});
}
