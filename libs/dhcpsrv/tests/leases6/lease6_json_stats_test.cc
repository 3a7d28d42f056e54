#include <catch2/catch.hpp>

#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease6_json.h"
#include "takahe/dhcpsrv/lease_stats6.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/stats/stats_store.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

Lease6 fromKeaRow(const std::string& row) {
  auto h = parseLease6CsvHeader(
      "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"
      "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source");
  REQUIRE(h);
  auto l = parseLease6CsvRow(row, *h);
  REQUIRE(l);
  return *l;
}

// The statistics the DHCPv6 server declares for configured subnets 1 and 2.
void declareSubnets(stats::StatsStore& stats) {
  for (int id : {1, 2}) {
    std::string p = "subnet[" + std::to_string(id) + "].";
    stats.set(p + "assigned-nas", 0);
    stats.set(p + "declined-addresses", 0);
    stats.set(p + "assigned-pds", 0);
  }
  stats.set("declined-addresses", 0);
}

Lease6 withState(Lease6 l, LeaseState s) {
  l.state = s;
  return l;
}

}  // namespace

// Each pair: a row kea-dhcp6 2.2.0 wrote and what its lease6-get returned for that lease
// (2026-11-29).
TEST_CASE("lease6ToJson gives Kea 2.2's lease6-get arguments for the same lease") {
  struct Case {
    const char* row;
    const char* kea_json;
  };
  const Case cases[] = {
      {"3000:1::,01:02:03:04,3600,1795900100,1,1800,2,7,56,0,0,pd.example,aa:bb:cc:dd:ee:ff,0,,1,"
       "0",
       R"({ "cltt": 1795896500, "duid": "01:02:03:04", "fqdn-fwd": false, "fqdn-rev": false,
            "hostname": "pd.example", "hw-address": "aa:bb:cc:dd:ee:ff", "iaid": 7,
            "ip-address": "3000:1::", "preferred-lft": 1800, "prefix-len": 56, "state": 0,
            "subnet-id": 1, "type": "IA_PD", "valid-lft": 3600 })"},
      {"2001:db8:1::101,0a:0b:0c,4294967295,6090905195,1,4294967295,0,1,128,0,0,,,1,,,",
       R"({ "cltt": 1795937900, "duid": "0a:0b:0c", "fqdn-fwd": false, "fqdn-rev": false,
            "hostname": "", "iaid": 1, "ip-address": "2001:db8:1::101",
            "preferred-lft": 4294967295, "state": 1, "subnet-id": 1, "type": "IA_NA",
            "valid-lft": 4294967295 })"},
      {"2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,4000,1795900285,1,3000,0,1234,"
       "128,1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1 },1,0",
       R"({ "cltt": 1795896285, "duid": "00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f",
            "fqdn-fwd": true, "fqdn-rev": false, "hostname": "h,x.example.",
            "hw-address": "1a:1b:1c:1d:1e:1f", "iaid": 1234, "ip-address": "2001:db8:1::100",
            "preferred-lft": 3000, "state": 0, "subnet-id": 1, "type": "IA_NA",
            "user-context": { "a": 1 }, "valid-lft": 4000 })"},
      {"2001:db8:1::122,01:02:05,4000,1795900285,1,3000,1,5,128,0,0,ta,,0,,,",
       R"({ "cltt": 1795896285, "duid": "01:02:05", "fqdn-fwd": false, "fqdn-rev": false,
            "hostname": "ta", "iaid": 5, "ip-address": "2001:db8:1::122", "preferred-lft": 3000,
            "state": 0, "subnet-id": 1, "type": "IA_TA", "valid-lft": 4000 })"},
  };
  for (const auto& c : cases) {
    INFO(c.row);
    cc::Value ours = lease6ToJson(fromKeaRow(c.row));
    INFO(ours.toJson());
    CHECK(ours == cc::parseJson(c.kea_json));
  }
}

TEST_CASE("lease6ToJson adds pool-id when set and shows a non-JSON context as text") {
  Lease6 l = makePd("2001:db8:8::", 48, "01", 1, 3);
  l.pool_id = 4;
  l.user_context = "{not json}";
  cc::Value v = lease6ToJson(l);
  CHECK(v.at("pool-id").asInt() == 4);
  CHECK(v.at("prefix-len").asInt() == 48);
  CHECK(v.at("type").asString() == "IA_PD");
  CHECK(v.at("user-context").asString() == "{not json}");
  CHECK_FALSE(v.contains("hw-address"));
  l.pool_id = 0;
  CHECK_FALSE(lease6ToJson(l).contains("pool-id"));
}

TEST_CASE("Lease6 type names round-trip as lease6 commands spell them") {
  for (Lease6Type t : {Lease6Type::kNa, Lease6Type::kTa, Lease6Type::kPd}) {
    CHECK(parseLease6Type(lease6TypeName(t)) == t);
  }
  CHECK(lease6TypeName(Lease6Type::kPd) == "IA_PD");
  CHECK_FALSE(parseLease6Type("ia_na"));
  CHECK_FALSE(parseLease6Type("IA_XX"));
}

TEST_CASE("Adding and deleting an address lease moves the subnet's assigned-nas") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease6 a = makeLease6("2001:db8::10", "01", 1, 1);
  updateLeaseStats6(stats, nullptr, &a);
  CHECK(stats.value("subnet[1].assigned-nas") == 1);
  CHECK(stats.value("subnet[1].assigned-pds") == 0);
  CHECK(stats.value("subnet[2].assigned-nas") == 0);
  CHECK(stats.value("declined-addresses") == 0);
  updateLeaseStats6(stats, &a, nullptr);
  CHECK(stats.value("subnet[1].assigned-nas") == 0);
}

