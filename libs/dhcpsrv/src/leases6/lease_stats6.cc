#include "takahe/dhcpsrv/lease_stats6.h"

#include <map>
#include <string>

#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcpsrv {

namespace {

std::string subnetStat(SubnetId id, const char* name) {
  return "subnet[" + std::to_string(id.value) + "]." + name;
}

void account(std::map<std::string, int64_t>& deltas, const Lease6& lease, int64_t sign) {
  if (!countsAsAssigned(lease.state)) {
    return;
  }
  switch (lease.type) {
    case Lease6Type::kNa:
      deltas[subnetStat(lease.subnet_id, "assigned-nas")] += sign;
      if (lease.state == LeaseState::kDeclined) {
        deltas[subnetStat(lease.subnet_id, "declined-addresses")] += sign;
        deltas["declined-addresses"] += sign;
      }
      break;
    case Lease6Type::kPd:
      deltas[subnetStat(lease.subnet_id, "assigned-pds")] += sign;
      break;
    case Lease6Type::kTa:
      break;
  }
}

}  // namespace

void updateLeaseStats6(stats::StatsStore& stats, const Lease6* before, const Lease6* after) {
  std::map<std::string, int64_t> deltas;
  if (before != nullptr) {
    account(deltas, *before, -1);
  }
  if (after != nullptr) {
    account(deltas, *after, +1);
  }
  for (const auto& [name, delta] : deltas) {
    if (delta == 0) {
      continue;
    }
    bool global = name.rfind("subnet[", 0) != 0;
    if (global || stats.exists(name)) {
      stats.add(name, delta);
    }
  }
}

}  // namespace takahe::dhcpsrv
