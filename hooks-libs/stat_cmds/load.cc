// The C entry points of libdhcp_stat_cmds.so.

#include <exception>

#include "stat_cmds.h"
#include "takahe/hooks/hooks.h"

using takahe::hooks::LibraryHandle;

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int load(LibraryHandle& handle) {
  try {
    handle.registerCommandHandler("stat-lease4-get", takahe::hooks::stat_cmds::statLease4Get);
    // stat-lease6-get comes with takahe-dhcp6.
    return 0;
  } catch (const std::exception&) {
    return 1;
  }
}

int unload() { return 0; }

int multi_threading_compatible() { return 1; }

}  // extern "C"
