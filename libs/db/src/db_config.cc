#include "takahe/db/db_config.h"

#include <array>
#include <climits>
#include <fstream>
#include <sstream>
#include <string_view>

#include "takahe/cc/map_reader.h"

namespace takahe::db {

namespace {

// Kea keys that are valid in a database map but have no meaning for a SQL backend here: they are
// reported once as warnings, never refused, so that a Kea configuration loads unchanged.
constexpr std::array<std::string_view, 5> kNotApplicable = {
    "persist", "lfc-interval", "max-row-errors", "tcp-user-timeout", "ssl-mode"};

constexpr int64_t kIntMax = INT32_MAX;

uint16_t defaultPort(Backend b) {
  switch (b) {
    case Backend::kPostgresql:
      return 5432;
    case Backend::kMysql:
      return 3306;
    case Backend::kSqlite:
      break;
  }
  return 0;
}

std::string readPasswordFile(cc::MapReader& r, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    r.fail("password-file", "cannot read the password file '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string pw = text.str();
  // An editor's trailing newline is not part of the password.
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) {
    pw.pop_back();
  }
  return pw;
}

}  // namespace

const char* backendName(Backend b) {
  switch (b) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgresql:
      return "postgresql";
    case Backend::kMysql:
      return "mysql";
  }
  return "?";
}

bool isSqlType(const std::string& type) {
  return type == "sqlite" || type == "postgresql" || type == "mysql";
}

