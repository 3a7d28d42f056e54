#include <catch2/catch.hpp>
#include <thread>

#include "lease_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

MemfileConfig configFor(const TempDir& dir) {
  MemfileConfig c;
  c.path = dir.file("kea-leases4.csv");
  return c;
}

IPv4Address ip(const char* text) { return IPv4Address::fromString(text); }

}  // namespace

TEST_CASE("Memfile store adds, updates and removes leases with the expected results") {
  TempDir dir;
  MemfileLeaseStore4 store(configFor(dir));
  Lease4 a = makeLease("192.0.2.10", "00:00:00:00:00:01", 1);
  CHECK(store.add(a));
  CHECK_FALSE(store.add(a));
  CHECK(store.size() == 1);
  REQUIRE(store.get(a.address));
  CHECK(*store.get(a.address) == a);

  a.valid_lifetime = 7200;
  a.hostname = "renewed.example.";
  CHECK(store.update(a));
  CHECK(store.get(a.address)->hostname == "renewed.example.");
  CHECK_FALSE(store.update(makeLease("192.0.2.11", "00:00:00:00:00:02", 1)));

  CHECK(store.remove(a.address));
  CHECK_FALSE(store.remove(a.address));
  CHECK_FALSE(store.get(a.address));
  CHECK(store.size() == 0);
}

TEST_CASE("Memfile updateIf replaces only the lease it was given") {
  TempDir dir;
  MemfileLeaseStore4 store(configFor(dir));
  Lease4 old = makeLease("192.0.2.20", "00:00:00:00:00:01", 1, 1700000000, 60);
  REQUIRE(store.add(old));
  Lease4 taker = makeLease("192.0.2.20", "00:00:00:00:00:02", 1, 1700001000, 3600);
  Lease4 other = makeLease("192.0.2.20", "00:00:00:00:00:03", 1, 1700001000, 3600);
  CHECK(store.updateIf(taker, old));
  // A second taker that read the same old lease loses: the lease is no longer `old`.
  CHECK_FALSE(store.updateIf(other, old));
  CHECK(store.get(old.address)->hwaddr == taker.hwaddr);
  // Absent lease, or an expected lease of another address: nothing changes.
  CHECK_FALSE(store.updateIf(makeLease("192.0.2.21", "00:00:00:00:00:02", 1), makeLease("192.0.2.21", "00:00:00:00:00:01", 1)));
  CHECK_FALSE(store.updateIf(taker, makeLease("192.0.2.22", "00:00:00:00:00:02", 1, 1700001000, 3600)));
  // The journal has the add and the one takeover only.
  auto rows = lines(readFile(dir.file("kea-leases4.csv")));
  CHECK(rows.size() == 3);
}

TEST_CASE("Memfile store refuses leases the lease file could not represent") {
  TempDir dir;
  MemfileLeaseStore4 store(configFor(dir));
  CHECK_THROWS_AS(store.add(makeLease("0.0.0.0", "00:00:00:00:00:01", 1)), Error);
  CHECK_THROWS_WITH(store.add(makeLease("192.0.2.1", "00:00:00:00:00:01", 1, 100, 0)),
                    Catch::Contains("valid lifetime 0"));
  CHECK(store.size() == 0);
}

