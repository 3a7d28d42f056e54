// SqlLeaseStore4 shared by several connections (servers), compared with memfile, and its
// behaviour on schema problems, failed statements and lost connections.

#include <soci/soci.h>

#include <array>
#include <barrier>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "../leases/lease_test_util.h"
#include "sql_test_db.h"
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

// Runs step(0, i) and step(1, i) on two threads for i in [0, rounds), both threads starting
// each round together; returns the errors they threw.
template <typename Step>
std::array<std::string, 2> raceTwo(uint32_t rounds, Step step) {
  std::array<std::string, 2> errors;
  std::barrier sync(2);
  auto run = [&](int who) {
    uint32_t i = 0;
    try {
      for (; i < rounds; ++i) {
        sync.arrive_and_wait();
        step(who, i);
      }
    } catch (const std::exception& e) {
      errors[who] = e.what();
    }
    if (i < rounds) {
      sync.arrive_and_drop();  // after a failure, let the other thread finish alone
    }
  };
  std::thread a(run, 0), b(run, 1);
  a.join();
  b.join();
  return errors;
}

}  // namespace

TEMPLATE_TEST_CASE(
    "Two stores racing for the same addresses: exactly one add and one updateIf "
    "wins each",
    "[sql][race]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  std::array<std::unique_ptr<SqlLeaseStore4>, 2> stores{db.store(), db.store()};
  constexpr uint32_t kAddresses = 150;

  std::array<std::vector<char>, 2> added{std::vector<char>(kAddresses),
                                         std::vector<char>(kAddresses)};
  auto add_errors = raceTwo(kAddresses, [&](int who, uint32_t i) {
    added[who][i] = stores[who]->add(leaseFor(i, static_cast<uint8_t>(who), 1000));
  });
  CHECK(add_errors[0] == "");
  CHECK(add_errors[1] == "");
  std::vector<Lease4> expected(kAddresses);
  for (uint32_t i = 0; i < kAddresses; ++i) {
    INFO("address index " << i);
    REQUIRE(added[0][i] + added[1][i] == 1);
    int winner = added[0][i] ? 0 : 1;
    auto stored = stores[1 - winner]->get(IPv4Address(0x0a010000 + i));
    REQUIRE(stored);
    CHECK(*stored == leaseFor(i, static_cast<uint8_t>(winner), 1000));
    expected[i] = *stored;
  }
  CHECK(stores[0]->size() == kAddresses);

  // Both servers saw the same lease and try to take it over.
  std::array<std::vector<char>, 2> taken{std::vector<char>(kAddresses),
                                         std::vector<char>(kAddresses)};
  auto take_errors = raceTwo(kAddresses, [&](int who, uint32_t i) {
    taken[who][i] =
        stores[who]->updateIf(leaseFor(i, static_cast<uint8_t>(10 + who), 2000), expected[i]);
  });
  CHECK(take_errors[0] == "");
  CHECK(take_errors[1] == "");
  for (uint32_t i = 0; i < kAddresses; ++i) {
    INFO("address index " << i);
    REQUIRE(taken[0][i] + taken[1][i] == 1);
    int winner = taken[0][i] ? 0 : 1;
    CHECK(*stores[winner]->get(IPv4Address(0x0a010000 + i)) ==
          leaseFor(i, static_cast<uint8_t>(10 + winner), 2000));
  }
  CHECK(stores[1]->size() == kAddresses);
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
  CHECK(sql.size() == mem.size());
  CHECK(sql.getAll() == mem.getAll());
  CHECK(sql.countBySubnet() == mem.countBySubnet());
  for (const char* hw : {"aa:00:00:00:00:01", "aa:00:00:00:00:02", "aa:00:00:00:00:04:05"}) {
    CHECK(sql.getByHwAddr(HwAddr::fromString(hw)) == mem.getByHwAddr(HwAddr::fromString(hw)));
  }
  for (const char* cid : {"01:aa:00:00:00:00:01", "ff"}) {
    CHECK(sql.getByClientId(ClientId::fromString(cid)) ==
          mem.getByClientId(ClientId::fromString(cid)));
  }
  for (const char* host : {"a.example.", "A.EXAMPLE.", "B", "c,d.example.", "x"}) {
    CHECK(sql.getByHostname(host) == mem.getByHostname(host));
  }
  for (uint32_t s = 0; s < 5; ++s) {
    CHECK(sql.getBySubnet(SubnetId(s)) == mem.getBySubnet(SubnetId(s)));
  }
  for (int64_t now : {int64_t{1000}, int64_t{1500}, int64_t{2100}, int64_t{1} << 40}) {
    for (size_t max : {size_t{0}, size_t{3}}) {
      CHECK(sql.getExpired(now, max) == mem.getExpired(now, max));
    }
  }
  IPv4Address after;
  for (int page = 0; page < 20; ++page) {
    auto got = sql.getPage(after, 7);
    REQUIRE(got == mem.getPage(after, 7));
    if (got.empty()) {
      break;
    }
    after = got.back().address;
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
  for (int op = 0; op < 500; ++op) {
    INFO("operation " << op);
    Lease4 l = randomLease(rng);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2:
        REQUIRE(sql->add(l) == mem.add(l));
        break;
      case 3:
      case 4:
        REQUIRE(sql->update(l) == mem.update(l));
        break;
      case 5:
      case 6: {
        // Mostly the stored lease (the takeover applies), sometimes a stale or random one.
        auto current = mem.get(l.address);
        Lease4 expected = current && rng() % 3 ? *current : randomLease(rng);
        if (rng() % 4 == 0) {
          expected.cltt += 1;
        }
        REQUIRE(sql->updateIf(l, expected) == mem.updateIf(l, expected));
        break;
      }
      case 7:
        REQUIRE(sql->remove(l.address) == mem.remove(l.address));
        break;
      case 8:
        if (rng() % 10 == 0) {
          int64_t cutoff = 1000 + static_cast<int64_t>(rng() % 2000);
          REQUIRE(sql->removeReclaimedBefore(cutoff) == mem.removeReclaimedBefore(cutoff));
        }
        break;
      case 9:
        if (rng() % 20 == 0) {
          REQUIRE(sql->wipe(l.subnet_id) == mem.wipe(l.subnet_id));
        }
        break;
    }
    if (op % 100 == 99) {
      checkSameQueries(mem, *sql);
    }
  }
  CHECK(mem.size() > 10);  // the sequence left something to compare
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

TEMPLATE_TEST_CASE("A failed statement is a DbError and leaves the store connected", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  REQUIRE(store->add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1)));
  db.connect()->execute("DROP TABLE lease4");
  try {
    store->get(IPv4Address::fromString("10.0.0.1"));
    FAIL("get on a dropped table did not throw");
  } catch (const db::DbError& e) {
    CHECK_FALSE(e.connectionLost());
    CHECK_THAT(e.what(), Catch::Contains("10.0.0.1"));
  }
  CHECK_THROWS_AS(store->add(makeLease("10.0.0.2", "00:00:00:00:00:01", 1)), db::DbError);
  CHECK(store->connected());

  // reconnect() re-checks the schema: it fails while the table is missing.
  std::string why;
  {
    auto c = db.connect();
    dropSchema(*c);
  }
  CHECK_FALSE(store->reconnect(&why));
  CHECK_THAT(why, Catch::Contains("takahe-admin"));
  CHECK_FALSE(store->connected());
  try {
    store->size();
    FAIL("size on a store without connection did not throw");
  } catch (const db::DbError& e) {
    CHECK(e.connectionLost());
  }
  {
    auto c = db.connect();
    db::initSchema(*c);
  }
  REQUIRE(store->reconnect(&why));
  CHECK(store->connected());
  CHECK(store->add(makeLease("10.0.0.2", "00:00:00:00:00:01", 1)));
  CHECK(store->size() == 1);
}

