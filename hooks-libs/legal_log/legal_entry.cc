// Default forensic log entries (Kea's wording).

#include "legal_entry.h"

#include <cstdio>

#include "takahe/cc/value.h"
#include "takahe/util/hex.h"

namespace takahe::hooks::legal_log {

namespace {

// Option 82 sub-option 6 (RFC 3993), not in pkt4.h's list.
constexpr uint8_t kSubscriberId = 6;

bool printable(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return false;
  for (uint8_t b : bytes) {
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}

/// A JSON string literal, escaped as the server's own JSON writer does.
void appendEscaped(std::string& out, const std::string& s) { out += cc::Value(s).toJson(); }

// Kea separates members with ", " and pads braces and brackets with one space.
void appendKeaStyle(std::string& out, const cc::Value& v) {
  switch (v.type()) {
    case cc::Value::Type::Map: {
      out += "{ ";
      bool first = true;
      for (const auto& [key, member] : v.asMap()) {
        if (!first) out += ", ";
        first = false;
        appendEscaped(out, key);
        out += ": ";
        appendKeaStyle(out, member);
      }
      out += " }";
      break;
    }
    case cc::Value::Type::List: {
      out += "[ ";
      bool first = true;
      for (const auto& item : v.asList()) {
        if (!first) out += ", ";
        first = false;
        appendKeaStyle(out, item);
      }
      out += " ]";
      break;
    }
    case cc::Value::Type::String:
      appendEscaped(out, v.asString());
      break;
    default:
      out += v.toJson();
  }
}

}  // namespace

const char* actionVerb(Action action) {
  switch (action) {
    case Action::kAssign:
      return "assigned";
    case Action::kRenew:
      return "renewed";
    case Action::kRelease:
      return "released";
    case Action::kDecline:
      return "declined";
    case Action::kExpire:
      return "expired";
  }
  return "assigned";
}

std::string durationText(uint32_t seconds) {
  if (seconds == dhcpsrv::kInfiniteLifetime) return "infinite duration";
  uint32_t days = seconds / 86400;
  uint32_t hrs = (seconds % 86400) / 3600;
  uint32_t mins = (seconds % 3600) / 60;
  uint32_t secs = seconds % 60;
  std::string out;
  if (days > 0) out = std::to_string(days) + " days ";
  out += std::to_string(hrs) + " hrs " + std::to_string(mins) + " mins " + std::to_string(secs) +
         " secs";
  return out;
}

std::string idText(std::span<const uint8_t> bytes) {
  std::string out = toHex(bytes);
  if (printable(bytes)) {
    out += " (";
    out.append(bytes.begin(), bytes.end());
    out += ')';
  }
  return out;
}

Action commitAction(const dhcp::Pkt4* query, const dhcpsrv::Lease4& lease) {
  if (query && query->messageType() == dhcp::MessageType::kRequest && !query->ciaddr.isZero() &&
      query->ciaddr == lease.address) {
    return Action::kRenew;
  }
  return Action::kAssign;
}

std::string leaseEntry(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query) {
  std::string out = "Address: " + lease.address.toString() + " has been " + actionVerb(action);
  if (action == Action::kAssign || action == Action::kRenew) {
    out += " for " + durationText(lease.valid_lifetime) + " to";
  } else {
    out += " from";
  }

  // A declined lease loses its hardware address; the DECLINE itself still names the device.
  HwAddr hw = lease.hwaddr;
  if (hw.empty() && query) hw = query->hwAddr();
  out +=
      " a device with hardware address: hwtype=" + std::to_string(hw.htype) + " " + toHex(hw.bytes);

  if (!lease.client_id.empty()) out += ", client-id: " + idText(lease.client_id.bytes);

  if (query && query->isRelayed()) {
    out += " connected via relay at address: " + query->giaddr.toString();
    std::string ids;
    auto add = [&](const char* name, uint8_t sub) {
      auto data = query->relayAgentSubOption(sub);
      if (!data || data->empty()) return;
      if (!ids.empty()) ids += " and ";
      ids += std::string(name) + ": " + idText(*data);
    };
    add("circuit-id", dhcp::rai::kCircuitId);
    add("remote-id", dhcp::rai::kRemoteId);
    add("subscriber-id", kSubscriberId);
    if (!ids.empty()) out += ", identified by " + ids;
  }

  if (!lease.user_context.empty()) out += ", context: " + keaStyleJson(lease.user_context);
  return out;
}

std::string keaStyleJson(const std::string& json_text) {
  try {
    std::string out;
    appendKeaStyle(out, cc::parseJson(json_text, "<user-context>"));
    return out;
  } catch (const std::exception&) {
    return json_text;
  }
}

}  // namespace takahe::hooks::legal_log
