#pragma once

// SQL text shared by the lease and host statements: binary columns travel as hex text, which
// each backend converts its own way, and the clauses the DHCPv4 and DHCPv6 lease tables share.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "takahe/db/db_config.h"

namespace takahe::dhcpsrv::sql {

/// Hex text of a binary column in a result.
std::string hexOf(db::Backend b, const std::string& column);
/// A binary parameter bound as hex text.
std::string binParam(db::Backend b, const std::string& name);
/// Encodes bytes as the value of a binParam parameter (raw for SQLite, which has no unhex() in
/// 3.40; hex otherwise).
std::string blobParam(db::Backend backend, std::span<const uint8_t> bytes);

/// Condition on the `hostname` column equal to :hostname ignoring case. Candidates only: the
/// database may fold more than ASCII, so the caller keeps the equalsIgnoreAsciiCase matches.
std::string hostnameMatch(db::Backend b);
/// Whether `a` and `b` are equal with ASCII letters folded (memfile's hostname comparison).
bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b);

/// Condition, order and limit of the expired-leases query of a lease table (columns state,
/// valid_lifetime, expire, address; parameters :now then :limit).
extern const char* const kExpiredClause;

/// The statement texts `Build(backend)` makes, built once for each backend.
template <auto Build>
const auto& perBackend(db::Backend backend) {
  static const auto sqlite = Build(db::Backend::kSqlite);
  static const auto postgresql = Build(db::Backend::kPostgresql);
  static const auto mysql = Build(db::Backend::kMysql);
  switch (backend) {
    case db::Backend::kSqlite:
      return sqlite;
    case db::Backend::kPostgresql:
      return postgresql;
    case db::Backend::kMysql:
      return mysql;
  }
  return sqlite;
}

}  // namespace takahe::dhcpsrv::sql
