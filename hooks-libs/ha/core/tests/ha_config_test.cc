// The `high-availability` parameter: Kea 2.2 keys and defaults, and the errors an operator
// sees. Kea 2.2's own answers (checked by loading its libdhcp_ha.so) decided the edge cases:
// https without TLS, roles per mode, delayed-updates-limit / wait-backup-ack per mode,
// restrict-commands defaulting to false.

#include "core/ha_config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/util/error.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using takahe::testing::TempDir;

namespace {

HaConfig parseText(const std::string& text) {
  return parseHaConfig(cc::parseConfigText(text, "ha.json"));
}

/// The message parseHaConfig throws for `params` (fails the test when it accepts them).
std::string errorOf(const cc::Value& params) {
  try {
    parseHaConfig(params);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("configuration was accepted: " << params.toJson());
  return {};
}

/// A valid load-balancing relationship; tests change one thing at a time.
cc::Value baseRelationship() {
  return cc::parseJson(R"({
    "this-server-name": "server1",
    "mode": "load-balancing",
    "peers": [
      {"name": "server1", "url": "http://192.0.2.1:8000/", "role": "primary"},
      {"name": "server2", "url": "http://192.0.2.2:8000/", "role": "secondary"}
    ]})");
}

cc::Value wrap(cc::Value relationship) {
  cc::Value list = cc::Value::makeList();
  list.push(std::move(relationship));
  cc::Value params = cc::Value::makeMap();
  params.set("high-availability", std::move(list));
  return params;
}

cc::Value& peerOf(cc::Value& rel, size_t i) { return rel.find("peers")->asList()[i]; }

void addPeer(cc::Value& rel, const std::string& name, const std::string& role) {
  cc::Value p = cc::Value::makeMap();
  p.set("name", name);
  p.set("url", "http://192.0.2.9:8000/");
  p.set("role", role);
  rel.find("peers")->push(std::move(p));
}

}  // namespace

TEST_CASE("A Kea 2.2 load-balancing configuration gets Kea's defaults", "[ha][config]") {
  HaConfig c = parseText(R"({
    // As an operator writes it for Kea 2.2: three servers, one a backup.
    "high-availability": [ {
      "this-server-name": "server2",
      "mode": "load-balancing",
      "peers": [
        { "name": "server1", "url": "http://192.0.2.33:8000/", "role": "primary" },
        { "name": "server2", "url": "http://192.0.2.66:8000/", "role": "secondary",
          "auto-failover": true },
        { "name": "server3", "url": "http://192.0.2.99:8000/", "role": "backup",
          "basic-auth-user": "ha", "basic-auth-password": "s3cret" }
      ]
    } ]
  })");
  CHECK(c.this_server_name == "server2");
  CHECK(c.mode == HaMode::kLoadBalancing);
  CHECK(c.heartbeat_delay_ms == 10000);
  CHECK(c.max_response_delay_ms == 60000);
  CHECK(c.max_ack_delay_ms == 10000);
  CHECK(c.max_unacked_clients == 10);
  CHECK(c.max_rejected_lease_updates == 10);
  CHECK(c.delayed_updates_limit == 100);
  CHECK(c.send_lease_updates);
  CHECK(c.sync_leases);
  CHECK(c.sync_timeout_ms == 60000);
  CHECK(c.sync_page_limit == 10000);
  CHECK_FALSE(c.wait_backup_ack);
  CHECK(c.require_client_certs);
  CHECK_FALSE(c.restrict_commands);
  CHECK_FALSE(c.enable_multi_threading);
  CHECK_FALSE(c.http_dedicated_listener);
  CHECK(c.http_listener_threads == 0);
  CHECK(c.http_client_threads == 0);
  CHECK(c.trust_anchor.empty());
  CHECK(c.state_pauses.empty());
  CHECK(c.pauseFor(HaState::kWaiting) == StatePause::kNever);
  CHECK(c.warnings.empty());

  REQUIRE(c.peers.size() == 3);
  const PeerConfig& s1 = c.peers[0];
  CHECK(s1.name == "server1");
  CHECK(s1.role == PeerRole::kPrimary);
  CHECK(s1.auto_failover);
  CHECK_FALSE(s1.https);
  CHECK(s1.host == "192.0.2.33");
  CHECK(s1.port == 8000);
  CHECK(s1.path == "/");
  CHECK_FALSE(s1.tls.has_value());
  CHECK(s1.basic_auth_user.empty());

  CHECK(c.thisServer().name == "server2");
  REQUIRE(c.partner() != nullptr);
  CHECK(c.partner()->name == "server1");
  REQUIRE(c.primary() != nullptr);
  CHECK(c.primary()->name == "server1");
  auto backups = c.backups();
  REQUIRE(backups.size() == 1);
  CHECK(backups[0]->name == "server3");
  CHECK(c.peer("server3")->basic_auth_user == "ha");
  CHECK(c.peer("server9") == nullptr);

  http::ClientConfig cc3 = c.peer("server3")->clientConfig(std::chrono::milliseconds(1234));
  CHECK(cc3.host == "192.0.2.99");
  CHECK(cc3.port == 8000);
  CHECK(cc3.path == "/");
  CHECK(cc3.timeout == std::chrono::milliseconds(1234));
  REQUIRE(cc3.auth.has_value());
  CHECK(cc3.auth->user == "ha");
  CHECK(cc3.auth->password == "s3cret");
  CHECK_FALSE(c.peer("server1")->clientConfig(std::chrono::milliseconds(1)).auth.has_value());
}

