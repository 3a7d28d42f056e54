#pragma once

// SQL text of the hosts4 statements for each backend, and the conversion between a Host4 and
// the values bound to those statements. Private to SqlHostStore4.

#include <soci/soci.h>

#include <string>

#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/host.h"

namespace takahe::dhcpsrv::sql {

/// One reservation as exchanged with the database. The identifier travels as a parameter in
/// the form of sql::blobParam (raw bytes for SQLite, hex otherwise) and always comes back as
/// hex. The two nullable addresses are written as -1 for NULL (see host4_sql.cc) and read with
/// SOCI indicators.
struct HostRow {
  std::string identifier;
  int id_type = 0;
  long long subnet_id = 0;
  long long address = 0;
  soci::indicator address_ind = soci::i_null;
  std::string hostname;
  long long next_server = 0;
  soci::indicator next_server_ind = soci::i_null;
  std::string server_hostname;
  std::string boot_file_name;
  std::string option_data;  ///< JSON list in Kea's option-data syntax, "" = no options
};

/// Fills `row` with `host` as statement parameters for `backend`.
void toParams(db::Backend backend, const Host4& host, HostRow& row);

/// The option_data column for `options`: a JSON list written with optionToJson (host_json.h)
/// against the host file's definitions, "" when there are none.
std::string optionDataText(const CfgOptions& options);

/// Options from option_data text, parsed as a reservation's option-data (with the host file's
/// definitions). Throws takahe::Error saying what is wrong.
CfgOptions optionsFromText(const std::string& text);

/// The reservation a result row describes; throws db::DbError when a column cannot be read.
Host4 fromResult(const HostRow& row);

/// Statement texts for one backend; ":name" placeholders, parameters listed in their order.
/// Every list is ordered by (subnet, identifier type, identifier), the HostStore4 order.
struct Host4Sql {
  std::string insert;             // the 9 columns in HostRow order
  std::string get;                // :id_type, :identifier, :subnet_id
  std::string by_address;         // :address, :subnet_id
  std::string by_id;              // :id_type, :identifier
  std::string by_hostname;        // :hostname (candidates; the caller filters exactly)
  std::string by_hostname_subnet; // :hostname, :subnet_id (candidates too)
  std::string by_subnet;          // :subnet_id
  std::string page;               // :subnet_id, :limit, :offset
  std::string all;                //
  std::string remove;             // :id_type, :identifier, :subnet_id
  std::string remove_by_address;  // :address, :subnet_id
  std::string count;              //
  std::string count_subnet;       // :subnet_id
};

const Host4Sql& host4Sql(db::Backend backend);

}  // namespace takahe::dhcpsrv::sql
