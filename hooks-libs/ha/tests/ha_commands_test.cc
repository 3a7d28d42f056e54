// The HA control commands as the server runs them (the handlers libdhcp_ha.so registers), with
// Kea 2.2's answers; the status-get section; and the dedicated listener (HA+MT) taking the
// partner's commands over HTTP with basic auth and restrict-commands.

#include "ha_commands.h"

#include <catch2/catch.hpp>

#include "ha_listener.h"
#include "ha_test_support.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  Partner partner;  // first: the first FakePeer of a process quiets the logs once
  LogCapture log;
  LocalServer server;
  std::unique_ptr<HaService> service;
  std::map<std::string, hooks::CommandFn> commands;

  explicit Fixture(const std::string& extra = "") {
    auto params = haParameters("server1", "load-balancing",
                               {{"server1", unusedUrl(), "primary"},
                                {"server2", partner.peer.url(), "secondary"},
                                {"server3", unusedUrl(), "backup"}},
                               extra);
    service = std::make_unique<HaService>(parseHaConfig(params));
    for (auto& [name, fn] : haCommands(*service)) commands[name] = fn;
  }
  ~Fixture() {
    service->stop();
    service.reset();
  }
  cc::Answer run(const std::string& json) {
    cc::Command cmd = cc::parseCommand(cc::parseJson(json));
    return cc::parseAnswer(commands.at(cmd.name)(cmd));
  }
};

}  // namespace

TEST_CASE("HA commands: libdhcp_ha.so registers Kea's nine HA commands") {
  Fixture f;
  std::vector<std::string> names;
  for (const auto& [name, fn] : f.commands) names.push_back(name);
  CHECK(names == std::vector<std::string>{"ha-continue", "ha-heartbeat", "ha-maintenance-cancel",
                                          "ha-maintenance-notify", "ha-maintenance-start",
                                          "ha-reset", "ha-scopes", "ha-sync",
                                          "ha-sync-complete-notify"});
}

TEST_CASE("HA commands: ha-heartbeat answers state, date, scopes and unsent updates") {
  Fixture f;
  cc::Answer a = f.run(R"({"command": "ha-heartbeat", "arguments": {"server-name": "nope"}})");
  CHECK(a.result == 0);
  CHECK(a.text == "HA peer status returned.");
  REQUIRE(a.arguments);
  CHECK(a.arguments->at("state").asString() == "waiting");
  CHECK(a.arguments->at("scopes").asList().empty());
  CHECK(a.arguments->at("unsent-update-count").asInt() == 0);
  auto when = parseHttpDate(a.arguments->at("date-time").asString());
  REQUIRE(when);
  CHECK(std::llabs(*when - nowUnixSeconds()) <= 2);
}

TEST_CASE("HA commands: ha-scopes checks the names and sets the served scopes") {
  Fixture f;
  cc::Answer none = f.run(R"({"command": "ha-scopes"})");
  CHECK(none.result == 1);
  CHECK(none.text == "arguments not found in the 'ha-scopes' command");
  cc::Answer bogus = f.run(R"({"command": "ha-scopes", "arguments": {"scopes": ["bogus"]}})");
  CHECK(bogus.result == 1);
  CHECK(bogus.text == "invalid server name specified 'bogus' while enabling/disabling HA scopes");
  cc::Answer backup = f.run(R"({"command": "ha-scopes", "arguments": {"scopes": ["server3"]}})");
  CHECK(backup.result == 1);
  CHECK(f.service->queryFilter().servedScopes().empty());  // a refused list changes nothing
  cc::Answer ok =
      f.run(R"({"command": "ha-scopes", "arguments": {"scopes": ["server1", "server2"]}})");
  CHECK(ok.result == 0);
  CHECK(ok.text == "New HA scopes configured.");
  CHECK(f.service->queryFilter().servedScopes() == std::vector<std::string>{"server1", "server2"});
  cc::Answer hb = f.run(R"({"command": "ha-heartbeat"})");
  CHECK(hb.arguments->at("scopes").toJson() == R"(["server1","server2"])");
}

