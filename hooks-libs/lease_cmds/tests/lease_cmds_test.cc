#include "lease_cmds.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/log/config.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/time.h"
#include "quiet_logs.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::hooks::lease_cmds;
using takahe::testing::TempDir;

namespace {

void quietLogs() { takahe::testing::quietLogs(log::Severity::kError); }

constexpr const char* kConfig = R"({"Dhcp4": {
  "valid-lifetime": 4000,
  "subnet4": [
    {"id": 1, "subnet": "192.0.2.0/24",
     "pools": [{"pool": "192.0.2.10 - 192.0.2.100", "pool-id": 7}]},
    {"id": 2, "subnet": "198.51.100.0/24", "valid-lifetime": 600, "min-valid-lifetime": 600,
     "max-valid-lifetime": 600, "pools": [{"pool": "198.51.100.10 - 198.51.100.20"}]}
  ]}})";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A server's worth of services: parsed configuration, memfile store in a temp dir, statistics
/// declared for each subnet as the server does at configuration time.
struct Server {
  TempDir dir;
  SrvConfig4Ptr cfg = parseDhcp4Config(cc::parseConfigText(kConfig, "test.json"));
  std::unique_ptr<MemfileLeaseStore4> store;
  stats::StatsStore stats;
  ServerServices4 services;

  Server() {
    quietLogs();
    MemfileConfig mc;
    mc.path = dir.file("leases4.csv");
    store = std::make_unique<MemfileLeaseStore4>(mc);
    for (const auto& s : cfg->subnets) {
      std::string p = "subnet[" + std::to_string(s.id.value) + "].";
      stats.set(p + "assigned-addresses", 0);
      stats.set(p + "declined-addresses", 0);
    }
    stats.set("declined-addresses", 0);
    services.leases = store.get();
    services.stats = &stats;
    services.config = [this] { return cfg; };
    setServerServices4(&services);
  }
  ~Server() { setServerServices4(nullptr); }

  cc::Answer run(Handler h, const std::string& command_json) {
    cc::Command cmd = cc::parseCommand(cc::parseJson(command_json, "<command>"));
    return cc::parseAnswer(h(cmd));
  }
  std::string leaseFile() const { return readFile(dir.file("leases4.csv")); }
  int64_t stat(const std::string& name) const { return stats.value(name); }
};

/// The file a memfile store writes after adding `leases` in order: what the server's own
/// allocation path (LeaseStore4::add) produces.
std::string fileOfStore(const std::vector<Lease4>& leases) {
  TempDir d;
  MemfileConfig mc;
  mc.path = d.file("ref.csv");
  {
    MemfileLeaseStore4 ref(mc);
    for (const auto& l : leases) {
      REQUIRE(ref.add(l));
    }
  }
  return readFile(mc.path);
}

Lease4 allocatedLease() {
  // What AllocEngine4::commit writes for this client in subnet 1 pool 7.
  Lease4 l;
  l.address = IPv4Address::fromString("192.0.2.50");
  l.hwaddr = HwAddr::fromString("1a:1b:1c:1d:1e:1f");
  l.client_id = ClientId::fromString("01:1a:1b:1c:1d:1e:1f");
  l.valid_lifetime = 4000;
  l.cltt = 1700000000;
  l.subnet_id = SubnetId(1);
  l.hostname = "host.example.";
  l.pool_id = 7;
  return l;
}

constexpr const char* kAddGood = R"({"command": "lease4-add", "arguments": {
  "ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f",
  "client-id": "01:1a:1b:1c:1d:1e:1f", "subnet-id": 1, "expire": 1700004000,
  "hostname": "host.example."}})";

}  // namespace

TEST_CASE("leaseCommands() holds the lease4 commands (lease6Commands() the DHCPv6 ones)") {
  std::set<std::string> names;
  for (const auto& c : leaseCommands()) {
    names.insert(c.name);
    CHECK(c.handler != nullptr);
  }
  CHECK(names == std::set<std::string>{"lease4-add", "lease4-bulk-apply", "lease4-del", "lease4-get", "lease4-get-all",
                                       "lease4-get-by-client-id", "lease4-get-by-hostname",
                                       "lease4-get-by-hw-address", "lease4-get-page",
                                       "lease4-resend-ddns", "lease4-update", "lease4-wipe"});
}

