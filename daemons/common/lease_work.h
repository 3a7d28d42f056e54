#pragma once

// What takahe-dhcp4 and takahe-dhcp6 do alike with their lease store, as templates over the
// daemon's configuration, store and processor types:
//  - swapLeaseStore: a reconfiguration that names another lease store (file, settings);
//  - LeaseTimers: the periodic reclamation of expired leases, the flush of reclaimed ones and
//    the lease file cleanup (lfc-interval), on the ServerFrame's timers.

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/log/logger.h"
#include "takahe/process/server_frame.h"
#include "takahe/util/time.h"

namespace takahe::daemon {

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
