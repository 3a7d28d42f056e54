// SqlLeaseStore4: every method on each backend (SQLite in the 'unit' run, PostgreSQL and
// MariaDB in the 'db' run).

#include <catch2/catch.hpp>

#include "../leases/lease_test_util.h"
#include "sql_test_db.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

IPv4Address ip(const char* text) { return IPv4Address::fromString(text); }

}  // namespace

TEMPLATE_TEST_CASE("SQL store adds, updates and removes leases", "[sql]", Sqlite, Postgresql,
                   Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  Lease4 a = makeLease("192.0.2.10", "00:00:00:00:00:01", 1);
  CHECK(store->add(a));
  CHECK_FALSE(store->add(a));
  Lease4 other_holder = makeLease("192.0.2.10", "00:00:00:00:00:02", 2);
  CHECK_FALSE(store->add(other_holder));
  CHECK(store->size() == 1);
  REQUIRE(store->get(a.address));
  CHECK(*store->get(a.address) == a);

  // Storing the same values again still finds the lease (MySQL reports "0 rows changed").
  CHECK(store->update(a));
  a.valid_lifetime = 7200;
  a.hostname = "renewed.example.";
  CHECK(store->update(a));
  CHECK(*store->get(a.address) == a);
  CHECK_FALSE(store->update(makeLease("192.0.2.11", "00:00:00:00:00:02", 1)));
  CHECK_FALSE(store->get(ip("192.0.2.11")));

  CHECK(store->remove(a.address));
  CHECK_FALSE(store->remove(a.address));
  CHECK_FALSE(store->get(a.address));
  CHECK(store->size() == 0);
}

TEMPLATE_TEST_CASE("SQL store refuses leases memfile refuses", "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  CHECK_THROWS_AS(store->add(makeLease("0.0.0.0", "00:00:00:00:00:01", 1)), Error);
  Lease4 bad = makeLease("192.0.2.1", "00:00:00:00:00:01", 1);
  bad.state = static_cast<LeaseState>(9);
  CHECK_THROWS_WITH(store->add(bad), Catch::Contains("unknown state 9"));
  CHECK(store->size() == 0);
}

TEMPLATE_TEST_CASE("SQL store keeps every Lease4 field exactly", "[sql]", Sqlite, Postgresql,
                   Mysql) {
  TestDb<TestType> db;
  auto store = db.store();

  Lease4 full;
  full.address = ip("255.255.255.254");  // above 2^31: the column holds unsigned values
  full.hwaddr = HwAddr(1, Bytes{0x00, 0xff, 0x10, 0x00, 0x7f, 0x80, 0x01, 0x02});
  full.client_id = ClientId(Bytes{0x00, 0x00, 0xff, 0x27, 0x5c, 0x22, 0x3a});  // NULs ' \ " :
  full.valid_lifetime = 4000;
  full.cltt = 1795896285;
  full.subnet_id = SubnetId(0xfffffffe);
  full.fqdn_fwd = true;
  full.fqdn_rev = true;
  full.hostname = "host,with,commas.example.";
  full.state = LeaseState::kReleased;
  full.user_context = R"({"comment": "it's \"quoted\", with, commas", "list": [1, 2], "x": "\\"})";
  full.pool_id = 0xffffffff;

  Lease4 infinite = makeLease("10.0.0.1", "", 7, 1700000000, kInfiniteLifetime, "",
                              LeaseState::kDeclined);  // empty hwaddr, infinite lifetime
  infinite.client_id = ClientId(Bytes{0x01});

  Lease4 plain = makeLease("10.0.0.2", "aa:bb:cc:dd:ee:ff", 0, 0, 1);  // cltt 0, subnet 0

  for (const Lease4& l : {full, infinite, plain}) {
    INFO(l);
    REQUIRE(store->add(l));
    auto back = store->get(l.address);
    REQUIRE(back);
    CHECK(*back == l);
  }
  CHECK(store->get(infinite.address)->infinite());
  CHECK(store->get(infinite.address)->hwaddr.empty());
  CHECK(store->getAll() == std::vector<Lease4>{infinite, plain, full});

  // A second connection (another server) reads the same values.
  auto second = db.store();
  CHECK(second->getAll() == std::vector<Lease4>{infinite, plain, full});
}