TEST_CASE("Lease commands outside a DHCPv4 server answer with an error, not a crash") {
  setServerServices4(nullptr);
  cc::Command cmd = cc::parseCommand(cc::parseJson(R"({"command": "lease4-get-all"})"));
  cc::Answer a = cc::parseAnswer(lease4GetAll(cmd));
  CHECK(a.result == 1);
  CHECK_THAT(a.text, Catch::Contains("only inside takahe-dhcp4"));
}

TEST_CASE("lease4-add writes the same lease file line as an allocation and counts the lease") {
  Server srv;
  cc::Answer a = srv.run(lease4Add, kAddGood);
  CHECK(a.result == 0);
  CHECK(a.text == "Lease for address 192.0.2.50, subnet-id 1 added.");
  REQUIRE(srv.store->get(IPv4Address::fromString("192.0.2.50")));
  CHECK(*srv.store->get(IPv4Address::fromString("192.0.2.50")) == allocatedLease());
  CHECK(srv.leaseFile() == fileOfStore({allocatedLease()}));
  CHECK(srv.leaseFile() == lease4CsvHeader() + formatLease4CsvRow(allocatedLease()));
  CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  CHECK(srv.stat("subnet[2].assigned-addresses") == 0);
  CHECK(srv.stat("declined-addresses") == 0);

  SECTION("a second add of the address is refused and changes nothing") {
    std::string before = srv.leaseFile();
    cc::Answer dup = srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {
      "ip-address": "192.0.2.50", "hw-address": "00:00:00:00:00:99"}})");
    CHECK(dup.result == 1);
    CHECK_THAT(dup.text, Catch::Contains("already exists"));
    CHECK(srv.leaseFile() == before);
    CHECK(srv.store->get(IPv4Address::fromString("192.0.2.50"))->hwaddr ==
          HwAddr::fromString("1a:1b:1c:1d:1e:1f"));
    CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  }
}

TEST_CASE("lease4-add without subnet-id picks the subnet holding the address and its lifetime") {
  Server srv;
  int64_t t0 = nowUnixSeconds();
  cc::Answer a = srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {
    "ip-address": "198.51.100.5", "hw-address": "00:00:00:00:00:05"}})");
  REQUIRE(a.result == 0);
  auto l = srv.store->get(IPv4Address::fromString("198.51.100.5"));
  REQUIRE(l);
  CHECK(l->subnet_id == SubnetId(2));
  CHECK(l->valid_lifetime == 600);
  CHECK(l->cltt >= t0);
  CHECK(l->cltt <= nowUnixSeconds());
  CHECK(l->pool_id == 0);  // outside the pool: a reservation-style address
  CHECK(srv.stat("subnet[2].assigned-addresses") == 1);
}

TEST_CASE("lease4-add keeps state, user context and comment, and counts declined leases") {
  Server srv;
  cc::Answer a = srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {
    "ip-address": "192.0.2.60", "hw-address": "", "state": 1, "valid-lft": 100,
    "user-context": {"site": "north"}, "comment": "probed"}})");
  REQUIRE(a.result == 0);
  CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  CHECK(srv.stat("subnet[1].declined-addresses") == 1);
  CHECK(srv.stat("declined-addresses") == 1);
  cc::Answer g = srv.run(lease4Get, R"({"command": "lease4-get", "arguments": {
    "ip-address": "192.0.2.60"}})");
  REQUIRE(g.arguments);
  CHECK(g.arguments->at("state") == cc::Value(1));
  CHECK(g.arguments->at("hw-address") == cc::Value(""));
  CHECK(g.arguments->at("user-context") ==
        cc::parseJson(R"({"site": "north", "comment": "probed"})"));
}

