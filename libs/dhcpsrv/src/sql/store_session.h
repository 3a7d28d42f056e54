#pragma once

// Session handling shared by the SQL lease and host stores. `Impl` has `mutex`, `config`,
// `conn`, `prepared`, `lost` and `open(std::unique_ptr<db::Connection>)` (checks the schema and
// prepares the statements).

#include <memory>
#include <mutex>
#include <string>

#include "takahe/db/connection.h"

namespace takahe::dhcpsrv::sql {

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

}  // namespace takahe::dhcpsrv::sql
