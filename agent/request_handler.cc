#include "request_handler.h"

#include <memory>
#include <optional>
#include <vector>

#include "agent_messages.h"
#include "takahe/cc/command.h"

namespace takahe::agent {

using cc::makeAnswer;
using cc::ResultCode;
using cc::Value;

namespace {

Value listOf(Value answer) {
  Value list = Value::makeList();
  list.push(std::move(answer));
  return list;
}

/// The answer to a request a callout answered itself: its "response" as a list.
Value skipAnswer(Value response) {
  if (response.isList()) {
    return response;
  }
  if (response.isMap()) {
    return listOf(std::move(response));
  }
  return listOf(makeAnswer(ResultCode::kError,
                           "a hook library answered the command (skip) without setting a "
                           "response"));
}

/// Collects the answers of several services, in the order the request named them.
struct Pending {
  std::vector<std::optional<Value>> answers;
  size_t left = 0;
  AnswerDone done;

  void set(size_t index, Value answer) {
    answers[index] = std::move(answer);
    if (--left == 0) {
      Value list = Value::makeList();
      for (auto& a : answers) {
        // A daemon answering in the HTTP shape (a list) contributes its items.
        if (a->isList()) {
          for (const auto& item : a->asList()) {
            list.push(item);
          }
        } else {
          list.push(std::move(*a));
        }
      }
      AnswerDone d = std::move(done);
      d(HttpAnswer{200, std::move(list)});
    }
  }
};

}  // namespace

RequestHandler::RequestHandler(const process::CommandRegistry& own, UnixForwarder& forwarder,
                               const AgentControl& agent, AgentHooks* hooks)
    : own_(own), forwarder_(forwarder), agent_(agent), hooks_(hooks) {}

void RequestHandler::handle(std::string_view body, AnswerDone done) {
  Value request;
  try {
    request = cc::parseJson(body, "<request>");
  } catch (const std::exception& e) {
    TAKAHE_LOG_DEBUG(logger_, kDbgRequest, AGENT_BAD_REQUEST, e.what());
    Value answer = Value::makeMap();
    answer.set("result", 400);
    answer.set("text", std::string("invalid JSON: ") + e.what());
    done(HttpAnswer{400, std::move(answer)});
    return;
  }
  if (hooks_) {
    ReceiveOutcome outcome = hooks_->receive(request);
    if (outcome.step == hooks::NextStep::kDrop) {
      done(HttpAnswer{200, listOf(makeAnswer(ResultCode::kError, kRejectedByHook))});
      return;
    }
    if (outcome.step == hooks::NextStep::kSkip) {
      done(HttpAnswer{200, skipAnswer(std::move(outcome.response))});
      return;
    }
  }
  std::vector<std::string> services;
  std::string command;
  if (request.isMap() && request.contains("service")) {
    try {
      cc::Command parsed = cc::parseCommand(request);
      services = std::move(parsed.services);
      command = std::move(parsed.name);
    } catch (const std::exception& e) {
      done(HttpAnswer{200, listOf(makeAnswer(ResultCode::kError, e.what()))});
      return;
    }
  }
  if (services.empty()) {
    // The registry reports malformed envelopes (not a map, no "command") itself.
    done(HttpAnswer{200, listOf(own_.execute(request))});
    return;
  }
  forward(request, command, services, std::move(done));
}

void RequestHandler::forward(const Value& request, const std::string& command,
                             const std::vector<std::string>& services, AnswerDone done) {
  AgentConfigPtr cfg = agent_.currentConfig();
  auto pending = std::make_shared<Pending>();
  pending->answers.resize(services.size());
  pending->left = services.size();
  pending->done = std::move(done);
  // Kea forwards the command as received, "service" included.
  std::string text = request.toJson();
  // Answers for services without a socket wait until the forwarded ones are in: `done` is then
  // called once, with every answer in the order of the request.
  std::vector<std::pair<size_t, Value>> immediate;
  std::vector<std::pair<size_t, std::string>> sends;
  for (size_t i = 0; i < services.size(); ++i) {
    const std::string& service = services[i];
    auto it = cfg->control_sockets.find(service);
    if (it == cfg->control_sockets.end()) {
      TAKAHE_LOG_DEBUG(logger_, kDbgRequest, AGENT_SERVICE_NOT_CONFIGURED, command, service);
      immediate.emplace_back(i, makeAnswer(ResultCode::kError,
                                           "forwarding socket is not configured for the server "
                                           "type " +
                                               service));
    } else {
      sends.emplace_back(i, it->second);
    }
  }
  if (sends.empty()) {
    for (auto& [i, answer] : immediate) {
      pending->set(i, std::move(answer));
    }
    return;
  }
  pending->left -= immediate.size();
  for (auto& [i, answer] : immediate) {
    pending->answers[i] = std::move(answer);
  }
  for (const auto& [i, path] : sends) {
    std::string service = services[i];
    TAKAHE_LOG_DEBUG(logger_, kDbgRequest, AGENT_COMMAND_FORWARDED, command, service, path);
    forwarder_.forward(path, text, [this, pending, index = i, service, command](ForwardResult r) {
      if (r.ok) {
        pending->set(index, std::move(r.answer));
        return;
      }
      TAKAHE_LOG(logger_, AGENT_COMMAND_FORWARD_FAILED, command, service, r.error);
      pending->set(index, makeAnswer(ResultCode::kError, "unable to forward command to the " +
                                                             service + " service: " + r.error));
    });
  }
}

}  // namespace takahe::agent
