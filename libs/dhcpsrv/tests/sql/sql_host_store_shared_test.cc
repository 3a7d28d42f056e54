// SqlHostStore4 shared by several connections (servers), compared with MemfileHostStore4, and
// its behaviour on schema problems and lost connections.

#include <soci/soci.h>

#include <array>
#include <barrier>
#include <functional>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "../hosts/host_test_util.h"
#include "sql_test_db.h"
#include "sql_test_sessions.h"
#include "takahe/dhcpsrv/memfile_host_store.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

template <typename B>
std::unique_ptr<SqlHostStore4> hostStore(const TestDb<B>& db) {
  return std::make_unique<SqlHostStore4>(db.config);
}

Bytes idFor(uint32_t i, uint8_t who) {
  return Bytes{0x02, who, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
}

IPv4Address addressFor(uint32_t i) { return IPv4Address(0x0a010000 + i); }

}  // namespace

TEMPLATE_TEST_CASE("Two stores adding the same identifier or address: one wins, the other gets "
                   "memfile's error",
                   "[sql][hosts][race]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  std::array<std::unique_ptr<SqlHostStore4>, 2> stores{hostStore(db), hostStore(db)};
  constexpr uint32_t kRounds = 100;

  // Round i: both add identifier i (same bytes) in subnet 1, each with its own address.
  std::array<std::vector<std::string>, 2> outcome{std::vector<std::string>(kRounds),
                                                  std::vector<std::string>(kRounds)};
  auto step = [&](int who, uint32_t i) {
    Host4 h;
    h.identifier = idFor(i, 0);
    h.subnet_id = SubnetId(1);
    h.address = addressFor(2 * i + static_cast<uint32_t>(who));
    h.hostname = "server-" + std::to_string(who);
    try {
      stores[who]->add(h);
      outcome[who][i] = "added";
    } catch (const db::DbError&) {
      throw;  // a database failure is not the expected refusal
    } catch (const Error& e) {
      outcome[who][i] = e.what();
    }
  };
  auto errors = raceTwo(kRounds, step);
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
  for (uint32_t i = 0; i < kRounds; ++i) {
    INFO("round " << i << ": " << outcome[0][i] << " / " << outcome[1][i]);
    REQUIRE((outcome[0][i] == "added") + (outcome[1][i] == "added") == 1);
    int winner = outcome[0][i] == "added" ? 0 : 1;
    CHECK(outcome[1 - winner][i] == "a reservation for hw-address " + toHex(idFor(i, 0)) +
                                        " in subnet 1 already exists");
    auto stored = stores[1 - winner]->get(SubnetId(1), HostIdType::kHwAddress, idFor(i, 0));
    REQUIRE(stored);
    CHECK(stored->hostname == "server-" + std::to_string(winner));
  }

  // Round i: both reserve address i + 1000 for their own identifier.
  auto address_step = [&](int who, uint32_t i) {
    Host4 h;
    h.identifier = idFor(i, static_cast<uint8_t>(10 + who));
    h.subnet_id = SubnetId(2);
    h.address = addressFor(1000 + i);
    try {
      stores[who]->add(h);
      outcome[who][i] = "added";
    } catch (const db::DbError&) {
      throw;
    } catch (const Error& e) {
      outcome[who][i] = e.what();
    }
  };
  errors = raceTwo(kRounds, address_step);
  CHECK(errors[0] == "");
  CHECK(errors[1] == "");
  for (uint32_t i = 0; i < kRounds; ++i) {
    INFO("round " << i << ": " << outcome[0][i] << " / " << outcome[1][i]);
    REQUIRE((outcome[0][i] == "added") + (outcome[1][i] == "added") == 1);
    int winner = outcome[0][i] == "added" ? 0 : 1;
    CHECK(outcome[1 - winner][i] == "address " + addressFor(1000 + i).toString() +
                                        " is already reserved in subnet 2 for hw-address " +
                                        toHex(idFor(i, static_cast<uint8_t>(10 + winner))));
  }
  // Exactly one row per round in each subnet, whichever store is asked.
  auto fresh = hostStore(db);
  CHECK(fresh->size() == 2 * kRounds);
  CHECK(fresh->getAll(SubnetId(1)).size() == kRounds);
  CHECK(stores[0]->getAll(SubnetId(2)).size() == kRounds);
}

