#include "ha_commands.h"

#include <algorithm>
#include <cstdint>
#include <exception>

#include "ha_service.h"
#include "takahe/util/error.h"

namespace takahe::hooks::ha {

namespace {

using cc::makeAnswer;
using cc::ResultCode;

cc::Value answer(const CommandOutcome& o) {
  return makeAnswer(o.result == 0 ? ResultCode::kSuccess : ResultCode::kError, o.text);
}

/// Kea's wording when a command that needs arguments has none.
std::string noArguments(const cc::Command& cmd) {
  return "arguments not found in the '" + cmd.name + "' command";
}

bool hasArguments(const cc::Command& cmd) { return cmd.arguments && cmd.arguments->isMap(); }

std::string peerNames(const HaConfig& config) {
  std::string out;
  for (const auto& p : config.peers) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

/// Runs a handler body, turning exceptions into error answers (nothing escapes to the server).
template <typename F>
cc::Value guarded(const cc::Command& cmd, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return makeAnswer(ResultCode::kError, "'" + cmd.name + "' failed: " + e.what());
  }
}

cc::Value heartbeat(HaService& s, const cc::Command&) {
  // A "server-name" argument (Kea 2.4+ hub-and-spoke) is accepted and ignored, as Kea 2.2 does.
  return makeAnswer(ResultCode::kSuccess, "HA peer status returned.", s.heartbeatArguments());
}

cc::Value scopes(HaService& s, const cc::Command& cmd) {
  if (!hasArguments(cmd)) return makeAnswer(ResultCode::kError, noArguments(cmd));
  const cc::Value* list = cmd.arguments->find("scopes");
  if (!list || !list->isList()) {
    return makeAnswer(ResultCode::kError,
                      "'scopes' (a list of server names) is required by the 'ha-scopes' command");
  }
  std::vector<std::string> names;
  for (const auto& v : list->asList()) {
    if (!v.isString())
      return makeAnswer(ResultCode::kError, "'scopes' must be a list of server names (strings)");
    const PeerConfig* peer = s.config().peer(v.asString());
    if (!peer || peer->role == PeerRole::kBackup) {
      return makeAnswer(ResultCode::kError, "invalid server name specified '" + v.asString() +
                                                "' while enabling/disabling HA scopes");
    }
    names.push_back(v.asString());
  }
  s.setScopes(names);
  return makeAnswer(ResultCode::kSuccess, "New HA scopes configured.");
}

cc::Value continueMachine(HaService& s, const cc::Command&) {
  if (s.resume()) return makeAnswer(ResultCode::kSuccess, "HA state machine continues.");
  return makeAnswer(ResultCode::kSuccess, "HA state machine is not paused.");
}

cc::Value maintenanceNotify(HaService& s, const cc::Command& cmd) {
  // Kea 2.2 sends no answer at all here (its handler throws); an error answer is more useful.
  if (!hasArguments(cmd)) return makeAnswer(ResultCode::kError, noArguments(cmd));
  const cc::Value* cancel = cmd.arguments->find("cancel");
  if (!cancel || !cancel->isBool()) {
    return makeAnswer(
        ResultCode::kError,
        "'cancel' (true or false) is required by the 'ha-maintenance-notify' command");
  }
  return answer(s.maintenanceNotify(cancel->asBool()));
}

cc::Value reset(HaService& s, const cc::Command&) {
  s.reset();
  return makeAnswer(ResultCode::kSuccess, "HA state machine reset.");
}

cc::Value sync(HaService& s, const cc::Command& cmd) {
  if (!hasArguments(cmd)) return makeAnswer(ResultCode::kError, noArguments(cmd));
  const cc::Value* name = cmd.arguments->find("server-name");
  if (!name || !name->isString()) {
    return makeAnswer(ResultCode::kError,
                      "'server-name' (the peer to fetch the leases from) is required by the "
                      "'ha-sync' command");
  }
  const PeerConfig* peer = s.config().peer(name->asString());
  if (!peer) {
    return makeAnswer(ResultCode::kError, "'" + name->asString() +
                                              "' is not a peer of this HA relationship (" +
                                              peerNames(s.config()) + ")");
  }
  if (peer->name == s.config().this_server_name) {
    return makeAnswer(
        ResultCode::kError,
        "'" + peer->name + "' is this server: name the peer to fetch the leases from");
  }
  uint32_t max_period = std::max<uint32_t>(1, s.config().sync_timeout_ms / 1000);
  if (const cc::Value* mp = cmd.arguments->find("max-period")) {
    if (!mp->isInt() || mp->asInt() <= 0 || mp->asInt() > UINT32_MAX) {
      return makeAnswer(ResultCode::kError, "'max-period' must be a positive number of seconds");
    }
    max_period = static_cast<uint32_t>(mp->asInt());
  }
  SyncResult r = s.syncFrom(*peer, max_period);
  if (!r.ok) {
    return makeAnswer(ResultCode::kError,
                      "Lease database synchronization with " + peer->name + " failed: " + r.error);
  }
  return makeAnswer(ResultCode::kSuccess, "Lease database synchronization complete.");
}

}  // namespace

std::vector<std::pair<std::string, CommandFn>> haCommands(HaService& service) {
  HaService* s = &service;
  auto bind = [s](cc::Value (*fn)(HaService&, const cc::Command&)) {
    return [s, fn](const cc::Command& cmd) { return guarded(cmd, [&] { return fn(*s, cmd); }); };
  };
  return {
      {"ha-heartbeat", bind(heartbeat)},
      {"ha-scopes", bind(scopes)},
      {"ha-continue", bind(continueMachine)},
      {"ha-maintenance-start",
       bind([](HaService& h, const cc::Command&) { return answer(h.maintenanceStart()); })},
      {"ha-maintenance-cancel",
       bind([](HaService& h, const cc::Command&) { return answer(h.maintenanceCancel()); })},
      {"ha-maintenance-notify", bind(maintenanceNotify)},
      {"ha-reset", bind(reset)},
      {"ha-sync", bind(sync)},
      {"ha-sync-complete-notify",
       bind([](HaService& h, const cc::Command&) { return answer(h.syncCompleteNotify()); })},
  };
}

bool addStatus(HaService& service, cc::Value& response) {
  if (!response.isMap()) return false;
  const cc::Value* result = response.find("result");
  if (!result || !result->isInt() || result->asInt() != 0) return false;
  cc::Value* args = response.find("arguments");
  if (!args) {
    response.set("arguments", cc::Value::makeMap());
    args = response.find("arguments");
  }
  if (!args->isMap()) return false;
  cc::Value list = cc::Value::makeList();
  list.push(service.statusJson());
  args->set("high-availability", list);
  return true;
}

}  // namespace takahe::hooks::ha