TEST_CASE("Memfile journal rows are exactly Kea's, deletions included") {
  TempDir dir;
  auto cfg = configFor(dir);
  {
    MemfileLeaseStore4 store(cfg);
    Lease4 l = makeLease("192.0.2.50", "1a:1b:1c:1d:1e:1f", 1, 1795896285, 4000, "h,x.example.");
    store.add(l);
    l.cltt += 100;
    store.update(l);
    store.remove(l.address);
  }
  CHECK(lines(readFile(cfg.path)) ==
        std::vector<std::string>{
            "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
            "state,user_context,pool_id",
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,,0",
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900385,1,0,0,h&#x2cx.example.,0,,0",
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,0,1795896385,1,0,0,h&#x2cx.example.,0,,0"});
}

TEST_CASE("Each change reaches the file before the method returns") {
  TempDir dir;
  auto cfg = configFor(dir);
  MemfileLeaseStore4 store(cfg);
  store.add(makeLease("192.0.2.1", "00:00:00:00:00:01", 1));
  CHECK(lines(readFile(cfg.path)).size() == 2);
  store.remove(ip("192.0.2.1"));
  CHECK(lines(readFile(cfg.path)).size() == 3);
}

TEST_CASE("Memfile indexes find leases by hardware address, client-id, hostname and subnet") {
  TempDir dir;
  MemfileLeaseStore4 store(configFor(dir));
  store.add(makeLease("10.0.0.3", "aa:00:00:00:00:01", 1, 1000, 3600, "Printer.example.",
                      LeaseState::kDefault, "01:aa:00:00:00:00:01"));
  store.add(makeLease("10.0.0.1", "aa:00:00:00:00:01", 2, 1000, 3600, "laptop"));
  store.add(makeLease("10.0.0.2", "aa:00:00:00:00:02", 1, 1000, 3600, "printer.EXAMPLE.",
                      LeaseState::kDefault, "01:aa:00:00:00:00:02"));
  store.add(makeLease("10.0.0.4", "", 1, 1000, 3600, "", LeaseState::kDeclined));

  CHECK(addressesOf(store.getByHwAddr(HwAddr::fromString("aa:00:00:00:00:01"))) ==
        std::vector<std::string>{"10.0.0.1", "10.0.0.3"});
  CHECK(addressesOf(store.getByHwAddr(HwAddr::fromString("aa:00:00:00:00:02", 6))) ==
        std::vector<std::string>{"10.0.0.2"});
  CHECK(store.getByHwAddr(HwAddr()).empty());
  CHECK(store.getByHwAddr(HwAddr::fromString("aa:00:00:00:00:03")).empty());
  CHECK(addressesOf(store.getByClientId(ClientId::fromString("01:aa:00:00:00:00:02"))) ==
        std::vector<std::string>{"10.0.0.2"});
  CHECK(store.getByClientId(ClientId::fromString("01:aa")).empty());
  CHECK(addressesOf(store.getByHostname("PRINTER.example.")) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.3"});
  CHECK(store.getByHostname("printer").empty());
  CHECK(store.getByHostname("").empty());
  CHECK(addressesOf(store.getBySubnet(SubnetId(1))) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.4"});
  CHECK(addressesOf(store.getBySubnet(SubnetId(2))) == std::vector<std::string>{"10.0.0.1"});
  CHECK(store.getBySubnet(SubnetId(3)).empty());

  // Updates move leases between index entries.
  auto l = *store.get(ip("10.0.0.1"));
  l.hwaddr = HwAddr::fromString("aa:00:00:00:00:09");
  l.subnet_id = SubnetId(1);
  l.hostname = "renamed";
  store.update(l);
  CHECK(addressesOf(store.getByHwAddr(HwAddr::fromString("aa:00:00:00:00:01"))) ==
        std::vector<std::string>{"10.0.0.3"});
  CHECK(addressesOf(store.getByHwAddr(HwAddr::fromString("aa:00:00:00:00:09"))) ==
        std::vector<std::string>{"10.0.0.1"});
  CHECK(store.getByHostname("laptop").empty());
  CHECK(addressesOf(store.getByHostname("renamed")) == std::vector<std::string>{"10.0.0.1"});
  CHECK(store.getBySubnet(SubnetId(2)).empty());
  CHECK(store.getBySubnet(SubnetId(1)).size() == 4);
  store.remove(ip("10.0.0.3"));
  CHECK(store.getByHostname("printer.example.").size() == 1);
  CHECK(store.getByClientId(ClientId::fromString("01:aa:00:00:00:00:01")).empty());
}

TEST_CASE("Indexes stay right with many leases sharing one key and heavy churn") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore4 store(cfg);
  // 3000 leases: 1000 share one hostname, every lease's hwaddr is shared by 3 leases.
  for (uint32_t i = 1; i <= 3000; ++i) {
    Lease4 l;
    l.address = IPv4Address(0x0a000000 + i);
    l.hwaddr = HwAddr(
        1, Bytes{0, 1, 2, 3, static_cast<uint8_t>(i % 1000 >> 8), static_cast<uint8_t>(i % 1000)});
    l.hostname = i % 3 == 0 ? "android" : "host" + std::to_string(i);
    l.subnet_id = SubnetId(i % 7);
    l.cltt = 1000;
    l.valid_lifetime = 100;
    store.add(l);
  }
  CHECK(store.getByHostname("Android").size() == 1000);
  CHECK(store.getBySubnet(SubnetId(3)).size() == 3000 / 7 + (3000 % 7 >= 3 ? 1 : 0));
  for (uint32_t i = 1; i <= 3000; i += 2) {
    store.remove(IPv4Address(0x0a000000 + i));
  }
  CHECK(store.getByHostname("android").size() == 500);
  size_t total = 0;
  for (uint32_t s = 0; s < 7; ++s) {
    for (const auto& l : store.getBySubnet(SubnetId(s))) {
      CHECK(l.subnet_id == SubnetId(s));
      ++total;
    }
  }
  CHECK(total == 1500);
  auto same_hw = store.getByHwAddr(HwAddr(1, Bytes{0, 1, 2, 3, 0, 2}));
  CHECK(addressesOf(same_hw) == std::vector<std::string>{"10.0.0.2", "10.0.3.234", "10.0.7.210"});
}

TEST_CASE("Paging walks leases in address order strictly after the given address") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore4 store(cfg);
  for (const char* a : {"192.0.2.9", "10.0.0.1", "192.0.2.1", "172.16.0.1", "192.0.2.10"}) {
    store.add(makeLease(a, "00:00:00:00:00:01", 1));
  }
  CHECK(addressesOf(store.getPage(IPv4Address(), 2)) ==
        std::vector<std::string>{"10.0.0.1", "172.16.0.1"});
  CHECK(addressesOf(store.getPage(ip("172.16.0.1"), 2)) ==
        std::vector<std::string>{"192.0.2.1", "192.0.2.9"});
  CHECK(addressesOf(store.getPage(ip("192.0.2.9"), 2)) == std::vector<std::string>{"192.0.2.10"});
  CHECK(store.getPage(ip("192.0.2.10"), 2).empty());
  CHECK(store.getPage(IPv4Address(), 0).empty());
  CHECK(addressesOf(store.getAll()) ==
        std::vector<std::string>{"10.0.0.1", "172.16.0.1", "192.0.2.1", "192.0.2.9", "192.0.2.10"});
}

TEST_CASE("getExpired returns unreclaimed expired leases, oldest first, up to max") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore4 store(cfg);
  store.add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1, 1000, 500));  // expires 1500
  store.add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1, 1000, 100));  // 1100
  store.add(makeLease("10.0.0.3", "00:00:00:00:00:03", 1, 1000, 300, "",
                      LeaseState::kDeclined));  // 1300
  store.add(makeLease("10.0.0.4", "00:00:00:00:00:04", 1, 1000, 200, "",
                      LeaseState::kExpiredReclaimed));                   // 1200, already reclaimed
  store.add(makeLease("10.0.0.5", "00:00:00:00:00:05", 1, 1000, 5000));  // 6000, not expired
  store.add(makeLease("10.0.0.6", "00:00:00:00:00:06", 1, 0, kInfiniteLifetime));  // never
  store.add(makeLease("10.0.0.7", "00:00:00:00:00:07", 1, 1000, 200, "",
                      LeaseState::kReleased));  // 1200

  CHECK(addressesOf(store.getExpired(2000, 0)) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.7", "10.0.0.3", "10.0.0.1"});
  CHECK(addressesOf(store.getExpired(2000, 2)) == std::vector<std::string>{"10.0.0.2", "10.0.0.7"});
  CHECK(addressesOf(store.getExpired(1300, 0)) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.7"});  // expire < now, not <=
  CHECK(store.getExpired(1100, 0).empty());
  CHECK(store.getExpired(int64_t{1} << 40, 0).size() == 5);

  // Reclaiming (a state change) takes a lease out of the result.
  auto l = *store.get(ip("10.0.0.2"));
  l.state = LeaseState::kExpiredReclaimed;
  store.update(l);
  CHECK(addressesOf(store.getExpired(2000, 1)) == std::vector<std::string>{"10.0.0.7"});
}

TEST_CASE("removeReclaimedBefore deletes only reclaimed leases that expired before the cutoff") {
  TempDir dir;
  auto cfg = configFor(dir);
  MemfileLeaseStore4 store(cfg);
  store.add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1, 1000, 100, "",
                      LeaseState::kExpiredReclaimed));  // 1100
  store.add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1, 1000, 900, "",
                      LeaseState::kExpiredReclaimed));                  // 1900
  store.add(makeLease("10.0.0.3", "00:00:00:00:00:03", 1, 1000, 100));  // expired, not reclaimed
  CHECK(store.removeReclaimedBefore(1900) == 1);
  CHECK_FALSE(store.get(ip("10.0.0.1")));
  CHECK(store.get(ip("10.0.0.2")));
  CHECK(store.get(ip("10.0.0.3")));
  CHECK(store.removeReclaimedBefore(1900) == 0);
  CHECK(store.removeReclaimedBefore(1901) == 1);
  CHECK(store.size() == 1);
  CHECK(lines(readFile(cfg.path)).back() == "10.0.0.2,00:00:00:00:00:02,,0,1000,1,0,0,,2,,0");
}