TEMPLATE_TEST_CASE("SQL store finds leases by hardware address, client-id, hostname and subnet",
                   "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  store->add(makeLease("10.0.0.3", "aa:00:00:00:00:01", 1, 1000, 3600, "Printer.example.",
                       LeaseState::kDefault, "01:aa:00:00:00:00:01"));
  store->add(makeLease("10.0.0.1", "aa:00:00:00:00:01", 2, 1000, 3600, "laptop"));
  store->add(makeLease("10.0.0.2", "aa:00:00:00:00:02", 1, 1000, 3600, "printer.EXAMPLE.",
                       LeaseState::kDefault, "01:aa:00:00:00:00:02"));
  store->add(makeLease("10.0.0.4", "", 1, 1000, 3600, "", LeaseState::kDeclined));
  store->add(makeLease("10.0.0.5", "aa:00:00:00:00:05", 3, 1000, 3600, "\xc3\x84.example."));
  store->add(makeLease("10.0.0.6", "aa:00:00:00:00:06", 3, 1000, 3600, "printer.example. "));

  CHECK(addressesOf(store->getByHwAddr(HwAddr::fromString("aa:00:00:00:00:01"))) ==
        std::vector<std::string>{"10.0.0.1", "10.0.0.3"});
  // The hardware type is not compared.
  CHECK(addressesOf(store->getByHwAddr(HwAddr::fromString("aa:00:00:00:00:02", 6))) ==
        std::vector<std::string>{"10.0.0.2"});
  CHECK(store->getByHwAddr(HwAddr()).empty());
  CHECK(store->getByHwAddr(HwAddr::fromString("aa:00:00:00:00")).empty());
  CHECK(addressesOf(store->getByClientId(ClientId::fromString("01:aa:00:00:00:00:02"))) ==
        std::vector<std::string>{"10.0.0.2"});
  CHECK(store->getByClientId(ClientId::fromString("01:aa")).empty());
  CHECK(store->getByClientId(ClientId()).empty());

  // ASCII case folding only, no trailing-space padding: exactly memfile's comparison.
  CHECK(addressesOf(store->getByHostname("PRINTER.example.")) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.3"});
  CHECK(addressesOf(store->getByHostname("printer.example. ")) ==
        std::vector<std::string>{"10.0.0.6"});
  CHECK(store->getByHostname("printer").empty());
  CHECK(store->getByHostname("").empty());
  CHECK(addressesOf(store->getByHostname("\xc3\x84.example.")) ==
        std::vector<std::string>{"10.0.0.5"});
  CHECK(store->getByHostname("\xc3\xa4.example.").empty());  // non-ASCII case differs

  CHECK(addressesOf(store->getBySubnet(SubnetId(1))) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.3", "10.0.0.4"});
  CHECK(addressesOf(store->getBySubnet(SubnetId(2))) == std::vector<std::string>{"10.0.0.1"});
  CHECK(store->getBySubnet(SubnetId(9)).empty());

  // Updates move leases between keys.
  auto l = *store->get(ip("10.0.0.1"));
  l.hwaddr = HwAddr::fromString("aa:00:00:00:00:09");
  l.subnet_id = SubnetId(1);
  l.hostname = "renamed";
  CHECK(store->update(l));
  CHECK(addressesOf(store->getByHwAddr(HwAddr::fromString("aa:00:00:00:00:01"))) ==
        std::vector<std::string>{"10.0.0.3"});
  CHECK(addressesOf(store->getByHwAddr(HwAddr::fromString("aa:00:00:00:00:09"))) ==
        std::vector<std::string>{"10.0.0.1"});
  CHECK(store->getByHostname("laptop").empty());
  CHECK(store->getBySubnet(SubnetId(2)).empty());
  CHECK(store->getBySubnet(SubnetId(1)).size() == 4);
}

TEMPLATE_TEST_CASE("SQL store pages through leases in address order", "[sql]", Sqlite, Postgresql,
                   Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  for (const char* a : {"192.0.2.9", "10.0.0.1", "255.255.255.255", "192.0.2.1", "172.16.0.1",
                        "192.0.2.10", "0.0.0.1"}) {
    store->add(makeLease(a, "00:00:00:00:00:01", 1));
  }
  CHECK(addressesOf(store->getPage(IPv4Address(), 2)) ==
        std::vector<std::string>{"0.0.0.1", "10.0.0.1"});
  CHECK(addressesOf(store->getPage(ip("10.0.0.1"), 2)) ==
        std::vector<std::string>{"172.16.0.1", "192.0.2.1"});
  CHECK(addressesOf(store->getPage(ip("192.0.2.1"), 3)) ==
        std::vector<std::string>{"192.0.2.9", "192.0.2.10", "255.255.255.255"});
  CHECK(addressesOf(store->getPage(ip("192.0.2.5"), 100)) ==
        std::vector<std::string>{"192.0.2.9", "192.0.2.10", "255.255.255.255"});
  CHECK(store->getPage(ip("255.255.255.255"), 2).empty());
  CHECK(store->getPage(IPv4Address(), 0).empty());
  CHECK(store->getPage(IPv4Address(), SIZE_MAX).size() == 7);
  CHECK(addressesOf(store->getAll()) ==
        std::vector<std::string>{"0.0.0.1", "10.0.0.1", "172.16.0.1", "192.0.2.1", "192.0.2.9",
                                 "192.0.2.10", "255.255.255.255"});
}

TEMPLATE_TEST_CASE("SQL getExpired returns unreclaimed expired leases, oldest first, up to max",
                   "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  store->add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1, 1000, 500));  // expires 1500
  store->add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1, 1000, 100));  // 1100
  store->add(makeLease("10.0.0.3", "00:00:00:00:00:03", 1, 1000, 300, "",
                       LeaseState::kDeclined));  // 1300
  store->add(makeLease("10.0.0.4", "00:00:00:00:00:04", 1, 1000, 200, "",
                       LeaseState::kExpiredReclaimed));                   // 1200, reclaimed
  store->add(makeLease("10.0.0.5", "00:00:00:00:00:05", 1, 1000, 5000));  // 6000
  store->add(makeLease("10.0.0.6", "00:00:00:00:00:06", 1, 0, kInfiniteLifetime));  // never
  store->add(makeLease("10.0.0.7", "00:00:00:00:00:07", 1, 1000, 200, "",
                       LeaseState::kReleased));                          // 1200
  store->add(makeLease("10.0.0.0", "00:00:00:00:00:08", 1, 1100, 100));  // 1200, lower address

  CHECK(addressesOf(store->getExpired(2000, 0)) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.0", "10.0.0.7", "10.0.0.3", "10.0.0.1"});
  CHECK(addressesOf(store->getExpired(2000, 2)) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.0"});
  CHECK(addressesOf(store->getExpired(1300, 0)) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.0", "10.0.0.7"});  // expire < now
  CHECK(store->getExpired(1100, 0).empty());
  CHECK(store->getExpired(int64_t{1} << 40, 0).size() == 6);

  auto l = *store->get(ip("10.0.0.2"));
  l.state = LeaseState::kExpiredReclaimed;
  store->update(l);
  CHECK(addressesOf(store->getExpired(2000, 1)) == std::vector<std::string>{"10.0.0.0"});
}

TEMPLATE_TEST_CASE(
    "SQL removeReclaimedBefore deletes only reclaimed leases expired before the "
    "cutoff",
    "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  store->add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1, 1000, 100, "",
                       LeaseState::kExpiredReclaimed));  // 1100
  store->add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1, 1000, 900, "",
                       LeaseState::kExpiredReclaimed));                  // 1900
  store->add(makeLease("10.0.0.3", "00:00:00:00:00:03", 1, 1000, 100));  // expired, not reclaimed
  CHECK(store->removeReclaimedBefore(1900) == 1);
  CHECK_FALSE(store->get(ip("10.0.0.1")));
  CHECK(store->get(ip("10.0.0.2")));
  CHECK(store->get(ip("10.0.0.3")));
  CHECK(store->removeReclaimedBefore(1900) == 0);
  CHECK(store->removeReclaimedBefore(1901) == 1);
  CHECK(addressesOf(store->getAll()) == std::vector<std::string>{"10.0.0.3"});
}

