// HTTPS: certificates are made at test time with the openssl command-line tool (a CA, a server
// certificate for IP 127.0.0.1, a client certificate, and a second unrelated CA with its own
// client), then server and post() are run against each other over 127.0.0.1.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "takahe/http/http.h"
#include "takahe/log/config.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using namespace takahe::http::test;

namespace {

/// Test PKI, generated once per test run.
struct Pki {
  TempDir dir;
  std::string ca, server_cert, server_key, client_cert, client_key;
  std::string other_ca, rogue_cert, rogue_key;

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
                                              "[client_ext]\n"
                                              "basicConstraints = CA:FALSE\n"
                                              "extendedKeyUsage = clientAuth\n";
    makeCa("ca", "/CN=Takahe Test CA");
    makeCa("other-ca", "/CN=Unrelated Test CA");
    makeLeaf("server", "ca", "/CN=takahe-server", "server_ext");
    makeLeaf("client", "ca", "/O=Takahe/CN=takahe-client", "client_ext");
    makeLeaf("rogue", "other-ca", "/CN=rogue-client", "client_ext");
    ca = dir.file("ca.pem");
    server_cert = dir.file("server.pem");
    server_key = dir.file("server.key");
    client_cert = dir.file("client.pem");
    client_key = dir.file("client.key");
    other_ca = dir.file("other-ca.pem");
    rogue_cert = dir.file("rogue.pem");
    rogue_key = dir.file("rogue.key");
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
                const std::string& ext) {
    run("req -config openssl.cnf -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " +
        name + ".key -out " + name + ".csr -subj '" + subject + "'");
    run("x509 -req -in " + name + ".csr -CA " + ca_name + ".pem -CAkey " + ca_name +
        ".key -set_serial " + std::to_string(++serial_) + " -days 2 -out " + name +
        ".pem -extfile openssl.cnf -extensions " + ext);
  }

 private:
  int serial_ = 1;
};

const Pki& pki() {
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
        2000ms);
    return found;
  }
};

ServerConfig tlsServer(bool cert_required) {
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

ClientConfig tlsClient(uint16_t port, const std::string& trust_anchor, bool with_cert,
                       bool rogue = false) {
  ClientConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.timeout = 3000ms;
  TlsConfig tls;
  tls.trust_anchor = trust_anchor;
  if (with_cert) {
    tls.cert_file = rogue ? pki().rogue_cert : pki().client_cert;
    tls.key_file = rogue ? pki().rogue_key : pki().client_key;
  }
  config.tls = tls;
  return config;
}

/// Echoes the body and records the client certificate subject it saw.
struct SubjectHandler {
  std::mutex mutex;
  std::vector<std::string> subjects;
  Handler handler() {
    return [this](const Request& request, Respond respond) {
      {
        std::lock_guard lock(mutex);
        subjects.push_back(request.tls_subject);
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
};

}  // namespace

TEST_CASE("HTTPS: the client verifies the server against its trust anchor", "[http][tls]") {
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(false), handler.handler());
  server.start();
  const auto result = post(tlsClient(server.port(), pki().ca, false), R"({"tls": 1})");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.status == 200);
  CHECK(result.body == R"({"tls": 1})");
  REQUIRE(handler.seen().size() == 1);
  CHECK(handler.seen()[0].empty());
}

TEST_CASE("HTTPS with cert-required: a client certificate from the CA is accepted", "[http][tls]") {
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(true), handler.handler());
  server.start();
  const auto result = post(tlsClient(server.port(), pki().ca, true), "[]");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.status == 200);
  REQUIRE(handler.seen().size() == 1);
  CHECK(handler.seen()[0] == "CN=takahe-client,O=Takahe");
}

