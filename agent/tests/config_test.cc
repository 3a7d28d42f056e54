// Parsing of the Control-agent configuration: defaults, every key, and errors that name the
// JSON path and file:line.

#include <catch2/catch.hpp>
#include <string>

#include "agent_config.h"
#include "takahe/util/error.h"
#include "test_util.h"

using Catch::Matchers::Contains;
using takahe::ConfigError;
using takahe::agent::AgentConfigPtr;
using takahe::agent::loadAgentConfigFile;
using takahe::agent::parseAgentConfig;
using takahe::agent::test::TempDir;
using takahe::cc::parseConfigText;

namespace {

AgentConfigPtr parse(const std::string& text) {
  return parseAgentConfig(parseConfigText(text, "agent.conf"));
}

/// The message of the ConfigError parsing `text` throws ("" when it parses).
std::string errorOf(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("an empty Control-agent map gets Kea's defaults", "[config]") {
  auto cfg = parse(R"({ "Control-agent": { } })");
  CHECK(cfg->http_host == "127.0.0.1");
  CHECK(cfg->http_port == 8000);
  CHECK(cfg->control_sockets.empty());
  CHECK_FALSE(cfg->tls.has_value());
  CHECK(cfg->auth.clients.empty());
  CHECK(cfg->http_headers.empty());
  CHECK(cfg->loggers.empty());
  CHECK(cfg->warnings.empty());
  CHECK(cfg->forward_timeout == std::chrono::milliseconds(10000));
  CHECK(cfg->url() == "http://127.0.0.1:8000");
  auto sc = cfg->serverConfig();
  CHECK(sc.address == "127.0.0.1");
  CHECK(sc.port == 8000);
  CHECK_FALSE(sc.tls.has_value());
}

TEST_CASE("every Control-agent key is read", "[config]") {
  TempDir dir;
  dir.write("ca.pem", "ca");
  dir.write("cert.pem", "cert");
  dir.write("key.pem", "key");
  dir.write("admin.user", "admin\n");
  dir.write("admin.password", "s3cret\r\n");
  dir.write("ops.both", "ops:pa:ss");
  std::string text = R"(
// Kea-style comments are allowed
{
  "Control-agent": {
    "http-host": "::1",
    "http-port": 8443,   # and shell-style ones
    "control-sockets": {
      "dhcp4": { "socket-type": "unix", "socket-name": "/run/kea/dhcp4.sock" },
      "dhcp6": { "socket-name": "/run/kea/dhcp6.sock", "comment": "type defaults to unix" },
      "d2": { "socket-type": "unix", "socket-name": "/run/kea/d2.sock", "user-context": { "a": 1 } }
    },
    "authentication": {
      "type": "basic",
      "realm": "my-realm",
      "directory": ")" +
                     dir.path + R"(",
      "clients": [
        { "user": "alice", "password": "1234" },
        { "user-file": "admin.user", "password-file": "admin.password" },
        { "password-file": "ops.both", "comment": "user:password in one file" },
        { "user": "nopass" }
      ]
    },
    "trust-anchor": ")" +
                     dir.file("ca.pem") + R"(",
    "cert-file": ")" +
                     dir.file("cert.pem") + R"(",
    "key-file": ")" + dir.file("key.pem") +
                     R"(",
    "cert-required": false,
    "http-headers": [ { "name": "Strict-Transport-Security", "value": "max-age=31536000" } ],
    "hooks-libraries": [ { "library": "/usr/lib/libx.so" } ],
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "DEBUG", "debuglevel": 40,
                   "output_options": [ { "output": "stdout", "pattern": "%m%n" } ] } ],
    "forward-timeout": 2500,
    "user-context": { "site": "lab" },
    "comment": "all keys"
  },
  "Dhcp4": { "this": "is ignored" }
})";
  auto cfg = parse(text);
  CHECK(cfg->http_host == "::1");
  CHECK(cfg->http_port == 8443);
  CHECK(cfg->url() == "https://[::1]:8443");
  REQUIRE(cfg->control_sockets.size() == 3);
  CHECK(cfg->control_sockets.at("dhcp4") == "/run/kea/dhcp4.sock");
  CHECK(cfg->control_sockets.at("dhcp6") == "/run/kea/dhcp6.sock");
  CHECK(cfg->control_sockets.at("d2") == "/run/kea/d2.sock");
  CHECK(cfg->auth.realm == "my-realm");
  REQUIRE(cfg->auth.clients.size() == 4);
  CHECK(cfg->auth.clients[0].user == "alice");
  CHECK(cfg->auth.clients[0].password == "1234");
  CHECK(cfg->auth.clients[1].user == "admin");       // trailing newline dropped
  CHECK(cfg->auth.clients[1].password == "s3cret");  // and CR LF too
  CHECK(cfg->auth.clients[2].user == "ops");
  CHECK(cfg->auth.clients[2].password == "pa:ss");  // split at the first colon only
  CHECK(cfg->auth.clients[3].user == "nopass");
  CHECK(cfg->auth.clients[3].password.empty());
  REQUIRE(cfg->tls.has_value());
  CHECK(cfg->tls->trust_anchor == dir.file("ca.pem"));
  CHECK(cfg->tls->cert_file == dir.file("cert.pem"));
  CHECK(cfg->tls->key_file == dir.file("key.pem"));
  CHECK_FALSE(cfg->tls->cert_required);
  REQUIRE(cfg->http_headers.size() == 1);
  CHECK(cfg->http_headers[0].first == "Strict-Transport-Security");
  CHECK(cfg->http_headers[0].second == "max-age=31536000");
  REQUIRE(cfg->loggers.size() == 1);
  CHECK(cfg->loggers[0].name == "kea-ctrl-agent");
  CHECK(cfg->loggers[0].severity == takahe::log::Severity::kDebug);
  CHECK(cfg->loggers[0].debuglevel == 40);
  REQUIRE(cfg->loggers[0].outputs.size() == 1);
  CHECK(cfg->loggers[0].outputs[0].pattern == "%m%n");
  CHECK(cfg->forward_timeout == std::chrono::milliseconds(2500));
  REQUIRE(cfg->hooks_libraries.size() == 1);
  CHECK(cfg->hooks_libraries[0].path == "/usr/lib/libx.so");
  CHECK(cfg->hooks_libraries[0].parameters.isMap());
  REQUIRE(cfg->warnings.size() == 1);
  CHECK_THAT(cfg->warnings[0], Contains("Dhcp4") && Contains("ignored"));
  // The source is kept as written, for config-get.
  CHECK(cfg->source.find("comment")->asString() == "all keys");
  auto sc = cfg->serverConfig();
  CHECK(sc.address == "::1");
  CHECK(sc.port == 8443);
  REQUIRE(sc.tls.has_value());
  CHECK(sc.auth.clients.size() == 4);
  CHECK(sc.headers.size() == 1);
}

