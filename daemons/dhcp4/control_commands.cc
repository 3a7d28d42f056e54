#include "control_commands.h"

#include <unistd.h>

#include <chrono>
#include <fstream>

#include "takahe/cc/command.h"
#include "takahe/crypto/hash.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::dhcp4 {

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

/// The configuration as config-get shows it: {"Dhcp4": {...}}.
Value fullConfig(const dhcpsrv::SrvConfig4& cfg) {
  Value root = Value::makeMap();
  root.set("Dhcp4", cfg.source);
  return root;
}

std::string configHash(const dhcpsrv::SrvConfig4& cfg) { return crypto::sha256Hex(fullConfig(cfg).toJson()); }

/// Builds a configuration from the arguments of config-set / config-test.
dhcpsrv::SrvConfig4Ptr configFromArguments(const cc::Command& cmd) {
  const Value& args = argumentsOf(cmd);
  if (!args.find("Dhcp4")) throw Error("'" + cmd.name + "': the arguments must hold a 'Dhcp4' map");
  return dhcpsrv::parseDhcp4Config(args);
}

Value hashArgs(const std::string& hash) {
  Value v = Value::makeMap();
  v.set("hash", hash);
  return v;
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

void registerConfigCommands(process::CommandRegistry& r, ServerControl& s) {
  r.add("config-get", [&s](const cc::Command&) {
    auto cfg = s.currentConfig();
    Value args = fullConfig(*cfg);
    args.set("hash", configHash(*cfg));
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("config-hash-get", [&s](const cc::Command&) {
    return makeAnswer(ResultCode::kSuccess, "", hashArgs(configHash(*s.currentConfig())));
  });
  r.add("config-test", [](const cc::Command& cmd) {
    auto cfg = configFromArguments(cmd);
    hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp4/hooks-libraries");
    return makeAnswer(ResultCode::kSuccess,
                      "Configuration seems sane. " + std::to_string(cfg->subnets.size()) +
                          " subnet(s); nothing was applied.");
  });
  r.add("config-set", [&s](const cc::Command& cmd) {
    auto cfg = configFromArguments(cmd);
    s.applyConfig(cfg);
    return makeAnswer(ResultCode::kSuccess, "Configuration successful.", hashArgs(configHash(*cfg)));
  });
  r.add("config-reload", [&s](const cc::Command&) {
    auto cfg = dhcpsrv::loadDhcp4ConfigFile(s.configFile());
    s.applyConfig(cfg);
    return makeAnswer(ResultCode::kSuccess, "Configuration successful.", hashArgs(configHash(*cfg)));
  });
  r.add("config-write", [&s](const cc::Command& cmd) {
    std::string file = s.configFile();
    if (cmd.arguments && cmd.arguments->isMap() && cmd.arguments->find("filename")) {
      file = stringArg(cmd, "filename");
    }
    std::string text = fullConfig(*s.currentConfig()).toJson(true) + "\n";
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
  r.add("server-tag-get", [&s](const cc::Command&) {
    Value args = Value::makeMap();
    args.set("server-tag", s.currentConfig()->server_tag);
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
}

void registerServiceCommands(process::CommandRegistry& r, ServerControl& s) {
  r.add("version-get", [](const cc::Command&) {
    Value args = Value::makeMap();
    args.set("extended", std::string(TAKAHE_VERSION) + "\n" + buildReport());
    return makeAnswer(ResultCode::kSuccess, TAKAHE_VERSION, args);
  });
  r.add("build-report", [](const cc::Command&) { return makeAnswer(ResultCode::kSuccess, buildReport()); });
  r.add("status-get", [&s](const cc::Command&) {
    auto cfg = s.currentConfig();
    int64_t now = nowUnixSeconds();
    Value args = Value::makeMap();
    args.set("pid", static_cast<int64_t>(::getpid()));
    args.set("uptime", now - s.startTime());
    args.set("reload", now - s.reloadTime());
    args.set("multi-threading-enabled", false);
    args.set("thread-pool-size", 0);
    args.set("packet-queue-size", 0);
    Value sockets = Value::makeMap();
    auto errors = s.socketErrors();
    sockets.set("status", errors.empty() ? "ready" : "failed");
    if (!errors.empty()) {
      Value list = Value::makeList();
      for (const auto& e : errors) list.push(e);
      sockets.set("errors", list);
    }
    args.set("sockets", sockets);
    args.set("dhcp-state", s.networkState().toJson());
    return makeAnswer(ResultCode::kSuccess, "", args);
  });
  r.add("shutdown", [&s](const cc::Command& cmd) {
    int exit_value = 0;
    if (cmd.arguments && cmd.arguments->isMap() && cmd.arguments->find("exit-value")) {
      exit_value = static_cast<int>(intArg(cmd, "exit-value", INT32_MIN, INT32_MAX));
    }
    s.shutdown(exit_value);
    return makeAnswer(ResultCode::kSuccess, "Shutting down.");
  });
  r.add("leases-reclaim", [&s](const cc::Command& cmd) {
    bool remove = false;
    const Value& v = requiredArg(cmd, "remove");
    if (!v.isBool()) throw Error("'leases-reclaim': 'remove' must be a boolean");
    remove = v.asBool();
    auto cfg = s.currentConfig();
    // Everything expired now, without the periodic cycle's limits.
    dhcpsrv::SrvConfig4 unlimited = *cfg;
    unlimited.expired_leases.max_reclaim_leases = 0;
    unlimited.expired_leases.max_reclaim_time = 0;
    if (remove) unlimited.expired_leases.hold_reclaimed_time = 0;
    auto [n, more] = s.processor().reclaimExpired(unlimited, nowUnixSeconds());
    (void)more;
    return makeAnswer(ResultCode::kSuccess,
                      "Reclamation of expired leases is complete (" + std::to_string(n) + " reclaimed).");
  });
  r.add("dhcp-disable", [&s](const cc::Command& cmd) {
    std::string origin = originOf(cmd);
    std::optional<int64_t> period;
    if (cmd.arguments && cmd.arguments->isMap() && cmd.arguments->find("max-period")) {
      period = intArg(cmd, "max-period", 1, UINT32_MAX);
    }
    s.networkState().disable(origin);
    if (period) {
      s.scheduleEnable(static_cast<uint32_t>(*period), origin);
    } else {
      s.cancelScheduledEnable(origin);
    }
    return makeAnswer(ResultCode::kSuccess, "DHCPv4 service disabled");
  });
  r.add("dhcp-enable", [&s](const cc::Command& cmd) {
    std::string origin = originOf(cmd);
    s.cancelScheduledEnable(origin);
    s.networkState().enable(origin);
    return makeAnswer(ResultCode::kSuccess, "DHCP service successfully enabled");
  });
}

void registerStatisticCommands(process::CommandRegistry& r, ServerControl& s) {
  r.add("statistic-get", [&s](const cc::Command& cmd) {
    return makeAnswer(ResultCode::kSuccess, "", s.stats().get(stringArg(cmd, "name")));
  });
  r.add("statistic-get-all", [&s](const cc::Command&) {
    return makeAnswer(ResultCode::kSuccess, "", s.stats().getAll());
  });
  r.add("statistic-reset", [&s](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    if (!s.stats().reset(name)) return makeAnswer(ResultCode::kError, "No '" + name + "' statistic found");
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' reset.");
  });
  r.add("statistic-reset-all", [&s](const cc::Command&) {
    s.stats().resetAll();
    return makeAnswer(ResultCode::kSuccess, "All statistics reset to neutral values.");
  });
  r.add("statistic-remove", [&s](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    if (!s.stats().remove(name)) return makeAnswer(ResultCode::kError, "No '" + name + "' statistic found");
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' removed.");
  });
  r.add("statistic-remove-all", [&s](const cc::Command&) {
    s.stats().removeAll();
    return makeAnswer(ResultCode::kSuccess, "All statistics removed.");
  });
  r.add("statistic-sample-age-set", [&s](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    auto secs = intArg(cmd, "duration", 0, INT32_MAX);
    if (!s.stats().setMaxSampleAge(name, std::chrono::seconds(secs))) {
      return makeAnswer(ResultCode::kError, "No '" + name + "' statistic found");
    }
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' duration limit is set.");
  });
  r.add("statistic-sample-age-set-all", [&s](const cc::Command& cmd) {
    s.stats().setMaxSampleAgeAll(std::chrono::seconds(intArg(cmd, "duration", 0, INT32_MAX)));
    return makeAnswer(ResultCode::kSuccess, "All statistics duration limit are set.");
  });
  r.add("statistic-sample-count-set", [&s](const cc::Command& cmd) {
    std::string name = stringArg(cmd, "name");
    auto n = intArg(cmd, "max-samples", 1, INT32_MAX);
    if (!s.stats().setMaxSampleCount(name, static_cast<uint32_t>(n))) {
      return makeAnswer(ResultCode::kError, "No '" + name + "' statistic found");
    }
    return makeAnswer(ResultCode::kSuccess, "Statistic '" + name + "' size limit is set.");
  });
  r.add("statistic-sample-count-set-all", [&s](const cc::Command& cmd) {
    s.stats().setMaxSampleCountAll(static_cast<uint32_t>(intArg(cmd, "max-samples", 1, INT32_MAX)));
    return makeAnswer(ResultCode::kSuccess, "All statistics count limit are set.");
  });
}

}  // namespace

std::string buildReport() {
  return std::string("takahe-dhcp4 ") + TAKAHE_VERSION + "\ncompiler: " + __VERSION__ +
         "\nC++ standard: " + std::to_string(__cplusplus) + "\nlease backends: memfile\n" +
         "control channel: unix socket\n";
}

void registerDhcp4Commands(process::CommandRegistry& registry, ServerControl& server) {
  registerConfigCommands(registry, server);
  registerServiceCommands(registry, server);
  registerStatisticCommands(registry, server);
}

}  // namespace takahe::dhcp4
