// Hook libraries in the agent without HTTP: libagent_test_hooks.so loaded by AgentHooks into the
// agent's own command registry, and requests through the RequestHandler, which runs
// control_command_receive before answering or forwarding. This executable exports the hook API
// as takahe-agent does (export_dynamic, util/cc/log/hooks linked whole, no DHCP libraries).

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "agent_commands.h"
#include "agent_hooks.h"
#include "forwarder.h"
#include "request_handler.h"
#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/unix_command_server.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace takahe::agent;
using Catch::Matchers::Contains;
using takahe::agent::test::ask;
using takahe::agent::test::FakeAgent;
using takahe::agent::test::TempDir;
using takahe::cc::Value;
using takahe::hooks::HookLibraryConfig;

namespace {

/// The test library with `parameters` (a JSON map).
HookLibraryConfig testLibrary(const std::string& parameters = "{}") {
  HookLibraryConfig c;
  c.path = AGENT_TEST_HOOKS;
  c.parameters = takahe::cc::parseJson(parameters);
  return c;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  TempDir dir;
  boost::asio::io_context io;
  FakeAgent agent;
  takahe::process::CommandRegistry registry;
  AgentHooks hooks{registry};
  UnixForwarder forwarder{io, std::chrono::milliseconds(2000)};
  RequestHandler handler{registry, forwarder, agent, &hooks};

  Fixture() {
    agent.config = parseAgentConfig(takahe::cc::parseJson(
        R"({ "Control-agent": { "control-sockets": { "dhcp4": { "socket-name": ")" +
        dir.file("d4.sock") + R"(" } } } })"));
    registerAgentCommands(registry, agent);
  }

  /// The whole answer list of a request (status 200 required).
  Value all(const std::string& body) {
    auto a = ask(handler, io, body);
    REQUIRE(a.has_value());
    CHECK(a->status == 200);
    REQUIRE(a->body.isList());
    return a->body;
  }
  /// The single answer of a request.
  Value one(const std::string& body) {
    Value list = all(body);
    REQUIRE(list.size() == 1);
    return list.asList()[0];
  }
  bool listed(const std::string& name) {
    Value answer = one(R"({ "command": "list-commands" })");
    for (const auto& n : answer.at("arguments").asList()) {
      if (n.asString() == name) {
        return true;
      }
    }
    return false;
  }
};

int64_t resultOf(const Value& answer) { return answer.at("result").asInt(); }
std::string textOf(const Value& answer) {
  const Value* t = answer.find("text");
  return t ? t->asString() : "";
}

}  // namespace

TEST_CASE("a library's command is answered by the agent itself and listed by list-commands",
          "[hooks]") {
  Fixture f;
  CHECK_FALSE(f.listed("agent-hook-hello"));
  CHECK(resultOf(f.one(R"({ "command": "agent-hook-hello" })")) == 2);

  REQUIRE(f.hooks.replace({testLibrary(R"({ "greeting": "kia ora" })")}));
  CHECK(f.hooks.libraryCommands() == std::vector<std::string>{"agent-hook-hello"});
  CHECK(f.listed("agent-hook-hello"));
  CHECK(f.listed("config-set"));  // the agent's own commands stay
  Value a = f.one(R"({ "command": "agent-hook-hello" })");
  CHECK(resultOf(a) == 0);
  CHECK(textOf(a) == "hello from the agent hook library");
  CHECK(a.at("arguments").at("greeting").asString() == "kia ora");
  // An empty service list is the agent too.
  CHECK(resultOf(f.one(R"({ "command": "agent-hook-hello", "service": [] })")) == 0);

  // The same list again keeps the loaded library (and its state): nothing is reloaded.
  CHECK_FALSE(f.hooks.replace({testLibrary(R"({ "greeting": "kia ora" })")}));

  f.hooks.unloadAll();
  CHECK_FALSE(f.listed("agent-hook-hello"));
  CHECK(resultOf(f.one(R"({ "command": "agent-hook-hello" })")) == 2);
}

