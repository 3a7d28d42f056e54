#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "../host_commands.h"
#include "host_cmds_fixture.h"

using namespace takahe;
using namespace takahe::hooks::host_cmds;
using namespace takahe::hooks::host_cmds::test;
using Catch::Contains;

namespace {

std::string command(const std::string& name, const std::string& args) {
  return R"({"command": ")" + name + R"(", "arguments": )" + args + "}";
}

cc::Value add(const std::string& reservation) {
  return run(reservationAdd, command("reservation-add", R"({"reservation": )" + reservation + "}"));
}

/// Expects result 1 with `what` in the text.
void expectError(const cc::Value& answer, const std::string& what) {
  INFO(answer.toJson());
  CHECK(resultOf(answer) == 1);
  CHECK_THAT(textOf(answer), Contains(what));
}

std::vector<std::string> identifiersOf(const cc::Value& answer) {
  std::vector<std::string> out;
  for (const auto& h : answer.at("arguments").at("hosts").asList()) {
    for (const char* key : {"hw-address", "client-id", "duid", "circuit-id", "flex-id"}) {
      if (const auto* v = h.find(key)) {
        out.push_back(v->asString());
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("reservation-add stores a reservation that reservation-get then returns") {
  Server s;
  cc::Value a = add(R"({"subnet-id": 1, "hw-address": "1a:1b:1c:1d:1e:1f", "ip-address": "192.0.2.202",
      "hostname": "added", "next-server": "192.0.2.1", "boot-file-name": "/dev/null",
      "option-data": [ { "name": "domain-name-servers", "data": "10.1.1.202, 10.1.1.203" },
                       { "name": "tftp-config", "data": "custom text" } ]})");
  CHECK(resultOf(a) == 0);
  CHECK(textOf(a) == "Host added.");
  CHECK(s.store->size() == 1);

  cc::Value g = run(reservationGet, command("reservation-get",
      R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f"})"));
  REQUIRE(resultOf(g) == 0);
  CHECK(textOf(g) == "Host found.");
  const cc::Value& h = g.at("arguments");
  CHECK(h.at("ip-address").asString() == "192.0.2.202");
  CHECK(h.at("hostname").asString() == "added");
  CHECK(h.at("next-server").asString() == "192.0.2.1");
  CHECK(h.at("boot-file-name").asString() == "/dev/null");
  CHECK(h.at("server-hostname").asString() == "");
  CHECK(h.at("subnet-id").asInt() == 1);
  REQUIRE(h.at("option-data").size() == 2);
  CHECK(h.at("option-data").asList()[0].at("name").asString() == "domain-name-servers");
  CHECK(h.at("option-data").asList()[1].at("name").asString() == "tftp-config");
  CHECK(h.at("option-data").asList()[1].at("data").asString() == "custom text");

  cc::Value by_addr = run(reservationGet, command("reservation-get", R"({"subnet-id": 1, "ip-address": "192.0.2.202"})"));
  CHECK(resultOf(by_addr) == 0);
  CHECK(by_addr.at("arguments").at("hw-address").asString() == "1a:1b:1c:1d:1e:1f");
}

TEST_CASE("reservation-add accepts global reservations and other identifier types") {
  Server s;
  CHECK(resultOf(add(R"({"subnet-id": 0, "client-id": "01:0a:0b:0c:0d:0e:0f", "ip-address": "172.16.0.5"})")) == 0);
  CHECK(resultOf(add(R"({"subnet-id": 2, "circuit-id": "'port-7'", "ip-address": "198.51.100.7"})")) == 0);
  CHECK(resultOf(add(R"({"subnet-id": 2, "hw-address": "02:00:00:00:00:02"})")) == 0);
  // The same identifier may be reserved in another subnet; /31 subnets have no network address.
  CHECK(resultOf(add(R"({"subnet-id": 3, "hw-address": "02:00:00:00:00:02", "ip-address": "203.0.113.8"})")) == 0);
  CHECK(s.store->size() == 4);
  cc::Value g = run(reservationGet, command("reservation-get",
      R"({"subnet-id": 2, "identifier-type": "circuit-id", "identifier": "'port-7'"})"));
  CHECK(resultOf(g) == 0);
  // A reservation without an address answers with Kea's 0.0.0.0.
  g = run(reservationGet, command("reservation-get",
      R"({"subnet-id": 2, "identifier-type": "hw-address", "identifier": "020000000002"})"));
  REQUIRE(resultOf(g) == 0);
  CHECK(g.at("arguments").at("ip-address").asString() == "0.0.0.0");
}

TEST_CASE("reservation-add refuses missing and wrongly typed arguments") {
  Server s;
  expectError(run(reservationAdd, R"({"command": "reservation-add"})"), "arguments");
  cc::Command listed{"reservation-add", {}, cc::parseJson("[1]")};
  expectError(reservationAdd(listed), "must be a map");
  expectError(run(reservationAdd, command("reservation-add", "{}")), "'reservation'");
  expectError(run(reservationAdd, command("reservation-add", R"({"reservation": "01:02"})")), "'reservation' must be a map");
  expectError(add(R"({"hw-address": "01:02:03:04:05:06"})"), "'subnet-id'");
  expectError(add(R"({"subnet-id": "1", "hw-address": "01:02:03:04:05:06"})"), "'subnet-id' must be an integer");
  expectError(add(R"({"subnet-id": -1, "hw-address": "01:02:03:04:05:06"})"), "'subnet-id'");
  expectError(add(R"({"subnet-id": 1})"), "identifier");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "duid": "01:02"})"), "exactly one identifier");
  expectError(add(R"({"subnet-id": 1, "hw-address": "not-hex"})"), "hw-address");
  expectError(add(R"({"subnet-id": 1, "hw-address": 5})"), "hw-address");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "ip-address": "192.0.2.x"})"), "ip-address");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "ip-address": 17})"), "ip-address");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "hostname": ["a"]})"), "hostname");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "colour": "red"})"), "colour");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "option-data": [ { "name": "no-such", "data": "1" } ]})"),
              "no-such");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02", "option-data": [ { "name": "routers", "data": "x" } ]})"),
              "option-data");
  expectError(run(reservationAdd, command("reservation-add",
      R"({"reservation": {"subnet-id": 1, "hw-address": "01:02"}, "operation-target": "memory"})")), "read-only");
  expectError(run(reservationAdd, command("reservation-add",
      R"({"reservation": {"subnet-id": 1, "hw-address": "01:02"}, "operation-target": "disk"})")), "operation-target");
  CHECK(s.store->size() == 0);
}