TEST_CASE("lease4-add refuses bad arguments with a message naming the problem") {
  Server srv;
  struct Case {
    const char* args;
    const char* text;
  };
  const Case cases[] = {
      {"", "needs 'arguments'"},
      {R"("arguments": {"hw-address": "00:00:00:00:00:01"})", "missing parameter 'ip-address'"},
      {R"("arguments": {"ip-address": 3221225985, "hw-address": "00:00:00:00:00:01"})",
       "'ip-address' must be a string"},
      {R"("arguments": {"ip-address": "2001:db8::1", "hw-address": "00:00:00:00:00:01"})",
       "not an IPv4 address"},
      {R"("arguments": {"ip-address": "192.0.2.70"})", "missing parameter 'hw-address'"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "zz:zz"})",
       "not a hardware address"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "subnet-id": 9})",
       "no IPv4 subnet with subnet-id 9"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "subnet-id": 2})",
       "is not in subnet 198.51.100.0/24"},
      {R"("arguments": {"ip-address": "203.0.113.5", "hw-address": "00:00:00:00:00:01"})",
       "no configured subnet contains 203.0.113.5"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "subnet-id": "1"})",
       "'subnet-id' must be an integer"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "fqdn-fwd": true})",
       "no 'hostname'"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "state": 4})",
       "not a DHCPv4 lease state"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "user-context": "x"})",
       "'user-context' must be a map"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "valid-lft": 0})",
       "'valid-lft' must be greater than 0"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "valid-lft": 100, "expire": 50})",
       "'expire' 50 is smaller than 'valid-lft' 100"},
      {R"("arguments": {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:01",
          "client-id": "01"})",
       "not a client identifier"},
  };
  for (const auto& c : cases) {
    std::string json = std::string(R"({"command": "lease4-add")") +
                       (*c.args ? std::string(", ") + c.args : "") + "}";
    INFO(json);
    cc::Answer a = srv.run(lease4Add, json);
    CHECK(a.result == 1);
    CHECK_THAT(a.text, Catch::Contains(c.text));
  }
  CHECK(srv.store->size() == 0);
  CHECK(srv.leaseFile() == lease4CsvHeader());
  CHECK(srv.stat("subnet[1].assigned-addresses") == 0);
}

TEST_CASE("lease4-get finds a lease by address or identifier and shows Kea's lease JSON") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  cc::Value expected = cc::parseJson(R"({
    "ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f",
    "client-id": "01:1a:1b:1c:1d:1e:1f", "valid-lft": 4000, "cltt": 1700000000,
    "subnet-id": 1, "pool-id": 7, "fqdn-fwd": false, "fqdn-rev": false,
    "hostname": "host.example.", "state": 0})");

  cc::Answer a = srv.run(lease4Get, R"({"command": "lease4-get", "arguments": {
    "ip-address": "192.0.2.50"}})");
  CHECK(a.result == 0);
  CHECK(a.text == "IPv4 lease found.");
  REQUIRE(a.arguments);
  CHECK(*a.arguments == expected);

  a = srv.run(lease4Get, R"({"command": "lease4-get", "arguments": {
    "identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f", "subnet-id": 1}})");
  CHECK(a.result == 0);
  CHECK(a.arguments == expected);
  a = srv.run(lease4Get, R"({"command": "lease4-get", "arguments": {
    "identifier-type": "client-id", "identifier": "01:1a:1b:1c:1d:1e:1f", "subnet-id": 1}})");
  CHECK(a.result == 0);
  CHECK(a.arguments == expected);

  SECTION("not found is result 3") {
    a = srv.run(lease4Get,
                R"({"command": "lease4-get", "arguments": {"ip-address": "192.0.2.51"}})");
    CHECK(a.result == 3);
    CHECK(a.text == "IPv4 lease not found.");
    a = srv.run(lease4Get, R"({"command": "lease4-get", "arguments": {
      "identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f", "subnet-id": 2}})");
    CHECK(a.result == 3);
  }
  SECTION("bad arguments are result 1") {
    for (const char* json : {
             R"({"command": "lease4-get"})",
             R"({"command": "lease4-get", "arguments": {}})",
             R"({"command": "lease4-get", "arguments": {"ip-address": "nope"}})",
             R"({"command": "lease4-get", "arguments": {"identifier-type": "duid",
                 "identifier": "00:01", "subnet-id": 1}})",
             R"({"command": "lease4-get", "arguments": {"identifier-type": "hw-address",
                 "identifier": "1a:1b:1c:1d:1e:1f"}})",
             R"({"command": "lease4-get", "arguments": {"identifier-type": "flex-id",
                 "identifier": "00:01", "subnet-id": 1}})",
         }) {
      INFO(json);
      CHECK(srv.run(lease4Get, json).result == 1);
    }
  }
}