TEST_CASE("Every HA key is read", "[ha][config]") {
  TempDir dir;
  std::string ca = dir.write("ca.pem", "ca");
  std::string cert = dir.write("cert.pem", "cert");
  std::string key = dir.write("key.pem", "key");
  std::string pw = dir.write("pw", "from-file\n");
  std::string text = R"({"high-availability": [ {
      "this-server-name": "hs1", "mode": "hot-standby",
      "heartbeat-delay": 2000, "max-response-delay": 7000, "max-ack-delay": 3000,
      "max-unacked-clients": 4, "max-rejected-lease-updates": 0, "delayed-updates-limit": 0,
      "send-lease-updates": false, "sync-leases": false, "sync-timeout": 12000,
      "sync-page-limit": 250, "wait-backup-ack": false,
      "trust-anchor": "CA", "cert-file": "CERT", "key-file": "KEY",
      "require-client-certs": false, "restrict-commands": true,
      "multi-threading": {"enable-multi-threading": true, "http-dedicated-listener": true,
                          "http-listener-threads": 3, "http-client-threads": 5},
      "state-machine": {"states": [{"state": "waiting", "pause": "always"},
                                   {"state": "partner-down", "pause": "once"},
                                   {"state": "ready"}]},
      "comment": "documentation keys are fine",
      "user-context": {"site": "north"},
      "peers": [
        {"name": "hs1", "url": "https://[2001:db8::1]:8443/ha", "role": "primary",
         "auto-failover": false},
        {"name": "hs2", "url": "https://standby.example.net/", "role": "standby",
         "basic-auth-user": "kea", "basic-auth-password-file": "PW", "trust-anchor": "CA2"}
      ]} ]})";
  auto replace = [&](const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
  };
  std::string ca2 = dir.write("ca2.pem", "ca2");
  replace("\"CA2\"", "\"" + ca2 + "\"");
  replace("\"CA\"", "\"" + ca + "\"");
  replace("\"CERT\"", "\"" + cert + "\"");
  replace("\"KEY\"", "\"" + key + "\"");
  replace("\"PW\"", "\"" + pw + "\"");

  HaConfig c = parseText(text);
  CHECK(c.mode == HaMode::kHotStandby);
  CHECK(c.heartbeat_delay_ms == 2000);
  CHECK(c.max_response_delay_ms == 7000);
  CHECK(c.max_ack_delay_ms == 3000);
  CHECK(c.max_unacked_clients == 4);
  CHECK(c.max_rejected_lease_updates == 0);
  CHECK(c.delayed_updates_limit == 0);
  CHECK_FALSE(c.send_lease_updates);
  CHECK_FALSE(c.sync_leases);
  CHECK(c.sync_timeout_ms == 12000);
  CHECK(c.sync_page_limit == 250);
  CHECK(c.trust_anchor == ca);
  CHECK(c.cert_file == cert);
  CHECK(c.key_file == key);
  CHECK_FALSE(c.require_client_certs);
  CHECK(c.restrict_commands);
  CHECK(c.enable_multi_threading);
  CHECK(c.http_dedicated_listener);
  CHECK(c.http_listener_threads == 3);
  CHECK(c.http_client_threads == 5);
  CHECK(c.pauseFor(HaState::kWaiting) == StatePause::kAlways);
  CHECK(c.pauseFor(HaState::kPartnerDown) == StatePause::kOnce);
  CHECK(c.pauseFor(HaState::kReady) == StatePause::kNever);
  CHECK(c.pauseFor(HaState::kSyncing) == StatePause::kNever);
  CHECK(c.state_pauses.size() == 3);

  const PeerConfig& hs1 = c.thisServer();
  CHECK_FALSE(hs1.auto_failover);
  CHECK(hs1.https);
  CHECK(hs1.host == "2001:db8::1");
  CHECK(hs1.port == 8443);
  CHECK(hs1.path == "/ha");
  REQUIRE(hs1.tls.has_value());
  CHECK(hs1.tls->trust_anchor == ca);
  CHECK(hs1.tls->cert_file == cert);
  CHECK(hs1.tls->key_file == key);
  CHECK_FALSE(hs1.tls->cert_required);  // require-client-certs: false

  const PeerConfig* hs2 = c.partner();
  REQUIRE(hs2 != nullptr);
  CHECK(hs2->name == "hs2");
  CHECK(hs2->role == PeerRole::kStandby);
  CHECK(hs2->host == "standby.example.net");
  CHECK(hs2->port == 443);  // https default
  CHECK(hs2->basic_auth_password == "from-file");  // final newline dropped
  REQUIRE(hs2->tls.has_value());
  CHECK(hs2->tls->trust_anchor == ca2);  // the peer's own trust anchor wins
  CHECK(hs2->tls->cert_file == cert);    // the relationship's certificate otherwise
  http::ClientConfig client = hs2->clientConfig(std::chrono::milliseconds(500));
  REQUIRE(client.tls.has_value());
  CHECK(client.tls->trust_anchor == ca2);
  CHECK(client.port == 443);

  // Lease updates and sync both off, and auto-failover off here: each is worth a warning.
  CHECK(c.warnings.size() == 3);
}