TEST_CASE("wipe deletes a subnet's leases and journals each deletion") {
  TempDir dir;
  auto cfg = configFor(dir);
  {
    MemfileLeaseStore4 store(cfg);
    for (uint32_t i = 1; i <= 5000; ++i) {
      Lease4 l = makeLease("10.0.0.1", "00:00:00:00:00:01", i % 2 ? 1 : 2);
      l.address = IPv4Address(0x0a000000 + i);
      store.add(l);
    }
    CHECK(store.wipe(SubnetId(1)) == 2500);
    CHECK(store.wipe(SubnetId(1)) == 0);
    CHECK(store.size() == 2500);
    CHECK(store.getBySubnet(SubnetId(1)).empty());
    CHECK(store.countBySubnet().count(SubnetId(1)) == 0);
  }
  MemfileLeaseStore4 reloaded(cfg);
  CHECK(reloaded.size() == 2500);
  CHECK(reloaded.getBySubnet(SubnetId(1)).empty());
}

TEST_CASE("countBySubnet counts assigned and declined leases per subnet") {
  MemfileConfig cfg;
  cfg.persist = false;
  MemfileLeaseStore4 store(cfg);
  store.add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1));
  store.add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1));
  store.add(makeLease("10.0.0.3", "", 1, 1000, 100, "", LeaseState::kDeclined));
  store.add(
      makeLease("10.0.0.4", "00:00:00:00:00:04", 2, 1000, 100, "", LeaseState::kExpiredReclaimed));
  store.add(makeLease("10.0.0.5", "00:00:00:00:00:05", 3, 1000, 100, "", LeaseState::kReleased));
  store.add(makeLease("10.0.0.6", "00:00:00:00:00:06", 4));
  auto counts = store.countBySubnet();
  CHECK(counts ==
        std::map<SubnetId, SubnetLeaseCounts>{{SubnetId(1), {2, 1}}, {SubnetId(4), {1, 0}}});
  auto l = *store.get(ip("10.0.0.1"));
  l.state = LeaseState::kDeclined;
  store.update(l);
  store.remove(ip("10.0.0.6"));
  CHECK(store.countBySubnet() == std::map<SubnetId, SubnetLeaseCounts>{{SubnetId(1), {1, 2}}});
}

