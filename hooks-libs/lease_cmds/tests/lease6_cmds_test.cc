#include "lease6_cmds.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "quiet_logs.h"
#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease6_json.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/dhcpsrv/server_services6.h"
#include "takahe/stats/stats_store.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::hooks::lease_cmds;
using takahe::testing::TempDir;

namespace {

constexpr const char* kConfig6 = R"({"Dhcp6": {
  "preferred-lifetime": 3000, "valid-lifetime": 4000,
  "subnet6": [
    {"id": 1, "subnet": "2001:db8:1::/64",
     "pools": [{"pool": "2001:db8:1::100 - 2001:db8:1::1ff", "pool-id": 7}],
     "pd-pools": [{"prefix": "3000:1::", "prefix-len": 48, "delegated-len": 56, "pool-id": 9}]},
    {"id": 2, "subnet": "2001:db8:2::/64", "preferred-lifetime": 500, "valid-lifetime": 600,
     "pools": [{"pool": "2001:db8:2::/80"}]}
  ]}})";

std::string readFile6(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A DHCPv6 server's services: parsed configuration, memfile store in a temp dir, the subnet
/// statistics the server declares.
struct Server6 {
  TempDir dir;
  SrvConfig6Ptr cfg = parseDhcp6Config(cc::parseConfigText(kConfig6, "test6.json"));
  std::unique_ptr<MemfileLeaseStore6> store;
  stats::StatsStore stats;
  ServerServices6 services;

  Server6() {
    takahe::testing::quietLogs(log::Severity::kError);
    MemfileConfig mc;
    mc.path = dir.file("leases6.csv");
    store = std::make_unique<MemfileLeaseStore6>(mc);
    for (const auto& s : cfg->subnets) {
      std::string p = "subnet[" + std::to_string(s.id.value) + "].";
      for (const char* n : {"assigned-nas", "assigned-pds", "declined-addresses"}) {
        stats.set(p + n, 0);
      }
    }
    stats.set("declined-addresses", 0);
    services.leases = store.get();
    services.stats = &stats;
    services.config = [this] { return cfg; };
    setServerServices6(&services);
  }
  ~Server6() { setServerServices6(nullptr); }

  cc::Answer run(Handler h, const std::string& command_json) {
    cc::Command cmd = cc::parseCommand(cc::parseJson(command_json, "<command>"));
    return cc::parseAnswer(h(cmd));
  }
  std::string leaseFile() const { return readFile6(dir.file("leases6.csv")); }
  int64_t stat(const std::string& name) const { return stats.value(name); }
  std::optional<Lease6> na(const char* a) const {
    return store->get(Lease6Type::kNa, IPv6Address::fromString(a));
  }
};

Lease6 expectedNa() {
  Lease6 l;
  l.address = IPv6Address::fromString("2001:db8:1::150");
  l.duid = Duid::fromString("00:03:00:01:1a:1b:1c:1d:1e:1f");
  l.iaid = 42;
  l.preferred_lifetime = 4000;  // Kea 2.2: preferred-lft defaults to valid-lft
  l.valid_lifetime = 4000;
  l.cltt = 1700000000;
  l.subnet_id = SubnetId(1);
  l.pool_id = 7;
  l.hostname = "host.example.";
  l.fqdn_fwd = true;
  l.hwaddr = HwAddr::fromString("1a:1b:1c:1d:1e:1f");
  return l;
}

constexpr const char* kAddNa = R"({"command": "lease6-add", "arguments": {
  "ip-address": "2001:db8:1::150", "duid": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 42,
  "subnet-id": 1, "expire": 1700004000, "hostname": "host.example.", "fqdn-fwd": true,
  "hw-address": "1a:1b:1c:1d:1e:1f"}})";

constexpr const char* kAddPd = R"({"command": "lease6-add", "arguments": {
  "ip-address": "3000:1:0:100::", "type": "IA_PD", "prefix-len": 56,
  "duid": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 43, "cltt": 1700000000}})";

}  // namespace

TEST_CASE("lease6Commands lists the lease6 commands") {
  std::set<std::string> names;
  for (const auto& c : lease6Commands()) {
    names.insert(c.name);
    CHECK(c.handler != nullptr);
  }
  CHECK(names == std::set<std::string>{"lease6-add", "lease6-bulk-apply", "lease6-del",
                                       "lease6-get", "lease6-get-all", "lease6-get-by-duid",
                                       "lease6-get-by-hostname", "lease6-get-page",
                                       "lease6-resend-ddns", "lease6-update", "lease6-wipe"});
}

TEST_CASE("lease6 commands outside a DHCPv6 server answer with an error, not a crash") {
  setServerServices6(nullptr);
  for (const auto& c : lease6Commands()) {
    cc::Command cmd = cc::parseCommand(cc::parseJson(
        "{\"command\": \"" + std::string(c.name) +
        "\", \"arguments\": {\"ip-address\": \"2001:db8:1::1\", \"from\": \"start\", \"limit\": 1,"
        " \"duid\": \"01:02:03\", \"iaid\": 1, \"hostname\": \"h\", \"leases\": []}}"));
    cc::Answer a = cc::parseAnswer(c.handler(cmd));
    INFO(c.name);
    CHECK(a.result == 1);
    CHECK_THAT(a.text, Catch::Contains("only inside takahe-dhcp6"));
  }
  SECTION("nor with services lacking a configuration") {
    ServerServices6 half;
    TempDir d;
    MemfileConfig mc;
    mc.path = d.file("l6.csv");
    MemfileLeaseStore6 store(mc);
    half.leases = &store;
    setServerServices6(&half);
    cc::Answer a = cc::parseAnswer(
        lease6GetAll(cc::parseCommand(cc::parseJson(R"({"command": "lease6-get-all"})"))));
    setServerServices6(nullptr);
    CHECK(a.result == 1);
    CHECK_THAT(a.text, Catch::Contains("no configuration"));
  }
}

TEST_CASE("lease6-add writes the lease file row the store writes and counts the lease") {
  Server6 srv;
  cc::Answer a = srv.run(lease6Add, kAddNa);
  CHECK(a.result == 0);
  CHECK(a.text == "Lease for address 2001:db8:1::150, subnet-id 1 added.");
  REQUIRE(srv.na("2001:db8:1::150"));
  CHECK(*srv.na("2001:db8:1::150") == expectedNa());
  {
    TempDir d;
    MemfileConfig mc;
    mc.path = d.file("ref6.csv");
    {
      MemfileLeaseStore6 ref(mc);
      REQUIRE(ref.add(expectedNa()));
    }
    CHECK(srv.leaseFile() == readFile6(mc.path));
  }
  CHECK(srv.leaseFile() == lease6CsvHeader() + formatLease6CsvRow(expectedNa()));
  CHECK(srv.stat("subnet[1].assigned-nas") == 1);
  CHECK(srv.stat("subnet[2].assigned-nas") == 0);

  SECTION("a second add of the address is refused and changes nothing") {
    std::string before = srv.leaseFile();
    cc::Answer dup = srv.run(lease6Add, R"({"command": "lease6-add", "arguments": {
      "ip-address": "2001:db8:1::150", "duid": "01:02:03", "iaid": 1}})");
    CHECK(dup.result == 1);
    CHECK_THAT(dup.text, Catch::Contains("already exists"));
    CHECK(srv.leaseFile() == before);
    CHECK(srv.stat("subnet[1].assigned-nas") == 1);
  }
}

