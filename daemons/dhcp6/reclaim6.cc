// Processor6's reclamation of expired leases (expired-leases-processing): the periodic cycle and
// leases-reclaim, with the lease6_expire / lease6_recover hook points.

#include "processor6.h"
#include "takahe/dhcpsrv/lease_stats6.h"
#include "takahe/util/time.h"

namespace takahe::dhcp6 {

using dhcpsrv::Lease6;
using dhcpsrv::SrvConfig6;

std::pair<size_t, bool> Processor6::reclaimExpired(const SrvConfig6& cfg, int64_t now) {
  const auto& e = cfg.expired_leases;
  const int64_t deadline = monotonicMicros() + int64_t{e.max_reclaim_time} * 1000;
  const size_t limit = e.max_reclaim_leases;  // 0: all of them
  // One more than the limit, to tell whether more remain.
  std::vector<Lease6> expired = store_.getExpired(now, limit ? limit + 1 : 0);
  const bool hold = e.flush_reclaimed_timer_wait_time > 0 && e.hold_reclaimed_time > 0;
  size_t done = 0;
  for (const Lease6& lease : expired) {
    if ((limit && done >= limit) || (e.max_reclaim_time && monotonicMicros() > deadline)) break;
    ++done;
    const bool declined = lease.state == dhcpsrv::LeaseState::kDeclined;
    if (int point = !hooks_ ? -1 : declined ? hooks_->lease6_recover : hooks_->lease6_expire;
        hooks_ && hooks_->present(point)) {
      auto handle = hooks_->manager().createHandle();
      handle->setArgument("lease6", std::make_shared<Lease6>(lease));
      if (!declined) handle->setArgument("remove_lease", !hold);
      if (hooks_->call(point, *handle) != hooks::NextStep::kContinue) continue;
    }
    // Kept (marked reclaimed, so a returning client gets its address back) or removed.
    Lease6 reclaimed = lease;
    reclaimed.state = dhcpsrv::LeaseState::kExpiredReclaimed;
    if (declined) reclaimed.hostname.clear();
    const bool stored = hold ? store_.update(reclaimed) : store_.remove(lease.type, lease.address);
    if (!stored) continue;
    dhcpsrv::updateLeaseStats6(stats_, &lease, hold ? &reclaimed : nullptr);
    SubnetCounters* c = counters(lease.subnet_id);
    g_reclaimed_.inc();
    if (c) c->reclaimed.inc();
    if (declined) {
      g_reclaimed_declined_.inc();
      if (c) c->reclaimed_declined.inc();
    }
  }
  return {done, expired.size() > done};
}

size_t Processor6::flushReclaimed(const SrvConfig6& cfg, int64_t now) {
  return store_.removeReclaimedBefore(now - cfg.expired_leases.hold_reclaimed_time);
}

}  // namespace takahe::dhcp6
