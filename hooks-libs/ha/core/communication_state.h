#pragma once

// What this server knows about its partner: the last heartbeat (state, scopes, clock, unsent
// updates), whether communication is interrupted, and — while it is — which clients the partner
// leaves unanswered (Kea's failure detection: `max-response-delay`, then more than
// `max-unacked-clients` distinct clients retrying longer than `max-ack-delay` by their `secs`).
// Also counts rejected lease updates. Thread-safe (internal mutex): the packet thread calls
// analyzeMessage(), the HA thread everything else.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/ha_config.h"
#include "takahe/cc/value.h"

namespace takahe::dhcp {
class Pkt4;
}

namespace takahe::hooks::ha {

using Clock = std::chrono::steady_clock;

/// What the partner reported in its ha-heartbeat answer (arguments).
struct PartnerHeartbeat {
  HaState state = HaState::kUnavailable;
  std::vector<std::string> scopes;
  int64_t date_time = 0;  ///< partner's clock, seconds since the epoch (from "date-time")
  uint64_t unsent_update_count = 0;
};

/// Parses ha-heartbeat answer arguments ({"state", "date-time" (RFC 1123 GMT, e.g.
/// "Thu, 07 Nov 2019 08:49:37 GMT"), "scopes", "unsent-update-count" (optional, 0)}).
/// Throws takahe::Error naming the bad field.
PartnerHeartbeat parseHeartbeat(const cc::Value& arguments);
/// RFC 1123 date ("Thu, 07 Nov 2019 08:49:37 GMT") for `unix_seconds`, and back (nullopt if bad).
std::string httpDate(int64_t unix_seconds);
std::optional<int64_t> parseHttpDate(const std::string& text);

class CommunicationState {
 public:
  CommunicationState(const HaConfig& config, const PeerConfig& partner);

  // --- heartbeats (HA thread) -----------------------------------------------------------
  /// A heartbeat answer arrived at `now`; `local_unix` is our clock then (clock skew).
  void heartbeatOk(const PartnerHeartbeat& hb, Clock::time_point now, int64_t local_unix);
  /// The partner could not be reached (or answered an error): its state becomes unavailable.
  void heartbeatFailed(Clock::time_point now);
  /// Any successful exchange with the partner (lease update acked) proves it is alive.
  void poke(Clock::time_point now);

  HaState partnerState() const;
  std::vector<std::string> partnerScopes() const;
  uint64_t partnerUnsentUpdateCount() const;
  /// True when the partner's unsent-update-count grew (or became non-zero) since the heartbeat
  /// before the last one: it has updates for us we have not seen (partner-down → waiting).
  bool hasPartnerNewUnsentUpdates() const;
  /// Milliseconds since the last successful exchange (or since start when none).
  int64_t ageMs(Clock::time_point now) const;
  bool inTouch() const;  ///< at least one heartbeat answer since start or last failure

  /// Kea: no successful exchange for longer than max-response-delay.
  bool isCommunicationInterrupted(Clock::time_point now) const;
  /// Interrupted AND (max-unacked-clients == 0, or more than max-unacked-clients distinct
  /// unacked clients seen). When `auto-failover` is false for the partner this is still
  /// reported; the state machine decides.
  bool failureDetected(Clock::time_point now) const;

  // --- packets (packet thread) ------------------------------------------------------------
  /// Looks at a DHCPDISCOVER / DHCPREQUEST meant for the partner while communication is
  /// interrupted (no-op otherwise): secs (seconds) > max-ack-delay → the client is unacked;
  /// otherwise it is connecting. Clients are keyed by hardware address + client identifier.
  void analyzeMessage(const dhcp::Pkt4& query, Clock::time_point now);
  size_t unackedClients() const;
  /// Every distinct client seen while interrupted, the unacked ones included (Kea's
  /// "connecting-clients" in status-get).
  size_t connectingClients() const;
  uint64_t analyzedPackets() const;
  /// Forgets analyzed clients and the analyzed-packets count (communication restored, state
  /// change). heartbeatOk() and poke() do this too, as Kea does on every successful exchange.
  void clearUnackedClients();

  // --- clock skew (Kea: warn above 30 s, terminate above 60 s) ------------------------------
  int64_t clockSkewSeconds() const;  ///< partner minus local, from the last heartbeat
  bool clockSkewShouldWarn() const;
  bool clockSkewShouldTerminate() const;

  // --- rejected lease updates --------------------------------------------------------------
  /// The partner refused a lease update (result 1 from lease4-update); keyed by the lease
  /// address, a later accepted update of the same lease removes it.
  void reportRejectedLeaseUpdate(const std::string& lease_key);
  void reportSuccessfulLeaseUpdate(const std::string& lease_key);
  size_t rejectedLeaseUpdates() const;
  /// max-rejected-lease-updates > 0 and the count reached it.
  bool rejectedLeaseUpdatesShouldTerminate() const;

  /// Forgets everything learnt from the partner (ha-reset, restart of the state machine).
  void reset(Clock::time_point now);

  /// status-get's "remote" map: {"age" (s), "in-touch", "last-scopes", "last-state", "role",
  /// "server-name", "communication-interrupted", "connecting-clients", "unacked-clients",
  /// "unacked-clients-left", "analyzed-packets"}. As in Kea 2.2, "in-touch" is true once the
  /// partner's state is known (a heartbeat answered, or failed: "last-state" "unavailable"),
  /// "last-state" is "" before that and "age" is 0 while not in touch.
  cc::Value remoteStatusJson(Clock::time_point now) const;

 private:
  const HaConfig& config_;
  const PeerConfig& partner_;
  mutable std::mutex mu_;
  PartnerHeartbeat last_{};
  uint64_t previous_unsent_ = 0;
  bool in_touch_ = false;
  bool state_known_ = false;  // a heartbeat answered or failed since start/reset (status-get)
  Clock::time_point last_ok_;
  int64_t skew_s_ = 0;
  std::set<std::string> unacked_, connecting_;
  uint64_t analyzed_ = 0;
  std::set<std::string> rejected_;
};

}  // namespace takahe::hooks::ha
