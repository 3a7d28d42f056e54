#pragma once

// Session handling shared by the SQL lease and host stores. A store's `Impl` derives from
// StoreSession<Prepared> and adds `open(std::unique_ptr<db::Connection>)` (checks the schema and
// prepares the statements, usually through openSession).

#include <soci/soci.h>

#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "takahe/db/connection.h"
#include "takahe/db/schema.h"

namespace takahe::dhcpsrv::sql {

/// The session of a SQL store: one connection, its `Prepared` statements bound to `buf`, and
/// whether the connection was lost. Calls are serialised on `mutex` (a pool of sessions could
/// lift this).
template <class Prepared>
struct StoreSession {
  /// `connected` false: a store that has not connected yet (every call fails as after a lost
  /// connection until reconnect()).
  explicit StoreSession(const db::DbConfig& c, bool connected = true)
      : config(c), lost(!connected) {}
  ~StoreSession() { prepared.reset(); }
  StoreSession(const StoreSession&) = delete;
  StoreSession& operator=(const StoreSession&) = delete;

  db::DbConfig config;
  std::mutex mutex;
  std::unique_ptr<db::Connection> conn;
  typename Prepared::Buffers buf;
  std::unique_ptr<Prepared> prepared;  // destroyed before `conn`
  bool lost = false;
};

/// Drops the session and opens a new one with the same configuration; false (the store stays
/// unusable, `error` says why) when that fails.
template <class Impl>
bool reconnectSession(Impl& impl, std::string* error) {
  std::lock_guard lock(impl.mutex);
  impl.prepared.reset();
  impl.conn.reset();
  impl.lost = true;
  try {
    impl.open(std::make_unique<db::Connection>(impl.config));
    return true;
  } catch (const std::exception& e) {
    impl.prepared.reset();
    impl.lost = true;
    if (error) *error = e.what();
    return false;
  }
}

/// Whether the store has a usable session.
template <class Impl>
bool sessionConnected(Impl& impl) {
  std::lock_guard lock(impl.mutex);
  return impl.prepared && !impl.lost;
}

/// Takes `c` over as impl's session, checks the schema and prepares `Prepared(session, sql,
/// impl.buf)`; throws db::DbError (`table` names the statements in the message).
template <class Prepared, class Impl, class Sql>
void openSession(Impl& impl, std::unique_ptr<db::Connection> c, const Sql& sql, const char* table) {
  impl.prepared.reset();
  impl.conn = std::move(c);
  impl.lost = false;
  db::checkSchema(*impl.conn);
  try {
    impl.prepared = std::make_unique<Prepared>(impl.conn->session(), sql, impl.buf);
  } catch (const db::DbError&) {
    throw;
  } catch (const std::exception& e) {
    impl.conn->rethrow(e, std::string("preparing the ") + table + " statements");
  }
}

/// Runs `f` (statements on impl.prepared) turning every failure into db::DbError, described by
/// `doing()` (only called on failure); a lost connection makes the store refuse further calls
/// until reconnect(). `database` is "lease" or "host", for the message of those refusals.
template <class Impl, class Doing, class F>
auto runOnSession(Impl& impl, const char* database, Doing&& doing, F&& f) -> decltype(f()) {
  if (!impl.prepared || impl.lost) {
    throw db::DbError(std::string("the ") + database + " database (" + db::describe(impl.config) +
                          ") is not connected: the connection was lost",
                      true);
  }
  try {
    return f();
  } catch (const db::DbError& e) {
    impl.lost = impl.lost || e.connectionLost();
    throw;
  } catch (const std::exception& e) {
    try {
      impl.conn->rethrow(e, doing());
    } catch (const db::DbError& d) {
      impl.lost = impl.lost || d.connectionLost();
      throw;
    }
  }
}

/// Declares `exchanges` (soci::use / soci::into, in the statement's order, after any declared
/// before) and prepares `st` with `text`.
template <class... Exchanges>
void prepareStatement(soci::statement& st, const std::string& text, Exchanges&&... exchanges) {
  (st.exchange(std::forward<Exchanges>(exchanges)), ...);
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
}

/// Executes a select whose columns are bound to `out` and returns convert(out) for each row.
/// The statement is always run to its end: a SQLite statement left on a row keeps its read
/// transaction open, so the session would go on reading an old snapshot and fail to write
/// (SQLITE_BUSY) once another connection has written. Rows are converted after the fetch, so
/// that a bad row cannot leave the statement open.
template <class Row, class Convert>
auto fetchAll(soci::statement& st, const Row& out, Convert&& convert) {
  std::vector<Row> raw;
  st.execute();
  while (st.fetch()) {
    raw.push_back(out);
  }
  std::vector<decltype(convert(out))> result;
  result.reserve(raw.size());
  for (const Row& r : raw) {
    result.push_back(convert(r));
  }
  return result;
}

/// Executes a select of at most one row; false when there is none. Runs it to its end too.
inline bool fetchOne(soci::statement& st) {
  if (!st.execute(true)) {
    return false;
  }
  while (st.fetch()) {
  }
  return true;
}

/// The LIMIT for "at most n", 0 meaning no limit (a value every backend's LIMIT accepts).
inline long long limitOf(size_t n) {
  constexpr long long kNoLimit = std::numeric_limits<long long>::max() / 2;
  return n == 0 || n > static_cast<size_t>(kNoLimit) ? kNoLimit : static_cast<long long>(n);
}

}  // namespace takahe::dhcpsrv::sql
