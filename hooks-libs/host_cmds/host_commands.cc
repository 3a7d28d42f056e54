// reservation-add, reservation-del and reservation-get: the commands that address one
// reservation. The listing commands are in host_queries.cc.

#include "host_commands.h"

#include "host_args.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/error.h"

namespace takahe::hooks::host_cmds {

using dhcpsrv::Host4;

namespace {

/// Checks a new reservation against the running configuration: its address belongs to its
/// subnet and is a host address there, and neither its identifier nor its address is already
/// reserved in that scope by the configuration file (the store checks its own contents).
void checkAgainstConfig(const Host4& host, const dhcpsrv::SrvConfig4& config) {
  const dhcpsrv::Subnet4* subnet = requireSubnet(config, host.subnet_id);
  if (host.address) {
    IPv4Address a = *host.address;
    if (a.isZero() || a.isBroadcast()) {
      throw Error("'ip-address' " + a.toString() + " cannot be reserved");
    }
    if (subnet) {
      if (!subnet->prefix.contains(a)) {
        throw Error("'ip-address' " + a.toString() + " is outside subnet " + subnet->prefix.toString() +
                    " (subnet-id " + std::to_string(subnet->id.value) + ")");
      }
      // /31 and /32 have no network or broadcast address to avoid (RFC 3021).
      if (subnet->prefix.length <= 30 &&
          (a == subnet->prefix.network() || a == subnet->prefix.broadcast())) {
        throw Error("'ip-address' " + a.toString() + " is the network or broadcast address of subnet " +
                    subnet->prefix.toString());
      }
    }
  }
  const dhcpsrv::HostIndex* index = configHosts(config, host.subnet_id);
  if (index->find(host.id_type, host.identifier)) {
    throw Error("a reservation for " + describe(host.id_type, host.identifier, host.subnet_id) +
                " already exists in the configuration file");
  }
  if (host.address) {
    if (const Host4* other = index->findByAddress(*host.address)) {
      throw Error("address " + host.address->toString() + " is already reserved for " +
                  describe(other->id_type, other->identifier, host.subnet_id) +
                  " in the configuration file");
    }
  }
}

/// The store, for the commands that change it.
dhcpsrv::HostStore4& writableStore(const Context& ctx) {
  if (!ctx.services.hosts) {
    throw Error("this server has no host store, so reservations cannot be added or deleted by command");
  }
  return *ctx.services.hosts;
}

/// Reservation addressed by (subnet-id, ip-address) or (subnet-id, identifier-type, identifier).
struct Selector {
  SubnetId subnet;
  std::optional<IPv4Address> address;
  std::optional<Identifier> id;
};

Selector readSelector(const cc::Value& args) {
  Selector s;
  s.subnet = reqSubnetId(args);
  if (args.contains("ip-address")) {
    s.address = reqAddress(args, "ip-address");
  } else {
    s.id = reqIdentifier(args);
  }
  return s;
}

std::optional<Host4> findInConfig(const dhcpsrv::SrvConfig4& config, const Selector& s) {
  const dhcpsrv::HostIndex* index = configHosts(config, s.subnet);
  if (!index) {
    return std::nullopt;
  }
  const Host4* h = s.address ? index->findByAddress(*s.address) : index->find(s.id->type, s.id->bytes);
  return h ? std::optional<Host4>(*h) : std::nullopt;
}

std::optional<Host4> findInStore(const dhcpsrv::HostStore4* store, const Selector& s) {
  if (!store) {
    return std::nullopt;
  }
  return s.address ? store->getByAddress(s.subnet, *s.address) : store->get(s.subnet, s.id->type, s.id->bytes);
}

std::string describe(const Selector& s) {
  if (s.address) {
    std::string scope = s.subnet.value == 0 ? "among the global reservations"
                                            : "in subnet " + std::to_string(s.subnet.value);
    return "address " + s.address->toString() + " " + scope;
  }
  return host_cmds::describe(s.id->type, s.id->bytes, s.subnet);
}

}  // namespace

cc::Value reservationAdd(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    const cc::Value* res = optMap(args, "reservation");
    if (!res) {
      throw Error("missing mandatory 'reservation' argument (a map in the syntax of a 'reservations' entry)");
    }
    Target target = operationTarget(args);
    if (target == Target::kConfig || target == Target::kAll) {
      throw Error("reservations of the configuration file are read-only; reservation-add writes to the host "
                  "store ('operation-target' \"database\" or \"default\")");
    }
    SubnetId subnet = reqSubnetId(*res);
    Context ctx = context();
    requireSubnet(*ctx.config, subnet);
    std::vector<std::string> warnings;
    Host4 host = dhcpsrv::hostFromJson(*res, *ctx.config, subnet, "reservation", &warnings);
    checkAgainstConfig(host, *ctx.config);
    writableStore(ctx).add(host);
    std::string text = "Host added.";
    for (const auto& w : warnings) {
      text += " Warning: " + w + ".";
    }
    return cc::makeAnswer(cc::ResultCode::kSuccess, text);
  });
}

cc::Value reservationDel(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    Selector s = readSelector(args);
    Target target = operationTarget(args);
    Context ctx = context();
    if (target != Target::kConfig && ctx.services.hosts) {
      dhcpsrv::HostStore4& store = *ctx.services.hosts;
      bool deleted = s.address ? store.removeByAddress(s.subnet, *s.address)
                               : store.remove(s.subnet, s.id->type, s.id->bytes);
      if (deleted) {
        return cc::makeAnswer(cc::ResultCode::kSuccess, "Host deleted.");
      }
    }
    // Not in the store: say so plainly when the reservation lives in the configuration file.
    if (findInConfig(*ctx.config, s)) {
      return cc::makeAnswer(cc::ResultCode::kError,
                            "Host not deleted: the reservation for " + describe(s) +
                                " is in the configuration file, which commands cannot change; remove it "
                                "there and reload the configuration (config-reload).");
    }
    writableStore(ctx);  // throws when there is no store at all
    return cc::makeAnswer(cc::ResultCode::kEmpty, "Host not deleted (not found).");
  });
}

cc::Value reservationGet(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    Selector s = readSelector(args);
    Target target = operationTarget(args);
    Context ctx = context();
    requireSubnet(*ctx.config, s.subnet);
    std::optional<Host4> h;
    if (includesConfig(target)) {
      h = findInConfig(*ctx.config, s);
    }
    if (!h && includesStore(target)) {
      h = findInStore(ctx.services.hosts, s);
    }
    if (!h) {
      return cc::makeAnswer(cc::ResultCode::kEmpty, "Host not found.");
    }
    return cc::makeAnswer(cc::ResultCode::kSuccess, "Host found.",
                          dhcpsrv::hostToJson(*h, ctx.config->option_defs));
  });
}

const std::vector<std::pair<std::string, CommandHandler>>& hostCommands() {
  static const std::vector<std::pair<std::string, CommandHandler>> commands{
      {"reservation-add", &reservationAdd},
      {"reservation-del", &reservationDel},
      {"reservation-get", &reservationGet},
      {"reservation-get-all", &reservationGetAll},
      {"reservation-get-by-address", &reservationGetByAddress},
      {"reservation-get-by-hostname", &reservationGetByHostname},
      {"reservation-get-by-id", &reservationGetById},
      {"reservation-get-page", &reservationGetPage},
  };
  return commands;
}

}  // namespace takahe::hooks::host_cmds
