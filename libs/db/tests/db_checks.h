#pragma once

// Checks shared by the SQLite tests (unit suite) and the PostgreSQL / MariaDB tests (db suite):
// the same behaviour is asserted on every backend.

#include <soci/soci.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "takahe/db/connection.h"
#include "takahe/db/schema.h"

namespace takahe::db::test {

inline void dropAll(Connection& c) {
  for (const char* t : {"lease6", "hosts4", "lease4", "schema_version"}) {
    c.execute(std::string("DROP TABLE IF EXISTS ") + t);
  }
}

inline std::string cell(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) {
    return "NULL";
  }
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_string:
      return r.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(r.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(r.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(r.get<unsigned long long>(i));
    default:
      return "?";
  }
}

/// "name type nullable default" of each column of `table`, sorted.
inline std::vector<std::string> columns(Connection& c, const std::string& table) {
  std::string sql;
  switch (c.backend()) {
    case Backend::kSqlite:
      sql = "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('" + table + "')";
      break;
    case Backend::kPostgresql:
      sql =
          "SELECT column_name, data_type, is_nullable, column_default FROM "
          "information_schema.columns WHERE table_schema = current_schema() AND table_name = '" +
          table + "'";
      break;
    case Backend::kMysql:
      sql =
          "SELECT column_name, column_type, is_nullable, column_default FROM "
          "information_schema.columns WHERE table_schema = DATABASE() AND table_name = '" +
          table + "'";
      break;
  }
  std::vector<std::string> out;
  soci::rowset<soci::row> rows = c.session().prepare << sql;
  for (const soci::row& r : rows) {
    out.push_back(cell(r, 0) + " " + cell(r, 1) + " " + cell(r, 2) + " " + cell(r, 3));
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline long long count(Connection& c, const std::string& sql) {
  long long n = -1;
  c.session() << sql, soci::into(n);
  return n;
}

inline std::string errorOf(void (*f)(Connection&), Connection& c) {
  try {
    f(c);
  } catch (const DbError& e) {
    return e.what();
  }
  return "(no error)";
}

inline const char* kInsertLease =
    "INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, "
    "fqdn_fwd, fqdn_rev, hostname, state, user_context) VALUES (3221225985, '', '', 3600, 1000, "
    "1, 0, 0, 'h1', 0, '')";

/// The whole schema life: none, 1.0, refused re-init and check, upgrade with data kept, check;
/// then 2.0 -> 3.0 alone. `c` must be on an empty database; `fresh` on another empty one (for
/// comparing columns).
inline void checkSchemaLife(Connection& c, Connection& fresh) {
  const std::string where = describe(c.config());
  CHECK(errorOf([](Connection& x) { readSchemaVersion(x); }, c) ==
        "no Takahe schema in " + where + ": run takahe-admin db-init");
  CHECK(errorOf([](Connection& x) { checkSchema(x); }, c) ==
        "no Takahe schema in " + where + ": run takahe-admin db-init");

  initSchema(c, SchemaVersion{1, 0});
  CHECK(readSchemaVersion(c) == SchemaVersion{1, 0});
  CHECK(errorOf([](Connection& x) { initSchema(x); }, c) ==
        where +
            " already has a schema (version 1.0): use takahe-admin db-upgrade, or drop the "
            "tables first");
  CHECK(errorOf([](Connection& x) { checkSchema(x); }, c) ==
        "schema version 1.0 found in " + where +
            ", this server needs 3.x: run takahe-admin db-upgrade");
  CHECK(columns(c, "hosts4").empty());
  CHECK(columns(c, "lease6").empty());
  c.execute(kInsertLease);

  CHECK(upgradeSchema(c) == SchemaVersion{1, 0});
  CHECK(readSchemaVersion(c) == currentSchemaVersion());
  CHECK_NOTHROW(checkSchema(c));
  // The lease written under 1.0 is still there, in pool 0.
  CHECK(count(c,
              "SELECT COUNT(*) FROM lease4 WHERE address = 3221225985 AND hostname = 'h1' "
              "AND pool_id = 0") == 1);
  // Upgrading the current version changes nothing.
  CHECK(upgradeSchema(c) == currentSchemaVersion());
  CHECK(count(c, "SELECT COUNT(*) FROM schema_version") == 1);

  // An upgraded database looks exactly like a fresh one.
  initSchema(fresh);
  CHECK(readSchemaVersion(fresh) == SchemaVersion{3, 0});
  CHECK_NOTHROW(checkSchema(fresh));
  std::vector<std::string> lease_cols = columns(fresh, "lease4");
  CHECK(lease_cols.size() == 12);
  CHECK(columns(c, "lease4") == lease_cols);
  std::vector<std::string> host_cols = columns(fresh, "hosts4");
  CHECK(host_cols.size() == 10);
  CHECK(columns(c, "hosts4") == host_cols);
  std::vector<std::string> lease6_cols = columns(fresh, "lease6");
  CHECK(lease6_cols.size() == 18);
  CHECK(columns(c, "lease6") == lease6_cols);

  // 2.0 (the previous release) -> 3.0 adds lease6 and keeps lease4 and hosts4 as they were.
  c.execute("DROP TABLE lease6");
  c.execute("DROP TABLE hosts4");
  c.execute("DROP TABLE lease4");
  c.execute("DROP TABLE schema_version");
  initSchema(c, SchemaVersion{2, 0});
  CHECK(readSchemaVersion(c) == SchemaVersion{2, 0});
  CHECK(columns(c, "lease6").empty());
  CHECK(errorOf([](Connection& x) { checkSchema(x); }, c) ==
        "schema version 2.0 found in " + where +
            ", this server needs 3.x: run takahe-admin db-upgrade");
  c.execute(kInsertLease);
  CHECK(upgradeSchema(c) == SchemaVersion{2, 0});
  CHECK(readSchemaVersion(c) == SchemaVersion{3, 0});
  CHECK_NOTHROW(checkSchema(c));
  CHECK(count(c, "SELECT COUNT(*) FROM lease4 WHERE hostname = 'h1'") == 1);
  CHECK(count(c, "SELECT COUNT(*) FROM lease6") == 0);
  CHECK(columns(c, "lease4") == lease_cols);
  CHECK(columns(c, "hosts4") == host_cols);
  CHECK(columns(c, "lease6") == lease6_cols);

  // A schema from the future is refused with its own message.
  c.execute("UPDATE schema_version SET version = 4, minor = 1");
  CHECK(errorOf([](Connection& x) { checkSchema(x); }, c) ==
        "schema version 4.1 found in " + where +
            ", this server needs 3.x: the database was made by a newer Takahe (or is not a Takahe "
            "database)");
  CHECK(errorOf([](Connection& x) { upgradeSchema(x); }, c) ==
        "schema version 4.1 in " + where +
            " is newer than this build's 3.0 (or not a Takahe schema): cannot upgrade");
  CHECK(errorOf(
            [](Connection& x) {
              initSchema(x, SchemaVersion{7, 0});
            },
            fresh) ==
        describe(fresh.config()) +
            " already has a schema (version 3.0): use takahe-admin db-upgrade, or drop the tables "
            "first");
}

/// Unique keys surface as DuplicateKey, other constraint errors as plain DbError.
inline void checkDuplicateKey(Connection& c) {
  initSchema(c);
  c.execute(kInsertLease);
  try {
    try {
      c.session() << kInsertLease;
      FAIL("a second lease with the same address was stored");
    } catch (const std::exception& e) {
      c.rethrow(e, "inserting the lease for 192.0.2.1");
    }
  } catch (const DuplicateKey& e) {
    std::string what = e.what();
    CHECK(what.rfind("inserting the lease for 192.0.2.1: duplicate key: ", 0) == 0);
    CHECK(what.find(describe(c.config())) != std::string::npos);
    CHECK_FALSE(e.connectionLost());
  }
  CHECK(count(c, "SELECT COUNT(*) FROM lease4") == 1);

  // Two reservations of one address in one subnet violate hosts4's second unique key.
  const std::string host =
      "INSERT INTO hosts4 (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, ipv4_address, "
      "hostname, dhcp4_server_hostname, dhcp4_boot_file_name, option_data) VALUES ";
  c.execute(host + "('a', 0, 1, 3221225986, '', '', '', '')");
  CHECK_THROWS_AS(
      [&] {
        try {
          c.execute(host + "('b', 0, 1, 3221225986, '', '', '', '')");
        } catch (const std::exception& e) {
          c.rethrow(e, "adding a reservation");
        }
      }(),
      DuplicateKey);
  // The same address in another subnet, and two reservations without an address, are fine.
  CHECK_NOTHROW(c.execute(host + "('b', 0, 2, 3221225986, '', '', '', '')"));
  CHECK_NOTHROW(c.execute(host + "('c', 0, 1, NULL, '', '', '', '')"));
  CHECK_NOTHROW(c.execute(host + "('d', 0, 1, NULL, '', '', '', '')"));

  // NOT NULL is a constraint too, but not a duplicate: execute() throws a plain DbError.
  bool plain = false;
  try {
    c.execute("INSERT INTO lease4 (address, hwaddr) VALUES (5, NULL)");
  } catch (const DuplicateKey&) {
    plain = false;
  } catch (const DbError& e) {
    plain = !e.connectionLost();
  }
  CHECK(plain);
}

}  // namespace takahe::db::test
