#include "agent_commands.h"

#include <unistd.h>

#include <climits>
#include <cstdio>
#include <fstream>

#include "agent_hooks.h"
#include "takahe/cc/command.h"
#include "takahe/process/daemon_main.h"
#include "takahe/crypto/hash.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::agent {

using cc::makeAnswer;
using cc::ResultCode;
using cc::Value;

namespace {

/// The configuration carried by config-set / config-test: {"Control-agent": {...}}.
AgentConfigPtr configFromArguments(const cc::Command& cmd) {
  if (!cmd.arguments || !cmd.arguments->isMap()) {
    throw Error("'" + cmd.name + "' needs the configuration as its arguments");
  }
  if (!cmd.arguments->find("Control-agent")) {
    throw Error("'" + cmd.name + "': the arguments must hold a 'Control-agent' map");
  }
  Value args = *cmd.arguments;
  args.erase("hash");  // config-get's answer may be sent back as it is
  return parseAgentConfig(args);
}

Value hashArgs(const AgentConfig& cfg) {
  Value v = Value::makeMap();
  v.set("hash", configHash(cfg));
  return v;
}

/// An optional string argument.
std::optional<std::string> stringArg(const cc::Command& cmd, std::string_view key) {
  if (!cmd.arguments || !cmd.arguments->isMap()) {
    return std::nullopt;
  }
  const Value* v = cmd.arguments->find(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isString() || v->asString().empty()) {
    throw Error("'" + cmd.name + "': '" + std::string(key) + "' must be a non-empty string");
  }
  return v->asString();
}

void registerConfigCommands(process::CommandRegistry& r, AgentControl& a) {
  r.add("config-get", [&a](const cc::Command&) {
    auto cfg = a.currentConfig();
    Value args = fullConfig(*cfg);
    args.set("hash", configHash(*cfg));
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("config-hash-get", [&a](const cc::Command&) {
    return makeAnswer(ResultCode::kSuccess, "", hashArgs(*a.currentConfig()));
  });
  r.add("config-test", [](const cc::Command& cmd) {
    auto cfg = configFromArguments(cmd);
    AgentHooks::validate(cfg->hooks_libraries);
    return makeAnswer(ResultCode::kSuccess, "Configuration check successful; nothing was applied.");
  });
  r.add("config-set", [&a](const cc::Command& cmd) {
    auto cfg = configFromArguments(cmd);
    a.applyConfig(cfg);
    return makeAnswer(ResultCode::kSuccess, "Configuration applied successfully.", hashArgs(*cfg));
  });
  r.add("config-reload", [&a](const cc::Command&) {
    auto cfg = loadAgentConfigFile(a.configFile());
    a.applyConfig(cfg);
    return makeAnswer(ResultCode::kSuccess, "Configuration applied successfully.", hashArgs(*cfg));
  });
  r.add("config-write", [&a](const cc::Command& cmd) {
    std::string file = stringArg(cmd, "filename").value_or(a.configFile());
    std::string text = fullConfig(*a.currentConfig()).toJson(true) + "\n";
    // Written beside the target and renamed over it: a reader never sees half a file.
    std::string tmp = file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.flush();
      if (!out) {
        throw Error("cannot write the configuration to " + tmp);
      }
    }
    if (std::rename(tmp.c_str(), file.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw Error("cannot replace " + file + " with the written configuration");
    }
    Value args = Value::makeMap();
    args.set("filename", file);
    args.set("size", static_cast<int64_t>(text.size()));
    return makeAnswer(ResultCode::kSuccess, "Configuration written to " + file + " successful",
                      args);
  });
}

void registerServiceCommands(process::CommandRegistry& r, AgentControl& a) {
  r.add("version-get", [](const cc::Command&) {
    Value args = Value::makeMap();
    args.set("extended", std::string(TAKAHE_VERSION) + "\n" + buildReport());
    return makeAnswer(ResultCode::kSuccess, TAKAHE_VERSION, args);
  });
  r.add("build-report",
        [](const cc::Command&) { return makeAnswer(ResultCode::kSuccess, buildReport()); });
  r.add("status-get", [&a](const cc::Command&) {
    int64_t now = nowUnixSeconds();
    Value args = Value::makeMap();
    args.set("pid", static_cast<int64_t>(::getpid()));
    args.set("uptime", now - a.startTime());
    args.set("reload", now - a.reloadTime());
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("shutdown", [&a](const cc::Command& cmd) {
    int exit_value = 0;
    if (cmd.arguments && cmd.arguments->isMap()) {
      if (const Value* v = cmd.arguments->find("exit-value")) {
        if (!v->isInt() || v->asInt() < INT_MIN || v->asInt() > INT_MAX) {
          throw Error("'shutdown': 'exit-value' must be an integer");
        }
        exit_value = static_cast<int>(v->asInt());
      }
    }
    a.shutdown(exit_value);
    return makeAnswer(ResultCode::kSuccess, "Control Agent is shutting down");
  });
}

}  // namespace

std::string configHash(const AgentConfig& config) {
  return crypto::sha256Hex(fullConfig(config).toJson());
}

std::string buildReport() {
  return process::buildReport("takahe-agent",
                              "control channels: http, https (TLS), basic authentication\n"
                              "forwarding: unix control sockets of dhcp4, dhcp6, d2\n"
                              "hook points: control_command_receive\n");
}

void registerAgentCommands(process::CommandRegistry& registry, AgentControl& agent) {
  registerConfigCommands(registry, agent);
  registerServiceCommands(registry, agent);
}

}  // namespace takahe::agent