namespace {

// Ends every other session of the test user on the server (as a server restart would).
void killOtherSessions(db::Connection& c) {
  if (c.backend() == db::Backend::kPostgresql) {
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()");
  } else if (c.backend() == db::Backend::kMysql) {
    std::vector<long long> ids(100);
    c.session() << "SELECT CAST(id AS SIGNED) FROM information_schema.processlist"
                   " WHERE user = 'takahe' AND id <> CONNECTION_ID()",
        soci::into(ids);
    for (long long id : ids) {
      c.execute("KILL CONNECTION " + std::to_string(id));
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE("A lost connection is reported until reconnect() opens a new one", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  Lease4 a = makeLease("10.0.0.1", "00:00:00:00:00:01", 1);
  REQUIRE(store->add(a));
  if constexpr (TestType::kBackend != db::Backend::kSqlite) {
    killOtherSessions(*db.connect());
    try {
      store->get(a.address);
      FAIL("get on a killed session did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
    }
    CHECK_FALSE(store->connected());
    // Later calls fail at once, without touching the dead session.
    try {
      store->add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1));
      FAIL("add on a lost store did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
      CHECK_THAT(e.what(), Catch::Contains("not connected"));
    }
  }
  std::string why;
  REQUIRE(store->reconnect(&why));
  CHECK(store->connected());
  CHECK(*store->get(a.address) == a);
  CHECK(store->add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1)));
  CHECK(store->size() == 2);
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