TEST_CASE("reservation-add checks the reservation against the running configuration") {
  Server s;
  expectError(add(R"({"subnet-id": 7, "hw-address": "01:02:03:04:05:06"})"), "subnet-id 7 is not configured");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "198.51.100.5"})"),
              "outside subnet 192.0.2.0/24");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.0"})"),
              "network or broadcast");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.255"})"),
              "network or broadcast");
  expectError(add(R"({"subnet-id": 0, "hw-address": "01:02:03:04:05:06", "ip-address": "255.255.255.255"})"),
              "cannot be reserved");
  // Clashes with the configuration file's reservations, in the subnet and globally.
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:00:00:00:00:01", "ip-address": "192.0.2.11"})"),
              "already exists in the configuration file");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:00:00:00:00:99", "ip-address": "192.0.2.10"})"),
              "192.0.2.10 is already reserved for hw-address 01:00:00:00:00:01");
  expectError(add(R"({"subnet-id": 0, "hw-address": "aa:00:00:00:00:01"})"), "configuration file");
  expectError(add(R"({"subnet-id": 0, "hw-address": "aa:00:00:00:00:02", "ip-address": "10.0.0.1"})"),
              "10.0.0.1 is already reserved");
  CHECK(s.store->size() == 0);
  // The configured reservation's identifier is free in another subnet.
  CHECK(resultOf(add(R"({"subnet-id": 2, "hw-address": "01:00:00:00:00:01"})")) == 0);
}

TEST_CASE("reservation-add refuses a second reservation of an identifier or address from the store") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20"})")) == 0);
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.21"})"),
              "already exists");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:07", "ip-address": "192.0.2.20"})"),
              "192.0.2.20 is already reserved in subnet 1");
  CHECK(s.store->size() == 1);
}

TEST_CASE("reservation-add reports a store that cannot write and keeps nothing") {
  Server s;
  s.store = std::make_unique<dhcpsrv::MemfileHostStore4>(s.dir.file("missing-dir/hosts4.json"));
  s.services.hosts = s.store.get();
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06"})"), "missing-dir/hosts4.json");
  CHECK(s.store->size() == 0);
}

