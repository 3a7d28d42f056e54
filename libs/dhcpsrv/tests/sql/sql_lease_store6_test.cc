// SqlLeaseStore6 beyond the LeaseStore6 contract: the same results as memfile for a random
// sequence of operations, several stores (servers) on one database, schema checks, failed
// statements and lost connections. SQLite in the 'unit' run, PostgreSQL and MariaDB in 'db'.

#include <array>
#include <catch2/catch.hpp>
#include <random>

#include "lease6_store_contract.h"
#include "same_operations.h"
#include "sql_test_sessions.h"
#include "store_failures.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

IPv6Address addressAt(uint32_t index) {
  std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
  b[12] = static_cast<uint8_t>(index >> 24);
  b[13] = static_cast<uint8_t>(index >> 16);
  b[14] = static_cast<uint8_t>(index >> 8);
  b[15] = static_cast<uint8_t>(index);
  return IPv6Address(b);
}

Lease6 leaseFor(uint32_t index, uint8_t holder, int64_t cltt) {
  Lease6 l;
  l.address = addressAt(index);
  l.duid = Duid(Bytes{0x00, 0x03, 0x00, 0x01, holder, static_cast<uint8_t>(index)});
  l.iaid = holder;
  l.subnet_id = SubnetId(1);
  l.cltt = cltt;
  l.valid_lifetime = 3600;
  l.preferred_lifetime = 1800;
  return l;
}

// A random lease among few addresses and keys, so that operations collide.
Lease6 randomLease(std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  static const char* const kDuid[] = {"00:01", "00:02", "00:01:00", "ff"};
  static const char* const kHw[] = {"", "aa:00:00:00:00:01", "aa:00:00:00:00:02:03"};
  static const char* const kHost[] = {"", "a.example.", "A.Example.", "b", "c,d.example."};
  static const uint32_t kValid[] = {1, 100, 1000, kInfiniteLifetime};
  Lease6 l;
  l.address = addressAt(1 + static_cast<uint32_t>(pick(40)));
  l.type = static_cast<Lease6Type>(pick(3));
  l.prefix_len = l.type == Lease6Type::kPd ? static_cast<uint8_t>(48 + pick(17)) : 128;
  l.duid = Duid::fromString(kDuid[pick(4)]);
  l.iaid = static_cast<uint32_t>(pick(3));
  l.valid_lifetime = kValid[pick(4)];
  l.preferred_lifetime = static_cast<uint32_t>(pick(2000));
  l.cltt = 1000 + static_cast<int64_t>(pick(1000));
  l.subnet_id = SubnetId(static_cast<uint32_t>(pick(4)));
  l.fqdn_fwd = pick(2);
  l.fqdn_rev = pick(2);
  l.hostname = kHost[pick(5)];
  if (auto hw = kHw[pick(3)]; *hw) {
    l.hwaddr = HwAddr::fromString(hw, static_cast<uint8_t>(1 + pick(2)));
    l.hwaddr_source = static_cast<uint32_t>(1u << pick(8));
  }
  l.state = static_cast<LeaseState>(pick(5));
  l.user_context = pick(2) ? "" : R"({"k": "v,\"w\""})";
  l.pool_id = static_cast<uint32_t>(pick(3));
  return l;
}

