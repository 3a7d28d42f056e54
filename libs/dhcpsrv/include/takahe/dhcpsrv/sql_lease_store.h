#pragma once

// DHCPv4 leases in a SQL database (SQLite, PostgreSQL, MySQL/MariaDB) through libs/db.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/db/connection.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/lease_store.h"

namespace takahe::dhcpsrv {

/// LeaseStore4 on one database connection, table `lease4` of the Takahe schema (issue 5).
///
/// Several servers may share one database: add() is a plain INSERT that the primary key refuses
/// when another server inserted the address first, updateIf() and remove() are single
/// statements whose affected-row count tells whether they applied. Nothing is cached: every call
/// reads the database.
///
/// Thread-safe: one mutex serialises the calls on the connection (one session, prepared
/// statements kept for its life). Statement failures throw db::DbError; when the connection is
/// lost the error has connectionLost() true and every later call throws the same kind of error
/// at once until reconnect() succeeds.
class SqlLeaseStore4 final : public LeaseStore4 {
 public:
  /// Connects with `config` (backend sqlite, postgresql or mysql), checks the schema version and
  /// prepares the statements. Throws db::DbError (cannot connect, no schema or a schema of
  /// another major version: the message says which takahe-admin command to run).
  explicit SqlLeaseStore4(const db::DbConfig& config);
  /// Same on an open connection (the store takes it over; reconnect() uses its config()).
  explicit SqlLeaseStore4(std::unique_ptr<db::Connection> connection);
  /// A store that has not connected yet (`retry-on-startup`): every call fails as after a lost
  /// connection until reconnect() succeeds.
  static std::unique_ptr<SqlLeaseStore4> unconnected(const db::DbConfig& config);
  ~SqlLeaseStore4() override;
  SqlLeaseStore4(const SqlLeaseStore4&) = delete;
  SqlLeaseStore4& operator=(const SqlLeaseStore4&) = delete;

  /// Drops the current session, opens a new one with the same config, checks the schema and
  /// prepares the statements again. Returns false (the store stays unusable, every call throws
  /// a DbError with connectionLost() true) when that fails; `error`, when given, receives why.
  bool reconnect(std::string* error = nullptr);
  /// False after a lost connection until reconnect() succeeds.
  bool connected() const;
  const db::DbConfig& config() const;

  /// INSERT; false when the address exists (also when another server inserted it first).
  bool add(const Lease4& lease) override;
  /// UPDATE by address; false when no lease has the address.
  bool update(const Lease4& lease) override;
  /// One UPDATE of expected.address applied only while the row still has expected's hwaddr,
  /// client_id, expire and state; false (nothing changed) otherwise, and when lease.address
  /// differs from expected.address.
  bool updateIf(const Lease4& lease, const Lease4& expected) override;
  bool remove(IPv4Address address) override;
  std::optional<Lease4> get(IPv4Address address) const override;
  std::vector<Lease4> getByHwAddr(const HwAddr& hwaddr) const override;
  std::vector<Lease4> getByClientId(const ClientId& client_id) const override;
  std::vector<Lease4> getByHostname(std::string_view hostname) const override;
  std::vector<Lease4> getBySubnet(SubnetId subnet_id) const override;
  std::vector<Lease4> getAll() const override;
  std::vector<Lease4> getPage(IPv4Address after, size_t limit) const override;
  std::vector<Lease4> getExpired(int64_t now, size_t max) const override;
  size_t removeReclaimedBefore(int64_t cutoff) override;
  size_t wipe(SubnetId subnet_id) override;
  size_t size() const override;
  std::map<SubnetId, SubnetLeaseCounts> countBySubnet() const override;

 private:
  struct Impl;
  explicit SqlLeaseStore4(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcpsrv
