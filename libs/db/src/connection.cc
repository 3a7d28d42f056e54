#include "takahe/db/connection.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "sql_script.h"

namespace takahe::db {

namespace {

bool contains(const std::string& text, std::string_view part) {
  auto it = std::search(text.begin(), text.end(), part.begin(), part.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// libpq's key='value' quoting.
std::string pgQuote(const std::string& v) {
  std::string out = "'";
  for (char ch : v) {
    if (ch == '\'' || ch == '\\') {
      out += '\\';
    }
    out += ch;
  }
  return out + "'";
}

std::string pgConnectString(const DbConfig& c) {
  std::string s = "dbname=" + pgQuote(c.name) + " host=" + pgQuote(c.host);
  if (c.port != 0) {
    s += " port=" + std::to_string(c.port);
  }
  if (!c.user.empty()) {
    s += " user=" + pgQuote(c.user);
  }
  if (!c.password.empty()) {
    s += " password=" + pgQuote(c.password);
  }
  s += " connect_timeout=" + std::to_string(c.connect_timeout);
  s += " application_name='takahe'";
  // A trust anchor means the server certificate must be signed by it and name `host` (a DNS
  // name or, since libpq 14, an IP address in subjectAltName); a client certificate alone still
  // needs TLS. Without any, libpq's own default (and PGSSLMODE) applies.
  if (!c.trust_anchor.empty()) {
    s += " sslmode=verify-full sslrootcert=" + pgQuote(c.trust_anchor);
  } else if (!c.cert_file.empty()) {
    s += " sslmode=require";
  }
  if (!c.cert_file.empty()) {
    s += " sslcert=" + pgQuote(c.cert_file) + " sslkey=" + pgQuote(c.key_file);
  }
  return s;
}

// SOCI's MySQL backend reads key=value pairs; a value with spaces or quotes is quoted with the
// quote character it does not contain (the parser has no escapes).
std::string myQuote(const std::string& key, const std::string& v) {
  bool plain = !v.empty() && std::none_of(v.begin(), v.end(), [](char ch) {
    return std::isspace(static_cast<unsigned char>(ch)) || ch == '\'' || ch == '"';
  });
  if (plain) {
    return v;
  }
  if (v.find('\'') == std::string::npos) {
    return "'" + v + "'";
  }
  if (v.find('"') == std::string::npos) {
    return "\"" + v + "\"";
  }
  throw DbError("the " + key + " contains both ' and \" which the mysql client cannot pass", false);
}

std::string mysqlConnectString(const DbConfig& c) {
  std::string s = "dbname=" + myQuote("name", c.name) + " host=" + myQuote("host", c.host);
  if (c.port != 0) {
    s += " port=" + std::to_string(c.port);
  }
  if (!c.user.empty()) {
    s += " user=" + myQuote("user", c.user);
  }
  if (!c.password.empty()) {
    s += " password=" + myQuote("password", c.password);
  }
  s += " connect_timeout=" + std::to_string(c.connect_timeout);
  if (c.read_timeout != 0) {
    s += " read_timeout=" + std::to_string(c.read_timeout);
  }
  if (c.write_timeout != 0) {
    s += " write_timeout=" + std::to_string(c.write_timeout);
  }
  s += " charset=utf8mb4";
  if (!c.trust_anchor.empty()) {
    s += " sslca=" + myQuote("trust-anchor", c.trust_anchor);
  }
  if (!c.cert_file.empty()) {
    s += " sslcert=" + myQuote("cert-file", c.cert_file) +
         " sslkey=" + myQuote("key-file", c.key_file);
  }
  return s;
}

// Why a connection attempt failed, in words an operator can act on, and whether retrying later
// may help (an unreachable server) or not (wrong credentials or name).
struct ConnectFailure {
  std::string reason;
  std::string hint;
  bool transient;
};

// ------------------------------------------------------------------------------------- TLS
// libpq silently skips a client certificate it cannot read, and both clients report unreadable
// files in their own words: check the files first and name the parameter.
void checkTlsFiles(const DbConfig& c) {
  const std::pair<const char*, const std::string*> files[] = {
      {"trust-anchor", &c.trust_anchor}, {"cert-file", &c.cert_file}, {"key-file", &c.key_file}};
  for (const auto& [key, path] : files) {
    if (path->empty()) {
      continue;
    }
    std::ifstream in(*path);
    if (!in) {
      int err = errno;
      throw DbError("cannot connect to " + describe(c) + ": cannot read " + key + " '" + *path +
                        "': " + std::strerror(err) + " (check " + key + ")",
                    false);
    }
  }
}

// SOCI 4.0's MySQL backend passes only sslca/sslcert/sslkey to the client library: the server's
// certificate chain is checked against the CA, but not its name, and no cipher can be chosen.
// With a trust anchor or a cipher list, Takahe first opens its own handle with every option set
// (MYSQL_OPT_SSL_VERIFY_SERVER_CERT, MYSQL_OPT_SSL_CIPHER), so that a server that fails the
// checks never sees the password, then hands that handle to SOCI's session in place of the one
// SOCI opened.
struct MysqlCloser {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;

MysqlHandle mysqlVerifiedConnect(const DbConfig& c) {
  if (c.trust_anchor.empty() && c.cipher_list.empty()) {
    return nullptr;
  }
  MysqlHandle m(mysql_init(nullptr));
  if (!m) {
    throw DbError("cannot connect to " + describe(c) + ": out of memory", false);
  }
  auto set = [&](mysql_option opt, const void* value, const char* what) {
    if (mysql_options(m.get(), opt, value) != 0) {
      throw DbError("cannot connect to " + describe(c) + ": the mysql client refused " + what,
                    false);
    }
  };
  unsigned timeout = c.connect_timeout;
  set(MYSQL_OPT_CONNECT_TIMEOUT, &timeout, "connect-timeout");
  unsigned read_timeout = c.read_timeout;
  unsigned write_timeout = c.write_timeout;
  if (read_timeout != 0) {
    set(MYSQL_OPT_READ_TIMEOUT, &read_timeout, "read-timeout");
  }
  if (write_timeout != 0) {
    set(MYSQL_OPT_WRITE_TIMEOUT, &write_timeout, "write-timeout");
  }
  set(MYSQL_SET_CHARSET_NAME, "utf8mb4", "the character set utf8mb4");
  auto orNull = [](const std::string& v) { return v.empty() ? nullptr : v.c_str(); };
  mysql_ssl_set(m.get(), orNull(c.key_file), orNull(c.cert_file), orNull(c.trust_anchor), nullptr,
                orNull(c.cipher_list));
  // The client gives TLS 1.3 suite names (TLS_...) to TLS 1.3 and the rest to TLS 1.2 and
  // below: a list without any TLS 1.3 suite would leave TLS 1.3 open with all its suites, so it
  // limits the session to TLS 1.2, where the list is obeyed.
  if (!c.cipher_list.empty() && !contains(c.cipher_list, "TLS_")) {
    set(MARIADB_OPT_TLS_VERSION, "TLSv1.2", "cipher-list (limited to TLS 1.2)");
  }
  if (!c.trust_anchor.empty()) {
    my_bool verify = 1;
    set(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify, "server certificate verification");
  }
  // The same flags as SOCI's own connection, so that statements behave alike (affected rows
  // count matched rows).
  const unsigned long flags = CLIENT_FOUND_ROWS | CLIENT_MULTI_RESULTS;
  if (mysql_real_connect(m.get(), c.host.c_str(), orNull(c.user), orNull(c.password),
                         c.name.c_str(), c.port, nullptr, flags) == nullptr) {
    throw soci::mysql_soci_error(mysql_error(m.get()), mysql_errno(m.get()));
  }
  return m;
}

// A failed TLS handshake or refused certificate, in words naming the parameter to check; empty
// reason when `msg` is not recognised. Asked first: libpq reports every address it tried, and
// an earlier "connection refused" (say on ::1) must not hide the certificate's verdict.
ConnectFailure classifyTlsError(const DbConfig& c, const std::string& full, unsigned my_errno) {
  // libpq starts with 'connection to server at "127.0.0.1", port 5432 failed: ', which the
  // message says already.
  std::string msg = full;
  if (msg.rfind("connection to server at ", 0) == 0) {
    if (std::size_t at = msg.find(" failed: "); at != std::string::npos) {
      msg = msg.substr(at + 9);
    }
  }
  // The server demands a client certificate (PostgreSQL hostssl ... cert). MariaDB cannot be
  // told apart from a wrong password (1045): that case is handled by the caller.
  if (contains(msg, "requires a valid client certificate")) {
    return {"the server requires a client certificate", "set cert-file and key-file", false};
  }
  if (contains(msg, "certificate authentication failed")) {
    return {"the server refused the client certificate for user '" + c.user + "'",
            "check cert-file and key-file: the certificate's CN must be the user name", false};
  }
  if (contains(msg, "does not match host name") || contains(msg, "Validation of SSL server") ||
      contains(msg, "hostname mismatch") || contains(msg, "host name mismatch")) {
    return {"the server's certificate does not name host '" + c.host + "'",
            "check host: with trust-anchor set it must be a name or address in the server's "
            "certificate",
            false};
  }
  if (contains(msg, "certificate verify failed") || contains(msg, "self-signed certificate") ||
      contains(msg, "self signed certificate") || contains(msg, "unable to get local issuer") ||
      contains(msg, "unable to verify") || contains(msg, "certificate has expired") ||
      contains(msg, "certificate is not yet valid") || contains(msg, "unknown ca")) {
    return {"the server's certificate was not accepted: " + msg,
            "check trust-anchor: it must hold the CA that signed the server's certificate", false};
  }
  if (contains(msg, "server does not support SSL") ||
      (my_errno == 2026 && contains(msg, "not support"))) {
    return {"the server does not offer TLS",
            "turn TLS on in the server, or remove trust-anchor, cert-file and key-file", false};
  }
  if (contains(msg, "private key") || contains(msg, "key values mismatch") ||
      contains(msg, "sslkey")) {
    return {msg, "check key-file: it must be the private key of cert-file", false};
  }
  if (!c.cipher_list.empty() && contains(msg, "cipher")) {
    return {msg, "check cipher-list", false};
  }
  return {};
}

ConnectFailure classifyConnectError(const DbConfig& c, const std::exception& e) {
  std::string msg = oneLine(e.what());
  const std::string prefix = "Cannot establish connection to the database.";
  if (msg.rfind(prefix, 0) == 0) {
    msg = oneLine(msg.substr(prefix.size()));
  }
  unsigned my_errno = 0;
  if (auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    my_errno = my->err_num_;
  }
  if (ConnectFailure tls = classifyTlsError(c, msg, my_errno); !tls.reason.empty()) {
    return tls;
  }
  std::string timeout = "timed out after " + std::to_string(c.connect_timeout) + " s";
  // MariaDB's client reports the errno in parentheses (connect) or as "system error: N"
  // (handshake): 110 is ETIMEDOUT; a refused non-blocking connect shows as 111 or 115.
  if (contains(msg, "timeout expired") || contains(msg, "timed out") ||
      ((my_errno == 2002 || my_errno == 2003) && contains(msg, "(110)")) ||
      (my_errno == 2013 && contains(msg, "system error: 110"))) {
    return {timeout, "check host and port, and connect-timeout", true};
  }
  if (contains(msg, "connection refused") || ((my_errno == 2002 || my_errno == 2003) &&
                                              (contains(msg, "(111)") || contains(msg, "(115)")))) {
    return {"connection refused", "check host and port", true};
  }
  if (contains(msg, "could not translate host name") || contains(msg, "unknown server host") ||
      contains(msg, "name or service not known") || my_errno == 2005) {
    return {"unknown host '" + c.host + "'", "check host", false};
  }
  if (my_errno == 2002 || my_errno == 2003 || contains(msg, "could not connect") ||
      contains(msg, "no route to host") || contains(msg, "network is unreachable")) {
    return {msg, "check host and port", true};
  }
  if (contains(msg, "password authentication failed") || contains(msg, "no password supplied") ||
      my_errno == 1045 || (contains(msg, "role \"") && contains(msg, "does not exist"))) {
    // MariaDB answers a user who must show a client certificate (REQUIRE X509) and did not
    // exactly as a wrong password.
    bool maybe_cert = my_errno == 1045 && c.cert_file.empty() && !c.trust_anchor.empty();
    return {"authentication failed for user '" + c.user + "'",
            maybe_cert ? "check user and password; if the user must present a client "
                         "certificate (REQUIRE X509), set cert-file and key-file"
                       : "check user and password",
            false};
  }
  if (my_errno == 1049 || (contains(msg, "database \"") && contains(msg, "does not exist"))) {
    return {"database '" + c.name + "' does not exist", "check name", false};
  }
  // MariaDB answers 1044 (not 1049) for a database the user has no grant on, existing or not.
  if (my_errno == 1044 || contains(msg, "permission denied for database")) {
    return {"database '" + c.name + "' does not exist or user '" + c.user + "' may not use it",
            "check name, and the user's grants", false};
  }
  if (contains(msg, "pg_hba.conf")) {
    return {msg, "check user, name and host, and the server's pg_hba.conf", false};
  }
  const bool tls = !c.trust_anchor.empty() || !c.cert_file.empty() || !c.cipher_list.empty();
  if (tls && (contains(msg, "ssl") || contains(msg, "tls") || contains(msg, "certificate") ||
              my_errno == 2026)) {
    return {msg, "check trust-anchor, cert-file and key-file", false};
  }
  if (c.backend == Backend::kSqlite) {
    return {msg, "check name: the directory must exist and be writable", false};
  }
  return {msg, "check host, port, user, password and name", true};
}

}  // namespace

Connection::Connection(const DbConfig& config) : config_(config) {
  session_ = std::make_unique<soci::session>();
  try {
    switch (config_.backend) {
      case Backend::kSqlite: {
        // A path without '=' is taken whole by SOCI (so it may contain spaces).
        std::string target =
            config_.name.find('=') == std::string::npos ? config_.name : "db=" + config_.name;
        session_->open(*soci::factory_sqlite3(), target);
        break;
      }
      case Backend::kPostgresql:
        checkTlsFiles(config_);
        session_->open(*soci::factory_postgresql(), pgConnectString(config_));
        break;
      case Backend::kMysql: {
        checkTlsFiles(config_);
        MysqlHandle verified = mysqlVerifiedConnect(config_);
        session_->open(*soci::factory_mysql(), mysqlConnectString(config_));
        if (verified) {
          auto* backend = static_cast<soci::mysql_session_backend*>(session_->get_backend());
          mysql_close(backend->conn_);
          backend->conn_ = verified.release();
        }
        break;
      }
    }
  } catch (const DbError&) {
    throw;
  } catch (const std::exception& e) {
    ConnectFailure f = classifyConnectError(config_, e);
    throw DbError("cannot connect to " + describe(config_) + ": " + f.reason + " (" + f.hint + ")",
                  f.transient);
  }
  try {
    switch (config_.backend) {
      case Backend::kSqlite: {
        // WAL lets readers run beside one writer, and the busy timeout makes a second process
        // (another server, takahe-admin) wait for the write lock instead of failing at once.
        session_->once << "PRAGMA busy_timeout = " +
                              std::to_string(uint64_t{config_.connect_timeout} * 1000);
        std::string mode;
        session_->once << "PRAGMA journal_mode = WAL", soci::into(mode);
        break;
      }
      case Backend::kPostgresql:
        // NOTICEs ("relation exists, skipping") would go to stderr through libpq.
        session_->once << "SET client_min_messages = warning";
        break;
      case Backend::kMysql:
        break;
    }
  } catch (const std::exception& e) {
    rethrow(e, "preparing the connection to " + describe(config_));
  }
}

Connection::~Connection() = default;

soci::session& Connection::session() { return *session_; }

void Connection::execute(const std::string& sql) {
  for (const std::string& stmt : splitSqlScript(sql)) {
    try {
      session_->once << stmt;
    } catch (const std::exception& e) {
      std::string head = oneLine(stmt);
      if (head.size() > 60) {
        head = head.substr(0, 57) + "...";
      }
      rethrow(e, "running \"" + head + "\"");
    }
  }
}

bool Connection::alive() {
  try {
    int one = 0;
    session_->once << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (const std::exception&) {
    return false;
  }
}

void Connection::rethrow(const std::exception& e, const std::string& doing) const {
  if (auto* dk = dynamic_cast<const DuplicateKey*>(&e)) {
    throw DuplicateKey(*dk);
  }
  if (auto* de = dynamic_cast<const DbError*>(&e)) {
    throw DbError(*de);
  }
  const std::string where = " (" + describe(config_) + ")";
  std::string msg = oneLine(e.what());
  bool duplicate = false;
  bool lost = false;
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    std::string state = pg->sqlstate();
    duplicate = state == "23505";
    // Class 08: connection exception; 57P01-57P03: the server is shutting down or starting.
    lost = state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
  } else if (auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e)) {
    duplicate = my->err_num_ == 1062 || my->err_num_ == 1586;
    // Server gone away, lost during query, lost at handshake, cannot connect, connection killed.
    static constexpr unsigned kLost[] = {2002, 2003, 2006, 2013, 2055, 1927, 4031};
    lost = std::find(std::begin(kLost), std::end(kLost), my->err_num_) != std::end(kLost);
  } else if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    // SQLITE_CONSTRAINT also covers NOT NULL and CHECK: only unique keys are duplicates.
    duplicate = (lite->result() & 0xff) == 19 &&
                (contains(msg, "UNIQUE constraint") || contains(msg, "PRIMARY KEY"));
  }
  if (duplicate) {
    throw DuplicateKey(doing + ": duplicate key: " + msg + where);
  }
  if (!lost && dynamic_cast<const soci::soci_error*>(&e) != nullptr) {
    auto* se = static_cast<const soci::soci_error*>(&e);
    lost = se->get_error_category() == soci::soci_error::connection_error;
  }
  if (!lost && config_.backend != Backend::kSqlite && session_ && !session_->is_connected()) {
    lost = true;
  }
  if (lost) {
    throw DbError(doing + ": connection to the database lost: " + msg + where, true);
  }
  throw DbError(doing + ": " + msg + where, false);
}

}  // namespace takahe::db
