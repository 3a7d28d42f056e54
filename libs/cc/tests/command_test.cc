#include "takahe/cc/command.h"

#include <catch2/catch.hpp>
#include <string>

using namespace takahe;
using namespace takahe::cc;

namespace {

std::string commandError(std::string_view json) {
  try {
    parseCommand(parseJson(json, "<command>"));
  } catch (const ParseError& e) {
    return std::string("parse error: ") + e.what();
  } catch (const takahe::Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("A full command envelope parses") {
  const Command c = parseCommand(parseJson(
      R"({"command": "lease4-get", "service": ["dhcp4", "dhcp6"], "arguments": {"ip-address": "192.0.2.1"}, "extra": 1})"));
  CHECK(c.name == "lease4-get");
  CHECK(c.services == std::vector<std::string>{"dhcp4", "dhcp6"});
  REQUIRE(c.arguments.has_value());
  CHECK(c.arguments->at("ip-address").asString() == "192.0.2.1");
}

TEST_CASE("Optional parts of a command may be absent or short") {
  const Command bare = parseCommand(parseJson(R"({"command": "version-get"})"));
  CHECK(bare.name == "version-get");
  CHECK(bare.services.empty());
  CHECK_FALSE(bare.arguments.has_value());

  const Command single = parseCommand(parseJson(R"({"service": "dhcp4", "command": "x"})"));
  CHECK(single.services == std::vector<std::string>{"dhcp4"});
  const Command empty =
      parseCommand(parseJson(R"({"command": "x", "service": [], "arguments": {}})"));
  CHECK(empty.services.empty());
  REQUIRE(empty.arguments.has_value());
  CHECK(empty.arguments->size() == 0);
}

TEST_CASE("Malformed commands give clear errors") {
  CHECK(commandError("[1]") == "invalid command: expected a map, got list");
  CHECK(commandError("{}") == "invalid command: missing 'command'");
  CHECK(commandError(R"({"command": 5})") ==
        "invalid command: 'command' must be a string, got integer");
  CHECK(commandError(R"({"command": ""})") == "invalid command: 'command' must not be empty");
  CHECK(commandError(R"({"command": "x", "arguments": [1]})") ==
        "invalid command: 'arguments' must be a map, got list");
  CHECK(commandError(R"({"command": "x", "arguments": null})") ==
        "invalid command: 'arguments' must be a map, got null");
  CHECK(commandError(R"({"command": "x", "service": 4})") ==
        "invalid command: 'service' must be a list of strings, got integer");
  CHECK(commandError(R"({"command": "x", "service": ["dhcp4", 4]})") ==
        "invalid command: 'service' must be a list of strings, item 1 is integer");
  CHECK(commandError(R"({"command": "x",)") ==
        "parse error: <command>:1:17: unexpected end of input, expected a string key");
}

TEST_CASE("Answers have result, text and arguments in that order") {
  CHECK(makeAnswer(ResultCode::kSuccess, "ok").toJson() == R"({"result":0,"text":"ok"})");
  CHECK(makeAnswer(ResultCode::kEmpty, "0 leases found", Value(Members{{"leases", List{}}}))
            .toJson() == R"({"result":3,"text":"0 leases found","arguments":{"leases":[]}})");
  CHECK(makeAnswer(ResultCode::kFatal, "x").at("result").asInt() == 5);
  CHECK(makeAnswer(ResultCode::kConflict, "x").at("result").asInt() == 4);
  CHECK(makeAnswer(ResultCode::kUnsupported, "x").at("result").asInt() == 2);
  CHECK(makeAnswer(ResultCode::kError, "bad \"quote\"").toJson() ==
        R"({"result":1,"text":"bad \"quote\""})");
}

TEST_CASE("Commands built by clients parse back") {
  const Value cmd =
      makeCommand("lease4-get", Value(Members{{"ip-address", "192.0.2.1"}}), {"dhcp4"});
  CHECK(cmd.toJson() ==
        R"({"command":"lease4-get","service":["dhcp4"],"arguments":{"ip-address":"192.0.2.1"}})");
  const Command back = parseCommand(parseJson(cmd.toJson()));
  CHECK(back.name == "lease4-get");
  CHECK(back.services == std::vector<std::string>{"dhcp4"});
  CHECK(makeCommand("list-commands").toJson() == R"({"command":"list-commands"})");
  CHECK_THROWS_AS(makeCommand("x", Value(List{})), takahe::Error);
}

TEST_CASE("Answers parse, including Kea's HTTP list wrapping") {
  const Answer a =
      parseAnswer(parseJson(R"([{"result": 3, "text": "none", "arguments": {"n": 0}}])"));
  CHECK(a.result == 3);
  CHECK(a.text == "none");
  REQUIRE(a.arguments.has_value());
  CHECK(a.arguments->at("n").asInt() == 0);
  const Answer denied = parseAnswer(parseJson(R"({"result": 403, "text": "Forbidden"})"));
  CHECK(denied.result == 403);
  CHECK_FALSE(denied.arguments.has_value());
  CHECK(parseAnswer(makeAnswer(ResultCode::kSuccess, "ok")).text == "ok");
  CHECK_THROWS_WITH(parseAnswer(parseJson(R"({"text": "x"})")), "invalid answer: missing 'result'");
  CHECK_THROWS_WITH(parseAnswer(parseJson(R"({"result": "0"})")),
                    "invalid answer: 'result' must be an integer, got string");
  CHECK_THROWS_WITH(parseAnswer(parseJson("[]")),
                    "invalid answer: expected one answer, got a list of 0");
  CHECK_THROWS_WITH(parseAnswer(parseJson(R"({"result": 0, "text": 1})")),
                    "invalid answer: 'text' must be a string, got integer");
}