TEST_CASE("Defaults and partners depend on the mode", "[ha][config]") {
  SECTION("hot-standby: delayed-updates-limit defaults to 0; standby's partner is the primary") {
    cc::Value rel = baseRelationship();
    rel.set("mode", "hot-standby");
    rel.set("this-server-name", "server2");
    peerOf(rel, 1).set("role", "standby");
    HaConfig c = parseHaConfig(wrap(rel));
    CHECK(c.delayed_updates_limit == 0);
    REQUIRE(c.partner() != nullptr);
    CHECK(c.partner()->name == "server1");
  }
  SECTION("passive-backup: no partner, backups listed") {
    cc::Value rel = baseRelationship();
    rel.set("mode", "passive-backup");
    rel.set("wait-backup-ack", true);
    peerOf(rel, 1).set("role", "backup");
    addPeer(rel, "server3", "backup");
    HaConfig c = parseHaConfig(wrap(rel));
    CHECK(c.delayed_updates_limit == 0);
    CHECK(c.wait_backup_ack);
    CHECK(c.partner() == nullptr);
    CHECK(c.backups().size() == 2);
  }
  SECTION("passive-backup without backups is accepted (as Kea) with a warning") {
    cc::Value rel = baseRelationship();
    rel.set("mode", "passive-backup");
    rel.find("peers")->asList().pop_back();
    HaConfig c = parseHaConfig(wrap(rel));
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("no backup"));
  }
  SECTION("a backup server has no partner") {
    cc::Value rel = baseRelationship();
    addPeer(rel, "server3", "backup");
    rel.set("this-server-name", "server3");
    HaConfig c = parseHaConfig(wrap(rel));
    CHECK(c.thisServer().role == PeerRole::kBackup);
    CHECK(c.partner() == nullptr);
  }
  SECTION("names are trimmed") {
    cc::Value rel = baseRelationship();
    rel.set("this-server-name", " server1 ");
    peerOf(rel, 1).set("name", "server2\t");
    HaConfig c = parseHaConfig(wrap(rel));
    CHECK(c.this_server_name == "server1");
    CHECK(c.peers[1].name == "server2");
  }
  SECTION("max-response-delay not above heartbeat-delay is accepted (as Kea) with a warning") {
    cc::Value rel = baseRelationship();
    rel.set("heartbeat-delay", 10000);
    rel.set("max-response-delay", 5000);
    HaConfig c = parseHaConfig(wrap(rel));
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::Contains("max-response-delay"));
  }
}

