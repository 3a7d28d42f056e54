#include "sql_text.h"

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

}  // namespace takahe::dhcpsrv::sql
