#pragma once

// The configuration keys of an HTTP listener, as Kea spells them for its Control-agent and for
// the daemons' http(s) control sockets: trust-anchor, cert-file, key-file, cert-required,
// authentication {type, realm, directory, clients[user|user-file, password|password-file]} and
// http-headers [{name, value}].

#include <string>
#include <vector>

#include "takahe/cc/map_reader.h"
#include "takahe/http/http.h"

namespace takahe::http {

/// Reads those keys from the map `r` into config.tls, config.auth and config.headers. The three
/// TLS files go together or not at all and must be readable; credential files are read now
/// (relative to `authentication.directory`); an authentication block must name at least one
/// client. Errors throw takahe::ConfigError with the JSON path and file:line.
void readListenerSettings(cc::MapReader& r, ServerConfig& config, std::vector<std::string>& warnings,
                          const std::string& default_realm);

}  // namespace takahe::http
