// An example Takahe hook library, written as a third party would: it uses only the installed
// headers (pkg-config takahe-hooks) and is loaded by takahe-dhcp4 through "hooks-libraries".
//
// It counts DHCPDISCOVERs per subnet, writes one line per DISCOVER to a file, and answers the
// "example-stats" control command with the counts. See doc/hooks.md for a walk-through.
//
// Configuration:
//   "hooks-libraries": [{
//     "library": "/usr/local/lib/takahe/hooks/libdhcp_example.so",
//     "parameters": { "log-file": "/var/log/takahe/discovers.log" }
//   }]

#include <takahe/cc/command.h>
#include <takahe/dhcp/pkt4.h>
#include <takahe/dhcpsrv/subnet.h>
#include <takahe/hooks/hooks.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace {

using takahe::hooks::CalloutHandle;

// Library state. Callouts run on several worker threads at once, so it is guarded by a mutex.
std::mutex g_mutex;
std::map<uint32_t, uint64_t> g_discovers;  // subnet id -> DISCOVERs seen
std::FILE* g_log = nullptr;

// pkt4_receive: remember, in the packet's context, whether this is a DISCOVER. The context is
// private to this library and lives as long as the packet.
int onPkt4Receive(CalloutHandle& handle) {
  std::shared_ptr<takahe::dhcp::Pkt4> query;
  handle.getArgument("query4", query);
  bool discover = query && query->messageType() == takahe::dhcp::MessageType::kDiscover;
  handle.setContext("discover", discover);
  return 0;
}

// subnet4_select: the server has chosen a subnet (or none: nullptr). Count the DISCOVER there.
int onSubnet4Select(CalloutHandle& handle) {
  bool discover = false;
  if (handle.hasContext("discover")) handle.getContext("discover", discover);
  if (!discover) return 0;

  const takahe::dhcpsrv::Subnet4* subnet = nullptr;
  handle.getArgument("subnet4", subnet);
  std::shared_ptr<takahe::dhcp::Pkt4> query;
  handle.getArgument("query4", query);
  uint32_t id = subnet ? subnet->id.value : 0;  // 0: no subnet for this client

  std::lock_guard lock(g_mutex);
  ++g_discovers[id];
  if (g_log) {
    std::fprintf(g_log, "DHCPDISCOVER from %s in subnet %u\n",
                 query ? query->hwAddr().toString().c_str() : "?", id);
    std::fflush(g_log);
  }
  return 0;
}

// "example-stats": {"arguments": {"subnets": [{"subnet-id": 1, "discovers": 12}, ...]}}
takahe::cc::Value exampleStats(const takahe::cc::Command&) {
  auto subnets = takahe::cc::Value::makeList();
  {
    std::lock_guard lock(g_mutex);
    for (const auto& [id, count] : g_discovers) {
      auto row = takahe::cc::Value::makeMap();
      row.set("subnet-id", id);
      row.set("discovers", count);
      subnets.push(row);
    }
  }
  auto args = takahe::cc::Value::makeMap();
  args.set("subnets", subnets);
  return takahe::cc::makeAnswer(takahe::cc::ResultCode::kSuccess,
                                std::to_string(subnets.size()) + " subnet(s) counted", args);
}

}  // namespace

// The server looks these up by name, so they need C linkage.
extern "C" {

// Refused at load time unless it matches the server's hook API version.
int version() { return TAKAHE_HOOKS_VERSION; }

// 1: our callouts may run on several threads at once (the mutex above makes that safe).
int multi_threading_compatible() { return 1; }

int load(takahe::hooks::LibraryHandle& handle) {
  const takahe::cc::Value* path = handle.getParameter("log-file");
  if (!path || !path->isString()) {
    // The text of an exception thrown from load() is shown to the operator.
    throw takahe::ConfigError("libdhcp_example: parameter 'log-file' (a file name) is required");
  }
  g_log = std::fopen(path->asString().c_str(), "a");
  if (!g_log) {
    throw takahe::ConfigError("libdhcp_example: cannot open log-file " + path->asString());
  }
  {
    std::lock_guard lock(g_mutex);
    g_discovers.clear();
  }
  handle.registerCallout("pkt4_receive", onPkt4Receive);
  handle.registerCallout("subnet4_select", onSubnet4Select);
  handle.registerCommandHandler("example-stats", exampleStats);
  return 0;
}

int unload() {
  std::lock_guard lock(g_mutex);
  if (g_log) {
    std::fclose(g_log);
    g_log = nullptr;
  }
  return 0;
}

}  // extern "C"
