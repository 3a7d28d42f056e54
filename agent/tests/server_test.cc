// The whole agent over real HTTP on loopback: AgentServer with its listener on a free port, a
// fake daemon on a UNIX socket, and takahe::http::post as the client.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "agent_server.h"
#include "takahe/cc/command.h"
#include "takahe/http/http.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/unix_command_server.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace takahe::agent;
using Catch::Matchers::Contains;
using takahe::agent::test::TempDir;
using takahe::cc::Value;
using namespace std::chrono_literals;

namespace {

/// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string agentConfig(uint16_t port, const std::string& socket, const std::string& extra = "") {
  return R"({ "Control-agent": { "http-host": "127.0.0.1", "http-port": )" + std::to_string(port) +
         R"(, "control-sockets": { "dhcp4": { "socket-type": "unix",
         "socket-name": ")" +
         socket + R"(" } })" + extra + " } }";
}

/// A daemon with one command, "whoami".
struct Daemon {
  takahe::process::CommandRegistry registry;
  boost::asio::io_context io;
  std::unique_ptr<takahe::process::UnixCommandServer> server;
  std::thread thread;
  explicit Daemon(const std::string& path) {
    registry.add("whoami", [](const takahe::cc::Command&) {
      return takahe::cc::makeAnswer(takahe::cc::ResultCode::kSuccess, "the daemon");
    });
    server = std::make_unique<takahe::process::UnixCommandServer>(io, path, registry);
    server->start();
    thread = std::thread([this] {
      auto work = boost::asio::make_work_guard(io);
      io.run();
    });
  }
  ~Daemon() {
    server->stop();
    io.stop();
    thread.join();
  }
};

/// The agent running on its own thread; run()'s exit code arrives through `exit_code`.
struct RunningAgent {
  AgentServer server;
  std::future<int> exit_code;
  explicit RunningAgent(const std::string& config_file) : server(AgentOptions{config_file, false}) {
    server.start();
    exit_code = std::async(std::launch::async, [this] { return server.run(); });
  }
  ~RunningAgent() {
    server.stop();
    exit_code.wait();
  }
};

takahe::http::ClientResult post(uint16_t port, const std::string& body,
                                std::optional<takahe::http::BasicAuthClient> auth = {}) {
  takahe::http::ClientConfig c;
  c.port = port;
  c.timeout = 5s;
  c.auth = std::move(auth);
  return takahe::http::post(c, body);
}

Value bodyOf(const takahe::http::ClientResult& r) {
  REQUIRE(r.ok);
  return takahe::cc::parseJson(r.body);
}

