// Loads the built libdhcp_host_cmds.so the way the server does and drives a command through the
// handler it registered: the library resolves the server's symbols (this executable exports
// them) and sees the same ServerServices4.

#include <catch2/catch.hpp>
#include <map>

#include "../host_commands.h"
#include "host_cmds_fixture.h"
#include "takahe/hooks/hooks_manager.h"

using namespace takahe;
using namespace takahe::hooks;
using namespace takahe::hooks::host_cmds::test;

TEST_CASE("libdhcp_host_cmds.so loads with multi-threading on and registers every reservation command") {
  Server s;
  std::map<std::string, CommandFn> commands;
  HooksManager manager(dhcp4HookPoints());
  manager.setCommandSink(CommandSink{[&](const std::string& name, CommandFn fn) { commands[name] = std::move(fn); },
                                     [&](const std::string& name) { commands.erase(name); }});
  HookLibraryConfig lib;
  lib.path = HOST_CMDS_MODULE;
  manager.load({lib}, true);
  std::vector<std::string> expected;
  for (const auto& [name, fn] : host_cmds::hostCommands()) {
    expected.push_back(name);
  }
  std::sort(expected.begin(), expected.end());
  CHECK(manager.libraryCommands() == expected);
  REQUIRE(commands.size() == expected.size());

  cc::Value added = commands.at("reservation-add")(cc::parseCommand(cc::parseJson(
      R"({"command": "reservation-add", "arguments": {"reservation": {"subnet-id": 1, "hw-address": "01:02:03:04:05:06"}}})")));
  CHECK(resultOf(added) == 0);
  CHECK(s.store->size() == 1);

  manager.unloadAll();
  CHECK(commands.empty());
}