TEST_CASE("unknown keys are refused with their path and line", "[config]") {
  CHECK_THAT(errorOf("{ \"Control-agent\": {\n  \"http-port\": 8000,\n  \"http-hots\": \"x\"\n} }"),
             Contains("Control-agent/http-hots") && Contains("unknown parameter 'http-hots'") &&
                 Contains("agent.conf:3"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "control-sockets": { "dhcp4": {
      "socket-name": "/x", "socket-mode": 1 } } } })"),
             Contains("Control-agent/control-sockets/dhcp4/socket-mode"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic",
      "clients": [ { "user": "a", "pasword": "b" } ] } } })"),
             Contains("Control-agent/authentication/clients[0]/pasword"));
}

TEST_CASE("wrong values are refused with their path and line", "[config]") {
  CHECK_THAT(
      errorOf("{ \"Control-agent\": {\n \"http-port\": 70000 } }"),
      Contains("Control-agent/http-port") && Contains("out of range") && Contains("agent.conf:2"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "http-port": "8000" } })"),
             Contains("expected an integer"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "http-host": "localhost" } })"),
             Contains("Control-agent/http-host") && Contains("not an IPv4 or IPv6 address"));
  CHECK_THAT(
      errorOf(
          R"({ "Control-agent": { "control-sockets": { "dhcp5": { "socket-name": "/x" } } } })"),
      Contains("Control-agent/control-sockets/dhcp5") && Contains("unknown server type"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "control-sockets": { "dhcp4": { "socket-type": "http",
      "socket-name": "/x" } } } })"),
             Contains("socket-type") && Contains("only 'unix'"));
  CHECK_THAT(
      errorOf(
          R"({ "Control-agent": { "control-sockets": { "dhcp4": { "socket-type": "unix" } } } })"),
      Contains("Control-agent/control-sockets/dhcp4") && Contains("socket-name"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "control-sockets": [ ] } })"),
             Contains("Control-agent/control-sockets") && Contains("expected a map"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "http-headers": [ { "name": "X-A" } ] } })"),
             Contains("Control-agent/http-headers[0]") && Contains("'value'"));
  CHECK_THAT(
      errorOf(R"({ "Control-agent": { "http-headers": [ { "name": "X A", "value": "1" } ] } })"),
      Contains("not a valid header name"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "loggers": [ { "name": "kea-ctrl-agent",
      "severity": "LOUD" } ] } })"),
             Contains("Control-agent/loggers[0]/severity") && Contains("unknown severity"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "forward-timeout": 0 } })"),
             Contains("Control-agent/forward-timeout"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "hooks-libraries": { } } })"),
             Contains("Control-agent/hooks-libraries") && Contains("must be a list"));
  CHECK_THAT(
      errorOf("{ \"Control-agent\": { \"hooks-libraries\": [\n { \"parameters\": { } } ] } }"),
      Contains("Control-agent/hooks-libraries[0]") && Contains("missing \"library\"") &&
          Contains("agent.conf:2"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "hooks-libraries": [ { "library": "/x.so",
      "parameters": [ ] } ] } })"),
             Contains("Control-agent/hooks-libraries[0]/parameters") && Contains("must be a map"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "hooks-libraries": [ { "library": "/x.so",
      "paramaters": { } } ] } })"),
             Contains("Control-agent/hooks-libraries[0]/paramaters"));
  CHECK_THAT(errorOf(R"({ "Dhcp4": { } })"), Contains("missing mandatory 'Control-agent'"));
  CHECK_THAT(errorOf(R"([ 1 ])"), Contains("must be a map"));
  CHECK_THAT(errorOf(R"({ "Control-agent": [ ] })"), Contains("Control-agent: expected a map"));
}

