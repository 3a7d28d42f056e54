#pragma once

// Reads Kea's `loggers` list (any daemon's or the agent's configuration) into LoggerSpecs.

#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/log/config.h"

namespace takahe::log {

/// `list` is the value of "loggers", `path` its JSON path ("Dhcp4/loggers"). Accepts both of
/// Kea's spellings, `output-options` and `output_options`. Throws takahe::ConfigError with the
/// JSON path and file:line on a bad entry; the outputs themselves are checked by configure().
std::vector<LoggerSpec> parseLoggers(const cc::Value& list, const std::string& path,
                                     std::vector<std::string>& warnings);

}  // namespace takahe::log