TEST_CASE("persist=false keeps leases in memory and touches no file") {
  TempDir dir;
  MemfileConfig cfg = configFor(dir);
  cfg.persist = false;
  {
    MemfileLeaseStore4 store(cfg);
    store.add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1));
    store.remove(ip("10.0.0.1"));
    store.add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1));
    CHECK(store.startLfc() == LfcStart::kNotPersisted);
    CHECK(store.size() == 1);
  }
  CHECK(dir.list().empty());
}

TEST_CASE("A new store on the same file reloads identical leases") {
  TempDir dir;
  auto cfg = configFor(dir);
  std::vector<Lease4> expected;
  {
    MemfileLeaseStore4 store(cfg);
    for (uint32_t i = 1; i <= 300; ++i) {
      Lease4 l = makeLease("10.0.0.1", "00:00:00:00:01:00", i % 5, 1700000000 + i, 3600 + i,
                           "host-" + std::to_string(i) + ",x&y", static_cast<LeaseState>(i % 4),
                           i % 2 ? "01:02:03" : "");
      l.address = IPv4Address(0x0a000000 + i);
      l.hwaddr.bytes[5] = static_cast<uint8_t>(i);
      l.fqdn_fwd = i % 3 == 0;
      l.fqdn_rev = i % 3 == 1;
      l.pool_id = i % 11;
      if (i % 10 == 0) {
        l.user_context = "{ \"n\": " + std::to_string(i) + ", \"s\": \"a,b\" }";
      }
      store.add(l);
    }
    for (uint32_t i = 1; i <= 300; i += 3) {
      auto l = *store.get(IPv4Address(0x0a000000 + i));
      l.cltt += 60;
      l.hostname = "renewed";
      store.update(l);
    }
    for (uint32_t i = 2; i <= 300; i += 7) {
      store.remove(IPv4Address(0x0a000000 + i));
    }
    expected = store.getAll();
    REQUIRE(store.loadReport().files.empty());
  }
  MemfileLeaseStore4 reloaded(cfg);
  CHECK(reloaded.getAll() == expected);
  CHECK(reloaded.loadReport().files == std::vector<std::string>{cfg.path});
  CHECK(reloaded.loadReport().row_errors == 0);
  auto renewed = std::count_if(expected.begin(), expected.end(),
                               [](const Lease4& l) { return l.hostname == "renewed"; });
  CHECK(renewed > 50);
  CHECK(reloaded.getByHostname("renewed").size() == static_cast<size_t>(renewed));
}

