#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <thread>

#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

MemfileConfig configFor(const TempDir& dir) {
  MemfileConfig c;
  c.path = dir.file("kea-leases6.csv");
  return c;
}

IPv6Address ip(const char* text) { return IPv6Address::fromString(text); }

const std::string kHeader22 =
    "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"
    "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source\n";

}  // namespace

TEST_CASE("Lease6 store adds, updates and removes leases by type and address") {
  TempDir dir;
  MemfileLeaseStore6 store(configFor(dir));
  Lease6 a = makeLease6("2001:db8::10", "00:01:02", 1, 1);
  CHECK(store.add(a));
  CHECK_FALSE(store.add(a));
  CHECK(store.size() == 1);
  REQUIRE(store.get(Lease6Type::kNa, a.address));
  CHECK(*store.get(Lease6Type::kNa, a.address) == a);
  // Another type at the same address is another lease: not found, and cannot be added.
  CHECK_FALSE(store.get(Lease6Type::kPd, a.address));
  CHECK_FALSE(store.add(makePd("2001:db8::10", 124, "00:09", 1, 1)));
  CHECK_FALSE(store.remove(Lease6Type::kPd, a.address));

  a.valid_lifetime = 7200;
  a.hostname = "renewed.example.";
  CHECK(store.update(a));
  CHECK(store.get(Lease6Type::kNa, a.address)->hostname == "renewed.example.");
  Lease6 as_pd = a;
  as_pd.type = Lease6Type::kPd;
  CHECK_FALSE(store.update(as_pd));
  CHECK_FALSE(store.update(makeLease6("2001:db8::11", "00:01:02", 1, 1)));

  CHECK(store.remove(Lease6Type::kNa, a.address));
  CHECK_FALSE(store.remove(Lease6Type::kNa, a.address));
  CHECK_FALSE(store.get(Lease6Type::kNa, a.address));
  CHECK(store.size() == 0);
}

TEST_CASE("Lease6 updateIf replaces only the lease it was given") {
  TempDir dir;
  MemfileLeaseStore6 store(configFor(dir));
  Lease6 old = makeLease6("2001:db8::20", "00:01", 1, 1, 1700000000, 60);
  REQUIRE(store.add(old));
  Lease6 taker = makeLease6("2001:db8::20", "00:02", 5, 1, 1700001000, 3600);
  Lease6 other = makeLease6("2001:db8::20", "00:03", 5, 1, 1700001000, 3600);
  CHECK(store.updateIf(taker, old));
  CHECK_FALSE(store.updateIf(other, old));  // the lease is no longer `old`
  CHECK(store.get(Lease6Type::kNa, old.address)->duid == taker.duid);
  // Same DUID but another IAID is another holder.
  Lease6 other_ia = taker;
  other_ia.iaid = 6;
  CHECK_FALSE(store.updateIf(other, other_ia));
  // An expected lease of another address or type changes nothing.
  Lease6 expected_pd = taker;
  expected_pd.type = Lease6Type::kPd;
  CHECK_FALSE(store.updateIf(other, expected_pd));
  CHECK_FALSE(store.updateIf(makeLease6("2001:db8::21", "00:02", 5, 1),
                             makeLease6("2001:db8::21", "00:01", 1, 1)));
  CHECK(lines(readFile(dir.file("kea-leases6.csv"))).size() == 3);  // header, add, takeover
}

TEST_CASE("Lease6 store refuses leases the lease file could not represent") {
  TempDir dir;
  MemfileLeaseStore6 store(configFor(dir));
  CHECK_THROWS_AS(store.add(makeLease6("::", "01", 1, 1)), Error);
  CHECK_THROWS_WITH(store.add(makeLease6("2001:db8::1", "01", 1, 1, 100, 0)),
                    Catch::Contains("valid lifetime 0"));
  Lease6 no_duid = makeLease6("2001:db8::1", "01", 1, 1);
  no_duid.duid = Duid();
  CHECK_THROWS_WITH(store.add(no_duid), Catch::Contains("DUID"));
  CHECK_THROWS_AS(store.add(makePd("2001:db8::", 0, "01", 1, 1)), Error);
  Lease6 bad_ctx = makeLease6("2001:db8::1", "01", 1, 1);
  bad_ctx.user_context = "[1]";
  CHECK_THROWS_WITH(store.add(bad_ctx), Catch::Contains("JSON map"));
  CHECK(store.size() == 0);
  CHECK(lines(readFile(dir.file("kea-leases6.csv"))).size() == 1);
}

