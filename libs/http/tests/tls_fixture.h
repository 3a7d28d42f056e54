#pragma once

// Test PKI made at run time with the openssl command-line tool (a CA; server certificates for
// IP 127.0.0.1 — valid, expired, and one for another address; client certificates — valid,
// expired, and one from an unrelated CA), a log capture, and TLS server/client settings.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "takahe/http/http.h"
#include "takahe/log/config.h"
#include "test_util.h"

namespace takahe::http::test {

/// Test PKI, generated once per test run.
struct Pki {
  TempDir dir;
  std::string ca, server_cert, server_key, client_cert, client_key;
  std::string other_ca, rogue_cert, rogue_key;
  std::string expired_server_cert, expired_server_key;  // CN=server2,O=Takahe, expired
  std::string other_ip_cert, other_ip_key;              // for IP 127.0.0.2 only
  std::string expired_client_cert, expired_client_key;  // CN=expired-client, expired

  Pki() {
    std::ofstream(dir.file("openssl.cnf")) << "[req]\n"
                                              "distinguished_name = dn\n"
                                              "prompt = no\n"
                                              "[dn]\n"
                                              "CN = unused\n"
                                              "[ca_ext]\n"
                                              "basicConstraints = critical,CA:TRUE\n"
                                              "keyUsage = critical,keyCertSign,cRLSign\n"
                                              "subjectKeyIdentifier = hash\n"
                                              "[server_ext]\n"
                                              "basicConstraints = CA:FALSE\n"
                                              "subjectAltName = IP:127.0.0.1\n"
                                              "extendedKeyUsage = serverAuth\n"
                                              "[other_ip_ext]\n"
                                              "basicConstraints = CA:FALSE\n"
                                              "subjectAltName = IP:127.0.0.2\n"
                                              "extendedKeyUsage = serverAuth\n"
                                              "[client_ext]\n"
                                              "basicConstraints = CA:FALSE\n"
                                              "extendedKeyUsage = clientAuth\n";
    makeCa("ca", "/CN=Takahe Test CA");
    makeCa("other-ca", "/CN=Unrelated Test CA");
    makeLeaf("server", "ca", "/CN=takahe-server", "server_ext");
    makeLeaf("client", "ca", "/O=Takahe/CN=takahe-client", "client_ext");
    makeLeaf("rogue", "other-ca", "/CN=rogue-client", "client_ext");
    // "-days -1" puts notAfter a day before notBefore (now): expired, with OpenSSL 3.0 and
    // without faking the clock.
    makeLeaf("server2", "ca", "/O=Takahe/CN=server2", "server_ext", -1);
    makeLeaf("other-ip", "ca", "/CN=other-ip-server", "other_ip_ext");
    makeLeaf("expired-client", "ca", "/CN=expired-client", "client_ext", -1);
    ca = dir.file("ca.pem");
    server_cert = dir.file("server.pem");
    server_key = dir.file("server.key");
    client_cert = dir.file("client.pem");
    client_key = dir.file("client.key");
    other_ca = dir.file("other-ca.pem");
    rogue_cert = dir.file("rogue.pem");
    rogue_key = dir.file("rogue.key");
    expired_server_cert = dir.file("server2.pem");
    expired_server_key = dir.file("server2.key");
    other_ip_cert = dir.file("other-ip.pem");
    other_ip_key = dir.file("other-ip.key");
    expired_client_cert = dir.file("expired-client.pem");
    expired_client_key = dir.file("expired-client.key");
  }

