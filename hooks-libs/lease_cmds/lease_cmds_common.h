#pragma once

// What the lease4-* and lease6-* handlers share: the library's logger and the wrapper that turns
// any exception of a handler body into a {"result": 1, "text": ...} answer.

#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "lease_args.h"
#include "lease_cmds_messages.h"
#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"

namespace takahe::hooks::lease_cmds {

inline const log::Logger& logger() {
  static const log::Logger l("lease-cmds-hooks");
  return l;
}

/// Runs a handler body; any exception becomes {"result": 1, "text": what()} and a log line.
template <class Body>
cc::Value guarded(const cc::Command& cmd, Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger(), LEASE_CMDS_FAILED, cmd.name, e.what(),
               cmd.arguments ? cmd.arguments->toJson() : std::string("none"));
    return cc::makeAnswer(cc::ResultCode::kError, e.what());
  }
}

/// {"leases": [...]} (and "count" for pages); result 0 with leases, 3 without. `family` is
/// "IPv4" or "IPv6", `to_json` the lease's JSON form.
template <class Lease, class ToJson>
cc::Value leaseListAnswer(const std::vector<Lease>& leases, std::string_view family, ToJson to_json,
                          bool with_count = false) {
  cc::Value list = cc::Value::makeList();
  for (const auto& l : leases) {
    list.push(to_json(l));
  }
  cc::Value args = cc::Value::makeMap();
  args.set("leases", std::move(list));
  if (with_count) {
    args.set("count", static_cast<int64_t>(leases.size()));
  }
  return cc::makeAnswer(
      leases.empty() ? cc::ResultCode::kEmpty : cc::ResultCode::kSuccess,
      std::to_string(leases.size()) + " " + std::string(family) + " lease(s) found.",
      std::move(args));
}

/// lease4-wipe / lease6-wipe: deletes the leases of the subnet "subnet-id" or, when it is absent
/// or 0, of every configured subnet; sets the subnets' `subnet_stats` to 0 (rather than
/// subtracting: leases allocated while the wipe ran are gone too) and takes the declined leases
/// wiped (`declined(lease)`) off the global "declined-addresses".
template <class Store, class Config, class Declined>
cc::Value wipeSubnets(const cc::Command& cmd, Store& store, stats::StatsStore* stats,
                      const Config& cfg, std::initializer_list<const char*> subnet_stats,
                      Declined declined, std::string_view family, const log::MessageId& message) {
  std::vector<SubnetId> ids;
  uint32_t id = cmd.arguments ? optUint32(*cmd.arguments, "subnet-id").value_or(0) : 0;
  if (id != 0) {
    ids.push_back(SubnetId(id));
  } else {
    for (const auto& subnet : cfg.subnets) {
      ids.push_back(subnet.id);
    }
  }
  size_t deleted = 0;
  std::string list;
  for (SubnetId sid : ids) {
    int64_t declined_count = 0;
    for (const auto& l : store.getBySubnet(sid)) {
      declined_count += declined(l) ? 1 : 0;
    }
    deleted += store.wipe(sid);
    list += " " + std::to_string(sid.value);
    if (stats != nullptr) {
      std::string p = "subnet[" + std::to_string(sid.value) + "].";
      for (const char* name : subnet_stats) {
        if (stats->exists(p + name)) {
          stats->set(p + name, 0);
        }
      }
      if (declined_count != 0) {
        stats->add("declined-addresses", -declined_count);
      }
    }
  }
  TAKAHE_LOG(logger(), message, deleted, list);
  return cc::makeAnswer(deleted != 0 ? cc::ResultCode::kSuccess : cc::ResultCode::kEmpty,
                        "Deleted " + std::to_string(deleted) + " " + std::string(family) +
                            " lease(s) from subnet(s)" + list);
}

/// The two lists of lease4/lease6-bulk-apply ("deleted-leases", "leases"; absent = empty).
struct BulkLists {
  const cc::List* deleted = nullptr;
  const cc::List* leases = nullptr;
};

/// Reads them; throws takahe::Error naming them when neither is there or one is no list.
inline BulkLists bulkLists(const cc::Command& cmd) {
  const cc::Value& args =
      requireArguments(cmd, "'deleted-leases' and/or 'leases': lists of leases");
  BulkLists b{optList(args, "deleted-leases", "a list of leases"),
              optList(args, "leases", "a list of leases")};
  if (b.deleted == nullptr && b.leases == nullptr) {
    throw Error("give 'deleted-leases' and/or 'leases': lists of leases");
  }
  return b;
}

/// One entry of the failed lists: {"ip-address", "result", "error-message"}, and "type"
/// (default IA_NA) for DHCPv6, with what could be read of the item.
inline cc::Value bulkFailure(const cc::Value& item, cc::ResultCode result, const std::string& why,
                             bool with_type) {
  cc::Value f = cc::Value::makeMap();
  if (with_type) {
    const cc::Value* type = item.isMap() ? item.find("type") : nullptr;
    f.set("type", type != nullptr && type->isString() ? *type : cc::Value("IA_NA"));
  }
  const cc::Value* addr = item.isMap() ? item.find("ip-address") : nullptr;
  f.set("ip-address", addr != nullptr && addr->isString() ? *addr : cc::Value(""));
  f.set("result", static_cast<int64_t>(result));
  f.set("error-message", why);
  return f;
}

/// What a bulk apply did.
struct BulkOutcome {
  cc::Value failed_deleted = cc::Value::makeList();
  cc::Value failed = cc::Value::makeList();
  size_t items = 0;    ///< leases given, in both lists
  size_t applied = 0;  ///< leases deleted or stored
};

/// Deletions first, then the stored leases (the order the sender committed them in):
/// `remove(item)` returns false when the lease is not there (a result-3 failure); `store(item)`
/// throws for a lease it cannot store. Each failure is recorded, none stops the others.
template <class Remove, class Store>
BulkOutcome applyBulk(const cc::Command& cmd, const BulkLists& lists, bool with_type,
                      Remove&& remove, Store&& store) {
  BulkOutcome out;
  auto each = [&](const cc::List* list, bool deleting) {
    for (const cc::Value& item : list != nullptr ? *list : cc::List{}) {
      ++out.items;
      cc::Value& failed = deleting ? out.failed_deleted : out.failed;
      try {
        if (!item.isMap()) {
          throw Error(std::string(deleting ? "a deleted lease" : "a lease") +
                      " must be a map, not " + std::string(item.typeName()));
        }
        if (deleting && !remove(item)) {
          failed.push(bulkFailure(item, cc::ResultCode::kEmpty, "lease not found", with_type));
          continue;
        }
        if (!deleting) {
          store(item);
        }
        ++out.applied;
      } catch (const std::exception& e) {
        TAKAHE_LOG(logger(), LEASE_CMDS_FAILED, cmd.name, e.what(), item.toJson());
        failed.push(bulkFailure(item, cc::ResultCode::kError, e.what(), with_type));
      }
    }
  };
  each(lists.deleted, true);
  each(lists.leases, false);
  return out;
}

}  // namespace takahe::hooks::lease_cmds
