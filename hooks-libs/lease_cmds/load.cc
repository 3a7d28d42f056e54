// The C entry points of libdhcp_lease_cmds.so.

#include <exception>

#include "lease6_cmds.h"
#include "lease_cmds.h"
#include "lease_cmds_messages.h"
#include "takahe/hooks/hooks.h"

using takahe::hooks::LibraryHandle;
namespace lease_cmds = takahe::hooks::lease_cmds;

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int load(LibraryHandle& handle) {
  try {
    // lease4-* and lease6-*: each family answers "work only inside takahe-dhcpN" in the other
    // server, as Kea's library registers both in either server.
    size_t count = 0;
    for (const auto* list : {&lease_cmds::leaseCommands(), &lease_cmds::lease6Commands()}) {
      for (const auto& c : *list) {
        handle.registerCommandHandler(c.name, c.handler);
        ++count;
      }
    }
    static const takahe::log::Logger logger("lease-cmds-hooks");
    TAKAHE_LOG(logger, lease_cmds::LEASE_CMDS_LOADED, count);
    return 0;
  } catch (const std::exception& e) {
    // The manager removes the commands registered so far when load() fails.
    static const takahe::log::Logger logger("lease-cmds-hooks");
    TAKAHE_LOG(logger, lease_cmds::LEASE_CMDS_FAILED, "load", e.what(), handle.libraryPath());
    return 1;
  }
}

int unload() { return 0; }

int multi_threading_compatible() { return 1; }

}  // extern "C"
