#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "test_helpers.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcp4::test;

namespace {
std::string errorOf(const std::string& body) {
  try {
    configFrom(body);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("config errors name the JSON path and the file:line") {
  std::string e = errorOf(R"("subnet4": [ { "id": 1, "subnet": "10.0.1.0/24",
    "pools": [ { "pool": "10.0.9.0/24" } ] } ])");
  CHECK_THAT(e, Catch::Contains("Dhcp4/subnet4[0]/pools[0]/pool"));
  CHECK_THAT(e, Catch::Contains("outside subnet 10.0.1.0/24"));
  CHECK_THAT(e, Catch::Contains("test.json:"));
}

TEST_CASE("unknown keys are errors, known-but-unimplemented keys are warnings") {
  CHECK_THAT(errorOf(R"("valid-lifetyme": 10)"), Catch::Contains("unknown parameter 'valid-lifetyme'"));
  auto cfg = configFrom(R"("dhcp-ddns": { "enable-updates": false }, "valid-lifetime": 10)");
  bool warned = false;
  for (const auto& w : cfg->warnings) warned |= w.find("dhcp-ddns") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("bad values are rejected with a reason") {
  CHECK_THAT(errorOf(R"("valid-lifetime": "long")"), Catch::Contains("expected an integer"));
  CHECK_THAT(errorOf(R"("subnet4": [ { "id": 1, "subnet": "10.0.0.0/33" } ])"), Catch::Contains("not a valid subnet"));
  CHECK_THAT(errorOf(R"("option-data": [ { "name": "routers", "data": "10.0.0.x" } ])"),
             Catch::Contains("Dhcp4/option-data[0]/data"));
  CHECK_THAT(errorOf(R"("option-data": [ { "name": "no-such-option", "data": "1" } ])"),
             Catch::Contains("is not defined"));
  CHECK_THAT(errorOf(R"("subnet4": [ { "id": 1, "subnet": "10.0.0.0/24" }, { "id": 1, "subnet": "10.0.1.0/24" } ])"),
             Catch::Contains("subnet id 1"));
  CHECK_THAT(errorOf(R"("interfaces-config": { "dhcp-socket-type": "tcp" })"), Catch::Contains("raw"));
  CHECK_THAT(errorOf(R"("interface": "eth0")"), Catch::Contains("unknown parameter 'interface'"));
  CHECK_THAT(errorOf(R"("renew-timer": 100, "rebind-timer": 50)"), Catch::Contains("greater than rebind-timer"));
  CHECK_THAT(errorOf(R"("shared-networks": [ { "name": "a" }, { "name": "a" } ])"), Catch::Contains("defined twice"));
  CHECK_THAT(errorOf(R"("lease-database": { "type": "oracle", "name": "kea" })"),
             Catch::Contains("unknown lease-database type 'oracle'"));
  CHECK_THAT(errorOf(R"("lease-database": { "type": "mysql", "name": "kea", "port": 70000 })"),
             Catch::Contains("Dhcp4/lease-database/port"));
}

TEST_CASE("a SQL lease-database keeps Kea's connection parameters") {
  auto cfg = configFrom(R"("lease-database": { "type": "postgresql", "name": "kea", "host": "192.0.2.5",
    "port": 5433, "user": "kea", "password": "pw", "on-fail": "serve-retry-continue",
    "max-reconnect-tries": 7, "reconnect-wait-time": 250 })");
  REQUIRE(cfg->lease_database.sql);
  const auto& db = *cfg->lease_database.sql;
  CHECK(db.backend == db::Backend::kPostgresql);
  CHECK(db.name == "kea");
  CHECK(db.host == "192.0.2.5");
  CHECK(db.port == 5433);
  CHECK(db.on_fail == db::OnFail::kServeRetryContinue);
  CHECK(db.max_reconnect_tries == 7);
  CHECK(db.reconnect_wait_time == 250);
  CHECK_FALSE(configFrom("")->lease_database.sql);
}

TEST_CASE("renew and rebind timers are only compared when set together") {
  auto cfg = configFrom(R"("renew-timer": 100,
    "subnet4": [ { "id": 1, "subnet": "10.0.0.0/24", "rebind-timer": 50 } ])");
  CHECK(*cfg->subnets[0].lifetimes.renew == 100);
  CHECK(*cfg->subnets[0].lifetimes.rebind == 50);
}

TEST_CASE("a never-send option needs no data") {
  auto cfg = configFrom(R"("option-data": [ { "name": "domain-name", "never-send": true } ])");
  REQUIRE(cfg->options.find(15));
  CHECK(cfg->options.find(15)->never_send);
}

TEST_CASE("parameters inherit global -> shared network -> subnet") {
  auto cfg = configFrom(R"("valid-lifetime": 100, "renew-timer": 30, "match-client-id": false,
    "shared-networks": [ { "name": "n", "valid-lifetime": 200,
      "subnet4": [ { "id": 1, "subnet": "10.0.0.0/24", "renew-timer": 50 } ] } ],
    "subnet4": [ { "id": 2, "subnet": "10.0.1.0/24" } ])");
  const auto* s1 = cfg->subnetById(SubnetId(1));
  const auto* s2 = cfg->subnetById(SubnetId(2));
  REQUIRE(s1);
  REQUIRE(s2);
  CHECK(s1->lifetimes.valid == 200);
  CHECK(*s1->lifetimes.renew == 50);
  CHECK_FALSE(s1->match_client_id);
  CHECK(s1->shared_network == "n");
  CHECK(s2->lifetimes.valid == 100);
  CHECK(*s2->lifetimes.renew == 30);
}

TEST_CASE("option-def adds a custom record layout and option-data uses it") {
  auto cfg = configFrom(R"("option-def": [ { "name": "site-fmt", "code": 224, "type": "record",
       "record-types": "uint8, ipv4-address, string" },
     { "name": "vivco-suboptions", "code": 124, "type": "record", "record-types": "uint32, binary" } ],
    "option-data": [ { "name": "site-fmt", "data": "7, 10.0.0.1, hello" },
                     { "code": 124, "data": "4491, 0a0b" } ])");
  const auto* o = cfg->options.find(224);
  REQUIRE(o);
  CHECK(o->data == Bytes{7, 10, 0, 0, 1, 'h', 'e', 'l', 'l', 'o'});
  const auto* v = cfg->options.find(124);
  REQUIRE(v);
  CHECK(v->data == Bytes{0, 0, 0x11, 0x8b, 0x0a, 0x0b});
}

