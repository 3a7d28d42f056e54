#include "lease6_sql.h"

#include <algorithm>
#include <array>

#include "../leases/csv_text.h"
#include "../leases6/lease6_checks.h"
#include "takahe/db/connection.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::dhcpsrv::sql {

namespace {

constexpr long long kMaxU32 = 0xffffffffll;
constexpr size_t kMaxHostname = 255;    // lease6.hostname VARCHAR(255)

Lease6Sql build(db::Backend b) {
  const std::string columns =
      hexOf(b, "address") + ", " + hexOf(b, "duid") +
      ", valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len,"
      " fqdn_fwd, fqdn_rev, hostname, " +
      hexOf(b, "hwaddr") + ", state, user_context, hwtype, hwaddr_source, pool_id";
  const std::string select = "SELECT " + columns + " FROM lease6 ";
  const std::string set = "duid = " + binParam(b, "duid") +
                          ", valid_lifetime = :valid_lifetime, expire = :expire,"
                          " subnet_id = :subnet_id, pref_lifetime = :pref_lifetime, iaid = :iaid,"
                          " prefix_len = :prefix_len, fqdn_fwd = :fqdn_fwd, fqdn_rev = :fqdn_rev,"
                          " hostname = :hostname, hwaddr = " +
                          binParam(b, "hwaddr") +
                          ", state = :state, user_context = :user_context, hwtype = :hwtype,"
                          " hwaddr_source = :hwaddr_source, pool_id = :pool_id";
  const std::string key =
      " WHERE address = " + binParam(b, "address") + " AND lease_type = :lease_type";
  Lease6Sql s;
  s.get = select + key;
  s.by_duid_iaid = select + "WHERE duid = " + binParam(b, "duid") +
                   " AND iaid = :iaid AND lease_type = :lease_type ORDER BY address";
  s.by_duid = select + "WHERE duid = " + binParam(b, "duid") + " ORDER BY address";
  s.by_hostname = select + "WHERE " + hostnameMatch(b) + " ORDER BY address";
  s.by_subnet = select + "WHERE subnet_id = :subnet_id ORDER BY address";
  s.all = select + "ORDER BY address";
  s.page = select + "WHERE address > " + binParam(b, "after") + " ORDER BY address LIMIT :limit";
  s.expired = select + kExpiredClause;
  // Address and type first, then the columns in the order of `set` (how the store binds them).
  s.insert =
      "INSERT INTO lease6 (address, lease_type, duid, valid_lifetime, expire, subnet_id,"
      " pref_lifetime, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, state,"
      " user_context, hwtype, hwaddr_source, pool_id) VALUES (" +
      binParam(b, "address") + ", :lease_type, " + binParam(b, "duid") +
      ", :valid_lifetime, :expire, :subnet_id, :pref_lifetime, :iaid, :prefix_len, :fqdn_fwd,"
      " :fqdn_rev, :hostname, " +
      binParam(b, "hwaddr") + ", :state, :user_context, :hwtype, :hwaddr_source, :pool_id)";
  s.update = "UPDATE lease6 SET " + set + key;
  s.update_if = "UPDATE lease6 SET " + set + key + " AND duid = " + binParam(b, "expected_duid") +
                " AND iaid = :expected_iaid AND expire = :expected_expire"
                " AND state = :expected_state";
  s.remove = "DELETE FROM lease6" + key;
  s.remove_reclaimed = "DELETE FROM lease6 WHERE state = 2 AND expire < :cutoff";
  s.wipe = "DELETE FROM lease6 WHERE subnet_id = :subnet_id";
  s.count = "SELECT COUNT(*) FROM lease6";
  // Assigned (0) and declined (1) addresses and prefixes: what the statistics count.
  s.count_by_subnet =
      "SELECT subnet_id, lease_type, state, COUNT(*) FROM lease6"
      " WHERE state IN (0, 1) AND lease_type IN (0, 2) GROUP BY subnet_id, lease_type, state";
  return s;
}

[[noreturn]] void badColumn(const std::string& address, const std::string& what) {
  throw db::DbError("lease6 row with address " + address + ": " + what, false);
}

}  // namespace