TEST_CASE("lease6-add of a prefix picks the subnet of its pd-pool and counts assigned-pds") {
  Server6 srv;
  cc::Answer a = srv.run(lease6Add, kAddPd);
  CHECK(a.result == 0);
  CHECK(a.text == "Lease for prefix 3000:1:0:100::/56, subnet-id 1 added.");
  auto l = srv.store->get(Lease6Type::kPd, IPv6Address::fromString("3000:1:0:100::"));
  REQUIRE(l);
  CHECK(l->prefix_len == 56);
  CHECK(l->pool_id == 9);
  CHECK(l->preferred_lifetime == 4000);
  CHECK(l->valid_lifetime == 4000);
  CHECK(srv.stat("subnet[1].assigned-pds") == 1);
  CHECK(srv.stat("subnet[1].assigned-nas") == 0);

  SECTION("without subnet-id an address takes the subnet containing it and its lifetimes") {
    cc::Answer b = srv.run(lease6Add, R"({"command": "lease6-add", "arguments": {
      "ip-address": "2001:db8:2::5", "duid": "01:02:03", "iaid": 1, "state": 1,
      "user-context": {"a": 1}, "comment": "set by hand"}})");
    CHECK(b.result == 0);
    auto n = srv.na("2001:db8:2::5");
    REQUIRE(n);
    CHECK(n->subnet_id == SubnetId(2));
    CHECK(n->valid_lifetime == 600);
    CHECK(n->preferred_lifetime == 600);
    CHECK(n->state == LeaseState::kDeclined);
    CHECK(cc::parseJson(n->user_context) == cc::parseJson(R"({"a": 1, "comment": "set by hand"})"));
    CHECK(srv.stat("subnet[2].assigned-nas") == 1);
    CHECK(srv.stat("subnet[2].declined-addresses") == 1);
    CHECK(srv.stat("declined-addresses") == 1);
  }
}

TEST_CASE("lease6-add refuses bad arguments with a message naming the argument") {
  Server6 srv;
  auto refused = [&](const std::string& args, const std::string& needle) {
    cc::Answer a = srv.run(lease6Add, R"({"command": "lease6-add", "arguments": )" + args + "}");
    INFO(args);
    CHECK(a.result == 1);
    CHECK_THAT(a.text, Catch::Contains(needle));
  };
  refused(R"({"duid": "01:02:03", "iaid": 1})", "'ip-address'");
  refused(R"({"ip-address": "192.0.2.1", "duid": "01:02:03", "iaid": 1})", "not an IPv6 address");
  refused(R"({"ip-address": "2001:db8:1::1", "iaid": 1})", "'duid'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "xyz", "iaid": 1})", "'duid' value 'xyz'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03"})", "'iaid'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": -1})", "'iaid'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "type": "IA_XX"})",
          "'type' 'IA_XX'");
  refused(R"({"ip-address": "3000:1:0:100::", "duid": "01:02:03", "iaid": 1, "type": "IA_PD"})",
          "'prefix-len'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "prefix-len": 64})",
          "'prefix-len' 64");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "subnet-id": 2})",
          "not in subnet 2001:db8:2::/64");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "subnet-id": 9})",
          "subnet-id 9");
  refused(R"({"ip-address": "2001:db8:9::1", "duid": "01:02:03", "iaid": 1})",
          "no configured subnet holds address 2001:db8:9::1");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "valid-lft": 0})",
          "'valid-lft'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "state": 7})",
          "'state' 7");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "user-context": 3})",
          "'user-context'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "fqdn-fwd": true})",
          "'hostname'");
  refused(R"({"ip-address": "2001:db8:1::1", "duid": "01:02:03", "iaid": 1, "hw-address": "zz"})",
          "'hw-address'");
  cc::Answer none = srv.run(lease6Add, R"({"command": "lease6-add"})");
  CHECK(none.result == 1);
  CHECK_THAT(none.text, Catch::Contains("'ip-address', 'duid' and 'iaid'"));
  CHECK(srv.store->size() == 0);
  CHECK(srv.stat("subnet[1].assigned-nas") == 0);
}

TEST_CASE("lease6-get finds a lease by address and type or by DUID, IAID and subnet") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  REQUIRE(srv.run(lease6Add, kAddPd).result == 0);

  cc::Answer a = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "ip-address": "2001:db8:1::150"}})");
  CHECK(a.result == 0);
  CHECK(a.text == "IPv6 lease found.");
  REQUIRE(a.arguments);
  CHECK(*a.arguments == lease6ToJson(expectedNa()));
  CHECK(a.arguments->find("type")->asString() == "IA_NA");

  cc::Answer pd = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "ip-address": "3000:1:0:100::", "type": "IA_PD"}})");
  CHECK(pd.result == 0);
  REQUIRE(pd.arguments);
  CHECK(pd.arguments->find("prefix-len")->asInt() == 56);

  cc::Answer wrong_type = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "ip-address": "3000:1:0:100::"}})");
  CHECK(wrong_type.result == 3);
  CHECK(wrong_type.text == "Lease not found.");

  cc::Answer by_id = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "identifier-type": "duid", "identifier": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 43,
    "subnet-id": 1, "type": "IA_PD"}})");
  CHECK(by_id.result == 0);
  REQUIRE(by_id.arguments);
  CHECK(by_id.arguments->find("ip-address")->asString() == "3000:1:0:100::");

  cc::Answer other_subnet = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "identifier-type": "duid", "identifier": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 42,
    "subnet-id": 2}})");
  CHECK(other_subnet.result == 3);

  cc::Answer bad_type = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "identifier-type": "hw-address", "identifier": "01:02:03", "iaid": 1, "subnet-id": 1}})");
  CHECK(bad_type.result == 1);
  CHECK_THAT(bad_type.text, Catch::Contains("'identifier-type' 'hw-address'"));

  cc::Answer missing = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "identifier-type": "duid", "identifier": "01:02:03", "subnet-id": 1}})");
  CHECK(missing.result == 1);
  CHECK_THAT(missing.text, Catch::Contains("'iaid'"));

  cc::Answer bad_addr = srv.run(lease6Get, R"({"command": "lease6-get", "arguments": {
    "ip-address": "nope"}})");
  CHECK(bad_addr.result == 1);
  CHECK_THAT(bad_addr.text, Catch::Contains("'ip-address' value 'nope'"));
}

TEST_CASE("lease6-get-all, -get-page, -get-by-duid and -get-by-hostname list leases") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  REQUIRE(srv.run(lease6Add, kAddPd).result == 0);
  REQUIRE(srv.run(lease6Add, R"({"command": "lease6-add", "arguments": {
    "ip-address": "2001:db8:2::9", "duid": "0a:0b:0c", "iaid": 5, "hostname": "Other.Example."}})")
              .result == 0);

  cc::Answer all = srv.run(lease6GetAll, R"({"command": "lease6-get-all"})");
  CHECK(all.result == 0);
  CHECK(all.text == "3 IPv6 lease(s) found.");
  CHECK(all.arguments->find("leases")->asList().size() == 3);

  cc::Answer sub2 = srv.run(lease6GetAll, R"({"command": "lease6-get-all", "arguments": {
    "subnets": [2]}})");
  CHECK(sub2.text == "1 IPv6 lease(s) found.");
  CHECK(sub2.arguments->find("leases")->asList()[0].find("ip-address")->asString() ==
        "2001:db8:2::9");
  cc::Answer empty = srv.run(lease6GetAll, R"({"command": "lease6-get-all", "arguments": {
    "subnets": [77]}})");
  CHECK(empty.result == 3);
  cc::Answer bad = srv.run(lease6GetAll, R"({"command": "lease6-get-all", "arguments": {
    "subnets": "1"}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'subnets'"));

  cc::Answer p1 = srv.run(lease6GetPage, R"({"command": "lease6-get-page", "arguments": {
    "from": "start", "limit": 2}})");
  CHECK(p1.result == 0);
  CHECK(p1.arguments->find("count")->asInt() == 2);
  const auto& l1 = p1.arguments->find("leases")->asList();
  CHECK(l1[0].find("ip-address")->asString() == "2001:db8:1::150");
  CHECK(l1[1].find("ip-address")->asString() == "2001:db8:2::9");
  cc::Answer p2 = srv.run(lease6GetPage, R"({"command": "lease6-get-page", "arguments": {
    "from": "2001:db8:2::9", "limit": 2}})");
  CHECK(p2.arguments->find("count")->asInt() == 1);
  CHECK(p2.arguments->find("leases")->asList()[0].find("ip-address")->asString() ==
        "3000:1:0:100::");
  cc::Answer p3 = srv.run(lease6GetPage, R"({"command": "lease6-get-page", "arguments": {
    "from": "3000:1:0:100::", "limit": 2}})");
  CHECK(p3.result == 3);
  cc::Answer bad_from = srv.run(lease6GetPage, R"({"command": "lease6-get-page", "arguments": {
    "from": "192.0.2.1", "limit": 2}})");
  CHECK(bad_from.result == 1);
  CHECK_THAT(bad_from.text, Catch::Contains("'from'"));
  cc::Answer bad_limit = srv.run(lease6GetPage, R"({"command": "lease6-get-page", "arguments": {
    "from": "start", "limit": 0}})");
  CHECK(bad_limit.result == 1);
  CHECK_THAT(bad_limit.text, Catch::Contains("'limit'"));

  cc::Answer duid = srv.run(lease6GetByDuid, R"({"command": "lease6-get-by-duid", "arguments": {
    "duid": "00:03:00:01:1a:1b:1c:1d:1e:1f"}})");
  CHECK(duid.text == "2 IPv6 lease(s) found.");
  cc::Answer no_duid = srv.run(lease6GetByDuid, R"({"command": "lease6-get-by-duid",
    "arguments": {"duid": "ff:ff:ff"}})");
  CHECK(no_duid.result == 3);
  cc::Answer bad_duid = srv.run(lease6GetByDuid, R"({"command": "lease6-get-by-duid",
    "arguments": {}})");
  CHECK(bad_duid.result == 1);
  CHECK_THAT(bad_duid.text, Catch::Contains("'duid'"));

  cc::Answer host = srv.run(lease6GetByHostname, R"({"command": "lease6-get-by-hostname",
    "arguments": {"hostname": "other.example."}})");
  CHECK(host.result == 0);
  CHECK(host.text == "1 IPv6 lease(s) found.");
  cc::Answer no_host = srv.run(lease6GetByHostname, R"({"command": "lease6-get-by-hostname",
    "arguments": {"hostname": "nobody."}})");
  CHECK(no_host.result == 3);
  cc::Answer empty_host = srv.run(lease6GetByHostname, R"({"command": "lease6-get-by-hostname",
    "arguments": {"hostname": ""}})");
  CHECK(empty_host.result == 1);
  CHECK_THAT(empty_host.text, Catch::Contains("'hostname'"));
}

