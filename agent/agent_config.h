#pragma once

// The configuration of takahe-agent: Kea 2.x's `Control-agent` map.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/http/http.h"
#include "takahe/log/config.h"

namespace takahe::agent {

/// The services a command may be forwarded to (keys of `control-sockets`).
inline constexpr const char* kServiceNames[] = {"dhcp4", "dhcp6", "d2"};

/// Default of `forward-timeout` (Kea's fixed 10 s for the UNIX control channel).
inline constexpr std::chrono::milliseconds kDefaultForwardTimeout{10000};

struct AgentConfig {
  std::string http_host = "127.0.0.1";
  uint16_t http_port = 8000;
  /// service name ("dhcp4", "dhcp6", "d2") -> UNIX socket path.
  std::map<std::string, std::string> control_sockets;
  /// Set when trust-anchor, cert-file and key-file are configured (HTTPS).
  std::optional<http::TlsConfig> tls;
  /// Basic authentication: clients with their passwords already read from files. Empty clients
  /// = no authentication.
  http::BasicAuthConfig auth;
  /// `http-headers`: extra headers on every answer.
  std::vector<std::pair<std::string, std::string>> http_headers;
  /// Takahe extension `forward-timeout` (milliseconds): bound on one exchange with a daemon.
  std::chrono::milliseconds forward_timeout = kDefaultForwardTimeout;
  /// `hooks-libraries`, in load order (paths as written; checked when applied or tested).
  std::vector<hooks::HookLibraryConfig> hooks_libraries;
  std::vector<log::LoggerSpec> loggers;
  /// Accepted settings without effect, other top-level maps ignored, ... for the log.
  std::vector<std::string> warnings;
  /// The `Control-agent` map as read (config-get, config-write, the config hash).
  cc::Value source;

  /// The listener settings derived from this configuration.
  http::ServerConfig serverConfig() const;
  /// "http://127.0.0.1:8000" or "https://...".
  std::string url() const;
};

using AgentConfigPtr = std::shared_ptr<const AgentConfig>;

/// Parses a whole configuration ({"Control-agent": {...}, other top-level maps ignored with a
/// warning}). Files named by the configuration (user-file, password-file) are read now; TLS
/// files must be readable. Throws takahe::ConfigError with the JSON path and file:line.
AgentConfigPtr parseAgentConfig(const cc::Value& root);

/// Reads `path` (comments and includes allowed) and parses it as parseAgentConfig().
AgentConfigPtr loadAgentConfigFile(const std::string& path);

/// {"Control-agent": source}: the form config-get answers and config-write stores.
cc::Value fullConfig(const AgentConfig& config);

}  // namespace takahe::agent
