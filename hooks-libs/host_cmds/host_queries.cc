// The listing host commands: reservation-get-all, -get-page, -get-by-address, -get-by-hostname
// and -get-by-id. Configured reservations come first, then those of the host store.

#include <algorithm>
#include <cstdint>
#include <functional>

#include "host_args.h"
#include "host_commands.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::hooks::host_cmds {

using dhcpsrv::Host4;

namespace {

/// Source indexes of reservation-get-page, as Kea numbers them: 0 = configuration, 1 = first
/// host backend (here the host store).
constexpr int64_t kConfigSource = 0;
constexpr int64_t kStoreSource = 1;

void appendMatching(std::vector<Host4>& out, const dhcpsrv::HostIndex& index,
                    const std::function<bool(const Host4&)>& match) {
  for (const auto& h : index.all()) {
    if (match(h)) {
      out.push_back(h);
    }
  }
}

/// The configured reservations of one scope, or of every scope.
std::vector<const Host4*> configList(const dhcpsrv::SrvConfig4& config, std::optional<SubnetId> subnet) {
  std::vector<const Host4*> out;
  std::vector<const dhcpsrv::HostIndex*> indexes;
  if (subnet) {
    indexes.push_back(configHosts(config, *subnet));
  } else {
    indexes = allConfigHosts(config);
  }
  for (const auto* index : indexes) {
    for (const auto& h : index->all()) {
      out.push_back(&h);
    }
  }
  return out;
}

/// One page of one source; `next` is the position after the last host returned.
std::vector<Host4> pageOf(const Context& ctx, int64_t source, std::optional<SubnetId> subnet, size_t from,
                          size_t limit, size_t& next) {
  std::vector<Host4> out;
  next = from;
  if (source == kConfigSource) {
    auto all = configList(*ctx.config, subnet);
    for (size_t i = from; i < all.size() && out.size() < limit; ++i) {
      out.push_back(*all[i]);
    }
    next = from + out.size();
  } else if (source == kStoreSource && ctx.services.hosts) {
    if (subnet) {
      out = ctx.services.hosts->getPage(*subnet, from, limit, next);
    } else {
      auto all = ctx.services.hosts->getAll();
      for (size_t i = from; i < all.size() && out.size() < limit; ++i) {
        out.push_back(std::move(all[i]));
      }
      next = from + out.size();
    }
  }
  return out;
}

}  // namespace

cc::Value reservationGetAll(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    SubnetId subnet = reqSubnetId(args);
    Target target = operationTarget(args);
    Context ctx = context();
    requireSubnet(*ctx.config, subnet);
    std::vector<Host4> hosts;
    if (includesConfig(target)) {
      appendMatching(hosts, *configHosts(*ctx.config, subnet), [](const Host4&) { return true; });
    }
    if (includesStore(target) && ctx.services.hosts) {
      auto stored = ctx.services.hosts->getAll(subnet);
      hosts.insert(hosts.end(), stored.begin(), stored.end());
    }
    return hostsAnswer(hosts, *ctx.config);
  });
}

cc::Value reservationGetPage(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    size_t limit = static_cast<size_t>(reqInt(args, "limit", 1, 0xffffffffLL));
    std::optional<SubnetId> subnet = optSubnetId(args);
    int64_t source = optInt(args, "source-index", kConfigSource, kStoreSource).value_or(kConfigSource);
    size_t from = static_cast<size_t>(optInt(args, "from", 0, INT64_MAX).value_or(0));
    if (args.contains("operation-target")) {
      throw Error("reservation-get-page takes no 'operation-target'; it pages through every source");
    }
    Context ctx = context();
    if (subnet) {
      requireSubnet(*ctx.config, *subnet);
    }
    std::vector<Host4> hosts;
    size_t next = from;
    // A source that has nothing left hands over to the next one, from its beginning.
    for (; source <= kStoreSource; ++source, from = 0) {
      hosts = pageOf(ctx, source, subnet, from, limit, next);
      if (!hosts.empty()) {
        break;
      }
    }
    cc::Value list = cc::Value::makeList();
    for (const auto& h : hosts) {
      list.push(dhcpsrv::hostToJson(h, ctx.config->option_defs));
    }
    cc::Value out = cc::Value::makeMap();
    out.set("count", static_cast<int64_t>(hosts.size()));
    out.set("hosts", std::move(list));
    if (!hosts.empty()) {
      cc::Value n = cc::Value::makeMap();
      n.set("from", static_cast<int64_t>(next));
      n.set("source-index", source);
      out.set("next", std::move(n));
    }
    return cc::makeAnswer(hosts.empty() ? cc::ResultCode::kEmpty : cc::ResultCode::kSuccess,
                          std::to_string(hosts.size()) + " IPv4 host(s) found.", std::move(out));
  });
}