TEST_CASE("Bad HA configurations are refused with the key to fix", "[ha][config]") {
  struct Case {
    const char* what;
    std::function<void(cc::Value&)> change;
    std::vector<std::string> expected;  // every one must appear in the message
  };
  const std::vector<Case> cases = {
      {"unknown key", [](cc::Value& r) { r.set("hearbeat-delay", 5); },
       {"unknown parameter 'hearbeat-delay'"}},
      {"unknown peer key", [](cc::Value& r) { peerOf(r, 1).set("auto-failvoer", true); },
       {"peer 'server2'", "unknown parameter 'auto-failvoer'"}},
      {"missing mode", [](cc::Value& r) { r.erase("mode"); }, {"'mode'"}},
      {"bad mode", [](cc::Value& r) { r.set("mode", "active-active"); },
       {"'mode'", "active-active", "load-balancing, hot-standby or passive-backup"}},
      {"missing this-server-name", [](cc::Value& r) { r.erase("this-server-name"); },
       {"'this-server-name'"}},
      {"blank this-server-name", [](cc::Value& r) { r.set("this-server-name", "  "); },
       {"'this-server-name' must not be empty"}},
      {"this-server-name not a peer", [](cc::Value& r) { r.set("this-server-name", "server9"); },
       {"'this-server-name' 'server9' is not one of the peers (server1, server2)"}},
      {"heartbeat-delay as a string", [](cc::Value& r) { r.set("heartbeat-delay", "10s"); },
       {"'heartbeat-delay' must be a positive integer (milliseconds)", "got string"}},
      {"heartbeat-delay 0", [](cc::Value& r) { r.set("heartbeat-delay", 0); },
       {"'heartbeat-delay'", "got 0"}},
      {"heartbeat-delay above Kea's 16-bit limit",
       [](cc::Value& r) { r.set("heartbeat-delay", 70000); }, {"'heartbeat-delay'", "65535"}},
      {"max-response-delay real", [](cc::Value& r) { r.set("max-response-delay", 1.5); },
       {"'max-response-delay'", "got real"}},
      {"max-ack-delay negative", [](cc::Value& r) { r.set("max-ack-delay", -1); },
       {"'max-ack-delay'", "got -1"}},
      {"max-unacked-clients negative", [](cc::Value& r) { r.set("max-unacked-clients", -2); },
       {"'max-unacked-clients'"}},
      {"max-rejected-lease-updates type",
       [](cc::Value& r) { r.set("max-rejected-lease-updates", true); },
       {"'max-rejected-lease-updates'"}},
      {"sync-timeout too large", [](cc::Value& r) { r.set("sync-timeout", int64_t{1} << 33); },
       {"'sync-timeout'"}},
      {"sync-page-limit string", [](cc::Value& r) { r.set("sync-page-limit", "many"); },
       {"'sync-page-limit'"}},
      {"send-lease-updates not bool", [](cc::Value& r) { r.set("send-lease-updates", "yes"); },
       {"'send-lease-updates' must be true or false"}},
      {"sync-leases not bool", [](cc::Value& r) { r.set("sync-leases", 1); }, {"'sync-leases'"}},
      {"restrict-commands not bool", [](cc::Value& r) { r.set("restrict-commands", "x"); },
       {"'restrict-commands'"}},
      {"require-client-certs not bool",
       [](cc::Value& r) { r.set("require-client-certs", "x"); }, {"'require-client-certs'"}},
      {"trust-anchor not a string", [](cc::Value& r) { r.set("trust-anchor", 3); },
       {"'trust-anchor' must be a string"}},
      {"multi-threading not a map", [](cc::Value& r) { r.set("multi-threading", true); },
       {"'multi-threading' must be a map"}},
      {"multi-threading bad bool",
       [](cc::Value& r) {
         r.set("multi-threading", cc::parseJson(R"({"enable-multi-threading": "yes"})"));
       },
       {"'multi-threading'", "'enable-multi-threading'"}},
      {"multi-threading unknown key",
       [](cc::Value& r) { r.set("multi-threading", cc::parseJson(R"({"threads": 2})")); },
       {"'multi-threading'", "unknown parameter 'threads'"}},
      {"listener threads negative",
       [](cc::Value& r) {
         r.set("multi-threading", cc::parseJson(R"({"http-listener-threads": -1})"));
       },
       {"'http-listener-threads'"}},
      {"state-machine not a map", [](cc::Value& r) { r.set("state-machine", 1); },
       {"'state-machine' must be a map"}},
      {"states not a list",
       [](cc::Value& r) { r.set("state-machine", cc::parseJson(R"({"states": {}})")); },
       {"'states' must be a list"}},
      {"unknown state",
       [](cc::Value& r) {
         r.set("state-machine", cc::parseJson(R"({"states": [{"state": "sleeping"}]})"));
       },
       {"unknown state 'sleeping'", "partner-down"}},
      {"bad pause",
       [](cc::Value& r) {
         r.set("state-machine",
               cc::parseJson(R"({"states": [{"state": "waiting", "pause": "sometimes"}]})"));
       },
       {"'pause' must be always, never or once", "sometimes"}},
      {"state twice",
       [](cc::Value& r) {
         r.set("state-machine", cc::parseJson(R"({"states": [{"state": "waiting"},
                                                              {"state": "waiting"}]})"));
       },
       {"state 'waiting' is configured twice"}},
      {"state without name",
       [](cc::Value& r) {
         r.set("state-machine", cc::parseJson(R"({"states": [{"pause": "once"}]})"));
       },
       {"'state'"}},
      {"missing peers", [](cc::Value& r) { r.erase("peers"); }, {"'peers'"}},
      {"peers not a list", [](cc::Value& r) { r.set("peers", cc::Value::makeMap()); },
       {"'peers' must be a list"}},
      {"empty peers", [](cc::Value& r) { r.set("peers", cc::Value::makeList()); },
       {"'this-server-name' 'server1' is not one of the peers (none configured)"}},
      {"peer not a map", [](cc::Value& r) { r.find("peers")->push("server3"); },
       {"peers[2]", "must be a map"}},
      {"peer without name", [](cc::Value& r) { peerOf(r, 1).erase("name"); },
       {"peers[1]", "'name'"}},
      {"peer with a blank name", [](cc::Value& r) { peerOf(r, 1).set("name", " "); },
       {"peers[1]", "'name' must not be empty"}},
      {"duplicate peer names", [](cc::Value& r) { peerOf(r, 1).set("name", "server1"); },
       {"peer name 'server1' is used twice"}},
      {"peer without url", [](cc::Value& r) { peerOf(r, 1).erase("url"); },
       {"peer 'server2'", "'url'"}},
      {"ftp url", [](cc::Value& r) { peerOf(r, 1).set("url", "ftp://x"); },
       {"peer 'server2': 'url' must be http://host:port/ or https://host:port/ (got 'ftp://x'"}},
      {"url without scheme", [](cc::Value& r) { peerOf(r, 1).set("url", "192.0.2.2:8000"); },
       {"peer 'server2'", "'url'", "no http:// or https:// scheme"}},
      {"bare IPv6 in url", [](cc::Value& r) { peerOf(r, 1).set("url", "http://2001:db8::2:80/"); },
       {"'url'", "brackets"}},
      {"bad IPv6 in url", [](cc::Value& r) { peerOf(r, 1).set("url", "http://[2001:zz::2]/"); },
       {"'url'", "2001:zz::2"}},
      {"bad IPv4 in url", [](cc::Value& r) { peerOf(r, 1).set("url", "http://192.0.2.300:80/"); },
       {"'url'", "192.0.2.300"}},
      {"port 0", [](cc::Value& r) { peerOf(r, 1).set("url", "http://192.0.2.2:0/"); },
       {"'url'", "out of range"}},
      {"port too large", [](cc::Value& r) { peerOf(r, 1).set("url", "http://192.0.2.2:70000/"); },
       {"'url'", "out of range"}},
      {"port not a number", [](cc::Value& r) { peerOf(r, 1).set("url", "http://192.0.2.2:ab/"); },
       {"'url'", "invalid port 'ab'"}},
      {"user in url", [](cc::Value& r) { peerOf(r, 1).set("url", "http://u:p@192.0.2.2/"); },
       {"'url'", "basic-auth-user"}},
      {"url not a string", [](cc::Value& r) { peerOf(r, 1).set("url", 8000); },
       {"peer 'server2'", "'url' must be a string"}},
      {"missing role", [](cc::Value& r) { peerOf(r, 1).erase("role"); },
       {"peer 'server2'", "'role'"}},
      {"bad role", [](cc::Value& r) { peerOf(r, 1).set("role", "boss"); },
       {"peer 'server2'", "'role' must be primary, secondary, standby or backup", "boss"}},
      {"auto-failover not bool", [](cc::Value& r) { peerOf(r, 1).set("auto-failover", "x"); },
       {"peer 'server2'", "'auto-failover'"}},
      {"basic-auth-user with a colon",
       [](cc::Value& r) { peerOf(r, 1).set("basic-auth-user", "a:b"); },
       {"peer 'server2'", "'basic-auth-user' must not contain a ':'"}},
      {"password and password file",
       [](cc::Value& r) {
         peerOf(r, 1).set("basic-auth-user", "u");
         peerOf(r, 1).set("basic-auth-password", "x");
         peerOf(r, 1).set("basic-auth-password-file", "/etc/hostname");
       },
       {"peer 'server2'", "'basic-auth-password'", "'basic-auth-password-file'"}},
      {"password file missing",
       [](cc::Value& r) {
         peerOf(r, 1).set("basic-auth-user", "u");
         peerOf(r, 1).set("basic-auth-password-file", "/nonexistent/ha-password");
       },
       {"peer 'server2'", "'basic-auth-password-file'", "/nonexistent/ha-password",
        "No such file"}},
      {"two primaries", [](cc::Value& r) { peerOf(r, 1).set("role", "primary"); },
       {"load-balancing needs one primary and one secondary", "'server1'", "'server2'",
        "'primary'"}},
      {"load-balancing without secondary",
       [](cc::Value& r) { peerOf(r, 1).set("role", "backup"); },
       {"load-balancing needs one primary and one secondary", "no peer has role 'secondary'"}},
      {"load-balancing without primary",
       [](cc::Value& r) {
         peerOf(r, 0).set("role", "backup");
       },
       {"no peer has role 'primary'"}},
      {"standby in load-balancing", [](cc::Value& r) { peerOf(r, 1).set("role", "standby"); },
       {"peer 'server2': role 'standby' is not valid in load-balancing mode"}},
      {"secondary in hot-standby", [](cc::Value& r) { r.set("mode", "hot-standby"); },
       {"peer 'server2': role 'secondary' is not valid in hot-standby mode"}},
      {"hot-standby without standby",
       [](cc::Value& r) {
         r.set("mode", "hot-standby");
         peerOf(r, 1).set("role", "backup");
       },
       {"hot-standby needs one primary and one standby", "no peer has role 'standby'"}},
      {"two standbys",
       [](cc::Value& r) {
         r.set("mode", "hot-standby");
         peerOf(r, 1).set("role", "standby");
         addPeer(r, "server3", "standby");
       },
       {"'server2'", "'server3'", "'standby'"}},
      {"secondary in passive-backup", [](cc::Value& r) { r.set("mode", "passive-backup"); },
       {"role 'secondary' is not valid in passive-backup mode"}},
      {"standby in passive-backup",
       [](cc::Value& r) {
         r.set("mode", "passive-backup");
         peerOf(r, 1).set("role", "standby");
       },
       {"role 'standby' is not valid in passive-backup mode"}},
      {"delayed-updates-limit in hot-standby",
       [](cc::Value& r) {
         r.set("mode", "hot-standby");
         peerOf(r, 1).set("role", "standby");
         r.set("delayed-updates-limit", 5);
       },
       {"'delayed-updates-limit' must be 0 in hot-standby mode"}},
      {"delayed-updates-limit in passive-backup",
       [](cc::Value& r) {
         r.set("mode", "passive-backup");
         peerOf(r, 1).set("role", "backup");
         r.set("delayed-updates-limit", 5);
       },
       {"'delayed-updates-limit' must be 0 in passive-backup mode"}},
      {"wait-backup-ack in load-balancing", [](cc::Value& r) { r.set("wait-backup-ack", true); },
       {"'wait-backup-ack' must be false in load-balancing mode"}},
      {"https without a trust anchor",
       [](cc::Value& r) { peerOf(r, 1).set("url", "https://192.0.2.2:8443/"); },
       {"peer 'server2'", "https", "'trust-anchor'"}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    cc::Value rel = baseRelationship();
    c.change(rel);
    std::string msg = errorOf(wrap(rel));
    CHECK_THAT(msg, Catch::StartsWith("high-availability: "));
    for (const auto& part : c.expected) {
      CHECK_THAT(msg, Catch::Contains(part));
    }
  }
}

