#pragma once

// One open session to a SQL database through SOCI. SOCI's headers stay out of this header: code
// that runs statements includes <soci/soci.h> itself and uses session().

#include <memory>
#include <string>

#include "takahe/db/db_config.h"
#include "takahe/util/error.h"

namespace soci {
class session;
}

namespace takahe::db {

/// A database operation failed. `connectionLost()` tells a lost server (reconnect and retry
/// later) from an error of the statement itself.
class DbError : public Error {
 public:
  DbError(const std::string& what, bool connection_lost) : Error(what), lost_(connection_lost) {}
  bool connectionLost() const { return lost_; }

 private:
  bool lost_;
};

/// A unique key (or primary key) was violated: the row exists already (another server won).
class DuplicateKey : public DbError {
 public:
  explicit DuplicateKey(const std::string& what) : DbError(what, false) {}
};

class Connection {
 public:
  /// Connects. Throws DbError with one line an operator can act on, naming the parameter when
  /// the cause is known ("cannot connect to postgresql database 'kea' at 127.0.0.1:5999: connection
  /// refused (check host and port)", "... password authentication failed (check user and password)").
  explicit Connection(const DbConfig& config);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const DbConfig& config() const { return config_; }
  Backend backend() const { return config_.backend; }
  soci::session& session();

  /// Runs SQL text (several statements separated by ';' allowed: schema scripts).
  void execute(const std::string& sql);

  /// Whether the server still answers (a cheap round trip).
  bool alive();

  /// Wraps a SOCI (or other) exception from a statement into DbError / DuplicateKey, with the
  /// operation named: rethrow(e, "inserting the lease for 192.0.2.1").
  [[noreturn]] void rethrow(const std::exception& e, const std::string& doing) const;

 private:
  DbConfig config_;
  std::unique_ptr<soci::session> session_;
};

}  // namespace takahe::db
