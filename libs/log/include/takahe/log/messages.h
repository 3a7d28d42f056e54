#pragma once

// Message catalogue of libs/log. Each library keeps one such header: IDs are stable, upper case,
// prefixed with the library or daemon name, and never reused for a different meaning.

#include "takahe/log/logger.h"

namespace takahe::log {

/// Applying the `loggers` configuration failed; the previous logging setup stays in force.
inline constexpr MessageId LOG_CONFIG_ERROR{"LOG_CONFIG_ERROR", Severity::kError,
                                            "logging configuration rejected: %1"};

/// The `loggers` configuration was applied.
inline constexpr MessageId LOG_CONFIGURED{"LOG_CONFIGURED", Severity::kInfo,
                                          "logging configured: %1 logger(s)"};

}  // namespace takahe::log