TEST_CASE("reservation-get finds configured and stored reservations, or answers empty") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20"})")) == 0);
  auto get = [](const std::string& args) { return run(reservationGet, command("reservation-get", args)); };
  cc::Value conf = get(R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": "01:00:00:00:00:01"})");
  REQUIRE(resultOf(conf) == 0);
  CHECK(conf.at("arguments").at("hostname").asString() == "Conf-Host");
  CHECK(resultOf(get(R"({"subnet-id": 0, "ip-address": "10.0.0.1"})")) == 0);
  CHECK(resultOf(get(R"({"subnet-id": 1, "ip-address": "192.0.2.20"})")) == 0);
  // operation-target narrows the search to one source.
  CHECK(resultOf(get(R"({"subnet-id": 1, "ip-address": "192.0.2.20", "operation-target": "memory"})")) == 3);
  CHECK(resultOf(get(R"({"subnet-id": 1, "ip-address": "192.0.2.10", "operation-target": "database"})")) == 3);
  CHECK(resultOf(get(R"({"subnet-id": 1, "ip-address": "192.0.2.10", "operation-target": "memory"})")) == 0);

  cc::Value none = get(R"({"subnet-id": 1, "ip-address": "192.0.2.99"})");
  CHECK(resultOf(none) == 3);
  CHECK(textOf(none) == "Host not found.");
  CHECK(resultOf(get(R"({"subnet-id": 2, "identifier-type": "hw-address", "identifier": "01:02:03:04:05:06"})")) == 3);

  expectError(get(R"({"ip-address": "192.0.2.20"})"), "'subnet-id'");
  expectError(get(R"({"subnet-id": 9, "ip-address": "192.0.2.20"})"), "not configured");
  expectError(get(R"({"subnet-id": 1})"), "'identifier-type'");
  expectError(get(R"({"subnet-id": 1, "identifier-type": "hw-address"})"), "'identifier'");
  expectError(get(R"({"subnet-id": 1, "identifier-type": "mac", "identifier": "01"})"), "not one of");
  expectError(get(R"({"subnet-id": 1, "identifier-type": 1, "identifier": "01"})"), "'identifier-type' must be a string");
  expectError(get(R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": 1})"), "'identifier' must be a string");
  expectError(get(R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": "zz"})"), "neither hex");
  expectError(get(R"({"subnet-id": 1, "ip-address": "300.1.1.1"})"), "not an IPv4 address");
  expectError(get(R"({"subnet-id": 1, "ip-address": 5})"), "'ip-address' must be a string");
  expectError(run(reservationGet, R"({"command": "reservation-get"})"), "arguments");
}

TEST_CASE("reservation-get-all lists a subnet's configured then stored reservations") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20"})")) == 0);
  REQUIRE(resultOf(add(R"({"subnet-id": 2, "hw-address": "01:02:03:04:05:06"})")) == 0);
  auto all = [](const std::string& args) { return run(reservationGetAll, command("reservation-get-all", args)); };
  cc::Value a = all(R"({"subnet-id": 1})");
  REQUIRE(resultOf(a) == 0);
  CHECK(textOf(a) == "2 IPv4 host(s) found.");
  CHECK(identifiersOf(a) == std::vector<std::string>{"01:00:00:00:00:01", "01:02:03:04:05:06"});
  CHECK(identifiersOf(all(R"({"subnet-id": 1, "operation-target": "database"})")) ==
        std::vector<std::string>{"01:02:03:04:05:06"});
  CHECK(identifiersOf(all(R"({"subnet-id": 0})")) == std::vector<std::string>{"aa:00:00:00:00:01"});
  cc::Value empty = all(R"({"subnet-id": 3})");
  CHECK(resultOf(empty) == 3);
  CHECK(textOf(empty) == "0 IPv4 host(s) found.");
  CHECK(empty.at("arguments").at("hosts").size() == 0);
  expectError(all("{}"), "'subnet-id'");
  expectError(all(R"({"subnet-id": true})"), "must be an integer");
  expectError(all(R"({"subnet-id": 12})"), "not configured");
}