/// Polls `ok` every 20 ms for at most 3 s.
template <typename F>
bool eventually(F ok) {
  for (int i = 0; i < 150; ++i) {
    if (ok()) {
      return true;
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST_CASE("over HTTP: own commands, forwarded commands and malformed requests", "[server]") {
  TempDir dir;
  Daemon daemon(dir.file("d4.sock"));
  uint16_t port = freePort();
  std::string conf = dir.write("agent.conf", agentConfig(port, dir.file("d4.sock")));
  RunningAgent agent(conf);
  REQUIRE(agent.server.port() == port);

  auto r = post(port, R"({ "command": "whoami", "service": [ "dhcp4" ] })");
  REQUIRE(r.ok);
  CHECK(r.status == 200);
  Value list = bodyOf(r);
  REQUIRE(list.isList());
  REQUIRE(list.size() == 1);
  CHECK(list.asList()[0].at("text").asString() == "the daemon");

  r = post(port, R"({ "command": "status-get" })");
  list = bodyOf(r);
  REQUIRE(list.size() == 1);
  CHECK(list.asList()[0].at("arguments").at("pid").asInt() == ::getpid());

  r = post(port, R"({ "command": "status-get", "service": [ "dhcp6" ] })");
  CHECK(bodyOf(r).asList()[0].at("text").asString() ==
        "forwarding socket is not configured for the server type dhcp6");

  r = post(port, R"({ "command": )");
  REQUIRE(r.ok);
  CHECK(r.status == 400);
  CHECK(bodyOf(r).at("result").asInt() == 400);
}

TEST_CASE("config-set moves the listener: authentication on the same port, then a new port",
          "[server]") {
  TempDir dir;
  Daemon daemon(dir.file("d4.sock"));
  uint16_t port = freePort();
  std::string conf = dir.write("agent.conf", agentConfig(port, dir.file("d4.sock")));
  RunningAgent agent(conf);

  std::string with_auth = agentConfig(port, dir.file("d4.sock"),
                                      R"(, "authentication": { "type": "basic", "realm": "lab",
      "clients": [ { "user": "admin", "password": "pw" } ] })");
  auto r = post(port, R"({ "command": "config-set", "arguments": )" + with_auth + " }");
  REQUIRE(r.status == 200);
  REQUIRE(bodyOf(r).asList()[0].at("result").asInt() == 0);
  CHECK(eventually([&] { return post(port, R"({ "command": "status-get" })").status == 401; }));
  r = post(port, R"({ "command": "status-get" })", takahe::http::BasicAuthClient{"admin", "pw"});
  CHECK(r.status == 200);
  r = post(port, R"({ "command": "status-get" })", takahe::http::BasicAuthClient{"admin", "no"});
  CHECK(r.status == 401);

  uint16_t port2 = freePort();
  auto creds = takahe::http::BasicAuthClient{"admin", "pw"};
  r = post(port,
           R"({ "command": "config-set", "arguments": )" + agentConfig(port2, dir.file("d4.sock")) +
               " }",
           creds);
  REQUIRE(bodyOf(r).asList()[0].at("result").asInt() == 0);
  r = post(port2, R"({ "command": "whoami", "service": [ "dhcp4" ] })");
  CHECK(r.status == 200);
  CHECK(eventually([&] { return !post(port, R"({ "command": "status-get" })", creds).ok; }));

  // A listener that cannot open (its port is taken) changes nothing.
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(busy >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(busy, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(busy, 1) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(busy, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  std::string taken = std::to_string(ntohs(addr.sin_port));
  r = post(port2, R"({ "command": "config-set", "arguments": { "Control-agent": {
      "http-port": )" +
                      taken + " } } }");
  ::close(busy);
  Value a = bodyOf(r).asList()[0];
  CHECK(a.at("result").asInt() == 1);
  CHECK_THAT(a.at("text").asString(), Contains("127.0.0.1:" + taken));
  CHECK(post(port2, R"({ "command": "status-get" })").status == 200);
  CHECK(bodyOf(post(port2, R"({ "command": "config-get" })"))
            .asList()[0]
            .at("arguments")
            .at("Control-agent")
            .at("http-port")
            .asInt() == port2);
}

TEST_CASE("the shutdown command answers, then run() returns its exit value", "[server]") {
  TempDir dir;
  uint16_t port = freePort();
  std::string conf = dir.write("agent.conf", agentConfig(port, dir.file("d4.sock")));
  AgentServer server(AgentOptions{conf, false});
  server.start();
  auto exit_code = std::async(std::launch::async, [&server] { return server.run(); });
  auto r = post(port, R"({ "command": "shutdown", "arguments": { "exit-value": 7 } })");
  REQUIRE(r.status == 200);
  CHECK(bodyOf(r).asList()[0].at("result").asInt() == 0);
  REQUIRE(exit_code.wait_for(5s) == std::future_status::ready);
  CHECK(exit_code.get() == 7);
}

TEST_CASE("start fails with the reason when the configuration or the listener is bad", "[server]") {
  TempDir dir;
  std::string bad = dir.write("bad.conf", R"({ "Control-agent": { "http-port": "x" } })");
  AgentServer a(AgentOptions{bad, false});
  CHECK_THROWS_WITH(a.start(), Contains("Control-agent/http-port"));
  uint16_t port = freePort();
  std::string conf = dir.write("agent.conf", agentConfig(port, dir.file("d4.sock")));
  RunningAgent first(conf);
  AgentServer second(AgentOptions{conf, false});
  CHECK_THROWS_WITH(second.start(), Contains(std::to_string(port)));
}

