#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <string>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::hooks;
using Catch::Matchers::Contains;

namespace {

std::string lib(const std::string& variant) {
  return std::string(HOOKS_TEST_DIR) + "/libhooktest_" + variant + ".so";
}

HookLibraryConfig config(const std::string& variant, const std::string& params = "{}") {
  return {lib(variant), cc::parseJson(params)};
}

struct Fixture {
  std::map<std::string, CommandFn> commands;
  HooksManager manager{dhcp4HookPoints()};
  Fixture() {
    manager.setCommandSink({[this](const std::string& n, CommandFn fn) {
                              if (commands.count(n)) throw Error("command '" + n + "' exists");
                              commands[n] = std::move(fn);
                            },
                            [this](const std::string& n) { commands.erase(n); }});
  }
  int run(int value, NextStep* step = nullptr) {
    auto h = manager.createHandle();
    h->setArgument("value", value);
    manager.callCallouts(manager.hookIndex("pkt4_receive"), *h);
    if (step) *step = h->getStatus();
    h->getArgument("value", value);
    return value;
  }
};

}  // namespace

TEST_CASE("no library: no callouts anywhere") {
  Fixture f;
  for (const auto& point : dhcp4HookPoints()) CHECK_FALSE(f.manager.calloutsPresent(f.manager.hookIndex(point)));
  CHECK_FALSE(f.manager.calloutsPresent(-1));
  CHECK(f.manager.hookIndex("nonsense") == -1);
  CHECK(f.manager.hookIndex("context_create") >= 0);
  CHECK(f.run(3) == 3);
}

TEST_CASE("a library's callouts change arguments and the next step") {
  Fixture f;
  f.manager.load({config("good", R"({"factor": 5})")}, false);
  CHECK(f.manager.anyLoaded());
  CHECK(f.manager.calloutsPresent(f.manager.hookIndex("pkt4_receive")));
  // Exported under a hook name: registered automatically.
  CHECK(f.manager.calloutsPresent(f.manager.hookIndex("pkt4_send")));
  CHECK_FALSE(f.manager.calloutsPresent(f.manager.hookIndex("lease4_select")));
  NextStep step;
  CHECK(f.run(3, &step) == 15);
  CHECK(step == NextStep::kContinue);
  for (auto [name, expected] : {std::pair{"skip", NextStep::kSkip}, {"drop", NextStep::kDrop}, {"park", NextStep::kPark}}) {
    f.manager.load({config("good", std::string(R"({"step": ")") + name + "\"}")}, false);
    CHECK(f.run(1, &step) == 2);
    CHECK(step == expected);
  }
}

TEST_CASE("a throwing callout is contained") {
  Fixture f;
  f.manager.load({config("good", R"({"step": "throw"})")}, false);
  NextStep step;
  CHECK(f.run(4, &step) == 8);
  CHECK(step == NextStep::kContinue);
}

TEST_CASE("library context survives across hook points of one packet") {
  Fixture f;
  f.manager.load({config("good")}, false);
  auto h = f.manager.createHandle();
  h->setArgument("value", 1);
  int idx = f.manager.hookIndex("pkt4_receive");
  f.manager.callCallouts(idx, *h);
  f.manager.callCallouts(idx, *h);
  h->setCurrentLibrary(0);
  int seen = 0;
  h->getContext("seen", seen);
  CHECK(seen == 2);
}

TEST_CASE("library commands are registered and removed with the library") {
  Fixture f;
  f.manager.load({config("good")}, false);
  REQUIRE(f.commands.count("test-echo"));
  cc::Command cmd{"test-echo", {}, cc::parseJson(R"({"x": 1})")};
  auto answer = f.commands["test-echo"](cmd);
  CHECK(answer.toJson() == R"({"result":0,"text":"echo","arguments":{"x":1}})");
  CHECK(f.manager.libraryCommands() == std::vector<std::string>{"test-echo"});
  f.manager.unloadAll();
  CHECK(f.commands.empty());
  CHECK_FALSE(f.manager.calloutsPresent(f.manager.hookIndex("pkt4_receive")));
}

TEST_CASE("two libraries run in configuration order; a command name clash is refused") {
  Fixture f;
  f.manager.load({config("good", R"({"factor": 3})"), config("nomt", R"({"factor": 3, "command": "other"})")}, false);
  CHECK(f.run(1) == 9);
  CHECK(f.commands.size() == 2);
  CHECK_THROWS_WITH(f.manager.load({config("good"), config("nomt")}, false),
                    Contains("already registered by hook library"));
  // A failed load leaves nothing loaded: no dangling callouts or commands.
  CHECK_FALSE(f.manager.anyLoaded());
  CHECK(f.commands.empty());
  CHECK(f.run(2) == 2);
}

