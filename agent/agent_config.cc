#include "agent_config.h"


#include <algorithm>

#include "takahe/cc/map_reader.h"
#include "takahe/http/listener_settings.h"
#include "takahe/log/loggers_config.h"
#include "takahe/util/address.h"
#include "takahe/util/error.h"

namespace takahe::agent {

namespace {

constexpr const char* kRoot = "Control-agent";

bool isService(std::string_view name) {
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) !=
         std::end(kServiceNames);
}

void parseHost(cc::MapReader& r, AgentConfig& cfg) {
  auto host = r.getNonEmptyString("http-host");
  if (!host) {
    return;
  }
  if (!IPv4Address::parse(*host) && !IPv6Address::parse(*host)) {
    r.fail("http-host", "'" + *host + "' is not an IPv4 or IPv6 address");
  }
  cfg.http_host = *host;
}

void parseControlSockets(const cc::Value& v, const std::string& path, AgentConfig& cfg) {
  cc::MapReader sockets(v, path);
  for (const auto& [service, spec] : v.asMap()) {
    if (service == "comment" || service == "user-context") {
      continue;
    }
    if (!isService(service)) {
      cc::throwConfigError(sockets.childPath(service),
                           "unknown server type '" + service + "' (use dhcp4, dhcp6 or d2)",
                           spec.position());
    }
    sockets.get(service);
    cc::MapReader r(spec, sockets.childPath(service));
    std::string type = r.getString("socket-type").value_or("unix");
    if (type != "unix") {
      r.fail("socket-type", "unsupported socket type '" + type + "' (only 'unix' is supported)");
    }
    auto name = r.getNonEmptyString("socket-name");
    if (!name) {
      r.require("socket-name");
    }
    r.finish();
    cfg.control_sockets[service] = *name;
  }
  sockets.finish();
}

void parseControlAgent(const cc::Value& v, AgentConfig& cfg) {
  cc::MapReader r(v, kRoot);
  cfg.source = v;
  parseHost(r, cfg);
  if (auto port = r.getInt("http-port", 0, 65535)) {
    cfg.http_port = static_cast<uint16_t>(*port);
  }
  if (const auto* s = r.get("control-sockets")) {
    parseControlSockets(*s, r.childPath("control-sockets"), cfg);
  }
  http::ServerConfig listener;
  http::readListenerSettings(r, listener, cfg.warnings, "takahe-ctrl-agent");
  cfg.tls = listener.tls;
  cfg.auth = listener.auth;
  cfg.http_headers = listener.headers;
  if (const auto* libs = r.get("hooks-libraries")) {
    cfg.hooks_libraries = hooks::parseHooksLibraries(*libs, r.childPath("hooks-libraries"));
  }
  if (const auto* l = r.get("loggers")) {
    cfg.loggers = log::parseLoggers(*l, r.childPath("loggers"), cfg.warnings);
  }
  if (auto t = r.getInt("forward-timeout", 1, 3600000)) {
    cfg.forward_timeout = std::chrono::milliseconds(*t);
  }
  r.finish();
}

}  // namespace

http::ServerConfig AgentConfig::serverConfig() const {
  http::ServerConfig s;
  s.address = http_host;
  s.port = http_port;
  s.tls = tls;
  s.auth = auth;
  s.headers = http_headers;
  return s;
}

std::string AgentConfig::url() const {
  bool v6 = http_host.find(':') != std::string::npos;
  return std::string(tls ? "https" : "http") + "://" + (v6 ? "[" + http_host + "]" : http_host) +
         ":" + std::to_string(http_port);
}

AgentConfigPtr parseAgentConfig(const cc::Value& root) {
  if (!root.isMap()) {
    cc::throwConfigError("",
                         "the configuration must be a map holding 'Control-agent', got " +
                             std::string(root.typeName()),
                         root.position());
  }
  auto cfg = std::make_shared<AgentConfig>();
  const cc::Value* agent = root.find(kRoot);
  if (!agent) {
    cc::throwConfigError("", "missing mandatory 'Control-agent' map", root.position());
  }
  parseControlAgent(*agent, *cfg);
  for (const auto& [key, value] : root.asMap()) {
    if (key == kRoot) {
      continue;
    }
    std::string where = value.position().str();
    cfg->warnings.push_back(key + ": top-level '" + key + "' is ignored by takahe-agent" +
                            (where.empty() ? "" : " (" + where + ")"));
  }
  return cfg;
}

AgentConfigPtr loadAgentConfigFile(const std::string& path) {
  return parseAgentConfig(cc::parseConfigFile(path));
}

cc::Value fullConfig(const AgentConfig& config) {
  cc::Value root = cc::Value::makeMap();
  root.set(kRoot, config.source);
  return root;
}

}  // namespace takahe::agent
