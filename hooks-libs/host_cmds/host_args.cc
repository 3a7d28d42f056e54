#include "host_args.h"

#include <algorithm>

#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::hooks::host_cmds {

using dhcpsrv::HostIdType;

namespace {

constexpr int64_t kMaxSubnetId = 0xfffffffeLL;

[[noreturn]] void wrongType(std::string_view key, std::string_view expected, const cc::Value& v) {
  throw Error("'" + std::string(key) + "' must be " + std::string(expected) + ", not " +
              std::string(v.typeName()));
}

}  // namespace

const cc::Value& argumentsOf(const cc::Command& cmd) {
  if (!cmd.arguments) {
    throw Error("missing 'arguments' map for " + cmd.name);
  }
  if (!cmd.arguments->isMap()) {
    throw Error("'arguments' of " + cmd.name + " must be a map, not " +
                std::string(cmd.arguments->typeName()));
  }
  return *cmd.arguments;
}

const cc::Value* optMap(const cc::Value& args, std::string_view key) {
  const cc::Value* v = args.find(key);
  if (v && !v->isMap()) {
    wrongType(key, "a map", *v);
  }
  return v;
}

std::optional<int64_t> optInt(const cc::Value& args, std::string_view key, int64_t min, int64_t max) {
  const cc::Value* v = args.find(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isInt()) {
    wrongType(key, "an integer", *v);
  }
  int64_t n = v->asInt();
  if (n < min || n > max) {
    throw Error("'" + std::string(key) + "' is " + std::to_string(n) + ", outside " + std::to_string(min) +
                ".." + std::to_string(max));
  }
  return n;
}

int64_t reqInt(const cc::Value& args, std::string_view key, int64_t min, int64_t max) {
  auto n = optInt(args, key, min, max);
  if (!n) {
    throw Error("missing mandatory '" + std::string(key) + "' argument");
  }
  return *n;
}

std::optional<std::string> optString(const cc::Value& args, std::string_view key) {
  const cc::Value* v = args.find(key);
  if (!v) {
    return std::nullopt;
  }
  if (!v->isString()) {
    wrongType(key, "a string", *v);
  }
  return v->asString();
}

std::string reqString(const cc::Value& args, std::string_view key) {
  auto s = optString(args, key);
  if (!s) {
    throw Error("missing mandatory '" + std::string(key) + "' argument");
  }
  return *s;
}

std::optional<SubnetId> optSubnetId(const cc::Value& args) {
  auto n = optInt(args, "subnet-id", 0, kMaxSubnetId);
  if (!n) {
    return std::nullopt;
  }
  return SubnetId(static_cast<uint32_t>(*n));
}

SubnetId reqSubnetId(const cc::Value& args) {
  auto id = optSubnetId(args);
  if (!id) {
    throw Error("missing mandatory 'subnet-id' argument (0 for global reservations)");
  }
  return *id;
}

IPv4Address reqAddress(const cc::Value& args, std::string_view key) {
  std::string text = reqString(args, key);
  auto a = IPv4Address::parse(trim(text));
  if (!a) {
    throw Error("'" + std::string(key) + "' is not an IPv4 address: '" + text + "'");
  }
  return *a;
}

Identifier reqIdentifier(const cc::Value& args) {
  const cc::Value* type = args.find("identifier-type");
  const cc::Value* ident = args.find("identifier");
  if (!type) {
    throw Error("missing mandatory 'identifier-type' argument (or give 'ip-address')");
  }
  if (!type->isString()) {
    wrongType("identifier-type", "a string", *type);
  }
  if (!ident) {
    throw Error("missing mandatory 'identifier' argument");
  }
  if (!ident->isString()) {
    wrongType("identifier", "a string", *ident);
  }
  Identifier out{};
  bool known = false;
  for (HostIdType t : {HostIdType::kHwAddress, HostIdType::kDuid, HostIdType::kCircuitId,
                       HostIdType::kClientId, HostIdType::kFlexId}) {
    if (dhcpsrv::hostIdTypeName(t) == type->asString()) {
      out.type = t;
      known = true;
    }
  }
  if (!known) {
    throw Error("'identifier-type' '" + type->asString() +
                "' is not one of hw-address, duid, circuit-id, client-id, flex-id");
  }
  std::string_view text = trim(ident->asString());
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    text = text.substr(1, text.size() - 2);
    out.bytes.assign(text.begin(), text.end());
  } else if (auto bytes = parseHex(text)) {
    out.bytes = std::move(*bytes);
  } else {
    throw Error("'identifier' '" + ident->asString() + "' is neither hex bytes nor a 'quoted' text");
  }
  if (out.bytes.empty()) {
    throw Error("'identifier' must not be empty");
  }
  return out;
}

