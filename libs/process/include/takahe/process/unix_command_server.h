#pragma once

// Kea's UNIX control channel: one JSON command per connection, answered then closed.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace takahe::process {

class CommandRegistry;

struct UnixServerOptions {
  /// A connection with no progress (no byte read or written) for this long is closed; if part of
  /// a request had arrived, it first gets {"result": 1, "text": "Connection over control channel
  /// timed out"}. Also bounds how long a finished connection waits for the client to close.
  std::chrono::milliseconds idle_timeout{10000};  // Kea: 10 s
  /// A request still incomplete past this many bytes is answered "command too large".
  size_t max_request_bytes = 64 * 1024 * 1024;
  /// Connections served at once; further ones get a one-line refusal answer and are closed.
  size_t max_connections = 256;
  /// Mode of the socket file (chmod after bind).
  unsigned permissions = 0750;
};

/// Listens on a UNIX stream socket and answers each connection's single command through a
/// CommandRegistry. All I/O is asynchronous on the given io_context; the registry runs each
/// complete request synchronously on the thread running that io_context.
///
/// The public methods may be called from any thread, including from inside a command handler
/// (e.g. "shutdown" calling stop()). The registry and io_context must outlive this object.
class UnixCommandServer {
 public:
  UnixCommandServer(boost::asio::io_context& io, std::string path, const CommandRegistry& registry,
                    UnixServerOptions options = {});
  /// Calls stop().
  ~UnixCommandServer();
  UnixCommandServer(const UnixCommandServer&) = delete;
  UnixCommandServer& operator=(const UnixCommandServer&) = delete;

  /// Binds and listens; throws takahe::Error with an operator-readable reason (path longer than
  /// sun_path, missing directory, permission, a live server already on that path, a non-socket
  /// file in the way). A stale socket file (nobody accepting on it) is removed first. Throws if
  /// already started; may be called again after stop().
  void start();
  /// Closes the acceptor and open connections and removes the socket file (if it is still the one
  /// this server created). Waits for a command executing on another thread to return. Idempotent.
  void stop();

  const std::string& path() const;
  /// Connections currently open (reading, executing, writing or waiting for the client to close).
  size_t activeConnections() const;
  /// Whether start() succeeded and stop() has not been called since.
  bool running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::process