void checkSameQueries(const LeaseStore6& mem, const LeaseStore6& sql) {
  checkCommonQueries<LeaseStore6, IPv6Address>(mem, sql);
  for (const char* duid : {"00:01", "00:01:00", "ff", "07"}) {
    const Duid d = Duid::fromString(duid);
    CHECK(sql.getByDuid(d) == mem.getByDuid(d));
    for (uint32_t iaid = 0; iaid < 3; ++iaid) {
      for (Lease6Type t : {Lease6Type::kNa, Lease6Type::kTa, Lease6Type::kPd}) {
        CHECK(sql.getByDuidIaid(d, iaid, t) == mem.getByDuidIaid(d, iaid, t));
      }
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE("SQL lease6 store gives memfile's results for the same operations",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto sql = db.store6();
  MemfileConfig mc;
  mc.persist = false;
  MemfileLeaseStore6 mem(mc);
  std::mt19937 rng(20261129);
  runSameOperations<LeaseStore6>(
      *sql, mem, rng, randomLease,
      [](auto& s, const Lease6& l) { return s.get(l.type, l.address); },
      [](auto& s, const Lease6& l) { return s.remove(l.type, l.address); }, checkSameQueries);
}

TEMPLATE_TEST_CASE(
    "Two lease6 stores racing for the same addresses: exactly one add and one "
    "updateIf wins each",
    "[sql][lease6][race]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  std::array<std::unique_ptr<SqlLeaseStore6>, 2> stores{db.store6(), db.store6()};
  checkRaces(stores, 120, leaseFor, [](const LeaseStore6& store, uint32_t i) {
    return store.get(Lease6Type::kNa, addressAt(i));
  });
}

TEMPLATE_TEST_CASE(
    "A lease6 store reads another store's changes at once and can write after "
    "reading",
    "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto a = db.store6();
  auto b = db.store6();
  Lease6 l = makeLease6("2001:db8::1", "00:01", 1, 1);
  REQUIRE(a->add(l));
  REQUIRE(a->get(l.type, l.address));  // a single-row read first (SQLite: must not pin a snapshot)
  REQUIRE(a->size() == 1);
  Lease6 renewed = l;
  renewed.cltt += 600;
  REQUIRE(b->update(renewed));
  CHECK(a->getAll() == std::vector<Lease6>{renewed});
  CHECK(*a->get(l.type, l.address) == renewed);
  Lease6 taken = makeLease6("2001:db8::1", "00:02", 1, 1, 5000);
  CHECK(a->updateIf(taken, renewed));
  CHECK(*b->get(l.type, l.address) == taken);
  // The DHCPv4 store on the same database is unaffected.
  CHECK(db.store()->size() == 0);
}

TEMPLATE_TEST_CASE("SQL lease6 store refuses a 2.0 schema until takahe-admin db-upgrade",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  {
    auto c = db.connect();
    dropSchema(*c);
  }
  CHECK_THROWS_WITH(db.store6(), Catch::Contains("takahe-admin db-init"));
  {
    auto c = db.connect();
    db::initSchema(*c, db::SchemaVersion{2, 0});
  }
  CHECK_THROWS_WITH(db.store6(), Catch::Contains("takahe-admin db-upgrade"));
  {
    auto c = db.connect();
    CHECK(db::upgradeSchema(*c) == db::SchemaVersion{2, 0});
  }
  auto store = db.store6();
  CHECK(store->add(makeLease6("2001:db8::1", "00:01", 1, 1)));
  CHECK(store->size() == 1);
}

namespace {

const Lease6 kFirst = makeLease6("2001:db8::1", "00:01", 1, 1);
const Lease6 kSecond = makePd("2001:db8:1::", 48, "00:02", 1, 1);

bool writeLease(LeaseStore6& store, int n) { return store.add(n == 1 ? kFirst : kSecond); }
bool readFirst(const LeaseStore6& store) {
  return store.get(kFirst.type, kFirst.address) == kFirst;
}

}  // namespace

TEMPLATE_TEST_CASE("A failed lease6 statement is a DbError and leaves the store connected",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store6();
  checkFailedStatement(db, *store, "lease6", "2001:db8::1", writeLease, readFirst);
}

TEMPLATE_TEST_CASE("A lost lease6 connection is reported until reconnect() opens a new one",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store6();
  checkLostConnection(db, *store, writeLease, readFirst);
}

TEMPLATE_TEST_CASE("An unconnected lease6 store (retry-on-startup) serves once reconnect() works",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = SqlLeaseStore6::unconnected(db.config);
  CHECK_FALSE(store->connected());
  CHECK(store->config().name == db.config.name);
  try {
    store->getAll();
    FAIL("getAll on an unconnected store did not throw");
  } catch (const db::DbError& e) {
    CHECK(e.connectionLost());
    CHECK_THAT(e.what(), Catch::Contains("not connected"));
  }
  REQUIRE(store->reconnect());
  CHECK(store->connected());
  CHECK(store->add(makeLease6("2001:db8::1", "00:01", 1, 1)));
  CHECK(db.store6()->size() == 1);
}

TEMPLATE_TEST_CASE("A lease6 row the store cannot read is a DbError naming the address",
                   "[sql][lease6]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store6();
  REQUIRE(store->add(makeLease6("2001:db8::1", "00:01", 1, 1)));
  db.connect()->execute("UPDATE lease6 SET state = 17");
  try {
    store->getAll();
    FAIL("a row with state 17 was read");
  } catch (const db::DbError& e) {
    CHECK_FALSE(e.connectionLost());
    CHECK_THAT(e.what(), Catch::Contains("2001:db8::1") && Catch::Contains("unknown state 17"));
  }
  // The statement was run to its end: the store still writes.
  db.connect()->execute("UPDATE lease6 SET state = 0");
  CHECK(store->add(makeLease6("2001:db8::2", "00:01", 1, 1)));
  CHECK(store->size() == 2);
}