Target operationTarget(const cc::Value& args) {
  auto t = optString(args, "operation-target");
  if (!t || *t == "default") {
    return Target::kDefault;
  }
  if (*t == "memory") {
    return Target::kConfig;
  }
  if (*t == "database") {
    return Target::kStore;
  }
  if (*t == "all") {
    return Target::kAll;
  }
  throw Error("'operation-target' '" + *t + "' is not one of memory, database, all, default");
}

bool includesConfig(Target t) { return t != Target::kStore; }
bool includesStore(Target t) { return t != Target::kConfig; }

Context context() {
  dhcpsrv::ServerServices4* services = dhcpsrv::serverServices4();
  if (!services || !services->config) {
    throw Error("the host commands need a running DHCPv4 server");
  }
  dhcpsrv::SrvConfig4Ptr config = services->config();
  if (!config) {
    throw Error("the server has no configuration yet");
  }
  return Context{*services, std::move(config)};
}

const dhcpsrv::Subnet4* requireSubnet(const dhcpsrv::SrvConfig4& config, SubnetId id) {
  if (id.value == 0) {
    return nullptr;
  }
  const dhcpsrv::Subnet4* s = config.subnetById(id);
  if (!s) {
    throw Error("subnet-id " + std::to_string(id.value) +
                " is not configured (use 0 for global reservations)");
  }
  return s;
}

const dhcpsrv::HostIndex* configHosts(const dhcpsrv::SrvConfig4& config, SubnetId id) {
  if (id.value == 0) {
    return &config.global_hosts;
  }
  const dhcpsrv::Subnet4* s = config.subnetById(id);
  return s ? &s->hosts : nullptr;
}

std::vector<const dhcpsrv::HostIndex*> allConfigHosts(const dhcpsrv::SrvConfig4& config) {
  std::vector<const dhcpsrv::Subnet4*> subnets;
  for (const auto& s : config.subnets) {
    subnets.push_back(&s);
  }
  std::sort(subnets.begin(), subnets.end(), [](auto* a, auto* b) { return a->id < b->id; });
  std::vector<const dhcpsrv::HostIndex*> out{&config.global_hosts};
  for (const auto* s : subnets) {
    out.push_back(&s->hosts);
  }
  return out;
}

std::string describe(HostIdType type, const Bytes& id, SubnetId subnet) {
  std::string scope = subnet.value == 0 ? "among the global reservations"
                                        : "in subnet " + std::to_string(subnet.value);
  return std::string(dhcpsrv::hostIdTypeName(type)) + " " + toHex(id) + " " + scope;
}

cc::Value hostsAnswer(const std::vector<dhcpsrv::Host4>& hosts, const dhcpsrv::SrvConfig4& config) {
  cc::Value list = cc::Value::makeList();
  for (const auto& h : hosts) {
    list.push(dhcpsrv::hostToJson(h, config.option_defs));
  }
  cc::Value args = cc::Value::makeMap();
  args.set("hosts", std::move(list));
  return cc::makeAnswer(hosts.empty() ? cc::ResultCode::kEmpty : cc::ResultCode::kSuccess,
                        std::to_string(hosts.size()) + " IPv4 host(s) found.", std::move(args));
}

}  // namespace takahe::hooks::host_cmds