TEST_CASE("lease4-get-all lists every lease or those of the given subnets") {
  Server srv;
  cc::Answer empty = srv.run(lease4GetAll, R"({"command": "lease4-get-all"})");
  CHECK(empty.result == 3);
  CHECK(empty.text == "0 IPv4 lease(s) found.");
  REQUIRE(empty.arguments);
  CHECK(empty.arguments->at("leases").size() == 0);

  for (const char* ip : {"192.0.2.11", "192.0.2.12", "198.51.100.11"}) {
    REQUIRE(srv.run(lease4Add,
                    std::string(R"({"command": "lease4-add", "arguments": {"ip-address": ")") + ip +
                        R"(", "hw-address": "00:00:00:00:00:01"}})")
                .result == 0);
  }
  cc::Answer all = srv.run(lease4GetAll, R"({"command": "lease4-get-all"})");
  CHECK(all.result == 0);
  CHECK(all.text == "3 IPv4 lease(s) found.");
  CHECK(all.arguments->at("leases").size() == 3);

  cc::Answer two =
      srv.run(lease4GetAll, R"({"command": "lease4-get-all", "arguments": {"subnets": [2]}})");
  CHECK(two.result == 0);
  REQUIRE(two.arguments->at("leases").size() == 1);
  CHECK(two.arguments->at("leases").asList()[0].at("ip-address") == cc::Value("198.51.100.11"));

  CHECK(srv.run(lease4GetAll, R"({"command": "lease4-get-all", "arguments": {"subnets": [5]}})")
            .result == 3);
  CHECK(srv.run(lease4GetAll, R"({"command": "lease4-get-all", "arguments": {"subnets": 1}})")
            .result == 1);
  CHECK(srv.run(lease4GetAll, R"({"command": "lease4-get-all", "arguments": {"subnets": ["1"]}})")
            .result == 1);
  CHECK(srv.run(lease4GetAll, R"({"command": "lease4-get-all", "arguments": {}})").result == 1);
}

TEST_CASE("lease4-get-page walks the leases in address order") {
  Server srv;
  for (const char* ip : {"192.0.2.13", "192.0.2.11", "198.51.100.11", "192.0.2.12"}) {
    REQUIRE(srv.run(lease4Add,
                    std::string(R"({"command": "lease4-add", "arguments": {"ip-address": ")") + ip +
                        R"(", "hw-address": "00:00:00:00:00:01"}})")
                .result == 0);
  }
  cc::Answer p1 =
      srv.run(lease4GetPage,
              R"({"command": "lease4-get-page", "arguments": {"from": "start", "limit": 3}})");
  CHECK(p1.result == 0);
  CHECK(p1.text == "3 IPv4 lease(s) found.");
  CHECK(p1.arguments->at("count") == cc::Value(3));
  const auto& l1 = p1.arguments->at("leases").asList();
  REQUIRE(l1.size() == 3);
  CHECK(l1[0].at("ip-address") == cc::Value("192.0.2.11"));
  CHECK(l1[2].at("ip-address") == cc::Value("192.0.2.13"));

  cc::Answer p2 =
      srv.run(lease4GetPage,
              R"({"command": "lease4-get-page", "arguments": {"from": "192.0.2.13", "limit": 3}})");
  CHECK(p2.result == 0);
  CHECK(p2.arguments->at("count") == cc::Value(1));
  CHECK(p2.arguments->at("leases").asList()[0].at("ip-address") == cc::Value("198.51.100.11"));

  cc::Answer p3 = srv.run(
      lease4GetPage,
      R"({"command": "lease4-get-page", "arguments": {"from": "198.51.100.11", "limit": 3}})");
  CHECK(p3.result == 3);
  CHECK(p3.arguments->at("count") == cc::Value(0));

  for (const char* json : {
           R"({"command": "lease4-get-page"})",
           R"({"command": "lease4-get-page", "arguments": {"limit": 3}})",
           R"({"command": "lease4-get-page", "arguments": {"from": "begin", "limit": 3}})",
           R"({"command": "lease4-get-page", "arguments": {"from": 0, "limit": 3}})",
           R"({"command": "lease4-get-page", "arguments": {"from": "start"}})",
           R"({"command": "lease4-get-page", "arguments": {"from": "start", "limit": 0}})",
           R"({"command": "lease4-get-page", "arguments": {"from": "start", "limit": "3"}})",
       }) {
    INFO(json);
    CHECK(srv.run(lease4GetPage, json).result == 1);
  }
}

