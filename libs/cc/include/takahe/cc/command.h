#pragma once

// Kea's control-channel envelope: {"command","service","arguments"} -> {"result","text","arguments"}.

#include <optional>
#include <string>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::cc {

/// Kea's result codes.
enum class ResultCode : int {
  kSuccess = 0,
  kError = 1,
  kUnsupported = 2,
  kEmpty = 3,
  kConflict = 4,
  kFatal = 5,
};

struct Command {
  std::string name;
  std::vector<std::string> services;  // "service" list; empty when absent
  std::optional<Value> arguments;     // absent when not given
};

/// Parses a command envelope; throws takahe::Error with an operator-readable message
/// ("missing 'command'", "'arguments' must be a map", ...).
Command parseCommand(const Value& v);

/// {"result": code, "text": text[, "arguments": args]} with keys in that order.
Value makeAnswer(ResultCode code, std::string_view text, std::optional<Value> arguments = std::nullopt);

}  // namespace takahe::cc
