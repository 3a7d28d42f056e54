#pragma once

// The takahe-dhcp6 process: configuration, lease store, server DUID, sockets, the packet loop,
// timers and the control channels (the shared process::ServerFrame). Boost.Asio stays out.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace takahe::dhcp6 {

struct ServerOptions6 {
  std::string config_file;
  uint16_t server_port = 547;           // -p
  std::optional<uint16_t> client_port;  // -P: every reply goes to this port
  bool verbose = false;                 // -d
};

class Dhcp6Server {
 public:
  explicit Dhcp6Server(ServerOptions6 options);
  ~Dhcp6Server();
  Dhcp6Server(const Dhcp6Server&) = delete;
  Dhcp6Server& operator=(const Dhcp6Server&) = delete;

  /// Loads the configuration, the leases and the server DUID, and opens the sockets; throws
  /// takahe::Error with an operator-readable reason when the server cannot start.
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

/// The build report printed by -W and `build-report`.
std::string buildReport6();

}  // namespace takahe::dhcp6
