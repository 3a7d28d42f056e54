#include "lease_cmds.h"

#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lease_args.h"
#include "lease_cmds_messages.h"
#include "lease_json.h"
#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::hooks::lease_cmds {

using cc::makeAnswer;
using cc::ResultCode;
using dhcpsrv::Lease4;
using dhcpsrv::LeaseState;
using dhcpsrv::LeaseStore4;

namespace {

const log::Logger& logger() {
  static const log::Logger l("lease-cmds-hooks");
  return l;
}

/// What a command works on, taken afresh for each command: a reconfiguration may replace the
/// store and the configuration.
struct Services {
  LeaseStore4& leases;
  stats::StatsStore* stats;
  dhcpsrv::SrvConfig4Ptr config;
};

Services services() {
  dhcpsrv::ServerServices4* s = dhcpsrv::serverServices4();
  if (s == nullptr || s->leases == nullptr) {
    throw Error("no DHCPv4 lease store is available: lease commands work only inside takahe-dhcp4");
  }
  dhcpsrv::SrvConfig4Ptr cfg = s->config ? s->config() : nullptr;
  if (!cfg) {
    throw Error("the DHCPv4 server has no configuration in force yet");
  }
  return Services{*s->leases, s->stats, std::move(cfg)};
}

void countChange(const Services& s, const Lease4* before, const Lease4* after) {
  if (s.stats != nullptr) {
    dhcpsrv::updateLeaseStats4(*s.stats, before, after);
  }
}

/// Runs a handler body; any exception becomes {"result": 1, "text": what()} and a log line.
template <class Body>
cc::Value guarded(const cc::Command& cmd, Body&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger(), LEASE_CMDS_FAILED, cmd.name, e.what(),
               cmd.arguments ? cmd.arguments->toJson() : std::string("none"));
    return makeAnswer(ResultCode::kError, e.what());
  }
}

/// {"leases": [...]} (and "count" for pages); result 0 with leases, 3 without.
cc::Value listAnswer(const std::vector<Lease4>& leases, bool with_count = false) {
  cc::Value list = cc::Value::makeList();
  for (const auto& l : leases) {
    list.push(leaseToJson(l));
  }
  cc::Value args = cc::Value::makeMap();
  args.set("leases", std::move(list));
  if (with_count) {
    args.set("count", static_cast<int64_t>(leases.size()));
  }
  return makeAnswer(leases.empty() ? ResultCode::kEmpty : ResultCode::kSuccess,
                    std::to_string(leases.size()) + " IPv4 lease(s) found.", std::move(args));
}

constexpr const char* kLookupHelp =
    "either 'ip-address', or 'identifier-type' (hw-address or client-id), 'identifier' and "
    "'subnet-id'";

/// The lease named by lease4-get / lease4-del arguments: by "ip-address", or by
/// "identifier-type" + "identifier" within "subnet-id".
std::optional<Lease4> findLease(const cc::Value& args, const LeaseStore4& store) {
  if (args.contains("ip-address")) {
    return store.get(getAddress(args, "ip-address"));
  }
  if (!args.contains("identifier-type") || !args.contains("identifier") ||
      !args.contains("subnet-id")) {
    throw Error(std::string("give ") + kLookupHelp);
  }
  uint32_t subnet = getUint32(args, "subnet-id");
  std::string type = getString(args, "identifier-type");
  std::string ident = getString(args, "identifier");
  std::vector<Lease4> found;
  if (type == "hw-address") {
    found = store.getByHwAddr(parseHwAddress(ident, "identifier"));
  } else if (type == "client-id") {
    found = store.getByClientId(parseClientId(ident, "identifier"));
  } else if (type == "duid") {
    throw Error("'identifier-type' duid identifies DHCPv6 leases; use hw-address or client-id");
  } else {
    throw Error("'identifier-type' '" + type + "' is not supported; use hw-address or client-id");
  }
  for (auto& l : found) {
    if (l.subnet_id.value == subnet) {
      return std::move(l);
    }
  }
  return std::nullopt;
}

}  // namespace