TEST_CASE("The parameters around the relationship are checked", "[ha][config]") {
  CHECK_THAT(errorOf(cc::Value("x")), Catch::Contains("\"high-availability\""));
  CHECK_THAT(errorOf(cc::Value::makeMap()), Catch::Contains("missing the 'high-availability'"));
  CHECK_THAT(errorOf(cc::parseJson(R"({"high-availability": {}})")),
             Catch::Contains("'high-availability' must be a list"));
  CHECK_THAT(errorOf(cc::parseJson(R"({"high-availability": []})")),
             Catch::Contains("empty list"));
  CHECK_THAT(errorOf(cc::parseJson(R"({"high-availability": [1]})")),
             Catch::Contains("must be a map"));
  cc::Value two = wrap(baseRelationship());
  two.find("high-availability")->push(baseRelationship());
  CHECK_THAT(errorOf(two), Catch::Contains("found 2 relationships"));
  cc::Value extra = wrap(baseRelationship());
  extra.set("high-availabilty", 1);
  CHECK_THAT(errorOf(extra), Catch::Contains("unknown library parameter 'high-availabilty'"));
}

TEST_CASE("Errors carry the file and line of the bad value", "[ha][config]") {
  const std::string text =
      "{\"high-availability\": [ {\n"                                  // line 1
      "  \"this-server-name\": \"server1\",\n"                         // line 2
      "  \"mode\": \"load-balancing\",\n"                              // line 3
      "  \"peers\": [\n"                                               // line 4
      "    {\"name\": \"server1\", \"url\": \"http://192.0.2.1:8000/\", \"role\": \"primary\"},\n"
      "    {\"name\": \"server2\",\n"                                  // line 6
      "     \"url\": \"gopher://192.0.2.2/\",\n"                       // line 7
      "     \"role\": \"secondary\"}\n"                                // line 8
      "  ]} ]}\n";
  try {
    parseText(text);
    FAIL("accepted");
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::StartsWith("high-availability: peer 'server2': 'url'"));
    CHECK_THAT(msg, Catch::EndsWith("(ha.json:7)"));
  }
  std::string unknown = text;
  unknown.replace(unknown.find("gopher"), 6, "http");
  unknown.replace(unknown.find("\"mode\""), 6, "\"mood\": 1, \"mode\"");
  try {
    parseText(unknown);
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("unknown parameter 'mood'"));
    CHECK_THAT(std::string(e.what()), Catch::EndsWith("(ha.json:3)"));
  }
}

