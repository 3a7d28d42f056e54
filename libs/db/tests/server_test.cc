// PostgreSQL and MariaDB through Connection, against the real servers test/lib/db.sh starts
// (suite 'db'). Without them every test fails with a message saying how to start them.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <soci/soci.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

#include "db_checks.h"

using namespace takahe::db;
using namespace takahe::db::test;

namespace {

const char* portVar(Backend b) {
  return b == Backend::kPostgresql ? "TAKAHE_TEST_PGSQL_PORT" : "TAKAHE_TEST_MYSQL_PORT";
}

DbConfig server(Backend b, const std::string& name = "takahe_test") {
  const char* port = std::getenv(portVar(b));
  if (port == nullptr || *port == '\0') {
    FAIL(std::string(portVar(b)) +
         " not set: run tests through test/run-all.sh or `. test/lib/db.sh; db_start_all`");
  }
  DbConfig c;
  c.backend = b;
  c.name = name;
  c.host = "127.0.0.1";
  c.port = static_cast<uint16_t>(std::atoi(port));
  c.user = "takahe";
  c.password = "takahe-test";
  c.connect_timeout = 5;
  return c;
}

// A loopback TCP socket bound to a port the kernel chose; listening or not.
class Socket {
 public:
  explicit Socket(bool listening) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    if (listening) {
      REQUIRE(::listen(fd_, 8) == 0);
    }
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

struct ConnectError {
  std::string what;
  bool lost = false;
};

ConnectError connectError(const DbConfig& c) {
  try {
    Connection conn(c);
  } catch (const DbError& e) {
    return {e.what(), e.connectionLost()};
  }
  return {"(connected)", false};
}

void connects(Backend b) {
  Connection c(server(b));
  CHECK(c.backend() == b);
  CHECK(c.alive());
  c.execute(
      "DROP TABLE IF EXISTS t; CREATE TABLE t (a INT); INSERT INTO t VALUES (4); "
      "INSERT INTO t VALUES (5)");
  CHECK(count(c, "SELECT SUM(a) FROM t") == 9);
  c.execute("DROP TABLE t");
}

void refusedPort(Backend b) {
  Socket closed(false);  // bound, not listening: connections are refused
  DbConfig c = server(b);
  c.port = closed.port();
  ConnectError e = connectError(c);
  CHECK(e.what ==
        "cannot connect to " + describe(c) + ": connection refused (check host and port)");
  CHECK(e.lost);
}

void silentServer(Backend b) {
  Socket silent(true);  // accepts TCP (backlog) but never answers
  DbConfig c = server(b);
  c.port = silent.port();
  c.connect_timeout = 1;
  c.read_timeout = 1;
  auto start = std::chrono::steady_clock::now();
  ConnectError e = connectError(c);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(e.what == "cannot connect to " + describe(c) +
                      ": timed out after 1 s (check host and port, and connect-timeout)");
  CHECK(e.lost);
  CHECK(took < std::chrono::seconds(10));
}

void badPassword(Backend b) {
  DbConfig c = server(b);
  c.password = "wrong";
  ConnectError e = connectError(c);
  CHECK(e.what == "cannot connect to " + describe(c) +
                      ": authentication failed for user 'takahe' (check user and password)");
  CHECK_FALSE(e.lost);
  // Quotes and spaces reach the server intact (not cut into other connection options).
  for (const char* pw : {"two words", "it's \"quoted\\", "a=b host=elsewhere"}) {
    c.password = pw;
    if (b == Backend::kMysql && std::string(pw).find('\'') != std::string::npos) {
      continue;  // the mysql option parser cannot carry both quote characters (refused below)
    }
    e = connectError(c);
    CHECK(e.what == "cannot connect to " + describe(c) +
                        ": authentication failed for user 'takahe' (check user and password)");
  }
  if (b == Backend::kMysql) {
    c.password = "it's \"both\"";
    CHECK(connectError(c).what ==
          "the password contains both ' and \" which the mysql client cannot pass");
  }
  c = server(b);
  c.user = "nobody_here";
  e = connectError(c);
  CHECK(e.what == "cannot connect to " + describe(c) +
                      ": authentication failed for user 'nobody_here' (check user and password)");
}

void badName(Backend b) {
  DbConfig c = server(b, "no_such_db");
  ConnectError e = connectError(c);
  if (b == Backend::kPostgresql) {
    CHECK(e.what == "cannot connect to " + describe(c) +
                        ": database 'no_such_db' does not exist (check name)");
  } else {
    // MariaDB does not tell a missing database from one the user has no grant on.
    CHECK(e.what == "cannot connect to " + describe(c) +
                        ": database 'no_such_db' does not exist or user 'takahe' may not use it "
                        "(check name, and the user's grants)");
  }
  CHECK_FALSE(e.lost);
}

void schemaLife(Backend b) {
  Connection c(server(b, "takahe_test"));
  Connection fresh(server(b, "takahe_test2"));
  dropAll(c);
  dropAll(fresh);
  checkSchemaLife(c, fresh);
  dropAll(c);
  dropAll(fresh);
}

void duplicateKey(Backend b) {
  Connection c(server(b));
  dropAll(c);
  checkDuplicateKey(c);
  dropAll(c);
}

// The server ends the session under a statement: rethrow says "lost" so the caller reconnects.
void lostConnection(Backend b) {
  Connection victim(server(b));
  Connection killer(server(b));
  long long id = 0;
  if (b == Backend::kPostgresql) {
    victim.session() << "SELECT pg_backend_pid()", soci::into(id);
    killer.session() << "SELECT pg_terminate_backend(" + std::to_string(id) + ")";
  } else {
    victim.session() << "SELECT CONNECTION_ID()", soci::into(id);
    killer.execute("KILL CONNECTION " + std::to_string(id));
  }
  bool lost = false;
  std::string what;
  try {
    try {
      int one = 0;
      victim.session() << "SELECT 1", soci::into(one);
    } catch (const std::exception& e) {
      victim.rethrow(e, "reading a lease");
    }
  } catch (const DbError& e) {
    lost = e.connectionLost();
    what = e.what();
  }
  CHECK(lost);
  CHECK(what.rfind("reading a lease: connection to the database lost: ", 0) == 0);
  CHECK_FALSE(victim.alive());
  CHECK(killer.alive());
}

}  // namespace

TEST_CASE("postgresql: connects and runs a script") { connects(Backend::kPostgresql); }
TEST_CASE("postgresql: a port nobody listens on gives 'connection refused (check host and port)'") {
  refusedPort(Backend::kPostgresql);
}
TEST_CASE("postgresql: a server that never answers times out after connect-timeout") {
  silentServer(Backend::kPostgresql);
}
TEST_CASE("postgresql: a bad password or user gives '(check user and password)'") {
  badPassword(Backend::kPostgresql);
}
TEST_CASE("postgresql: an unknown database gives '(check name)'") { badName(Backend::kPostgresql); }
TEST_CASE("postgresql: schema init, version, upgrades 1.0 to 2.0 to 3.0 and check") {
  schemaLife(Backend::kPostgresql);
}
TEST_CASE("postgresql: a unique key violation (SQLSTATE 23505) is a DuplicateKey") {
  duplicateKey(Backend::kPostgresql);
}
TEST_CASE("postgresql: a terminated session is reported as a lost connection") {
  lostConnection(Backend::kPostgresql);
}

TEST_CASE("mysql: connects and runs a script") { connects(Backend::kMysql); }
TEST_CASE("mysql: a port nobody listens on gives 'connection refused (check host and port)'") {
  refusedPort(Backend::kMysql);
}
TEST_CASE("mysql: a server that never answers times out after connect-timeout") {
  silentServer(Backend::kMysql);
}
TEST_CASE("mysql: a bad password or user gives '(check user and password)'") {
  badPassword(Backend::kMysql);
}
TEST_CASE("mysql: an unknown database gives '(check name)'") { badName(Backend::kMysql); }
TEST_CASE("mysql: schema init, version, upgrades 1.0 to 2.0 to 3.0 and check") {
  schemaLife(Backend::kMysql);
}
TEST_CASE("mysql: a unique key violation (error 1062) is a DuplicateKey") {
  duplicateKey(Backend::kMysql);
}
TEST_CASE("mysql: a killed session is reported as a lost connection") {
  lostConnection(Backend::kMysql);
}