cc::Value lease4Add(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "at least 'ip-address' and 'hw-address'");
    Services s = services();
    Lease4 lease = parseLeaseArguments(args, *s.config, nowUnixSeconds()).lease;
    if (!s.leases.add(lease)) {
      throw Error("a lease for " + lease.address.toString() +
                  " already exists; use lease4-update to change it");
    }
    countChange(s, nullptr, &lease);
    TAKAHE_LOG(logger(), LEASE_CMDS_ADD4, dhcpsrv::toString(lease));
    return makeAnswer(ResultCode::kSuccess, "Lease for address " + lease.address.toString() +
                                                ", subnet-id " +
                                                std::to_string(lease.subnet_id.value) + " added.");
  });
}

cc::Value lease4Get(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, kLookupHelp);
    Services s = services();
    auto lease = findLease(args, s.leases);
    if (!lease) {
      return makeAnswer(ResultCode::kEmpty, "IPv4 lease not found.");
    }
    return makeAnswer(ResultCode::kSuccess, "IPv4 lease found.", leaseToJson(*lease));
  });
}

cc::Value lease4GetAll(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    Services s = services();
    if (!cmd.arguments) {
      return listAnswer(s.leases.getAll());
    }
    const cc::Value* subnets = cmd.arguments->find("subnets");
    if (subnets == nullptr) {
      throw Error("lease4-get-all takes no arguments, or 'subnets': a list of subnet ids");
    }
    if (!subnets->isList()) {
      throw Error("'subnets' must be a list of subnet ids, not " +
                  std::string(subnets->typeName()));
    }
    std::vector<Lease4> leases;
    for (const auto& id : subnets->asList()) {
      if (!id.isInt() || id.asInt() < 0 || id.asInt() > std::numeric_limits<uint32_t>::max()) {
        throw Error("'subnets' must hold subnet ids (integers), found " + id.toJson());
      }
      auto part = s.leases.getBySubnet(SubnetId(static_cast<uint32_t>(id.asInt())));
      leases.insert(leases.end(), part.begin(), part.end());
    }
    return listAnswer(leases);
  });
}

cc::Value lease4GetPage(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args =
        requireArguments(cmd,
                         "'from' (\"start\" or the last address of the previous page) and "
                         "'limit'");
    std::string from = getString(args, "from");
    IPv4Address after;
    if (from != "start") {
      auto a = IPv4Address::parse(from);
      if (!a) {
        throw Error("'from' must be \"start\" or an IPv4 address, not '" + from + "'");
      }
      after = *a;
    }
    requireMember(args, "limit");
    auto limit = optInt(args, "limit", 1, std::numeric_limits<uint32_t>::max());
    Services s = services();
    return listAnswer(s.leases.getPage(after, static_cast<size_t>(*limit)), true);
  });
}

cc::Value lease4GetByHwAddress(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'hw-address'");
    HwAddr hw = parseHwAddress(getString(args, "hw-address"));
    if (hw.empty()) {
      throw Error("'hw-address' is empty");
    }
    return listAnswer(services().leases.getByHwAddr(hw));
  });
}

cc::Value lease4GetByClientId(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'client-id'");
    ClientId cid = parseClientId(getString(args, "client-id"));
    return listAnswer(services().leases.getByClientId(cid));
  });
}

cc::Value lease4GetByHostname(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'hostname'");
    std::string hostname = getString(args, "hostname");
    if (hostname.empty()) {
      throw Error("'hostname' is empty");
    }
    return listAnswer(services().leases.getByHostname(hostname));
  });
}

