// The agent's own commands through the RequestHandler: what a request without "service" gets,
// always wrapped in a list, and the HTTP status of requests that are not JSON.

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "agent_commands.h"
#include "forwarder.h"
#include "request_handler.h"
#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "test_util.h"

using namespace takahe::agent;
using Catch::Matchers::Contains;
using takahe::agent::test::ask;
using takahe::agent::test::FakeAgent;
using takahe::agent::test::TempDir;
using takahe::cc::Value;

namespace {

constexpr const char* kConfig = R"({ "Control-agent": { "http-port": 8001,
  "control-sockets": { "dhcp4": { "socket-name": "/tmp/none.sock" } } } })";

struct Fixture {
  boost::asio::io_context io;
  FakeAgent agent;
  takahe::process::CommandRegistry registry;
  UnixForwarder forwarder{io, std::chrono::milliseconds(1000)};
  RequestHandler handler{registry, forwarder, agent};

  Fixture() {
    agent.config = parseAgentConfig(takahe::cc::parseJson(kConfig));
    registerAgentCommands(registry, agent);
  }

  /// The single answer of an own command (checks the list wrapping and status 200).
  Value one(const std::string& body) {
    auto a = ask(handler, io, body);
    REQUIRE(a.has_value());
    CHECK(a->status == 200);
    REQUIRE(a->body.isList());
    REQUIRE(a->body.size() == 1);
    return a->body.asList()[0];
  }
};

int64_t resultOf(const Value& answer) { return answer.at("result").asInt(); }
std::string textOf(const Value& answer) {
  const Value* t = answer.find("text");
  return t ? t->asString() : "";
}

}  // namespace

TEST_CASE("list-commands names every own command of the agent", "[commands]") {
  Fixture f;
  Value a = f.one(R"({ "command": "list-commands" })");
  CHECK(resultOf(a) == 0);
  std::vector<std::string> names;
  for (const auto& n : a.at("arguments").asList()) {
    names.push_back(n.asString());
  }
  CHECK(names == std::vector<std::string>{"build-report", "config-get", "config-hash-get",
                                          "config-reload", "config-set", "config-test",
                                          "config-write", "list-commands", "shutdown", "status-get",
                                          "version-get"});
}