TEST_CASE("Peer URLs are split into scheme, host, port and path", "[ha][config]") {
  struct Url {
    const char* url;
    bool https;
    const char* host;
    uint16_t port;
    const char* path;
  };
  const Url urls[] = {
      {"http://192.0.2.2:8000/", false, "192.0.2.2", 8000, "/"},
      {"http://192.0.2.2:8000", false, "192.0.2.2", 8000, "/"},
      {"http://192.0.2.2/", false, "192.0.2.2", 80, "/"},
      {"http://192.0.2.2", false, "192.0.2.2", 80, "/"},
      {"http://[2001:db8::2]:8001/", false, "2001:db8::2", 8001, "/"},
      {"http://[::1]", false, "::1", 80, "/"},
      {"http://server2.example.org:8000/ha/", false, "server2.example.org", 8000, "/ha/"},
      {"http://192.0.2.2:8000?x=1", false, "192.0.2.2", 8000, "/?x=1"},
      {"HTTP://192.0.2.2:65535/", false, "192.0.2.2", 65535, "/"},
  };
  for (const auto& u : urls) {
    INFO(u.url);
    cc::Value rel = baseRelationship();
    peerOf(rel, 1).set("url", u.url);
    HaConfig c = parseHaConfig(wrap(rel));
    const PeerConfig& p = c.peers[1];
    CHECK(p.url == u.url);
    CHECK(p.https == u.https);
    CHECK(p.host == u.host);
    CHECK(p.port == u.port);
    CHECK(p.path == u.path);
    http::ClientConfig client = p.clientConfig(std::chrono::milliseconds(10));
    CHECK(client.host == u.host);
    CHECK(client.port == u.port);
    CHECK(client.path == u.path);
    CHECK_FALSE(client.tls.has_value());
  }
}

