#include "host4_sql.h"

#include "../config/option_parser.h"
#include "../hosts/reservation_reader.h"
#include "lease4_sql.h"
#include "takahe/cc/value.h"
#include "sql_text.h"
#include "takahe/db/connection.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv::sql {

namespace {

constexpr long long kMaxU32 = 0xffffffffll;


// An address parameter where -1 stands for NULL. Parameters carry no SOCI null indicator: after
// a statement fails (a refused INSERT), SOCI's PostgreSQL backend keeps the previous value for
// the next execution of a parameter whose indicator says NULL.
std::string nullableAddress(db::Backend b, const std::string& name) {
  if (b == db::Backend::kPostgresql) {
    return "NULLIF(CAST(:" + name + " AS BIGINT), -1)";  // an untyped -1 would make it INT
  }
  return "NULLIF(:" + name + ", -1)";
}

Host4Sql build(db::Backend b) {
  const std::string select =
      "SELECT " + hexOf(b, "dhcp_identifier") +
      ", dhcp_identifier_type, dhcp4_subnet_id, ipv4_address, hostname, dhcp4_next_server,"
      " dhcp4_server_hostname, dhcp4_boot_file_name, option_data FROM hosts4 ";
  const std::string order = " ORDER BY dhcp4_subnet_id, dhcp_identifier_type, dhcp_identifier";
  // The key columns in the order of the unique key (type, identifier, subnet), so that each
  // backend finds the row through that index.
  const std::string key = "dhcp_identifier_type = :id_type AND dhcp_identifier = " +
                          binParam(b, "identifier") + " AND dhcp4_subnet_id = :subnet_id";
  const std::string by_address = "ipv4_address = :address AND dhcp4_subnet_id = :subnet_id";
  // Case-insensitive candidates, filtered to ASCII case-insensitive equality by the store (see
  // lease4_sql.cc for why each form).
  std::string hostname;
  switch (b) {
    case db::Backend::kSqlite:
      hostname = "hostname = :hostname COLLATE NOCASE";
      break;
    case db::Backend::kPostgresql:
      hostname = "lower(hostname) = lower(:hostname)";
      break;
    case db::Backend::kMysql:
      hostname = "hostname = :hostname";  // the column's default collation ignores case
      break;
  }

  Host4Sql s;
  s.insert =
      "INSERT INTO hosts4 (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, ipv4_address,"
      " hostname, dhcp4_next_server, dhcp4_server_hostname, dhcp4_boot_file_name, option_data)"
      " VALUES (" +
      binParam(b, "identifier") + ", :id_type, :subnet_id, " + nullableAddress(b, "address") +
      ", :hostname, " + nullableAddress(b, "next_server") +
      ", :server_hostname, :boot_file_name, :option_data)";
  s.get = select + "WHERE " + key;
  s.by_address = select + "WHERE " + by_address;
  s.by_id = select + "WHERE dhcp_identifier_type = :id_type AND dhcp_identifier = " +
            binParam(b, "identifier") + order;
  s.by_hostname = select + "WHERE " + hostname + order;
  s.by_hostname_subnet = select + "WHERE " + hostname + " AND dhcp4_subnet_id = :subnet_id" + order;
  s.by_subnet = select + "WHERE dhcp4_subnet_id = :subnet_id" + order;
  s.page = select + "WHERE dhcp4_subnet_id = :subnet_id" + order + " LIMIT :limit OFFSET :offset";
  s.all = select + order.substr(1);
  s.remove = "DELETE FROM hosts4 WHERE " + key;
  s.remove_by_address = "DELETE FROM hosts4 WHERE " + by_address;
  s.count = "SELECT COUNT(*) FROM hosts4";
  s.count_subnet = "SELECT COUNT(*) FROM hosts4 WHERE dhcp4_subnet_id = :subnet_id";
  return s;
}

[[noreturn]] void badColumn(const HostRow& row, const std::string& what) {
  throw db::DbError("hosts4 row of identifier " + row.identifier + " in subnet " +
                        std::to_string(row.subnet_id) + ": " + what,
                    false);
}

std::optional<IPv4Address> addressOf(const HostRow& row, long long value, soci::indicator ind,
                                     const char* column) {
  if (ind == soci::i_null) {
    return std::nullopt;
  }
  if (value < 0 || value > kMaxU32) {
    badColumn(row, std::string(column) + " " + std::to_string(value) + " is not an IPv4 address");
  }
  return IPv4Address(static_cast<uint32_t>(value));
}

}  // namespace

void toParams(db::Backend backend, const Host4& host, HostRow& row) {
  row.identifier = blobParam(backend, host.identifier);
  row.id_type = static_cast<int>(host.id_type);
  row.subnet_id = host.subnet_id.value;
  row.address = host.address ? static_cast<long long>(host.address->toUint()) : -1;
  row.hostname = host.hostname;
  row.next_server = host.next_server ? static_cast<long long>(host.next_server->toUint()) : -1;
  row.server_hostname = host.server_hostname;
  row.boot_file_name = host.boot_file_name;
  row.option_data = optionDataText(host.options);
}

std::string optionDataText(const CfgOptions& options) {
  if (options.empty()) {
    return "";
  }
  cc::Value list = cc::Value::makeList();
  for (const auto& o : options.options) {
    list.push(optionToJson(o, detail::hostFileDefinitions()));
  }
  return list.toJson(false);
}

CfgOptions optionsFromText(const std::string& text) {
  if (text.empty()) {
    return {};
  }
  cc::Value list = cc::parseJson(text, "option_data");
  if (!list.isList()) {
    throw Error("option_data must be a JSON list, not " + std::string(list.typeName()));
  }
  std::vector<std::string> warnings;
  return detail::parseOptionData(list, "option-data", detail::hostFileDefinitions(), warnings);
}

Host4 fromResult(const HostRow& row) {
  if (row.id_type < 0 || row.id_type > static_cast<int>(HostIdType::kFlexId)) {
    badColumn(row, "unknown dhcp_identifier_type " + std::to_string(row.id_type));
  }
  if (row.subnet_id < 0 || row.subnet_id > kMaxU32) {
    badColumn(row, "dhcp4_subnet_id is out of range");
  }
  auto id = parseHex(row.identifier);
  if (!id) {
    badColumn(row, "dhcp_identifier could not be read");
  }
  Host4 h;
  h.id_type = static_cast<HostIdType>(row.id_type);
  h.identifier = std::move(*id);
  h.subnet_id = SubnetId(static_cast<uint32_t>(row.subnet_id));
  h.address = addressOf(row, row.address, row.address_ind, "ipv4_address");
  h.hostname = row.hostname;
  h.next_server = addressOf(row, row.next_server, row.next_server_ind, "dhcp4_next_server");
  h.server_hostname = row.server_hostname;
  h.boot_file_name = row.boot_file_name;
  try {
    h.options = optionsFromText(row.option_data);
  } catch (const std::exception& e) {
    badColumn(row, std::string("option_data is not valid: ") + e.what());
  }
  return h;
}

const Host4Sql& host4Sql(db::Backend backend) { return perBackend<build>(backend); }

}  // namespace takahe::dhcpsrv::sql