TEMPLATE_TEST_CASE("SQL wipe deletes one subnet's leases", "[sql]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  for (uint32_t i = 1; i <= 300; ++i) {
    Lease4 l = makeLease("10.0.0.1", "00:00:00:00:00:01", i % 3 ? 1 : 2);
    l.address = IPv4Address(0x0a000000 + i);
    REQUIRE(store->add(l));
  }
  CHECK(store->wipe(SubnetId(1)) == 200);
  CHECK(store->wipe(SubnetId(1)) == 0);
  CHECK(store->size() == 100);
  CHECK(store->getBySubnet(SubnetId(1)).empty());
  CHECK(store->getBySubnet(SubnetId(2)).size() == 100);
}

TEMPLATE_TEST_CASE("SQL countBySubnet counts assigned and declined leases per subnet", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  CHECK(store->countBySubnet().empty());
  store->add(makeLease("10.0.0.1", "00:00:00:00:00:01", 1));
  store->add(makeLease("10.0.0.2", "00:00:00:00:00:02", 1));
  store->add(makeLease("10.0.0.3", "", 1, 1000, 100, "", LeaseState::kDeclined));
  store->add(
      makeLease("10.0.0.4", "00:00:00:00:00:04", 2, 1000, 100, "", LeaseState::kExpiredReclaimed));
  store->add(makeLease("10.0.0.5", "00:00:00:00:00:05", 3, 1000, 100, "", LeaseState::kReleased));
  store->add(makeLease("10.0.0.6", "00:00:00:00:00:06", 4));
  store->add(makeLease("10.0.0.7", "", 5, 1000, 100, "", LeaseState::kDeclined));
  CHECK(store->countBySubnet() == std::map<SubnetId, SubnetLeaseCounts>{{SubnetId(1), {2, 1}},
                                                                        {SubnetId(4), {1, 0}},
                                                                        {SubnetId(5), {0, 1}}});
  auto l = *store->get(ip("10.0.0.1"));
  l.state = LeaseState::kDeclined;
  store->update(l);
  store->remove(ip("10.0.0.6"));
  store->remove(ip("10.0.0.7"));
  CHECK(store->countBySubnet() == std::map<SubnetId, SubnetLeaseCounts>{{SubnetId(1), {1, 2}}});
}