TEST_CASE(
    "HTTPS with cert-required: no client certificate fails and the handshake failure is "
    "logged with the peer address",
    "[http][tls]") {
  LogCapture log;
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(true), handler.handler());
  server.start();
  const auto result = post(tlsClient(server.port(), pki().ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
  CHECK(result.error.find("certificate required") != std::string::npos);  // the TLS 1.3 alert
  CHECK(handler.seen().empty());
  const auto line = log.waitForLine(
      {"WARN", "HTTP_TLS_HANDSHAKE_FAILED", "127.0.0.1:", "peer did not return a certificate"});
  INFO(readFile(log.path));
  CHECK_FALSE(line.empty());
}

TEST_CASE("HTTPS with cert-required: a client certificate from another CA is refused",
          "[http][tls]") {
  LogCapture log;
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(true), handler.handler());
  server.start();
  const auto result = post(tlsClient(server.port(), pki().ca, true, true), "[]");
  CHECK_FALSE(result.ok);
  CHECK(handler.seen().empty());
  const auto line =
      log.waitForLine({"HTTP_TLS_HANDSHAKE_FAILED", "127.0.0.1:", "certificate verify failed"});
  INFO(readFile(log.path));
  CHECK_FALSE(line.empty());
}

TEST_CASE("HTTPS: a client trusting the wrong CA refuses the server with a clear error",
          "[http][tls]") {
  LogCapture log;
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(false), handler.handler());
  server.start();
  const auto result = post(tlsClient(server.port(), pki().other_ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.error == "TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                            ": certificate verify failed (unable to get local issuer certificate)");
  CHECK(handler.seen().empty());
  // The server sees the client's alert.
  CHECK_FALSE(log.waitForLine({"HTTP_TLS_HANDSHAKE_FAILED", "unknown ca"}).empty());
}

TEST_CASE("HTTPS: a plain HTTP client is refused and logged", "[http][tls]") {
  LogCapture log;
  IoThread io;
  SubjectHandler handler;
  HttpServer server(io.io, tlsServer(false), handler.handler());
  server.start();
  ClientConfig plain;
  plain.port = server.port();
  plain.timeout = 2000ms;
  const auto result = post(plain, "[]");
  CHECK_FALSE(result.ok);
  CHECK(handler.seen().empty());
  CHECK_FALSE(log.waitForLine({"HTTP_TLS_HANDSHAKE_FAILED", "127.0.0.1:"}).empty());
}

TEST_CASE("start() with unusable TLS files throws naming the file and the reason", "[http][tls]") {
  IoThread io;
  SubjectHandler handler;
  TempDir dir;

  ServerConfig missing_key = tlsServer(true);
  missing_key.tls->key_file = dir.file("missing.key");
  HttpServer a(io.io, missing_key, handler.handler());
  CHECK_THROWS_AS(a.start(), takahe::Error);
  CHECK_THROWS_WITH(a.start(), Catch::Matchers::Contains(dir.file("missing.key")) &&
                                   Catch::Matchers::Contains("No such file or directory"));

  std::ofstream(dir.file("garbage.pem")) << "not a certificate\n";
  ServerConfig bad_cert = tlsServer(true);
  bad_cert.tls->cert_file = dir.file("garbage.pem");
  HttpServer b(io.io, bad_cert, handler.handler());
  CHECK_THROWS_WITH(b.start(),
                    Catch::Matchers::Contains("cert-file '" + dir.file("garbage.pem") + "'") &&
                        Catch::Matchers::Contains("no start line"));

  ServerConfig mismatch = tlsServer(true);
  mismatch.tls->key_file = pki().client_key;
  HttpServer c(io.io, mismatch, handler.handler());
  CHECK_THROWS_WITH(c.start(), Catch::Contains("key-file '" + pki().client_key + "'") &&
                                   Catch::Contains("key values mismatch"));

  ServerConfig bad_ca = tlsServer(true);
  bad_ca.tls->trust_anchor = dir.file("nowhere.pem");
  HttpServer d(io.io, bad_ca, handler.handler());
  CHECK_THROWS_WITH(d.start(), Catch::Contains("trust-anchor '" + dir.file("nowhere.pem") + "'"));

  // The client reports its own file problems without throwing.
  ClientConfig client = tlsClient(1, pki().ca, true);
  client.tls->cert_file = dir.file("missing.pem");
  const auto result = post(client, "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.error.find(dir.file("missing.pem")) != std::string::npos);
}
