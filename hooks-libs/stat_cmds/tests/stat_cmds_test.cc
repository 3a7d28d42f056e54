#include "stat_cmds.h"

#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/log/config.h"
#include "takahe/stats/stats_store.h"
#include "quiet_logs.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using takahe::hooks::stat_cmds::statLease4Get;
using takahe::hooks::stat_cmds::utcTimestamp;

namespace {

void quietLogs() { takahe::testing::quietLogs(log::Severity::kError); }

constexpr const char* kConfig = R"({"Dhcp4": {
  "subnet4": [
    {"id": 10, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.109"}]},
    {"id": 20, "subnet": "198.51.100.0/24",
     "pools": [{"pool": "198.51.100.10 - 198.51.100.19"}, {"pool": "198.51.100.64/27"}]},
    {"id": 30, "subnet": "203.0.113.0/24", "pools": [{"pool": "203.0.113.1 - 203.0.113.1"}]}
  ]}})";

struct Server {
  SrvConfig4Ptr cfg = parseDhcp4Config(cc::parseConfigText(kConfig, "test.json"));
  std::unique_ptr<MemfileLeaseStore4> store;
  stats::StatsStore stats;
  ServerServices4 services;

  Server() {
    quietLogs();
    MemfileConfig mc;
    mc.persist = false;
    store = std::make_unique<MemfileLeaseStore4>(mc);
    services.leases = store.get();
    services.stats = &stats;
    services.config = [this] { return cfg; };
    setServerServices4(&services);
  }
  ~Server() { setServerServices4(nullptr); }

  void add(const char* ip, uint32_t subnet, LeaseState state = LeaseState::kDefault) {
    Lease4 l;
    l.address = IPv4Address::fromString(ip);
    l.hwaddr = HwAddr::fromString("00:00:00:00:00:01");
    l.valid_lifetime = 3600;
    l.cltt = 1700000000;
    l.subnet_id = SubnetId(subnet);
    l.state = state;
    REQUIRE(store->add(l));
  }
  cc::Answer run(const std::string& command_json) {
    return cc::parseAnswer(
        statLease4Get(cc::parseCommand(cc::parseJson(command_json, "<command>"))));
  }
};

cc::Value rowsOf(const cc::Answer& a) {
  REQUIRE(a.arguments);
  return a.arguments->at("result-set").at("rows");
}

}  // namespace

TEST_CASE("stat-lease4-get counts each subnet's leases from the store") {
  Server srv;
  srv.add("192.0.2.10", 10);
  srv.add("192.0.2.11", 10);
  srv.add("192.0.2.12", 10, LeaseState::kDeclined);
  srv.add("192.0.2.13", 10, LeaseState::kExpiredReclaimed);
  srv.add("198.51.100.10", 20, LeaseState::kReleased);
  srv.stats.set("subnet[10].cumulative-assigned-addresses", 17);

  cc::Answer a = srv.run(R"({"command": "stat-lease4-get"})");
  CHECK(a.result == 0);
  CHECK(a.text == "stat-lease4-get[all subnets]: 3 rows found");
  const cc::Value& set = a.arguments->at("result-set");
  CHECK(set.at("columns") ==
        cc::parseJson(R"(["subnet-id", "total-addresses", "cumulative-assigned-addresses",
                          "assigned-addresses", "declined-addresses"])"));
  // Declined leases also count as assigned, as the server's own statistics do.
  CHECK(set.at("rows") ==
        cc::parseJson(R"([[10, 100, 17, 3, 1], [20, 42, 0, 0, 0], [30, 1, 0, 0, 0]])"));
  CHECK(std::regex_match(set.at("timestamp").asString(),
                         std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})")));
}

TEST_CASE("stat-lease4-get selects one subnet or a range of subnet ids") {
  Server srv;
  srv.add("198.51.100.70", 20);
  cc::Answer one = srv.run(R"({"command": "stat-lease4-get", "arguments": {"subnet-id": 20}})");
  CHECK(one.result == 0);
  CHECK(one.text == "stat-lease4-get[subnet-id=20]: 1 rows found");
  CHECK(rowsOf(one) == cc::parseJson("[[20, 42, 0, 1, 0]]"));

  cc::Answer range = srv.run(R"({"command": "stat-lease4-get", "arguments":
      {"subnet-range": {"first-subnet-id": 15, "last-subnet-id": 30}}})");
  CHECK(range.result == 0);
  CHECK(range.text == "stat-lease4-get[subnets 15 through 30]: 2 rows found");
  CHECK(rowsOf(range) == cc::parseJson("[[20, 42, 0, 1, 0], [30, 1, 0, 0, 0]]"));
}

TEST_CASE("stat-lease4-get answers 3 when the selection holds no configured subnet") {
  Server srv;
  cc::Answer a = srv.run(R"({"command": "stat-lease4-get", "arguments": {"subnet-id": 11}})");
  CHECK(a.result == 3);
  CHECK(a.text == "stat-lease4-get[subnet-id=11]: no matching data, subnet-id 11 does not exist");
  cc::Answer r = srv.run(R"({"command": "stat-lease4-get", "arguments":
      {"subnet-range": {"first-subnet-id": 40, "last-subnet-id": 50}}})");
  CHECK(r.result == 3);
  CHECK_THAT(r.text, Catch::StartsWith("stat-lease4-get[subnets 40 through 50]: no matching data"));
}

TEST_CASE("stat-lease4-get refuses malformed selections") {
  Server srv;
  for (
      const char* json : {
          R"({"command": "stat-lease4-get", "arguments": {"subnet-id": "10"}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-id": 0}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-id": -3}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-id": 10,
               "subnet-range": {"first-subnet-id": 1, "last-subnet-id": 2}}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-range": [1, 2]}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-range": {"first-subnet-id": 1}}})",
          R"({"command": "stat-lease4-get", "arguments": {"subnet-range":
               {"first-subnet-id": 5, "last-subnet-id": 2}}})",
      }) {
    INFO(json);
    cc::Answer a = srv.run(json);
    CHECK(a.result == 1);
    CHECK_FALSE(a.text.empty());
  }
}

TEST_CASE("stat-lease4-get outside a DHCPv4 server answers with an error") {
  setServerServices4(nullptr);
  cc::Answer a = cc::parseAnswer(
      statLease4Get(cc::parseCommand(cc::parseJson(R"({"command": "stat-lease4-get"})"))));
  CHECK(a.result == 1);
  CHECK_THAT(a.text, Catch::Contains("only inside takahe-dhcp4"));
}

TEST_CASE("Result-set timestamps are UTC with microseconds") {
  CHECK(utcTimestamp(0) == "1970-01-01 00:00:00.000000");
  CHECK(utcTimestamp(1700000000123456) == "2023-11-14 22:13:20.123456");
}
