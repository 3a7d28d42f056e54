#include "takahe/dhcpsrv/lease_stats.h"

#include <catch2/catch.hpp>

#include "lease_test_util.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/stats/stats_store.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

// The statistics the server declares for configured subnets 1 and 2 (Processor::configure).
void declareSubnets(stats::StatsStore& stats) {
  for (int id : {1, 2}) {
    std::string p = "subnet[" + std::to_string(id) + "].";
    stats.set(p + "assigned-addresses", 0);
    stats.set(p + "declined-addresses", 0);
  }
  stats.set("declined-addresses", 0);
}

Lease4 withState(Lease4 l, LeaseState s) {
  l.state = s;
  return l;
}

}  // namespace

TEST_CASE("Only assigned and declined leases count as assigned addresses") {
  CHECK(countsAsAssigned(LeaseState::kDefault));
  CHECK(countsAsAssigned(LeaseState::kDeclined));
  CHECK_FALSE(countsAsAssigned(LeaseState::kExpiredReclaimed));
  CHECK_FALSE(countsAsAssigned(LeaseState::kReleased));
  CHECK_FALSE(countsAsAssigned(LeaseState::kRegistered));
}

TEST_CASE("Adding and deleting an assigned lease moves the subnet's assigned-addresses") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease4 a = makeLease("192.0.2.10", "00:00:00:00:00:01", 1);
  updateLeaseStats4(stats, nullptr, &a);
  CHECK(stats.value("subnet[1].assigned-addresses") == 1);
  CHECK(stats.value("subnet[1].declined-addresses") == 0);
  CHECK(stats.value("subnet[2].assigned-addresses") == 0);
  CHECK(stats.value("declined-addresses") == 0);
  updateLeaseStats4(stats, &a, nullptr);
  CHECK(stats.value("subnet[1].assigned-addresses") == 0);
}

TEST_CASE("A declined lease counts as assigned and as declined, in its subnet and globally") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease4 d = withState(makeLease("192.0.2.11", "", 2), LeaseState::kDeclined);
  updateLeaseStats4(stats, nullptr, &d);
  CHECK(stats.value("subnet[2].assigned-addresses") == 1);
  CHECK(stats.value("subnet[2].declined-addresses") == 1);
  CHECK(stats.value("declined-addresses") == 1);
  updateLeaseStats4(stats, &d, nullptr);
  CHECK(stats.value("subnet[2].assigned-addresses") == 0);
  CHECK(stats.value("subnet[2].declined-addresses") == 0);
  CHECK(stats.value("declined-addresses") == 0);
}

TEST_CASE("Expired-reclaimed and released leases change no counts when added or deleted") {
  stats::StatsStore stats;
  declareSubnets(stats);
  for (LeaseState s : {LeaseState::kExpiredReclaimed, LeaseState::kReleased}) {
    Lease4 l = withState(makeLease("192.0.2.12", "00:00:00:00:00:02", 1), s);
    updateLeaseStats4(stats, nullptr, &l);
    CHECK(stats.value("subnet[1].assigned-addresses") == 0);
    updateLeaseStats4(stats, &l, nullptr);
    CHECK(stats.value("subnet[1].assigned-addresses") == 0);
  }
}

