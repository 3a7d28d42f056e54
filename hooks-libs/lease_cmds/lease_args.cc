#include "lease_args.h"

#include <limits>

#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::hooks::lease_cmds {

namespace {

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

[[noreturn]] void wrongType(std::string_view name, std::string_view expected, const cc::Value& v) {
  throw Error(quoted(name) + " must be " + std::string(expected) + ", not " +
              std::string(v.typeName()) + " " + v.toJson());
}

}  // namespace

const cc::Value& requireArguments(const cc::Command& cmd, std::string_view expected) {
  if (!cmd.arguments || !cmd.arguments->isMap()) {
    throw Error(cmd.name + " needs 'arguments': a map with " + std::string(expected));
  }
  return *cmd.arguments;
}

const cc::Value& requireMember(const cc::Value& args, std::string_view name) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    throw Error("missing parameter " + quoted(name));
  }
  return *v;
}

std::optional<std::string> optString(const cc::Value& args, std::string_view name) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->isString()) {
    wrongType(name, "a string", *v);
  }
  return v->asString();
}

std::optional<bool> optBool(const cc::Value& args, std::string_view name) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->isBool()) {
    wrongType(name, "a boolean", *v);
  }
  return v->asBool();
}

std::optional<int64_t> optInt(const cc::Value& args, std::string_view name, int64_t min,
                              int64_t max) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->isInt()) {
    wrongType(name, "an integer", *v);
  }
  int64_t i = v->asInt();
  if (i < min || i > max) {
    throw Error(quoted(name) + " is " + std::to_string(i) + ", out of range " +
                std::to_string(min) + ".." + std::to_string(max));
  }
  return i;
}

std::optional<uint32_t> optUint32(const cc::Value& args, std::string_view name) {
  auto i = optInt(args, name, 0, std::numeric_limits<uint32_t>::max());
  return i ? std::optional<uint32_t>(static_cast<uint32_t>(*i)) : std::nullopt;
}

std::string getString(const cc::Value& args, std::string_view name) {
  requireMember(args, name);
  return *optString(args, name);
}

uint32_t getUint32(const cc::Value& args, std::string_view name) {
  requireMember(args, name);
  return *optUint32(args, name);
}

IPv4Address getAddress(const cc::Value& args, std::string_view name) {
  std::string text = getString(args, name);
  auto a = IPv4Address::parse(text);
  if (!a) {
    throw Error(quoted(name) + " value '" + text + "' is not an IPv4 address");
  }
  return *a;
}

HwAddr parseHwAddress(std::string_view text, std::string_view name) {
  if (text.empty()) {
    return HwAddr{};
  }
  auto bytes = parseHex(text);
  if (!bytes) {
    throw Error(quoted(name) + " value '" + std::string(text) +
                "' is not a hardware address (hex bytes such as 1a:1b:1c:1d:1e:1f)");
  }
  if (bytes->size() > 20) {
    throw Error(quoted(name) + " value '" + std::string(text) + "' is longer than 20 bytes");
  }
  return HwAddr(1, std::move(*bytes));
}

const cc::List* optList(const cc::Value& args, std::string_view name, std::string_view expected) {
  const cc::Value* v = args.find(name);
  if (v == nullptr) {
    return nullptr;
  }
  if (!v->isList()) {
    throw Error(quoted(name) + " must be " + std::string(expected) + ", not " +
                std::string(v->typeName()));
  }
  return &v->asList();
}

std::vector<SubnetId> subnetIdList(const cc::Value& args, std::string_view command) {
  const cc::Value* subnets = args.isMap() ? args.find("subnets") : nullptr;
  if (subnets == nullptr) {
    throw Error(std::string(command) +
                " takes no arguments, or 'subnets': a list of subnet ids");
  }
  if (!subnets->isList()) {
    throw Error("'subnets' must be a list of subnet ids, not " +
                std::string(subnets->typeName()));
  }
  std::vector<SubnetId> ids;
  for (const auto& id : subnets->asList()) {
    if (!id.isInt() || id.asInt() < 0 || id.asInt() > std::numeric_limits<uint32_t>::max()) {
      throw Error("'subnets' must hold subnet ids (integers), found " + id.toJson());
    }
    ids.push_back(SubnetId(static_cast<uint32_t>(id.asInt())));
  }
  return ids;
}

LeaseTerms readLeaseTerms(const cc::Value& args, uint32_t default_valid, int64_t now,
                          std::string_view family) {
  LeaseTerms t;
  t.valid_lifetime = optUint32(args, "valid-lft").value_or(default_valid);
  if (t.valid_lifetime == 0) {
    throw Error("'valid-lft' must be greater than 0");
  }
  if (auto expire = optInt(args, "expire", 1, std::numeric_limits<int64_t>::max())) {
    if (*expire < int64_t{t.valid_lifetime}) {
      throw Error("'expire' " + std::to_string(*expire) + " is smaller than 'valid-lft' " +
                  std::to_string(t.valid_lifetime) + ": the lease would have started before 1970");
    }
    t.cltt = *expire - t.valid_lifetime;
  } else {
    t.cltt = optInt(args, "cltt", 0, std::numeric_limits<uint32_t>::max()).value_or(now);
  }
  t.fqdn_fwd = optBool(args, "fqdn-fwd").value_or(false);
  t.fqdn_rev = optBool(args, "fqdn-rev").value_or(false);
  t.hostname = optString(args, "hostname").value_or("");
  if (t.hostname.empty() && (t.fqdn_fwd || t.fqdn_rev)) {
    throw Error("'fqdn-fwd' or 'fqdn-rev' is true but no 'hostname' is given");
  }
  if (auto state = optInt(args, "state", 0, std::numeric_limits<int32_t>::max())) {
    if (*state > 3) {
      throw Error("'state' " + std::to_string(*state) + " is not a " + std::string(family) +
                  " lease state (0 default, 1 declined, 2 expired-reclaimed, 3 released)");
    }
    t.state = static_cast<dhcpsrv::LeaseState>(*state);
  }
  t.user_context = userContextArgument(args);
  return t;
}

std::string userContextArgument(const cc::Value& args) {
  cc::Value ctx = cc::Value::makeMap();
  bool present = false;
  if (const cc::Value* c = args.find("user-context")) {
    if (!c->isMap()) {
      throw Error("'user-context' must be a map, not " + std::string(c->typeName()) + " " +
                  c->toJson());
    }
    ctx = *c;
    present = true;
  }
  if (const cc::Value* comment = args.find("comment")) {
    if (ctx.contains("comment")) {
      throw Error("'comment' is given both as a parameter and inside 'user-context'");
    }
    ctx.set("comment", *comment);
    present = true;
  }
  return present ? ctx.toJson() : std::string();
}

ClientId parseClientId(std::string_view text, std::string_view name) {
  auto bytes = parseHex(text);
  if (!bytes || bytes->size() < 2 || bytes->size() > 255) {
    throw Error(quoted(name) + " value '" + std::string(text) +
                "' is not a client identifier (2 to 255 hex bytes such as 01:1a:1b:1c:1d:1e:1f)");
  }
  return ClientId(std::move(*bytes));
}

}  // namespace takahe::hooks::lease_cmds