TEST_CASE("Loading keeps the last row per address and honours deletion rows") {
  TempDir dir;
  auto cfg = configFor(dir);
  writeFile(cfg.path, lease4CsvHeader() +
                          "10.0.0.1,00:00:00:00:00:01,,3600,1000003600,1,0,0,first,0,,0\n"
                          "10.0.0.2,00:00:00:00:00:02,,3600,1000003600,1,0,0,,0,,0\n"
                          "10.0.0.1,00:00:00:00:00:01,,3600,1000007200,1,0,0,second,0,,0\n"
                          "10.0.0.2,00:00:00:00:00:02,,0,1000000000,1,0,0,,0,,0\n"
                          "10.0.0.3,00:00:00:00:00:03,,0,1000000000,1,0,0,,0,,0\n"
                          "not a row\n"
                          "10.0.0.3,00:00:00:00:00:03,,3600,1000003600,2,0,0,,0,,0\n");
  MemfileLeaseStore4 store(cfg);
  CHECK(addressesOf(store.getAll()) == std::vector<std::string>{"10.0.0.1", "10.0.0.3"});
  CHECK(store.get(ip("10.0.0.1"))->hostname == "second");
  CHECK(store.get(ip("10.0.0.1"))->cltt == 1000003600);
  CHECK(store.get(ip("10.0.0.3"))->subnet_id == SubnetId(2));
  const auto& report = store.loadReport();
  CHECK(report.rows == 7);
  CHECK(report.row_errors == 1);
  REQUIRE(report.issues.size() == 1);
  CHECK(report.issues[0].file == cfg.path);
  CHECK(report.issues[0].line == 7);
}

