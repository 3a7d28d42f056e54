// Takahe's schema, one script per backend and version (see /work/shared/design and
// libs/db/README.md). The same tables and column names on every backend; only types differ.
// Version 2.0 has its own lease4 (not 1.0 + ALTER) so that it reads as the reference; hosts4 is
// one text shared by the 2.0 script and the upgrade. Version 3.0 is 2.0 plus lease6, whose text
// is shared by the 3.0 script and the 2.0 -> 3.0 step. The tests check that an upgraded 1.0
// database has the same columns as a fresh current one.
//
// lease6.address is the address (or first address of the prefix) as 16 bytes in network order:
// byte-wise comparison is address order on every backend, which paging relies on.

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

constexpr std::string_view kSqliteLease6 = R"sql(
CREATE TABLE lease6 (
  address BLOB PRIMARY KEY NOT NULL,
  duid BLOB NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  pref_lifetime BIGINT NOT NULL,
  lease_type SMALLINT NOT NULL,
  iaid BIGINT NOT NULL,
  prefix_len SMALLINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  hwaddr BLOB NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  hwtype SMALLINT NOT NULL,
  hwaddr_source BIGINT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX lease6_duid_iaid ON lease6 (duid, iaid, lease_type);
CREATE INDEX lease6_subnet ON lease6 (subnet_id);
CREATE INDEX lease6_expire ON lease6 (state, expire);
CREATE INDEX lease6_hostname ON lease6 (hostname COLLATE NOCASE);
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

// The hostname index is on lower(hostname): the store's case-insensitive lookup compares that.
constexpr std::string_view kPgLease6 = R"sql(
CREATE TABLE lease6 (
  address BYTEA PRIMARY KEY NOT NULL,
  duid BYTEA NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  pref_lifetime BIGINT NOT NULL,
  lease_type SMALLINT NOT NULL,
  iaid BIGINT NOT NULL,
  prefix_len SMALLINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  hwaddr BYTEA NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  hwtype SMALLINT NOT NULL,
  hwaddr_source BIGINT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX lease6_duid_iaid ON lease6 (duid, iaid, lease_type);
CREATE INDEX lease6_subnet ON lease6 (subnet_id);
CREATE INDEX lease6_expire ON lease6 (state, expire);
CREATE INDEX lease6_hostname ON lease6 (lower(hostname));
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

// hostname has utf8mb4's default case-insensitive collation, which the lookup relies on.
constexpr std::string_view kMyLease6 = R"sql(
CREATE TABLE lease6 (
  address BINARY(16) PRIMARY KEY NOT NULL,
  duid VARBINARY(130) NOT NULL,
  valid_lifetime BIGINT NOT NULL,
  expire BIGINT NOT NULL,
  subnet_id BIGINT NOT NULL,
  pref_lifetime BIGINT NOT NULL,
  lease_type SMALLINT NOT NULL,
  iaid BIGINT NOT NULL,
  prefix_len SMALLINT NOT NULL,
  fqdn_fwd SMALLINT NOT NULL,
  fqdn_rev SMALLINT NOT NULL,
  hostname VARCHAR(255) NOT NULL,
  hwaddr VARBINARY(20) NOT NULL,
  state INT NOT NULL,
  user_context TEXT NOT NULL,
  hwtype SMALLINT NOT NULL,
  hwaddr_source BIGINT NOT NULL,
  pool_id BIGINT NOT NULL DEFAULT 0,
  INDEX lease6_duid_iaid (duid, iaid, lease_type),
  INDEX lease6_subnet (subnet_id),
  INDEX lease6_expire (state, expire),
  INDEX lease6_hostname (hostname)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

constexpr std::string_view kUp2 = R"sql(
UPDATE schema_version SET version = 3, minor = 0;
)sql";

// Whole scripts as static strings, built once (string_view needs storage that lives on).
// 3.0 is created as 2.0 followed by the 2.0 -> 3.0 step, so both give the same lease6.
struct Scripts {
  std::string sqlite2 = std::string(kSqlite2) + std::string(kSqliteHosts4);
  std::string pg2 = std::string(kPg2) + std::string(kPgHosts4);
  std::string my2 = std::string(kMy2) + std::string(kMyHosts4);
  std::string sqliteUp1 = std::string(kSqliteHosts4) + std::string(kSqliteUp1);
  std::string pgUp1 = std::string(kPgHosts4) + std::string(kPgUp1);
  std::string myUp1 = std::string(kMyHosts4) + std::string(kMyUp1);
  std::string sqliteUp2 = std::string(kSqliteLease6) + std::string(kUp2);
  std::string pgUp2 = std::string(kPgLease6) + std::string(kUp2);
  std::string myUp2 = std::string(kMyLease6) + std::string(kUp2);
  std::string sqlite3 = sqlite2 + sqliteUp2;
  std::string pg3 = pg2 + pgUp2;
  std::string my3 = my2 + myUp2;
};

const Scripts& scripts() {
  static const Scripts s;
  return s;
}

// The script for `major` among versions 1, 2 and 3; empty for any other.
std::string_view pick(int major, std::string_view v1, const std::string& v2,
                      const std::string& v3) {
  switch (major) {
    case 1:
      return v1;
    case 2:
      return v2;
    case 3:
      return v3;
  }
  return {};
}

}  // namespace

std::string_view createScript(Backend b, int major) {
  const Scripts& s = scripts();
  switch (b) {
    case Backend::kSqlite:
      return pick(major, kSqlite1, s.sqlite2, s.sqlite3);
    case Backend::kPostgresql:
      return pick(major, kPg1, s.pg2, s.pg3);
    case Backend::kMysql:
      return pick(major, kMy1, s.my2, s.my3);
  }
  return {};
}

std::string_view upgradeScript(Backend b, int from_major) {
  const Scripts& s = scripts();
  const bool one = from_major == 1;
  if (!one && from_major != 2) {
    return {};
  }
  switch (b) {
    case Backend::kSqlite:
      return one ? s.sqliteUp1 : s.sqliteUp2;
    case Backend::kPostgresql:
      return one ? s.pgUp1 : s.pgUp2;
    case Backend::kMysql:
      return one ? s.myUp1 : s.myUp2;
  }
  return {};
}

}  // namespace takahe::db
