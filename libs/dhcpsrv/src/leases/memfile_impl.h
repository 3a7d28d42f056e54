#pragma once

// Private state of MemfileLeaseStore4, shared by its .cc files.

#include <sys/types.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "address_index.h"
#include "file_util.h"
#include "lease_journal.h"
#include "lfc_runner.h"
#include "packed_lease.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

namespace takahe::dhcpsrv {

struct MemfileLeaseStore4::Impl {
  explicit Impl(MemfileConfig c);

  // --- guarded by `mutex` (shared for reads, exclusive for changes and journal writes) ---
  void indexAdd(uint32_t address, const detail::PackedLease& lease);
  void indexRemove(uint32_t address, const detail::PackedLease& lease);
  void rebuildIndexes();
  /// Journals deletion rows for `addresses` and removes them, in batches.
  size_t removeMany(const std::vector<uint32_t>& addresses);
  /// Leases under `hash` in `index` that satisfy `match`, in address order.
  template <typename Match>
  std::vector<Lease4> lookup(const detail::HashMultiIndex& index, uint32_t hash,
                             Match&& match) const {
    std::vector<uint32_t> candidates;
    index.forEach(hash, [&](uint32_t a) { candidates.push_back(a); });
    std::sort(candidates.begin(), candidates.end());
    std::vector<Lease4> out;
    for (uint32_t a : candidates) {
      auto it = leases.find(a);
      if (it != leases.end() && match(it->second)) {
        out.push_back(it->second.unpack(a));
      }
    }
    return out;
  }

  void load();

  MemfileConfig config;
  LeaseLoadReport report;
  detail::LockFile lock;
  detail::LeaseJournal journal;

  mutable std::shared_mutex mutex;
  std::map<uint32_t, detail::PackedLease> leases;
  detail::HashMultiIndex by_hwaddr;
  detail::HashMultiIndex by_client_id;
  detail::HashMultiIndex by_hostname;
  detail::HashMultiIndex by_subnet;
  std::set<uint64_t> expiry_active;     // (expire, address) of leases not yet reclaimed
  std::set<uint64_t> expiry_reclaimed;  // (expire, address) of reclaimed leases
  std::unordered_map<uint32_t, SubnetLeaseCounts> counts;

  detail::LfcRunner lfc;
};

/// Expiry index key: expire clamped to [0, 2^32-1] in the high half, address in the low half.
/// Clamping only merges leases expiring after 2106 (or before 1970), which never matter to
/// "expired before now".
inline uint64_t expiryKey(int64_t expire, uint32_t address) {
  uint64_t e = expire < 0 ? 0 : (expire > 0xffffffffll ? 0xffffffffull : uint64_t(expire));
  return e << 32 | address;
}

}  // namespace takahe::dhcpsrv