  void run(const std::string& args) {
    const std::string cmd = "cd '" + dir.path + "' && openssl " + args + " >>openssl.log 2>&1";
    INFO(cmd << "\n" << readFile(dir.file("openssl.log")));
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  void makeCa(const std::string& name, const std::string& subject) {
    run("req -config openssl.cnf -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " +
        name + ".key -out " + name + ".pem -days 2 -subj '" + subject + "' -extensions ca_ext");
  }
  void makeLeaf(const std::string& name, const std::string& ca_name, const std::string& subject,
                const std::string& ext, int days = 2) {
    run("req -config openssl.cnf -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " +
        name + ".key -out " + name + ".csr -subj '" + subject + "'");
    run("x509 -req -in " + name + ".csr -CA " + ca_name + ".pem -CAkey " + ca_name +
        ".key -set_serial " + std::to_string(++serial_) + " -days " + std::to_string(days) +
        " -out " + name + ".pem -extfile openssl.cnf -extensions " + ext);
  }

 private:
  int serial_ = 1;
};

inline const Pki& pki() {
  static Pki instance;
  return instance;
}

/// Logs of the "takahe-http-tls" root (and so of the http logger) go to a file.
struct LogCapture {
  TempDir dir;
  std::string path = dir.file("http.log");
  LogCapture() {
    takahe::log::initLogging("takahe-http-tls");
    takahe::log::LoggerSpec spec;
    spec.name = "takahe-http-tls";
    spec.severity = takahe::log::Severity::kInfo;
    takahe::log::OutputOption out;
    out.output = path;
    spec.outputs.push_back(out);
    takahe::log::configure({spec});
  }
  ~LogCapture() { takahe::log::initLogging("takahe-http-tls"); }
  /// Waits (bounded) until the log holds all of `needles` on one line; returns that line or "".
  std::string waitForLine(const std::vector<std::string>& needles) {
    std::string found;
    waitFor(
        [&] {
          std::istringstream in(readFile(path));
          std::string line;
          while (std::getline(in, line)) {
            bool all = true;
            for (const auto& n : needles) {
              all = all && line.find(n) != std::string::npos;
            }
            if (all) {
              found = line;
              return true;
            }
          }
          return false;
        },
        std::chrono::milliseconds(2000));
    return found;
  }
};

inline ServerConfig tlsServer(bool cert_required) {
  ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  TlsConfig tls;
  tls.trust_anchor = cert_required ? pki().ca : "";
  tls.cert_file = pki().server_cert;
  tls.key_file = pki().server_key;
  tls.cert_required = cert_required;
  config.tls = tls;
  return config;
}

inline ClientConfig tlsClient(uint16_t port, const std::string& trust_anchor, bool with_cert,
                              bool rogue = false) {
  ClientConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.timeout = std::chrono::milliseconds(3000);
  TlsConfig tls;
  tls.trust_anchor = trust_anchor;
  if (with_cert) {
    tls.cert_file = rogue ? pki().rogue_cert : pki().client_cert;
    tls.key_file = rogue ? pki().rogue_key : pki().client_key;
  }
  config.tls = tls;
  return config;
}

/// Echoes the body and records the client certificate subject and peer address it saw.
struct SubjectHandler {
  std::mutex mutex;
  std::vector<std::string> subjects;
  std::vector<std::string> remotes;
  Handler handler() {
    return [this](const Request& request, Respond respond) {
      {
        std::lock_guard lock(mutex);
        subjects.push_back(request.tls_subject);
        remotes.push_back(request.remote);
      }
      Response response;
      response.body = request.body;
      respond(std::move(response));
    };
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mutex);
    return subjects;
  }
  std::vector<std::string> peers() {
    std::lock_guard lock(mutex);
    return remotes;
  }
};

/// Records what ServerConfig::on_tls_failure reports.
struct TlsFailureLog {
  std::mutex mutex;
  std::vector<TlsFailure> failures;
  std::function<void(const TlsFailure&)> callback() {
    return [this](const TlsFailure& failure) {
      std::lock_guard lock(mutex);
      failures.push_back(failure);
    };
  }
  /// Waits (bounded) for the first report.
  std::optional<TlsFailure> first() {
    waitFor([this] {
      std::lock_guard lock(mutex);
      return !failures.empty();
    });
    std::lock_guard lock(mutex);
    if (failures.empty()) {
      return std::nullopt;
    }
    return failures.front();
  }
};

/// A TLS HttpServer on its own io thread that echoes and records subjects, peers and
/// on_tls_failure reports.
struct TlsTestServer {
  explicit TlsTestServer(ServerConfig config) {
    config.on_tls_failure = failures.callback();
    server = std::make_unique<HttpServer>(io.io, std::move(config), handler.handler());
    server->start();
  }
  /// The server presenting another certificate.
  TlsTestServer(ServerConfig config, const std::string& cert_file, const std::string& key_file)
      : TlsTestServer(withCertificate(std::move(config), cert_file, key_file)) {}

  uint16_t port() const { return server->port(); }
  /// "TLS handshake with 127.0.0.1:<port> failed: <reason>; server certificate subject: <s>".
  std::string handshakeError(const std::string& reason, const std::string& subject) const {
    return "TLS handshake with 127.0.0.1:" + std::to_string(port()) + " failed: " + reason +
           "; server certificate subject: " + subject;
  }

  IoThread io;
  SubjectHandler handler;
  TlsFailureLog failures;
  std::unique_ptr<HttpServer> server;  // destroyed first

 private:
  static ServerConfig withCertificate(ServerConfig config, const std::string& cert_file,
                                      const std::string& key_file) {
    config.tls->cert_file = cert_file;
    config.tls->key_file = key_file;
    return config;
  }
};

}  // namespace takahe::http::test