DbConfig parseDbConfig(const cc::Value& map, const std::string& json_path,
                       std::vector<std::string>& warnings) {
  cc::MapReader r(map, json_path);
  DbConfig c;

  r.require("type");  // throws "missing mandatory parameter 'type'" when absent
  std::string type = *r.getString("type");
  if (type == "sqlite") {
    c.backend = Backend::kSqlite;
  } else if (type == "postgresql") {
    c.backend = Backend::kPostgresql;
  } else if (type == "mysql") {
    c.backend = Backend::kMysql;
  } else {
    r.fail("type",
           "'" + type + "' is not a SQL database type (expected sqlite, postgresql or mysql)");
  }
  const bool server = c.backend != Backend::kSqlite;
  auto warn = [&](std::string_view key, const std::string& why) {
    std::string where = r.map().find(key)->position().str();
    warnings.push_back(r.childPath(key) + ": " + why + (where.empty() ? "" : " (" + where + ")"));
  };

  if (!r.map().contains("name")) {
    r.fail("name", server ? "missing mandatory parameter 'name' (the database name)"
                          : "missing mandatory parameter 'name' (the database file)");
  }
  c.name = *r.getNonEmptyString("name");

  if (auto v = r.getNonEmptyString("host")) {
    c.host = *v;
  }
  if (const cc::Value* v = r.get("port")) {
    if (!v->isInt()) {
      r.fail("port", "expected an integer, got " + std::string(v->typeName()));
    }
    if (v->asInt() < 1 || v->asInt() > 65535) {
      r.fail("port", "must be 1-65535, got " + std::to_string(v->asInt()));
    }
    c.port = static_cast<uint16_t>(v->asInt());
  }
  if (auto v = r.getString("user")) {
    c.user = *v;
  }
  if (auto v = r.getString("password")) {
    c.password = *v;
  }
  if (auto v = r.getNonEmptyString("password-file")) {
    if (r.map().contains("password")) {
      r.fail("password-file", "'password' and 'password-file' are mutually exclusive");
    }
    c.password = readPasswordFile(r, *v);
  }
  if (!server) {
    for (std::string_view key : {"host", "port", "user", "password", "password-file"}) {
      if (r.map().contains(key)) {
        warn(key, "parameter '" + std::string(key) + "' has no effect for sqlite and is ignored");
      }
    }
  }

  if (auto v = r.getInt("connect-timeout", 1, kIntMax)) {
    c.connect_timeout = static_cast<uint32_t>(*v);
  }
  if (auto v = r.getInt("read-timeout", 0, kIntMax)) {
    c.read_timeout = static_cast<uint32_t>(*v);
    if (c.backend != Backend::kMysql) {
      warn("read-timeout", "parameter 'read-timeout' applies to mysql only and is ignored");
    }
  }
  if (auto v = r.getInt("write-timeout", 0, kIntMax)) {
    c.write_timeout = static_cast<uint32_t>(*v);
    if (c.backend != Backend::kMysql) {
      warn("write-timeout", "parameter 'write-timeout' applies to mysql only and is ignored");
    }
  }
  if (auto v = r.getInt("max-reconnect-tries", 0, kIntMax)) {
    c.max_reconnect_tries = static_cast<uint32_t>(*v);
  }
  if (auto v = r.getInt("reconnect-wait-time", 0, kIntMax)) {
    c.reconnect_wait_time = static_cast<uint32_t>(*v);
  }
  if (auto v = r.getString("on-fail")) {
    if (*v == "stop-retry-exit") {
      c.on_fail = OnFail::kStopRetryExit;
    } else if (*v == "serve-retry-exit") {
      c.on_fail = OnFail::kServeRetryExit;
    } else if (*v == "serve-retry-continue") {
      c.on_fail = OnFail::kServeRetryContinue;
    } else {
      r.fail("on-fail", "'" + *v +
                            "' is not a valid on-fail action (expected stop-retry-exit, "
                            "serve-retry-exit or serve-retry-continue)");
    }
  }
  if (auto v = r.getBool("retry-on-startup")) {
    c.retry_on_startup = *v;
  }
  if (auto v = r.getBool("readonly")) {
    c.readonly = *v;
  }

  if (auto v = r.getNonEmptyString("trust-anchor")) {
    c.trust_anchor = *v;
  }
  if (auto v = r.getNonEmptyString("cert-file")) {
    c.cert_file = *v;
  }
  if (auto v = r.getNonEmptyString("key-file")) {
    c.key_file = *v;
  }
  if (auto v = r.getNonEmptyString("cipher-list")) {
    c.cipher_list = *v;
  }
  if (!c.cert_file.empty() && c.key_file.empty()) {
    r.fail("cert-file", "'cert-file' needs 'key-file' (the client certificate's private key)");
  }
  if (!c.key_file.empty() && c.cert_file.empty()) {
    r.fail("key-file", "'key-file' needs 'cert-file' (the client certificate)");
  }
  if (!server) {
    for (std::string_view key : {"trust-anchor", "cert-file", "key-file", "cipher-list"}) {
      if (r.map().contains(key)) {
        warn(key, "parameter '" + std::string(key) + "' has no effect for sqlite and is ignored");
      }
    }
  } else if (!c.cipher_list.empty() && c.backend == Backend::kPostgresql) {
    // libpq cannot choose TLS ciphers; MariaDB gets MYSQL_OPT_SSL_CIPHER (connection.cc).
    warn("cipher-list", std::string("parameter 'cipher-list' is not supported by the ") +
                            backendName(c.backend) + " client and is ignored");
  }

  for (std::string_view key : kNotApplicable) {
    if (r.map().contains(key)) {
      r.get(key);
      warn(key, "parameter '" + std::string(key) + "' does not apply to a " +
                    backendName(c.backend) + " database and is ignored");
    }
  }
  r.finish();
  return c;
}

std::string describe(const DbConfig& c) {
  std::string s = std::string(backendName(c.backend)) + " database '" + c.name + "'";
  if (c.backend == Backend::kSqlite) {
    return s;
  }
  s += " at " + c.host + ":" + std::to_string(c.port != 0 ? c.port : defaultPort(c.backend));
  if (!c.user.empty()) {
    s += " as user '" + c.user + "'";
  }
  return s;
}

}  // namespace takahe::db
