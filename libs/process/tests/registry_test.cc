#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "takahe/util/error.h"

using takahe::cc::Answer;
using takahe::cc::Command;
using takahe::cc::makeAnswer;
using takahe::cc::ResultCode;
using takahe::cc::Value;
using takahe::process::CommandRegistry;

namespace {

Answer run(const CommandRegistry& registry, std::string_view json) {
  return takahe::cc::parseAnswer(registry.executeText(json));
}

Value echo(const Command& cmd) { return makeAnswer(ResultCode::kSuccess, "echo", cmd.arguments); }

}  // namespace

TEST_CASE("list-commands answers the sorted names, itself included, in Kea's shape") {
  CommandRegistry registry;
  registry.add("version-get", echo);
  registry.add("build-report", echo);
  registry.add("status-get", echo);

  const Value answer = registry.executeText(R"({"command": "list-commands"})");
  REQUIRE(answer.isMap());
  CHECK(answer.at("result").asInt() == 0);
  CHECK_FALSE(answer.contains("text"));
  const Value expected(
      takahe::cc::List{"build-report", "list-commands", "status-get", "version-get"});
  CHECK(answer.at("arguments") == expected);
  CHECK(answer.toJson().find("\"arguments\":[\"build-report\",\"list-commands\"") !=
        std::string::npos);

  CHECK(registry.names() ==
        std::vector<std::string>{"build-report", "list-commands", "status-get", "version-get"});
}

TEST_CASE("add, remove and contains manage the table; duplicates and the built-in are refused") {
  CommandRegistry registry;
  CHECK(registry.contains("list-commands"));
  CHECK_FALSE(registry.contains("foo"));
  registry.add("foo", echo);
  CHECK(registry.contains("foo"));
  CHECK_THROWS_AS(registry.add("foo", echo), takahe::Error);
  CHECK_THROWS_WITH(registry.add("foo", echo), Catch::Contains("already registered"));
  CHECK_THROWS_AS(registry.add("list-commands", echo), takahe::Error);
  CHECK_THROWS_AS(registry.add("", echo), takahe::Error);
  CHECK_THROWS_AS(registry.add("empty", nullptr), takahe::Error);
  CHECK(registry.remove("foo"));
  CHECK_FALSE(registry.remove("foo"));
  CHECK_FALSE(registry.remove("list-commands"));
  CHECK(registry.contains("list-commands"));
  CHECK_FALSE(registry.contains("foo"));
  CHECK(run(registry, R"({"command": "foo"})").result == 2);
  registry.add("foo", echo);  // may be registered again after removal
  CHECK(run(registry, R"({"command": "foo"})").result == 0);
}

TEST_CASE("an unknown command is answered 2 with Kea's text") {
  CommandRegistry registry;
  const Answer answer = run(registry, R"({"command": "foo"})");
  CHECK(answer.result == 2);
  CHECK(answer.text == "'foo' command not supported.");
}

TEST_CASE("a handler gets the parsed command and its answer is returned as is") {
  CommandRegistry registry;
  Command seen;
  registry.add("lease4-get", [&](const Command& cmd) {
    seen = cmd;
    return makeAnswer(ResultCode::kEmpty, "0 IPv4 leases found.");
  });
  const Answer answer = run(
      registry,
      R"({"command": "lease4-get", "service": ["dhcp4"], "arguments": {"ip-address": "192.0.2.1"}})");
  CHECK(answer.result == 3);
  CHECK(answer.text == "0 IPv4 leases found.");
  CHECK(seen.name == "lease4-get");
  CHECK(seen.services == std::vector<std::string>{"dhcp4"});
  REQUIRE(seen.arguments.has_value());
  CHECK(seen.arguments->at("ip-address").asString() == "192.0.2.1");
}

TEST_CASE("a throwing handler is answered 1 with its message") {
  CommandRegistry registry;
  registry.add("bad-error", [](const Command&) -> Value {
    throw takahe::Error("missing parameter 'ip-address'");
  });
  registry.add("bad-std", [](const Command&) -> Value { throw std::out_of_range("index 7"); });
  registry.add("bad-int", [](const Command&) -> Value { throw 42; });

  Answer answer = run(registry, R"({"command": "bad-error"})");
  CHECK(answer.result == 1);
  CHECK(answer.text == "missing parameter 'ip-address'");
  answer = run(registry, R"({"command": "bad-std"})");
  CHECK(answer.result == 1);
  CHECK(answer.text == "index 7");
  answer = run(registry, R"({"command": "bad-int"})");
  CHECK(answer.result == 1);
  CHECK(answer.text.find("bad-int") != std::string::npos);
}

TEST_CASE("a handler returning something other than an answer map is answered 1") {
  CommandRegistry registry;
  registry.add("scalar", [](const Command&) { return Value(7); });
  registry.add("no-result", [](const Command&) {
    Value v = Value::makeMap();
    v.set("text", "hello");
    return v;
  });
  CHECK(run(registry, R"({"command": "scalar"})").result == 1);
  CHECK(run(registry, R"({"command": "no-result"})").result == 1);
}

TEST_CASE("malformed requests are answered 1 with the reason") {
  CommandRegistry registry;
  registry.add("foo", echo);

  Answer answer = run(registry, R"({"command": "foo")");
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  answer = run(registry, "\x01\x02\xff garbage");
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  answer = run(registry, R"(["foo"])");
  CHECK(answer.result == 1);
  CHECK(answer.text.find("expected a map") != std::string::npos);

  answer = run(registry, R"({"arguments": {}})");
  CHECK(answer.result == 1);
  CHECK(answer.text.find("missing 'command'") != std::string::npos);

  answer = run(registry, R"({"command": "foo", "arguments": [1]})");
  CHECK(answer.result == 1);
  CHECK(answer.text.find("'arguments' must be a map") != std::string::npos);

  // execute() on an already parsed value reports envelope problems the same way.
  answer = takahe::cc::parseAnswer(registry.execute(Value(5)));
  CHECK(answer.result == 1);
}

TEST_CASE("a handler may change the registry while it runs") {
  CommandRegistry registry;
  registry.add("install", [&](const Command&) {
    registry.add("installed", echo);
    registry.remove("install");
    return makeAnswer(ResultCode::kSuccess, "done");
  });
  CHECK(run(registry, R"({"command": "install"})").result == 0);
  CHECK(registry.contains("installed"));
  CHECK_FALSE(registry.contains("install"));
}

TEST_CASE("commands run and change concurrently from several threads") {
  CommandRegistry registry;
  registry.add("echo", echo);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string name = "cmd-" + std::to_string(t);
      for (int i = 0; i < 200; ++i) {
        registry.add(name, echo);
        if (run(registry, R"({"command": "echo"})").result == 0 &&
            registry.executeText(R"({"command": ")" + name + "\"}").at("result").asInt() == 0) {
          ++ok[t];
        }
        registry.remove(name);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int count : ok) {
    CHECK(count == 200);
  }
  CHECK(registry.names() == std::vector<std::string>{"echo", "list-commands"});
}
