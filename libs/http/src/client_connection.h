#pragma once

// One client connection to a peer (plain or TLS), carrying one request at a time over
// keep-alive: used by HttpClient (many requests per connection) and by the blocking post() (one
// request, "Connection: close"). Beast stays in client_connection.cc.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "takahe/http/http.h"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace takahe::http::detail {

/// A request on its way: the complete HTTP text, its timeout and its completion.
struct OutgoingRequest {
  std::string wire;
  std::chrono::milliseconds timeout{10000};
  std::function<void(ClientResult)> done;
  bool retried = false;  // already re-sent once after its connection was found closed
};

/// Where a connection goes; shared by a peer's connections.
struct PeerTarget {
  std::string host;
  uint16_t port = 0;
  std::string where;                               // "host:port" for messages
  std::shared_ptr<boost::asio::ssl::context> tls;  // null for plain HTTP
};

/// The target for host:port, with a client TLS context built from `tls` when set; nullptr and
/// `error` ("TLS setup for 127.0.0.1:8443: cannot read cert-file ...") when it cannot be built.
std::shared_ptr<const PeerTarget> makePeerTarget(const std::string& host, uint16_t port,
                                                 const std::optional<TlsConfig>& tls,
                                                 std::string& error);

class ClientConnection {
 public:
  enum class Outcome {
    kAnswered,    // an HTTP answer arrived (result.ok)
    kFailed,      // the request failed on an open connection (sent, or the connection was new)
    kOpenFailed,  // resolve, connect or TLS (handshake or the alert right after it) failed
    kNotSent,     // a reused connection broke before the request was written: may be retried
  };
  /// Called on the io thread when the request given to send() ends (never inside send()).
  using Finished = std::function<void(Outcome, OutgoingRequest, ClientResult)>;

  /// `idle_close`: how long the connection may stay idle; `keep_alive` false: close after one
  /// answer (the request then says "Connection: close").
  ClientConnection(boost::asio::io_context& io, std::shared_ptr<const PeerTarget> target,
                   Finished finished, std::chrono::milliseconds idle_close, bool keep_alive);
  ClientConnection(ClientConnection&&) noexcept;
  ClientConnection& operator=(ClientConnection&&) noexcept;
  /// abandon()s the connection (a request still on it is dropped without its callback).
  ~ClientConnection();

  /// Starts `request`: opens the connection if new. Only when usable().
  void send(OutgoingRequest request);
  /// New (not opened yet) or open and idle: send() may be called.
  bool usable() const;
  /// Opened successfully and not closed (busy or idle).
  bool up() const;
  bool closed() const;
  /// Closes the connection at once; `finished` is never called again. Returns the request that
  /// was on it, if any, for the caller to complete.
  std::optional<OutgoingRequest> abandon();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::http::detail