TEST_CASE("lease4-get-by-hw-address, -client-id and -hostname find the client's leases") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  REQUIRE(
      srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {"ip-address": "198.51.100.12",
      "hw-address": "1a:1b:1c:1d:1e:1f", "hostname": "other.example."}})")
          .result == 0);

  cc::Answer hw = srv.run(lease4GetByHwAddress, R"({"command": "lease4-get-by-hw-address",
      "arguments": {"hw-address": "1A:1B:1C:1D:1E:1F"}})");
  CHECK(hw.result == 0);
  CHECK(hw.text == "2 IPv4 lease(s) found.");
  CHECK(srv.run(lease4GetByHwAddress, R"({"command": "lease4-get-by-hw-address",
      "arguments": {"hw-address": "00:00:00:00:00:00"}})")
            .result == 3);

  cc::Answer cid = srv.run(lease4GetByClientId, R"({"command": "lease4-get-by-client-id",
      "arguments": {"client-id": "01:1a:1b:1c:1d:1e:1f"}})");
  CHECK(cid.result == 0);
  REQUIRE(cid.arguments->at("leases").size() == 1);
  CHECK(cid.arguments->at("leases").asList()[0].at("ip-address") == cc::Value("192.0.2.50"));
  CHECK(srv.run(lease4GetByClientId, R"({"command": "lease4-get-by-client-id",
      "arguments": {"client-id": "01:02:03"}})")
            .result == 3);

  cc::Answer host = srv.run(lease4GetByHostname, R"({"command": "lease4-get-by-hostname",
      "arguments": {"hostname": "Host.Example."}})");
  CHECK(host.result == 0);
  REQUIRE(host.arguments->at("leases").size() == 1);
  CHECK(host.arguments->at("leases").asList()[0].at("ip-address") == cc::Value("192.0.2.50"));
  CHECK(srv.run(lease4GetByHostname, R"({"command": "lease4-get-by-hostname",
      "arguments": {"hostname": "nobody.example."}})")
            .result == 3);

  for (auto [h, json] : std::initializer_list<std::pair<Handler, const char*>>{
           {lease4GetByHwAddress, R"({"command": "lease4-get-by-hw-address"})"},
           {lease4GetByHwAddress,
            R"({"command": "lease4-get-by-hw-address", "arguments": {"hw-address": 1}})"},
           {lease4GetByHwAddress,
            R"({"command": "lease4-get-by-hw-address", "arguments": {"hw-address": "xyz"}})"},
           {lease4GetByClientId, R"({"command": "lease4-get-by-client-id", "arguments": {}})"},
           {lease4GetByClientId,
            R"({"command": "lease4-get-by-client-id", "arguments": {"client-id": "q"}})"},
           {lease4GetByHostname,
            R"({"command": "lease4-get-by-hostname", "arguments": {"hostname": ""}})"},
           {lease4GetByHostname,
            R"({"command": "lease4-get-by-hostname", "arguments": {"hostname": true}})"},
       }) {
    INFO(json);
    CHECK(srv.run(h, json).result == 1);
  }
}

TEST_CASE("lease4-update replaces a lease, adds one only with force-create, and moves counts") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);

  cc::Answer u = srv.run(lease4Update, R"({"command": "lease4-update", "arguments": {
    "ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f", "subnet-id": 1,
    "expire": 1700009000, "valid-lft": 5000, "hostname": "renamed.example.", "state": 1}})");
  CHECK(u.result == 0);
  CHECK(u.text == "IPv4 lease updated.");
  Lease4 expected = allocatedLease();
  expected.client_id = {};
  expected.valid_lifetime = 5000;
  expected.cltt = 1700004000;
  expected.hostname = "renamed.example.";
  expected.state = LeaseState::kDeclined;
  CHECK(*srv.store->get(expected.address) == expected);
  // The journal holds the add, then the update row the store writes for the new lease.
  CHECK(srv.leaseFile() ==
        lease4CsvHeader() + formatLease4CsvRow(allocatedLease()) + formatLease4CsvRow(expected));
  CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  CHECK(srv.stat("subnet[1].declined-addresses") == 1);
  CHECK(srv.stat("declined-addresses") == 1);

  SECTION("a lease read with lease4-get can be written back unchanged") {
    cc::Answer g = srv.run(
        lease4Get, R"({"command": "lease4-get", "arguments": {"ip-address": "192.0.2.50"}})");
    REQUIRE(g.arguments);
    cc::Value cmd = cc::makeCommand("lease4-update", *g.arguments);
    CHECK(cc::parseAnswer(lease4Update(cc::parseCommand(cmd))).result == 0);
    CHECK(*srv.store->get(expected.address) == expected);
  }
  SECTION("a missing lease is not created without force-create") {
    cc::Answer m = srv.run(lease4Update, R"({"command": "lease4-update", "arguments": {
      "ip-address": "192.0.2.51", "hw-address": "00:00:00:00:00:51"}})");
    CHECK(m.result == 1);
    CHECK_THAT(m.text, Catch::Contains("no lease for 192.0.2.51"));
    CHECK_FALSE(srv.store->get(IPv4Address::fromString("192.0.2.51")));
    CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  }
  SECTION("force-create adds it") {
    cc::Answer f = srv.run(lease4Update, R"({"command": "lease4-update", "arguments": {
      "ip-address": "192.0.2.51", "hw-address": "00:00:00:00:00:51", "force-create": true}})");
    CHECK(f.result == 0);
    CHECK(f.text == "IPv4 lease added.");
    CHECK(srv.store->get(IPv4Address::fromString("192.0.2.51")));
    CHECK(srv.stat("subnet[1].assigned-addresses") == 2);
  }
  SECTION("bad arguments change nothing") {
    std::string before = srv.leaseFile();
    for (const char* json : {
             R"({"command": "lease4-update"})",
             R"({"command": "lease4-update", "arguments": {"ip-address": "192.0.2.50"}})",
             R"({"command": "lease4-update", "arguments": {"ip-address": "192.0.2.50",
                 "hw-address": "1a:1b:1c:1d:1e:1f", "subnet-id": 2}})",
             R"({"command": "lease4-update", "arguments": {"ip-address": "192.0.2.50",
                 "hw-address": "1a:1b:1c:1d:1e:1f", "force-create": "yes"}})",
         }) {
      INFO(json);
      CHECK(srv.run(lease4Update, json).result == 1);
    }
    CHECK(srv.leaseFile() == before);
  }
}

