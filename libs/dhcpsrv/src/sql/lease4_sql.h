#pragma once

// SQL text of the lease4 statements for each backend, and the conversion between a Lease4 and
// the values bound to those statements. Private to SqlLeaseStore4.

#include <string>

#include "sql_text.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::dhcpsrv::sql {

/// One lease as exchanged with the database. Binary columns travel as hex text except for
/// SQLite parameters, which carry the raw bytes (SQLite 3.40 has no unhex()); results always
/// come back as hex.
struct LeaseRow {
  long long address = 0;
  std::string hwaddr;
  std::string client_id;
  long long valid_lifetime = 0;
  long long expire = 0;
  long long subnet_id = 0;
  int fqdn_fwd = 0;
  int fqdn_rev = 0;
  std::string hostname;
  int state = 0;
  std::string user_context;
  long long pool_id = 0;
};

/// Fills `row` with `lease` as a statement parameter for `backend`.
void toParams(db::Backend backend, const Lease4& lease, LeaseRow& row);
/// The lease a result row describes; throws db::DbError when a column is out of range.
Lease4 fromResult(const LeaseRow& row);

/// Statement texts for one backend. Placeholders use SOCI's ":name" form; each statement's
/// parameters are listed in the order they appear.
struct Lease4Sql {
  std::string get;               // :address
  std::string by_hwaddr;         // :hwaddr
  std::string by_client_id;      // :client_id
  std::string by_hostname;       // :hostname (candidates; the caller filters exactly)
  std::string by_subnet;         // :subnet_id
  std::string all;               //
  std::string page;              // :after, :limit
  std::string expired;           // :now, :limit
  std::string insert;            // the 12 lease columns in LeaseRow order
  std::string update;            // 11 columns without address, then :address
  std::string update_if;         // as update, then :hwaddr, :client_id, :expire, :state expected
  std::string remove;            // :address
  std::string remove_reclaimed;  // :cutoff
  std::string wipe;              // :subnet_id
  std::string count;             //
  std::string count_by_subnet;   //
};

const Lease4Sql& lease4Sql(db::Backend backend);

}  // namespace takahe::dhcpsrv::sql
