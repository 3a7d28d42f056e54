#include "agent_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "takahe/cc/map_reader.h"
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

/// A file named by the configuration: relative names resolve against `directory`.
std::string resolve(const std::string& directory, const std::string& name) {
  if (directory.empty() || std::filesystem::path(name).is_absolute()) {
    return name;
  }
  return (std::filesystem::path(directory) / name).string();
}

/// The content of a credentials file, without a trailing line end (editors add one).
std::string readCredentialFile(cc::MapReader& r, std::string_view key, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    r.fail(key, "cannot read '" + file + "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (!s.empty() && s.back() == '\n') {
    s.pop_back();
    if (!s.empty() && s.back() == '\r') {
      s.pop_back();
    }
  }
  return s;
}

void checkUser(cc::MapReader& r, std::string_view key, const std::string& user) {
  if (user.empty()) {
    r.fail(key, "the user must not be empty");
  }
  if (user.find(':') != std::string::npos) {
    r.fail(key, "the user must not contain a ':'");
  }
}

http::BasicAuthClient parseClient(const cc::Value& v, const std::string& path,
                                  const std::string& directory) {
  cc::MapReader r(v, path);
  http::BasicAuthClient client;
  auto user = r.getString("user");
  auto user_file = r.getNonEmptyString("user-file");
  auto password = r.getString("password");
  auto password_file = r.getNonEmptyString("password-file");
  if (user && user_file) {
    r.fail("user-file", "'user' and 'user-file' are mutually exclusive");
  }
  if (password && password_file) {
    r.fail("password-file", "'password' and 'password-file' are mutually exclusive");
  }
  if (user) {
    checkUser(r, "user", *user);
    client.user = *user;
  } else if (user_file) {
    client.user = readCredentialFile(r, "user-file", resolve(directory, *user_file));
    checkUser(r, "user-file", client.user);
  }
  if (password) {
    client.password = *password;
  } else if (password_file) {
    std::string content =
        readCredentialFile(r, "password-file", resolve(directory, *password_file));
    if (user || user_file) {
      client.password = content;
    } else {
      // Without a user, the password file holds "user:password".
      auto colon = content.find(':');
      if (colon == std::string::npos) {
        r.fail("password-file",
               "without 'user' or 'user-file' the password file must hold 'user:password'");
      }
      client.user = content.substr(0, colon);
      client.password = content.substr(colon + 1);
      checkUser(r, "password-file", client.user);
    }
  }
  if (client.user.empty()) {
    cc::throwConfigError(path,
                         "a client needs 'user', 'user-file' or a 'password-file' holding "
                         "'user:password'",
                         v.position());
  }
  r.finish();
  return client;
}

void parseAuthentication(const cc::Value& v, const std::string& path, AgentConfig& cfg) {
  cc::MapReader r(v, path);
  auto type = r.getString("type");
  if (!type) {
    r.require("type");
  }
  if (*type != "basic") {
    r.fail("type", "unsupported authentication type '" + *type + "' (only 'basic' is supported)");
  }
  cfg.auth.realm = r.getString("realm").value_or("takahe-ctrl-agent");
  std::string directory = r.getString("directory").value_or("");
  const cc::Value* clients = r.get("clients");
  if (clients && !clients->isList()) {
    r.fail("clients", "expected a list of clients, got " + std::string(clients->typeName()));
  }
  if (!clients || clients->asList().empty()) {
    // An empty list would let everyone in (the listener treats no clients as no
    // authentication); a configuration that asks for authentication must name who may pass.
    cc::throwConfigError(clients ? r.childPath("clients") : path,
                         "basic authentication needs at least one client (remove "
                         "'authentication' to serve without it)",
                         clients ? clients->position() : v.position());
  }
  for (size_t i = 0; i < clients->asList().size(); ++i) {
    cfg.auth.clients.push_back(parseClient(
        clients->asList()[i], r.childPath("clients") + "[" + std::to_string(i) + "]", directory));
  }
  r.finish();
}

