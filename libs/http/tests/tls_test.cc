// HTTPS with the blocking post(): certificates are made at test time (tls_fixture.h), then
// server and post() are run against each other over 127.0.0.1. The failure details (ClientResult
// TLS fields, ServerConfig::on_tls_failure) are checked here for post() and in
// tls_client_test.cc for HttpClient.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "takahe/http/http.h"
#include "takahe/util/error.h"
#include "test_util.h"
#include "tls_fixture.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using namespace takahe::http::test;

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
  CHECK_FALSE(result.tls_failed);
  CHECK(result.tls_peer_subject == "CN=takahe-server");
  CHECK(result.tls_verify_error.empty());
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
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error.empty());  // our check of the server passed
  CHECK(result.tls_peer_subject == "CN=takahe-server");
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
                            " failed: certificate verify failed (unable to get local issuer "
                            "certificate); server certificate subject: CN=takahe-server");
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error == "unable to get local issuer certificate");
  CHECK(result.tls_peer_subject == "CN=takahe-server");
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

TEST_CASE("post(): an expired server certificate is reported with its subject", "[http][tls]") {
  TlsTestServer server(tlsServer(false), pki().expired_server_cert, pki().expired_server_key);
  const auto result = post(tlsClient(server.port(), pki().ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error == "certificate has expired");
  CHECK(result.tls_peer_subject == "CN=server2,O=Takahe");
  CHECK(result.error == server.handshakeError("certificate verify failed (certificate has expired)",
                                              "CN=server2,O=Takahe"));
  CHECK(server.handler.seen().empty());
}

TEST_CASE("post(): a server certificate for another address is an IP address mismatch",
          "[http][tls]") {
  TlsTestServer server(tlsServer(false), pki().other_ip_cert, pki().other_ip_key);
  const auto result = post(tlsClient(server.port(), pki().ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error == "IP address mismatch");
  CHECK(result.tls_peer_subject == "CN=other-ip-server");
}

TEST_CASE("post(): a connection refused is not a TLS failure", "[http][tls]") {
  uint16_t port = 0;
  {
    TlsTestServer server(tlsServer(false));
    port = server.port();
  }
  const auto result = post(tlsClient(port, pki().ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.tls_failed);
  CHECK(result.tls_peer_subject.empty());
  CHECK(result.error == "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_CASE("on_tls_failure: a client without a certificate is reported", "[http][tls]") {
  TlsTestServer server(tlsServer(true));
  CHECK_FALSE(post(tlsClient(server.port(), pki().ca, false), "[]").ok);
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->remote.rfind("127.0.0.1:", 0) == 0);
  CHECK(failure->reason == "peer did not return a certificate");
  CHECK(failure->verify_error.empty());
  CHECK(failure->client_subject.empty());
}

TEST_CASE("on_tls_failure: a client certificate from an unknown CA names its subject",
          "[http][tls]") {
  TlsTestServer server(tlsServer(true));
  const auto result = post(tlsClient(server.port(), pki().ca, true, true), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);  // the server's alert right after the handshake
  CHECK(result.error.find("unknown ca") != std::string::npos);
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->reason == "certificate verify failed (unable to get local issuer certificate)");
  CHECK(failure->verify_error == "unable to get local issuer certificate");
  CHECK(failure->client_subject == "CN=rogue-client");
}

TEST_CASE("on_tls_failure: an expired client certificate is reported as expired", "[http][tls]") {
  TlsTestServer server(tlsServer(true));
  ClientConfig client = tlsClient(server.port(), pki().ca, true);
  client.tls->cert_file = pki().expired_client_cert;
  client.tls->key_file = pki().expired_client_key;
  const auto result = post(client, "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.error.find("certificate expired") != std::string::npos);  // the server's alert
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->verify_error == "certificate has expired");
  CHECK(failure->client_subject == "CN=expired-client");
  CHECK(server.handler.seen().empty());
}

TEST_CASE("on_tls_failure: a client refusing our certificate is reported with its alert",
          "[http][tls]") {
  TlsTestServer server(tlsServer(false));
  CHECK_FALSE(post(tlsClient(server.port(), pki().other_ca, false), "[]").ok);
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->reason == "tlsv1 alert unknown ca");
  CHECK(failure->verify_error.empty());
}