TEST_CASE("sub-options of an encapsulated space are folded into their carrier") {
  auto cfg = configFrom(R"("option-def": [ { "name": "acs", "code": 1, "space": "vendor-encapsulated-options-space",
        "type": "string" } ],
    "option-data": [ { "name": "vendor-encapsulated-options" },
                     { "name": "acs", "space": "vendor-encapsulated-options-space", "data": "http://acs" } ])");
  const auto* o = cfg->options.find(43);
  REQUIRE(o);
  CHECK(o->data == Bytes{1, 10, 'h', 't', 't', 'p', ':', '/', '/', 'a', 'c', 's'});
}

TEST_CASE("reservations are checked against their subnet and for duplicates") {
  CHECK_THAT(errorOf(R"("subnet4": [ { "id": 1, "subnet": "10.0.0.0/24",
     "reservations": [ { "hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "10.0.1.5" } ] } ])"),
             Catch::Contains("outside subnet"));
  CHECK_THAT(errorOf(R"("subnet4": [ { "id": 1, "subnet": "10.0.0.0/24",
     "reservations": [ { "hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "10.0.0.5" },
                       { "hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "10.0.0.6" } ] } ])"),
             Catch::Contains("duplicate reservation"));
}

TEST_CASE("Kea's own example configuration loads unchanged") {
  const char* path = "/etc/kea/kea-dhcp4.conf";
  if (!std::filesystem::exists(path)) {
    WARN("Kea example configuration not installed; skipped");
    return;
  }
  auto cfg = dhcpsrv::loadDhcp4ConfigFile(path);
  CHECK(cfg->subnets.size() == 1);
  CHECK(cfg->subnets[0].hosts.all().size() == 6);
  CHECK_FALSE(cfg->warnings.empty());  // client-classes, control-socket ... are reported
}

TEST_CASE("the shipped default configuration is valid") {
  auto cfg = dhcpsrv::loadDhcp4ConfigFile(TAKAHE_SOURCE_DIR "/etc/takahe-dhcp4.conf");
  CHECK(cfg->subnets.size() >= 1);
}

TEST_CASE("control-socket (Kea 2) and control-sockets (Kea 3) are read and checked") {
  auto cfg = configFrom(R"("control-socket": { "socket-type": "unix", "socket-name": "/run/t/a.sock" })");
  REQUIRE(cfg->control_sockets.size() == 1);
  CHECK(cfg->control_sockets[0].type == "unix");
  CHECK(cfg->control_sockets[0].name == "/run/t/a.sock");
  auto cfg3 = configFrom(R"("control-sockets": [ { "socket-type": "unix", "socket-name": "/run/t/b.sock" },
                                                  { "socket-type": "http", "socket-port": 8004 } ])");
  REQUIRE(cfg3->control_sockets.size() == 2);
  CHECK(cfg3->control_sockets[1].type == "http");
  CHECK(cfg3->control_sockets[1].raw.find("socket-port")->asInt() == 8004);
  CHECK_THAT(errorOf(R"("control-socket": { "socket-type": "unix" })"), Catch::Contains("socket-name"));
  CHECK_THAT(errorOf(R"("control-socket": { "socket-type": "tcp", "socket-name": "x" })"),
             Catch::Contains("unknown control socket type 'tcp'"));
  CHECK_THAT(errorOf(R"("control-socket": { "socket-type": "unix", "socket-name": "x", "bogus": 1 })"),
             Catch::Contains("unknown parameter 'bogus'"));
}
