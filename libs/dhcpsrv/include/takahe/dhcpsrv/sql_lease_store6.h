#pragma once

// DHCPv6 leases in a SQL database (SQLite, PostgreSQL, MySQL/MariaDB) through libs/db.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/db/connection.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/lease_store6.h"

namespace takahe::dhcpsrv {

/// LeaseStore6 on one database connection, table `lease6` of the Takahe schema (version 3.0).
///
/// The address is the primary key, whatever the lease type (as memfile and Kea). Several
/// servers may share one database: add() is a plain INSERT that the key refuses when another
/// server inserted the address first, updateIf() and remove() are single statements whose
/// affected-row count tells whether they applied. Nothing is cached: every call reads the
/// database. Leases memfile refuses are refused too (takahe::Error), and so are hostnames longer
/// than 255 characters.
///
/// Thread-safe: one mutex serialises the calls on the connection (one session, prepared
/// statements kept for its life). Statement failures throw db::DbError; when the connection is
/// lost the error has connectionLost() true and every later call throws the same kind of error
/// at once until reconnect() succeeds.
class SqlLeaseStore6 final : public LeaseStore6 {
 public:
  /// Connects with `config` (backend sqlite, postgresql or mysql), checks the schema version and
  /// prepares the statements. Throws db::DbError (cannot connect, no schema or a schema of
  /// another major version: the message says which takahe-admin command to run).
  explicit SqlLeaseStore6(const db::DbConfig& config);
  /// Same on an open connection (the store takes it over; reconnect() uses its config()).
  explicit SqlLeaseStore6(std::unique_ptr<db::Connection> connection);
  /// A store that has not connected yet (`retry-on-startup`): every call fails as after a lost
  /// connection until reconnect() succeeds.
  static std::unique_ptr<SqlLeaseStore6> unconnected(const db::DbConfig& config);
  ~SqlLeaseStore6() override;
  SqlLeaseStore6(const SqlLeaseStore6&) = delete;
  SqlLeaseStore6& operator=(const SqlLeaseStore6&) = delete;

  /// Drops the current session, opens a new one with the same config, checks the schema and
  /// prepares the statements again. Returns false (the store stays unusable, every call throws
  /// a DbError with connectionLost() true) when that fails; `error`, when given, receives why.
  bool reconnect(std::string* error = nullptr);
  /// False after a lost connection until reconnect() succeeds.
  bool connected() const;
  const db::DbConfig& config() const;

  /// INSERT; false when the address is leased (of any type; also when another server inserted
  /// it first).
  bool add(const Lease6& lease) override;
  /// UPDATE by type and address; false when no lease of that type has the address.
  bool update(const Lease6& lease) override;
  /// One UPDATE of (expected.type, expected.address) applied only while the row still has
  /// expected's duid, iaid, expire and state; false (nothing changed) otherwise, and when
  /// `lease` names another address or type.
  bool updateIf(const Lease6& lease, const Lease6& expected) override;
  bool remove(Lease6Type type, const IPv6Address& address) override;
  std::optional<Lease6> get(Lease6Type type, const IPv6Address& address) const override;
  std::vector<Lease6> getByDuidIaid(const Duid& duid, uint32_t iaid,
                                    Lease6Type type) const override;
  std::vector<Lease6> getByDuid(const Duid& duid) const override;
  std::vector<Lease6> getByHostname(std::string_view hostname) const override;
  std::vector<Lease6> getBySubnet(SubnetId subnet_id) const override;
  std::vector<Lease6> getAll() const override;
  std::vector<Lease6> getPage(const IPv6Address& after, size_t limit) const override;
  std::vector<Lease6> getExpired(int64_t now, size_t max) const override;
  size_t removeReclaimedBefore(int64_t cutoff) override;
  size_t wipe(SubnetId subnet_id) override;
  size_t size() const override;
  std::map<SubnetId, SubnetLeaseCounts6> countBySubnet() const override;

 private:
  struct Impl;
  explicit SqlLeaseStore6(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcpsrv
