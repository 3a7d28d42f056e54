// libagent_test_hooks.so: a hook library for takahe-agent's unit and system tests. It uses only
// the util, cc and hooks APIs the agent provides. Not installed. Built a second time with
// -DAGENT_TEST_HOOKS_NEEDS_DHCP as libagent_test_hooks_dhcp.so, which also calls a function of
// the DHCP server's API and so cannot be loaded by the agent.
//
// Parameters (all optional):
//   "command": "NAME"        the library's command (default "agent-hook-hello"); it answers
//                            {"result": 0, "text": "hello from the agent hook library",
//                             "arguments": {"calls": <control_command_receive calls since load>,
//                                           "greeting": <parameter "greeting" or null>}}
//   "greeting": any value    echoed by the command
//   "refuse-load": true      load() returns 1
//   "trace-file": "/path"    "load" and "unload" are appended, one line each
//
// control_command_receive, by the request's "command":
//   "hook-skip"        answered here (skip): {"result": 0, "text": "answered by the agent hook
//                      library", "arguments": {"request": <the request as received>}}
//   "hook-skip-empty"  skip without setting a response
//   "hook-drop"        drop
//   "hook-rewrite"     the request becomes {"command": arguments.command, "arguments":
//                      arguments.arguments (if any)}, "service" kept; the agent goes on with it

#include <cstdio>
#include <fstream>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/hooks/hooks.h"

#ifdef AGENT_TEST_HOOKS_NEEDS_DHCP
#include "takahe/dhcpsrv/server_services4.h"
#endif

namespace takahe::hooks::agent_test_hooks {

namespace {

int64_t g_calls = 0;
cc::Value g_greeting;
std::string g_trace_file;

void trace(const char* line) {
  if (g_trace_file.empty()) {
    return;
  }
  std::ofstream out(g_trace_file, std::ios::app);
  out << line << "\n";
}

cc::Value hello(const cc::Command&) {
  cc::Value args = cc::Value::makeMap();
  args.set("calls", g_calls);
  args.set("greeting", g_greeting);
  return cc::makeAnswer(cc::ResultCode::kSuccess, "hello from the agent hook library", args);
}

/// The "command" member of a request map, or "".
std::string commandOf(const cc::Value& request) {
  if (!request.isMap()) {
    return "";
  }
  const cc::Value* c = request.find("command");
  return c && c->isString() ? c->asString() : "";
}

void rewrite(cc::Value& request) {
  const cc::Value* args = request.find("arguments");
  if (!args || !args->isMap() || !args->find("command")) {
    return;
  }
  cc::Value target = *args;
  request.set("command", *target.find("command"));
  if (const cc::Value* inner = target.find("arguments")) {
    request.set("arguments", *inner);
  } else {
    request.erase("arguments");
  }
}

}  // namespace

}  // namespace takahe::hooks::agent_test_hooks

using namespace takahe::hooks::agent_test_hooks;
using takahe::hooks::CalloutHandle;
using takahe::hooks::LibraryHandle;
using takahe::hooks::NextStep;

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int multi_threading_compatible() { return 1; }

int load(LibraryHandle& handle) {
  g_calls = 0;
  g_greeting = takahe::cc::Value();
  g_trace_file.clear();
  if (const auto* f = handle.getParameter("trace-file"); f && f->isString()) {
    g_trace_file = f->asString();
  }
  trace("load");
  if (const auto* r = handle.getParameter("refuse-load"); r && r->isBool() && r->asBool()) {
    return 1;
  }
#ifdef AGENT_TEST_HOOKS_NEEDS_DHCP
  // Never reached in the agent: dlopen already failed on this symbol.
  if (takahe::dhcpsrv::serverServices4() == nullptr) {
    return 1;
  }
#endif
  if (const auto* g = handle.getParameter("greeting")) {
    g_greeting = *g;
  }
  std::string name = "agent-hook-hello";
  if (const auto* c = handle.getParameter("command"); c && c->isString()) {
    name = c->asString();
  }
  handle.registerCommandHandler(name, hello);  // throws when the agent has the name
  return 0;
}

int unload() {
  trace("unload");
  return 0;
}

int control_command_receive(CalloutHandle& handle) {
  ++g_calls;
  auto* request = handle.argument<takahe::cc::Value>("command");
  if (!request) {
    return 1;
  }
  std::string name = commandOf(*request);
  if (name == "hook-skip") {
    takahe::cc::Value args = takahe::cc::Value::makeMap();
    args.set("request", *request);
    handle.setArgument("response",
                       takahe::cc::makeAnswer(takahe::cc::ResultCode::kSuccess,
                                              "answered by the agent hook library", args));
    handle.setStatus(NextStep::kSkip);
  } else if (name == "hook-skip-empty") {
    handle.setStatus(NextStep::kSkip);
  } else if (name == "hook-drop") {
    handle.setStatus(NextStep::kDrop);
  } else if (name == "hook-rewrite") {
    rewrite(*request);
  }
  return 0;
}

}  // extern "C"
