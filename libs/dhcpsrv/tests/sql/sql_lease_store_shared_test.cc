// SqlLeaseStore4 shared by several connections (servers), compared with memfile, and its
// behaviour on schema problems, failed statements and lost connections.

#include <soci/soci.h>

#include <array>
#include <barrier>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "../leases/lease_test_util.h"
#include "same_operations.h"
#include "sql_test_db.h"
#include "sql_test_sessions.h"
#include "store_failures.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

Lease4 leaseFor(uint32_t index, uint8_t holder, int64_t cltt) {
  Lease4 l;
  l.address = IPv4Address(0x0a010000 + index);
  l.hwaddr = HwAddr(1, Bytes{0x02, 0, 0, 0, holder, static_cast<uint8_t>(index)});
  l.subnet_id = SubnetId(1);
  l.cltt = cltt;
  l.valid_lifetime = 3600;
  return l;
}

}  // namespace

TEMPLATE_TEST_CASE(
    "Two stores racing for the same addresses: exactly one add and one updateIf "
    "wins each",
    "[sql][race]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  std::array<std::unique_ptr<SqlLeaseStore4>, 2> stores{db.store(), db.store()};
  checkRaces(stores, 150, leaseFor, [](const LeaseStore4& store, uint32_t i) {
    return store.get(IPv4Address(0x0a010000 + i));
  });
}

namespace {

// A random lease among few addresses and keys, so that operations collide.
Lease4 randomLease(std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  static const char* const kHw[] = {"", "aa:00:00:00:00:01", "aa:00:00:00:00:02",
                                    "aa:00:00:00:00:03", "aa:00:00:00:00:04:05"};
  static const char* const kCid[] = {"", "01:aa:00:00:00:00:01", "01:aa:00:00:00:00:02", "ff"};
  static const char* const kHost[] = {"", "a.example.", "A.Example.", "b", "c,d.example."};
  static const uint32_t kValid[] = {1, 100, 1000, kInfiniteLifetime};
  Lease4 l;
  l.address = IPv4Address(0x0a000000 + 1 + static_cast<uint32_t>(pick(40)));
  if (auto hw = kHw[pick(5)]; *hw) {
    l.hwaddr = HwAddr::fromString(hw);
  }
  if (auto cid = kCid[pick(4)]; *cid) {
    l.client_id = ClientId::fromString(cid);
  }
  l.valid_lifetime = kValid[pick(4)];
  l.cltt = 1000 + static_cast<int64_t>(pick(1000));
  l.subnet_id = SubnetId(static_cast<uint32_t>(pick(4)));
  l.fqdn_fwd = pick(2);
  l.fqdn_rev = pick(2);
  l.hostname = kHost[pick(5)];
  l.state = static_cast<LeaseState>(pick(5));
  l.user_context = pick(2) ? "" : R"({"k": "v,\"w\""})";
  l.pool_id = static_cast<uint32_t>(pick(3));
  return l;
}

void checkSameQueries(const LeaseStore4& mem, const LeaseStore4& sql) {
  checkCommonQueries<LeaseStore4, IPv4Address>(mem, sql);
  for (const char* hw : {"aa:00:00:00:00:01", "aa:00:00:00:00:02", "aa:00:00:00:00:04:05"}) {
    CHECK(sql.getByHwAddr(HwAddr::fromString(hw)) == mem.getByHwAddr(HwAddr::fromString(hw)));
  }
  for (const char* cid : {"01:aa:00:00:00:00:01", "ff"}) {
    CHECK(sql.getByClientId(ClientId::fromString(cid)) ==
          mem.getByClientId(ClientId::fromString(cid)));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("SQL store gives memfile's results for the same operations", "[sql]", Sqlite,
                   Postgresql, Mysql) {
  TestDb<TestType> db;
  auto sql = db.store();
  MemfileConfig mc;
  mc.persist = false;
  MemfileLeaseStore4 mem(mc);
  std::mt19937 rng(20240605);
  runSameOperations<LeaseStore4>(
      *sql, mem, rng, randomLease, [](auto& s, const Lease4& l) { return s.get(l.address); },
      [](auto& s, const Lease4& l) { return s.remove(l.address); }, checkSameQueries);
}

TEMPLATE_TEST_CASE("SQL store refuses a missing or older schema with the takahe-admin command",
                   "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  {
    auto c = db.connect();
    dropSchema(*c);
  }
  CHECK_THROWS_WITH(db.store(), Catch::Contains("takahe-admin db-init"));
  {
    auto c = db.connect();
    db::initSchema(*c, db::SchemaVersion{1, 0});
  }
  CHECK_THROWS_WITH(db.store(), Catch::Contains("takahe-admin db-upgrade"));
  {
    auto c = db.connect();
    db::upgradeSchema(*c);
  }
  CHECK_NOTHROW(db.store());
}

namespace {

const Lease4 kFirst = makeLease("10.0.0.1", "00:00:00:00:00:01", 1);
const Lease4 kSecond = makeLease("10.0.0.2", "00:00:00:00:00:02", 1);

bool writeLease(LeaseStore4& store, int n) { return store.add(n == 1 ? kFirst : kSecond); }
bool readFirst(const LeaseStore4& store) { return store.get(kFirst.address) == kFirst; }

}  // namespace

TEMPLATE_TEST_CASE("A failed statement is a DbError and leaves the store connected", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  checkFailedStatement(db, *store, "lease4", "10.0.0.1", writeLease, readFirst);
}

TEMPLATE_TEST_CASE("A lost connection is reported until reconnect() opens a new one", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  checkLostConnection(db, *store, writeLease, readFirst);
}

TEMPLATE_TEST_CASE("A store reads another store's changes at once and can write after reading",
                   "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto a = db.store();
  auto b = db.store();
  Lease4 l = makeLease("10.0.0.1", "00:00:00:00:00:01", 1);
  REQUIRE(a->add(l));
  REQUIRE(a->get(l.address));  // a single-row read on `a` first (SQLite: must not pin a snapshot)
  REQUIRE(a->size() == 1);
  Lease4 renewed = l;
  renewed.cltt += 600;
  REQUIRE(b->update(renewed));
  CHECK(a->getAll() == std::vector<Lease4>{renewed});
  CHECK(*a->get(l.address) == renewed);
  Lease4 taken = makeLease("10.0.0.1", "00:00:00:00:00:02", 1, 5000);
  CHECK(a->updateIf(taken, renewed));
  CHECK(*b->get(l.address) == taken);
}
