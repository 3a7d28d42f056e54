#include "takahe/http/listener_settings.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace takahe::http {

namespace {

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

BasicAuthClient parseClient(const cc::Value& v, const std::string& path,
                                  const std::string& directory) {
  cc::MapReader r(v, path);
  BasicAuthClient client;
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

void parseAuthentication(const cc::Value& v, const std::string& path, ServerConfig& cfg,
                         const std::string& default_realm) {
  cc::MapReader r(v, path);
  auto type = r.getString("type");
  if (!type) {
    r.require("type");
  }
  if (*type != "basic") {
    r.fail("type", "unsupported authentication type '" + *type + "' (only 'basic' is supported)");
  }
  cfg.auth.realm = r.getString("realm").value_or(default_realm);
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

void parseTls(cc::MapReader& r, ServerConfig& cfg, std::vector<std::string>& warnings) {
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
      warnings.push_back(r.childPath("cert-required") +
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
  TlsConfig tls;
  tls.trust_anchor = *ca;
  tls.cert_file = *cert;
  tls.key_file = *key;
  tls.cert_required = required.value_or(true);
  cfg.tls = tls;
}

void parseHeaders(const cc::Value& v, const std::string& path, ServerConfig& cfg) {
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
    cfg.headers.emplace_back(*name, *value);
  }
}

}  // namespace

void readListenerSettings(cc::MapReader& r, ServerConfig& config, std::vector<std::string>& warnings,
                          const std::string& default_realm) {
  if (const auto* a = r.get("authentication")) {
    parseAuthentication(*a, r.childPath("authentication"), config, default_realm);
  }
  parseTls(r, config, warnings);
  if (const auto* h = r.get("http-headers")) parseHeaders(*h, r.childPath("http-headers"), config);
}

}  // namespace takahe::http
