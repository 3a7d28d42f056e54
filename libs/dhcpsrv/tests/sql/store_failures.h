#pragma once

// How the SQL lease stores behave on failed statements and lost connections: one test body for
// SqlLeaseStore4 and SqlLeaseStore6. A store is driven through three functions:
//   write(store, n)  adds test lease n (1 or 2) and returns whether it was added;
//   read(store)      reads test lease 1 and returns whether it is there as written;
// and `address1` is test lease 1's address as messages show it; `table` is the store's table.

#include <catch2/catch.hpp>
#include <string>

#include "sql_test_db.h"
#include "sql_test_sessions.h"

namespace takahe::dhcpsrv::test {

/// A statement failing on a dropped table is a DbError (not a lost connection) naming the
/// address; reconnect() fails while the schema is missing and works once it is back.
template <typename B, typename Store, typename Write, typename Read>
void checkFailedStatement(const TestDb<B>& db, Store& store, const char* table,
                          const std::string& address1, Write write, Read read) {
  REQUIRE(write(store, 1));
  db.connect()->execute(std::string("DROP TABLE ") + table);
  try {
    read(store);
    FAIL("a read on a dropped table did not throw");
  } catch (const db::DbError& e) {
    CHECK_FALSE(e.connectionLost());
    CHECK_THAT(e.what(), Catch::Contains(address1));
  }
  CHECK_THROWS_AS(write(store, 2), db::DbError);
  CHECK(store.connected());

  // reconnect() re-checks the schema: it fails while the tables are missing.
  std::string why;
  dropSchema(*db.connect());
  CHECK_FALSE(store.reconnect(&why));
  CHECK_THAT(why, Catch::Contains("takahe-admin"));
  CHECK_FALSE(store.connected());
  try {
    store.size();
    FAIL("size on a store without connection did not throw");
  } catch (const db::DbError& e) {
    CHECK(e.connectionLost());
  }
  db::initSchema(*db.connect());
  REQUIRE(store.reconnect(&why));
  CHECK(store.connected());
  CHECK(write(store, 2));
  CHECK(store.size() == 1);
}

/// A session the server ended is reported as lost (and every later call fails at once) until
/// reconnect() opens a new one. SQLite has no server: there only reconnect() is checked.
template <typename B, typename Store, typename Write, typename Read>
void checkLostConnection(const TestDb<B>& db, Store& store, Write write, Read read) {
  REQUIRE(write(store, 1));
  if constexpr (B::kBackend != db::Backend::kSqlite) {
    killOtherSessions(*db.connect());
    try {
      read(store);
      FAIL("a read on a killed session did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
    }
    CHECK_FALSE(store.connected());
    // Later calls fail at once, without touching the dead session.
    try {
      write(store, 2);
      FAIL("a write on a lost store did not throw");
    } catch (const db::DbError& e) {
      CHECK(e.connectionLost());
      CHECK_THAT(e.what(), Catch::Contains("not connected"));
    }
  }
  std::string why;
  REQUIRE(store.reconnect(&why));
  CHECK(store.connected());
  CHECK(read(store));
  CHECK(write(store, 2));
  CHECK(store.size() == 2);
}

}  // namespace takahe::dhcpsrv::test
