// Forwarding to daemons: a fake daemon is a real UnixCommandServer (libs/process) on a socket in
// a temporary folder, with its own io_context thread; the agent side runs its io_context on the
// test thread.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <thread>

#include "forwarder.h"
#include "request_handler.h"
#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/unix_command_server.h"
#include "test_support.h"
#include "test_util.h"

using namespace takahe::agent;
using Catch::Matchers::Contains;
using takahe::agent::test::ask;
using takahe::agent::test::FakeAgent;
using takahe::agent::test::TempDir;
using takahe::cc::makeAnswer;
using takahe::cc::ResultCode;
using takahe::cc::Value;
using takahe::process::CommandRegistry;
using takahe::process::UnixCommandServer;
using namespace std::chrono_literals;

namespace {

using takahe::testing::IoThread;

/// A daemon answering on a UNIX socket: "echo" returns its request's arguments and services,
/// "whoami" its name, "big" a large answer; `delay` slows every command down.
struct FakeDaemon {
  std::string name;
  CommandRegistry registry;
  IoThread thread;
  std::unique_ptr<UnixCommandServer> server;

  FakeDaemon(std::string daemon_name, const std::string& path,
             std::chrono::milliseconds delay = 0ms)
      : name(std::move(daemon_name)) {
    registry.add("echo", [](const takahe::cc::Command& cmd) {
      Value args = Value::makeMap();
      args.set("arguments", cmd.arguments.value_or(Value()));
      Value services = Value::makeList();
      for (const auto& s : cmd.services) {
        services.push(s);
      }
      args.set("service", services);
      return makeAnswer(ResultCode::kSuccess, "echo", args);
    });
    registry.add("whoami", [this, delay](const takahe::cc::Command&) {
      std::this_thread::sleep_for(delay);
      return makeAnswer(ResultCode::kSuccess, name);
    });
    registry.add("big", [](const takahe::cc::Command&) {
      Value list = Value::makeList();
      for (int i = 0; i < 20000; ++i) {
        list.push("item-" + std::to_string(i) + " with \"quotes\" and {braces} [brackets]");
      }
      return makeAnswer(ResultCode::kSuccess, "", list);
    });
    server = std::make_unique<UnixCommandServer>(thread.io, path, registry);
    server->start();
  }
  ~FakeDaemon() { server->stop(); }
};

/// A UNIX socket that accepts connections (the kernel's backlog) but never answers.
struct SilentListener {
  int fd = -1;
  explicit SilentListener(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd, 4) == 0);
  }
  ~SilentListener() { ::close(fd); }
};

struct Agent {
  boost::asio::io_context io;
  FakeAgent control;
  CommandRegistry registry;
  UnixForwarder forwarder{io, 2000ms};
  RequestHandler handler{registry, forwarder, control};

  explicit Agent(const std::string& sockets_json) {
    control.config = parseAgentConfig(takahe::cc::parseJson(
        R"({ "Control-agent": { "control-sockets": )" + sockets_json + " } }"));
    registerAgentCommands(registry, control);
  }

  Value answers(const std::string& body) {
    auto a = ask(handler, io, body);
    REQUIRE(a.has_value());
    CHECK(a->status == 200);
    REQUIRE(a->body.isList());
    return a->body;
  }
};

std::string sockets(const std::string& d4, const std::string& d6 = "") {
  std::string s = R"({ "dhcp4": { "socket-type": "unix", "socket-name": ")" + d4 + R"(" })";
  if (!d6.empty()) {
    s += R"(, "dhcp6": { "socket-type": "unix", "socket-name": ")" + d6 + R"(" })";
  }
  return s + " }";
}

int64_t resultOf(const Value& answer) { return answer.at("result").asInt(); }
std::string textOf(const Value& answer) {
  const Value* t = answer.find("text");
  return t ? t->asString() : "";
}

}  // namespace

TEST_CASE("a command with a service is forwarded and the daemon's answer comes back in a list",
          "[forward]") {
  TempDir dir;
  FakeDaemon d4("dhcp4-daemon", dir.file("d4.sock"));
  Agent agent(sockets(dir.file("d4.sock")));
  Value list = agent.answers(R"({ "command": "list-commands", "service": [ "dhcp4" ] })");
  REQUIRE(list.size() == 1);
  const Value& a = list.asList()[0];
  CHECK(resultOf(a) == 0);
  std::vector<std::string> names;
  for (const auto& n : a.at("arguments").asList()) {
    names.push_back(n.asString());
  }
  // The daemon's command set, not the agent's.
  CHECK(names == std::vector<std::string>{"big", "echo", "list-commands", "whoami"});

  // Arguments and the service list reach the daemon as sent.
  list = agent.answers(
      R"({ "command": "echo", "service": [ "dhcp4" ], "arguments": { "x": [ 1, "two" ] } })");
  REQUIRE(list.size() == 1);
  const Value& echo = list.asList()[0].at("arguments");
  CHECK(echo.at("arguments") == takahe::cc::parseJson(R"({ "x": [ 1, "two" ] })"));
  CHECK(echo.at("service") == takahe::cc::parseJson(R"([ "dhcp4" ])"));

  // The daemon's own errors are passed through unchanged.
  list = agent.answers(R"({ "command": "nope", "service": [ "dhcp4" ] })");
  CHECK(resultOf(list.asList()[0]) == 2);
}

