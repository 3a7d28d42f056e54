#include "takahe/cc/command.h"

#include <cstdint>
#include <string>

namespace takahe::cc {

namespace {

[[noreturn]] void fail(std::string msg) { throw takahe::Error(std::move(msg)); }

std::string got(const Value& v) { return std::string(", got ") + std::string(v.typeName()); }

}  // namespace

Command parseCommand(const Value& v) {
  if (!v.isMap()) {
    fail("invalid command: expected a map" + got(v));
  }
  Command cmd;
  const Value* name = v.find("command");
  if (name == nullptr) {
    fail("invalid command: missing 'command'");
  }
  if (!name->isString()) {
    fail("invalid command: 'command' must be a string" + got(*name));
  }
  if (name->asString().empty()) {
    fail("invalid command: 'command' must not be empty");
  }
  cmd.name = name->asString();

  if (const Value* service = v.find("service")) {
    if (service->isString()) {
      cmd.services.push_back(service->asString());
    } else if (service->isList()) {
      const List& items = service->asList();
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].isString()) {
          fail("invalid command: 'service' must be a list of strings, item " + std::to_string(i) +
               " is " + std::string(items[i].typeName()));
        }
        cmd.services.push_back(items[i].asString());
      }
    } else {
      fail("invalid command: 'service' must be a list of strings" + got(*service));
    }
  }

  if (const Value* args = v.find("arguments")) {
    if (!args->isMap()) {
      fail("invalid command: 'arguments' must be a map" + got(*args));
    }
    cmd.arguments = *args;
  }
  return cmd;
}

Value makeAnswer(ResultCode code, std::string_view text, std::optional<Value> arguments) {
  Members m;
  m.reserve(3);
  m.emplace_back("result", Value(static_cast<int>(code)));
  m.emplace_back("text", Value(text));
  if (arguments) {
    m.emplace_back("arguments", std::move(*arguments));
  }
  return Value(std::move(m));
}

Value makeCommand(std::string_view name, std::optional<Value> arguments,
                  const std::vector<std::string>& services) {
  Members m;
  m.emplace_back("command", Value(name));
  if (!services.empty()) {
    List list(services.begin(), services.end());
    m.emplace_back("service", Value(std::move(list)));
  }
  if (arguments) {
    if (!arguments->isMap()) {
      fail("command arguments must be a map" + got(*arguments));
    }
    m.emplace_back("arguments", std::move(*arguments));
  }
  return Value(std::move(m));
}

Answer parseAnswer(const Value& v) {
  const Value* answer = &v;
  if (v.isList()) {
    if (v.size() != 1) {
      fail("invalid answer: expected one answer, got a list of " + std::to_string(v.size()));
    }
    answer = &v.asList().front();
  }
  if (!answer->isMap()) {
    fail("invalid answer: expected a map" + got(*answer));
  }
  const Value* result = answer->find("result");
  if (result == nullptr) {
    fail("invalid answer: missing 'result'");
  }
  if (!result->isInt()) {
    fail("invalid answer: 'result' must be an integer" + got(*result));
  }
  if (result->asInt() < INT32_MIN || result->asInt() > INT32_MAX) {
    fail("invalid answer: 'result' out of range");
  }
  Answer out;
  out.result = static_cast<int>(result->asInt());
  if (const Value* text = answer->find("text")) {
    if (!text->isString()) {
      fail("invalid answer: 'text' must be a string" + got(*text));
    }
    out.text = text->asString();
  }
  if (const Value* args = answer->find("arguments")) {
    out.arguments = *args;
  }
  return out;
}

}  // namespace takahe::cc