TEMPLATE_TEST_CASE("SQL updateIf replaces a lease only while it is still the expected one", "[sql]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = db.store();
  Lease4 old = makeLease("192.0.2.20", "00:00:00:00:00:01", 1, 1700000000, 60, "",
                         LeaseState::kDefault, "01:00:00:00:00:00:01");
  REQUIRE(store->add(old));
  Lease4 taker = makeLease("192.0.2.20", "00:00:00:00:00:02", 1, 1700001000, 3600);
  Lease4 other = makeLease("192.0.2.20", "00:00:00:00:00:03", 1, 1700001000, 3600);

  // Each compared field on its own makes the stored lease "not the expected one".
  Lease4 stale = old;
  stale.hwaddr = HwAddr::fromString("00:00:00:00:00:09");
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.client_id = ClientId();
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.cltt += 1;
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.state = LeaseState::kExpiredReclaimed;
  CHECK_FALSE(store->updateIf(taker, stale));
  CHECK(*store->get(old.address) == old);

  // Fields outside the holder and term do not matter (same expire from another cltt/lifetime).
  Lease4 same_holder = old;
  same_holder.cltt -= 40;
  same_holder.valid_lifetime += 40;
  same_holder.hostname = "whatever";
  CHECK(store->updateIf(taker, same_holder));
  CHECK(*store->get(old.address) == taker);
  CHECK_FALSE(store->updateIf(other, old));  // a second taker that read `old` loses
  CHECK(*store->get(old.address) == taker);
  CHECK(store->updateIf(taker, taker));  // unchanged values still count as applied

  // Another address, or a lease that is gone: nothing changes.
  CHECK_FALSE(store->updateIf(makeLease("192.0.2.22", "00:00:00:00:00:02", 1), taker));
  CHECK_FALSE(store->get(ip("192.0.2.22")));
  REQUIRE(store->remove(taker.address));
  CHECK_FALSE(store->updateIf(other, taker));
  CHECK(store->size() == 0);
}
