// Loads the built libdhcp_ha.so the way takahe-dhcp4 does (HooksManager, dhcp4 hook points, a
// ServerServices4) and drives it only through what the server sees: its commands, and its
// callouts at dhcp4_srv_configured, pkt4_receive, leases4_committed and command_processed.
// Also: refused configurations with their message, unload joining the HA thread, and 20
// load/unload cycles without leaked threads or descriptors.

#include <dirent.h>

#include <catch2/catch.hpp>
#include <map>

#include "ha_test_support.h"
#include "takahe/hooks/hooks_manager.h"

using namespace takahe;
using namespace takahe::hooks;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;
using namespace std::chrono_literals;

namespace {

size_t countEntries(const char* dir) {
  size_t n = 0;
  if (DIR* d = ::opendir(dir)) {
    while (auto* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}
size_t threads() { return countEntries("/proc/self/task"); }
size_t descriptors() { return countEntries("/proc/self/fd"); }

/// The server side: hook manager with takahe-dhcp4's points, commands published in the
/// LocalServer's command table (what `execute` runs), a scripted partner.
struct Server {
  Partner partner;  // first: the first FakePeer of a process quiets the logs once
  LogCapture log;
  LocalServer local;
  HooksManager manager{dhcp4HookPoints()};

  Server() {
    manager.setCommandSink(CommandSink{
        [this](const std::string& n, CommandFn fn) { local.commands[n] = std::move(fn); },
        [this](const std::string& n) { local.commands.erase(n); }});
  }
  ~Server() { manager.unloadAll(); }

  HookLibraryConfig library(const std::string& extra = "") {
    HookLibraryConfig lib;
    lib.path = HA_MODULE;
    lib.parameters = haParameters(
        "server1", "load-balancing",
        {{"server1", unusedUrl(), "primary"}, {"server2", partner.peer.url(), "secondary"}}, extra);
    return lib;
  }
  /// What the server does once the configuration is in force.
  void configured() {
    auto handle = manager.createHandle();
    handle->setArgument("server_config", local.cfg);
    handle->setArgument("json_config", local.cfg->source);
    manager.callCallouts(manager.hookIndex("dhcp4_srv_configured"), *handle);
  }
  cc::Answer command(const std::string& json) {
    cc::Command cmd = cc::parseCommand(cc::parseJson(json));
    return cc::parseAnswer(local.execute(cmd));
  }
  std::string state() {
    return command(R"({"command": "ha-heartbeat"})").arguments->at("state").asString();
  }
};

std::shared_ptr<dhcp::Pkt4> discover(const std::string& scope_of, int seed) {
  // The scope a query belongs to depends only on the configuration: use a filter of the same one.
  static const HaConfig cfg =
      parseHaConfig(haParameters("server1", "load-balancing",
                                 {{"server1", "http://127.0.0.1:1/", "primary"},
                                  {"server2", "http://127.0.0.1:2/", "secondary"}}));
  static const QueryFilter filter(cfg);
  return std::make_shared<dhcp::Pkt4>(discoverIn(filter, scope_of, 0, seed));
}

}  // namespace

TEST_CASE(
    "libdhcp_ha.so loads with Kea's configuration and works through its commands and callouts") {
  Server s;
  s.partner.set("load-balancing", {"server2"});
  s.manager.load({s.library()}, true);
  CHECK(s.manager.libraryCommands() ==
        std::vector<std::string>{"ha-continue", "ha-heartbeat", "ha-maintenance-cancel",
                                 "ha-maintenance-notify", "ha-maintenance-start", "ha-reset",
                                 "ha-scopes", "ha-sync", "ha-sync-complete-notify"});
  for (const char* hook :
       {"dhcp4_srv_configured", "pkt4_receive", "leases4_committed", "command_processed"}) {
    INFO(hook);
    CHECK(s.manager.calloutsPresent(s.manager.hookIndex(hook)));
  }
  CHECK(s.state() == "waiting");
  CHECK(s.partner.count("ha-heartbeat") == 0);  // nothing before the server runs the configuration
  s.configured();
  REQUIRE(waitFor([&] { return s.state() == "load-balancing"; }));
  s.local.drain();
  CHECK(s.local.serving());

  // pkt4_receive: the partner's client is dropped, ours goes on; both get their scope's class
  // (pools split with "client-class": "HA_server1" / "HA_server2").
  auto handle = s.manager.createHandle();
  auto theirs = discover("server2", 1);
  handle->setArgument("query4", theirs);
  s.manager.callCallouts(s.manager.hookIndex("pkt4_receive"), *handle);
  CHECK(handle->getStatus() == NextStep::kDrop);
  CHECK(theirs->meta.classes == std::vector<std::string>{"HA_server2"});
  handle = s.manager.createHandle();
  auto ours = discover("server1", 2);
  handle->setArgument("query4", ours);
  s.manager.callCallouts(s.manager.hookIndex("pkt4_receive"), *handle);
  CHECK(handle->getStatus() == NextStep::kContinue);
  CHECK(ours->meta.inClass("HA_server1"));

  // leases4_committed: the reply is parked until the partner acknowledged the update.
  int idx = s.manager.hookIndex("leases4_committed");
  auto query = discover("server1", 3);
  handle = s.manager.createHandle();
  handle->prepare("leases4_committed", &s.manager.parkingLot(idx));
  handle->setArgument("query4", query);
  handle->setArgument("leases4", std::vector<std::shared_ptr<dhcpsrv::Lease4>>{
                                     std::make_shared<dhcpsrv::Lease4>(testLease(90))});
  handle->setArgument("deleted_leases4", std::vector<std::shared_ptr<dhcpsrv::Lease4>>{});
  s.manager.callCallouts(idx, *handle);
  REQUIRE(handle->getStatus() == NextStep::kPark);
  std::atomic<bool> sent{false};
  REQUIRE(s.manager.parkingLot(idx).park(
      query.get(), [&] { sent = true; }, [] {}));
  REQUIRE(waitFor([&] { return sent.load(); }));
  auto updates = s.partner.received("lease4-update");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].arguments->at("ip-address").asString() == "192.0.2.90");

