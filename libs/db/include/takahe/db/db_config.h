#pragma once

// Connection parameters of a SQL database, read from a Kea `lease-database` / `hosts-database`
// map (Kea's keys, Kea's defaults).

#include <cstdint>
#include <string>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::db {

enum class Backend { kSqlite, kPostgresql, kMysql };

/// "sqlite", "postgresql", "mysql".
const char* backendName(Backend b);

/// What a server does when it loses its database (Kea's `on-fail`).
enum class OnFail {
  kStopRetryExit,       ///< stop serving, retry, exit when retries are exhausted (default)
  kServeRetryExit,      ///< keep serving (answers needing the database fail), retry, then exit
  kServeRetryContinue,  ///< keep serving and retrying for ever
};

struct DbConfig {
  Backend backend = Backend::kSqlite;
  std::string name;  ///< database name; for sqlite the file path
  std::string host = "localhost";
  uint16_t port = 0;  ///< 0 = the backend's default (5432, 3306)
  std::string user;
  std::string password;
  uint32_t connect_timeout = 5;  ///< seconds
  uint32_t read_timeout = 0;     ///< seconds, 0 = none (mysql only)
  uint32_t write_timeout = 0;    ///< seconds, 0 = none (mysql only)
  uint32_t max_reconnect_tries = 0;
  uint32_t reconnect_wait_time = 0;  ///< milliseconds between tries
  OnFail on_fail = OnFail::kStopRetryExit;
  bool retry_on_startup = false;
  bool readonly = false;  ///< hosts-database only
  // TLS to the database server
  std::string trust_anchor, cert_file, key_file, cipher_list;

  bool operator==(const DbConfig&) const = default;
};

/// Whether `type` ("sqlite", "postgresql", "mysql") names a SQL backend.
bool isSqlType(const std::string& type);

/// Reads a database map whose `type` is a SQL backend. Throws takahe::ConfigError naming the
/// parameter and position for a bad value ("Dhcp4/lease-database/port: must be 1-65535").
/// Keys Kea has that do not apply are added to `warnings`.
DbConfig parseDbConfig(const cc::Value& map, const std::string& json_path, std::vector<std::string>& warnings);

/// "postgresql database 'kea' at 127.0.0.1:5432 as user 'kea'" (never the password), for logs.
std::string describe(const DbConfig& c);

}  // namespace takahe::db