TEST_CASE("A prefix lease moves assigned-pds only; a temporary address moves nothing") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease6 pd = makePd("2001:db8:8::", 48, "01", 1, 2);
  updateLeaseStats6(stats, nullptr, &pd);
  CHECK(stats.value("subnet[2].assigned-pds") == 1);
  CHECK(stats.value("subnet[2].assigned-nas") == 0);
  Lease6 ta = makeLease6("2001:db8::20", "02", 1, 2, 0, 100, Lease6Type::kTa);
  updateLeaseStats6(stats, nullptr, &ta);
  CHECK(stats.value("subnet[2].assigned-nas") == 0);
  CHECK(stats.value("subnet[2].assigned-pds") == 1);
  updateLeaseStats6(stats, &pd, nullptr);
  CHECK(stats.value("subnet[2].assigned-pds") == 0);
}

TEST_CASE("A declined address counts as assigned and as declined, in its subnet and globally") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease6 a = makeLease6("2001:db8::11", "01", 1, 1);
  updateLeaseStats6(stats, nullptr, &a);
  Lease6 d = withState(a, LeaseState::kDeclined);
  updateLeaseStats6(stats, &a, &d);
  CHECK(stats.value("subnet[1].assigned-nas") == 1);
  CHECK(stats.value("subnet[1].declined-addresses") == 1);
  CHECK(stats.value("declined-addresses") == 1);
  SECTION("reclaimed: no longer counted anywhere") {
    Lease6 r = withState(d, LeaseState::kExpiredReclaimed);
    updateLeaseStats6(stats, &d, &r);
    CHECK(stats.value("subnet[1].assigned-nas") == 0);
    CHECK(stats.value("subnet[1].declined-addresses") == 0);
    CHECK(stats.value("declined-addresses") == 0);
  }
  SECTION("moved to another subnet") {
    Lease6 m = d;
    m.subnet_id = SubnetId(2);
    updateLeaseStats6(stats, &d, &m);
    CHECK(stats.value("subnet[1].assigned-nas") == 0);
    CHECK(stats.value("subnet[1].declined-addresses") == 0);
    CHECK(stats.value("subnet[2].assigned-nas") == 1);
    CHECK(stats.value("subnet[2].declined-addresses") == 1);
    CHECK(stats.value("declined-addresses") == 1);
  }
  SECTION("a lifetime change writes no sample") {
    Lease6 h = d;
    h.valid_lifetime = 100;
    auto before = stats.get("subnet[1].assigned-nas");
    updateLeaseStats6(stats, &d, &h);
    CHECK(stats.get("subnet[1].assigned-nas") == before);
  }
}

TEST_CASE("DHCPv6 statistics of a subnet that is not configured are not created") {
  stats::StatsStore stats;
  declareSubnets(stats);
  Lease6 d = withState(makeLease6("2001:db8::5", "00", 1, 9), LeaseState::kDeclined);
  Lease6 pd = makePd("2001:db8:9::", 48, "01", 1, 9);
  updateLeaseStats6(stats, nullptr, &d);
  updateLeaseStats6(stats, nullptr, &pd);
  CHECK_FALSE(stats.exists("subnet[9].assigned-nas"));
  CHECK_FALSE(stats.exists("subnet[9].declined-addresses"));
  CHECK_FALSE(stats.exists("subnet[9].assigned-pds"));
  CHECK(stats.value("declined-addresses") == 1);
}

TEST_CASE("Counts kept by updateLeaseStats6 equal a recount from the lease6 store") {
  MemfileConfig mc;
  mc.persist = false;
  MemfileLeaseStore6 store(mc);
  stats::StatsStore stats;
  declareSubnets(stats);
  auto apply = [&](const std::optional<Lease6>& before, const Lease6* after) {
    if (after) {
      REQUIRE((before ? store.update(*after) : store.add(*after)));
    } else {
      REQUIRE(store.remove(before->type, before->address));
    }
    updateLeaseStats6(stats, before ? &*before : nullptr, after);
  };
  Lease6 a = makeLease6("2001:db8::20", "20", 1, 1);
  Lease6 b = makeLease6("2001:db8::21", "21", 1, 1);
  Lease6 c = withState(makeLease6("2001:db8::22", "00", 1, 1), LeaseState::kDeclined);
  Lease6 p = makePd("2001:db8:8::", 48, "23", 1, 2);
  Lease6 q = makePd("2001:db8:9::", 48, "24", 1, 1);
  for (const Lease6* l : {&a, &b, &c, &p, &q}) {
    apply(std::nullopt, l);
  }
  Lease6 b2 = withState(b, LeaseState::kExpiredReclaimed);
  apply(b, &b2);
  Lease6 p2 = p;
  p2.subnet_id = SubnetId(1);
  apply(p, &p2);
  apply(a, nullptr);

  auto counts = store.countBySubnet();
  for (uint32_t id : {1u, 2u}) {
    std::string pre = "subnet[" + std::to_string(id) + "].";
    auto it = counts.find(SubnetId(id));
    SubnetLeaseCounts6 c6 = it == counts.end() ? SubnetLeaseCounts6{} : it->second;
    CHECK(stats.value(pre + "assigned-nas") == int64_t(c6.assigned_nas + c6.declined_nas));
    CHECK(stats.value(pre + "declined-addresses") == int64_t(c6.declined_nas));
    CHECK(stats.value(pre + "assigned-pds") == int64_t(c6.assigned_pds));
  }
  CHECK(stats.value("subnet[1].assigned-nas") == 1);  // c (declined)
  CHECK(stats.value("subnet[1].assigned-pds") == 2);  // q and p2
  CHECK(stats.value("subnet[2].assigned-pds") == 0);
  CHECK(stats.value("declined-addresses") == 1);
}
