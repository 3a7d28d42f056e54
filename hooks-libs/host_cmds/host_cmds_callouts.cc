// The C entry points of libdhcp_host_cmds.so: the loader checks version(), then load()
// registers the reservation-* commands.

#include "host_commands.h"
#include "takahe/hooks/hooks.h"

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int load(takahe::hooks::LibraryHandle& handle) {
  // registerCommandHandler throws when a name is taken; the loader reports it with the library.
  for (const auto& [name, fn] : takahe::hooks::host_cmds::hostCommands()) {
    handle.registerCommandHandler(name, fn);
  }
  return 0;
}

int unload() { return 0; }

// The handlers share nothing but the server's host store and configuration snapshot, both of
// which are safe to use from any thread.
int multi_threading_compatible() { return 1; }

}  // extern "C"
