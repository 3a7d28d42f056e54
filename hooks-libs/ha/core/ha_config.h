#pragma once

// The High Availability configuration: Kea's `high-availability` parameter of libdhcp_ha.so,
// with Kea's key names and defaults, checked once when the library loads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/http/http.h"

namespace takahe::hooks::ha {

enum class HaMode { kLoadBalancing, kHotStandby, kPassiveBackup };
enum class PeerRole { kPrimary, kSecondary, kStandby, kBackup };

/// Kea's state names. kUnavailable is only ever a partner's state (not reachable).
enum class HaState {
  kBackup,
  kCommunicationRecovery,
  kHotStandby,
  kLoadBalancing,
  kInMaintenance,
  kPartnerDown,
  kPartnerInMaintenance,
  kPassiveBackup,
  kReady,
  kSyncing,
  kTerminated,
  kWaiting,
  kUnavailable,
};

std::string_view modeName(HaMode mode);      ///< "load-balancing", "hot-standby", "passive-backup"
std::string_view roleName(PeerRole role);    ///< "primary", "secondary", "standby", "backup"
std::string_view stateName(HaState state);   ///< "load-balancing", "partner-down", ...
std::optional<HaState> stateFromName(std::string_view name);

/// Per-state pausing of the state machine (Kea's `state-machine.states[]`).
enum class StatePause { kNever, kAlways, kOnce };

struct PeerConfig {
  std::string name;
  std::string url;  ///< as configured, e.g. "http://192.0.2.2:8000/"
  PeerRole role = PeerRole::kPrimary;
  bool auto_failover = true;
  std::string basic_auth_user;      ///< "" = no basic auth
  std::string basic_auth_password;  ///< read from basic-auth-password-file when that is given

  // From the URL.
  bool https = false;
  std::string host;  ///< address or name, without brackets
  uint16_t port = 0; ///< explicit, or 80 / 443
  std::string path = "/";

  /// TLS files used to talk to this peer: the peer's own `trust-anchor`/`cert-file`/`key-file`
  /// when given, else the relationship's; set only for https URLs.
  std::optional<http::TlsConfig> tls;

  /// What http::post()/HttpClient need to reach this peer.
  http::ClientConfig clientConfig(std::chrono::milliseconds timeout) const;
};

struct HaConfig {
  std::string this_server_name;
  HaMode mode = HaMode::kLoadBalancing;
  std::vector<PeerConfig> peers;  ///< in configuration order; this server is one of them

  uint32_t heartbeat_delay_ms = 10000;
  uint32_t max_response_delay_ms = 60000;
  uint32_t max_ack_delay_ms = 10000;
  uint32_t max_unacked_clients = 10;
  uint32_t max_rejected_lease_updates = 10;  ///< 0 = never terminate for rejected updates
  uint32_t delayed_updates_limit = 100;      ///< load-balancing only; 0 = no communication-recovery
  bool send_lease_updates = true;
  bool sync_leases = true;
  uint32_t sync_timeout_ms = 60000;
  uint32_t sync_page_limit = 10000;
  bool wait_backup_ack = false;  ///< passive-backup only

  // Relationship-wide TLS (peers may override the three files).
  std::string trust_anchor, cert_file, key_file;
  bool require_client_certs = true;

  // `multi-threading`
  bool enable_multi_threading = false;
  bool http_dedicated_listener = false;
  uint32_t http_listener_threads = 0;
  uint32_t http_client_threads = 0;

  /// Dedicated listener accepts only the HA commands (Kea 2.2's default is false).
  bool restrict_commands = false;
  std::vector<std::pair<HaState, StatePause>> state_pauses;  ///< `state-machine.states`

  /// Accepted but doubtful settings, one sentence each, for the library to log at load
  /// (e.g. max-response-delay not above heartbeat-delay, lease updates disabled).
  std::vector<std::string> warnings;

  const PeerConfig& thisServer() const;
  /// The active partner: the secondary (load-balancing) or the standby (hot-standby) seen from
  /// the primary, the primary seen from them; nullptr in passive-backup and on a backup server.
  const PeerConfig* partner() const;
  /// Every peer with role backup (they receive lease updates, never serve).
  std::vector<const PeerConfig*> backups() const;
  const PeerConfig* peer(std::string_view name) const;
  const PeerConfig* primary() const;
  StatePause pauseFor(HaState state) const;
};

/// Reads the library's `parameters` ({"high-availability": [ {relationship} ]}). Kea 2.2 has
/// exactly one relationship; more are refused with a message. Throws takahe::Error naming the
/// key and what to write instead, e.g. "high-availability: peer 'server2': 'url' must be
/// http://host:port/ or https://host:port/ (got 'ftp://x')", "'this-server-name' 'server9' is
/// not one of the peers (server1, server2)", "load-balancing needs one primary and one
/// secondary", "'heartbeat-delay' must be a positive integer (milliseconds)".
/// TLS files must be readable (checked here, not at first use); a peer with an https URL and
/// no trust anchor is an error.
HaConfig parseHaConfig(const cc::Value& parameters);

}  // namespace takahe::hooks::ha
