// A hook library for the loader tests. Variants are built with -D flags.

#include <string>

#include "takahe/cc/command.h"
#include "takahe/hooks/hooks.h"

using takahe::hooks::CalloutHandle;
using takahe::hooks::LibraryHandle;
using takahe::hooks::NextStep;

namespace {
std::string g_step = "continue";
int g_factor = 2;
int g_unloads = 0;

[[maybe_unused]] int multiply(CalloutHandle& handle) {
  int* value = handle.argument<int>("value");
  if (value) *value *= g_factor;
  if (g_step == "skip") handle.setStatus(NextStep::kSkip);
  if (g_step == "drop") handle.setStatus(NextStep::kDrop);
  if (g_step == "park") handle.setStatus(NextStep::kPark);
  if (g_step == "throw") throw std::runtime_error("callout failure on purpose");
  int seen = 0;
  if (handle.hasContext("seen")) handle.getContext("seen", seen);
  handle.setContext("seen", seen + 1);
  return 0;
}
}  // namespace

extern "C" {

#ifdef TEST_BAD_VERSION
int version() { return 1; }
#else
int version() { return TAKAHE_HOOKS_VERSION; }
#endif

#ifndef TEST_NO_LOAD
int load(LibraryHandle& handle) {
#ifdef TEST_FAIL_LOAD
  (void)handle;
  return 3;
#else
  if (const auto* step = handle.getParameter("step")) g_step = step->asString();
  if (const auto* factor = handle.getParameter("factor")) g_factor = static_cast<int>(factor->asInt());
  std::string hook = "pkt4_receive";
#ifdef TEST_BAD_HOOK
  hook = "no_such_hook";
#endif
  handle.registerCallout(hook, multiply);
  std::string command = "test-echo";
  if (const auto* c = handle.getParameter("command")) command = c->asString();
  handle.registerCommandHandler(command, [](const takahe::cc::Command& cmd) {
    return takahe::cc::makeAnswer(takahe::cc::ResultCode::kSuccess, "echo",
                                  cmd.arguments ? *cmd.arguments : takahe::cc::Value::makeMap());
  });
  return 0;
#endif
}
#endif

int unload() { return ++g_unloads == 0; }

#ifndef TEST_NO_MT
int multi_threading_compatible() { return 1; }
#endif

// Exported under a hook point's name: registered without registerCallout.
int pkt4_send(CalloutHandle& handle) {
  handle.setArgument("pkt4_send_seen", true);
  return 0;
}

}  // extern "C"
