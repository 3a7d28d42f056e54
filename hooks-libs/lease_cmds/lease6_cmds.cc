#include "lease6_cmds.h"

#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lease6_args.h"
#include "lease_args.h"
#include "lease_cmds_common.h"
#include "takahe/dhcpsrv/lease6_json.h"
#include "takahe/dhcpsrv/lease_stats6.h"
#include "takahe/dhcpsrv/server_services6.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::hooks::lease_cmds {

using cc::makeAnswer;
using cc::ResultCode;
using dhcpsrv::Lease6;
using dhcpsrv::Lease6Type;
using dhcpsrv::LeaseState;
using dhcpsrv::LeaseStore6;

namespace {

/// What a command works on, taken afresh for each command (a reconfiguration may replace them).
struct Services6 {
  LeaseStore6& leases;
  stats::StatsStore* stats;
  dhcpsrv::SrvConfig6Ptr config;
};

Services6 services6() {
  dhcpsrv::ServerServices6* s = dhcpsrv::serverServices6();
  if (s == nullptr || s->leases == nullptr) {
    throw Error(
        "no DHCPv6 lease store is available: lease6 commands work only inside takahe-dhcp6");
  }
  dhcpsrv::SrvConfig6Ptr cfg = s->config ? s->config() : nullptr;
  if (!cfg) {
    throw Error("the DHCPv6 server has no configuration in force yet");
  }
  return Services6{*s->leases, s->stats, std::move(cfg)};
}

void countChange(const Services6& s, const Lease6* before, const Lease6* after) {
  if (s.stats != nullptr) {
    dhcpsrv::updateLeaseStats6(*s.stats, before, after);
  }
}

cc::Value listAnswer6(const std::vector<Lease6>& leases, bool with_count = false) {
  return leaseListAnswer(leases, "IPv6", dhcpsrv::lease6ToJson, with_count);
}

/// "address 2001:db8::1" or "prefix 2001:db8:1::/56".
std::string describe(const Lease6& l) {
  return l.type == Lease6Type::kPd
             ? "prefix " + l.address.toString() + "/" + std::to_string(l.prefix_len)
             : "address " + l.address.toString();
}

constexpr const char* kLookupHelp6 =
    "either 'ip-address' (and 'type'), or 'identifier-type' (duid), 'identifier', 'iaid' and "
    "'subnet-id' (and 'type')";

/// The lease named by lease6-get / lease6-del arguments.
std::optional<Lease6> findLease6(const cc::Value& args, const LeaseStore6& store) {
  Lease6Type type = optLease6Type(args);
  if (args.contains("ip-address")) {
    return store.get(type, getAddress6(args, "ip-address"));
  }
  if (!args.contains("identifier-type") || !args.contains("identifier") || !args.contains("iaid") ||
      !args.contains("subnet-id")) {
    throw Error(std::string("give ") + kLookupHelp6);
  }
  std::string ident_type = getString(args, "identifier-type");
  if (ident_type != "duid") {
    throw Error("'identifier-type' '" + ident_type +
                "' is not supported for DHCPv6 leases; use duid");
  }
  Duid duid = parseDuid(getString(args, "identifier"), "identifier");
  uint32_t iaid = getUint32(args, "iaid");
  uint32_t subnet = getUint32(args, "subnet-id");
  for (auto& l : store.getByDuidIaid(duid, iaid, type)) {
    if (l.subnet_id.value == subnet) {
      return std::move(l);
    }
  }
  return std::nullopt;
}

/// Stores the lease of lease6-update arguments: replaces the lease of its type and address, or
/// adds it when there is none and `force_create`. Returns the answer text.
std::string storeUpdate6(const Services6& s, const cc::Value& args, bool force_create) {
  Lease6Arguments parsed = parseLease6Arguments(args, *s.config, nowUnixSeconds());
  const Lease6& lease = parsed.lease;
  std::optional<Lease6> existing = s.leases.get(lease.type, lease.address);
  if (existing) {
    if (!s.leases.update(lease)) {
      throw Error("the lease for " + describe(lease) +
                  " was deleted while it was being updated; try again");
    }
    countChange(s, &*existing, &lease);
    TAKAHE_LOG(logger(), LEASE_CMDS_UPDATE6, "updated", dhcpsrv::toString(lease));
    return "IPv6 lease updated.";
  }
  if (!parsed.force_create && !force_create) {
    throw Error("there is no " + std::string(dhcpsrv::lease6TypeName(lease.type)) + " lease for " +
                describe(lease) + " to update; use lease6-add, or set \"force-create\": true");
  }
  if (!s.leases.add(lease)) {
    throw Error("the address " + lease.address.toString() +
                " is already leased with another type; delete that lease first");
  }
  countChange(s, nullptr, &lease);
  TAKAHE_LOG(logger(), LEASE_CMDS_UPDATE6, "added", dhcpsrv::toString(lease));
  return "IPv6 lease added.";
}

bool removeLease6(const Services6& s, const Lease6& lease) {
  if (!s.leases.remove(lease.type, lease.address)) {
    return false;
  }
  countChange(s, &lease, nullptr);
  TAKAHE_LOG(logger(), LEASE_CMDS_DEL6, describe(lease));
  return true;
}

}  // namespace

cc::Value lease6Add(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "at least 'ip-address', 'duid' and 'iaid'");
    Services6 s = services6();
    Lease6 lease = parseLease6Arguments(args, *s.config, nowUnixSeconds()).lease;
    if (!s.leases.add(lease)) {
      throw Error("a lease for " + lease.address.toString() +
                  " already exists; use lease6-update to change it");
    }
    countChange(s, nullptr, &lease);
    TAKAHE_LOG(logger(), LEASE_CMDS_ADD6, dhcpsrv::toString(lease));
    return makeAnswer(ResultCode::kSuccess, "Lease for " + describe(lease) + ", subnet-id " +
                                                std::to_string(lease.subnet_id.value) + " added.");
  });
}

