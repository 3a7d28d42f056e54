#include "db_recovery.h"

#include "takahe/db/connection.h"
#include "takahe/process/network_state.h"

namespace takahe::daemon {

namespace {
bool serves(db::OnFail f) { return f != db::OnFail::kStopRetryExit; }
bool exitsWhenExhausted(db::OnFail f) { return f != db::OnFail::kServeRetryContinue; }
}  // namespace

void DbRecovery::lost(const std::string& reason) {
  if (recovering_) return;
  recovering_ = true;
  tries_ = 0;
  ++generation_;
  TAKAHE_LOG(logger_, *msgs_.lost, db::describe(config_), reason);
  if (!serves(config_.on_fail)) network_.disable(kOrigin);
  if (config_.max_reconnect_tries == 0 && exitsWhenExhausted(config_.on_fail)) {
    giveUp();
    return;
  }
  uint64_t gen = generation_;
  hooks_.after(config_.reconnect_wait_time, [this, gen] {
    if (gen == generation_) attempt();
  });
}

void DbRecovery::failed(const std::exception& e) {
  if (const auto* dbe = dynamic_cast<const db::DbError*>(&e); dbe && dbe->connectionLost()) lost(e.what());
}

void DbRecovery::attempt() {
  ++tries_;
  std::string error;
  if (hooks_.reconnect(error)) {
    TAKAHE_LOG(logger_, *msgs_.reconnected, db::describe(config_), tries_);
    recovering_ = false;
    network_.enable(kOrigin);
    if (hooks_.resumed) hooks_.resumed();
    return;
  }
  bool limited = config_.max_reconnect_tries > 0 || exitsWhenExhausted(config_.on_fail);
  TAKAHE_LOG(logger_, *msgs_.reconnect_failed, tries_,
             limited ? std::to_string(config_.max_reconnect_tries) : std::string("unlimited"), error);
  if (exitsWhenExhausted(config_.on_fail) && tries_ >= config_.max_reconnect_tries) {
    giveUp();
    return;
  }
  uint64_t gen = generation_;
  hooks_.after(config_.reconnect_wait_time, [this, gen] {
    if (gen == generation_) attempt();
  });
}

void DbRecovery::giveUp() {
  TAKAHE_LOG(logger_, *msgs_.give_up, db::describe(config_), tries_);
  hooks_.exit(1);
}

}  // namespace takahe::daemon