TEST_CASE("control_command_receive sees every request: own, forwarded and unknown", "[hooks]") {
  Fixture f;
  REQUIRE(f.hooks.replace({testLibrary()}));
  CHECK(resultOf(f.one(R"({ "command": "status-get" })")) == 0);
  // dhcp6 has no socket and dhcp4's daemon is not running: both answered by the agent, after
  // the callout saw the request.
  CHECK(resultOf(f.one(R"({ "command": "status-get", "service": [ "dhcp6" ] })")) == 1);
  CHECK(resultOf(f.one(R"({ "command": "status-get", "service": [ "dhcp4" ] })")) == 1);
  CHECK(resultOf(f.one(R"({ "command": "no-such-command" })")) == 2);
  // The library counts its calls; this request is the fifth.
  CHECK(f.one(R"({ "command": "agent-hook-hello" })").at("arguments").at("calls").asInt() == 5);
  // A body that is not JSON never reaches the callouts.
  auto bad = ask(f.handler, f.io, R"({ "command": )");
  REQUIRE(bad.has_value());
  CHECK(bad->status == 400);
  CHECK(f.one(R"({ "command": "agent-hook-hello" })").at("arguments").at("calls").asInt() == 6);
}

TEST_CASE("skip: the callout's response is the answer, nothing is executed or forwarded",
          "[hooks]") {
  Fixture f;
  REQUIRE(f.hooks.replace({testLibrary()}));
  Value a = f.one(R"({ "command": "hook-skip", "arguments": { "x": 1 } })");
  CHECK(resultOf(a) == 0);
  CHECK(textOf(a) == "answered by the agent hook library");
  // The callout received the whole request.
  CHECK(a.at("arguments").at("request").at("arguments").at("x").asInt() == 1);

  // With a service whose daemon is down: still the library's answer, one of it.
  a = f.one(R"({ "command": "hook-skip", "service": [ "dhcp4", "dhcp6" ] })");
  CHECK(resultOf(a) == 0);
  CHECK(a.at("arguments").at("request").at("service").size() == 2);

  // Skip without a response is an error the operator can trace to the library.
  a = f.one(R"({ "command": "hook-skip-empty" })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("hook library") && Contains("without setting a response"));
}

TEST_CASE("drop: the request is rejected with result 1", "[hooks]") {
  Fixture f;
  REQUIRE(f.hooks.replace({testLibrary()}));
  Value list = f.all(R"({ "command": "hook-drop" })");
  REQUIRE(list.size() == 1);
  CHECK(resultOf(list.asList()[0]) == 1);
  CHECK(textOf(list.asList()[0]) == "command rejected by a hook library");
  // Also when it names several services: one rejection, nothing forwarded.
  list = f.all(R"({ "command": "hook-drop", "service": [ "dhcp4", "dhcp6" ] })");
  REQUIRE(list.size() == 1);
  CHECK(textOf(list.asList()[0]) == kRejectedByHook);
}

TEST_CASE("a callout may change the request: the changed one is executed or forwarded", "[hooks]") {
  Fixture f;
  // A daemon on dhcp4's socket that answers "whoami" with the arguments it got.
  takahe::process::CommandRegistry daemon_registry;
  daemon_registry.add("whoami", [](const takahe::cc::Command& cmd) {
    return takahe::cc::makeAnswer(takahe::cc::ResultCode::kSuccess, "the daemon",
                                  cmd.arguments.value_or(Value::makeMap()));
  });
  takahe::testing::IoThread daemon_io;
  takahe::process::UnixCommandServer daemon(daemon_io.io, f.dir.file("d4.sock"), daemon_registry);
  daemon.start();

  // Without a library, the rewrite request is just an unknown command.
  CHECK(resultOf(f.one(
            R"({ "command": "hook-rewrite", "arguments": { "command": "config-hash-get" } })")) ==
        2);

  REQUIRE(f.hooks.replace({testLibrary()}));
  Value a =
      f.one(R"({ "command": "hook-rewrite", "arguments": { "command": "config-hash-get" } })");
  CHECK(resultOf(a) == 0);
  CHECK(a.at("arguments").at("hash").asString() == configHash(*f.agent.config));

  a = f.one(R"({ "command": "hook-rewrite", "service": [ "dhcp4" ],
                 "arguments": { "command": "whoami", "arguments": { "asked": "by the hook" } } })");
  CHECK(resultOf(a) == 0);
  CHECK(textOf(a) == "the daemon");
  CHECK(a.at("arguments").at("asked").asString() == "by the hook");
  daemon.stop();
}