TEST_CASE("HA commands: ha-continue, ha-reset and ha-maintenance-* answers") {
  Fixture f;
  cc::Answer cont = f.run(R"({"command": "ha-continue"})");
  CHECK(cont.result == 0);
  CHECK(cont.text == "HA state machine is not paused.");
  cc::Answer reset = f.run(R"({"command": "ha-reset"})");
  CHECK(reset.result == 0);
  CHECK(reset.text == "HA state machine reset.");
  cc::Answer cancel = f.run(R"({"command": "ha-maintenance-cancel"})");
  CHECK(cancel.result == 1);
  CHECK(cancel.text ==
        "Unable to cancel maintenance request because the server is not in the "
        "partner-in-maintenance state.");
  cc::Answer notify = f.run(R"({"command": "ha-maintenance-notify"})");
  CHECK(notify.result == 1);
  CHECK(notify.text == "arguments not found in the 'ha-maintenance-notify' command");
  cc::Answer bad = f.run(R"({"command": "ha-maintenance-notify", "arguments": {"cancel": "yes"}})");
  CHECK(bad.result == 1);
  cc::Answer not_in =
      f.run(R"({"command": "ha-maintenance-notify", "arguments": {"cancel": true}})");
  CHECK(not_in.result == 1);
  CHECK(not_in.text ==
        "Unable to cancel the maintenance for the server not in the in-maintenance state.");
  cc::Answer in = f.run(R"({"command": "ha-maintenance-notify", "arguments": {"cancel": false}})");
  CHECK(in.result == 0);
  CHECK(in.text == "Server is in-maintenance state.");
  CHECK(f.service->state() == HaState::kInMaintenance);
}

TEST_CASE("HA commands: ha-sync fetches the peer's leases synchronously") {
  Fixture f;
  f.partner.leases = {testLease(20), testLease(21), testLease(22), testLease(23)};
  cc::Answer none = f.run(R"({"command": "ha-sync"})");
  CHECK(none.result == 1);
  CHECK(none.text == "arguments not found in the 'ha-sync' command");
  cc::Answer unknown = f.run(R"({"command": "ha-sync", "arguments": {"server-name": "server9"}})");
  CHECK(unknown.result == 1);
  CHECK(unknown.text.find("server9") != std::string::npos);
  cc::Answer self = f.run(R"({"command": "ha-sync", "arguments": {"server-name": "server1"}})");
  CHECK(self.result == 1);
  cc::Answer ok =
      f.run(R"({"command": "ha-sync", "arguments": {"server-name": "server2", "max-period": 30}})");
  CHECK(ok.result == 0);
  CHECK(ok.text == "Lease database synchronization complete.");
  CHECK(f.server.store->size() == 4);
  // Page limit 2, four leases: three pages (the last one empty, result 3), each after a
  // dhcp-disable with max-period 30; then ha-sync-complete-notify.
  auto disables = f.partner.received("dhcp-disable");
  REQUIRE(disables.size() == 3);
  CHECK(disables[0].arguments->at("max-period").asInt() == 30);
  auto pages = f.partner.received("lease4-get-page");
  REQUIRE(pages.size() == 3);
  CHECK(pages[0].arguments->at("from").asString() == "start");
  CHECK(pages[1].arguments->at("from").asString() == "192.0.2.21");
  CHECK(f.partner.count("ha-sync-complete-notify") == 1);
  CHECK(f.partner.count("dhcp-enable") == 0);  // Kea 2.2 never sends it after a good sync
  f.partner.setOffline(true);
  cc::Answer failed = f.run(R"({"command": "ha-sync", "arguments": {"server-name": "server2"}})");
  CHECK(failed.result == 1);
  CHECK(failed.text.find("Lease database synchronization with server2 failed") == 0);
}

