#include "lease4_sql.h"

#include "sql_text.h"
#include "takahe/db/connection.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv::sql {

namespace {

constexpr long long kMaxU32 = 0xffffffffll;


Lease4Sql build(db::Backend b) {
  const std::string columns = "address, " + hexOf(b, "hwaddr") + ", " + hexOf(b, "client_id") +
                              ", valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname,"
                              " state, user_context, pool_id";
  const std::string select = "SELECT " + columns + " FROM lease4 ";
  const std::string set = "hwaddr = " + binParam(b, "hwaddr") +
                          ", client_id = " + binParam(b, "client_id") +
                          ", valid_lifetime = :valid_lifetime, expire = :expire,"
                          " subnet_id = :subnet_id, fqdn_fwd = :fqdn_fwd, fqdn_rev = :fqdn_rev,"
                          " hostname = :hostname, state = :state, user_context = :user_context,"
                          " pool_id = :pool_id";
  Lease4Sql s;
  s.get = select + "WHERE address = :address";
  s.by_hwaddr = select + "WHERE hwaddr = " + binParam(b, "hwaddr") + " ORDER BY address";
  s.by_client_id = select + "WHERE client_id = " + binParam(b, "client_id") + " ORDER BY address";
  s.by_hostname = select + "WHERE " + hostnameMatch(b) + " ORDER BY address";
  s.by_subnet = select + "WHERE subnet_id = :subnet_id ORDER BY address";
  s.all = select + "ORDER BY address";
  s.page = select + "WHERE address > :after ORDER BY address LIMIT :limit";
  s.expired = select + kExpiredClause;
  s.insert =
      "INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id,"
      " fqdn_fwd, fqdn_rev, hostname, state, user_context, pool_id) VALUES (:address, " +
      binParam(b, "hwaddr") + ", " + binParam(b, "client_id") +
      ", :valid_lifetime, :expire, :subnet_id, :fqdn_fwd, :fqdn_rev, :hostname, :state,"
      " :user_context, :pool_id)";
  s.update = "UPDATE lease4 SET " + set + " WHERE address = :address";
  s.update_if = "UPDATE lease4 SET " + set +
                " WHERE address = :address AND hwaddr = " + binParam(b, "expected_hwaddr") +
                " AND client_id = " + binParam(b, "expected_client_id") +
                " AND expire = :expected_expire AND state = :expected_state";
  s.remove = "DELETE FROM lease4 WHERE address = :address";
  s.remove_reclaimed = "DELETE FROM lease4 WHERE state = 2 AND expire < :cutoff";
  s.wipe = "DELETE FROM lease4 WHERE subnet_id = :subnet_id";
  s.count = "SELECT COUNT(*) FROM lease4";
  s.count_by_subnet =
      "SELECT subnet_id, state, COUNT(*) FROM lease4 WHERE state = 0 OR state = 1"
      " GROUP BY subnet_id, state";
  return s;
}

[[noreturn]] void badColumn(long long address, const std::string& what) {
  throw db::DbError("lease4 row with address " + std::to_string(address) + ": " + what, false);
}

}  // namespace

void toParams(db::Backend backend, const Lease4& lease, LeaseRow& row) {
  row.address = lease.address.toUint();
  row.hwaddr = blobParam(backend, lease.hwaddr.bytes);
  row.client_id = blobParam(backend, lease.client_id.bytes);
  row.valid_lifetime = lease.valid_lifetime;
  row.expire = lease.expire();
  row.subnet_id = lease.subnet_id.value;
  row.fqdn_fwd = lease.fqdn_fwd ? 1 : 0;
  row.fqdn_rev = lease.fqdn_rev ? 1 : 0;
  row.hostname = lease.hostname;
  row.state = static_cast<int>(lease.state);
  row.user_context = lease.user_context;
  row.pool_id = lease.pool_id;
}

Lease4 fromResult(const LeaseRow& row) {
  if (row.address < 0 || row.address > kMaxU32) {
    badColumn(row.address, "the address is not an IPv4 address");
  }
  if (row.valid_lifetime < 0 || row.valid_lifetime > kMaxU32) {
    badColumn(row.address,
              "valid_lifetime " + std::to_string(row.valid_lifetime) + " is out of range");
  }
  if (row.subnet_id < 0 || row.subnet_id > kMaxU32 || row.pool_id < 0 || row.pool_id > kMaxU32) {
    badColumn(row.address, "subnet_id or pool_id is out of range");
  }
  if (row.state < 0 || static_cast<uint32_t>(row.state) > kMaxLeaseState) {
    badColumn(row.address, "unknown state " + std::to_string(row.state));
  }
  auto hw = parseHex(row.hwaddr);
  auto cid = parseHex(row.client_id);
  if (!hw || !cid) {
    badColumn(row.address, "hwaddr or client_id could not be read");
  }
  Lease4 l;
  l.address = IPv4Address(static_cast<uint32_t>(row.address));
  // The schema has no hardware type column (neither has Kea's CSV): Ethernet is assumed.
  l.hwaddr = HwAddr(1, std::move(*hw));
  l.client_id = ClientId(std::move(*cid));
  l.valid_lifetime = static_cast<uint32_t>(row.valid_lifetime);
  l.cltt = row.expire - row.valid_lifetime;
  l.subnet_id = SubnetId(static_cast<uint32_t>(row.subnet_id));
  l.fqdn_fwd = row.fqdn_fwd != 0;
  l.fqdn_rev = row.fqdn_rev != 0;
  l.hostname = row.hostname;
  l.state = static_cast<LeaseState>(row.state);
  l.user_context = row.user_context;
  l.pool_id = static_cast<uint32_t>(row.pool_id);
  return l;
}

const Lease4Sql& lease4Sql(db::Backend backend) { return perBackend<build>(backend); }

}  // namespace takahe::dhcpsrv::sql
