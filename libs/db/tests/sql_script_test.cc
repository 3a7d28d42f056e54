// Splitting schema scripts into statements, and one-line client messages.

#include "sql_script.h"

#include <catch2/catch.hpp>

using takahe::db::oneLine;
using takahe::db::splitSqlScript;

TEST_CASE("a script splits at semicolons outside quotes, without comments or empty statements") {
  auto s = splitSqlScript(
      "-- header comment; not a statement\n"
      "CREATE TABLE t (a INT);\n"
      "  ;;\n"
      "INSERT INTO t VALUES ('x;y'); -- trailing; comment\n"
      "INSERT INTO \"odd;name\" VALUES (`b;c`)\n");
  REQUIRE(s.size() == 3);
  CHECK(s[0] == "CREATE TABLE t (a INT)");
  CHECK(s[1] == "INSERT INTO t VALUES ('x;y')");
  CHECK(s[2] == "INSERT INTO \"odd;name\" VALUES (`b;c`)");
}

TEST_CASE("a doubled quote inside a string does not end it") {
  auto s = splitSqlScript("SELECT 'it''s; fine'; SELECT 2");
  REQUIRE(s.size() == 2);
  CHECK(s[0] == "SELECT 'it''s; fine'");
  CHECK(s[1] == "SELECT 2");
}

TEST_CASE("an empty or comment-only script has no statements") {
  CHECK(splitSqlScript("").empty());
  CHECK(splitSqlScript("  -- only a comment\n ; \n").empty());
}

TEST_CASE("client messages are folded onto one line") {
  CHECK(oneLine("  connection to server failed:\n\tConnection refused\n") ==
        "connection to server failed: Connection refused");
  CHECK(oneLine("") == "");
}
