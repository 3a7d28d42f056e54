// SQLite through Connection: files, WAL sharing between connections, errors and the schema.
// Needs no server, so it runs in the unit suite.

#include <soci/soci.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "db_checks.h"

using namespace takahe::db;
using namespace takahe::db::test;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/takahe-db-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

DbConfig sqlite(const std::string& path, uint32_t timeout = 5) {
  DbConfig c;
  c.backend = Backend::kSqlite;
  c.name = path;
  c.connect_timeout = timeout;
  return c;
}

}  // namespace

TEST_CASE("sqlite: a connection creates the file and uses WAL") {
  TempDir dir;
  Connection c(sqlite(dir.file("leases with space.db")));
  CHECK(c.backend() == Backend::kSqlite);
  CHECK(c.alive());
  std::string mode;
  c.session() << "PRAGMA journal_mode", soci::into(mode);
  CHECK(mode == "wal");
  CHECK(std::filesystem::exists(dir.file("leases with space.db")));
}

TEST_CASE("sqlite: execute runs a script of several statements") {
  TempDir dir;
  Connection c(sqlite(dir.file("a.db")));
  c.execute(
      "CREATE TABLE t (a INT); INSERT INTO t VALUES (1); -- comment; here\n"
      "INSERT INTO t VALUES (2);");
  CHECK(count(c, "SELECT SUM(a) FROM t") == 3);
  try {
    c.execute("INSERT INTO t VALUES (3); INSERT INTO missing VALUES (4)");
    FAIL("no error for a missing table");
  } catch (const DbError& e) {
    CHECK(std::string(e.what()).rfind("running \"INSERT INTO missing VALUES (4)\": ", 0) == 0);
    CHECK(std::string(e.what()).find("no such table: missing") != std::string::npos);
    CHECK_FALSE(e.connectionLost());
  }
}

TEST_CASE("sqlite: a file in a missing directory gives an error naming 'name'") {
  try {
    Connection c(sqlite("/nonexistent-takahe-dir/leases.db"));
    FAIL("connected to a file in a missing directory");
  } catch (const DbError& e) {
    std::string what = e.what();
    CHECK(what.rfind("cannot connect to sqlite database '/nonexistent-takahe-dir/leases.db': ",
                     0) == 0);
    CHECK(what.find("(check name: the directory must exist and be writable)") != std::string::npos);
    CHECK_FALSE(e.connectionLost());
  }
}

TEST_CASE("sqlite: two connections share a file; a writer waits for the lock, then fails") {
  TempDir dir;
  Connection a(sqlite(dir.file("shared.db")));
  Connection b(sqlite(dir.file("shared.db"), 1));
  a.execute("CREATE TABLE t (a INT PRIMARY KEY)");
  {
    soci::transaction tr(a.session());
    a.execute("INSERT INTO t VALUES (1)");
    // WAL: a reader is not blocked by the open write transaction (and sees the old state).
    CHECK(count(b, "SELECT COUNT(*) FROM t") == 0);
    // A second writer waits for the busy timeout (1 s), then gets an error it can retry.
    auto start = std::chrono::steady_clock::now();
    bool failed = false;
    try {
      b.execute("INSERT INTO t VALUES (2)");
    } catch (const DbError& e) {
      failed = !e.connectionLost() && std::string(e.what()).find("locked") != std::string::npos;
    }
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(failed);
    CHECK(waited >= std::chrono::milliseconds(900));
    CHECK(waited < std::chrono::seconds(5));
    tr.commit();
  }
  CHECK_NOTHROW(b.execute("INSERT INTO t VALUES (2)"));
  CHECK(count(a, "SELECT COUNT(*) FROM t") == 2);
}

TEST_CASE("sqlite: schema init, version, upgrades 1.0 to 2.0 to 3.0 and check") {
  TempDir dir;
  Connection c(sqlite(dir.file("old.db")));
  Connection fresh(sqlite(dir.file("new.db")));
  checkSchemaLife(c, fresh);
}

TEST_CASE("sqlite: a unique key violation is a DuplicateKey") {
  TempDir dir;
  Connection c(sqlite(dir.file("dup.db")));
  checkDuplicateKey(c);
}

TEST_CASE("the current schema version is 3.0") {
  CHECK(currentSchemaVersion() == SchemaVersion{3, 0});
  CHECK(currentSchemaVersion().toString() == "3.0");
}
