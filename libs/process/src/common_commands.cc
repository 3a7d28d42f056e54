// The control commands every DHCP daemon answers alike (Kea's names, arguments and answers).
// The handlers translate between JSON and the ServerFrame / ConfigHandler / StatsStore calls.

#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>

#include "takahe/cc/command.h"
#include "takahe/crypto/hash.h"
#include "takahe/process/server_frame.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::process {

using cc::makeAnswer;
using cc::ResultCode;
using cc::Value;

namespace {

/// The `arguments` map of a command, or an error naming the command.
const Value& argumentsOf(const cc::Command& cmd) {
  if (!cmd.arguments || !cmd.arguments->isMap()) {
    throw Error("'" + cmd.name + "' needs a map of arguments");
  }
  return *cmd.arguments;
}

const Value& requiredArg(const cc::Command& cmd, std::string_view key) {
  const Value* v = argumentsOf(cmd).find(key);
  if (!v) throw Error("'" + cmd.name + "': missing mandatory '" + std::string(key) + "' argument");
  return *v;
}

std::string stringArg(const cc::Command& cmd, std::string_view key) {
  const Value& v = requiredArg(cmd, key);
  if (!v.isString()) throw Error("'" + cmd.name + "': '" + std::string(key) + "' must be a string");
  return v.asString();
}

int64_t intArg(const cc::Command& cmd, std::string_view key, int64_t min, int64_t max) {
  const Value& v = requiredArg(cmd, key);
  if (!v.isInt()) throw Error("'" + cmd.name + "': '" + std::string(key) + "' must be an integer");
  if (v.asInt() < min || v.asInt() > max) {
    throw Error("'" + cmd.name + "': '" + std::string(key) + "' must lie between " + std::to_string(min) +
                " and " + std::to_string(max));
  }
  return v.asInt();
}

bool hasArg(const cc::Command& cmd, std::string_view key) {
  return cmd.arguments && cmd.arguments->isMap() && cmd.arguments->find(key);
}

std::string configHash(const ConfigHandler& c) { return crypto::sha256Hex(c.configJson().toJson()); }

Value hashArgs(const std::string& hash) {
  Value v = Value::makeMap();
  v.set("hash", hash);
  return v;
}

/// The arguments of config-set / config-test, which must hold the daemon's root map.
const Value& configArguments(const cc::Command& cmd, const std::string& root) {
  const Value& args = argumentsOf(cmd);
  if (!args.find(root)) throw Error("'" + cmd.name + "': the arguments must hold a '" + root + "' map");
  return args;
}

/// Who disables or enables service: Kea's "origin" ("user", "ha-partner", "ha-local", or an HA
/// relationship number) or Kea 2.6's "origin-id" (a number). Defaults to "user".
std::string originOf(const cc::Command& cmd) {
  if (!cmd.arguments || !cmd.arguments->isMap()) return "user";
  if (const Value* id = cmd.arguments->find("origin-id")) {
    if (!id->isInt()) throw Error("'" + cmd.name + "': 'origin-id' must be an integer");
    return std::to_string(id->asInt());
  }
  const Value* o = cmd.arguments->find("origin");
  if (!o) return "user";
  if (o->isInt()) return std::to_string(o->asInt());
  if (!o->isString()) throw Error("'" + cmd.name + "': 'origin' must be a string or an integer");
  const std::string& text = o->asString();
  if (text != "user" && text != "ha-partner" && text != "ha-local") {
    throw Error("'" + cmd.name + "': invalid 'origin' value '" + text + "' (use user, ha-partner or ha-local)");
  }
  return text;
}

void registerConfigCommands(CommandRegistry& r, ConfigHandler& c, const std::string& root) {
  r.add("config-get", [&c](const cc::Command&) {
    Value args = c.configJson();
    args.set("hash", configHash(c));
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("config-hash-get", [&c](const cc::Command&) {
    return makeAnswer(ResultCode::kSuccess, "", hashArgs(configHash(c)));
  });
  r.add("config-test", [&c, root](const cc::Command& cmd) {
    std::string summary = c.testConfig(configArguments(cmd, root));
    return makeAnswer(ResultCode::kSuccess, "Configuration seems sane. " + summary + "; nothing was applied.");
  });
  r.add("config-set", [&c, root](const cc::Command& cmd) {
    c.setConfig(configArguments(cmd, root));
    return makeAnswer(ResultCode::kSuccess, "Configuration successful.", hashArgs(configHash(c)));
  });
  r.add("config-reload", [&c](const cc::Command&) {
    c.reloadConfig();
    return makeAnswer(ResultCode::kSuccess, "Configuration successful.", hashArgs(configHash(c)));
  });
  r.add("config-write", [&c](const cc::Command& cmd) {
    std::string file = hasArg(cmd, "filename") ? stringArg(cmd, "filename") : c.configFile();
    std::string text = c.configJson().toJson(true) + "\n";
    std::string tmp = file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.flush();
      if (!out) throw Error("cannot write configuration to " + tmp);
    }
    if (std::rename(tmp.c_str(), file.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw Error("cannot replace " + file + " with the written configuration");
    }
    Value args = Value::makeMap();
    args.set("filename", file);
    args.set("size", static_cast<int64_t>(text.size()));
    return makeAnswer(ResultCode::kSuccess, "Configuration written to " + file + " successful", args);
  });
  r.add("server-tag-get", [&c](const cc::Command&) {
    Value args = Value::makeMap();
    args.set("server-tag", c.serverTag());
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
}

void registerServiceCommands(CommandRegistry& r, ServerFrame& f) {
  r.add("version-get", [&f](const cc::Command&) {
    Value args = Value::makeMap();
    args.set("extended", std::string(TAKAHE_VERSION) + "\n" + f.identity().build_report());
    return makeAnswer(ResultCode::kSuccess, TAKAHE_VERSION, args);
  });
  r.add("build-report", [&f](const cc::Command&) {
    return makeAnswer(ResultCode::kSuccess, f.identity().build_report());
  });
  r.add("status-get", [&f](const cc::Command&) {
    int64_t now = nowUnixSeconds();
    Value args = Value::makeMap();
    args.set("pid", static_cast<int64_t>(::getpid()));
    args.set("uptime", now - f.startTime());
    args.set("reload", now - f.reloadTime());
    args.set("multi-threading-enabled", false);
    args.set("thread-pool-size", 0);
    args.set("packet-queue-size", 0);
    Value sockets = Value::makeMap();
    const auto& errors = f.socketErrors();
    sockets.set("status", errors.empty() ? "ready" : "failed");
    if (!errors.empty()) {
      Value list = Value::makeList();
      for (const auto& e : errors) list.push(e);
      sockets.set("errors", list);
    }
    args.set("sockets", sockets);
    args.set("dhcp-state", f.network().toJson());
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("shutdown", [&f](const cc::Command& cmd) {
    int exit_value = 0;
    if (hasArg(cmd, "exit-value")) exit_value = static_cast<int>(intArg(cmd, "exit-value", INT32_MIN, INT32_MAX));
    f.shutdown(exit_value, "shutdown command");
    return makeAnswer(ResultCode::kSuccess, "Shutting down.");
  });
  r.add("dhcp-disable", [&f](const cc::Command& cmd) {
    std::string origin = originOf(cmd);
    std::optional<int64_t> period;
    if (hasArg(cmd, "max-period")) period = intArg(cmd, "max-period", 1, UINT32_MAX);
    f.network().disable(origin);
    if (period) {
      f.scheduleEnable(static_cast<uint32_t>(*period), origin);
    } else {
      f.cancelScheduledEnable(origin);
    }
    return makeAnswer(ResultCode::kSuccess, f.identity().service_label + " service disabled");
  });
  r.add("dhcp-enable", [&f](const cc::Command& cmd) {
    std::string origin = originOf(cmd);
    f.cancelScheduledEnable(origin);
    f.network().enable(origin);
    return makeAnswer(ResultCode::kSuccess, "DHCP service successfully enabled");
  });
}

void registerStatisticCommands(CommandRegistry& r, stats::StatsStore& s) {
  auto missing = [](const std::string& name) { return makeAnswer(ResultCode::kError, "No '" + name + "' statistic found"); };
  r.add("statistic-get", [&s](const cc::Command& cmd) {
    return makeAnswer(ResultCode::kSuccess, "", s.get(stringArg(cmd, "name")));
  });
  r.add("statistic-get-all", [&s](const cc::Command&) { return makeAnswer(ResultCode::kSuccess, "", s.getAll()); });
  r.add("statistic-reset", [&s, missing](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    if (!s.reset(name)) return missing(name);
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' reset.");
  });
  r.add("statistic-reset-all", [&s](const cc::Command&) {
    s.resetAll();
    return makeAnswer(ResultCode::kSuccess, "All statistics reset to neutral values.");
  });
  r.add("statistic-remove", [&s, missing](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    if (!s.remove(name)) return missing(name);
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' removed.");
  });
  r.add("statistic-remove-all", [&s](const cc::Command&) {
    s.removeAll();
    return makeAnswer(ResultCode::kSuccess, "All statistics removed.");
  });
  r.add("statistic-sample-age-set", [&s, missing](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    auto secs = intArg(cmd, "duration", 0, INT32_MAX);
    if (!s.setMaxSampleAge(name, std::chrono::seconds(secs))) return missing(name);
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' duration limit is set.");
  });
  r.add("statistic-sample-age-set-all", [&s](const cc::Command& cmd) {
    s.setMaxSampleAgeAll(std::chrono::seconds(intArg(cmd, "duration", 0, INT32_MAX)));
    return makeAnswer(ResultCode::kSuccess, "All statistics duration limit are set.");
  });
  r.add("statistic-sample-count-set", [&s, missing](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    auto n = intArg(cmd, "max-samples", 1, INT32_MAX);
    if (!s.setMaxSampleCount(name, static_cast<uint32_t>(n))) return missing(name);
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' size limit is set.");
  });
  r.add("statistic-sample-count-set-all", [&s](const cc::Command& cmd) {
    s.setMaxSampleCountAll(static_cast<uint32_t>(intArg(cmd, "max-samples", 1, INT32_MAX)));
    return makeAnswer(ResultCode::kSuccess, "All statistics count limit are set.");
  });
}

}  // namespace

void ServerFrame::registerCommonCommands(ConfigHandler& config, stats::StatsStore& stats) {
  registerConfigCommands(registry_, config, identity_.config_root);
  registerServiceCommands(registry_, *this);
  registerStatisticCommands(registry_, stats);
}

}  // namespace takahe::process
