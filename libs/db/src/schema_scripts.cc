// Takahe's schema, one script per backend and version (see /work/shared/design and
// libs/db/README.md). The same tables and column names on every backend; only types differ.
// Version 2.0 has its own lease4 (not 1.0 + ALTER) so that it reads as the reference; hosts4 is
// one text shared by the 2.0 script and the upgrade. The tests check that an upgraded 1.0
// database has the same columns as a fresh 2.0 one.

#include "schema_scripts.h"

namespace takahe::db {

namespace {

// ---------------------------------------------------------------------------------- SQLite
constexpr std::string_view kSqlite1 = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL, minor INTEGER NOT NULL);
INSERT INTO schema_version (version, minor) VALUES (1, 0);
CREATE TABLE lease4 (
  address INTEGER PRIMARY KEY NOT NULL,
  hwaddr BLOB NOT NULL,
  client_id BLOB NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL
);
CREATE INDEX lease4_hwaddr ON lease4 (hwaddr);
CREATE INDEX lease4_client_id ON lease4 (client_id);
CREATE INDEX lease4_subnet ON lease4 (subnet_id);
CREATE INDEX lease4_expire ON lease4 (state, expire);
CREATE INDEX lease4_hostname ON lease4 (hostname);
)sql";

constexpr std::string_view kSqliteHosts4 = R"sql(
CREATE TABLE hosts4 (
  host_id INTEGER PRIMARY KEY AUTOINCREMENT,
  dhcp_identifier BLOB NOT NULL,
  dhcp_identifier_type SMALLINT NOT NULL,
  dhcp4_subnet_id BIGINT NOT NULL,
  ipv4_address BIGINT NULL,
  hostname VARCHAR(255) NOT NULL,
  dhcp4_next_server BIGINT NULL,
  dhcp4_server_hostname VARCHAR(64) NOT NULL,
  dhcp4_boot_file_name VARCHAR(128) NOT NULL,
  option_data TEXT NOT NULL,
  UNIQUE (dhcp_identifier_type, dhcp_identifier, dhcp4_subnet_id),
  UNIQUE (ipv4_address, dhcp4_subnet_id)
);
CREATE INDEX hosts4_hostname ON hosts4 (hostname);
)sql";

constexpr std::string_view kSqlite2 = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL, minor INTEGER NOT NULL);
INSERT INTO schema_version (version, minor) VALUES (2, 0);
CREATE TABLE lease4 (
  address INTEGER PRIMARY KEY NOT NULL,
  hwaddr BLOB NOT NULL,
  client_id BLOB NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX lease4_hwaddr ON lease4 (hwaddr);
CREATE INDEX lease4_client_id ON lease4 (client_id);
CREATE INDEX lease4_subnet ON lease4 (subnet_id);
CREATE INDEX lease4_expire ON lease4 (state, expire);
CREATE INDEX lease4_hostname ON lease4 (hostname);
)sql";

constexpr std::string_view kSqliteUp1 = R"sql(
ALTER TABLE lease4 ADD COLUMN pool_id BIGINT NOT NULL DEFAULT 0;
UPDATE schema_version SET version = 2, minor = 0;
)sql";

// ------------------------------------------------------------------------------ PostgreSQL
constexpr std::string_view kPg1 = R"sql(
CREATE TABLE schema_version (version INT NOT NULL, minor INT NOT NULL);
INSERT INTO schema_version (version, minor) VALUES (1, 0);
CREATE TABLE lease4 (
  address BIGINT PRIMARY KEY NOT NULL,
  hwaddr BYTEA NOT NULL,
  client_id BYTEA NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL
);
CREATE INDEX lease4_hwaddr ON lease4 (hwaddr);
CREATE INDEX lease4_client_id ON lease4 (client_id);
CREATE INDEX lease4_subnet ON lease4 (subnet_id);
CREATE INDEX lease4_expire ON lease4 (state, expire);
CREATE INDEX lease4_hostname ON lease4 (hostname);
)sql";

constexpr std::string_view kPgHosts4 = R"sql(
CREATE TABLE hosts4 (
  host_id BIGSERIAL PRIMARY KEY,
  dhcp_identifier BYTEA NOT NULL,
  dhcp_identifier_type SMALLINT NOT NULL,
  dhcp4_subnet_id BIGINT NOT NULL,
  ipv4_address BIGINT NULL,
  hostname VARCHAR(255) NOT NULL,
  dhcp4_next_server BIGINT NULL,
  dhcp4_server_hostname VARCHAR(64) NOT NULL,
  dhcp4_boot_file_name VARCHAR(128) NOT NULL,
  option_data TEXT NOT NULL,
  UNIQUE (dhcp_identifier_type, dhcp_identifier, dhcp4_subnet_id),
  UNIQUE (ipv4_address, dhcp4_subnet_id)
);
CREATE INDEX hosts4_hostname ON hosts4 (hostname);
)sql";