TEST_CASE(
    "Lease6 journal rows are exactly Kea's, deletions included, and reload to the same state") {
  TempDir dir;
  auto cfg = configFor(dir);
  Lease6 na = makeLease6("2001:db8:1::100", "00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f", 1234, 1,
                         1795896285, 4000);
  na.preferred_lifetime = 3000;
  na.fqdn_fwd = true;
  na.hostname = "h,x.example.";
  na.hwaddr = HwAddr::fromString("1a:1b:1c:1d:1e:1f");
  na.user_context = "{ \"a\": 1, \"b\": \"x,y&z\" }";
  Lease6 pd = makePd("3000:1::", 56, "01:02:03:04", 7, 1, 1795896400, 3600);
  Lease6 declined = makeLease6("2001:db8:1::101", "0a:0b:0c", 1, 1, 1795937900, kInfiniteLifetime);
  declined.state = LeaseState::kDeclined;
  {
    MemfileLeaseStore6 store(cfg);
    REQUIRE(store.add(na));
    REQUIRE(store.add(pd));
    REQUIRE(store.add(declined));
    REQUIRE(store.remove(Lease6Type::kNa, na.address));
    pd.cltt += 100;
    pd.hwaddr = HwAddr::fromString("aa:bb:cc:dd:ee:ff");
    pd.hostname = "pd.example";
    REQUIRE(store.update(pd));
  }
  // The rows Kea 2.2 wrote for the same operations (see lease6_csv_test.cc), plus pool_id.
  CHECK(readFile(cfg.path) ==
        lease6CsvHeader() +
            "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,4000,1795900285,1,3000,0,"
            "1234,128,1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": "
            "\"x&#x2cy&#x26z\" },1,0,0\n"
            "3000:1::,01:02:03:04,3600,1795900000,1,1800,2,7,56,0,0,,,0,,,,0\n"
            "2001:db8:1::101,0a:0b:0c,4294967295,6090905195,1,4294967295,0,1,128,0,0,,,1,,,,0\n"
            "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,0,1795896285,1,0,0,"
            "1234,128,1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": "
            "\"x&#x2cy&#x26z\" },1,0,0\n"
            "3000:1::,01:02:03:04,3600,1795900100,1,1800,2,7,56,0,0,pd.example,"
            "aa:bb:cc:dd:ee:ff,0,,1,0,0\n");
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(reloaded.size() == 2);
  CHECK_FALSE(reloaded.get(Lease6Type::kNa, na.address));
  CHECK(*reloaded.get(Lease6Type::kPd, pd.address) == pd);
  CHECK(*reloaded.get(Lease6Type::kNa, declined.address) == declined);
  CHECK(reloaded.loadReport().row_errors == 0);
}

TEST_CASE("A Kea 2.2 lease6 file loads (last row wins) and is moved aside for its older header") {
  TempDir dir;
  auto cfg = configFor(dir);
  // Exactly what kea-dhcp6 2.2.0 wrote: add NA, add PD, add declined, delete NA, update PD,
  // add NA again with another context.
  std::string kea =
      kHeader22 +
      "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,4000,1795900285,1,3000,0,1234,"
      "128,1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": \"x&#x2cy&#x26z\" "
      "},1,0\n"
      "3000:1::,01:02:03:04,3600,1795900000,1,1800,2,7,56,0,0,,,0,,,\n"
      "2001:db8:1::101,0a:0b:0c,4294967295,6090905195,1,4294967295,0,1,128,0,0,,,1,,,\n"
      "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,0,1795896285,1,0,0,1234,128,1,"
      "0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": \"x&#x2cy&#x26z\" },1,0\n"
      "3000:1::,01:02:03:04,3600,1795900100,1,1800,2,7,56,0,0,pd.example,aa:bb:cc:dd:ee:ff,0,,1,"
      "0\n"
      "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,4000,1795900285,1,3000,0,1234,"
      "128,1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1 },1,0\n";
  writeFile(cfg.path, kea);
  MemfileLeaseStore6 store(cfg);
  CHECK(store.size() == 3);
  auto na = store.get(Lease6Type::kNa, ip("2001:db8:1::100"));
  REQUIRE(na);
  CHECK(na->user_context == "{ \"a\": 1 }");
  CHECK(na->iaid == 1234);
  auto pd = store.get(Lease6Type::kPd, ip("3000:1::"));
  REQUIRE(pd);
  CHECK(pd->hostname == "pd.example");
  CHECK(pd->expire() == 1795900100);
  CHECK(store.get(Lease6Type::kNa, ip("2001:db8:1::101"))->state == LeaseState::kDeclined);
  // Rows of 18 columns must not go under Kea 2.2's 17-column header: the file becomes .1.
  CHECK(readFile(cfg.path + ".1") == kea);
  CHECK(readFile(cfg.path) == lease6CsvHeader());
  CHECK_FALSE(store.loadReport().notes.empty());
}

TEST_CASE("Lease6 load reads .2, .1 then the lease file, and reports malformed rows") {
  TempDir dir;
  auto cfg = configFor(dir);
  writeFile(cfg.path + ".2", lease6CsvHeader() +
                                 formatLease6CsvRow(makeLease6("2001:db8::1", "01", 1, 1)) +
                                 formatLease6CsvRow(makeLease6("2001:db8::2", "02", 1, 1)));
  writeFile(cfg.path + ".1",
            lease6CsvHeader() + formatLease6CsvDeletionRow(makeLease6("2001:db8::1", "01", 1, 1)));
  writeFile(cfg.path, lease6CsvHeader() + "garbage\n" +
                          formatLease6CsvRow(makeLease6("2001:db8::3", "03", 1, 2)));
  {
    MemfileLeaseStore6 store(cfg);
    CHECK(addressesOf(store.getAll()) == std::vector<std::string>{"2001:db8::2", "2001:db8::3"});
    const auto& rep = store.loadReport();
    CHECK(rep.files == std::vector<std::string>{cfg.path + ".2", cfg.path + ".1", cfg.path});
    CHECK(rep.row_errors == 1);
    REQUIRE(rep.issues.size() == 1);
    CHECK(rep.issues[0].file == cfg.path);
    CHECK(rep.issues[0].line == 2);
  }
  cfg.max_row_errors = 0;
  writeFile(cfg.path, lease6CsvHeader() + "bad\nbad\n");
  cfg.max_row_errors = 1;
  CHECK_THROWS_WITH(MemfileLeaseStore6(cfg), Catch::Contains("max-row-errors"));
  writeFile(cfg.path, "address,hwaddr,client_id,valid_lifetime,expire,subnet_id\n");
  CHECK_THROWS_WITH(MemfileLeaseStore6(cfg), Catch::Contains("not a DHCPv6 lease file"));
}

TEST_CASE("Two lease6 stores cannot share one lease file") {
  TempDir dir;
  MemfileLeaseStore6 first(configFor(dir));
  CHECK_THROWS_WITH(MemfileLeaseStore6(configFor(dir)), Catch::Contains("in use"));
}

