// PeerLink against a fake Kea peer (a real HTTP(S) server on 127.0.0.1): the envelope it sends,
// how every kind of answer is read, and the once-per-change reachability log.

#include "peer_link.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <future>

#include "fake_peer.h"
#include "takahe/http/event_thread.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using namespace takahe::hooks::ha::test;

namespace {

/// Sends one command through `link` and waits for the answer.
PeerAnswer ask(PeerLink& link, const PeerConfig& peer, const std::string& command,
               std::optional<cc::Value> args = std::nullopt,
               std::chrono::milliseconds timeout = 3000ms) {
  std::promise<PeerAnswer> p;
  auto f = p.get_future();
  link.send(peer, command, std::move(args), timeout,
            [&p](PeerAnswer a) { p.set_value(std::move(a)); });
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  return f.get();
}

/// Test PKI made with the openssl tool: a CA, a server certificate for IP 127.0.0.1, one for
/// 127.0.0.2 (name mismatch), a client certificate and an unrelated CA.
struct Pki {
  takahe::testing::TempDir dir;
  int serial = 1;
  Pki() {
    std::ofstream(dir.file("openssl.cnf")) << "[req]\ndistinguished_name = dn\nprompt = no\n"
                                              "[dn]\nCN = unused\n"
                                              "[ca_ext]\nbasicConstraints = critical,CA:TRUE\n"
                                              "keyUsage = critical,keyCertSign,cRLSign\n"
                                              "[server_ext]\nbasicConstraints = CA:FALSE\n"
                                              "subjectAltName = IP:127.0.0.1\n"
                                              "[other_ip_ext]\nbasicConstraints = CA:FALSE\n"
                                              "subjectAltName = IP:127.0.0.2\n"
                                              "[client_ext]\nbasicConstraints = CA:FALSE\n"
                                              "extendedKeyUsage = clientAuth\n";
    makeCa("ca", "/CN=HA Test CA");
    makeCa("other-ca", "/CN=Unrelated CA");
    makeLeaf("server", "ca", "/O=Takahe/CN=server2", "server_ext");
    makeLeaf("wrongip", "ca", "/CN=server2-wrong-ip", "other_ip_ext");
    makeLeaf("client", "ca", "/CN=server1", "client_ext");
  }
  std::string file(const std::string& name) const { return dir.file(name); }
  void run(const std::string& args) {
    const std::string cmd = "cd '" + dir.path + "' && openssl " + args + " >>openssl.log 2>&1";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  void makeCa(const std::string& name, const std::string& subject) {
    run("req -config openssl.cnf -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " + name + ".key -out " + name + ".pem -days 2 -subj '" + subject +
        "' -extensions ca_ext");
  }
  void makeLeaf(const std::string& name, const std::string& ca, const std::string& subject,
                const std::string& ext) {
    run("req -config openssl.cnf -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " + name + ".key -out " + name + ".csr -subj '" + subject + "'");
    run("x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -set_serial " +
        std::to_string(++serial) + " -days 2 -out " + name + ".pem -extfile openssl.cnf "
        "-extensions " + ext);
  }
};

const Pki& pki() {
  static Pki instance;
  return instance;
}

PeerConfig httpsPeer(uint16_t port, const std::string& trust_anchor, bool client_cert) {
  PeerConfig p = peerAt("server2", PeerRole::kSecondary, port);
  p.https = true;
  p.url = "https://127.0.0.1:" + std::to_string(port) + "/";
  http::TlsConfig tls;
  tls.trust_anchor = trust_anchor;
  if (client_cert) {
    tls.cert_file = pki().file("client.pem");
    tls.key_file = pki().file("client.key");
  }
  p.tls = tls;
  return p;
}

http::ServerConfig tlsServer(const std::string& cert, const std::string& key, bool cert_required) {
  http::ServerConfig c;
  http::TlsConfig tls;
  tls.cert_file = pki().file(cert);
  tls.key_file = pki().file(key);
  tls.trust_anchor = pki().file("ca.pem");
  tls.cert_required = cert_required;
  c.tls = tls;
  return c;
}

PeerAnswer failure(const std::string& error) {
  PeerAnswer a;
  a.error = "POST to http://192.0.2.2:8000/ failed: " + error;
  return a;
}

PeerAnswer success() {
  PeerAnswer a;
  a.ok = true;
  a.result = 0;
  return a;
}

}  // namespace

TEST_CASE("Commands to peers use Kea 2.2's envelope with the keys in Kea's order") {
  cc::Value args = cc::Value::makeMap();
  args.set("max-period", 60);
  args.set("origin", "ha-partner");
  CHECK(makeCommandBody("dhcp-disable", args) ==
        R"({"arguments":{"max-period":60,"origin":"ha-partner"},"command":"dhcp-disable","service":["dhcp4"]})");
  CHECK(makeCommandBody("ha-heartbeat", std::nullopt) ==
        R"({"command":"ha-heartbeat","service":["dhcp4"]})");
}

TEST_CASE("interpretHttpResult reads Kea's one-item list and a bare answer alike") {
  PeerConfig peer = peerAt("server2", PeerRole::kSecondary, 8000);
  PeerAnswer listed = interpretHttpResult(
      peer, true, "", 200,
      R"([{"arguments": {"state": "ready"}, "result": 0, "text": "HA peer status returned."}])",
      false, "", "");
  CHECK(listed.ok);
  CHECK(listed.result == 0);
  CHECK(listed.text == "HA peer status returned.");
  REQUIRE(listed.arguments);
  CHECK(listed.arguments->at("state").asString() == "ready");

  PeerAnswer bare =
      interpretHttpResult(peer, true, "", 200, R"({"result": 3, "text": "0 IPv4 lease(s) found."})",
                          false, "", "");
  CHECK(bare.ok);
  CHECK(bare.result == 3);
  CHECK(bare.text == "0 IPv4 lease(s) found.");
  CHECK_FALSE(bare.arguments);
}

TEST_CASE("interpretHttpResult turns each failure into one line naming the peer URL") {
  PeerConfig peer = peerAt("server2", PeerRole::kSecondary, 8000);
  const std::string prefix = "POST to http://127.0.0.1:8000/ failed: ";

  PeerAnswer refused = interpretHttpResult(peer, false, "connect to 127.0.0.1:8000: Connection refused",
                                           0, "", false, "", "");
  CHECK_FALSE(refused.ok);
  CHECK(refused.error == prefix + "connect to 127.0.0.1:8000: Connection refused");

  PeerAnswer unauthorized = interpretHttpResult(
      peer, true, "", 401, R"({"result": 401, "text": "Unauthorized"})", false, "", "");
  CHECK_FALSE(unauthorized.ok);
  CHECK(unauthorized.error == prefix + "HTTP 401 Unauthorized");

  PeerAnswer forbidden = interpretHttpResult(
      peer, true, "", 403, R"({"result": 403, "text": "user 'x' may not run ha-heartbeat"})",
      false, "", "");
  CHECK(forbidden.error == prefix + "HTTP 403 Forbidden (user 'x' may not run ha-heartbeat)");

  CHECK(interpretHttpResult(peer, true, "", 502, "<html>", false, "", "").error ==
        prefix + "HTTP 502 Bad Gateway");

  PeerAnswer garbage = interpretHttpResult(peer, true, "", 200, "<html>hi</html>", false, "", "");
  CHECK_FALSE(garbage.ok);
  CHECK_THAT(garbage.error, Catch::StartsWith(prefix + "answer is not JSON: "));

  CHECK(interpretHttpResult(peer, true, "", 200, "[]", false, "", "").error ==
        prefix + "answer is not a Kea answer: empty list");
  CHECK_THAT(interpretHttpResult(peer, true, "", 200, R"([{"text": "x"}])", false, "", "").error,
             Catch::StartsWith(prefix + "answer is not a Kea answer: no integer 'result'"));
  CHECK_THAT(interpretHttpResult(peer, true, "", 200, "42", false, "", "").error,
             Catch::Contains("a JSON"));

  PeerAnswer tls = interpretHttpResult(
      peer, false,
      "TLS handshake with 127.0.0.1:8000 failed: certificate verify failed (certificate has "
      "expired); server certificate subject: CN=server2",
      0, "", true, "CN=server2", "certificate has expired");
  CHECK_FALSE(tls.ok);
  CHECK(tls.tls_failed);
  CHECK(tls.tls_peer_subject == "CN=server2");
  CHECK(tls.tls_verify_error == "certificate has expired");
}

TEST_CASE("PeerLink POSTs commands to a fake Kea peer and reads its answers") {
  FakePeer fake;
  http::EventThread ha("ha-test");
  HaConfig config = configWith(HaMode::kLoadBalancing,
                               {peerAt("server2", PeerRole::kSecondary, fake.port())});
  PeerLink link(ha, config, 2);
  const PeerConfig& peer = config.peers[1];

  SECTION("the control agent's list form, with arguments") {
    cc::Value args = cc::Value::makeMap();
    args.set("from", "start");
    args.set("limit", 2);
    fake.answer([](const Received& r) {
      cc::Value out = cc::Value::makeMap();
      out.set("count", 0);
      out.set("echo", r.arguments ? *r.arguments : cc::Value());
      return keaAnswer(3, "0 IPv4 lease(s) found.", out);
    });
    PeerAnswer a = ask(link, peer, "lease4-get-page", args);
    REQUIRE(a.ok);
    CHECK(a.result == 3);
    CHECK(a.text == "0 IPv4 lease(s) found.");
    REQUIRE(a.arguments);
    CHECK(a.arguments->at("echo") == args);
    auto got = fake.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].command == "lease4-get-page");
    CHECK(got[0].services == std::vector<std::string>{"dhcp4"});
    CHECK(got[0].body ==
          R"({"arguments":{"from":"start","limit":2},"command":"lease4-get-page","service":["dhcp4"]})");
  }
  SECTION("a bare map") {
    fake.answer([](const Received&) { return keaAnswer(0, "HA peer status returned.", {}, false); });
    PeerAnswer a = ask(link, peer, "ha-heartbeat");
    CHECK(a.ok);
    CHECK(a.text == "HA peer status returned.");
  }
  SECTION("an HTTP error status") {
    fake.answer([](const Received&) {
      Reply r;
      r.status = 500;
      r.body = R"({"result": 500, "text": "boom"})";
      return r;
    });
    PeerAnswer a = ask(link, peer, "ha-heartbeat");
    CHECK_FALSE(a.ok);
    CHECK(a.error == "POST to " + peer.url + " failed: HTTP 500 Internal Server Error (boom)");
  }
  SECTION("an answer slower than the timeout") {
    fake.answer([](const Received&) {
      Reply r = keaAnswer(0, "late");
      r.delay = 1500ms;
      return r;
    });
    auto t0 = std::chrono::steady_clock::now();
    PeerAnswer a = ask(link, peer, "ha-heartbeat", std::nullopt, 300ms);
    CHECK_FALSE(a.ok);
    CHECK_THAT(a.error, Catch::StartsWith("POST to " + peer.url + " failed: "));
    CHECK_THAT(a.error, Catch::Contains("timed out"));
    CHECK(std::chrono::steady_clock::now() - t0 < 1400ms);
  }
  SECTION("sendSync from another thread gives the same answer") {
    fake.answer([](const Received&) { return keaAnswer(0, "DHCPv4 service disabled for 60 seconds"); });
    PeerAnswer a = link.sendSync(peer, "dhcp-disable", std::nullopt, 3000ms);
    CHECK(a.ok);
    CHECK(a.text == "DHCPv4 service disabled for 60 seconds");
    CHECK(fake.commands() == std::vector<std::string>{"dhcp-disable"});
  }
  SECTION("the answer arrives on the HA event thread") {
    std::promise<bool> on_thread;
    link.send(peer, "ha-heartbeat", std::nullopt, 3000ms,
              [&](PeerAnswer) { on_thread.set_value(ha.onThread()); });
    auto f = on_thread.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK(f.get());
  }
  CHECK(waitFor([&] { return link.pending() == 0; }));
}

TEST_CASE("PeerLink reports a closed port and refused basic auth with the cause") {
  http::EventThread ha("ha-test");
  SECTION("nothing listens") {
    HaConfig config = configWith(HaMode::kLoadBalancing,
                                 {peerAt("server2", PeerRole::kSecondary, closedPort())});
    PeerLink link(ha, config, 1);
    PeerAnswer a = ask(link, config.peers[1], "ha-heartbeat");
    CHECK_FALSE(a.ok);
    CHECK_FALSE(a.tls_failed);
    CHECK_THAT(a.error, Catch::StartsWith("POST to " + config.peers[1].url + " failed: connect"));
    CHECK_THAT(a.error, Catch::Contains("Connection refused"));
  }
  SECTION("basic auth: wrong password gives 401, the right one passes") {
    http::ServerConfig sc;
    sc.auth.clients.push_back({"ha", "secret"});
    FakePeer fake(sc);
    PeerConfig peer = peerAt("server2", PeerRole::kSecondary, fake.port());
    peer.basic_auth_user = "ha";
    peer.basic_auth_password = "wrong";
    HaConfig config = configWith(HaMode::kLoadBalancing, {peer});
    PeerLink link(ha, config, 1);
    PeerAnswer bad = ask(link, config.peers[1], "ha-heartbeat");
    CHECK_FALSE(bad.ok);
    CHECK(bad.error == "POST to " + peer.url + " failed: HTTP 401 Unauthorized");

    config.peers[1].basic_auth_password = "secret";
    PeerAnswer good = ask(link, config.peers[1], "ha-heartbeat");
    CHECK(good.ok);
    auto got = fake.received();
    REQUIRE_FALSE(got.empty());
    CHECK(got.back().user == "ha");
  }
}

TEST_CASE("PeerLink over TLS reports the certificate subject and OpenSSL's verify reason") {
  http::EventThread ha("ha-test");
  SECTION("mutual TLS with the right CA works") {
    FakePeer fake(tlsServer("server.pem", "server.key", true));
    HaConfig config = configWith(HaMode::kLoadBalancing,
                                 {httpsPeer(fake.port(), pki().file("ca.pem"), true)});
    PeerLink link(ha, config, 1);
    PeerAnswer a = ask(link, config.peers[1], "ha-heartbeat");
    INFO(a.error);
    CHECK(a.ok);
  }
  SECTION("a trust anchor without the peer's CA") {
    FakePeer fake(tlsServer("server.pem", "server.key", true));
    HaConfig config = configWith(HaMode::kLoadBalancing,
                                 {httpsPeer(fake.port(), pki().file("other-ca.pem"), true)});
    PeerLink link(ha, config, 1);
    PeerAnswer a = ask(link, config.peers[1], "ha-heartbeat");
    CHECK_FALSE(a.ok);
    CHECK(a.tls_failed);
    CHECK(a.tls_peer_subject == "CN=server2,O=Takahe");
    // OpenSSL says "unable to get local issuer certificate" or, when the server sends its CA
    // along, "self-signed certificate in certificate chain".
    CHECK_THAT(a.tls_verify_error,
               Catch::Contains("local issuer") || Catch::Contains("self-signed certificate"));

    LogCapture log;
    link.noteOutcome(config.peers[1], a);
    auto lines = log.lines("HA_PEER_TLS_FAILED");
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("TLS with HA peer server2 (" + config.peers[1].url +
                                         ") failed: "));
    CHECK_THAT(lines[0], Catch::Contains("; peer certificate subject: CN=server2,O=Takahe; "
                                         "verify reason: " + a.tls_verify_error +
                                         "; check trust-anchor: it must hold the CA that signed "
                                         "the peer certificate"));
  }
  SECTION("the peer requires a client certificate this server does not have") {
    FakePeer fake(tlsServer("server.pem", "server.key", true));
    HaConfig config = configWith(HaMode::kLoadBalancing,
                                 {httpsPeer(fake.port(), pki().file("ca.pem"), false)});
    PeerLink link(ha, config, 1);
    PeerAnswer a = ask(link, config.peers[1], "ha-heartbeat");
    CHECK_FALSE(a.ok);
    CHECK(a.tls_failed);
    CHECK(a.tls_verify_error.empty());
    LogCapture log;
    link.noteOutcome(config.peers[1], a);
    auto lines = log.lines("HA_PEER_TLS_FAILED");
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("verify reason: none; the peer requires a client "
                                         "certificate: set cert-file and key-file"));
  }
  SECTION("the certificate does not name the URL's host") {
    FakePeer fake(tlsServer("wrongip.pem", "wrongip.key", false));
    HaConfig config = configWith(HaMode::kLoadBalancing,
                                 {httpsPeer(fake.port(), pki().file("ca.pem"), false)});
    PeerLink link(ha, config, 1);
    PeerAnswer a = ask(link, config.peers[1], "ha-heartbeat");
    CHECK_FALSE(a.ok);
    CHECK(a.tls_failed);
    CHECK(a.tls_peer_subject == "CN=server2-wrong-ip");
    LogCapture log;
    link.noteOutcome(config.peers[1], a);
    auto lines = log.lines("HA_PEER_TLS_FAILED");
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Catch::Contains("hostname mismatch: the URL host must be in the "
                                         "certificate's subjectAltName"));
  }
}

TEST_CASE("noteOutcome logs a failure once per cause and the recovery once") {
  http::EventThread ha("ha-test");
  PeerConfig peer = peerAt("server2", PeerRole::kSecondary, 8000);
  peer.url = "http://192.0.2.2:8000/";
  HaConfig config = configWith(HaMode::kLoadBalancing, {peer});
  PeerLink link(ha, config, 1);
  LogCapture log;

  link.noteOutcome(peer, success());  // fine from the start: nothing to say
  link.noteOutcome(peer, failure("connect to 192.0.2.2:8000: Connection refused"));
  link.noteOutcome(peer, failure("connect to 192.0.2.2:8000: Connection refused"));
  link.noteOutcome(peer, failure("connect to 192.0.2.2:8000: Connection refused"));
  auto down = log.lines("HA_PEER_UNREACHABLE");
  REQUIRE(down.size() == 1);
  CHECK_THAT(down[0], Catch::Contains("ERROR"));
  CHECK_THAT(down[0], Catch::EndsWith(
                          "HA peer server2 (http://192.0.2.2:8000/) is unreachable: connect to "
                          "192.0.2.2:8000: Connection refused; check that its server/agent runs "
                          "and listens on that URL"));

  // Another cause is news.
  link.noteOutcome(peer, failure("HTTP 401 Unauthorized"));
  down = log.lines("HA_PEER_UNREACHABLE");
  REQUIRE(down.size() == 2);
  CHECK_THAT(down[1], Catch::Contains("is unreachable: HTTP 401 Unauthorized; check "
                                      "basic-auth-user and basic-auth-password(-file) of peer "
                                      "server2"));

  // The control agent answers, but its DHCPv4 server is down: still unreachable.
  PeerAnswer forward;
  forward.ok = true;
  forward.result = 1;
  forward.text = "unable to forward command to the dhcp4 service: No such file or directory. "
                 "The server is likely to be offline";
  link.noteOutcome(peer, forward);
  link.noteOutcome(peer, forward);
  down = log.lines("HA_PEER_UNREACHABLE");
  REQUIRE(down.size() == 3);
  CHECK_THAT(down[2], Catch::Contains("check that the DHCPv4 server behind the peer's control "
                                      "agent runs"));

  // Any real answer (even an error result) is a recovery, said once.
  PeerAnswer rejected = success();
  rejected.result = 1;
  rejected.text = "lease conflict";
  link.noteOutcome(peer, rejected);
  link.noteOutcome(peer, success());
  auto up = log.lines("HA_PEER_REACHABLE");
  REQUIRE(up.size() == 1);
  CHECK_THAT(up[0], Catch::Contains("INFO"));
  CHECK_THAT(up[0], Catch::Contains("HA peer server2 (http://192.0.2.2:8000/) is reachable again"));
  CHECK(log.lines("HA_PEER_UNREACHABLE").size() == 3);

  // Peers are followed separately.
  PeerConfig other = peerAt("server3", PeerRole::kBackup, 8001);
  link.noteOutcome(other, failure("connect to 127.0.0.1:8001: Connection refused"));
  CHECK(log.lines("HA_PEER_UNREACHABLE").size() == 4);
  CHECK(log.lines("HA_PEER_UNREACHABLE server2").empty());
}

TEST_CASE("TLS failures name the remedy that fits OpenSSL's reason") {
  http::EventThread ha("ha-test");
  PeerConfig peer = peerAt("server2", PeerRole::kSecondary, 8443);
  peer.https = true;
  peer.url = "https://192.0.2.2:8443/";
  peer.tls = http::TlsConfig{"/etc/ca.pem", "", "", true};
  HaConfig config = configWith(HaMode::kLoadBalancing, {peer});
  PeerLink link(ha, config, 1);

  struct Case {
    std::string error, subject, verify, remedy;
  };
  const std::vector<Case> cases = {
      {"certificate verify failed (certificate has expired)", "CN=server2",
       "certificate has expired", "the certificate has expired: renew it"},
      {"certificate verify failed (self-signed certificate)", "CN=server2",
       "self-signed certificate",
       "check trust-anchor: it must hold the CA that signed the peer certificate"},
      {"certificate verify failed (hostname mismatch)", "CN=other", "hostname mismatch",
       "hostname mismatch: the URL host must be in the certificate's subjectAltName"},
      {"read from 192.0.2.2:8443: tlsv13 alert certificate required", "CN=server2", "",
       "the peer requires a client certificate: set cert-file and key-file"},
      {"tlsv1 alert unknown ca", "CN=server2", "",
       "the peer rejects this server's certificate: its trust-anchor must hold the CA that "
       "signed cert-file"},
      {"wrong version number", "", "",
       "the peer does not speak TLS on that port: check the URL's scheme (http/https) and port"},
  };
  for (const auto& c : cases) {
    LogCapture log;
    PeerAnswer a = failure("TLS handshake with 192.0.2.2:8443 failed: " + c.error);
    a.tls_failed = true;
    a.tls_peer_subject = c.subject;
    a.tls_verify_error = c.verify;
    link.noteOutcome(peer, a);
    auto lines = log.lines("HA_PEER_TLS_FAILED");
    INFO(c.error);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0],
               Catch::EndsWith("TLS with HA peer server2 (https://192.0.2.2:8443/) failed: TLS "
                               "handshake with 192.0.2.2:8443 failed: " + c.error +
                               "; peer certificate subject: " +
                               (c.subject.empty() ? std::string("none presented") : c.subject) +
                               "; verify reason: " +
                               (c.verify.empty() ? std::string("none") : c.verify) + "; " +
                               c.remedy));
  }
}
