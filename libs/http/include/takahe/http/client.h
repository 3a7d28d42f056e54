#pragma once

// An asynchronous HTTP(S) client with persistent keep-alive connections, for steady traffic to
// a few peers (HA partners: heartbeats and one lease update per DHCP ACK). Beast, Asio and
// OpenSSL stay in src/.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "takahe/http/event_thread.h"
#include "takahe/http/http.h"

namespace takahe::http {

/// POSTs JSON to peers over keep-alive connections owned by one EventThread. A peer is one
/// host, port, TLS files and basic-auth user (two configs with different TLS files are two
/// peers); each peer has its own queue, up to `connections_per_peer` connections and one TLS
/// context, built when its first connection opens (closeAll() drops it, so changed files are
/// read again).
class HttpClient {
 public:
  struct Options {
    unsigned connections_per_peer = 1;  // parallel keep-alive connections to one host:port
    std::chrono::milliseconds idle_close{30000};  // an idle connection is closed after this
    std::size_t max_queue = 100000;  // requests waiting per peer; beyond -> done(!ok, "queue full")
  };

  HttpClient(EventThread& thread, Options options);
  explicit HttpClient(EventThread& thread);  // default Options
  /// Closes every connection; pending requests complete with !ok "... client closed". Call it on
  /// the event thread, or from another thread (after EventThread::stop(), or while the thread
  /// runs: then the close is done on the thread and waited for). Callbacks run on the calling
  /// thread when the event thread no longer runs.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Callback = std::function<void(ClientResult)>;

  /// Thread-safe. Queues a POST of json_body to config.host:port (path, tls, auth and timeout as
  /// in ClientConfig); `done` runs exactly once on the event thread, never inside post().
  /// Requests to one peer go over persistent keep-alive connections (HTTP/1.1), one at a time
  /// and in order per connection; with one connection per peer they are answered in post()
  /// order. A connection the server closed is re-opened transparently: a request that was not
  /// yet sent (or that the server reset unread) is retried once on a fresh connection; a
  /// request already sent when the connection broke fails with the reason. The timeout covers
  /// connect + handshake + write + read of that request (queued time excluded). When a connection
  /// cannot be opened (refused, timed out, TLS failure) while no other connection to that peer is
  /// up, the requests waiting for it fail at once with the same result.
  void post(const ClientConfig& config, std::string json_body, Callback done);

  /// Thread-safe. Closes all connections to every peer (e.g. after a TLS config change);
  /// requests queued or in flight fail ("... cancelled: connections closed"). Later post()s
  /// open new connections with freshly loaded TLS files.
  void closeAll();

  /// Requests queued or in flight (thread-safe).
  std::size_t pending() const;

  struct Impl;  // src/async_client.cc

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace takahe::http