TEST_CASE("answers of several services keep the order of the request", "[forward]") {
  TempDir dir;
  // dhcp4 answers last: the list still starts with it.
  FakeDaemon d4("dhcp4-daemon", dir.file("d4.sock"), 150ms);
  FakeDaemon d6("dhcp6-daemon", dir.file("d6.sock"));
  Agent agent(sockets(dir.file("d4.sock"), dir.file("d6.sock")));
  Value list = agent.answers(R"({ "command": "whoami", "service": [ "dhcp4", "dhcp6" ] })");
  REQUIRE(list.size() == 2);
  CHECK(textOf(list.asList()[0]) == "dhcp4-daemon");
  CHECK(textOf(list.asList()[1]) == "dhcp6-daemon");
  list = agent.answers(R"({ "command": "whoami", "service": [ "dhcp6", "d2", "dhcp4" ] })");
  REQUIRE(list.size() == 3);
  CHECK(textOf(list.asList()[0]) == "dhcp6-daemon");
  CHECK(resultOf(list.asList()[1]) == 1);
  CHECK(textOf(list.asList()[1]) == "forwarding socket is not configured for the server type d2");
  CHECK(textOf(list.asList()[2]) == "dhcp4-daemon");
}

TEST_CASE("a service without a control socket gets Kea's error answer", "[forward]") {
  Agent agent(sockets("/tmp/takahe-agent-test-unused.sock"));
  Value list = agent.answers(R"({ "command": "list-commands", "service": [ "dhcp6" ] })");
  REQUIRE(list.size() == 1);
  CHECK(resultOf(list.asList()[0]) == 1);
  CHECK(textOf(list.asList()[0]) ==
        "forwarding socket is not configured for the server type dhcp6");
  list = agent.answers(R"({ "command": "list-commands", "service": [ "dhcp7", "d2" ] })");
  REQUIRE(list.size() == 2);
  CHECK(textOf(list.asList()[0]) ==
        "forwarding socket is not configured for the server type dhcp7");
  CHECK(textOf(list.asList()[1]) == "forwarding socket is not configured for the server type d2");
}

TEST_CASE("a daemon that is down gets 'unable to forward' with the reason", "[forward]") {
  TempDir dir;
  Agent agent(sockets(dir.file("missing.sock"), dir.file("d6.sock")));
  Value list = agent.answers(R"({ "command": "list-commands", "service": [ "dhcp4" ] })");
  REQUIRE(list.size() == 1);
  CHECK(resultOf(list.asList()[0]) == 1);
  CHECK_THAT(textOf(list.asList()[0]),
             Contains("unable to forward command to the dhcp4 service: cannot connect to " +
                      dir.file("missing.sock")) &&
                 Contains("No such file"));

  // A daemon that stopped: its socket is closed and removed.
  {
    FakeDaemon d6("dhcp6-daemon", dir.file("d6.sock"));
    list = agent.answers(R"({ "command": "whoami", "service": [ "dhcp6" ] })");
    CHECK(textOf(list.asList()[0]) == "dhcp6-daemon");
  }
  list = agent.answers(R"({ "command": "whoami", "service": [ "dhcp6" ] })");
  CHECK(resultOf(list.asList()[0]) == 1);
  CHECK_THAT(textOf(list.asList()[0]), Contains("unable to forward command to the dhcp6 service"));

  // A stale socket file nobody listens on: connection refused.
  { SilentListener stale(dir.file("stale.sock")); }
  Agent stale_agent(sockets(dir.file("stale.sock")));
  list = stale_agent.answers(R"({ "command": "whoami", "service": [ "dhcp4" ] })");
  CHECK_THAT(textOf(list.asList()[0]), Contains("Connection refused"));
}

TEST_CASE("a daemon that does not answer in time gets a timeout answer", "[forward]") {
  TempDir dir;
  SilentListener silent(dir.file("silent.sock"));
  FakeDaemon d6("dhcp6-daemon", dir.file("d6.sock"));
  Agent agent(sockets(dir.file("silent.sock"), dir.file("d6.sock")));
  agent.forwarder.setTimeout(300ms);
  auto t0 = std::chrono::steady_clock::now();
  Value list = agent.answers(R"({ "command": "whoami", "service": [ "dhcp4", "dhcp6" ] })");
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(list.size() == 2);
  CHECK(resultOf(list.asList()[0]) == 1);
  CHECK_THAT(textOf(list.asList()[0]),
             Contains("unable to forward command to the dhcp4 service: no answer within 300 ms"));
  CHECK(textOf(list.asList()[1]) == "dhcp6-daemon");
  CHECK(took >= 300ms);
  CHECK(took < 3s);
}

TEST_CASE("large answers are forwarded whole", "[forward]") {
  TempDir dir;
  FakeDaemon d4("dhcp4-daemon", dir.file("d4.sock"));
  Agent agent(sockets(dir.file("d4.sock")));
  Value list = agent.answers(R"({ "command": "big", "service": [ "dhcp4" ] })");
  REQUIRE(list.size() == 1);
  const Value& items = list.asList()[0].at("arguments");
  REQUIRE(items.size() == 20000);
  CHECK(items.asList()[19999].asString() == "item-19999 with \"quotes\" and {braces} [brackets]");
}

TEST_CASE("JSON completeness follows brackets outside strings", "[forward]") {
  JsonCompleteness a;
  CHECK_FALSE(a.feed("  {\"t\": \"}{]["));
  CHECK_FALSE(a.feed("\\\"}\", \"l\": [1, {"));
  CHECK_FALSE(a.feed("}]"));
  CHECK(a.feed("} trailing"));
  CHECK(a.complete());
  JsonCompleteness list;
  CHECK(list.feed("[[],[[]]]"));
  JsonCompleteness scalar;
  CHECK_FALSE(scalar.feed("12345"));  // complete only at end of input
  JsonCompleteness escaped;
  CHECK_FALSE(escaped.feed(R"({"a": "\\")"));
  CHECK(escaped.feed("}"));
}