void validateLease6(const Lease6& lease) {
  detail::checkStorable6(lease, kMaxHostname, "hostname longer than 255 characters (the lease6 table's limit)");
}

std::string addressParam(db::Backend backend, const IPv6Address& address) {
  return blobParam(backend, address.bytes());
}

void toParams(db::Backend backend, const Lease6& lease, Lease6Row& row) {
  row.address = addressParam(backend, lease.address);
  row.duid = blobParam(backend, lease.duid.bytes);
  row.valid_lifetime = lease.valid_lifetime;
  row.expire = lease.expire();
  row.subnet_id = lease.subnet_id.value;
  row.pref_lifetime = lease.preferred_lifetime;
  row.lease_type = static_cast<int>(lease.type);
  row.iaid = lease.iaid;
  row.prefix_len = lease.prefix_len;
  row.fqdn_fwd = lease.fqdn_fwd ? 1 : 0;
  row.fqdn_rev = lease.fqdn_rev ? 1 : 0;
  row.hostname = lease.hostname;
  row.hwaddr = blobParam(backend, lease.hwaddr.bytes);
  row.state = static_cast<int>(lease.state);
  row.user_context = lease.user_context;
  row.hwtype = lease.hwaddr.htype;
  row.hwaddr_source = lease.hwaddr_source;
  row.pool_id = lease.pool_id;
}

Lease6 fromResult(const Lease6Row& row) {
  auto address = parseHex(row.address);
  if (!address || address->size() != 16) {
    badColumn(row.address, "the address is not 16 bytes");
  }
  std::array<uint8_t, 16> bytes{};
  std::copy(address->begin(), address->end(), bytes.begin());
  Lease6 l;
  l.address = IPv6Address(bytes);
  const std::string where = l.address.toString();
  auto u32 = [&](long long v, const char* column) {
    if (v < 0 || v > kMaxU32) {
      badColumn(where, std::string(column) + " " + std::to_string(v) + " is out of range");
    }
    return static_cast<uint32_t>(v);
  };
  if (row.lease_type < 0 || static_cast<uint32_t>(row.lease_type) > kMaxLease6Type) {
    badColumn(where, "unknown lease_type " + std::to_string(row.lease_type));
  }
  if (row.prefix_len < 1 || row.prefix_len > 128) {
    badColumn(where, "prefix_len " + std::to_string(row.prefix_len) + " is not in 1..128");
  }
  if (row.state < 0 || static_cast<uint32_t>(row.state) > kMaxLeaseState) {
    badColumn(where, "unknown state " + std::to_string(row.state));
  }
  if (row.hwtype < 0 || row.hwtype > 0xff) {
    badColumn(where, "hwtype " + std::to_string(row.hwtype) + " is out of range");
  }
  auto duid = parseHex(row.duid);
  auto hw = parseHex(row.hwaddr);
  if (!duid || !hw) {
    badColumn(where, "duid or hwaddr could not be read");
  }
  l.type = static_cast<Lease6Type>(row.lease_type);
  l.prefix_len = static_cast<uint8_t>(row.prefix_len);
  l.duid = Duid(std::move(*duid));
  l.iaid = u32(row.iaid, "iaid");
  l.preferred_lifetime = u32(row.pref_lifetime, "pref_lifetime");
  l.valid_lifetime = u32(row.valid_lifetime, "valid_lifetime");
  l.cltt = row.expire - row.valid_lifetime;
  l.subnet_id = SubnetId(u32(row.subnet_id, "subnet_id"));
  l.pool_id = u32(row.pool_id, "pool_id");
  l.fqdn_fwd = row.fqdn_fwd != 0;
  l.fqdn_rev = row.fqdn_rev != 0;
  l.hostname = row.hostname;
  l.hwaddr = HwAddr(static_cast<uint8_t>(row.hwtype), std::move(*hw));
  l.hwaddr_source = u32(row.hwaddr_source, "hwaddr_source");
  l.state = static_cast<LeaseState>(row.state);
  l.user_context = row.user_context;
  return l;
}

const Lease6Sql& lease6Sql(db::Backend backend) { return perBackend<build>(backend); }

}  // namespace takahe::dhcpsrv::sql
