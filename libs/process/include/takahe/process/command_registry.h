#pragma once

// The table of control commands a daemon answers, shared by its UNIX control socket and any HTTP
// listener: one parsed command in, one complete answer out.

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"

namespace takahe::process {

/// A handler gets the parsed command and returns a complete answer (cc::makeAnswer(...)).
/// It may throw: takahe::Error/std::exception become {"result": 1, "text": what()}.
using CommandHandler = std::function<cc::Value(const cc::Command&)>;

/// Name of the command every registry answers by itself.
inline constexpr std::string_view kListCommands = "list-commands";

/// Named command handlers. Thread-safe: commands may be added or removed while others execute,
/// and a handler may itself add or remove commands. Handlers run on the caller's thread, without
/// any registry lock held.
class CommandRegistry {
 public:
  CommandRegistry();
  ~CommandRegistry();
  CommandRegistry(const CommandRegistry&) = delete;
  CommandRegistry& operator=(const CommandRegistry&) = delete;

  /// Registers `handler` under `name`. Throws takahe::Error if the name is empty, already
  /// registered (including the built-in "list-commands") or the handler is empty.
  void add(std::string name, CommandHandler handler);
  /// Unregisters a command; false if it was not registered (the built-in cannot be removed).
  bool remove(std::string_view name);
  /// Whether `name` would be executed (true for "list-commands").
  bool contains(std::string_view name) const;
  /// All command names, "list-commands" included, sorted.
  std::vector<std::string> names() const;

  /// Executes a request envelope {"command", "service", "arguments"}. Never throws.
  /// "list-commands" answers {"result": 0, "arguments": [sorted names]} (Kea's shape: no text).
  /// Unknown command -> {"result": 2, "text": "'foo' command not supported."}; an envelope that is
  /// not a map or lacks "command" -> result 1 with parseCommand's message; a throwing handler
  /// -> result 1 with its what(); a handler answer that is not a map with an integer "result"
  /// -> result 1.
  cc::Value execute(const cc::Value& request) const;

  /// Parses `json` (strict JSON) first: malformed -> {"result": 1, "text": "invalid JSON:
  /// <reason>"}; then as execute(). Never throws.
  cc::Value executeText(std::string_view json) const;

  /// Sees (and may change) every answer to a well-formed command before it is returned; the
  /// daemons' `command_processed` hook point. One observer; an empty function removes it.
  using AnswerObserver = std::function<void(const cc::Command& command, cc::Value& answer)>;
  void setAnswerObserver(AnswerObserver observer);

 private:
  cc::Value run(const cc::Value& request) const;
  cc::Value dispatch(const cc::Command& command) const;

  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const CommandHandler>, std::less<>> handlers_;
  std::shared_ptr<const AnswerObserver> observer_;
};

}  // namespace takahe::process