TEST_CASE("refusals name the library and the reason") {
  Fixture f;
  CHECK_THROWS_WITH(HooksManager::validate({config("badversion")}, false),
                    Contains("built for hooks API version 1 but this server has version"));
  CHECK_THROWS_WITH(HooksManager::validate({config("nomt")}, true),
                    Contains("is not multi-threading compatible"));
  CHECK_NOTHROW(HooksManager::validate({config("nomt")}, false));
  CHECK_NOTHROW(HooksManager::validate({config("good")}, true));
  CHECK_THROWS_WITH(HooksManager::validate({config("noload")}, false), Contains("has no load() function"));
  CHECK_THROWS_WITH(HooksManager::validate({{"/nonexistent/libx.so", cc::Value::makeMap()}}, false),
                    Contains("does not exist"));
  CHECK_THROWS_AS(HooksManager::validate({{"/etc/hostname", cc::Value::makeMap()}}, false), ConfigError);
  CHECK_THROWS_WITH(f.manager.load({config("failload")}, false), Contains("load() returned 3"));
  CHECK_THROWS_WITH(f.manager.load({config("badhook")}, false), Contains("no hook point 'no_such_hook'"));
  CHECK_THROWS_WITH(f.manager.load({config("good"), config("badversion")}, false), Contains("hooks-libraries[1]"));
  CHECK_FALSE(f.manager.anyLoaded());
  CHECK(f.commands.empty());
}

TEST_CASE("reloading many times leaves one set of callouts") {
  Fixture f;
  for (int i = 0; i < 50; ++i) f.manager.load({config("good")}, false);
  CHECK(f.run(1) == 2);
  CHECK(f.commands.size() == 1);
}

TEST_CASE("parked packets are dropped when libraries unload") {
  Fixture f;
  f.manager.load({config("good")}, false);
  int key = 0, dropped = 0;
  auto& lot = f.manager.parkingLot(f.manager.hookIndex("leases4_committed"));
  REQUIRE(lot.park(&key, nullptr, [&] { ++dropped; }));
  f.manager.unloadAll();
  CHECK(dropped == 1);
}

TEST_CASE("hooks-libraries parsing") {
  auto libs = parseHooksLibraries(cc::parseJson(R"([{"library": "/a.so"}, {"library": "/b.so", "parameters": {"x": 1}}])"), "Dhcp4/hooks-libraries");
  REQUIRE(libs.size() == 2);
  CHECK(libs[0].path == "/a.so");
  CHECK(libs[0].parameters.isMap());
  CHECK(libs[1].parameters.find("x")->asInt() == 1);
  CHECK(parseHooksLibraries(cc::Value(), "x").empty());
  CHECK_THROWS_WITH(parseHooksLibraries(cc::parseJson(R"([{"parameters": {}}])"), "Dhcp4/hooks-libraries"),
                    Contains("Dhcp4/hooks-libraries[0]: missing \"library\""));
  CHECK_THROWS_WITH(parseHooksLibraries(cc::parseJson(R"([{"library": "/a.so", "parameters": 3}])"), "H"),
                    Contains("H[0]/parameters: must be a map"));
  CHECK_THROWS_WITH(parseHooksLibraries(cc::parseJson(R"([{"library": "/a.so", "param": {}}])"), "H"),
                    Contains("unknown parameter"));
  CHECK_THROWS_AS(parseHooksLibraries(cc::parseJson(R"({"library": "/a.so"})"), "H"), ConfigError);
}

TEST_CASE("bare names and Kea hook paths resolve in the hooks directory") {
  ::setenv("TAKAHE_HOOKS_PATH", HOOKS_TEST_DIR, 1);
  Fixture f;
  f.manager.load({{"libhooktest_good.so", cc::Value::makeMap()}}, false);
  CHECK(f.run(2) == 4);
  // A Kea configuration naming Kea's library loads Takahe's library of that file name.
  f.manager.load({{"/usr/lib/x86_64-linux-gnu/kea/hooks/libhooktest_good.so", cc::parseJson(R"({"factor": 5})")}}, false);
  CHECK(f.run(2) == 10);
  CHECK_THROWS_WITH(HooksManager::validate({{"/usr/lib/x86_64-linux-gnu/kea/hooks/libnot_ours.so", cc::Value::makeMap()}}, false),
                    Contains("does not exist"));
  ::unsetenv("TAKAHE_HOOKS_PATH");
}
