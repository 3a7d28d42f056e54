#pragma once

// What a DHCP server (takahe-dhcp4, takahe-dhcp6) does when its lease database goes away (Kea's `on-fail`): stop or keep
// serving, try to reconnect every `reconnect-wait-time` ms up to `max-reconnect-tries` times,
// resume when the database is back, or exit. No ACK is ever sent for a lease that was not
// stored: a failed write already fails the exchange; this only decides what happens next.

#include <cstdint>
#include <functional>
#include <string>

#include "takahe/db/db_config.h"
#include "takahe/log/logger.h"

namespace takahe::process {
class NetworkState;
}

namespace takahe::daemon {

using process::NetworkState;

/// The daemon's catalogued messages recovery logs with.
struct DbRecoveryMessages {
  const log::MessageId* lost;              // %1 database, %2 reason
  const log::MessageId* reconnected;       // %1 database, %2 attempts
  const log::MessageId* reconnect_failed;  // %1 attempt, %2 of, %3 error
  const log::MessageId* give_up;           // %1 database, %2 attempts
};

class DbRecovery {
 public:
  struct Hooks {
    std::function<bool(std::string& error)> reconnect;           // true when the store is back
    std::function<void(uint32_t ms, std::function<void()>)> after;  // runs fn later on the io thread
    std::function<void(int exit_code)> exit;                     // stops the server
    std::function<void()> resumed;                               // the database is back
  };

  DbRecovery(NetworkState& network, const log::Logger& logger, DbRecoveryMessages msgs, Hooks hooks)
      : network_(network), logger_(logger), msgs_(msgs), hooks_(std::move(hooks)) {}

  /// The parameters of the database in use (on every reconfiguration).
  void configure(const db::DbConfig& config) { config_ = config; }

  /// Called wherever a database operation failed with a lost connection. Idempotent while a
  /// recovery is under way.
  void lost(const std::string& reason);
  /// Starts recovery when `e` is a db::DbError for a lost connection; ignores anything else
  /// (the store's own errors, a refused lease).
  void failed(const std::exception& e);

  bool recovering() const { return recovering_; }
  /// The origin that disables service while the database is away (status-get shows it).
  static constexpr const char* kOrigin = "db-connection";

 private:
  void attempt();
  void giveUp();

  NetworkState& network_;
  const log::Logger& logger_;
  DbRecoveryMessages msgs_;
  Hooks hooks_;
  db::DbConfig config_;
  bool recovering_ = false;
  uint32_t tries_ = 0;
  uint64_t generation_ = 0;  // a reconfiguration during recovery starts a new one
};

}  // namespace takahe::daemon
