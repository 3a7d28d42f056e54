#pragma once

// DHCPv4 host reservations in a SQL database (SQLite, PostgreSQL, MySQL/MariaDB) through libs/db.

#include <memory>
#include <string>

#include "takahe/db/connection.h"
#include "takahe/db/db_config.h"
#include "takahe/dhcpsrv/host_store.h"

namespace takahe::dhcpsrv {

/// HostStore4 on one database connection, table `hosts4` of the Takahe schema (issue 5), with
/// MemfileHostStore4's semantics: same refusals and messages, same list order, same page
/// positions.
///
/// Several servers may share one database: add() is a plain INSERT that the table's unique
/// keys (identifier type, identifier, subnet) and (address, subnet) refuse when a reservation
/// exists, also one another server inserted a moment before; the refusal is the takahe::Error
/// memfile gives ("a reservation for hw-address 01:02:... in subnet 1 already exists",
/// "address 192.0.2.10 is already reserved in subnet 1 for hw-address 01:02:..."). Lookups
/// read the database on every call. Options are stored in option_data as a JSON list in Kea's
/// option-data syntax (written as host_json.h writes them: parseable back to the same bytes).
///
/// size() is cached, as the packet path asks for it on every packet: it is exact for this
/// store's own writes and picks up other servers' writes with a SELECT COUNT(*) run at most
/// once per second (from a size() call, never waiting for a busy store). It never throws: when
/// the database cannot be read it returns the last count.
///
/// With DbConfig::readonly, add(), remove() and removeByAddress() throw takahe::Error "the host
/// database is read-only (readonly: true)" without touching the database.
///
/// Thread-safe: one mutex serialises the calls on the connection (one session, prepared
/// statements kept for its life). Statement failures throw db::DbError; when the connection is
/// lost the error has connectionLost() true and every later call throws the same kind of error
/// at once until reconnect() succeeds.
class SqlHostStore4 final : public HostStore4 {
 public:
  /// Connects with `config` (backend sqlite, postgresql or mysql), checks the schema version,
  /// prepares the statements and counts the reservations. Throws db::DbError (cannot connect,
  /// no schema or a schema of another major version: the message says which takahe-admin
  /// command to run).
  explicit SqlHostStore4(const db::DbConfig& config);
  /// Same on an open connection (the store takes it over; reconnect() uses its config()).
  explicit SqlHostStore4(std::unique_ptr<db::Connection> connection);
  ~SqlHostStore4() override;
  SqlHostStore4(const SqlHostStore4&) = delete;
  SqlHostStore4& operator=(const SqlHostStore4&) = delete;

  /// Drops the current session, opens a new one with the same config, checks the schema,
  /// prepares the statements and counts again. Returns false (the store stays unusable, every
  /// call throws a DbError with connectionLost() true) when that fails; `error`, when given,
  /// receives why.
  bool reconnect(std::string* error = nullptr);
  /// False after a lost connection until reconnect() succeeds.
  bool connected() const;
  const db::DbConfig& config() const;

  /// Also refuses, as memfile, an empty identifier; and, before the database would, an
  /// identifier over 255 bytes, a hostname over 255, a server-hostname over 64 or a
  /// boot-file-name over 128 bytes (the column sizes).
  void add(const Host4& host) override;
  bool remove(SubnetId subnet, HostIdType type, const Bytes& identifier) override;
  bool removeByAddress(SubnetId subnet, IPv4Address address) override;

  std::optional<Host4> get(SubnetId subnet, HostIdType type, const Bytes& identifier) const override;
  std::optional<Host4> getByAddress(SubnetId subnet, IPv4Address address) const override;
  std::vector<Host4> getById(HostIdType type, const Bytes& identifier) const override;
  std::vector<Host4> getByHostname(std::string_view hostname,
                                   std::optional<SubnetId> subnet) const override;
  std::vector<Host4> getAll(SubnetId subnet) const override;
  /// Positions are ordinals in the subnet's (identifier type, identifier) order (LIMIT /
  /// OFFSET): a page continues after the `from` first reservations, whatever was added or
  /// removed meanwhile. `next` never passes the number of reservations in the subnet.
  std::vector<Host4> getPage(SubnetId subnet, size_t from, size_t limit,
                             size_t& next) const override;
  std::vector<Host4> getAll() const override;
  /// Cached count (see the class comment).
  size_t size() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcpsrv
