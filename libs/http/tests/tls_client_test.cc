// HttpClient over HTTPS (certificates from tls_fixture.h): keep-alive over one handshake, and the
// TLS failure details both sides report. The [.bench] cases measure requests per second.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include "takahe/http/client.h"
#include "test_util.h"
#include "tls_fixture.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using namespace takahe::http::test;

namespace {

/// Posts one request through `client` and waits for its result.
ClientResult postOne(HttpClient& client, const ClientConfig& config, const std::string& body) {
  ResultCollector results;
  client.post(config, body, results.callback(0));
  REQUIRE(results.waitCount(1));
  return results.result(0);
}

}  // namespace

TEST_CASE("HttpClient over TLS: 200 posts share one connection (one handshake)",
          "[http][client][tls]") {
  TlsTestServer server(tlsServer(true));
  EventThread thread("tls-keepalive");
  HttpClient client(thread);
  ResultCollector results(&thread);
  const ClientConfig config = tlsClient(server.port(), pki().ca, true);
  for (int i = 0; i < 200; ++i) {
    client.post(config, "[" + std::to_string(i) + "]", results.callback(i));
  }
  REQUIRE(results.waitCount(200));
  CHECK(results.exactlyOnce(200));
  for (int i = 0; i < 200; ++i) {
    const auto result = results.result(i);
    INFO(result.error);
    REQUIRE(result.ok);
    REQUIRE(result.body == "[" + std::to_string(i) + "]");
    REQUIRE(result.tls_peer_subject == "CN=takahe-server");
  }
  const auto peers = server.handler.peers();
  CHECK(std::set<std::string>(peers.begin(), peers.end()).size() == 1);
  const auto subjects = server.handler.seen();
  CHECK(std::set<std::string>(subjects.begin(), subjects.end()) ==
        std::set<std::string>{"CN=takahe-client,O=Takahe"});
}

TEST_CASE("HttpClient over TLS: a server from an unknown CA is refused with details",
          "[http][client][tls]") {
  TlsTestServer server(tlsServer(false));
  EventThread thread("tls-wrong-ca");
  HttpClient client(thread);
  const auto result = postOne(client, tlsClient(server.port(), pki().other_ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error == "unable to get local issuer certificate");
  CHECK(result.tls_peer_subject == "CN=takahe-server");
  CHECK(result.error ==
        server.handshakeError("certificate verify failed (unable to get local issuer certificate)",
                              "CN=takahe-server"));
  CHECK(server.handler.seen().empty());
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->reason == "tlsv1 alert unknown ca");
}

TEST_CASE("HttpClient over TLS: an expired server certificate is reported", "[http][client][tls]") {
  TlsTestServer server(tlsServer(false), pki().expired_server_cert, pki().expired_server_key);
  EventThread thread("tls-expired");
  HttpClient client(thread);
  const auto result = postOne(client, tlsClient(server.port(), pki().ca, false), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.tls_verify_error == "certificate has expired");
  CHECK(result.tls_peer_subject == "CN=server2,O=Takahe");
  CHECK(result.error == server.handshakeError("certificate verify failed (certificate has expired)",
                                              "CN=server2,O=Takahe"));
}

TEST_CASE("HttpClient over TLS: no client certificate for a server that requires one",
          "[http][client][tls]") {
  TlsTestServer server(tlsServer(true));
  EventThread thread("tls-no-cert");
  HttpClient client(thread);
  ResultCollector results(&thread);
  // Queued requests fail with the first: the peer cannot be reached.
  for (int i = 0; i < 3; ++i) {
    client.post(tlsClient(server.port(), pki().ca, false), "[]", results.callback(i));
  }
  REQUIRE(results.waitCount(3));
  CHECK(results.exactlyOnce(3));
  for (int i = 0; i < 3; ++i) {
    const auto result = results.result(i);
    CHECK_FALSE(result.ok);
    CHECK(result.tls_failed);
    CHECK(result.tls_verify_error.empty());
    CHECK(result.tls_peer_subject == "CN=takahe-server");
    CHECK(result.error ==
          server.handshakeError("tlsv13 alert certificate required", "CN=takahe-server"));
  }
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->reason == "peer did not return a certificate");
  CHECK(failure->client_subject.empty());
  CHECK(server.handler.seen().empty());
}

TEST_CASE("HttpClient over TLS: a client certificate from an unknown CA", "[http][client][tls]") {
  TlsTestServer server(tlsServer(true));
  EventThread thread("tls-rogue");
  HttpClient client(thread);
  const auto result = postOne(client, tlsClient(server.port(), pki().ca, true, true), "[]");
  CHECK_FALSE(result.ok);
  CHECK(result.tls_failed);
  CHECK(result.error.find("tlsv1 alert unknown ca") != std::string::npos);
  const auto failure = server.failures.first();
  REQUIRE(failure);
  CHECK(failure->verify_error == "unable to get local issuer certificate");
  CHECK(failure->client_subject == "CN=rogue-client");
  CHECK(failure->remote.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("HttpClient over TLS: unusable TLS files fail the request, naming the file",
          "[http][client][tls]") {
  EventThread thread("tls-files");
  HttpClient client(thread);
  ClientConfig config = tlsClient(1, pki().ca, true);
  config.tls->cert_file = "/nonexistent/client.pem";
  const auto result = postOne(client, config, "[]");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.tls_failed);
  CHECK(result.error ==
        "TLS setup for 127.0.0.1:1: cannot read cert-file '/nonexistent/client.pem': No such file "
        "or directory");
}

TEST_CASE("HttpClient over TLS: different TLS files are different peers", "[http][client][tls]") {
  TlsTestServer server(tlsServer(false));
  EventThread thread("tls-peers");
  HttpClient client(thread);
  CHECK(postOne(client, tlsClient(server.port(), pki().ca, false), "[1]").ok);
  const auto wrong = postOne(client, tlsClient(server.port(), pki().other_ca, false), "[2]");
  CHECK(wrong.tls_failed);
  CHECK(postOne(client, tlsClient(server.port(), pki().ca, false), "[3]").ok);
  const auto peers = server.handler.peers();
  REQUIRE(peers.size() == 2);
  CHECK(peers[0] == peers[1]);  // the good peer's connection was not disturbed
}

namespace {

/// 10,000 posts over 4 keep-alive connections to a trivial handler; prints requests/s.
void throughput(const ServerConfig& server_config, const ClientConfig& client_template,
                const char* label) {
  constexpr int kRequests = 10000;
  IoThread io;
  HttpServer server(io.io, server_config, [](const Request& request, Respond respond) {
    Response response;
    response.body = request.body;
    respond(std::move(response));
  });
  server.start();
  EventThread thread("bench-client");
  HttpClient::Options options;
  options.connections_per_peer = 4;
  HttpClient client(thread, options);
  ClientConfig config = client_template;
  config.port = server.port();
  // Warm up: open the connections (and handshakes) before the clock starts.
  {
    ResultCollector warm;
    for (int i = 0; i < 8; ++i) {
      client.post(config, "{}", warm.callback(i));
    }
    REQUIRE(warm.waitCount(8));
  }
  std::atomic<int> ok{0};
  std::atomic<int> done{0};
  const std::string body =
      R"({"command": "lease4-update", "arguments": {"ip-address": "192.0.2.1"}})";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    client.post(config, body, [&](ClientResult result) {
      ok += result.ok ? 1 : 0;
      ++done;
    });
  }
  REQUIRE(waitFor([&] { return done == kRequests; }, 60s));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(ok == kRequests);
  std::printf("HttpClient %s: %d posts over 4 connections in %.3f s = %.0f requests/s\n", label,
              kRequests, seconds, kRequests / seconds);
}

}  // namespace

TEST_CASE("HttpClient throughput, plain HTTP", "[.bench]") {
  ServerConfig server;
  server.port = 0;
  ClientConfig client;
  client.host = "127.0.0.1";
  throughput(server, client, "HTTP");
}

TEST_CASE("HttpClient throughput, HTTPS with client certificates", "[.bench]") {
  throughput(tlsServer(true), tlsClient(0, pki().ca, true), "HTTPS");
}
