#pragma once

// Message catalogue of libdhcp_legal_log.

#include "takahe/log/logger.h"

namespace takahe::hooks::legal_log {

using log::MessageId;
using log::Severity;

/// The logger of this library ("legal-log-hooks", as Kea names it).
const log::Logger& legalLogger();

inline constexpr MessageId LEGAL_LOG_LOADED{"LEGAL_LOG_LOADED", Severity::kInfo,
                                            "forensic logging to %1/%2.*.txt (rotation: %3)"};
inline constexpr MessageId LEGAL_LOG_UNLOADED{"LEGAL_LOG_UNLOADED", Severity::kInfo,
                                              "forensic logging stopped"};
inline constexpr MessageId LEGAL_LOG_LOAD_FAILED{"LEGAL_LOG_LOAD_FAILED", Severity::kError,
                                                 "libdhcp_legal_log not loaded: %1"};
/// An entry could not be written; the reply is still sent unless on-write-failure is "drop".
inline constexpr MessageId LEGAL_LOG_WRITE_FAILED{"LEGAL_LOG_WRITE_FAILED", Severity::kError,
                                                  "forensic log entry for %1 not written: %2"};

}  // namespace takahe::hooks::legal_log