namespace {

// A random reservation among few identifiers, addresses and subnets, so that operations clash.
Host4 randomHost(std::mt19937& rng) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  static const char* const kIds[] = {"01", "01:00", "02", "aa:bb:cc:dd:ee:ff", "ff", "00"};
  static const char* const kNames[] = {"", "a.example.", "A.Example.", "b", "c,d.example. "};
  static const HostIdType kTypes[] = {HostIdType::kHwAddress, HostIdType::kClientId,
                                      HostIdType::kFlexId};
  Host4 h;
  h.id_type = kTypes[pick(3)];
  h.identifier = *parseHex(kIds[pick(6)]);
  h.subnet_id = SubnetId(static_cast<uint32_t>(pick(3)));
  if (pick(4) != 0) {
    h.address = IPv4Address(0xc0000200 + static_cast<uint32_t>(pick(8)));
  }
  h.hostname = kNames[pick(5)];
  if (pick(3) == 0) {
    h.next_server = IPv4Address(0xc0000201);
    h.server_hostname = "tftp";
    h.boot_file_name = "pxe.0";
  }
  if (pick(3) == 0) {
    h.options.options.push_back(ConfiguredOption{3, Bytes{192, 0, 2, 1}, false, false});
    h.options.options.push_back(ConfiguredOption{224, Bytes{0xc0, 0xff, 0xee}, true, false});
  }
  return h;
}

void checkSameHosts(const std::vector<Host4>& sql, const std::vector<Host4>& mem) {
  REQUIRE(sql.size() == mem.size());
  for (size_t i = 0; i < sql.size(); ++i) {
    INFO("entry " << i << ": " << toHex(mem[i].identifier));
    CHECK(sameHost(sql[i], mem[i]));
  }
}

void checkSameQueries(const HostStore4& mem, const HostStore4& sql, std::mt19937& rng) {
  CHECK(sql.size() == mem.size());
  checkSameHosts(sql.getAll(), mem.getAll());
  for (uint32_t s = 0; s < 4; ++s) {
    INFO("subnet " << s);
    checkSameHosts(sql.getAll(SubnetId(s)), mem.getAll(SubnetId(s)));
    for (uint32_t a = 0; a < 9; ++a) {
      auto x = sql.getByAddress(SubnetId(s), IPv4Address(0xc0000200 + a));
      auto y = mem.getByAddress(SubnetId(s), IPv4Address(0xc0000200 + a));
      REQUIRE(x.has_value() == y.has_value());
      if (x) {
        CHECK(sameHost(*x, *y));
      }
    }
    for (size_t limit : {size_t{1}, size_t{2}, size_t{5}}) {
      size_t from = 0;
      for (int page = 0; page < 20; ++page) {
        size_t next_sql = 77, next_mem = 88;
        auto got = sql.getPage(SubnetId(s), from, limit, next_sql);
        checkSameHosts(got, mem.getPage(SubnetId(s), from, limit, next_mem));
        REQUIRE(next_sql == next_mem);
        if (got.empty()) {
          break;
        }
        from = next_sql;
      }
    }
    size_t odd_sql = 0, odd_mem = 1;
    size_t from = rng() % 12, limit = rng() % 4;
    checkSameHosts(sql.getPage(SubnetId(s), from, limit, odd_sql),
                   mem.getPage(SubnetId(s), from, limit, odd_mem));
    CHECK(odd_sql == odd_mem);
  }
  for (const char* name : {"", "a.example.", "A.EXAMPLE.", "B", "c,d.example.", "c,d.example. "}) {
    INFO("hostname '" << name << "'");
    checkSameHosts(sql.getByHostname(name, std::nullopt), mem.getByHostname(name, std::nullopt));
    checkSameHosts(sql.getByHostname(name, SubnetId(1)), mem.getByHostname(name, SubnetId(1)));
  }
  for (int n = 0; n < 10; ++n) {
    Host4 probe = randomHost(rng);
    checkSameHosts(sql.getById(probe.id_type, probe.identifier),
                   mem.getById(probe.id_type, probe.identifier));
    auto x = sql.get(probe.subnet_id, probe.id_type, probe.identifier);
    auto y = mem.get(probe.subnet_id, probe.id_type, probe.identifier);
    REQUIRE(x.has_value() == y.has_value());
    if (x) {
      CHECK(sameHost(*x, *y));
    }
  }
}

