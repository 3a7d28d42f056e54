#pragma once

// Command line of takahe-shell (kea-shell's options plus --json, -c and password files), and
// building the request body from it. No I/O here, so it is unit-tested directly.

#include <optional>
#include <string>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::shell {

struct ShellOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  std::string path = "/";
  std::vector<std::string> services;
  std::optional<std::string> auth_user;
  std::optional<std::string> auth_password;
  std::string ca, cert, key;
  int timeout_seconds = 10;
  bool json_output = false;  // raw compact JSON instead of pretty printing
  std::string command = "list-commands";
  std::optional<std::string> inline_arguments;  // from -c 'command {json}'
  bool show_version = false;
  bool show_help = false;
};

/// Parses argv; throws takahe::Error with a usage hint on bad input. Password files are read
/// here (first line, trailing newline removed).
ShellOptions parseShellOptions(int argc, const char* const* argv);

/// {"command": ..., "service": [...], "arguments": ...}. `stdin_arguments` is the text read from
/// standard input (empty = none); arguments given with -c win. Throws takahe::Error when the
/// arguments are not a JSON map.
cc::Value buildRequest(const ShellOptions& options, const std::string& stdin_arguments);

/// The exit status for an answer: 0 when every answer has result 0, else 1 (3 for "empty" only).
int exitStatusFor(const cc::Value& answer);

std::string usageText();

}  // namespace takahe::shell