TEST_CASE("reservation-get-page walks the configuration then the store, page by page") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20"})")) == 0);
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:07", "ip-address": "192.0.2.21"})")) == 0);
  REQUIRE(resultOf(add(R"({"subnet-id": 2, "hw-address": "01:02:03:04:05:08"})")) == 0);
  auto page = [](const std::string& args) { return run(reservationGetPage, command("reservation-get-page", args)); };

  // Subnet 1: one configured, two stored; pages of two.
  std::vector<std::string> seen;
  std::string args = R"({"subnet-id": 1, "limit": 2})";
  int pages = 0;
  for (;;) {
    cc::Value p = page(args);
    if (resultOf(p) == 3) {
      CHECK(p.at("arguments").at("count").asInt() == 0);
      CHECK_FALSE(p.at("arguments").contains("next"));
      CHECK(textOf(p) == "0 IPv4 host(s) found.");
      break;
    }
    REQUIRE(resultOf(p) == 0);
    REQUIRE(++pages < 10);
    CHECK(p.at("arguments").at("count").asInt() == static_cast<int64_t>(p.at("arguments").at("hosts").size()));
    for (const auto& id : identifiersOf(p)) {
      seen.push_back(id);
    }
    const cc::Value& next = p.at("arguments").at("next");
    args = R"({"subnet-id": 1, "limit": 2, "from": )" + std::to_string(next.at("from").asInt()) +
           R"(, "source-index": )" + std::to_string(next.at("source-index").asInt()) + "}";
  }
  CHECK(seen == std::vector<std::string>{"01:00:00:00:00:01", "01:02:03:04:05:06", "01:02:03:04:05:07"});
  CHECK(pages == 2);

  // Without subnet-id: every reservation of every scope.
  cc::Value first = page(R"({"limit": 100})");
  CHECK(identifiersOf(first) == std::vector<std::string>{"aa:00:00:00:00:01", "01:00:00:00:00:01"});
  CHECK(first.at("arguments").at("next").at("source-index").asInt() == 0);
  cc::Value second = page(R"({"limit": 100, "source-index": 0, "from": 2})");
  CHECK(identifiersOf(second) ==
        std::vector<std::string>{"01:02:03:04:05:06", "01:02:03:04:05:07", "01:02:03:04:05:08"});
  CHECK(second.at("arguments").at("next").at("source-index").asInt() == 1);

  expectError(page(R"({"subnet-id": 1})"), "'limit'");
  expectError(page(R"({"subnet-id": 1, "limit": 0})"), "'limit'");
  expectError(page(R"({"subnet-id": 1, "limit": "10"})"), "'limit' must be an integer");
  expectError(page(R"({"subnet-id": 5, "limit": 10})"), "not configured");
  expectError(page(R"({"limit": 10, "source-index": 4})"), "'source-index'");
  expectError(page(R"({"limit": 10, "from": -1})"), "'from'");
  expectError(page(R"({"limit": 10, "from": "start"})"), "'from' must be an integer");
}

TEST_CASE("reservation-get-by-hostname matches without regard to case, in a subnet or all") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 2, "hw-address": "01:02:03:04:05:06", "hostname": "conf-host"})")) == 0);
  auto by = [](const std::string& args) {
    return run(reservationGetByHostname, command("reservation-get-by-hostname", args));
  };
  cc::Value a = by(R"({"hostname": "CONF-HOST"})");
  REQUIRE(resultOf(a) == 0);
  CHECK(identifiersOf(a) == std::vector<std::string>{"01:00:00:00:00:01", "01:02:03:04:05:06"});
  CHECK(a.at("arguments").at("hosts").asList()[1].at("subnet-id").asInt() == 2);
  CHECK(identifiersOf(by(R"({"hostname": "conf-host", "subnet-id": 2})")) ==
        std::vector<std::string>{"01:02:03:04:05:06"});
  CHECK(resultOf(by(R"({"hostname": "nobody"})")) == 3);
  expectError(by("{}"), "'hostname'");
  expectError(by(R"({"hostname": ""})"), "must not be empty");
  expectError(by(R"({"hostname": 7})"), "'hostname' must be a string");
  expectError(by(R"({"hostname": "x", "subnet-id": 44})"), "not configured");
}

TEST_CASE("reservation-get-by-id finds an identifier in every scope and refuses subnet-id") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 2, "hw-address": "01:00:00:00:00:01"})")) == 0);
  REQUIRE(resultOf(add(R"({"subnet-id": 0, "hw-address": "01:00:00:00:00:01"})")) == 0);
  auto by = [](const std::string& args) { return run(reservationGetById, command("reservation-get-by-id", args)); };
  cc::Value a = by(R"({"identifier-type": "hw-address", "identifier": "01:00:00:00:00:01"})");
  REQUIRE(resultOf(a) == 0);
  CHECK(textOf(a) == "3 IPv4 host(s) found.");
  std::vector<int64_t> subnets;
  for (const auto& h : a.at("arguments").at("hosts").asList()) {
    subnets.push_back(h.at("subnet-id").asInt());
  }
  CHECK(subnets == std::vector<int64_t>{1, 0, 2});
  CHECK(resultOf(by(R"({"identifier-type": "duid", "identifier": "01:00:00:00:00:01"})")) == 3);
  expectError(by(R"({"identifier-type": "hw-address", "identifier": "01", "subnet-id": 1})"), "not allowed");
  expectError(by(R"({"identifier": "01"})"), "'identifier-type'");
  expectError(by(R"({"identifier-type": "hw-address"})"), "'identifier'");
}

