#pragma once

// Talking to HA peers: Kea control commands ({"command", "service": ["dhcp4"], "arguments"})
// POSTed to each peer's URL over keep-alive HTTP(S), answers parsed (Kea's CA wraps them in a
// one-item list), and every failure turned into one line an operator can act on — TLS failures
// with the peer URL, the certificate subject and OpenSSL's verify reason.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/ha_config.h"
#include "takahe/cc/value.h"

namespace takahe::http {
class EventThread;
class HttpClient;
}  // namespace takahe::http

namespace takahe::hooks::ha {

struct PeerAnswer {
  bool ok = false;   ///< transport fine, HTTP 200, and a well-formed Kea answer
  int result = -1;   ///< Kea result code (when ok)
  std::string text;  ///< answer text (when ok)
  std::optional<cc::Value> arguments;
  /// When !ok: "POST to http://192.0.2.2:8000/ failed: connect to 192.0.2.2:8000: Connection
  /// refused", "... HTTP 401 Unauthorized", "... answer is not JSON: ...".
  std::string error;
  bool tls_failed = false;
  std::string tls_peer_subject;  ///< certificate subject the peer presented ("" when none)
  std::string tls_verify_error;  ///< OpenSSL's verify reason ("" when verification was not it)
};

class PeerLink {
 public:
  /// `connections_per_peer` keep-alive connections to each peer (lease updates go in parallel).
  PeerLink(http::EventThread& thread, const HaConfig& config, unsigned connections_per_peer);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  /// Thread-safe. Sends the command; `done` runs once, on the HA event thread (never inside
  /// send()). `peer` is copied as needed: it need not outlive the call.
  void send(const PeerConfig& peer, std::string_view command, std::optional<cc::Value> arguments,
            std::chrono::milliseconds timeout, std::function<void(PeerAnswer)> done);
  /// Thread-safe. As send(), with a body made by makeCommandBody() (built once, e.g. on the
  /// packet thread, and sent to several peers).
  void sendBody(const PeerConfig& peer, std::string body, std::chrono::milliseconds timeout,
                std::function<void(PeerAnswer)> done);
  /// Blocking variant for a thread that is not the HA event thread (never call it there).
  PeerAnswer sendSync(const PeerConfig& peer, std::string_view command,
                      std::optional<cc::Value> arguments, std::chrono::milliseconds timeout);
  /// Drops every connection (e.g. ha-reset); requests in flight complete with !ok.
  void closeAll();
  /// Requests queued or in flight, all peers.
  size_t pending() const;

  /// Logs the outcome of an exchange with `peer` once per change: the first failure, or a
  /// failure with another cause, at ERROR (HA_PEER_UNREACHABLE, or HA_PEER_TLS_FAILED with URL,
  /// certificate subject, verify reason and the remedy); the first success after failures at
  /// INFO (HA_PEER_REACHABLE). Repeats of the same cause are not logged again. Thread-safe.
  void noteOutcome(const PeerConfig& peer, const PeerAnswer& answer);
  /// True when the answer proves the peer's DHCP server is reached (the exchange worked, whatever
  /// the result), false for transport/HTTP failures and for a control agent that cannot forward
  /// the command to its DHCPv4 server ("unable to forward command to the dhcp4 service").
  static bool reachedPeer(const PeerAnswer& answer);

  const HaConfig& config() const { return config_; }
  /// The HA event thread (timers of the lease updater and sync run there).
  http::EventThread& thread() { return thread_; }

 private:
  const HaConfig& config_;
  http::EventThread& thread_;
  std::unique_ptr<http::HttpClient> client_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> last_failure_;  // by peer name: "" = fine
};

/// The body of a command to a peer as Kea 2.2's HA writes it: {"arguments": {...}, "command":
/// "...", "service": ["dhcp4"]} ("arguments" left out when absent).
std::string makeCommandBody(std::string_view command, const std::optional<cc::Value>& arguments);

/// Turns an HTTP result into a PeerAnswer (unwraps Kea's one-item list). Exposed for tests.
PeerAnswer interpretHttpResult(const PeerConfig& peer, bool transport_ok, const std::string& transport_error,
                               unsigned status, const std::string& body, bool tls_failed,
                               const std::string& tls_peer_subject, const std::string& tls_verify_error);

}  // namespace takahe::hooks::ha