TEST_CASE("authentication errors name the client and the file", "[config][auth]") {
  TempDir dir;
  dir.write("nocolon", "justapassword\n");
  dir.write("colon.user", "a:b\n");
  std::string d = dir.path;
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "digest",
      "clients": [ { "user": "a" } ] } } })"),
             Contains("Control-agent/authentication/type") && Contains("only 'basic'"));
  CHECK_THAT(
      errorOf(R"({ "Control-agent": { "authentication": { "clients": [ { "user": "a" } ] } } })"),
      Contains("Control-agent/authentication") && Contains("'type'"));
  CHECK_THAT(
      errorOf(R"({ "Control-agent": { "authentication": { "type": "basic", "clients": [ ] } } })"),
      Contains("Control-agent/authentication/clients") && Contains("at least one client"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic" } } })"),
             Contains("at least one client"));
  CHECK_THAT(
      errorOf(R"({ "Control-agent": { "authentication": { "type": "basic", "directory": ")" + d +
              R"(", "clients": [ { "user": "a", "password-file": "missing" } ] } } })"),
      Contains("clients[0]/password-file") && Contains(d + "/missing") && Contains("No such file"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic", "directory": ")" +
                     d + R"(", "clients": [ { "password-file": "nocolon" } ] } } })"),
             Contains("clients[0]/password-file") && Contains("user:password"));
  CHECK_THAT(
      errorOf(R"({ "Control-agent": { "authentication": { "type": "basic", "directory": ")" + d +
              R"(", "clients": [ { "user-file": "colon.user", "password": "x" } ] } } })"),
      Contains("clients[0]/user-file") && Contains("must not contain a ':'"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic",
      "clients": [ { "user": "a:b" } ] } } })"),
             Contains("clients[0]/user") && Contains("':'"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic",
      "clients": [ { "user": "" } ] } } })"),
             Contains("must not be empty"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic",
      "clients": [ { "user": "a", "user-file": "f" } ] } } })"),
             Contains("mutually exclusive"));
  CHECK_THAT(errorOf(R"({ "Control-agent": { "authentication": { "type": "basic",
      "clients": [ { "password": "a" } ] } } })"),
             Contains("clients[0]") && Contains("needs 'user'"));
}