TEST_CASE("lease6-update replaces a lease, adds one only with force-create, and moves counts") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  cc::Answer up = srv.run(lease6Update, R"({"command": "lease6-update", "arguments": {
    "ip-address": "2001:db8:1::150", "duid": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 42,
    "state": 1, "valid-lft": 900}})");
  CHECK(up.result == 0);
  CHECK(up.text == "IPv6 lease updated.");
  CHECK(srv.na("2001:db8:1::150")->valid_lifetime == 900);
  CHECK(srv.stat("subnet[1].declined-addresses") == 1);
  CHECK(srv.stat("declined-addresses") == 1);
  CHECK(srv.stat("subnet[1].assigned-nas") == 1);

  cc::Answer missing = srv.run(lease6Update, R"({"command": "lease6-update", "arguments": {
    "ip-address": "2001:db8:1::151", "duid": "01:02:03", "iaid": 1}})");
  CHECK(missing.result == 1);
  CHECK_THAT(missing.text, Catch::Contains("force-create"));
  CHECK_FALSE(srv.na("2001:db8:1::151"));

  cc::Answer forced = srv.run(lease6Update, R"({"command": "lease6-update", "arguments": {
    "ip-address": "2001:db8:1::151", "duid": "01:02:03", "iaid": 1, "force-create": true}})");
  CHECK(forced.result == 0);
  CHECK(forced.text == "IPv6 lease added.");
  CHECK(srv.stat("subnet[1].assigned-nas") == 2);

  cc::Answer bad = srv.run(lease6Update, R"({"command": "lease6-update", "arguments": {
    "ip-address": "2001:db8:1::151", "duid": "01:02:03", "iaid": 1, "force-create": 1}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'force-create'"));

  cc::Answer reclaimed = srv.run(lease6Update, R"({"command": "lease6-update", "arguments": {
    "ip-address": "2001:db8:1::151", "duid": "01:02:03", "iaid": 1, "state": 2}})");
  CHECK(reclaimed.result == 0);
  CHECK(srv.stat("subnet[1].assigned-nas") == 1);
}