TEST_CASE("HA commands: ha-sync-complete-notify re-enables the service the partner disabled") {
  Fixture f;
  f.server.execute(cc::Command{"dhcp-disable", {}, cc::parseJson(R"({"origin": "ha-partner"})")});
  CHECK(f.server.disabledBy("ha-partner"));
  cc::Answer a = f.run(R"({"command": "ha-sync-complete-notify"})");
  CHECK(a.result == 0);
  CHECK(a.text == "Server successfully notified about the synchronization completion.");
  CHECK_FALSE(f.server.disabledBy("ha-partner"));
}

TEST_CASE("HA commands: status-get gains the high-availability section") {
  Fixture f;
  f.partner.set("load-balancing", {"server2"});
  f.service->start(false);
  REQUIRE(waitFor([&] { return f.service->state() == HaState::kLoadBalancing; }));
  cc::Value args = cc::Value::makeMap();
  args.set("pid", 42);
  cc::Value response = cc::makeAnswer(cc::ResultCode::kSuccess, "", args);
  CHECK(addStatus(*f.service, response));
  const cc::Value& ha = response.at("arguments").at("high-availability");
  REQUIRE(ha.isList());
  REQUIRE(ha.size() == 1);
  const cc::Value& rel = ha.asList()[0];
  CHECK(rel.at("ha-mode").asString() == "load-balancing");
  const cc::Value& local = rel.at("ha-servers").at("local");
  CHECK(local.at("role").asString() == "primary");
  CHECK(local.at("scopes").toJson() == R"(["server1"])");
  CHECK(local.at("state").asString() == "load-balancing");
  const cc::Value& remote = rel.at("ha-servers").at("remote");
  for (const char* key :
       {"age", "analyzed-packets", "communication-interrupted", "connecting-clients", "in-touch",
        "last-scopes", "last-state", "role", "unacked-clients", "unacked-clients-left"}) {
    INFO(key);
    CHECK(remote.contains(key));
  }
  CHECK(remote.size() == 10);   // exactly Kea 2.2's keys
  CHECK(local.size() == 3);
  CHECK(remote.at("role").asString() == "secondary");
  CHECK(remote.at("last-state").asString() == "load-balancing");
  CHECK(remote.at("in-touch").asBool());
  CHECK(remote.at("communication-interrupted").asBool() == false);
  CHECK(response.at("arguments").at("pid").asInt() == 42);
  // An error answer is left alone.
  cc::Value error = cc::makeAnswer(cc::ResultCode::kError, "no");
  CHECK_FALSE(addStatus(*f.service, error));
  CHECK_FALSE(error.contains("arguments"));
}

TEST_CASE(
    "HA listener: the partner's commands over the dedicated listener, with basic auth and "
    "restrict-commands") {
  Partner partner;
  LogCapture log;
  LocalServer server;
  uint16_t port = closedPort();
  std::string json =
      R"({"high-availability": [{"this-server-name": "server1", "mode": "load-balancing",
    "heartbeat-delay": 100, "max-response-delay": 400, "restrict-commands": true,
    "multi-threading": {"enable-multi-threading": true, "http-dedicated-listener": true},
    "peers": [{"name": "server1", "url": "http://127.0.0.1:)" +
      std::to_string(port) + R"(/", "role": "primary",
               "basic-auth-user": "hauser", "basic-auth-password": "hapass"},
              {"name": "server2", "url": ")" +
      partner.peer.url() + R"(", "role": "secondary"}]}]})";
  HaService service(parseHaConfig(cc::parseJson(json)));
  for (auto& [name, fn] : haCommands(service)) server.commands[name] = fn;
  service.start(true);
  REQUIRE(service.listenerPort() == port);
  CHECK(!log.lines("HA_LISTENER_STARTED").empty());

  http::ClientConfig cc_;
  cc_.host = "127.0.0.1";
  cc_.port = port;
  cc_.timeout = 3000ms;
  auto noAuth = http::post(cc_, R"({"command": "ha-heartbeat", "service": ["dhcp4"]})");
  REQUIRE(noAuth.ok);
  CHECK(noAuth.status == 401);

  cc_.auth = http::BasicAuthClient{"hauser", "hapass"};
  auto hb = http::post(cc_, R"({"command": "ha-heartbeat", "service": ["dhcp4"]})");
  REQUIRE(hb.ok);
  CHECK(hb.status == 200);
  cc::Value body = cc::parseJson(hb.body);
  REQUIRE(body.isMap());  // a bare map, as Kea's dedicated listener answers
  CHECK(body.at("text").asString() == "HA peer status returned.");
  CHECK(body.at("arguments").contains("state"));

  auto disable = http::post(
      cc_,
      R"({"command": "dhcp-disable", "arguments": {"origin": "ha-partner", "max-period": 60}})");
  REQUIRE(disable.ok);
  CHECK(cc::parseJson(disable.body).at("result").asInt() == 0);
  CHECK(server.disabledBy("ha-partner"));

  auto refused = http::post(cc_, R"({"command": "config-get"})");
  REQUIRE(refused.ok);
  CHECK(cc::parseJson(refused.body).at("result").asInt() == 2);
  CHECK(log.lines("HA_LISTENER_COMMAND_REFUSED").size() == 1);
  service.stop();
  CHECK(service.listenerPort() == 0);
}