TEST_CASE("TLS files are resolved per peer and must be readable", "[ha][config]") {
  TempDir dir;
  std::string ca = dir.write("ca.pem", "ca");
  std::string cert = dir.write("cert.pem", "cert");
  std::string key = dir.write("key.pem", "key");
  std::filesystem::create_directory(dir.file("cadir"));

  auto https = [](cc::Value& rel) {
    peerOf(rel, 0).set("url", "https://192.0.2.1:8443/");
    peerOf(rel, 1).set("url", "https://192.0.2.2:8443/");
  };

  SECTION("relationship-wide files apply to every https peer") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", ca);
    rel.set("cert-file", cert);
    rel.set("key-file", key);
    HaConfig c = parseHaConfig(wrap(rel));
    for (const auto& p : c.peers) {
      REQUIRE(p.tls.has_value());
      CHECK(p.tls->trust_anchor == ca);
      CHECK(p.tls->cert_file == cert);
      CHECK(p.tls->key_file == key);
      CHECK(p.tls->cert_required);
      CHECK(p.port == 8443);
    }
  }
  SECTION("a trust anchor alone is enough for a client; a CA directory is accepted") {
    cc::Value rel = baseRelationship();
    peerOf(rel, 1).set("url", "https://192.0.2.2/");
    peerOf(rel, 1).set("trust-anchor", dir.file("cadir"));
    HaConfig c = parseHaConfig(wrap(rel));
    REQUIRE(c.peers[1].tls.has_value());
    CHECK(c.peers[1].tls->trust_anchor == dir.file("cadir"));
    CHECK(c.peers[1].tls->cert_file.empty());
    CHECK(c.peers[1].port == 443);
    CHECK_FALSE(c.peers[0].tls.has_value());  // http peer: no TLS even if configured
  }
  SECTION("TLS settings with only http URLs are accepted and unused (as Kea)") {
    cc::Value rel = baseRelationship();
    rel.set("trust-anchor", ca);
    rel.set("cert-file", cert);
    rel.set("key-file", key);
    HaConfig c = parseHaConfig(wrap(rel));
    CHECK_FALSE(c.peers[0].tls.has_value());
    CHECK_FALSE(c.peers[1].tls.has_value());
  }
  SECTION("cert-file without key-file") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", ca);
    rel.set("cert-file", cert);
    CHECK_THAT(errorOf(wrap(rel)), Catch::Contains("'cert-file' and 'key-file' go together"));
  }
  SECTION("an unreadable trust anchor names the file and the key") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", dir.file("missing.pem"));
    std::string msg = errorOf(wrap(rel));
    CHECK_THAT(msg, Catch::Contains("'trust-anchor'"));
    CHECK_THAT(msg, Catch::Contains(dir.file("missing.pem")));
    CHECK_THAT(msg, Catch::Contains("No such file"));
  }
  SECTION("a peer's unreadable key file is reported for that peer") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", ca);
    peerOf(rel, 1).set("cert-file", cert);
    peerOf(rel, 1).set("key-file", dir.file("nokey.pem"));
    std::string msg = errorOf(wrap(rel));
    CHECK_THAT(msg, Catch::Contains("peer 'server2'"));
    CHECK_THAT(msg, Catch::Contains("'key-file'"));
  }
  SECTION("a directory is not a certificate") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", ca);
    rel.set("cert-file", dir.file("cadir"));
    rel.set("key-file", key);
    CHECK_THAT(errorOf(wrap(rel)), Catch::Contains("is a directory"));
  }
  SECTION("this server's https URL with the dedicated listener needs a certificate") {
    cc::Value rel = baseRelationship();
    https(rel);
    rel.set("trust-anchor", ca);
    rel.set("multi-threading", cc::parseJson(
                                   R"({"enable-multi-threading": true,
                                       "http-dedicated-listener": true})"));
    std::string msg = errorOf(wrap(rel));
    CHECK_THAT(msg, Catch::Contains("peer 'server1'"));
    CHECK_THAT(msg, Catch::Contains("'cert-file' and 'key-file'"));
  }
}