TEST_CASE("lease6-del deletes by address and type or by identifier, and uncounts it") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  REQUIRE(srv.run(lease6Add, kAddPd).result == 0);
  cc::Answer wrong = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {
    "ip-address": "3000:1:0:100::"}})");
  CHECK(wrong.result == 3);
  CHECK(wrong.text == "IPv6 lease not found.");
  cc::Answer pd = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {
    "ip-address": "3000:1:0:100::", "type": "IA_PD"}})");
  CHECK(pd.result == 0);
  CHECK(pd.text == "IPv6 lease deleted.");
  CHECK(srv.stat("subnet[1].assigned-pds") == 0);
  cc::Answer by_id = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {
    "identifier-type": "duid", "identifier": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 42,
    "subnet-id": 1}})");
  CHECK(by_id.result == 0);
  CHECK(srv.store->size() == 0);
  CHECK(srv.stat("subnet[1].assigned-nas") == 0);
  // The journal holds the deletions: a store reopened on the file has no lease.
  srv.store.reset();
  srv.services.leases = nullptr;
  MemfileConfig mc;
  mc.path = srv.dir.file("leases6.csv");
  CHECK(MemfileLeaseStore6(mc).size() == 0);

  cc::Answer bad = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {"iaid": 1}})");
  CHECK(bad.result == 1);
}

TEST_CASE("lease6-del refuses bad arguments naming them") {
  Server6 srv;
  cc::Answer bad = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {
    "ip-address": "2001:db8:1::1", "type": "IA_XY"}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'type'"));
  cc::Answer ddns = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {
    "ip-address": "2001:db8:1::1", "update-ddns": "yes"}})");
  CHECK(ddns.result == 1);
  CHECK_THAT(ddns.text, Catch::Contains("'update-ddns'"));
  cc::Answer none = srv.run(lease6Del, R"({"command": "lease6-del", "arguments": {}})");
  CHECK(none.result == 1);
  CHECK_THAT(none.text, Catch::Contains("'identifier-type' (duid)"));
}

TEST_CASE("lease6-resend-ddns says DDNS updates are not enabled, and checks its argument") {
  Server6 srv;
  cc::Answer a = srv.run(lease6ResendDdns, R"({"command": "lease6-resend-ddns", "arguments": {
    "ip-address": "2001:db8:1::5"}})");
  CHECK(a.result == 1);
  CHECK_THAT(a.text, Catch::StartsWith("DDNS updating is not enabled"));
  cc::Answer bad = srv.run(lease6ResendDdns, R"({"command": "lease6-resend-ddns",
    "arguments": {"ip-address": "192.0.2.1"}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'ip-address' value '192.0.2.1'"));
}

TEST_CASE("lease6-wipe empties one subnet or all and resets their counts") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  REQUIRE(srv.run(lease6Add, kAddPd).result == 0);
  REQUIRE(srv.run(lease6Add, R"({"command": "lease6-add", "arguments": {
    "ip-address": "2001:db8:2::9", "duid": "0a:0b:0c", "iaid": 5, "state": 1}})")
              .result == 0);
  CHECK(srv.stat("declined-addresses") == 1);

  cc::Answer one = srv.run(lease6Wipe, R"({"command": "lease6-wipe", "arguments": {
    "subnet-id": 2}})");
  CHECK(one.result == 0);
  CHECK(one.text == "Deleted 1 IPv6 lease(s) from subnet(s) 2");
  CHECK(srv.stat("subnet[2].assigned-nas") == 0);
  CHECK(srv.stat("subnet[2].declined-addresses") == 0);
  CHECK(srv.stat("declined-addresses") == 0);
  CHECK(srv.stat("subnet[1].assigned-nas") == 1);

  cc::Answer all = srv.run(lease6Wipe, R"({"command": "lease6-wipe"})");
  CHECK(all.result == 0);
  CHECK(all.text == "Deleted 2 IPv6 lease(s) from subnet(s) 1 2");
  CHECK(srv.stat("subnet[1].assigned-nas") == 0);
  CHECK(srv.stat("subnet[1].assigned-pds") == 0);
  CHECK(srv.store->size() == 0);

  cc::Answer again = srv.run(lease6Wipe, R"({"command": "lease6-wipe"})");
  CHECK(again.result == 3);
  cc::Answer bad = srv.run(lease6Wipe, R"({"command": "lease6-wipe", "arguments": {
    "subnet-id": "x"}})");
  CHECK(bad.result == 1);
  CHECK_THAT(bad.text, Catch::Contains("'subnet-id'"));
}