TEST_CASE("reservation-get-by-address lists every reservation of an address") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 0, "hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.10"})")) == 0);
  auto by = [](const std::string& args) {
    return run(reservationGetByAddress, command("reservation-get-by-address", args));
  };
  CHECK(identifiersOf(by(R"({"ip-address": "192.0.2.10"})")) ==
        std::vector<std::string>{"01:00:00:00:00:01", "02:00:00:00:00:02"});
  CHECK(identifiersOf(by(R"({"ip-address": "192.0.2.10", "subnet-id": 0})")) ==
        std::vector<std::string>{"02:00:00:00:00:02"});
  CHECK(resultOf(by(R"({"ip-address": "192.0.2.11"})")) == 3);
  expectError(by("{}"), "'ip-address'");
  expectError(by(R"({"ip-address": "192.0.2.10", "subnet-id": 8})"), "not configured");
}

TEST_CASE("reservation-del removes stored reservations and refuses configured ones") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20"})")) == 0);
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:07", "ip-address": "192.0.2.21"})")) == 0);
  auto del = [](const std::string& args) { return run(reservationDel, command("reservation-del", args)); };
  cc::Value d = del(R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": "01:02:03:04:05:06"})");
  CHECK(resultOf(d) == 0);
  CHECK(textOf(d) == "Host deleted.");
  cc::Value again = del(R"({"subnet-id": 1, "identifier-type": "hw-address", "identifier": "01:02:03:04:05:06"})");
  CHECK(resultOf(again) == 3);
  CHECK(textOf(again) == "Host not deleted (not found).");
  CHECK(resultOf(del(R"({"subnet-id": 1, "ip-address": "192.0.2.21"})")) == 0);
  CHECK(s.store->size() == 0);

  cc::Value conf = del(R"({"subnet-id": 1, "ip-address": "192.0.2.10"})");
  CHECK(resultOf(conf) == 1);
  CHECK_THAT(textOf(conf), Contains("configuration file") && Contains("192.0.2.10"));
  expectError(del(R"({"subnet-id": 0, "identifier-type": "hw-address", "identifier": "aa:00:00:00:00:01"})"),
              "configuration file");
  expectError(del(R"({"ip-address": "192.0.2.21"})"), "'subnet-id'");
  expectError(del(R"({"subnet-id": "1", "ip-address": "192.0.2.21"})"), "must be an integer");
  expectError(del(R"({"subnet-id": 1, "ip-address": "nope"})"), "not an IPv4 address");
  expectError(del(R"({"subnet-id": 1})"), "'identifier-type'");
  expectError(del(R"({"subnet-id": 1, "identifier-type": "hw-address"})"), "'identifier'");
  // The deletion reached the file.
  s.restart();
  CHECK(s.store->size() == 0);
}

TEST_CASE("Reservations added by command are there after a restart") {
  Server s;
  REQUIRE(resultOf(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.20",
      "option-data": [ { "name": "tftp-config", "data": "after restart" } ]})")) == 0);
  s.restart();
  cc::Value g = run(reservationGet, command("reservation-get", R"({"subnet-id": 1, "ip-address": "192.0.2.20"})"));
  REQUIRE(resultOf(g) == 0);
  CHECK(g.at("arguments").at("option-data").asList()[0].at("data").asString() == "after restart");
  expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06"})"), "already exists");
}

TEST_CASE("Host commands answer clearly without a server or without a host store") {
  {
    Server s;
    s.services.hosts = nullptr;
    expectError(add(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06"})"), "no host store");
    expectError(run(reservationDel, command("reservation-del", R"({"subnet-id": 1, "ip-address": "192.0.2.20"})")),
                "no host store");
    expectError(run(reservationDel, command("reservation-del", R"({"subnet-id": 1, "ip-address": "192.0.2.10"})")),
                "configuration file");
    // Reads still see the configuration file.
    CHECK(resultOf(run(reservationGetAll, command("reservation-get-all", R"({"subnet-id": 1})"))) == 0);
    CHECK(resultOf(run(reservationGetPage, command("reservation-get-page", R"({"limit": 5})"))) == 0);
  }
  for (const auto& [name, handler] : hostCommands()) {
    INFO(name);
    std::string subnet = name == "reservation-get-by-id" ? "" : R"("subnet-id": 1, )";
    expectError(run(handler, command(name, "{" + subnet + R"("ip-address": "192.0.2.1", "limit": 1,
        "hostname": "h", "identifier-type": "hw-address", "identifier": "01",
        "reservation": {"subnet-id": 1, "hw-address": "01"}})")),
                "running DHCPv4 server");
  }
}