std::string outcomeOf(const std::function<void()>& f) {
  try {
    f();
    return "ok";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

TEMPLATE_TEST_CASE("SQL host store gives memfile's results for the same operations",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto sql = hostStore(db);
  MemfileHostStore4 mem("");
  std::mt19937 rng(20240611);
  size_t refusals = 0;
  for (int op = 0; op < 400; ++op) {
    INFO("operation " << op);
    Host4 h = randomHost(rng);
    switch (rng() % 6) {
      case 0:
      case 1:
      case 2: {
        std::string mem_outcome = outcomeOf([&] { mem.add(h); });
        REQUIRE(outcomeOf([&] { sql->add(h); }) == mem_outcome);
        refusals += mem_outcome != "ok";
        break;
      }
      case 3:
      case 4:
        REQUIRE(sql->remove(h.subnet_id, h.id_type, h.identifier) ==
                mem.remove(h.subnet_id, h.id_type, h.identifier));
        break;
      case 5:
        if (h.address) {
          REQUIRE(sql->removeByAddress(h.subnet_id, *h.address) ==
                  mem.removeByAddress(h.subnet_id, *h.address));
        }
        break;
    }
    if (op % 50 == 49) {
      checkSameQueries(mem, *sql, rng);
    }
  }
  CHECK(mem.size() > 10);  // the sequence left something to compare
  CHECK(refusals > 10);    // and went through both kinds of refusal often
}

TEMPLATE_TEST_CASE("SQL host store refuses a missing or older schema with the takahe-admin "
                   "command",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  {
    auto c = db.connect();
    dropSchema(*c);
  }
  CHECK_THROWS_WITH(hostStore(db), Catch::Contains("takahe-admin db-init"));
  {
    auto c = db.connect();
    db::initSchema(*c, db::SchemaVersion{1, 0});
  }
  CHECK_THROWS_WITH(hostStore(db), Catch::Contains("takahe-admin db-upgrade"));
  {
    auto c = db.connect();
    db::upgradeSchema(*c);
  }
  auto store = hostStore(db);
  store->add(makeHost(1, "01:02:03:04:05:06", "192.0.2.1"));  // the upgrade's hosts4 works
  CHECK(store->getAll().size() == 1);
}

TEMPLATE_TEST_CASE("A lost host database is reported until reconnect() opens a new one",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  Host4 a = makeHost(1, "01:01:01:01:01:01", "192.0.2.10");
  store->add(a);
  if constexpr (TestType::kBackend != db::Backend::kSqlite) {
    killOtherSessions(*db.connect());
    try {
      store->get(SubnetId(1), HostIdType::kHwAddress, a.identifier);
      FAIL("get on a killed session did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
    }
    CHECK_FALSE(store->connected());
    try {
      store->add(makeHost(1, "02:02:02:02:02:02"));
      FAIL("add on a lost store did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
      CHECK_THAT(e.what(), Catch::Contains("not connected"));
    }
    CHECK(store->size() == 1);  // size() keeps the last count rather than throwing
  } else {
    // SQLite has no server to lose; a dropped schema makes reconnect() fail instead.
    db.connect()->execute("DROP TABLE schema_version");
    std::string why;
    CHECK_FALSE(store->reconnect(&why));
    CHECK_THAT(why, Catch::Contains("takahe-admin"));
    CHECK_FALSE(store->connected());
    CHECK_THROWS_AS(store->getAll(), db::DbError);
    auto c = db.connect();
    c->execute("CREATE TABLE schema_version (version INTEGER NOT NULL, minor INTEGER NOT NULL)");
    c->execute("INSERT INTO schema_version (version, minor) VALUES (" +
               std::to_string(db::currentSchemaVersion().major) + ", 0)");
  }
  std::string why;
  REQUIRE(store->reconnect(&why));
  CHECK(store->connected());
  auto back = store->get(SubnetId(1), HostIdType::kHwAddress, a.identifier);
  REQUIRE(back);
  CHECK(sameHost(*back, a));
  store->add(makeHost(1, "02:02:02:02:02:02"));
  CHECK(store->size() == 2);
}