TEST_CASE("Too many malformed rows fail the load when max_row_errors is set") {
  TempDir dir;
  auto cfg = configFor(dir);
  writeFile(cfg.path,
            lease4CsvHeader() + "x\ny\n10.0.0.1,00:00:00:00:00:01,,3600,1000003600,1,0,0,,0,,0\n");
  cfg.max_row_errors = 1;
  CHECK_THROWS_WITH(MemfileLeaseStore4(cfg), Catch::Contains("max-row-errors"));
  cfg.max_row_errors = 2;
  MemfileLeaseStore4 store(cfg);
  CHECK(store.size() == 1);
}

TEST_CASE("A lease file with an older header is moved aside and reloads completely") {
  TempDir dir;
  auto cfg = configFor(dir);
  writeFile(cfg.path,
            "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
            "state,user_context\n"
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,\n");
  {
    MemfileLeaseStore4 store(cfg);
    CHECK(store.size() == 1);
    CHECK(exists(cfg.path + ".1"));
    CHECK(readFile(cfg.path) == lease4CsvHeader());
    store.add(makeLease("192.0.2.51", "00:00:00:00:00:01", 1));
  }
  MemfileLeaseStore4 store(cfg);
  CHECK(addressesOf(store.getAll()) == std::vector<std::string>{"192.0.2.50", "192.0.2.51"});
  CHECK(store.get(ip("192.0.2.50"))->hostname == "h,x.example.");
}

TEST_CASE("A torn last line is kept separate from the rows appended after it") {
  TempDir dir;
  auto cfg = configFor(dir);
  writeFile(cfg.path,
            lease4CsvHeader() + "10.0.0.1,00:00:00:00:00:01,,3600,1000003600,1,0,0,,0,,0");
  {
    MemfileLeaseStore4 store(cfg);
    store.add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1));
    REQUIRE_FALSE(store.loadReport().notes.empty());
  }
  MemfileLeaseStore4 store(cfg);
  CHECK(store.size() == 2);
  CHECK(store.loadReport().row_errors == 0);
}

TEST_CASE("A second store cannot open a lease file in use") {
  TempDir dir;
  auto cfg = configFor(dir);
  {
    MemfileLeaseStore4 first(cfg);
    CHECK_THROWS_WITH(
        MemfileLeaseStore4(cfg),
        Catch::Contains("is in use by another process (pid " + std::to_string(::getpid())));
  }
  // Released with the first store.
  MemfileLeaseStore4 again(cfg);
  CHECK(again.size() == 0);
}

TEST_CASE("Concurrent writers all end up in the lease file") {
  TempDir dir;
  auto cfg = configFor(dir);
  std::vector<Lease4> expected;
  {
    MemfileLeaseStore4 store(cfg);
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < 4; ++t) {
      threads.emplace_back([&store, t] {
        for (uint32_t i = 1; i <= 500; ++i) {
          Lease4 l = makeLease("10.0.0.1", "00:00:00:00:00:01", t);
          l.address = IPv4Address(0x0a000000 + t * 1000 + i);
          store.add(l);
          if (i % 4 == 0) {
            store.remove(l.address);
          } else if (i % 4 == 1) {
            l.cltt += 5;
            store.update(l);
          }
          (void)store.getBySubnet(SubnetId(t));
        }
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    expected = store.getAll();
    CHECK(expected.size() == 4 * 375);
  }
  MemfileLeaseStore4 reloaded(cfg);
  CHECK(reloaded.getAll() == expected);
}
