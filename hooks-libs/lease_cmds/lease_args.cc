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

ClientId parseClientId(std::string_view text, std::string_view name) {
  auto bytes = parseHex(text);
  if (!bytes || bytes->size() < 2 || bytes->size() > 255) {
    throw Error(quoted(name) + " value '" + std::string(text) +
                "' is not a client identifier (2 to 255 hex bytes such as 01:1a:1b:1c:1d:1e:1f)");
  }
  return ClientId(std::move(*bytes));
}

}  // namespace takahe::hooks::lease_cmds