TEST_CASE("lease4-update moving a lease to expired-reclaimed stops counting it") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  REQUIRE(srv.run(lease4Update, R"({"command": "lease4-update", "arguments": {
    "ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f", "state": 2}})")
              .result == 0);
  CHECK(srv.stat("subnet[1].assigned-addresses") == 0);
}

TEST_CASE("lease4-del deletes by address or identifier, journals it and uncounts it") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  REQUIRE(srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {"ip-address": "192.0.2.61",
      "hw-address": "00:00:00:00:00:61", "state": 1}})")
              .result == 0);
  REQUIRE(srv.stat("subnet[1].assigned-addresses") == 2);
  REQUIRE(srv.stat("declined-addresses") == 1);

  cc::Answer d =
      srv.run(lease4Del, R"({"command": "lease4-del", "arguments": {"ip-address": "192.0.2.50"}})");
  CHECK(d.result == 0);
  CHECK(d.text == "IPv4 lease deleted.");
  CHECK_FALSE(srv.store->get(IPv4Address::fromString("192.0.2.50")));
  CHECK(srv.stat("subnet[1].assigned-addresses") == 1);
  // The deletion row is the one the store writes when the server removes a lease.
  Lease4 gone = allocatedLease();
  gone.valid_lifetime = 0;
  std::string file = srv.leaseFile();
  std::string tail = formatLease4CsvRow(gone);
  REQUIRE(file.size() >= tail.size());
  CHECK(file.substr(file.size() - tail.size()) == tail);

  cc::Answer by_hw = srv.run(lease4Del, R"({"command": "lease4-del", "arguments": {
    "identifier-type": "hw-address", "identifier": "00:00:00:00:00:61", "subnet-id": 1}})");
  CHECK(by_hw.result == 0);
  CHECK(srv.stat("subnet[1].assigned-addresses") == 0);
  CHECK(srv.stat("subnet[1].declined-addresses") == 0);
  CHECK(srv.stat("declined-addresses") == 0);
  CHECK(srv.store->size() == 0);

  cc::Answer again =
      srv.run(lease4Del, R"({"command": "lease4-del", "arguments": {"ip-address": "192.0.2.50"}})");
  CHECK(again.result == 3);
  CHECK(again.text == "IPv4 lease not found.");
  CHECK(srv.stat("subnet[1].assigned-addresses") == 0);

  for (
      const char* json : {
          R"({"command": "lease4-del"})",
          R"({"command": "lease4-del", "arguments": {"ip-address": "192.0.2.999"}})",
          R"({"command": "lease4-del", "arguments": {"ip-address": "192.0.2.50", "update-ddns": "yes"}})",
          R"({"command": "lease4-del", "arguments": {"identifier-type": "hw-address", "identifier": "00:00:00:00:00:61"}})",
      }) {
    INFO(json);
    CHECK(srv.run(lease4Del, json).result == 1);
  }
}

