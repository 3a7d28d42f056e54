#pragma once

// Test databases for the SQL store tests: a SQLite file in a temporary directory, or the
// PostgreSQL / MariaDB servers that test/lib/db.sh starts (ports in the environment). Each
// TestDb starts from an empty schema at the current version.

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "takahe/db/connection.h"
#include "takahe/db/db_config.h"
#include "takahe/db/schema.h"
#include "takahe/dhcpsrv/sql_lease_store.h"
#include "takahe/dhcpsrv/sql_lease_store6.h"
#include "test_support.h"

namespace takahe::dhcpsrv::test {

// The backends, as types for TEMPLATE_TEST_CASE: test names end in " - Sqlite",
// " - Postgresql" or " - Mysql", which is how meson picks the 'unit' and 'db' runs.
struct Sqlite {
  static constexpr db::Backend kBackend = db::Backend::kSqlite;
  static constexpr const char* kPortVariable = nullptr;
};
struct Postgresql {
  static constexpr db::Backend kBackend = db::Backend::kPostgresql;
  static constexpr const char* kPortVariable = "TAKAHE_TEST_PGSQL_PORT";
};
struct Mysql {
  static constexpr db::Backend kBackend = db::Backend::kMysql;
  static constexpr const char* kPortVariable = "TAKAHE_TEST_MYSQL_PORT";
};

/// Connection parameters of the test database of `backend`; FAILs the test when a server's
/// port is not in the environment.
inline db::DbConfig testDbConfig(db::Backend backend, const char* port_variable,
                                 const std::string& sqlite_file) {
  db::DbConfig c;
  c.backend = backend;
  if (backend == db::Backend::kSqlite) {
    c.name = sqlite_file;
    return c;
  }
  const char* port = std::getenv(port_variable);
  if (port == nullptr || *port == '\0') {
    FAIL(port_variable << " not set: run tests through test/run-all.sh or `. test/lib/db.sh; "
                          "db_start_all`");
  }
  c.host = "127.0.0.1";
  c.port = static_cast<uint16_t>(std::stoi(port));
  c.user = "takahe";
  c.password = "takahe-test";
  c.name = "takahe_test";
  return c;
}

/// Removes every table of the Takahe schema (the server databases are shared by the tests).
inline void dropSchema(db::Connection& c) {
  for (const char* table : {"lease6", "lease4", "hosts4", "schema_version"}) {
    c.execute(std::string("DROP TABLE IF EXISTS ") + table);
  }
}

template <typename B>
struct TestDb {
  TestDb() : config(testDbConfig(B::kBackend, B::kPortVariable, dir.file("leases.db"))) {
    db::Connection c(config);
    dropSchema(c);
    db::initSchema(c);
  }
  /// A new store on its own connection.
  std::unique_ptr<SqlLeaseStore4> store() const { return std::make_unique<SqlLeaseStore4>(config); }
  /// A new DHCPv6 lease store on its own connection.
  std::unique_ptr<SqlLeaseStore6> store6() const {
    return std::make_unique<SqlLeaseStore6>(config);
  }
  /// Another connection, for looking at or changing the database beside the store.
  std::unique_ptr<db::Connection> connect() const {
    return std::make_unique<db::Connection>(config);
  }

  takahe::testing::TempDir dir;
  db::DbConfig config;
};

}  // namespace takahe::dhcpsrv::test
