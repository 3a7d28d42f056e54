#include "takahe/dhcpsrv/lease_stats.h"

#include <cstdlib>
#include <map>
#include <string>

#include "takahe/stats/stats_store.h"

namespace takahe::dhcpsrv {

namespace {

std::string subnetStat(SubnetId id, const char* name) {
  return "subnet[" + std::to_string(id.value) + "]." + name;
}

void account(std::map<std::string, int64_t>& deltas, const Lease4& lease, int64_t sign) {
  if (!countsAsAssigned(lease.state)) {
    return;
  }
  deltas[subnetStat(lease.subnet_id, "assigned-addresses")] += sign;
  if (lease.state == LeaseState::kDeclined) {
    deltas[subnetStat(lease.subnet_id, "declined-addresses")] += sign;
    deltas["declined-addresses"] += sign;
  }
}

}  // namespace

bool countsAsAssigned(LeaseState state) {
  return state == LeaseState::kDefault || state == LeaseState::kDeclined;
}

void updateLeaseStats4(stats::StatsStore& stats, const Lease4* before, const Lease4* after) {
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

void removeUnconfiguredSubnetStats(stats::StatsStore& stats,
                                   const std::function<bool(SubnetId)>& configured) {
  for (const std::string& name : stats.names()) {
    if (name.rfind("subnet[", 0) != 0) continue;
    uint32_t id = static_cast<uint32_t>(std::strtoul(name.c_str() + 7, nullptr, 10));
    if (!configured(SubnetId(id))) stats.remove(name);
  }
}

}  // namespace takahe::dhcpsrv
