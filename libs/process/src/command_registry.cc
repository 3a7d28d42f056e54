#include "takahe/process/command_registry.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <utility>

#include "takahe/process/messages.h"
#include "takahe/util/error.h"

namespace takahe::process {

namespace {

const log::Logger& logger() {
  static const log::Logger kLogger("commands");
  return kLogger;
}

cc::Value errorAnswer(std::string_view text) {
  return cc::makeAnswer(cc::ResultCode::kError, text);
}

bool isAnswer(const cc::Value& v) {
  if (!v.isMap()) {
    return false;
  }
  const cc::Value* result = v.find("result");
  return result != nullptr && result->isInt();
}

}  // namespace

CommandRegistry::CommandRegistry() = default;
CommandRegistry::~CommandRegistry() = default;

void CommandRegistry::add(std::string name, CommandHandler handler) {
  if (name.empty()) {
    throw takahe::Error("cannot register a command with an empty name");
  }
  if (!handler) {
    throw takahe::Error("cannot register command '" + name + "' without a handler");
  }
  if (name == kListCommands) {
    throw takahe::Error("command '" + name + "' is built in and cannot be registered");
  }
  auto shared = std::make_shared<const CommandHandler>(std::move(handler));
  std::unique_lock lock(mu_);
  if (handlers_.contains(name)) {
    throw takahe::Error("command '" + name + "' is already registered");
  }
  handlers_.emplace(std::move(name), std::move(shared));
}

bool CommandRegistry::remove(std::string_view name) {
  std::unique_lock lock(mu_);
  auto it = handlers_.find(name);
  if (it == handlers_.end()) {
    return false;
  }
  handlers_.erase(it);
  return true;
}

bool CommandRegistry::contains(std::string_view name) const {
  if (name == kListCommands) {
    return true;
  }
  std::shared_lock lock(mu_);
  return handlers_.find(name) != handlers_.end();
}

std::vector<std::string> CommandRegistry::names() const {
  std::vector<std::string> out;
  {
    std::shared_lock lock(mu_);
    out.reserve(handlers_.size() + 1);
    for (const auto& [name, handler] : handlers_) {
      out.push_back(name);
    }
  }
  // The map is sorted; insert the built-in at its place.
  auto pos = std::lower_bound(out.begin(), out.end(), kListCommands);
  out.insert(pos, std::string(kListCommands));
  return out;
}

cc::Value CommandRegistry::execute(const cc::Value& request) const {
  try {
    return run(request);
  } catch (const std::exception& e) {
    // Only reachable on allocation failure or a logging failure: still answer.
    return errorAnswer(e.what());
  } catch (...) {
    return errorAnswer("internal error while executing the command");
  }
}

cc::Value CommandRegistry::executeText(std::string_view json) const {
  try {
    cc::Value request;
    try {
      request = cc::parseJson(json, "<command>");
    } catch (const std::exception& e) {
      std::string text = std::string("invalid JSON: ") + e.what();
      TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_INVALID, text);
      return errorAnswer(text);
    }
    return run(request);
  } catch (const std::exception& e) {
    return errorAnswer(e.what());
  } catch (...) {
    return errorAnswer("internal error while executing the command");
  }
}

cc::Value CommandRegistry::run(const cc::Value& request) const {
  cc::Command command;
  try {
    command = cc::parseCommand(request);
  } catch (const std::exception& e) {
    TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_INVALID, e.what());
    return errorAnswer(e.what());
  }
  TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_RECEIVED, command.name);
  cc::Value answer = dispatch(command);
  std::shared_ptr<const AnswerObserver> observer;
  {
    std::shared_lock lock(mu_);
    observer = observer_;
  }
  if (observer) {
    try {
      (*observer)(command, answer);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger(), COMMAND_FAILED, command.name, std::string("answer observer: ") + e.what());
    }
  }
  return answer;
}

void CommandRegistry::setAnswerObserver(AnswerObserver observer) {
  std::unique_lock lock(mu_);
  observer_ = observer ? std::make_shared<const AnswerObserver>(std::move(observer)) : nullptr;
}

cc::Value CommandRegistry::dispatch(const cc::Command& command) const {
  if (command.name == kListCommands) {
    cc::List list;
    for (std::string& name : names()) {
      list.emplace_back(std::move(name));
    }
    cc::Members answer;
    answer.emplace_back("result", cc::Value(static_cast<int>(cc::ResultCode::kSuccess)));
    answer.emplace_back("arguments", cc::Value(std::move(list)));
    return cc::Value(std::move(answer));
  }

  std::shared_ptr<const CommandHandler> handler;
  {
    std::shared_lock lock(mu_);
    auto it = handlers_.find(command.name);
    if (it != handlers_.end()) {
      handler = it->second;
    }
  }
  if (!handler) {
    return cc::makeAnswer(cc::ResultCode::kUnsupported,
                          "'" + command.name + "' command not supported.");
  }

  // No lock is held here: a handler may add or remove commands, or take long.
  cc::Value answer;
  try {
    answer = (*handler)(command);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger(), COMMAND_FAILED, command.name, e.what());
    return errorAnswer(e.what());
  } catch (...) {
    TAKAHE_LOG(logger(), COMMAND_FAILED, command.name, "unknown exception");
    return errorAnswer("command '" + command.name + "' failed with an unknown error");
  }
  if (!isAnswer(answer)) {
    TAKAHE_LOG(logger(), COMMAND_BAD_ANSWER, command.name);
    return errorAnswer("command '" + command.name + "' returned an invalid answer");
  }
  return answer;
}

}  // namespace takahe::process