TEST_CASE("lease4-bulk-apply deletes, then creates or replaces each lease, and lists failures") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  REQUIRE(srv.run(lease4Add, R"({"command": "lease4-add", "arguments": {"ip-address": "192.0.2.61",
      "hw-address": "00:00:00:00:00:61"}})")
              .result == 0);
  REQUIRE(srv.stat("subnet[1].assigned-addresses") == 2);

  SECTION("every item applied: no arguments, the same journal rows as single commands") {
    cc::Answer a = srv.run(lease4BulkApply, R"({"command": "lease4-bulk-apply", "arguments": {
      "deleted-leases": [{"ip-address": "192.0.2.61", "hw-address": "00:00:00:00:00:61"}],
      "leases": [
        {"ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f", "subnet-id": 1,
         "expire": 1700009000, "valid-lft": 5000, "hostname": "renamed.example."},
        {"ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:70", "subnet-id": 1,
         "expire": 1700009000, "valid-lft": 4000}]}})");
    CHECK(a.result == 0);
    CHECK(a.text == "Bulk apply of 3 IPv4 leases completed.");
    CHECK_FALSE(a.arguments);
    CHECK_FALSE(srv.store->get(IPv4Address::fromString("192.0.2.61")));
    auto renamed = srv.store->get(IPv4Address::fromString("192.0.2.50"));
    REQUIRE(renamed);
    CHECK(renamed->hostname == "renamed.example.");
    CHECK(renamed->cltt == 1700004000);
    auto created = srv.store->get(IPv4Address::fromString("192.0.2.70"));
    REQUIRE(created);  // created without "force-create": bulk apply always creates
    CHECK(created->hwaddr == HwAddr::fromString("00:00:00:00:00:70"));
    CHECK(srv.stat("subnet[1].assigned-addresses") == 2);

    // The same changes made with lease4-del / lease4-update leave the same lease file.
    Server twin;
    REQUIRE(twin.run(lease4Add, kAddGood).result == 0);
    REQUIRE(twin.run(lease4Add, R"({"command": "lease4-add", "arguments": {
      "ip-address": "192.0.2.61", "hw-address": "00:00:00:00:00:61"}})")
                .result == 0);
    REQUIRE(twin.run(lease4Del, R"({"command": "lease4-del", "arguments": {
      "ip-address": "192.0.2.61"}})")
                .result == 0);
    REQUIRE(twin.run(lease4Update, R"({"command": "lease4-update", "arguments": {
      "ip-address": "192.0.2.50", "hw-address": "1a:1b:1c:1d:1e:1f", "subnet-id": 1,
      "expire": 1700009000, "valid-lft": 5000, "hostname": "renamed.example."}})")
                .result == 0);
    REQUIRE(twin.run(lease4Update, R"({"command": "lease4-update", "arguments": {
      "ip-address": "192.0.2.70", "hw-address": "00:00:00:00:00:70", "subnet-id": 1,
      "expire": 1700009000, "valid-lft": 4000, "force-create": true}})")
                .result == 0);
    auto rows = [](const std::string& file) {
      // cltt of the lease4-add rows is "now": compare from the first bulk-made row on.
      return file.substr(file.find("192.0.2.61,00:00:00:00:00:61,,0,"));
    };
    CHECK(rows(srv.leaseFile()) == rows(twin.leaseFile()));
  }

  SECTION("failures are listed per lease; the others are applied") {
    cc::Answer a = srv.run(lease4BulkApply, R"({"command": "lease4-bulk-apply", "arguments": {
      "deleted-leases": [{"ip-address": "192.0.2.99"}, {"ip-address": "192.0.2.61"}, "x"],
      "leases": [
        {"ip-address": "192.0.2.71", "hw-address": "00:00:00:00:00:71", "subnet-id": 2},
        {"ip-address": "192.0.2.72", "hw-address": "00:00:00:00:00:72"}]}})");
    CHECK(a.result == 0);
    CHECK(a.text == "Bulk apply of 5 IPv4 leases completed.");
    REQUIRE(a.arguments);
    const cc::List& fd = a.arguments->at("failed-deleted-leases").asList();
    REQUIRE(fd.size() == 2);
    CHECK(fd[0].at("ip-address").asString() == "192.0.2.99");
    CHECK(fd[0].at("result").asInt() == 3);
    CHECK(fd[0].at("error-message").asString() == "lease not found");
    CHECK(fd[1].at("ip-address").asString() == "");
    CHECK(fd[1].at("result").asInt() == 1);
    CHECK_THAT(fd[1].at("error-message").asString(), Catch::Contains("must be a map"));
    const cc::List& fl = a.arguments->at("failed-leases").asList();
    REQUIRE(fl.size() == 1);
    CHECK(fl[0].at("ip-address").asString() == "192.0.2.71");
    CHECK(fl[0].at("result").asInt() == 1);
    CHECK_THAT(fl[0].at("error-message").asString(), Catch::Contains("subnet"));
    CHECK_FALSE(srv.store->get(IPv4Address::fromString("192.0.2.61")));
    CHECK_FALSE(srv.store->get(IPv4Address::fromString("192.0.2.71")));
    CHECK(srv.store->get(IPv4Address::fromString("192.0.2.72")));
    CHECK(srv.stat("subnet[1].assigned-addresses") == 2);
  }

  SECTION("arguments that are not two lists of leases are refused as a whole") {
    std::string before = srv.leaseFile();
    for (const char* json : {
             R"({"command": "lease4-bulk-apply"})",
             R"({"command": "lease4-bulk-apply", "arguments": {}})",
             R"({"command": "lease4-bulk-apply", "arguments": {"leases": {"ip-address": "192.0.2.50"}}})",
             R"({"command": "lease4-bulk-apply", "arguments": {"deleted-leases": "192.0.2.50"}})",
         }) {
      INFO(json);
      CHECK(srv.run(lease4BulkApply, json).result == 1);
    }
    CHECK(srv.leaseFile() == before);
  }
}

