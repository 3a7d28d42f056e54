#include "core/ha_config.h"

#include "takahe/util/error.h"

namespace takahe::hooks::ha {

namespace {

struct StateNameEntry {
  HaState state;
  std::string_view name;
};

constexpr StateNameEntry kStateNames[] = {
    {HaState::kBackup, "backup"},
    {HaState::kCommunicationRecovery, "communication-recovery"},
    {HaState::kHotStandby, "hot-standby"},
    {HaState::kLoadBalancing, "load-balancing"},
    {HaState::kInMaintenance, "in-maintenance"},
    {HaState::kPartnerDown, "partner-down"},
    {HaState::kPartnerInMaintenance, "partner-in-maintenance"},
    {HaState::kPassiveBackup, "passive-backup"},
    {HaState::kReady, "ready"},
    {HaState::kSyncing, "syncing"},
    {HaState::kTerminated, "terminated"},
    {HaState::kWaiting, "waiting"},
    {HaState::kUnavailable, "unavailable"},
};

}  // namespace

std::string_view modeName(HaMode mode) {
  switch (mode) {
    case HaMode::kLoadBalancing:
      return "load-balancing";
    case HaMode::kHotStandby:
      return "hot-standby";
    case HaMode::kPassiveBackup:
      return "passive-backup";
  }
  return "";
}

std::string_view roleName(PeerRole role) {
  switch (role) {
    case PeerRole::kPrimary:
      return "primary";
    case PeerRole::kSecondary:
      return "secondary";
    case PeerRole::kStandby:
      return "standby";
    case PeerRole::kBackup:
      return "backup";
  }
  return "";
}

std::string_view stateName(HaState state) {
  for (const auto& e : kStateNames) {
    if (e.state == state) {
      return e.name;
    }
  }
  return "";
}

std::optional<HaState> stateFromName(std::string_view name) {
  for (const auto& e : kStateNames) {
    if (e.name == name) {
      return e.state;
    }
  }
  return std::nullopt;
}

http::ClientConfig PeerConfig::clientConfig(std::chrono::milliseconds timeout) const {
  http::ClientConfig c;
  c.host = host;
  c.port = port;
  c.path = path;
  c.tls = tls;
  if (!basic_auth_user.empty()) {
    c.auth = http::BasicAuthClient{basic_auth_user, basic_auth_password};
  }
  c.timeout = timeout;
  return c;
}

const PeerConfig& HaConfig::thisServer() const {
  if (const PeerConfig* p = peer(this_server_name)) {
    return *p;
  }
  throw Error("high-availability: this server '" + this_server_name + "' is not configured");
}

const PeerConfig* HaConfig::partner() const {
  const PeerConfig& me = thisServer();
  if (mode == HaMode::kPassiveBackup || me.role == PeerRole::kBackup) {
    return nullptr;
  }
  for (const auto& p : peers) {
    if (p.name != me.name && p.role != PeerRole::kBackup) {
      return &p;
    }
  }
  return nullptr;
}

std::vector<const PeerConfig*> HaConfig::backups() const {
  std::vector<const PeerConfig*> out;
  for (const auto& p : peers) {
    if (p.role == PeerRole::kBackup) {
      out.push_back(&p);
    }
  }
  return out;
}

const PeerConfig* HaConfig::peer(std::string_view name) const {
  for (const auto& p : peers) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

const PeerConfig* HaConfig::primary() const {
  for (const auto& p : peers) {
    if (p.role == PeerRole::kPrimary) {
      return &p;
    }
  }
  return nullptr;
}

StatePause HaConfig::pauseFor(HaState state) const {
  for (const auto& [s, pause] : state_pauses) {
    if (s == state) {
      return pause;
    }
  }
  return StatePause::kNever;
}

}  // namespace takahe::hooks::ha