TEST_CASE("answers of own commands are lists, also for errors and empty service lists",
          "[commands]") {
  Fixture f;
  CHECK(resultOf(f.one(R"({ "command": "no-such-command" })")) == 2);
  CHECK(resultOf(f.one(R"({ "command": "status-get", "service": [ ] })")) == 0);
  Value a = f.one(R"({ "arguments": { } })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("command"));
  CHECK(resultOf(f.one(R"([ 1, 2 ])")) == 1);
  a = f.one(R"({ "command": "list-commands", "service": "dhcp4x" })");
  // A string service is accepted as a one-item list: dhcp4x has no socket.
  CHECK_THAT(textOf(a), Contains("not configured for the server type dhcp4x"));
  a = f.one(R"({ "command": "list-commands", "service": [ 4 ] })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("'service' must be a list of strings"));
}

TEST_CASE("a body that is not JSON gets HTTP 400 with a bare answer", "[commands]") {
  Fixture f;
  auto a = ask(f.handler, f.io, R"({ "command": "list-commands" )");
  REQUIRE(a.has_value());
  CHECK(a->status == 400);
  REQUIRE(a->body.isMap());
  CHECK(resultOf(a->body) == 400);
  CHECK_THAT(textOf(a->body), Contains("invalid JSON"));
  a = ask(f.handler, f.io, "");
  REQUIRE(a.has_value());
  CHECK(a->status == 400);
}

TEST_CASE("status-get, version-get and build-report describe the agent", "[commands]") {
  Fixture f;
  Value a = f.one(R"({ "command": "status-get" })");
  REQUIRE(resultOf(a) == 0);
  CHECK(a.at("arguments").at("pid").asInt() == ::getpid());
  CHECK(a.at("arguments").at("uptime").asInt() > 0);  // started at unix second 1000
  CHECK(a.at("arguments").at("uptime").asInt() - a.at("arguments").at("reload").asInt() == 1000);
  a = f.one(R"({ "command": "version-get" })");
  CHECK(resultOf(a) == 0);
  CHECK(textOf(a) == TAKAHE_VERSION);
  CHECK_THAT(a.at("arguments").at("extended").asString(), Contains("takahe-agent"));
  a = f.one(R"({ "command": "build-report" })");
  CHECK_THAT(textOf(a), Contains("takahe-agent " TAKAHE_VERSION));
}

TEST_CASE("config-get returns the running Control-agent map and its hash", "[commands]") {
  Fixture f;
  Value a = f.one(R"({ "command": "config-get" })");
  REQUIRE(resultOf(a) == 0);
  const Value& args = a.at("arguments");
  CHECK(args.at("Control-agent").at("http-port").asInt() == 8001);
  std::string hash = args.at("hash").asString();
  CHECK(hash.size() == 64);
  a = f.one(R"({ "command": "config-hash-get" })");
  CHECK(a.at("arguments").at("hash").asString() == hash);
  CHECK(hash == configHash(*f.agent.config));
}

TEST_CASE("config-test checks without applying; config-set applies only good configurations",
          "[commands]") {
  Fixture f;
  Value a = f.one(R"({ "command": "config-test", "arguments": { "Control-agent": {
      "http-port": 9000 } } })");
  CHECK(resultOf(a) == 0);
  CHECK(f.agent.applied == 0);
  a = f.one(R"({ "command": "config-test", "arguments": { "Control-agent": {
      "http-port": 9000, "bogus": true } } })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("Control-agent/bogus"));
  a = f.one(R"({ "command": "config-set", "arguments": { "Dhcp4": { } } })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("'Control-agent'"));
  a = f.one(R"({ "command": "config-set", "arguments": { "Control-agent": {
      "http-port": "x" } } })");
  CHECK(resultOf(a) == 1);
  CHECK(f.agent.applied == 0);
  CHECK(f.agent.config->http_port == 8001);
  // config-get's answer (with its hash member) can be sent back as it is.
  Value got = f.one(R"({ "command": "config-get" })").at("arguments");
  Value cmd = takahe::cc::makeCommand("config-set", got);
  a = f.one(cmd.toJson());
  CHECK(resultOf(a) == 0);
  CHECK(f.agent.applied == 1);
  a = f.one(R"({ "command": "config-set", "arguments": { "Control-agent": {
      "http-port": 9000 } } })");
  REQUIRE(resultOf(a) == 0);
  CHECK(f.agent.applied == 2);
  CHECK(f.agent.config->http_port == 9000);
  CHECK(a.at("arguments").at("hash").asString() == configHash(*f.agent.config));
}

TEST_CASE("config-write stores the running configuration; config-reload reads the file",
          "[commands]") {
  Fixture f;
  TempDir dir;
  f.agent.file = dir.write("agent.conf", R"({ "Control-agent": { "http-port": 8123 } })");
  std::string out = dir.file("written.json");
  Value a =
      f.one(R"({ "command": "config-write", "arguments": { "filename": ")" + out + R"(" } })");
  REQUIRE(resultOf(a) == 0);
  CHECK(a.at("arguments").at("filename").asString() == out);
  auto written = loadAgentConfigFile(out);
  CHECK(written->http_port == 8001);
  CHECK(written->control_sockets.at("dhcp4") == "/tmp/none.sock");

  a = f.one(R"({ "command": "config-reload" })");
  REQUIRE(resultOf(a) == 0);
  CHECK(f.agent.applied == 1);
  CHECK(f.agent.config->http_port == 8123);
  dir.write("agent.conf", R"({ "Control-agent": { "http-port": -1 } })");
  a = f.one(R"({ "command": "config-reload" })");
  CHECK(resultOf(a) == 1);
  CHECK_THAT(textOf(a), Contains("Control-agent/http-port"));
  CHECK(f.agent.config->http_port == 8123);

  // Without a filename, config-write replaces the configuration file itself.
  a = f.one(R"({ "command": "config-write" })");
  REQUIRE(resultOf(a) == 0);
  CHECK(loadAgentConfigFile(f.agent.file)->http_port == 8123);
}

TEST_CASE("shutdown answers first and passes the exit value", "[commands]") {
  Fixture f;
  Value a = f.one(R"({ "command": "shutdown", "arguments": { "exit-value": 3 } })");
  CHECK(resultOf(a) == 0);
  REQUIRE(f.agent.shutdown_value.has_value());
  CHECK(*f.agent.shutdown_value == 3);
  Fixture g;
  a = g.one(R"({ "command": "shutdown", "arguments": { "exit-value": "x" } })");
  CHECK(resultOf(a) == 1);
  CHECK_FALSE(g.agent.shutdown_value.has_value());
}
