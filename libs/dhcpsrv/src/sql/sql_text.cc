#include "sql_text.h"

#include "takahe/util/hex.h"

namespace takahe::dhcpsrv::sql {

std::string hexOf(db::Backend b, const std::string& column) {
  switch (b) {
    case db::Backend::kSqlite:
      return "hex(" + column + ")";
    case db::Backend::kPostgresql:
      return "encode(" + column + ", 'hex')";
    case db::Backend::kMysql:
      return "HEX(" + column + ")";
  }
  return column;
}

std::string binParam(db::Backend b, const std::string& name) {
  switch (b) {
    case db::Backend::kSqlite:
      return "CAST(:" + name + " AS BLOB)";
    case db::Backend::kPostgresql:
      return "decode(:" + name + ", 'hex')";
    case db::Backend::kMysql:
      return "UNHEX(:" + name + ")";
  }
  return ":" + name;
}

std::string blobParam(db::Backend backend, std::span<const uint8_t> bytes) {
  if (backend == db::Backend::kSqlite) {
    return std::string(bytes.begin(), bytes.end());
  }
  return toHex(bytes, '\0');
}

std::string hostnameMatch(db::Backend b) {
  switch (b) {
    case db::Backend::kSqlite:
      // NOCASE is exactly ASCII folding.
      return "hostname = :hostname COLLATE NOCASE";
    case db::Backend::kPostgresql:
      return "lower(hostname) = lower(:hostname)";
    case db::Backend::kMysql:
      // The column's collation (utf8mb4's default, utf8mb4_general_ci) is case-insensitive,
      // so the plain comparison is, and the hostname index serves it.
      return "hostname = :hostname";
  }
  return "hostname = :hostname";
}

bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// Not reclaimed (states other than 2; stored states are 0-4), not infinite, expired. The state
// list, unlike "state <> 2", gives the (state, expire) index one range per state on every
// backend; PostgreSQL would otherwise scan the table.
const char* const kExpiredClause =
    "WHERE state IN (0, 1, 3, 4) AND valid_lifetime <> 4294967295 AND expire < :now"
    " ORDER BY expire, address LIMIT :limit";

}  // namespace takahe::dhcpsrv::sql