TEST_CASE("Updates move counts between states and subnets by the net difference") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease4 a = makeLease("192.0.2.13", "00:00:00:00:00:03", 1);
  updateLeaseStats4(stats, nullptr, &a);

  SECTION("assigned -> declined: still assigned, now also declined") {
    Lease4 d = withState(a, LeaseState::kDeclined);
    updateLeaseStats4(stats, &a, &d);
    CHECK(stats.value("subnet[1].assigned-addresses") == 1);
    CHECK(stats.value("subnet[1].declined-addresses") == 1);
    CHECK(stats.value("declined-addresses") == 1);
  }
  SECTION("assigned -> expired-reclaimed: no longer assigned") {
    Lease4 r = withState(a, LeaseState::kExpiredReclaimed);
    updateLeaseStats4(stats, &a, &r);
    CHECK(stats.value("subnet[1].assigned-addresses") == 0);
    SECTION("and back to assigned") {
      updateLeaseStats4(stats, &r, &a);
      CHECK(stats.value("subnet[1].assigned-addresses") == 1);
    }
  }
  SECTION("moved to another subnet") {
    Lease4 m = a;
    m.subnet_id = SubnetId(2);
    updateLeaseStats4(stats, &a, &m);
    CHECK(stats.value("subnet[1].assigned-addresses") == 0);
    CHECK(stats.value("subnet[2].assigned-addresses") == 1);
  }
  SECTION("a change of lifetime or hostname writes no sample") {
    Lease4 h = a;
    h.hostname = "renamed.example.";
    h.valid_lifetime = 100;
    auto before = stats.get("subnet[1].assigned-addresses");
    updateLeaseStats4(stats, &a, &h);
    CHECK(stats.get("subnet[1].assigned-addresses") == before);
    CHECK(stats.value("subnet[1].assigned-addresses") == 1);
  }
}

TEST_CASE("Statistics of a subnet that is not configured are not created") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease4 d = withState(makeLease("198.51.100.5", "", 9), LeaseState::kDeclined);
  updateLeaseStats4(stats, nullptr, &d);
  CHECK_FALSE(stats.exists("subnet[9].assigned-addresses"));
  CHECK_FALSE(stats.exists("subnet[9].declined-addresses"));
  // The global count covers every declined address the server holds.
  CHECK(stats.value("declined-addresses") == 1);
}

TEST_CASE("Counts kept by updateLeaseStats4 equal a recount from the lease store") {
  // The server recounts from countBySubnet at start-up and reload; commands must agree with it.
  TempDir dir;
  MemfileConfig mc;
  mc.path = dir.file("leases4.csv");
  MemfileLeaseStore4 store(mc);
  stats::StatsStore stats;
  declareSubnets(stats);
  auto apply = [&](const std::optional<Lease4>& before, const Lease4* after) {
    if (after) {
      REQUIRE((before ? store.update(*after) : store.add(*after)));
    } else {
      REQUIRE(store.remove(before->address));
    }
    updateLeaseStats4(stats, before ? &*before : nullptr, after);
  };
  Lease4 a = makeLease("192.0.2.20", "00:00:00:00:00:20", 1);
  Lease4 b = makeLease("192.0.2.21", "00:00:00:00:00:21", 1);
  Lease4 c = withState(makeLease("192.0.2.22", "", 1), LeaseState::kDeclined);
  Lease4 e = makeLease("192.0.2.23", "00:00:00:00:00:23", 2);
  apply(std::nullopt, &a);
  apply(std::nullopt, &b);
  apply(std::nullopt, &c);
  apply(std::nullopt, &e);
  Lease4 b2 = withState(b, LeaseState::kExpiredReclaimed);
  apply(b, &b2);
  Lease4 e2 = withState(e, LeaseState::kDeclined);
  apply(e, &e2);
  apply(a, nullptr);

  auto counts = store.countBySubnet();
  for (uint32_t id : {1u, 2u}) {
    std::string p = "subnet[" + std::to_string(id) + "].";
    auto it = counts.find(SubnetId(id));
    int64_t assigned = it == counts.end() ? 0 : int64_t(it->second.assigned + it->second.declined);
    int64_t declined = it == counts.end() ? 0 : int64_t(it->second.declined);
    CHECK(stats.value(p + "assigned-addresses") == assigned);
    CHECK(stats.value(p + "declined-addresses") == declined);
  }
  CHECK(stats.value("subnet[1].assigned-addresses") == 1);  // c (declined)
  CHECK(stats.value("subnet[2].assigned-addresses") == 1);  // e2 (declined)
  CHECK(stats.value("declined-addresses") == 2);
}
