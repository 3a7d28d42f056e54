#pragma once

// The dedicated HA listener (Kea's HA+MT `http-dedicated-listener`): an HTTP(S) server on this
// server's own peer URL, run on the HA event thread, through which the partner sends its
// commands (heartbeats, lease updates, sync pages) without a control agent. Each command is
// handed to the server's packet thread (ServerServices4::post + execute) and its answer is sent
// back as a bare JSON map, like Kea's listener. TLS uses this server's peer entry (trust-anchor,
// cert-file, key-file) with `require-client-certs`; basic auth accepts this server's
// `basic-auth-user`/`basic-auth-password` (what the partner sends to reach it). With
// `restrict-commands` only the commands HA peers send are accepted.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/ha_config.h"

namespace takahe::http {
class EventThread;
class HttpServer;
}  // namespace takahe::http

namespace takahe::hooks::ha {

class HaListener {
 public:
  HaListener(http::EventThread& thread, const HaConfig& config);
  ~HaListener();
  HaListener(const HaListener&) = delete;
  HaListener& operator=(const HaListener&) = delete;

  /// Listens on this server's URL; throws takahe::Error naming the URL and the reason.
  void start();
  void stop();
  uint16_t port() const;

  /// The commands an HA peer sends (restrict-commands lets only these through).
  static bool isPeerCommand(std::string_view command);
  /// The remedy logged with a TLS failure, from OpenSSL's reason.
  static std::string tlsRemedy(const std::string& reason, const std::string& verify_error,
                               const std::string& client_subject);

 private:
  http::EventThread& thread_;
  const HaConfig& config_;
  std::unique_ptr<http::HttpServer> server_;
  std::string url_;
};

}  // namespace takahe::hooks::ha