TEST_CASE("a library that fails to load leaves the previous libraries loaded", "[hooks]") {
  Fixture f;
  std::string trace = f.dir.file("trace");
  REQUIRE(f.hooks.replace({testLibrary(R"({ "trace-file": ")" + trace + R"(" })")}));
  auto before = f.hooks.loaded();

  SECTION("load() returns non-zero") {
    CHECK_THROWS_WITH(f.hooks.replace({testLibrary(R"({ "refuse-load": true })")}),
                      Contains("load() returned 1"));
  }
  SECTION("the library's command is already an agent command") {
    CHECK_THROWS_WITH(f.hooks.replace({testLibrary(R"({ "command": "config-set" })")}),
                      Contains("config-set") && Contains("already"));
    // config-set is still the agent's.
    CHECK_THAT(textOf(f.one(R"({ "command": "config-set" })")),
               Contains("needs the configuration"));
  }
  CHECK(f.hooks.loaded() == before);
  CHECK(f.listed("agent-hook-hello"));
  CHECK(resultOf(f.one(R"({ "command": "agent-hook-hello" })")) == 0);
  // The previous library was unloaded, then loaded again.
  CHECK_THAT(readFile(trace), Contains("load\nunload\n") && Contains("unload\nload\n"));
}

TEST_CASE("unload() of each library runs when it is unloaded and when AgentHooks goes", "[hooks]") {
  TempDir dir;
  std::string trace = dir.file("trace");
  takahe::process::CommandRegistry registry;
  {
    AgentHooks hooks(registry);
    hooks.replace({testLibrary(R"({ "trace-file": ")" + trace + R"(" })")});
    CHECK(readFile(trace) == "load\n");
    CHECK(registry.contains("agent-hook-hello"));
  }
  CHECK(readFile(trace) == "load\nunload\n");
  CHECK_FALSE(registry.contains("agent-hook-hello"));
}

TEST_CASE("validate refuses missing files and libraries needing DHCP symbols", "[hooks]") {
  CHECK_NOTHROW(AgentHooks::validate({testLibrary()}));
  HookLibraryConfig missing;
  missing.path = "/nonexistent/libnothing.so";
  CHECK_THROWS_AS(AgentHooks::validate({testLibrary(), missing}), takahe::ConfigError);
  CHECK_THROWS_WITH(AgentHooks::validate({testLibrary(), missing}),
                    Contains("Control-agent/hooks-libraries[1]") && Contains("does not exist"));

  HookLibraryConfig dhcp;
  dhcp.path = AGENT_TEST_HOOKS_DHCP;
  CHECK_THROWS_WITH(AgentHooks::validate({dhcp}),
                    Contains("Control-agent/hooks-libraries[0]") && Contains("undefined symbol") &&
                        Contains("serverServices4") &&
                        Contains("belongs in that server's hooks-libraries"));
  // load() refuses it the same way and loads nothing.
  takahe::process::CommandRegistry registry;
  AgentHooks hooks(registry);
  CHECK_THROWS_WITH(hooks.replace({dhcp}), Contains("undefined symbol"));
  CHECK(hooks.loaded().empty());
}

TEST_CASE("config-test checks the hook libraries without loading them", "[hooks]") {
  Fixture f;
  auto ask_test = [&](const std::string& library) {
    return f.one(R"({ "command": "config-test", "arguments": { "Control-agent": {
        "hooks-libraries": [ { "library": ")" +
                 library + R"(" } ] } } })");
  };
  Value ok = ask_test(AGENT_TEST_HOOKS);
  CHECK(resultOf(ok) == 0);
  CHECK_FALSE(f.listed("agent-hook-hello"));  // not loaded
  Value bad = ask_test(AGENT_TEST_HOOKS_DHCP);
  CHECK(resultOf(bad) == 1);
  CHECK_THAT(textOf(bad), Contains("undefined symbol"));
}
