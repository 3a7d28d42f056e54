// Hook libraries in the running agent over real HTTP on loopback: `hooks-libraries` loaded at
// start, replaced all or nothing by config-set and config-reload, and unloaded at shutdown.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "agent_server.h"
#include "takahe/cc/command.h"
#include "takahe/http/http.h"
#include "test_util.h"

using namespace takahe::agent;
using Catch::Matchers::Contains;
using takahe::agent::test::TempDir;
using takahe::cc::Value;
using namespace std::chrono_literals;

namespace {

uint16_t freeTcpPort() {
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

/// {"Control-agent": {...}} on `port` with `libraries` (the JSON of the hooks-libraries list).
std::string configWith(uint16_t port, const std::string& libraries) {
  return R"({ "Control-agent": { "http-host": "127.0.0.1", "http-port": )" + std::to_string(port) +
         R"(, "hooks-libraries": )" + libraries + " } }";
}

std::string library(const std::string& path, const std::string& parameters = "{}") {
  return R"({ "library": ")" + path + R"(", "parameters": )" + parameters + " }";
}

/// The single answer of `body` posted to the agent.
Value ask(uint16_t port, const std::string& body) {
  takahe::http::ClientConfig c;
  c.port = port;
  c.timeout = 5s;
  auto r = takahe::http::post(c, body);
  REQUIRE(r.ok);
  REQUIRE(r.status == 200);
  Value list = takahe::cc::parseJson(r.body);
  REQUIRE(list.isList());
  REQUIRE(list.size() == 1);
  return list.asList()[0];
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("over HTTP: libraries load at start, config-set replaces them all or nothing",
          "[hooks][server]") {
  TempDir dir;
  uint16_t port = freeTcpPort();
  std::string trace = dir.file("trace");
  std::string good =
      "[ " +
      library(AGENT_TEST_HOOKS, R"({ "greeting": "first", "trace-file": ")" + trace + "\" }") +
      " ]";
  std::string conf = dir.write("agent.conf", configWith(port, good));
  AgentServer server(AgentOptions{conf, false});
  server.start();
  auto exit_code = std::async(std::launch::async, [&server] { return server.run(); });

  Value a = ask(port, R"({ "command": "agent-hook-hello" })");
  CHECK(a.at("arguments").at("greeting").asString() == "first");
  CHECK(ask(port, R"({ "command": "hook-drop" })").at("text").asString() == kRejectedByHook);
  std::string hash =
      ask(port, R"({ "command": "config-hash-get" })").at("arguments").at("hash").asString();
  int64_t calls =
      ask(port, R"({ "command": "agent-hook-hello" })").at("arguments").at("calls").asInt();

  auto set = [&](const std::string& libraries) {
    return ask(port,
               R"({ "command": "config-set", "arguments": )" + configWith(port, libraries) + " }");
  };

  // A library that does not exist: refused before anything changes (no reload of the library).
  a = set("[ " + library(dir.file("missing.so")) + " ]");
  CHECK(a.at("result").asInt() == 1);
  CHECK_THAT(a.at("text").asString(),
             Contains("Control-agent/hooks-libraries[0]") && Contains("missing.so"));
  // A library needing DHCP symbols: dlopen's reason, and a hint.
  a = set("[ " + library(AGENT_TEST_HOOKS_DHCP) + " ]");
  CHECK(a.at("result").asInt() == 1);
  CHECK_THAT(a.at("text").asString(), Contains("undefined symbol"));
  CHECK(ask(port, R"({ "command": "agent-hook-hello" })").at("arguments").at("calls").asInt() ==
        calls + 3);  // the same library instance: its counter went on
  // A library whose load() fails: the previous list is loaded again, the configuration stays.
  a = set("[ " + library(AGENT_TEST_HOOKS, R"({ "refuse-load": true })") + " ]");
  CHECK(a.at("result").asInt() == 1);
  CHECK_THAT(a.at("text").asString(), Contains("load() returned 1"));
  CHECK(ask(port, R"({ "command": "config-hash-get" })").at("arguments").at("hash").asString() ==
        hash);
  a = ask(port, R"({ "command": "agent-hook-hello" })");
  CHECK(a.at("result").asInt() == 0);
  CHECK(a.at("arguments").at("greeting").asString() == "first");

  // A good new list applies: new parameters, then no library at all.
  a = set("[ " + library(AGENT_TEST_HOOKS, R"({ "greeting": "second" })") + " ]");
  REQUIRE(a.at("result").asInt() == 0);
  CHECK(
      ask(port, R"({ "command": "agent-hook-hello" })").at("arguments").at("greeting").asString() ==
      "second");
  a = set("[ ]");
  REQUIRE(a.at("result").asInt() == 0);
  CHECK(ask(port, R"({ "command": "agent-hook-hello" })").at("result").asInt() == 2);
  CHECK(ask(port, R"({ "command": "hook-drop" })").at("result").asInt() == 2);

  // config-reload reads the file again: the traced library is back; shutdown unloads it.
  a = ask(port, R"({ "command": "config-reload" })");
  REQUIRE(a.at("result").asInt() == 0);
  CHECK(
      ask(port, R"({ "command": "agent-hook-hello" })").at("arguments").at("greeting").asString() ==
      "first");
  std::string before_shutdown = readFile(trace);
  ask(port, R"({ "command": "shutdown" })");
  REQUIRE(exit_code.wait_for(5s) == std::future_status::ready);
  CHECK(exit_code.get() == 0);
  CHECK(readFile(trace) == before_shutdown + "unload\n");
}

TEST_CASE("start fails when a configured library cannot be loaded", "[hooks][server]") {
  TempDir dir;
  uint16_t port = freeTcpPort();
  std::string conf =
      dir.write("agent.conf", configWith(port, "[ " + library(AGENT_TEST_HOOKS_DHCP) + " ]"));
  AgentServer server(AgentOptions{conf, false});
  CHECK_THROWS_WITH(server.start(), Contains("undefined symbol"));
  CHECK(server.port() == 0);
}
