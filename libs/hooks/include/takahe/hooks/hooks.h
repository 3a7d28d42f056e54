#pragma once

// The public API of Takahe hook libraries. A library includes this header and exports, with C
// linkage:
//
//   int version();                        // must return TAKAHE_HOOKS_VERSION
//   int load(takahe::hooks::LibraryHandle&);   // 0 = loaded; reads parameters, registers callouts
//   int unload();                         // optional: 0 = fine
//   int multi_threading_compatible();     // optional: 1 = may run with multi-threading on
//
// and callouts `int <hook_name>(takahe::hooks::CalloutHandle&)` registered from load(). See
// doc/hooks.md for the hook points and their arguments.

#include "takahe/hooks/callout_handle.h"
#include "takahe/hooks/library_handle.h"
#include "takahe/hooks/parking_lot.h"

/// The hook API version: a library built against another value is refused at load time.
#define TAKAHE_HOOKS_VERSION 10000

namespace takahe::hooks {
inline constexpr int kHooksVersion = TAKAHE_HOOKS_VERSION;
}  // namespace takahe::hooks
