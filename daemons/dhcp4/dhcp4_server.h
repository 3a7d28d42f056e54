#pragma once

// The takahe-dhcp4 process: configuration, sockets, the packet loop, timers and signals.
// Boost.Asio stays in dhcp4_server.cc (pimpl).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace takahe::dhcp4 {

struct ServerOptions {
  std::string config_file;
  uint16_t server_port = 67;           // -p
  std::optional<uint16_t> reply_port;  // -P: every reply goes to this port, relays included
  bool verbose = false;                // -d
};

class Dhcp4Server {
 public:
  explicit Dhcp4Server(ServerOptions options);
  ~Dhcp4Server();
  Dhcp4Server(const Dhcp4Server&) = delete;
  Dhcp4Server& operator=(const Dhcp4Server&) = delete;

  /// Loads the configuration, the leases and opens the sockets; throws takahe::Error with an
  /// operator-readable reason when the server cannot start.
  void start();
  /// Runs until SIGTERM/SIGINT (or stop()); returns the process exit code.
  int run();
  void stop();
  /// Re-reads the configuration file; on any error the running configuration stays.
  bool reload();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcp4
