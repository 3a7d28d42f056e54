#pragma once

// HTTP/1.1 (and HTTPS) server and client for the JSON control channel: the daemons' http(s)
// control-sockets, takahe-agent, takahe-shell and HA peers. Boost.Beast, Asio and OpenSSL stay
// in src/ (pimpl); this header only forward-declares the io_context.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace takahe::http {

/// TLS settings, with Kea's key names: trust-anchor (CA file or directory), cert-file,
/// key-file, cert-required (server: client certificates are required and verified).
struct TlsConfig {
  std::string trust_anchor;
  std::string cert_file;
  std::string key_file;
  bool cert_required = true;
};

/// One basic-auth client (Kea's `authentication.clients[]`: user/password, or user-file /
/// password-file read when the configuration is loaded).
struct BasicAuthClient {
  std::string user;
  std::string password;
};

struct BasicAuthConfig {
  std::string realm = "takahe";
  std::vector<BasicAuthClient> clients;  // empty = no authentication
};

/// A failed TLS handshake on a server, for listeners that report it themselves (e.g. HA's
/// listener logs it at ERROR). Called in addition to the HTTP_TLS_HANDSHAKE_FAILED log.
struct TlsFailure {
  std::string remote;  // "127.0.0.1:53211"
  /// OpenSSL's reason, as logged: "peer did not return a certificate", "certificate verify
  /// failed (certificate has expired)", "tlsv1 alert unknown ca", or the socket error.
  std::string reason;
  /// X509_verify_cert_error_string of the failed client certificate check ("certificate has
  /// expired", "unable to get local issuer certificate"); "" when verification was not the cause.
  std::string verify_error;
  /// Subject (RFC 2253) of the client certificate when one was presented, even one that failed
  /// verification; "" when none.
  std::string client_subject;
};

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8000;  // 0 = any free port (see HttpServer::port())
  std::optional<TlsConfig> tls;
  BasicAuthConfig auth;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds idle_timeout{10000};
  std::size_t max_connections = 1024;
  /// Extra response headers (Kea's http-headers).
  std::vector<std::pair<std::string, std::string>> headers;
  /// Called on the server's io thread for every failed TLS handshake (not for connections
  /// closed by stop()). Must not throw (what it throws is logged and ignored).
  std::function<void(const TlsFailure&)> on_tls_failure;
};

struct Request {
  std::string method;  // "POST", ...
  std::string target;  // "/"
  std::string content_type;
  std::string body;
  std::string remote;       // "127.0.0.1:53211"
  std::string user;         // authenticated basic-auth user, "" when none
  std::string tls_subject;  // client certificate subject when one was presented
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Completes a request; may be called later and from any thread (the server posts the write to
/// its io_context). Must be called exactly once.
using Respond = std::function<void(Response)>;

/// Called on the io_context thread for each authenticated POST with a JSON content type; it
/// answers through `respond`, at once or later (e.g. after forwarding the command elsewhere).
/// The server itself answers: 400 (malformed request, wrong content type, with a JSON body
/// {"result": 400, "text": ...}), 401 + WWW-Authenticate (bad credentials, body
/// {"result": 401, "text": "Unauthorized"}), 405 (not POST), 413 (body too large).
using Handler = std::function<void(const Request&, Respond respond)>;

/// An asynchronous HTTP(S) server on an io_context the caller runs. Keep-alive, many clients,
/// idle timeout. TLS handshake failures are logged with the peer address and OpenSSL's reason.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerConfig config, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and listens; throws takahe::Error naming address, port and reason (also for TLS files
  /// that cannot be loaded: which file and why).
  void start();
  void stop();
  uint16_t port() const;
  std::size_t activeConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct ClientConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  std::string path = "/";
  std::optional<TlsConfig>
      tls;  // client side: trust_anchor verifies the server; cert/key = client cert
  std::optional<BasicAuthClient> auth;
  std::chrono::milliseconds timeout{10000};
};

struct ClientResult {
  bool ok = false;    // transport succeeded (any HTTP status)
  std::string error;  // transport error when !ok: "connect to 127.0.0.1:8000: Connection refused"
  unsigned status = 0;
  std::string body;
  /// The TLS handshake failed, or the server refused it right after (e.g. its alert
  /// "certificate required" when it wanted our client certificate). `error` then reads
  /// "TLS handshake with 127.0.0.1:8443 failed: certificate verify failed (certificate has
  /// expired); server certificate subject: CN=server2,O=Takahe".
  bool tls_failed = false;
  /// Subject (RFC 2253) of the certificate the server presented, also when it failed
  /// verification; "" over plain HTTP or when the server sent none.
  std::string tls_peer_subject;
  /// X509_verify_cert_error_string of the failed server certificate check ("certificate has
  /// expired", "unable to get local issuer certificate", "hostname mismatch", "IP address
  /// mismatch"); "" when verification was not the cause.
  std::string tls_verify_error;
};

/// Blocking one-shot POST (for takahe-shell and tests). Never throws. For many requests to the
/// same peer use HttpClient (client.h): keep-alive connections on an EventThread.
ClientResult post(const ClientConfig& config, const std::string& json_body);

}  // namespace takahe::http
