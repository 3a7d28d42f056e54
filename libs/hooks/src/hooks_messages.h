#pragma once

// Message catalogue of the hooks framework.

#include "takahe/log/logger.h"

namespace takahe::hooks {

using log::MessageId;
using log::Severity;

inline constexpr MessageId HOOKS_LIBRARY_LOADED{"HOOKS_LIBRARY_LOADED", Severity::kInfo, "hook library %1 loaded (%2 callout(s), %3 command(s))"};
inline constexpr MessageId HOOKS_LIBRARY_UNLOADED{"HOOKS_LIBRARY_UNLOADED", Severity::kInfo, "hook library %1 unloaded"};
inline constexpr MessageId HOOKS_UNLOAD_FAIL{"HOOKS_UNLOAD_FAIL", Severity::kError, "hook library %1: unload() returned %2"};
inline constexpr MessageId HOOKS_CALLOUT_ERROR{"HOOKS_CALLOUT_ERROR", Severity::kError, "hook library %1: callout at %2 returned %3"};
inline constexpr MessageId HOOKS_CALLOUT_EXCEPTION{"HOOKS_CALLOUT_EXCEPTION", Severity::kError, "hook library %1: callout at %2 threw: %3"};
inline constexpr MessageId HOOKS_KEA_PATH_MAPPED{"HOOKS_KEA_PATH_MAPPED", Severity::kWarn, "hook library %1 is a Kea library path; loading Takahe's %2 instead"};
inline constexpr MessageId HOOKS_PARKED_DROPPED{"HOOKS_PARKED_DROPPED", Severity::kWarn, "%1 parked packet(s) dropped at %2"};

}  // namespace takahe::hooks
