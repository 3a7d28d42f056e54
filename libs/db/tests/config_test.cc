// parseDbConfig: Kea's database keys, defaults, and one actionable message per mistake.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "takahe/db/db_config.h"

using namespace takahe;
using namespace takahe::db;

namespace {

const std::string kPath = "Dhcp4/lease-database";

DbConfig parse(const std::string& json, std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> w;
  DbConfig c = parseDbConfig(cc::parseJson(json, "kea.conf"), kPath, w);
  if (warnings) {
    *warnings = w;
  }
  return c;
}

// The whole message of the ConfigError a configuration throws.
std::string errorOf(const std::string& json) {
  try {
    parse(json);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a full postgresql database map is read with every Kea key") {
  std::vector<std::string> w;
  DbConfig c = parse(R"({"type": "postgresql", "name": "kea", "host": "db.example.org",
      "port": 5433, "user": "kea", "password": "secret", "connect-timeout": 3,
      "max-reconnect-tries": 10, "reconnect-wait-time": 500, "on-fail": "serve-retry-continue",
      "retry-on-startup": true, "readonly": true, "trust-anchor": "/etc/ca.pem",
      "cert-file": "/etc/c.pem", "key-file": "/etc/k.pem"})",
                     &w);
  CHECK(w.empty());
  CHECK(c.backend == Backend::kPostgresql);
  CHECK(c.name == "kea");
  CHECK(c.host == "db.example.org");
  CHECK(c.port == 5433);
  CHECK(c.user == "kea");
  CHECK(c.password == "secret");
  CHECK(c.connect_timeout == 3);
  CHECK(c.max_reconnect_tries == 10);
  CHECK(c.reconnect_wait_time == 500);
  CHECK(c.on_fail == OnFail::kServeRetryContinue);
  CHECK(c.retry_on_startup);
  CHECK(c.readonly);
  CHECK(c.trust_anchor == "/etc/ca.pem");
  CHECK(c.cert_file == "/etc/c.pem");
  CHECK(c.key_file == "/etc/k.pem");
}

TEST_CASE("a minimal mysql map gets Kea's defaults") {
  DbConfig c = parse(R"({"type": "mysql", "name": "kea"})");
  DbConfig expected;
  expected.backend = Backend::kMysql;
  expected.name = "kea";
  CHECK(c == expected);
  CHECK(c.host == "localhost");
  CHECK(c.port == 0);
  CHECK(c.connect_timeout == 5);
  CHECK(c.on_fail == OnFail::kStopRetryExit);
  CHECK_FALSE(c.retry_on_startup);
}

TEST_CASE("mysql read-timeout and write-timeout are read") {
  std::vector<std::string> w;
  DbConfig c = parse(R"({"type": "mysql", "name": "kea", "read-timeout": 7, "write-timeout": 8,
      "on-fail": "serve-retry-exit"})",
                     &w);
  CHECK(w.empty());
  CHECK(c.read_timeout == 7);
  CHECK(c.write_timeout == 8);
  CHECK(c.on_fail == OnFail::kServeRetryExit);
}

TEST_CASE("a sqlite map needs only a file name") {
  DbConfig c = parse(R"({"type": "sqlite", "name": "/var/lib/takahe/leases.db"})");
  CHECK(c.backend == Backend::kSqlite);
  CHECK(c.name == "/var/lib/takahe/leases.db");
}

