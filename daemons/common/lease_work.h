#pragma once

// What takahe-dhcp4 and takahe-dhcp6 do alike with their lease store, as templates over the
// daemon's configuration, store and processor types:
//  - swapLeaseStore: a reconfiguration that names another lease store (file, settings);
//  - LeaseTimers: the periodic reclamation of expired leases, the flush of reclaimed ones and
//    the lease file cleanup (lfc-interval), on the ServerFrame's timers, and leases-reclaim;
//  - opening the lease store a configuration names (memfile or SQL).

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/db/connection.h"
#include "takahe/dhcpsrv/data_paths.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/log/logger.h"
#include "takahe/process/server_frame.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::daemon {

struct LeaseStoreMessages {
  const log::MessageId* db_opened;      // %1 database, %2 leases there
  const log::MessageId* db_start_retry;  // %1 database, %2 why
  const log::MessageId* load_warning;    // %1 file:line: reason
  const log::MessageId* loaded;          // %1 file, %2 leases
};

/// Opens the lease store `cfg` names: `SqlStore` on its database (with retry-on-startup, a
/// database not reachable yet gives an unconnected store that recovery reconnects; wrong
/// credentials or names still throw), else `MemfileStore` on its file (default `default_file`
/// in the data directory), loaded, with the load's warnings logged.
template <class Base, class SqlStore, class MemfileStore, class Config>
std::unique_ptr<Base> openLeaseStoreOf(const Config& cfg, const std::string& default_file,
                                       const std::string& config_file, const log::Logger& logger,
                                       const LeaseStoreMessages& msgs) {
  if (const auto& sql = cfg.lease_database.sql) {
    try {
      auto store = std::make_unique<SqlStore>(*sql);
      TAKAHE_LOG(logger, *msgs.db_opened, db::describe(*sql), store->size());
      return store;
    } catch (const db::DbError& e) {
      if (!sql->retry_on_startup || !e.connectionLost()) throw;
      TAKAHE_LOG(logger, *msgs.db_start_retry, db::describe(*sql), e.what());
      return SqlStore::unconnected(*sql);
    }
  }
  dhcpsrv::MemfileConfig mc = dhcpsrv::memfileConfig(cfg.lease_database, default_file, config_file);
  auto fresh = std::make_unique<MemfileStore>(mc);
  const auto& report = fresh->loadReport();
  for (const auto& issue : report.issues) {
    TAKAHE_LOG(logger, *msgs.load_warning, issue.file + ":" + std::to_string(issue.line) + ": " + issue.reason);
  }
  for (const auto& note : report.notes) TAKAHE_LOG(logger, *msgs.load_warning, note);
  TAKAHE_LOG(logger, *msgs.loaded, mc.persist ? mc.path : std::string("(memory only)"), fresh->size());
  return fresh;
}

/// Whether the running `store` is the one `cfg` names (same database, or same file and
/// settings); the memfile settings compared are those a reload cannot change in place.
template <class SqlStore, class MemfileStore, class Base, class Config>
bool leaseStoreIs(const Base* store, const Config& cfg, const std::string& default_file) {
  if (const auto* sql = dynamic_cast<const SqlStore*>(store)) {
    return cfg.lease_database.sql && sql->config() == *cfg.lease_database.sql;
  }
  const auto* m = dynamic_cast<const MemfileStore*>(store);
  if (!m || cfg.lease_database.sql) return false;
  const auto& c = m->config();
  return c.path == dhcpsrv::leaseFilePath(cfg.lease_database, default_file) && c.persist == cfg.lease_database.persist &&
         c.max_row_errors == cfg.lease_database.max_row_errors;
}

/// Whether `store` is a memfile store on the file `cfg` names (its lock must be let go before
/// the file is opened again).
template <class MemfileStore, class Base, class Config>
bool sameLeaseFileOf(const Base* store, const Config& cfg, const std::string& default_file) {
  const auto* m = dynamic_cast<const MemfileStore*>(store);
  return m && !cfg.lease_database.sql && m->config().path == dhcpsrv::leaseFilePath(cfg.lease_database, default_file);
}

/// Replaces `store` (and the processor built on it) with the one `cfg` names. A store on the
/// same file must let go of it (its lock) first, and comes back with `previous` settings when
/// the new ones cannot be used; if even that fails the server stops (exit 1: a supervisor
/// restarts it) rather than serve without leases. Rethrows the reason the new store failed.
template <class Config, class Store, class Processor>
void swapLeaseStore(const Config& cfg, const Config* previous, bool same_file, std::unique_ptr<Store>& store,
                    std::unique_ptr<Processor>& processor,
                    const std::function<std::unique_ptr<Store>(const Config&)>& open,
                    const std::function<std::unique_ptr<Processor>()>& make_processor, process::ServerFrame& frame,
                    const log::Logger& logger, const log::MessageId& store_lost) {
  if (same_file) {
    processor.reset();
    store.reset();
  }
  std::unique_ptr<Store> fresh;
  try {
    fresh = open(cfg);
  } catch (...) {
    if (same_file && previous) {
      try {
        store = open(*previous);
        processor = make_processor();
        processor->configure(*previous);
      } catch (const std::exception& e) {
        TAKAHE_LOG(logger, store_lost, e.what());
        frame.stop(1);
      }
    }
    throw;
  }
  processor.reset();
  store = std::move(fresh);
  processor = make_processor();
}