cc::Value reservationGetByAddress(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    IPv4Address address = reqAddress(args, "ip-address");
    std::optional<SubnetId> subnet = optSubnetId(args);
    Target target = operationTarget(args);
    Context ctx = context();
    if (subnet) {
      requireSubnet(*ctx.config, *subnet);
    }
    std::vector<Host4> hosts;
    auto match = [&](const Host4& h) { return h.address == address; };
    if (includesConfig(target)) {
      if (subnet) {
        appendMatching(hosts, *configHosts(*ctx.config, *subnet), match);
      } else {
        for (const auto* index : allConfigHosts(*ctx.config)) {
          appendMatching(hosts, *index, match);
        }
      }
    }
    if (includesStore(target) && ctx.services.hosts) {
      if (subnet) {
        if (auto h = ctx.services.hosts->getByAddress(*subnet, address)) {
          hosts.push_back(std::move(*h));
        }
      } else {
        for (auto& h : ctx.services.hosts->getAll()) {
          if (match(h)) {
            hosts.push_back(std::move(h));
          }
        }
      }
    }
    return hostsAnswer(hosts, *ctx.config);
  });
}

cc::Value reservationGetByHostname(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    std::string hostname = reqString(args, "hostname");
    if (trim(hostname).empty()) {
      throw Error("'hostname' must not be empty");
    }
    std::optional<SubnetId> subnet = optSubnetId(args);
    Target target = operationTarget(args);
    Context ctx = context();
    if (subnet) {
      requireSubnet(*ctx.config, *subnet);
    }
    std::string wanted = toLower(hostname);
    std::vector<Host4> hosts;
    auto match = [&](const Host4& h) { return toLower(h.hostname) == wanted; };
    if (includesConfig(target)) {
      if (subnet) {
        appendMatching(hosts, *configHosts(*ctx.config, *subnet), match);
      } else {
        for (const auto* index : allConfigHosts(*ctx.config)) {
          appendMatching(hosts, *index, match);
        }
      }
    }
    if (includesStore(target) && ctx.services.hosts) {
      auto stored = ctx.services.hosts->getByHostname(hostname, subnet);
      hosts.insert(hosts.end(), stored.begin(), stored.end());
    }
    return hostsAnswer(hosts, *ctx.config);
  });
}

cc::Value reservationGetById(const cc::Command& cmd) {
  return guarded([&] {
    const cc::Value& args = argumentsOf(cmd);
    if (args.contains("subnet-id")) {
      throw Error("'subnet-id' is not allowed in reservation-get-by-id (it searches every subnet); "
                  "use reservation-get for one subnet");
    }
    Identifier id = reqIdentifier(args);
    Target target = operationTarget(args);
    Context ctx = context();
    std::vector<Host4> hosts;
    if (includesConfig(target)) {
      for (const auto* index : allConfigHosts(*ctx.config)) {
        if (const Host4* h = index->find(id.type, id.bytes)) {
          hosts.push_back(*h);
        }
      }
    }
    if (includesStore(target) && ctx.services.hosts) {
      auto stored = ctx.services.hosts->getById(id.type, id.bytes);
      hosts.insert(hosts.end(), stored.begin(), stored.end());
    }
    return hostsAnswer(hosts, *ctx.config);
  });
}

}  // namespace takahe::hooks::host_cmds
