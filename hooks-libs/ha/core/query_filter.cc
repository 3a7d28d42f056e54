#include "core/query_filter.h"

#include <algorithm>
#include <array>
#include <optional>

#include "takahe/dhcp/pkt4.h"
#include "takahe/util/error.h"

namespace takahe::hooks::ha {

namespace {

// RFC 3074 section 6: the 256-entry mixing table (a permutation of 0..255) of the load
// balancing hash. Kea uses the same table, so both servers of a mixed pair agree on who
// serves which client.
constexpr std::array<uint8_t, 256> kMixingTable = {
    251, 175, 119, 215, 81,  14,  79,  191, 103, 49,  181, 143, 186, 157, 0,   232, 31,  32,  55,
    60,  152, 58,  17,  237, 174, 70,  160, 144, 220, 90,  57,  223, 59,  3,   18,  140, 111, 166,
    203, 196, 134, 243, 124, 95,  222, 179, 197, 65,  180, 48,  36,  15,  107, 46,  233, 130, 165,
    30,  123, 161, 209, 23,  97,  16,  40,  91,  219, 61,  100, 10,  210, 109, 250, 127, 22,  138,
    29,  108, 244, 67,  207, 9,   178, 204, 74,  98,  126, 249, 167, 116, 34,  77,  193, 200, 121,
    5,   20,  113, 71,  35,  128, 13,  182, 94,  25,  226, 227, 199, 75,  27,  41,  245, 230, 224,
    43,  225, 177, 26,  155, 150, 212, 142, 218, 115, 241, 73,  88,  105, 39,  114, 62,  255, 192,
    201, 145, 214, 168, 158, 221, 148, 154, 122, 12,  84,  82,  163, 44,  139, 228, 236, 205, 242,
    217, 11,  187, 146, 159, 64,  86,  239, 195, 42,  106, 198, 118, 112, 184, 172, 87,  2,   173,
    117, 176, 229, 247, 253, 137, 185, 99,  164, 102, 147, 45,  66,  231, 52,  141, 211, 194, 206,
    246, 238, 56,  110, 78,  248, 63,  240, 189, 93,  92,  51,  53,  183, 19,  171, 72,  50,  33,
    104, 101, 69,  8,   252, 83,  120, 76,  135, 85,  54,  202, 125, 188, 213, 96,  235, 136, 208,
    162, 129, 190, 132, 156, 38,  47,  1,   7,   254, 24,  4,   216, 131, 89,  21,  28,  133, 37,
    153, 149, 80,  170, 68,  6,   169, 234, 151,
};

/// Message types the HA scopes apply to; anything else (e.g. leasequery) is answered by
/// whoever receives it, as Kea does.
bool isBalancedType(const dhcp::Pkt4& query) {
  auto type = query.messageType();
  if (!type) {
    return true;  // no message type: treat like a request (BOOTP is served as one)
  }
  switch (*type) {
    case dhcp::MessageType::kDiscover:
    case dhcp::MessageType::kRequest:
    case dhcp::MessageType::kDecline:
    case dhcp::MessageType::kRelease:
    case dhcp::MessageType::kInform:
      return true;
    default:
      return false;
  }
}

/// The hash bucket input: client identifier when present and non-empty, else chaddr.
std::optional<uint8_t> clientHash(const dhcp::Pkt4& query) {
  if (auto cid = query.clientId(); cid && !cid->bytes.empty()) {
    return loadBalancingHash(cid->bytes.data(), cid->bytes.size());
  }
  size_t len = std::min<size_t>(query.hlen, query.chaddr.size());
  if (len == 0) {
    return std::nullopt;
  }
  return loadBalancingHash(query.chaddr.data(), len);
}

}  // namespace

uint8_t loadBalancingHash(const uint8_t* key, size_t len) {
  // The seed is the key length (mod 256); bytes are mixed from the last to the first.
  uint8_t hash = static_cast<uint8_t>(len);
  for (size_t i = len; i > 0; --i) {
    hash = kMixingTable[static_cast<uint8_t>(hash ^ key[i - 1])];
  }
  return hash;
}

QueryFilter::QueryFilter(const HaConfig& config) : config_(config) {
  // Scope names in hash-bucket order: the primary first, then the secondary (load-balancing)
  // or the standby (hot-standby; never a hash target since only the primary is active).
  if (const PeerConfig* p = config_.primary()) {
    active_.push_back(p->name);
  }
  for (const auto& peer : config_.peers) {
    if (peer.role == PeerRole::kSecondary || peer.role == PeerRole::kStandby) {
      active_.push_back(peer.name);
    }
  }
  serveDefaultScopes();
}

std::string QueryFilter::queryScope(const dhcp::Pkt4& query) const {
  if (active_.empty()) {
    return {};
  }
  if (config_.mode != HaMode::kLoadBalancing || !isBalancedType(query)) {
    return active_[0];
  }
  auto hash = clientHash(query);
  if (!hash) {
    return {};  // neither client identifier nor hardware address: nobody's client
  }
  // Two active servers in load-balancing: primary = bucket 0, secondary = bucket 1.
  size_t servers = std::min<size_t>(active_.size(), 2);
  return active_[*hash % servers];
}

bool QueryFilter::inScope(const dhcp::Pkt4& query, std::string& scope) const {
  scope = queryScope(query);
  if (scope.empty()) {
    return false;
  }
  if (!isBalancedType(query)) {
    return true;
  }
  std::lock_guard lock(mu_);
  return served_.count(scope) > 0;
}

void QueryFilter::serveDefaultScopes() {
  std::set<std::string> scopes;
  const PeerConfig& me = config_.thisServer();
  // Primary and secondary own their scope; a standby or backup serves nobody by default.
  if (me.role == PeerRole::kPrimary || me.role == PeerRole::kSecondary) {
    scopes.insert(me.name);
  }
  std::lock_guard lock(mu_);
  served_ = std::move(scopes);
}

void QueryFilter::serveFailoverScopes() {
  // Kea's failover set: the primary's and (load-balancing) the secondary's scope. A standby
  // taking over serves the primary's scope; its own never has clients.
  std::set<std::string> scopes;
  for (const auto& peer : config_.peers) {
    if (peer.role == PeerRole::kPrimary || peer.role == PeerRole::kSecondary) {
      scopes.insert(peer.name);
    }
  }
  std::lock_guard lock(mu_);
  served_ = std::move(scopes);
}

void QueryFilter::serveNoScopes() {
  std::lock_guard lock(mu_);
  served_.clear();
}

void QueryFilter::checkScopeName(const std::string& scope) const {
  if (std::find(active_.begin(), active_.end(), scope) == active_.end()) {
    std::string known;
    for (const auto& name : active_) {
      known += known.empty() ? name : ", " + name;
    }
    // Kea 2.2's text first (scripts may match it), then what the valid names are.
    throw Error("invalid server name specified '" + scope +
                "' while enabling/disabling HA scopes: the scopes of this HA relationship are " +
                known);
  }
}

void QueryFilter::serveScopes(const std::vector<std::string>& scopes) {
  // Check every name before changing anything: a bad list leaves the served scopes as they were.
  for (const auto& scope : scopes) {
    checkScopeName(scope);
  }
  std::lock_guard lock(mu_);
  served_ = std::set<std::string>(scopes.begin(), scopes.end());
}

void QueryFilter::serveScope(const std::string& scope) {
  checkScopeName(scope);
  std::lock_guard lock(mu_);
  served_.insert(scope);
}

std::vector<std::string> QueryFilter::servedScopes() const {
  std::lock_guard lock(mu_);
  return {served_.begin(), served_.end()};
}

bool QueryFilter::amServingScope(const std::string& scope) const {
  std::lock_guard lock(mu_);
  return served_.count(scope) > 0;
}

}  // namespace takahe::hooks::ha