TEST_CASE("lease4-wipe empties one subnet or all configured subnets and resets their counts") {
  Server srv;
  for (const char* args : {R"("ip-address": "192.0.2.11", "hw-address": "00:00:00:00:00:01")",
                           R"("ip-address": "192.0.2.12", "hw-address": "", "state": 1)",
                           R"("ip-address": "198.51.100.11", "hw-address": "", "state": 1)"}) {
    REQUIRE(
        srv.run(lease4Add, std::string(R"({"command": "lease4-add", "arguments": {)") + args + "}}")
            .result == 0);
  }
  REQUIRE(srv.stat("declined-addresses") == 2);

  cc::Answer w =
      srv.run(lease4Wipe, R"({"command": "lease4-wipe", "arguments": {"subnet-id": 1}})");
  CHECK(w.result == 0);
  CHECK(w.text == "Deleted 2 IPv4 lease(s) from subnet(s) 1");
  CHECK(srv.store->size() == 1);
  CHECK(srv.stat("subnet[1].assigned-addresses") == 0);
  CHECK(srv.stat("subnet[1].declined-addresses") == 0);
  CHECK(srv.stat("declined-addresses") == 1);
  CHECK(srv.stat("subnet[2].assigned-addresses") == 1);

  cc::Answer all = srv.run(lease4Wipe, R"({"command": "lease4-wipe"})");
  CHECK(all.result == 0);
  CHECK(all.text == "Deleted 1 IPv4 lease(s) from subnet(s) 1 2");
  CHECK(srv.store->size() == 0);
  CHECK(srv.stat("declined-addresses") == 0);
  CHECK(srv.stat("subnet[2].assigned-addresses") == 0);

  CHECK(srv.run(lease4Wipe, R"({"command": "lease4-wipe"})").result == 3);
  CHECK(srv.run(lease4Wipe, R"({"command": "lease4-wipe", "arguments": {"subnet-id": "1"}})")
            .result == 1);
  CHECK(
      srv.run(lease4Wipe, R"({"command": "lease4-wipe", "arguments": {"subnet-id": -1}})").result ==
      1);
}

TEST_CASE("lease4-resend-ddns says DDNS updates are not enabled") {
  Server srv;
  REQUIRE(srv.run(lease4Add, kAddGood).result == 0);
  cc::Answer a =
      srv.run(lease4ResendDdns,
              R"({"command": "lease4-resend-ddns", "arguments": {"ip-address": "192.0.2.50"}})");
  CHECK(a.result == 1);
  CHECK_THAT(a.text, Catch::Contains("DDNS updating is not enabled"));
  cc::Answer bad =
      srv.run(lease4ResendDdns, R"({"command": "lease4-resend-ddns", "arguments": {}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'ip-address'"));
}
