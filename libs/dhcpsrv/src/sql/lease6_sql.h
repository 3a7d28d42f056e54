#pragma once

// SQL text of the lease6 statements for each backend, the conversion between a Lease6 and the
// values bound to those statements, and the leases the table cannot hold. Private to
// SqlLeaseStore6.

#include <string>

#include "sql_text.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcpsrv::sql {

/// One lease6 row as exchanged with the database. Binary columns (address, duid, hwaddr) are
/// blobParam values in parameters and hex text in results.
struct Lease6Row {
  std::string address;
  std::string duid;
  long long valid_lifetime = 0;
  long long expire = 0;
  long long subnet_id = 0;
  long long pref_lifetime = 0;
  int lease_type = 0;
  long long iaid = 0;
  int prefix_len = 0;
  int fqdn_fwd = 0;
  int fqdn_rev = 0;
  std::string hostname;
  std::string hwaddr;
  int state = 0;
  std::string user_context;
  int hwtype = 0;
  long long hwaddr_source = 0;
  long long pool_id = 0;
};

/// Throws takahe::Error for a lease the store refuses: those memfile refuses (its lease file
/// could not represent them) and hostnames longer than the column's 255 characters.
void validateLease6(const Lease6& lease);

/// Fills `row` with `lease` as statement parameters for `backend`.
void toParams(db::Backend backend, const Lease6& lease, Lease6Row& row);
/// The address as a parameter for `backend` (16 bytes, see blobParam).
std::string addressParam(db::Backend backend, const IPv6Address& address);
/// The lease a result row describes; throws db::DbError when a column is out of range.
Lease6 fromResult(const Lease6Row& row);

/// Statement texts for one backend. Placeholders use SOCI's ":name" form; each statement's
/// parameters are listed in the order they appear.
struct Lease6Sql {
  std::string get;               // :address, :lease_type
  std::string by_duid_iaid;      // :duid, :iaid, :lease_type
  std::string by_duid;           // :duid
  std::string by_hostname;       // :hostname (candidates; the caller filters exactly)
  std::string by_subnet;         // :subnet_id
  std::string all;               //
  std::string page;              // :after, :limit
  std::string expired;           // :now, :limit
  std::string insert;            // :address, :lease_type, then the 16 others in Lease6Row order
  std::string update;            // the 16 others in Lease6Row order, then :address, :lease_type
  std::string update_if;         // as update, then :duid, :iaid, :expire, :state expected
  std::string remove;            // :address, :lease_type
  std::string remove_reclaimed;  // :cutoff
  std::string wipe;              // :subnet_id
  std::string count;             //
  std::string count_by_subnet;   // rows of subnet_id, lease_type, state, count
};

const Lease6Sql& lease6Sql(db::Backend backend);

}  // namespace takahe::dhcpsrv::sql