constexpr std::string_view kPg2 = R"sql(
CREATE TABLE schema_version (version INT NOT NULL, minor INT NOT NULL);
INSERT INTO schema_version (version, minor) VALUES (2, 0);
CREATE TABLE lease4 (
  address BIGINT PRIMARY KEY NOT NULL,
  hwaddr BYTEA NOT NULL,
  client_id BYTEA NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX lease4_hwaddr ON lease4 (hwaddr);
CREATE INDEX lease4_client_id ON lease4 (client_id);
CREATE INDEX lease4_subnet ON lease4 (subnet_id);
CREATE INDEX lease4_expire ON lease4 (state, expire);
CREATE INDEX lease4_hostname ON lease4 (hostname);
)sql";

constexpr std::string_view kPgUp1 = R"sql(
ALTER TABLE lease4 ADD COLUMN pool_id BIGINT NOT NULL DEFAULT 0;
UPDATE schema_version SET version = 2, minor = 0;
)sql";

// ------------------------------------------------------------------------- MySQL / MariaDB
constexpr std::string_view kMy1 = R"sql(
CREATE TABLE schema_version (version INT NOT NULL, minor INT NOT NULL) ENGINE = InnoDB;
INSERT INTO schema_version (version, minor) VALUES (1, 0);
CREATE TABLE lease4 (
  address BIGINT UNSIGNED PRIMARY KEY NOT NULL,
  hwaddr VARBINARY(20) NOT NULL,
  client_id VARBINARY(255) NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  INDEX lease4_hwaddr (hwaddr),
  INDEX lease4_client_id (client_id),
  INDEX lease4_subnet (subnet_id),
  INDEX lease4_expire (state, expire),
  INDEX lease4_hostname (hostname)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

constexpr std::string_view kMyHosts4 = R"sql(
CREATE TABLE hosts4 (
  host_id BIGINT AUTO_INCREMENT PRIMARY KEY,
  dhcp_identifier VARBINARY(255) NOT NULL,
  dhcp_identifier_type SMALLINT NOT NULL,
  dhcp4_subnet_id BIGINT NOT NULL,
  ipv4_address BIGINT NULL,
  hostname VARCHAR(255) NOT NULL,
  dhcp4_next_server BIGINT NULL,
  dhcp4_server_hostname VARCHAR(64) NOT NULL,
  dhcp4_boot_file_name VARCHAR(128) NOT NULL,
  option_data TEXT NOT NULL,
  UNIQUE KEY hosts4_identifier (dhcp_identifier_type, dhcp_identifier, dhcp4_subnet_id),
  UNIQUE KEY hosts4_address (ipv4_address, dhcp4_subnet_id),
  INDEX hosts4_hostname (hostname)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

constexpr std::string_view kMy2 = R"sql(
CREATE TABLE schema_version (version INT NOT NULL, minor INT NOT NULL) ENGINE = InnoDB;
INSERT INTO schema_version (version, minor) VALUES (2, 0);
CREATE TABLE lease4 (
  address BIGINT UNSIGNED PRIMARY KEY NOT NULL,
  hwaddr VARBINARY(20) NOT NULL,
  client_id VARBINARY(255) NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0,
  INDEX lease4_hwaddr (hwaddr),
  INDEX lease4_client_id (client_id),
  INDEX lease4_subnet (subnet_id),
  INDEX lease4_expire (state, expire),
  INDEX lease4_hostname (hostname)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

constexpr std::string_view kMyUp1 = R"sql(
ALTER TABLE lease4 ADD COLUMN pool_id BIGINT NOT NULL DEFAULT 0;
UPDATE schema_version SET version = 2, minor = 0;
)sql";

// Whole scripts as static strings, built once (string_view needs storage that lives on).
struct Scripts {
  std::string sqlite2 = std::string(kSqlite2) + std::string(kSqliteHosts4);
  std::string pg2 = std::string(kPg2) + std::string(kPgHosts4);
  std::string my2 = std::string(kMy2) + std::string(kMyHosts4);
  std::string sqliteUp1 = std::string(kSqliteHosts4) + std::string(kSqliteUp1);
  std::string pgUp1 = std::string(kPgHosts4) + std::string(kPgUp1);
  std::string myUp1 = std::string(kMyHosts4) + std::string(kMyUp1);
};

const Scripts& scripts() {
  static const Scripts s;
  return s;
}

}  // namespace

std::string_view createScript(Backend b, int major) {
  const Scripts& s = scripts();
  switch (b) {
    case Backend::kSqlite:
      return major == 1 ? kSqlite1 : major == 2 ? std::string_view(s.sqlite2) : std::string_view();
    case Backend::kPostgresql:
      return major == 1 ? kPg1 : major == 2 ? std::string_view(s.pg2) : std::string_view();
    case Backend::kMysql:
      return major == 1 ? kMy1 : major == 2 ? std::string_view(s.my2) : std::string_view();
  }
  return {};
}

std::string_view upgradeScript(Backend b, int from_major) {
  if (from_major != 1) {
    return {};
  }
  const Scripts& s = scripts();
  switch (b) {
    case Backend::kSqlite:
      return s.sqliteUp1;
    case Backend::kPostgresql:
      return s.pgUp1;
    case Backend::kMysql:
      return s.myUp1;
  }
  return {};
}

}  // namespace takahe::db
