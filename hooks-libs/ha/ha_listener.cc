#include "ha_listener.h"

#include <array>
#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <utility>

#include "ha_messages.h"
#include "takahe/cc/command.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/http/event_thread.h"
#include "takahe/http/http.h"
#include "takahe/util/error.h"

namespace takahe::hooks::ha {

namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

http::Response jsonResponse(const cc::Value& body) {
  http::Response res;
  res.body = body.toJson();
  return res;
}

}  // namespace

bool HaListener::isPeerCommand(std::string_view command) {
  // What HA peers send each other (Kea 2.2 and later, and Takahe's lease4-bulk-apply), plus
  // status-get for monitoring.
  static constexpr std::array<std::string_view, 18> kAllowed = {
      "dhcp-disable",      "dhcp-enable",
      "ha-heartbeat",      "ha-maintenance-notify",
      "ha-reset",          "ha-sync-complete-notify",
      "lease4-bulk-apply", "lease4-update",     "lease4-del",
      "lease4-get-page",   "lease4-get-all",
      "lease6-bulk-apply", "lease6-update",
      "lease6-del",        "lease6-get-page",
      "lease6-get-all",    "list-commands",
      "status-get"};
  for (auto c : kAllowed) {
    if (c == command) return true;
  }
  return false;
}

std::string HaListener::tlsRemedy(const std::string& reason, const std::string& verify_error,
                                  const std::string& client_subject) {
  std::string all = reason + " " + verify_error;
  if (contains(all, "expired")) {
    return "the peer's certificate has expired: renew it (and check both clocks)";
  }
  if (contains(all, "not yet valid")) {
    return "the peer's certificate is not valid yet: check both clocks";
  }
  if (contains(all, "peer did not return a certificate") || contains(all, "certificate required") ||
      (client_subject.empty() && contains(all, "no certificate"))) {
    return "the peer sent no client certificate: give it cert-file and key-file in its HA "
           "configuration, or "
           "set require-client-certs to false here";
  }
  if (contains(all, "unknown ca") || contains(all, "unable to get local issuer") ||
      contains(all, "self signed") || contains(all, "self-signed") ||
      contains(all, "certificate verify failed")) {
    return "the peer's certificate is not signed by this server's trust-anchor: use the same CA on "
           "both servers";
  }
  if (contains(all, "wrong version") || contains(all, "http request") ||
      contains(all, "unsupported protocol")) {
    return "the peer does not speak TLS to this URL: use https:// for this server in the peer's "
           "configuration";
  }
  return "check trust-anchor, cert-file and key-file on both servers";
}

HaListener::HaListener(http::EventThread& thread, const HaConfig& config)
    : thread_(thread), config_(config) {}

HaListener::~HaListener() { stop(); }

void HaListener::start() {
  const PeerConfig& self = config_.thisServer();
  url_ = self.url;
  http::ServerConfig sc;
  sc.address = self.host;
  sc.port = self.port;
  if (self.tls) {
    http::TlsConfig tls = *self.tls;
    tls.cert_required = config_.require_client_certs;
    sc.tls = tls;
  }
  if (!self.basic_auth_user.empty()) {
    sc.auth.clients.push_back(
        http::BasicAuthClient{self.basic_auth_user, self.basic_auth_password});
  }
  sc.on_tls_failure = [](const http::TlsFailure& f) {
    TAKAHE_LOG(haLogger(), HA_LISTENER_TLS_FAILED, f.remote,
               f.client_subject.empty() ? "none" : f.client_subject,
               f.verify_error.empty() ? f.reason : f.reason + " (" + f.verify_error + ")",
               tlsRemedy(f.reason, f.verify_error, f.client_subject));
  };
  bool restrict = config_.restrict_commands;
  auto handler = [restrict](const http::Request& req, http::Respond respond) {
    cc::Command cmd;
    try {
      cmd = cc::parseCommand(cc::parseJson(req.body, "<command>"));
    } catch (const std::exception& e) {
      respond(jsonResponse(cc::makeAnswer(cc::ResultCode::kError, e.what())));
      return;
    }
    if (restrict && !isPeerCommand(cmd.name)) {
      TAKAHE_LOG(haLogger(), HA_LISTENER_COMMAND_REFUSED, cmd.name, req.remote);
      respond(jsonResponse(
          cc::makeAnswer(cc::ResultCode::kUnsupported,
                         "'" + cmd.name +
                             "' is not an HA peer command: this listener takes only "
                             "those (restrict-commands); send it to the control channel")));
      return;
    }
    auto* services = dhcpsrv::serverServices4();
    if (!services || !services->post || !services->execute) {
      respond(
          jsonResponse(cc::makeAnswer(cc::ResultCode::kError, "the DHCPv4 server is not ready")));
      return;
    }
    // Commands run on the packet thread, like those from the control channel.
    services->post([cmd = std::move(cmd), respond = std::move(respond)] {
      auto* now_services = dhcpsrv::serverServices4();
      cc::Value answer;
      try {
        answer = now_services && now_services->execute
                     ? now_services->execute(cmd)
                     : cc::makeAnswer(cc::ResultCode::kError, "the DHCPv4 server is stopping");
      } catch (const std::exception& e) {
        answer = cc::makeAnswer(cc::ResultCode::kError, e.what());
      }
      respond(jsonResponse(answer));
    });
  };
  auto server = std::make_unique<http::HttpServer>(thread_.io(), sc, handler);
  try {
    server->start();
  } catch (const std::exception& e) {
    TAKAHE_LOG(haLogger(), HA_LISTENER_FAILED, url_, e.what());
    throw Error("HA listener on " + url_ +
                " (this server's peer URL, multi-threading.http-dedicated-listener): " + e.what());
  }
  server_ = std::move(server);
  TAKAHE_LOG(
      haLogger(), HA_LISTENER_STARTED, url_,
      std::string(self.tls
                      ? (config_.require_client_certs ? "TLS, client certificates required" : "TLS")
                      : "plain HTTP") +
          (restrict ? ", HA commands only" : ", all commands"));
}

void HaListener::stop() {
  if (!server_) return;
  // The server lives on the HA thread's io_context: stop it there (or inline when it is gone).
  auto* server = server_.get();
  if (thread_.onThread()) {
    server->stop();
  } else {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    thread_.post([server, done] {
      server->stop();
      done->set_value();
    });
    if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) server->stop();
  }
  server_.reset();
}

uint16_t HaListener::port() const { return server_ ? server_->port() : 0; }

}  // namespace takahe::hooks::ha
