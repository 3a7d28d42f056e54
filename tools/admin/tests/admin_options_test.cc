// takahe-admin's command line: kea-admin's commands, backends, options and defaults, and one
// clear message per mistake.

#include "admin_options.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace takahe;
using namespace takahe::admin;

namespace {

AdminOptions parse(std::vector<std::string> args,
                   std::optional<std::string> env_password = std::nullopt) {
  return parseAdminOptions(args, env_password);
}

// The message of the UsageError that parsing `args` throws ("" when it does not throw).
std::string usageError(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every kea-admin command is recognised") {
  CHECK(parse({"db-init", "pgsql"}).command == Command::kDbInit);
  CHECK(parse({"db-version", "pgsql"}).command == Command::kDbVersion);
  CHECK(parse({"db-upgrade", "pgsql"}).command == Command::kDbUpgrade);
  CHECK(parse({"lease-dump", "pgsql"}).command == Command::kLeaseDump);
  CHECK(parse({"lease-upload", "pgsql"}).command == Command::kLeaseUpload);
  CHECK(parse({"stats-recount", "pgsql"}).command == Command::kStatsRecount);
  CHECK(std::string(commandName(Command::kLeaseUpload)) == "lease-upload");
}

TEST_CASE("backends: kea-admin's names, postgresql as an alias, and sqlite") {
  CHECK(parse({"db-version", "pgsql"}).backend == db::Backend::kPostgresql);
  CHECK(parse({"db-version", "postgresql"}).backend == db::Backend::kPostgresql);
  CHECK(parse({"db-version", "mysql"}).backend == db::Backend::kMysql);
  auto o = parse({"db-version", "sqlite", "-n", "/tmp/x.db"});
  CHECK(o.backend == db::Backend::kSqlite);
  CHECK(o.backend_word == "sqlite");
}

TEST_CASE("without options the connection uses kea-admin's defaults") {
  auto o = parse({"db-version", "mysql"});
  CHECK(o.host == "localhost");
  CHECK(o.port == 0);
  CHECK(o.user == "keatest");
  CHECK(o.password == "keatest");
  CHECK(o.name == "keatest");
  CHECK(o.family == 0);
  CHECK_FALSE(o.assume_yes);
  CHECK_FALSE(o.password_prompt);
}

TEST_CASE("short options set every connection parameter") {
  auto o = parse({"db-init", "pgsql", "-u", "kea", "-p", "secret", "-n", "leases", "-h",
                  "db.example", "-P", "5433"});
  CHECK(o.user == "kea");
  CHECK(o.password == "secret");
  CHECK(o.name == "leases");
  CHECK(o.host == "db.example");
  CHECK(o.port == 5433);
  db::DbConfig c = o.dbConfig();
  CHECK(c.backend == db::Backend::kPostgresql);
  CHECK(c.user == "kea");
  CHECK(c.password == "secret");
  CHECK(c.name == "leases");
  CHECK(c.host == "db.example");
  CHECK(c.port == 5433);
}

TEST_CASE("long options are the same as the short ones") {
  auto o = parse({"lease-dump", "mysql", "--user", "kea", "--password", "pw", "--name", "db",
                  "--host", "10.0.0.1", "--port", "3307", "-4", "--output", "out.csv", "--yes"});
  CHECK(o.user == "kea");
  CHECK(o.password == "pw");
  CHECK(o.name == "db");
  CHECK(o.host == "10.0.0.1");
  CHECK(o.port == 3307);
  CHECK(o.family == 4);
  CHECK(o.output == "out.csv");
  CHECK(o.assume_yes);
  auto u = parse({"lease-upload", "mysql", "-4", "--input", "in.csv"});
  CHECK(u.input == "in.csv");
  auto s = parse({"lease-upload", "mysql", "-4", "-i", "in.csv", "-y"});
  CHECK(s.input == "in.csv");
  CHECK(s.assume_yes);
}

TEST_CASE("-h is the host, not help") {
  auto o = parse({"db-version", "pgsql", "-h", "127.0.0.1"});
  CHECK(o.host == "127.0.0.1");
  CHECK_FALSE(o.show_help);
  CHECK(usageError({"db-version", "pgsql", "-h"}) == "-h or --host requires a parameter");
}

TEST_CASE("-p takes the next argument even when it starts with a dash") {
  auto o = parse({"db-version", "pgsql", "-p", "-n", "-u", "kea"});
  CHECK(o.password == "-n");
  CHECK(o.user == "kea");
  CHECK(o.name == "keatest");
  CHECK_FALSE(o.password_prompt);
}

TEST_CASE("-p as the last argument asks for the password") {
  auto o = parse({"db-version", "pgsql", "-u", "kea", "-p"});
  CHECK(o.password_prompt);
  CHECK(o.password.empty());
}

TEST_CASE("KEA_ADMIN_DB_PASSWORD is used only when -p is not given") {
  auto env = parse({"db-version", "pgsql"}, std::string("from-env"));
  CHECK(env.password == "from-env");
  CHECK(env.password_from_env);
  auto cmd = parse({"db-version", "pgsql", "-p", "from-cli"}, std::string("from-env"));
  CHECK(cmd.password == "from-cli");
  CHECK_FALSE(cmd.password_from_env);
}

TEST_CASE("-4 and -6 select the lease type and exclude each other") {
  CHECK(parse({"lease-dump", "pgsql", "-4"}).family == 4);
  CHECK(parse({"lease-dump", "pgsql", "-6"}).family == 6);
  CHECK(parse({"lease-dump", "pgsql", "-4", "-4"}).family == 4);
  CHECK(usageError({"lease-dump", "pgsql", "-4", "-6"}) == "-4 and -6 may not be given together");
}

TEST_CASE("-d and -x are accepted for kea-admin scripts") {
  auto o = parse(
      {"db-upgrade", "mysql", "-d", "/usr/share/kea/scripts", "-x", "--ssl", "-x", "--verbose"});
  CHECK(o.scripts_dir == "/usr/share/kea/scripts");
  CHECK(o.extra == std::vector<std::string>{"--ssl", "--verbose"});
}

TEST_CASE("the version and help are asked for in place of the command") {
  CHECK(parse({"-v"}).show_version);
  CHECK(parse({"--version"}).show_version);
  CHECK(parse({"--help"}).show_help);
}

TEST_CASE("the hidden --schema-version option of db-init") {
  auto o = parse({"db-init", "sqlite", "-n", "x.db", "--schema-version", "1.0"});
  REQUIRE(o.schema_version.has_value());
  CHECK(*o.schema_version == db::SchemaVersion{1, 0});
  CHECK_FALSE(parse({"db-init", "sqlite", "-n", "x.db"}).schema_version.has_value());
  CHECK(usageError({"db-init", "sqlite", "-n", "x.db", "--schema-version", "two"}) ==
        "--schema-version: 'two' is not a version such as 1.0");
  CHECK(usageError({"db-upgrade", "sqlite", "-n", "x.db", "--schema-version", "1.0"}) ==
        "--schema-version is only for db-init");
}

TEST_CASE("command line mistakes are usage errors naming the argument") {
  CHECK(usageError({}) == "missing command");
  CHECK(usageError({"db-create", "pgsql"}).rfind("invalid command: 'db-create'", 0) == 0);
  CHECK(usageError({"db-init"}).rfind("missing backend", 0) == 0);
  CHECK(usageError({"db-init", "oracle"}).rfind("invalid backend: 'oracle'", 0) == 0);
  CHECK(usageError({"db-init", "memfile"}).find("memfile") != std::string::npos);
  CHECK(usageError({"db-init", "pgsql", "--frobnicate"}) == "invalid option: '--frobnicate'");
  CHECK(usageError({"db-init", "pgsql", "-u"}) == "-u or --user requires a parameter");
  CHECK(usageError({"db-init", "pgsql", "-n", ""}) == "-n or --name requires a parameter");
  CHECK(usageError({"lease-upload", "pgsql", "-4", "-i"}) == "-i or --input requires a parameter");
  CHECK(usageError({"lease-dump", "pgsql", "-4", "-o"}) == "-o or --output requires a parameter");
  CHECK(usageError({"db-init", "pgsql", "-P"}) == "-P or --port requires a parameter");
  CHECK(usageError({"db-init", "sqlite"}) ==
        "the sqlite backend needs -n FILE (the database file)");
}

TEST_CASE("a port must be a number from 1 to 65535") {
  CHECK(parse({"db-init", "pgsql", "-P", "1"}).port == 1);
  CHECK(parse({"db-init", "pgsql", "-P", "65535"}).port == 65535);
  for (const char* bad : {"0", "65536", "54x", "-1", "", "99999999999"}) {
    INFO(bad);
    CHECK(usageError({"db-init", "pgsql", "-P", bad}) ==
          std::string("-P or --port: '") + bad + "' is not a port number (1-65535)");
  }
}

TEST_CASE("connection hints name takahe-admin's options") {
  CHECK(hintForAdmin("cannot connect to postgresql database 'x' at 127.0.0.1:5999 as user 'u': "
                     "connection refused (check host and port)") ==
        "cannot connect to postgresql database 'x' at 127.0.0.1:5999 as user 'u': "
        "connection refused (check -h and -P)");
  CHECK(hintForAdmin("...: authentication failed for user 'u' (check user and password)") ==
        "...: authentication failed for user 'u' (check -u and -p)");
  CHECK(hintForAdmin("...: database 'nope' does not exist (check name)") ==
        "...: database 'nope' does not exist (check -n)");
  CHECK(hintForAdmin("...: timed out after 5 s (check host and port, and connect-timeout)") ==
        "...: timed out after 5 s (check -h and -P)");
  CHECK(hintForAdmin("x (check user, name and host, and the server's pg_hba.conf)") ==
        "x (check -u, -n and -h, and the server's pg_hba.conf)");
  CHECK(hintForAdmin("x (check host, port, user, password and name)") ==
        "x (check -h, -P, -u, -p and -n)");
  // "the user's grants" is about the user, not the option.
  CHECK(hintForAdmin("x (check name, and the user's grants)") ==
        "x (check -n, and the user's grants)");
  // Text before the hint (the database name 'host' here) is left alone.
  CHECK(hintForAdmin("database 'host' (check name)") == "database 'host' (check -n)");
  CHECK(hintForAdmin("no hint at all") == "no hint at all");
}

TEST_CASE("the usage text lists every command and option") {
  std::string u = usageText();
  for (const char* word : {"db-init", "db-version", "db-upgrade", "lease-dump", "lease-upload",
                           "stats-recount", "sqlite", "pgsql", "mysql", "--host", "--port",
                           "--user", "--password", "--name", "--input", "--output", "--yes"}) {
    INFO(word);
    CHECK(u.find(word) != std::string::npos);
  }
}