namespace {

/// Stores the lease described by lease4-update arguments: replaces the lease at its address, or
/// adds it when there is none and `force_create` (the command's "force-create", or always for
/// lease4-bulk-apply). Returns the answer text; throws takahe::Error for the operator.
std::string storeUpdate(const Services& s, const cc::Value& args, bool force_create) {
  LeaseArguments parsed = parseLeaseArguments(args, *s.config, nowUnixSeconds());
  const Lease4& lease = parsed.lease;
  std::optional<Lease4> existing = s.leases.get(lease.address);
  if (existing) {
    if (!s.leases.update(lease)) {
      throw Error("the lease for " + lease.address.toString() +
                  " was deleted while it was being updated; try again");
    }
    countChange(s, &*existing, &lease);
    TAKAHE_LOG(logger(), LEASE_CMDS_UPDATE4, "updated", dhcpsrv::toString(lease));
    return "IPv4 lease updated.";
  }
  if (!parsed.force_create && !force_create) {
    throw Error("there is no lease for " + lease.address.toString() +
                " to update; use lease4-add, or set \"force-create\": true");
  }
  if (!s.leases.add(lease)) {
    throw Error("a lease for " + lease.address.toString() +
                " was created while this one was being added; try again");
  }
  countChange(s, nullptr, &lease);
  TAKAHE_LOG(logger(), LEASE_CMDS_UPDATE4, "added", dhcpsrv::toString(lease));
  return "IPv4 lease added.";
}

/// Deletes the lease at `address`; false when there is none.
bool removeLease(const Services& s, const IPv4Address& address) {
  std::optional<Lease4> lease = s.leases.get(address);
  if (!lease || !s.leases.remove(lease->address)) {
    return false;
  }
  countChange(s, &*lease, nullptr);
  TAKAHE_LOG(logger(), LEASE_CMDS_DEL4, lease->address.toString());
  return true;
}

/// One entry of lease4-bulk-apply's failed-leases / failed-deleted-leases lists.
cc::Value failedEntry(const cc::Value& item, ResultCode result, const std::string& why) {
  cc::Value f = cc::Value::makeMap();
  const cc::Value* addr = item.isMap() ? item.find("ip-address") : nullptr;
  f.set("ip-address", addr != nullptr && addr->isString() ? *addr : cc::Value(""));
  f.set("result", static_cast<int64_t>(result));
  f.set("error-message", why);
  return f;
}

/// The list member `name` of lease4-bulk-apply's arguments (absent = empty).
const cc::List* bulkList(const cc::Value& args, const char* name) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    return nullptr;
  }
  if (!v->isList()) {
    throw Error(std::string("'") + name + "' must be a list of leases, not " +
                std::string(v->typeName()));
  }
  return &v->asList();
}

}  // namespace

cc::Value lease4Update(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "at least 'ip-address' and 'hw-address'");
    return makeAnswer(ResultCode::kSuccess, storeUpdate(services(), args, false));
  });
}

cc::Value lease4BulkApply(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args =
        requireArguments(cmd, "'deleted-leases' and/or 'leases': lists of leases");
    const cc::List* deleted = bulkList(args, "deleted-leases");
    const cc::List* leases = bulkList(args, "leases");
    if (deleted == nullptr && leases == nullptr) {
      throw Error("give 'deleted-leases' and/or 'leases': lists of leases");
    }
    Services s = services();
    cc::Value failed_deleted = cc::Value::makeList();
    cc::Value failed = cc::Value::makeList();
    size_t count = 0;
    // Deletions first, then the stored leases: the order the sender committed them in.
    for (const cc::Value& item : deleted != nullptr ? *deleted : cc::List{}) {
      ++count;
      try {
        if (!item.isMap()) {
          throw Error("a deleted lease must be a map, not " + std::string(item.typeName()));
        }
        if (!removeLease(s, getAddress(item, "ip-address"))) {
          failed_deleted.push(failedEntry(item, ResultCode::kEmpty, "lease not found"));
        }
      } catch (const std::exception& e) {
        TAKAHE_LOG(logger(), LEASE_CMDS_FAILED, cmd.name, e.what(), item.toJson());
        failed_deleted.push(failedEntry(item, ResultCode::kError, e.what()));
      }
    }
    for (const cc::Value& item : leases != nullptr ? *leases : cc::List{}) {
      ++count;
      try {
        if (!item.isMap()) {
          throw Error("a lease must be a map, not " + std::string(item.typeName()));
        }
        storeUpdate(s, item, true);
      } catch (const std::exception& e) {
        TAKAHE_LOG(logger(), LEASE_CMDS_FAILED, cmd.name, e.what(), item.toJson());
        failed.push(failedEntry(item, ResultCode::kError, e.what()));
      }
    }
    std::optional<cc::Value> out;
    if (!failed_deleted.asList().empty() || !failed.asList().empty()) {
      out = cc::Value::makeMap();
      out->set("failed-deleted-leases", std::move(failed_deleted));
      out->set("failed-leases", std::move(failed));
    }
    return makeAnswer(ResultCode::kSuccess,
                      "Bulk apply of " + std::to_string(count) + " IPv4 leases completed.",
                      std::move(out));
  });
}

