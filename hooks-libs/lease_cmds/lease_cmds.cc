#include "lease_cmds.h"

#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lease_args.h"
#include "lease_cmds_common.h"
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

cc::Value listAnswer(const std::vector<Lease4>& leases, bool with_count = false) {
  return leaseListAnswer(leases, "IPv4", [](const Lease4& l) { return leaseToJson(l); }, with_count);
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
    std::vector<Lease4> leases;
    for (SubnetId id : subnetIdList(*cmd.arguments, "lease4-get-all")) {
      auto part = s.leases.getBySubnet(id);
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

}  // namespace

cc::Value lease4Update(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    const cc::Value& args = requireArguments(cmd, "at least 'ip-address' and 'hw-address'");
    return makeAnswer(ResultCode::kSuccess, storeUpdate(services(), args, false));
  });
}

cc::Value lease4BulkApply(const cc::Command& cmd) {
  return guarded(cmd, [&] {
    BulkLists lists = bulkLists(cmd);
    Services s = services();
    BulkOutcome done = applyBulk(
        cmd, lists, false,
        [&](const cc::Value& item) { return removeLease(s, getAddress(item, "ip-address")); },
        [&](const cc::Value& item) { storeUpdate(s, item, true); });
    std::optional<cc::Value> out;
    if (!done.failed_deleted.asList().empty() || !done.failed.asList().empty()) {
      out = cc::Value::makeMap();
      out->set("failed-deleted-leases", std::move(done.failed_deleted));
      out->set("failed-leases", std::move(done.failed));
    }
    return makeAnswer(ResultCode::kSuccess,
                      "Bulk apply of " + std::to_string(done.items) + " IPv4 leases completed.",
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
    return wipeSubnets(
        cmd, s.leases, s.stats, *s.config, {"assigned-addresses", "declined-addresses"},
        [](const Lease4& l) { return l.state == LeaseState::kDeclined; }, "IPv4",
        LEASE_CMDS_WIPE4);
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