TEST_CASE("A client's IA is found by DUID, IAID and type; the DUID alone finds all its leases") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore6 store(cfg);
  REQUIRE(store.add(makeLease6("2001:db8::3", "00:01", 1, 1)));
  REQUIRE(store.add(makeLease6("2001:db8::1", "00:01", 1, 1)));
  REQUIRE(store.add(makeLease6("2001:db8::2", "00:01", 2, 1)));
  REQUIRE(store.add(makePd("2001:db8:100::", 56, "00:01", 1, 1)));
  REQUIRE(store.add(makeLease6("2001:db8::4", "00:02", 1, 1)));
  CHECK(addressesOf(store.getByDuidIaid(Duid::fromString("00:01"), 1, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::1", "2001:db8::3"});
  CHECK(addressesOf(store.getByDuidIaid(Duid::fromString("00:01"), 1, Lease6Type::kPd)) ==
        std::vector<std::string>{"2001:db8:100::"});
  CHECK(addressesOf(store.getByDuidIaid(Duid::fromString("00:01"), 2, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::2"});
  CHECK(store.getByDuidIaid(Duid::fromString("00:03"), 1, Lease6Type::kNa).empty());
  CHECK(store.getByDuidIaid(Duid(), 1, Lease6Type::kNa).empty());
  CHECK(addressesOf(store.getByDuid(Duid::fromString("00:01"))) ==
        std::vector<std::string>{"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8:100::"});
  // A renewal that moves the lease to another client re-indexes it.
  Lease6 moved = makeLease6("2001:db8::3", "00:02", 9, 1);
  REQUIRE(store.update(moved));
  CHECK(addressesOf(store.getByDuid(Duid::fromString("00:02"))) ==
        std::vector<std::string>{"2001:db8::3", "2001:db8::4"});
  CHECK(addressesOf(store.getByDuidIaid(Duid::fromString("00:01"), 1, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::1"});
}

TEST_CASE("Lease6 lookups by hostname ignore case; by subnet follow address order") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore6 store(cfg);
  Lease6 a = makeLease6("2001:db8::20", "01", 1, 2);
  a.hostname = "Host.Example.";
  Lease6 b = makeLease6("2001:db8::5", "02", 1, 2);
  b.hostname = "host.example.";
  REQUIRE(store.add(a));
  REQUIRE(store.add(b));
  REQUIRE(store.add(makeLease6("2001:db8::1", "03", 1, 3)));
  CHECK(addressesOf(store.getByHostname("HOST.example.")) ==
        std::vector<std::string>{"2001:db8::5", "2001:db8::20"});
  CHECK(store.getByHostname("").empty());
  CHECK(addressesOf(store.getBySubnet(SubnetId(2))) ==
        std::vector<std::string>{"2001:db8::5", "2001:db8::20"});
  CHECK(store.getBySubnet(SubnetId(9)).empty());
  REQUIRE(store.remove(Lease6Type::kNa, b.address));
  CHECK(addressesOf(store.getByHostname("host.example.")) ==
        std::vector<std::string>{"2001:db8::20"});
}

TEST_CASE("Lease6 pages walk every lease once in address order") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore6 store(cfg);
  std::vector<std::string> all = {"2001:db8::1",    "2001:db8::2", "2001:db8::ff",
                                  "2001:db8:0:1::",  // a prefix among addresses
                                  "2001:db8:1::1",  "3000::1"};
  for (size_t i = all.size(); i-- > 0;) {
    Lease6 l = i == 3 ? makePd(all[i], 64, "01", 1, 1) : makeLease6(all[i], "01", 1, 1);
    REQUIRE(store.add(l));
  }
  std::vector<std::string> seen;
  IPv6Address cursor;
  size_t pages = 0;
  while (true) {
    auto page = store.getPage(cursor, 4);
    if (page.empty()) {
      break;
    }
    ++pages;
    CHECK(page.size() <= 4);
    for (const auto& l : page) {
      seen.push_back(l.address.toString());
    }
    cursor = page.back().address;
  }
  CHECK(seen == all);
  CHECK(pages == 2);
  CHECK(store.getPage(IPv6Address(), 0).empty());
  CHECK(addressesOf(store.getPage(ip("2001:db8::2"), 2)) ==
        std::vector<std::string>{"2001:db8::ff", "2001:db8:0:1::"});
}

TEST_CASE("Lease6 expiry: oldest first, reclaimed and infinite leases skipped, limits honoured") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore6 store(cfg);
  REQUIRE(store.add(makeLease6("2001:db8::1", "01", 1, 1, 1000, 100)));  // expires 1100
  REQUIRE(store.add(makeLease6("2001:db8::2", "02", 1, 1, 900, 100)));   // 1000
  REQUIRE(store.add(makePd("2001:db8:8::", 48, "03", 1, 1, 950, 100)));  // 1050
  REQUIRE(store.add(makeLease6("2001:db8::4", "04", 1, 1, 0, kInfiniteLifetime)));
  Lease6 reclaimed = makeLease6("2001:db8::5", "05", 1, 1, 100, 100);
  reclaimed.state = LeaseState::kExpiredReclaimed;
  REQUIRE(store.add(reclaimed));
  CHECK(addressesOf(store.getExpired(1101, 0)) ==
        std::vector<std::string>{"2001:db8::2", "2001:db8:8::", "2001:db8::1"});
  CHECK(addressesOf(store.getExpired(1101, 2)) ==
        std::vector<std::string>{"2001:db8::2", "2001:db8:8::"});
  CHECK(store.getExpired(1000, 0).empty());  // expire < now, strictly
  // Reclaiming moves a lease out of getExpired and into removeReclaimedBefore's reach.
  Lease6 l2 = *store.get(Lease6Type::kNa, ip("2001:db8::2"));
  l2.state = LeaseState::kExpiredReclaimed;
  REQUIRE(store.update(l2));
  CHECK(addressesOf(store.getExpired(1101, 0)) ==
        std::vector<std::string>{"2001:db8:8::", "2001:db8::1"});
  CHECK(store.removeReclaimedBefore(1000) == 1);  // only ::5 (expired 200)
  CHECK(store.removeReclaimedBefore(1001) == 1);  // ::2 (expired 1000)
  CHECK(store.size() == 3);
}

TEST_CASE("Lease6 wipe deletes one subnet's leases and journals each deletion") {
  TempDir dir;
  auto cfg = configFor(dir);
  {
    MemfileLeaseStore6 store(cfg);
    REQUIRE(store.add(makeLease6("2001:db8::1", "01", 1, 1)));
    REQUIRE(store.add(makePd("2001:db8:8::", 48, "02", 1, 1)));
    REQUIRE(store.add(makeLease6("2001:db8::3", "03", 1, 2)));
    CHECK(store.wipe(SubnetId(1)) == 2);
    CHECK(store.wipe(SubnetId(1)) == 0);
    CHECK(addressesOf(store.getAll()) == std::vector<std::string>{"2001:db8::3"});
    CHECK(store.countBySubnet().count(SubnetId(1)) == 0);
  }
  CHECK(lines(readFile(cfg.path)).size() == 6);  // header, 3 adds, 2 deletions
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(addressesOf(reloaded.getAll()) == std::vector<std::string>{"2001:db8::3"});
}

TEST_CASE("Lease6 countBySubnet counts assigned and declined addresses and assigned prefixes") {
  TempDir dir;
  auto cfg = configFor(dir);
  std::map<SubnetId, SubnetLeaseCounts6> expected;
  {
    MemfileLeaseStore6 store(cfg);
    REQUIRE(store.add(makeLease6("2001:db8::1", "01", 1, 1)));
    REQUIRE(store.add(makeLease6("2001:db8::2", "02", 1, 1)));
    Lease6 declined = makeLease6("2001:db8::3", "00", 1, 1);
    declined.state = LeaseState::kDeclined;
    REQUIRE(store.add(declined));
    REQUIRE(store.add(makePd("2001:db8:8::", 48, "03", 1, 1)));
    REQUIRE(store.add(makePd("2001:db8:9::", 48, "04", 1, 2)));
    Lease6 released = makeLease6("2001:db8::5", "05", 1, 2);
    released.state = LeaseState::kReleased;
    REQUIRE(store.add(released));
    REQUIRE(store.add(makeLease6("2001:db8::6", "06", 1, 3, 0, 100, Lease6Type::kTa)));
    expected = {{SubnetId(1), {2, 1, 1}}, {SubnetId(2), {0, 0, 1}}};
    CHECK(store.countBySubnet() == expected);
    // A state change moves the counts; a deletion takes them away.
    Lease6 back = declined;
    back.state = LeaseState::kDefault;
    REQUIRE(store.update(back));
    CHECK(store.countBySubnet().at(SubnetId(1)) == SubnetLeaseCounts6{3, 0, 1});
    REQUIRE(store.update(declined));
    REQUIRE(store.remove(Lease6Type::kPd, ip("2001:db8:9::")));
    expected = {{SubnetId(1), {2, 1, 1}}};
    CHECK(store.countBySubnet() == expected);
  }
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(reloaded.countBySubnet() == expected);
}

TEST_CASE("Lease6 store stays consistent under concurrent writers and readers") {
  TempDir dir;
  auto cfg = configFor(dir);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  {
    MemfileLeaseStore6 store(cfg);
    std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe: count, check later
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          char addr[64];
          std::snprintf(addr, sizeof(addr), "2001:db8:%x::%x", t, i + 1);
          Lease6 l = makeLease6(addr, "00:0" + std::to_string(t), static_cast<uint32_t>(i), 1);
          failures += store.add(l) ? 0 : 1;
          failures += store.getByDuidIaid(l.duid, l.iaid, Lease6Type::kNa).size() == 1 ? 0 : 1;
          if (i % 2) {
            failures += store.remove(Lease6Type::kNa, l.address) ? 0 : 1;
          }
        }
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    CHECK(failures == 0);
    CHECK(store.size() == kThreads * kPerThread / 2);
    CHECK(store.countBySubnet().at(SubnetId(1)).assigned_nas == kThreads * kPerThread / 2);
  }
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(reloaded.size() == kThreads * kPerThread / 2);
  CHECK(reloaded.loadReport().row_errors == 0);
}