cc::Value lease4Del(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, kLookupHelp);
    // Checked for its type only: without DDNS there is no DNS entry to remove.
    optBool(args, "update-ddns");
    Services s = services();
    auto lease = findLease(args, s.leases);
    if (!lease || !s.leases.remove(lease->address)) {
      return makeAnswer(ResultCode::kEmpty, "IPv4 lease not found.");
    }
    countChange(s, &*lease, nullptr);
    TAKAHE_LOG(logger(), LEASE_CMDS_DEL4, lease->address.toString());
    return makeAnswer(ResultCode::kSuccess, "IPv4 lease deleted.");
  });
}

cc::Value lease4Wipe(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    Services s = services();
    std::vector<SubnetId> ids;
    uint32_t id = cmd.arguments ? optUint32(*cmd.arguments, "subnet-id").value_or(0) : 0;
    if (id != 0) {
      ids.push_back(SubnetId(id));
    } else {
      for (const auto& subnet : s.config->subnets) {
        ids.push_back(subnet.id);
      }
    }
    size_t deleted = 0;
    std::string list;
    for (SubnetId sid : ids) {
      int64_t declined = 0;
      for (const auto& l : s.leases.getBySubnet(sid)) {
        declined += l.state == LeaseState::kDeclined ? 1 : 0;
      }
      deleted += s.leases.wipe(sid);
      list += " " + std::to_string(sid.value);
      if (s.stats != nullptr) {
        // Set rather than subtracted: leases allocated while the wipe ran are gone too.
        std::string p = "subnet[" + std::to_string(sid.value) + "].";
        for (const char* name : {"assigned-addresses", "declined-addresses"}) {
          if (s.stats->exists(p + name)) {
            s.stats->set(p + name, 0);
          }
        }
        if (declined != 0) {
          s.stats->add("declined-addresses", -declined);
        }
      }
    }
    TAKAHE_LOG(logger(), LEASE_CMDS_WIPE4, deleted, list);
    return makeAnswer(
        deleted != 0 ? ResultCode::kSuccess : ResultCode::kEmpty,
        "Deleted " + std::to_string(deleted) + " IPv4 lease(s) from subnet(s)" + list);
  });
}

cc::Value lease4ResendDdns(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'ip-address'");
    IPv4Address addr = getAddress(args, "ip-address");
    // Takahe sends no DNS updates yet, so there is never anything to resend (Kea answers the
    // same way when dhcp-ddns is off).
    return makeAnswer(ResultCode::kError,
                      "DDNS updating is not enabled: no DNS update can be sent for " +
                          addr.toString() + " (takahe-dhcp4 has no dhcp-ddns support yet)");
  });
}

const std::vector<CommandEntry>& leaseCommands() {
  static const std::vector<CommandEntry> commands = {
      {"lease4-add", lease4Add},
      {"lease4-bulk-apply", lease4BulkApply},
      {"lease4-del", lease4Del},
      {"lease4-get", lease4Get},
      {"lease4-get-all", lease4GetAll},
      {"lease4-get-by-client-id", lease4GetByClientId},
      {"lease4-get-by-hostname", lease4GetByHostname},
      {"lease4-get-by-hw-address", lease4GetByHwAddress},
      {"lease4-get-page", lease4GetPage},
      {"lease4-resend-ddns", lease4ResendDdns},
      {"lease4-update", lease4Update},
      {"lease4-wipe", lease4Wipe},
  };
  return commands;
}

}  // namespace takahe::hooks::lease_cmds