  // command_processed adds the HA status to status-get.
  handle = s.manager.createHandle();
  handle->setArgument("name", std::string("status-get"));
  handle->setArgument("arguments", cc::Value());
  cc::Value args = cc::Value::makeMap();
  args.set("pid", 7);
  handle->setArgument("response", cc::makeAnswer(cc::ResultCode::kSuccess, "", args));
  s.manager.callCallouts(s.manager.hookIndex("command_processed"), *handle);
  cc::Value* response = handle->argument<cc::Value>("response");
  REQUIRE(response);
  const cc::Value& ha = response->at("arguments").at("high-availability");
  REQUIRE(ha.size() == 1);
  CHECK(ha.asList()[0].at("ha-servers").at("local").at("state").asString() == "load-balancing");

  s.manager.unloadAll();
  CHECK(s.local.commands.empty());
}

TEST_CASE("libdhcp_ha.so refuses a bad configuration with a message that says what to fix") {
  Server s;
  size_t before = threads();
  HookLibraryConfig lib;
  lib.path = HA_MODULE;
  lib.parameters = haParameters(
      "server9", "load-balancing",
      {{"server1", unusedUrl(), "primary"}, {"server2", s.partner.peer.url(), "secondary"}});
  try {
    s.manager.load({lib}, true);
    FAIL("load succeeded");
  } catch (const std::exception& e) {
    std::string what = e.what();
    CHECK(what.find("load() failed") != std::string::npos);
    CHECK(what.find("server9") != std::string::npos);
    CHECK(what.find("this-server-name") != std::string::npos);
  }
  CHECK(!s.log.lines("HA_CONFIGURATION_FAILED").empty());
  CHECK(s.log.lines("HA_LOADED").empty());
  CHECK(s.local.commands.empty());
  CHECK_FALSE(s.manager.anyLoaded());
  lib.parameters = cc::Value::makeMap();
  CHECK_THROWS_WITH(s.manager.load({lib}, true), Catch::Contains("high-availability"));
  CHECK(threads() == before);
  // Accepted but doubtful settings load, with a warning each.
  s.manager.load({s.library(R"("send-lease-updates": false)")}, true);
  CHECK(s.log.lines("HA_CONFIGURATION_WARNING").size() == 1);
  CHECK(s.log.lines("HA_CONFIGURATION_WARNING")[0].find("send-lease-updates") != std::string::npos);
  s.manager.unloadAll();
}

TEST_CASE("libdhcp_ha.so: unload joins the HA thread and gives the DHCP service back") {
  Server s;
  s.partner.set("waiting");
  size_t before = threads();
  s.manager.load({s.library()}, true);
  s.configured();
  REQUIRE(waitFor([&] { return s.partner.count("ha-heartbeat") >= 1; }));
  s.local.drain();
  CHECK(s.local.disabledBy("ha-local"));  // waiting: no service
  CHECK(threads() > before);
  s.manager.unloadAll();
  CHECK(threads() == before);
  size_t heartbeats = s.partner.count("ha-heartbeat");
  std::this_thread::sleep_for(300ms);
  CHECK(s.partner.count("ha-heartbeat") == heartbeats);
  s.local.drain();
  CHECK(s.local.serving());
}

TEST_CASE("libdhcp_ha.so: 20 load/unload cycles leak neither threads nor descriptors") {
  Server s;
  s.partner.set("waiting");
  // One cycle first: lazily created objects (loggers, the library mapping) are not leaks.
  s.manager.load({s.library()}, true);
  s.configured();
  s.manager.unloadAll();
  size_t t0 = threads();
  size_t f0 = descriptors();
  for (int i = 0; i < 20; ++i) {
    s.manager.load({s.library()}, true);
    s.configured();
    CHECK(s.state() == "waiting");
    s.manager.unloadAll();
  }
  CHECK(threads() == t0);
  CHECK(descriptors() <= f0 + 2);  // the partner's side may still hold a closing connection
  s.local.drain();
  CHECK(s.local.serving());
}