TEST_CASE("Password files lose only their final line end", "[ha][config]") {
  TempDir dir;
  cc::Value rel = baseRelationship();
  peerOf(rel, 1).set("basic-auth-user", "kea");
  peerOf(rel, 1).set("basic-auth-password-file", dir.write("pw", "pa ss\r\n"));
  CHECK(parseHaConfig(wrap(rel)).peers[1].basic_auth_password == "pa ss");
  peerOf(rel, 1).set("basic-auth-password-file", dir.write("pw2", "two\nlines\n"));
  CHECK(parseHaConfig(wrap(rel)).peers[1].basic_auth_password == "two\nlines");
  // Without a user there is no authentication, whatever the password (as Kea).
  cc::Value anon = baseRelationship();
  peerOf(anon, 1).set("basic-auth-password", "x");
  HaConfig c = parseHaConfig(wrap(anon));
  CHECK_FALSE(c.peers[1].clientConfig(std::chrono::milliseconds(1)).auth.has_value());
}

TEST_CASE("State, mode and role names are Kea's", "[ha][config]") {
  const std::pair<HaState, const char*> states[] = {
      {HaState::kBackup, "backup"},
      {HaState::kCommunicationRecovery, "communication-recovery"},
      {HaState::kHotStandby, "hot-standby"},
      {HaState::kLoadBalancing, "load-balancing"},
      {HaState::kInMaintenance, "in-maintenance"},
      {HaState::kPartnerDown, "partner-down"},
      {HaState::kPartnerInMaintenance, "partner-in-maintenance"},
      {HaState::kPassiveBackup, "passive-backup"},
      {HaState::kReady, "ready"},
      {HaState::kSyncing, "syncing"},
      {HaState::kTerminated, "terminated"},
      {HaState::kWaiting, "waiting"},
      {HaState::kUnavailable, "unavailable"},
  };
  for (const auto& [state, name] : states) {
    CHECK(stateName(state) == name);
    REQUIRE(stateFromName(name).has_value());
    CHECK(*stateFromName(name) == state);
  }
  CHECK_FALSE(stateFromName("normal").has_value());
  CHECK_FALSE(stateFromName("").has_value());
  CHECK(modeName(HaMode::kLoadBalancing) == "load-balancing");
  CHECK(modeName(HaMode::kHotStandby) == "hot-standby");
  CHECK(modeName(HaMode::kPassiveBackup) == "passive-backup");
  CHECK(roleName(PeerRole::kPrimary) == "primary");
  CHECK(roleName(PeerRole::kSecondary) == "secondary");
  CHECK(roleName(PeerRole::kStandby) == "standby");
  CHECK(roleName(PeerRole::kBackup) == "backup");
}

TEST_CASE("thisServer() on an empty configuration throws instead of crashing", "[ha][config]") {
  HaConfig empty;
  CHECK_THROWS_AS(empty.thisServer(), Error);
  CHECK(empty.primary() == nullptr);
  CHECK(empty.backups().empty());
}