TEST_CASE("relative credential files resolve against the directory, absolute ones do not",
          "[config][auth]") {
  TempDir dir;
  TempDir other;
  dir.write("pw", "from-directory");
  std::string abs = other.write("pw", "absolute");
  auto cfg = parse(R"({ "Control-agent": { "authentication": { "type": "basic", "directory": ")" +
                   dir.path + R"(", "clients": [ { "user": "a", "password-file": "pw" },
                   { "user": "b", "password-file": ")" +
                   abs + R"(" } ] } } })");
  REQUIRE(cfg->auth.clients.size() == 2);
  CHECK(cfg->auth.clients[0].password == "from-directory");
  CHECK(cfg->auth.clients[1].password == "absolute");
  CHECK(cfg->auth.realm == "takahe-ctrl-agent");
}

TEST_CASE("TLS files are all or none and must be readable", "[config][tls]") {
  TempDir dir;
  std::string ca = dir.write("ca.pem", "x");
  std::string cert = dir.write("cert.pem", "x");
  std::string key = dir.write("key.pem", "x");
  auto tls = [](const std::string& members) {
    return R"({ "Control-agent": { )" + members + " } }";
  };
  CHECK_THAT(errorOf(tls(R"("cert-file": ")" + cert + R"(", "key-file": ")" + key + R"(")")),
             Contains("Control-agent/cert-file") && Contains("together") &&
                 Contains("missing: trust-anchor"));
  CHECK_THAT(errorOf(tls(R"("trust-anchor": ")" + ca + R"(")")),
             Contains("Control-agent/trust-anchor") && Contains("missing: cert-file, key-file"));
  CHECK_THAT(errorOf(tls(R"("trust-anchor": ")" + ca + R"(", "cert-file": ")" + cert +
                         R"(", "key-file": ")" + dir.file("nokey.pem") + R"(")")),
             Contains("Control-agent/key-file") && Contains("nokey.pem"));
  CHECK_THAT(errorOf(tls(R"("trust-anchor": ")" + ca + R"(", "cert-file": ")" + dir.path +
                         R"(", "key-file": ")" + key + R"(")")),
             Contains("Control-agent/cert-file") && Contains("is a directory"));
  // A CA directory is accepted as trust anchor; cert-required defaults to true.
  auto cfg = parse(tls(R"("trust-anchor": ")" + dir.path + R"(", "cert-file": ")" + cert +
                       R"(", "key-file": ")" + key + R"(")"));
  REQUIRE(cfg->tls.has_value());
  CHECK(cfg->tls->cert_required);
  CHECK(cfg->url() == "https://127.0.0.1:8000");
  // Empty strings are "not given"; cert-required alone only warns.
  cfg = parse(tls(R"("trust-anchor": "", "cert-file": "", "key-file": "", "cert-required": true)"));
  CHECK_FALSE(cfg->tls.has_value());
  REQUIRE(cfg->warnings.size() == 1);
  CHECK_THAT(cfg->warnings[0], Contains("cert-required") && Contains("no effect"));
}

TEST_CASE("a configuration file with includes is read with positions of the included file",
          "[config]") {
  TempDir dir;
  dir.write("sockets.json",
            "{\n  \"dhcp4\": { \"socket-name\": \"/run/d4.sock\" },\n"
            "  \"dhcp6\": { \"socket-name\": \"/run/d6.sock\", \"bogus\": 1 }\n}\n");
  std::string good = dir.write("good.conf", R"({ "Control-agent": { "http-port": 8001,
      "control-sockets": { "dhcp4": { "socket-name": "/run/d4.sock" } } } })");
  auto cfg = loadAgentConfigFile(good);
  CHECK(cfg->http_port == 8001);
  CHECK(cfg->control_sockets.at("dhcp4") == "/run/d4.sock");
  std::string bad = dir.write("bad.conf", R"({ "Control-agent": {
      "control-sockets": <?include "sockets.json"?> } })");
  try {
    loadAgentConfigFile(bad);
    FAIL("the bogus key was accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(),
               Contains("Control-agent/control-sockets/dhcp6/bogus") && Contains("sockets.json:3"));
  }
  CHECK_THROWS_AS(loadAgentConfigFile(dir.file("absent.conf")), takahe::Error);
}
