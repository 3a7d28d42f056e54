#pragma once

// Kea's control-channel envelope: {"command","service","arguments"} ->
// {"result","text","arguments"}.

#include <optional>
#include <string>
#include <string_view>
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
Value makeAnswer(ResultCode code, std::string_view text,
                 std::optional<Value> arguments = std::nullopt);

/// {"command": name[, "service": [...]][, "arguments": args]} — for clients (shell, HA peers).
/// `arguments`, when given, must be a map (throws takahe::Error otherwise).
Value makeCommand(std::string_view name, std::optional<Value> arguments = std::nullopt,
                  const std::vector<std::string>& services = {});

/// A parsed answer. `result` is an int, not ResultCode: HTTP layers also answer 401 and 403.
struct Answer {
  int result = 0;
  std::string text;                // empty when absent
  std::optional<Value> arguments;  // absent when not given
};

/// Parses {"result", "text", "arguments"}; throws takahe::Error when "result" is missing or not
/// an integer, or "text" is not a string. Kea over HTTP wraps answers in a list: a one-item
/// list is accepted and unwrapped.
Answer parseAnswer(const Value& v);

}  // namespace takahe::cc