/// Registers `leases-reclaim` (Kea's): every expired lease is reclaimed now, without the
/// periodic cycle's limits; `"remove": true` deletes them instead of keeping them reclaimed.
/// `config` and `processor` give the running configuration and processor.
template <class Config, class Processor>
void registerLeasesReclaim(process::CommandRegistry& registry, std::function<const Config&()> config,
                           std::function<Processor&()> processor) {
  registry.add("leases-reclaim", [config, processor](const cc::Command& cmd) {
    const cc::Value* v = cmd.arguments && cmd.arguments->isMap() ? cmd.arguments->find("remove") : nullptr;
    if (!v) throw Error("'leases-reclaim': missing mandatory 'remove' argument");
    if (!v->isBool()) throw Error("'leases-reclaim': 'remove' must be a boolean");
    Config unlimited = config();
    unlimited.expired_leases.max_reclaim_leases = 0;
    unlimited.expired_leases.max_reclaim_time = 0;
    if (v->asBool()) unlimited.expired_leases.hold_reclaimed_time = 0;
    auto reclaimed = processor().reclaimExpired(unlimited, nowUnixSeconds()).first;
    return cc::makeAnswer(cc::ResultCode::kSuccess,
                          "Reclamation of expired leases is complete (" + std::to_string(reclaimed) + " reclaimed).");
  });
}

struct LeaseTimerMessages {
  const log::MessageId* reclaimed;           // debug: %1 leases in %2 ms
  const log::MessageId* reclaim_incomplete;  // %1 cycles
  const log::MessageId* process_fail;        // %1 what, %2 why
  const log::MessageId* lfc_start;
  const log::MessageId* lfc_fail;  // %1 why
};

/// Reclamation, flush and LFC on the frame's timers, restarted with each configuration.
/// `Memfile` is the memfile store type (startLfc / pollLfc); `memfile` returns the running one
/// or nullptr (leases in a database).
template <class Config, class Processor, class Memfile>
class LeaseTimers {
 public:
  struct Access {
    std::function<Processor*()> processor;
    std::function<const Config*()> config;
    std::function<Memfile*()> memfile;
    std::function<void(const std::exception&)> failed;  // e.g. a lost database starts recovery
  };

  LeaseTimers(process::ServerFrame& frame, const log::Logger& logger, LeaseTimerMessages msgs, Access access)
      : frame_(frame), logger_(logger), msgs_(msgs), a_(std::move(access)) {}

  /// (Re)starts the timers with the running configuration's intervals (0 = off), and the
  /// once-a-second check for a finished takahe-lfc.
  void restart() {
    using std::chrono::seconds;
    const Config& cfg = *a_.config();
    const auto& e = cfg.expired_leases;
    frame_.every("reclaim", seconds(e.reclaim_timer_wait_time), [this] { reclaim(); });
    frame_.every("flush", seconds(e.flush_reclaimed_timer_wait_time), [this] { flush(); });
    const auto& db = cfg.lease_database;
    bool lfc = db.lfc_interval > 0 && db.persist && !db.sql;
    frame_.every("lfc", seconds(lfc ? db.lfc_interval : 0), [this] { startLfc(); });
    frame_.every("lfc-poll", seconds(1), [this] { pollLfc(); });
  }

 private:
  void reclaim() {
    try {
      int64_t t0 = monotonicMicros();
      const Config& cfg = *a_.config();
      auto [n, more] = a_.processor()->reclaimExpired(cfg, nowUnixSeconds());
      if (n) TAKAHE_LOG_DEBUG(logger_, 40, *msgs_.reclaimed, n, (monotonicMicros() - t0) / 1000);
      unwarned_cycles_ = more ? unwarned_cycles_ + 1 : 0;
      auto limit = cfg.expired_leases.unwarned_reclaim_cycles;
      if (limit && unwarned_cycles_ >= limit) {
        TAKAHE_LOG(logger_, *msgs_.reclaim_incomplete, unwarned_cycles_);
        unwarned_cycles_ = 0;
      }
    } catch (const std::exception& ex) {
      TAKAHE_LOG(logger_, *msgs_.process_fail, "reclamation", ex.what());
      if (a_.failed) a_.failed(ex);
    }
  }

  void flush() {
    try {
      a_.processor()->flushReclaimed(*a_.config(), nowUnixSeconds());
    } catch (const std::exception& ex) {
      TAKAHE_LOG(logger_, *msgs_.process_fail, "flush of reclaimed leases", ex.what());
      if (a_.failed) a_.failed(ex);
    }
  }

  void startLfc() {
    try {
      Memfile* m = a_.memfile();
      if (m && m->startLfc() == dhcpsrv::LfcStart::kStarted) TAKAHE_LOG(logger_, *msgs_.lfc_start);
    } catch (const std::exception& ex) {
      TAKAHE_LOG(logger_, *msgs_.lfc_fail, ex.what());
    }
  }

  void pollLfc() {
    if (Memfile* m = a_.memfile()) {
      if (auto rc = m->pollLfc(); rc && *rc != 0) {
        TAKAHE_LOG(logger_, *msgs_.lfc_fail, "takahe-lfc exited with status " + std::to_string(*rc));
      }
    }
  }

  process::ServerFrame& frame_;
  const log::Logger& logger_;
  LeaseTimerMessages msgs_;
  Access a_;
  unsigned unwarned_cycles_ = 0;
};

}  // namespace takahe::daemon