TEST_CASE("every mistake in a database map names the parameter and position") {
  CHECK(errorOf(R"({"name": "kea"})") ==
        "Dhcp4/lease-database: missing mandatory parameter 'type' (kea.conf:1)");
  CHECK(errorOf(R"({"type": "oracle", "name": "kea"})") ==
        "Dhcp4/lease-database/type: 'oracle' is not a SQL database type (expected sqlite, "
        "postgresql or mysql) (kea.conf:1)");
  CHECK(errorOf(R"({"type": "memfile"})") ==
        "Dhcp4/lease-database/type: 'memfile' is not a SQL database type (expected sqlite, "
        "postgresql or mysql) (kea.conf:1)");
  CHECK(errorOf(R"({"type": 3, "name": "kea"})") ==
        "Dhcp4/lease-database/type: expected a string, got integer (kea.conf:1)");
  CHECK(errorOf(R"({"type": "postgresql"})") ==
        "Dhcp4/lease-database/name: missing mandatory parameter 'name' (the database name) "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "sqlite"})") ==
        "Dhcp4/lease-database/name: missing mandatory parameter 'name' (the database file) "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": ""})") ==
        "Dhcp4/lease-database/name: 'name' must not be empty (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "host": ""})") ==
        "Dhcp4/lease-database/host: 'host' must not be empty (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "port": 0})") ==
        "Dhcp4/lease-database/port: must be 1-65535, got 0 (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "port": 65536})") ==
        "Dhcp4/lease-database/port: must be 1-65535, got 65536 (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "port": "3306"})") ==
        "Dhcp4/lease-database/port: expected an integer, got string (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "user": 5})") ==
        "Dhcp4/lease-database/user: expected a string, got integer (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "connect-timeout": 0})") ==
        "Dhcp4/lease-database/connect-timeout: value 0 is out of range [1, 2147483647] "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "read-timeout": -1})") ==
        "Dhcp4/lease-database/read-timeout: value -1 is out of range [0, 2147483647] (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "max-reconnect-tries": -2})") ==
        "Dhcp4/lease-database/max-reconnect-tries: value -2 is out of range [0, 2147483647] "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "reconnect-wait-time": 1.5})") ==
        "Dhcp4/lease-database/reconnect-wait-time: expected an integer, got real (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "on-fail": "retry"})") ==
        "Dhcp4/lease-database/on-fail: 'retry' is not a valid on-fail action (expected "
        "stop-retry-exit, serve-retry-exit or serve-retry-continue) (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "retry-on-startup": "yes"})") ==
        "Dhcp4/lease-database/retry-on-startup: expected a boolean, got string (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "readonly": 1})") ==
        "Dhcp4/lease-database/readonly: expected a boolean, got integer (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "cert-file": "/c.pem"})") ==
        "Dhcp4/lease-database/cert-file: 'cert-file' needs 'key-file' (the client certificate's "
        "private key) (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "key-file": "/k.pem"})") ==
        "Dhcp4/lease-database/key-file: 'key-file' needs 'cert-file' (the client certificate) "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "trust-anchor": ""})") ==
        "Dhcp4/lease-database/trust-anchor: 'trust-anchor' must not be empty (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "password": "a", "password-file": "/p"})") ==
        "Dhcp4/lease-database/password-file: 'password' and 'password-file' are mutually "
        "exclusive (kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "password-file": "/nonexistent/pw"})") ==
        "Dhcp4/lease-database/password-file: cannot read the password file '/nonexistent/pw' "
        "(kea.conf:1)");
  CHECK(errorOf(R"({"type": "mysql", "name": "k", "hots": "db"})") ==
        "Dhcp4/lease-database/hots: unknown parameter 'hots' (kea.conf:1)");
}

TEST_CASE("errors point at the line of the offending value") {
  CHECK(errorOf("{\"type\": \"mysql\",\n \"name\": \"k\",\n \"port\": 99999}") ==
        "Dhcp4/lease-database/port: must be 1-65535, got 99999 (kea.conf:3)");
}