cc::Value lease6Get(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, kLookupHelp6);
    Services6 s = services6();
    auto lease = findLease6(args, s.leases);
    if (!lease) {
      return makeAnswer(ResultCode::kEmpty, "Lease not found.");  // Kea's lease6-get text
    }
    return makeAnswer(ResultCode::kSuccess, "IPv6 lease found.", dhcpsrv::lease6ToJson(*lease));
  });
}

cc::Value lease6GetAll(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    Services6 s = services6();
    if (!cmd.arguments) {
      return listAnswer6(s.leases.getAll());
    }
    std::vector<Lease6> leases;
    for (SubnetId id : subnetIdList(*cmd.arguments, "lease6-get-all")) {
      auto part = s.leases.getBySubnet(id);
      leases.insert(leases.end(), part.begin(), part.end());
    }
    return listAnswer6(leases);
  });
}

cc::Value lease6GetPage(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(
        cmd, "'from' (\"start\" or the last address of the previous page) and 'limit'");
    std::string from = getString(args, "from");
    IPv6Address after;
    if (from != "start") {
      auto a = IPv6Address::parse(from);
      if (!a) {
        throw Error("'from' must be \"start\" or an IPv6 address, not '" + from + "'");
      }
      after = *a;
    }
    requireMember(args, "limit");
    auto limit = optInt(args, "limit", 1, std::numeric_limits<uint32_t>::max());
    Services6 s = services6();
    return listAnswer6(s.leases.getPage(after, static_cast<size_t>(*limit)), true);
  });
}

cc::Value lease6GetByDuid(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'duid'");
    Duid duid = parseDuid(getString(args, "duid"));
    return listAnswer6(services6().leases.getByDuid(duid));
  });
}

cc::Value lease6GetByHostname(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'hostname'");
    std::string hostname = getString(args, "hostname");
    if (hostname.empty()) {
      throw Error("'hostname' is empty");
    }
    return listAnswer6(services6().leases.getByHostname(hostname));
  });
}

cc::Value lease6Update(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "at least 'ip-address', 'duid' and 'iaid'");
    return makeAnswer(ResultCode::kSuccess, storeUpdate6(services6(), args, false));
  });
}

cc::Value lease6Del(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, kLookupHelp6);
    // Checked for its type only: without DDNS there is no DNS entry to remove.
    optBool(args, "update-ddns");
    Services6 s = services6();
    auto lease = findLease6(args, s.leases);
    if (!lease || !removeLease6(s, *lease)) {
      return makeAnswer(ResultCode::kEmpty, "IPv6 lease not found.");
    }
    return makeAnswer(ResultCode::kSuccess, "IPv6 lease deleted.");
  });
}

cc::Value lease6Wipe(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    Services6 s = services6();
    return wipeSubnets(
        cmd, s.leases, s.stats, *s.config, {"assigned-nas", "assigned-pds", "declined-addresses"},
        [](const Lease6& l) {
          return l.type == Lease6Type::kNa && l.state == LeaseState::kDeclined;
        },
        "IPv6", LEASE_CMDS_WIPE6);
  });
}

cc::Value lease6BulkApply(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    BulkLists lists = bulkLists(cmd);
    Services6 s = services6();
    BulkOutcome done = applyBulk(
        cmd, lists, true,
        [&](const cc::Value& item) {
          auto lease = s.leases.get(optLease6Type(item), getAddress6(item, "ip-address"));
          return lease && removeLease6(s, *lease);
        },
        [&](const cc::Value& item) { storeUpdate6(s, item, true); });
    // As Kea: N counts the leases applied, result 3 when none was, and each failure list
    // appears only when it has entries.
    std::optional<cc::Value> out;
    for (auto* list : {&done.failed_deleted, &done.failed}) {
      if (!list->asList().empty()) {
        if (!out) {
          out = cc::Value::makeMap();
        }
        out->set(list == &done.failed ? "failed-leases" : "failed-deleted-leases",
                 std::move(*list));
      }
    }
    return makeAnswer(done.applied != 0 ? ResultCode::kSuccess : ResultCode::kEmpty,
                      "Bulk apply of " + std::to_string(done.applied) + " IPv6 leases completed.",
                      std::move(out));
  });
}

cc::Value lease6ResendDdns(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "'ip-address'");
    IPv6Address addr = getAddress6(args, "ip-address");
    services6();  // outside takahe-dhcp6 say so, as every lease6 command
    // No DNS updates are sent yet: Kea answers the same way when dhcp-ddns is off.
    return makeAnswer(ResultCode::kError,
                      "DDNS updating is not enabled: no DNS update can be sent for " +
                          addr.toString() + " (Takahe has no dhcp-ddns support yet)");
  });
}

const std::vector<CommandEntry>& lease6Commands() {
  static const std::vector<CommandEntry> commands = {
      {"lease6-add", lease6Add},
      {"lease6-bulk-apply", lease6BulkApply},
      {"lease6-del", lease6Del},
      {"lease6-get", lease6Get},
      {"lease6-get-all", lease6GetAll},
      {"lease6-get-by-duid", lease6GetByDuid},
      {"lease6-get-by-hostname", lease6GetByHostname},
      {"lease6-get-page", lease6GetPage},
      {"lease6-resend-ddns", lease6ResendDdns},
      {"lease6-update", lease6Update},
      {"lease6-wipe", lease6Wipe},
  };
  return commands;
}

}  // namespace takahe::hooks::lease_cmds