TEST_CASE("lease6-bulk-apply deletes, then creates or replaces leases, and lists failures") {
  Server6 srv;
  REQUIRE(srv.run(lease6Add, kAddNa).result == 0);
  REQUIRE(srv.run(lease6Add, kAddPd).result == 0);

  cc::Answer a = srv.run(lease6BulkApply, R"({"command": "lease6-bulk-apply", "arguments": {
    "deleted-leases": [
      {"ip-address": "3000:1:0:100::", "type": "IA_PD"},
      {"ip-address": "2001:db8:1::999", "type": "IA_NA"},
      {"ip-address": "bogus"}],
    "leases": [
      {"ip-address": "2001:db8:1::150", "duid": "00:03:00:01:1a:1b:1c:1d:1e:1f", "iaid": 42,
       "valid-lft": 777},
      {"ip-address": "3000:1:0:200::", "type": "IA_PD", "prefix-len": 56, "duid": "0a:0b",
       "iaid": 2},
      {"ip-address": "2001:db8:2::7", "type": "IA_NA", "iaid": 3}]}})");
  CHECK(a.result == 0);
  CHECK(a.text == "Bulk apply of 3 IPv6 leases completed.");
  REQUIRE(a.arguments);
  const auto& fd = a.arguments->find("failed-deleted-leases")->asList();
  REQUIRE(fd.size() == 2);
  CHECK(fd[0] == cc::parseJson(R"({"type": "IA_NA", "ip-address": "2001:db8:1::999",
    "result": 3, "error-message": "lease not found"})"));
  CHECK(fd[1].find("result")->asInt() == 1);
  CHECK_THAT(fd[1].find("error-message")->asString(), Catch::Contains("'ip-address'"));
  const auto& fl = a.arguments->find("failed-leases")->asList();
  REQUIRE(fl.size() == 1);
  CHECK(fl[0].find("type")->asString() == "IA_NA");
  CHECK(fl[0].find("ip-address")->asString() == "2001:db8:2::7");
  CHECK(fl[0].find("result")->asInt() == 1);
  CHECK_THAT(fl[0].find("error-message")->asString(), Catch::Contains("'duid'"));

  CHECK(srv.na("2001:db8:1::150")->valid_lifetime == 777);
  CHECK_FALSE(srv.store->get(Lease6Type::kPd, IPv6Address::fromString("3000:1:0:100::")));
  CHECK(srv.store->get(Lease6Type::kPd, IPv6Address::fromString("3000:1:0:200::")));
  CHECK(srv.stat("subnet[1].assigned-pds") == 1);
  CHECK(srv.stat("subnet[1].assigned-nas") == 1);

  SECTION("with nothing failing the answer has no arguments") {
    cc::Answer ok = srv.run(lease6BulkApply, R"({"command": "lease6-bulk-apply", "arguments": {
      "deleted-leases": [{"ip-address": "2001:db8:1::150"}], "leases": []}})");
    CHECK(ok.result == 0);
    CHECK(ok.text == "Bulk apply of 1 IPv6 leases completed.");
    CHECK_FALSE(ok.arguments);
    CHECK(srv.stat("subnet[1].assigned-nas") == 0);
  }
  SECTION("when nothing could be applied the result is 3 and only non-empty lists appear") {
    cc::Answer none = srv.run(lease6BulkApply, R"({"command": "lease6-bulk-apply", "arguments": {
      "deleted-leases": [{"ip-address": "2001:db8:1::777"}]}})");
    CHECK(none.result == 3);
    CHECK(none.text == "Bulk apply of 0 IPv6 leases completed.");
    REQUIRE(none.arguments);
    CHECK(none.arguments->find("failed-deleted-leases")->asList().size() == 1);
    CHECK(none.arguments->find("failed-leases") == nullptr);
  }
  SECTION("bad top-level arguments are refused") {
    cc::Answer none = srv.run(lease6BulkApply, R"({"command": "lease6-bulk-apply",
      "arguments": {}})");
    CHECK(none.result == 1);
    CHECK_THAT(none.text, Catch::Contains("'deleted-leases' and/or 'leases'"));
    cc::Answer not_list = srv.run(lease6BulkApply, R"({"command": "lease6-bulk-apply",
      "arguments": {"leases": {}}})");
    CHECK(not_list.result == 1);
    CHECK_THAT(not_list.text, Catch::Contains("'leases' must be a list"));
  }
}