TEST_CASE("Kea keys that do not apply to SQL are warnings, not errors") {
  std::vector<std::string> w;
  DbConfig c = parse(R"({"type": "postgresql", "name": "k", "persist": true, "lfc-interval": 3600,
      "max-row-errors": 5, "tcp-user-timeout": 10, "ssl-mode": "require",
      "comment": "documentation only"})",
                     &w);
  CHECK(c.name == "k");
  std::vector<std::string> expected = {
      "Dhcp4/lease-database/persist: parameter 'persist' does not apply to a postgresql database "
      "and is ignored (kea.conf:1)",
      "Dhcp4/lease-database/lfc-interval: parameter 'lfc-interval' does not apply to a postgresql "
      "database and is ignored (kea.conf:1)",
      "Dhcp4/lease-database/max-row-errors: parameter 'max-row-errors' does not apply to a "
      "postgresql database and is ignored (kea.conf:2)",
      "Dhcp4/lease-database/tcp-user-timeout: parameter 'tcp-user-timeout' does not apply to a "
      "postgresql database and is ignored (kea.conf:2)",
      "Dhcp4/lease-database/ssl-mode: parameter 'ssl-mode' does not apply to a postgresql "
      "database and is ignored (kea.conf:2)",
  };
  CHECK(w == expected);
}

TEST_CASE("parameters that have no effect on the chosen backend are warned about") {
  std::vector<std::string> w;
  parse(R"({"type": "postgresql", "name": "k", "read-timeout": 3, "write-timeout": 4,
      "cipher-list": "HIGH"})",
        &w);
  REQUIRE(w.size() == 3);
  CHECK(w[0] ==
        "Dhcp4/lease-database/read-timeout: parameter 'read-timeout' applies to mysql only and is "
        "ignored (kea.conf:1)");
  CHECK(w[1] ==
        "Dhcp4/lease-database/write-timeout: parameter 'write-timeout' applies to mysql only and "
        "is ignored (kea.conf:1)");
  CHECK(w[2] ==
        "Dhcp4/lease-database/cipher-list: parameter 'cipher-list' is not supported by the "
        "postgresql client and is ignored (kea.conf:2)");

  w.clear();
  parse(R"({"type": "sqlite", "name": "/tmp/x.db", "host": "h", "port": 1, "user": "u",
      "password": "p", "trust-anchor": "/ca"})",
        &w);
  REQUIRE(w.size() == 5);
  CHECK(w[0] ==
        "Dhcp4/lease-database/host: parameter 'host' has no effect for sqlite and is ignored "
        "(kea.conf:1)");
  CHECK(w[4] ==
        "Dhcp4/lease-database/trust-anchor: parameter 'trust-anchor' has no effect for sqlite and "
        "is ignored (kea.conf:2)");
}

TEST_CASE("password-file supplies the password without its trailing newline") {
  char path[] = "/tmp/takahe-db-pw-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "s3cret pass\n";
  DbConfig c =
      parse(std::string(R"({"type": "mysql", "name": "k", "password-file": ")") + path + "\"}");
  std::remove(path);
  CHECK(c.password == "s3cret pass");
}

TEST_CASE("describe names backend, database, address and user but never the password") {
  DbConfig c = parse(R"({"type": "postgresql", "name": "kea", "host": "127.0.0.1",
      "user": "kea", "password": "hunter2"})");
  CHECK(describe(c) == "postgresql database 'kea' at 127.0.0.1:5432 as user 'kea'");
  c.backend = Backend::kMysql;
  c.port = 3307;
  CHECK(describe(c) == "mysql database 'kea' at 127.0.0.1:3307 as user 'kea'");
  c.backend = Backend::kSqlite;
  CHECK(describe(c) == "sqlite database 'kea'");
}

TEST_CASE("only sqlite, postgresql and mysql are SQL types") {
  CHECK(isSqlType("sqlite"));
  CHECK(isSqlType("postgresql"));
  CHECK(isSqlType("mysql"));
  CHECK_FALSE(isSqlType("memfile"));
  CHECK_FALSE(isSqlType("pgsql"));
  CHECK(std::string(backendName(Backend::kPostgresql)) == "postgresql");
  CHECK(std::string(backendName(Backend::kMysql)) == "mysql");
  CHECK(std::string(backendName(Backend::kSqlite)) == "sqlite");
}
