#pragma once

// The takahe-agent process: configuration, the HTTP(S) listener, forwarding, signals.
// Boost.Asio stays in agent_server.cc (pimpl).

#include <cstdint>
#include <memory>
#include <string>

namespace takahe::agent {

struct AgentOptions {
  std::string config_file;
  bool verbose = false;  // -d
};

class AgentServer {
 public:
  explicit AgentServer(AgentOptions options);
  ~AgentServer();
  AgentServer(const AgentServer&) = delete;
  AgentServer& operator=(const AgentServer&) = delete;

  /// Loads the configuration and opens the listener; throws takahe::Error with an
  /// operator-readable reason when the agent cannot start.
  void start();
  /// Runs until SIGTERM/SIGINT, the shutdown command or stop(); returns the exit code.
  int run();
  /// Closes the listener and makes run() return. Callable from any thread.
  void stop();
  /// Re-reads the configuration file; on any error the running configuration stays.
  /// Call on the thread running run() (SIGHUP does), or before run().
  bool reload();
  /// The port the listener is bound to (useful with http-port 0); 0 when not listening.
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::agent