void checkReadable(cc::MapReader& r, std::string_view key, const std::string& file,
                   bool directory_ok) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    r.fail(key, "cannot read '" + file + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    if (!directory_ok) {
      r.fail(key, "'" + file + "' is a directory");
    }
    return;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    r.fail(key, "cannot read '" + file + "': " + std::strerror(errno));
  }
}

void parseTls(cc::MapReader& r, AgentConfig& cfg) {
  auto ca = r.getString("trust-anchor");
  auto cert = r.getString("cert-file");
  auto key = r.getString("key-file");
  auto required = r.getBool("cert-required");
  // Empty strings count as not given, as in Kea.
  bool has_ca = ca && !ca->empty();
  bool has_cert = cert && !cert->empty();
  bool has_key = key && !key->empty();
  if (!has_ca && !has_cert && !has_key) {
    if (required) {
      cfg.warnings.push_back(r.childPath("cert-required") +
                             ": has no effect without TLS (trust-anchor, cert-file, key-file)");
    }
    return;
  }
  if (!has_ca || !has_cert || !has_key) {
    std::string missing;
    for (auto [given, name] : {std::pair{has_ca, "trust-anchor"}, std::pair{has_cert, "cert-file"},
                               std::pair{has_key, "key-file"}}) {
      if (!given) {
        missing += missing.empty() ? name : std::string(", ") + name;
      }
    }
    std::string_view first = has_ca ? "trust-anchor" : has_cert ? "cert-file" : "key-file";
    r.fail(first,
           "trust-anchor, cert-file and key-file must be given together or not at all "
           "(missing: " +
               missing + ")");
  }
  checkReadable(r, "trust-anchor", *ca, true);
  checkReadable(r, "cert-file", *cert, false);
  checkReadable(r, "key-file", *key, false);
  http::TlsConfig tls;
  tls.trust_anchor = *ca;
  tls.cert_file = *cert;
  tls.key_file = *key;
  tls.cert_required = required.value_or(true);
  cfg.tls = tls;
}

void parseHeaders(const cc::Value& v, const std::string& path, AgentConfig& cfg) {
  if (!v.isList()) {
    cc::throwConfigError(path, "expected a list of headers, got " + std::string(v.typeName()),
                         v.position());
  }
  for (size_t i = 0; i < v.asList().size(); ++i) {
    cc::MapReader r(v.asList()[i], path + "[" + std::to_string(i) + "]");
    auto name = r.getNonEmptyString("name");
    if (!name) {
      r.require("name");
    }
    if (name->find_first_of(" \t\r\n:") != std::string::npos) {
      r.fail("name", "'" + *name + "' is not a valid header name");
    }
    auto value = r.getString("value");
    if (!value) {
      r.require("value");
    }
    if (value->find_first_of("\r\n") != std::string::npos) {
      r.fail("value", "a header value must not contain a line break");
    }
    r.finish();
    cfg.http_headers.emplace_back(*name, *value);
  }
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
  if (const auto* a = r.get("authentication")) {
    parseAuthentication(*a, r.childPath("authentication"), cfg);
  }
  parseTls(r, cfg);
  if (const auto* h = r.get("http-headers")) {
    parseHeaders(*h, r.childPath("http-headers"), cfg);
  }
  if (const auto* hooks = r.get("hooks-libraries")) {
    if (!hooks->isList()) {
      r.fail("hooks-libraries", "expected a list, got " + std::string(hooks->typeName()));
    }
    if (!hooks->asList().empty()) {
      std::string where = hooks->position().str();
      cfg.warnings.push_back(r.childPath("hooks-libraries") +
                             ": hook libraries are not supported by takahe-agent yet; " +
                             std::to_string(hooks->size()) + " librar" +
                             (hooks->size() == 1 ? "y" : "ies") + " ignored" +
                             (where.empty() ? "" : " (" + where + ")"));
    }
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
