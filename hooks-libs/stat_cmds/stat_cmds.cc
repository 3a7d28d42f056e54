#include "stat_cmds.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/log/logger.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::hooks::stat_cmds {

using cc::makeAnswer;
using cc::ResultCode;

namespace {

inline constexpr log::MessageId STAT_CMDS_LEASE4_FAILED{
    "STAT_CMDS_LEASE4_FAILED", log::Severity::kWarn, "stat-lease4-get failed: %1 (arguments %2)"};

const log::Logger& logger() {
  static const log::Logger l("stat-cmds-hooks");
  return l;
}

/// The selection: [first, last] of subnet ids; `label` is Kea's "[all subnets]" style text.
struct Selection {
  uint32_t first = 0;
  uint32_t last = std::numeric_limits<uint32_t>::max();
  std::string label = "[all subnets]";
};

uint32_t positiveId(const cc::Value& map, const char* name) {
  const cc::Value* v = map.find(name);
  if (v == nullptr) {
    throw Error(std::string("missing '") + name + "'");
  }
  if (!v->isInt()) {
    throw Error(std::string("'") + name + "' must be an integer, not " +
                std::string(v->typeName()) + " " + v->toJson());
  }
  if (v->asInt() <= 0 || v->asInt() > std::numeric_limits<uint32_t>::max()) {
    throw Error(std::string("'") + name + "' must be a subnet id greater than 0, not " +
                std::to_string(v->asInt()));
  }
  return static_cast<uint32_t>(v->asInt());
}

Selection parseSelection(const cc::Command& cmd) {
  Selection sel;
  if (!cmd.arguments) {
    return sel;
  }
  const cc::Value& args = *cmd.arguments;
  bool by_id = args.contains("subnet-id");
  bool by_range = args.contains("subnet-range");
  if (by_id && by_range) {
    throw Error("give either 'subnet-id' or 'subnet-range', not both");
  }
  if (by_id) {
    sel.first = sel.last = positiveId(args, "subnet-id");
    sel.label = "[subnet-id=" + std::to_string(sel.first) + "]";
  } else if (by_range) {
    const cc::Value& range = *args.find("subnet-range");
    if (!range.isMap()) {
      throw Error("'subnet-range' must be a map with 'first-subnet-id' and 'last-subnet-id'");
    }
    sel.first = positiveId(range, "first-subnet-id");
    sel.last = positiveId(range, "last-subnet-id");
    if (sel.last < sel.first) {
      throw Error("'last-subnet-id' " + std::to_string(sel.last) +
                  " is smaller than 'first-subnet-id' " + std::to_string(sel.first));
    }
    sel.label =
        "[subnets " + std::to_string(sel.first) + " through " + std::to_string(sel.last) + "]";
  }
  return sel;
}

}  // namespace

std::string utcTimestamp(int64_t unix_micros) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(unix_micros % 1000000));
  return buf;
}

cc::Value statLease4Get(const cc::Command& cmd) {
  try {
    Selection sel = parseSelection(cmd);
    dhcpsrv::ServerServices4* s = dhcpsrv::serverServices4();
    if (s == nullptr || s->leases == nullptr || !s->config) {
      throw Error(
          "no DHCPv4 lease store is available: stat-lease4-get works only inside "
          "takahe-dhcp4");
    }
    dhcpsrv::SrvConfig4Ptr cfg = s->config();
    if (!cfg) {
      throw Error("the DHCPv4 server has no configuration in force yet");
    }
    std::vector<const dhcpsrv::Subnet4*> subnets;
    for (const auto& subnet : cfg->subnets) {
      if (subnet.id.value >= sel.first && subnet.id.value <= sel.last) {
        subnets.push_back(&subnet);
      }
    }
    std::sort(subnets.begin(), subnets.end(),
              [](const auto* a, const auto* b) { return a->id < b->id; });

    cc::Value columns = cc::Value::makeList();
    for (const char* c : {"subnet-id", "total-addresses", "cumulative-assigned-addresses",
                          "assigned-addresses", "declined-addresses"}) {
      columns.push(c);
    }
    cc::Value rows = cc::Value::makeList();
    for (const auto* subnet : subnets) {
      // Counted from the lease store, as Kea's stat_cmds queries the lease database: the
      // answer stays right even if a statistic was reset or removed by a command.
      int64_t assigned = 0;
      int64_t declined = 0;
      for (const auto& lease : s->leases->getBySubnet(subnet->id)) {
        if (dhcpsrv::countsAsAssigned(lease.state)) {
          ++assigned;
        }
        if (lease.state == dhcpsrv::LeaseState::kDeclined) {
          ++declined;
        }
      }
      std::string prefix = "subnet[" + std::to_string(subnet->id.value) + "].";
      int64_t cumulative =
          s->stats != nullptr ? s->stats->value(prefix + "cumulative-assigned-addresses") : 0;
      cc::Value row = cc::Value::makeList();
      row.push(int64_t{subnet->id.value});
      row.push(static_cast<int64_t>(subnet->totalAddresses()));
      row.push(cumulative);
      row.push(assigned);
      row.push(declined);
      rows.push(std::move(row));
    }

    std::string head = "stat-lease4-get" + sel.label;
    if (subnets.empty()) {
      std::string why = sel.first == sel.last
                            ? "subnet-id " + std::to_string(sel.first) + " does not exist"
                            : "the selection holds no configured subnet";
      return makeAnswer(ResultCode::kEmpty, head + ": no matching data, " + why);
    }
    cc::Value set = cc::Value::makeMap();
    set.set("columns", std::move(columns));
    set.set("rows", std::move(rows));
    set.set("timestamp", utcTimestamp(nowUnixMicros()));
    cc::Value args = cc::Value::makeMap();
    args.set("result-set", std::move(set));
    return makeAnswer(ResultCode::kSuccess,
                      head + ": " + std::to_string(subnets.size()) + " rows found",
                      std::move(args));
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger(), STAT_CMDS_LEASE4_FAILED, e.what(),
               cmd.arguments ? cmd.arguments->toJson() : std::string("none"));
    return makeAnswer(ResultCode::kError, e.what());
  }
}

}  // namespace takahe::hooks::stat_cmds