TEST_CASE("HA listener: not started when the server itself runs without multi-threading") {
  Partner partner;
  LogCapture log;
  LocalServer server;
  std::string json =
      R"({"high-availability": [{"this-server-name": "server1", "mode": "load-balancing",
    "heartbeat-delay": 100, "max-response-delay": 400,
    "multi-threading": {"enable-multi-threading": true, "http-dedicated-listener": true},
    "peers": [{"name": "server1", "url": ")" +
      unusedUrl() + R"(", "role": "primary"},
              {"name": "server2", "url": ")" +
      partner.peer.url() + R"(", "role": "secondary"}]}]})";
  HaService service(parseHaConfig(cc::parseJson(json)));
  service.start(false);
  CHECK(service.listenerPort() == 0);
  CHECK(log.lines("HA_LISTENER_NOT_USED").size() == 1);
  service.stop();
}

TEST_CASE("HA listener: a port already in use is logged with the remedy and HA runs without it") {
  Partner partner;
  FakePeer blocker;  // holds the port of this server's URL
  LogCapture log;
  LocalServer server;
  std::string json =
      R"({"high-availability": [{"this-server-name": "server1", "mode": "load-balancing",
    "heartbeat-delay": 100, "max-response-delay": 400,
    "multi-threading": {"enable-multi-threading": true, "http-dedicated-listener": true},
    "peers": [{"name": "server1", "url": ")" +
      blocker.url() + R"(", "role": "primary"},
              {"name": "server2", "url": ")" +
      partner.peer.url() + R"(", "role": "secondary"}]}]})";
  HaService service(parseHaConfig(cc::parseJson(json)));
  service.start(true);
  CHECK(service.listenerPort() == 0);
  auto lines = log.lines("HA_LISTENER_FAILED");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(blocker.url()) != std::string::npos);
  CHECK(lines[0].find("port of its own") != std::string::npos);
  REQUIRE(waitFor([&] { return partner.count("ha-heartbeat") >= 2; }));
  service.stop();
}

TEST_CASE("HA listener: TLS failure remedies name the cause") {
  CHECK(HaListener::tlsRemedy("certificate verify failed", "certificate has expired", "CN=server2")
            .find("expired") != std::string::npos);
  CHECK(HaListener::tlsRemedy("peer did not return a certificate", "", "")
            .find("no client certificate") != std::string::npos);
  CHECK(HaListener::tlsRemedy("tlsv1 alert unknown ca", "", "CN=x").find("trust-anchor") !=
        std::string::npos);
  CHECK(HaListener::isPeerCommand("lease4-update"));
  CHECK(HaListener::isPeerCommand("lease4-bulk-apply"));
  CHECK_FALSE(HaListener::isPeerCommand("config-set"));
}
