// The LeaseStore6 contract: the same test bodies run on memfile and on SqlLeaseStore6 (SQLite
// and memfile in the 'unit' run, PostgreSQL and MariaDB in the 'db' run), so that both stores
// answer every call alike.

#include "lease6_store_contract.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <thread>

#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

IPv6Address ip(const char* text) { return IPv6Address::fromString(text); }

}  // namespace

#define LEASE6_STORES Memfile, Sqlite, Postgresql, Mysql

TEMPLATE_TEST_CASE("LeaseStore6 adds, updates and removes leases by type and address", "[lease6]",
                   LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  Lease6 a = makeLease6("2001:db8::10", "00:01:02", 1, 1);
  CHECK(store->add(a));
  CHECK_FALSE(store->add(a));
  CHECK(store->size() == 1);
  REQUIRE(store->get(Lease6Type::kNa, a.address));
  CHECK(*store->get(Lease6Type::kNa, a.address) == a);
  // Another type at the same address is another lease: not found, and cannot be added.
  CHECK_FALSE(store->get(Lease6Type::kPd, a.address));
  CHECK_FALSE(store->add(makePd("2001:db8::10", 124, "00:09", 1, 1)));
  CHECK_FALSE(store->remove(Lease6Type::kPd, a.address));
  CHECK(store->size() == 1);

  CHECK(store->update(a));  // the same values again still find the lease
  a.valid_lifetime = 7200;
  a.hostname = "renewed.example.";
  CHECK(store->update(a));
  CHECK(*store->get(Lease6Type::kNa, a.address) == a);
  Lease6 as_pd = a;
  as_pd.type = Lease6Type::kPd;
  CHECK_FALSE(store->update(as_pd));
  CHECK(store->get(Lease6Type::kNa, a.address)->type == Lease6Type::kNa);
  CHECK_FALSE(store->update(makeLease6("2001:db8::11", "00:01:02", 1, 1)));
  CHECK_FALSE(store->get(Lease6Type::kNa, ip("2001:db8::11")));

  CHECK(store->remove(Lease6Type::kNa, a.address));
  CHECK_FALSE(store->remove(Lease6Type::kNa, a.address));
  CHECK_FALSE(store->get(Lease6Type::kNa, a.address));
  CHECK(store->size() == 0);
}

TEMPLATE_TEST_CASE("LeaseStore6 updateIf replaces a lease only while it is the expected one",
                   "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  Lease6 old = makeLease6("2001:db8::20", "00:01", 1, 1, 1700000000, 60);
  REQUIRE(store->add(old));
  Lease6 taker = makeLease6("2001:db8::20", "00:02", 5, 1, 1700001000, 3600);
  Lease6 other = makeLease6("2001:db8::20", "00:03", 5, 1, 1700001000, 3600);

  // Each compared field on its own makes the stored lease "not the expected one".
  Lease6 stale = old;
  stale.duid = Duid::fromString("00:09");
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.iaid = 2;
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.cltt += 1;
  CHECK_FALSE(store->updateIf(taker, stale));
  stale = old;
  stale.state = LeaseState::kExpiredReclaimed;
  CHECK_FALSE(store->updateIf(taker, stale));
  CHECK(*store->get(Lease6Type::kNa, old.address) == old);

  // Fields outside the holder and term do not matter (same expire from another cltt/lifetime).
  Lease6 same_holder = old;
  same_holder.cltt -= 40;
  same_holder.valid_lifetime += 40;
  same_holder.hostname = "whatever";
  same_holder.subnet_id = SubnetId(7);
  CHECK(store->updateIf(taker, same_holder));
  CHECK(*store->get(Lease6Type::kNa, old.address) == taker);
  CHECK_FALSE(store->updateIf(other, old));  // a second taker that read `old` loses
  CHECK(*store->get(Lease6Type::kNa, old.address) == taker);
  CHECK(store->updateIf(taker, taker));  // unchanged values still count as applied

  // An expected lease of another address or type changes nothing.
  Lease6 expected_pd = taker;
  expected_pd.type = Lease6Type::kPd;
  CHECK_FALSE(store->updateIf(other, expected_pd));
  Lease6 other_pd = other;
  other_pd.type = Lease6Type::kPd;
  CHECK_FALSE(store->updateIf(other_pd, expected_pd));
  CHECK_FALSE(store->updateIf(makeLease6("2001:db8::21", "00:02", 5, 1), taker));
  CHECK_FALSE(store->get(Lease6Type::kNa, ip("2001:db8::21")));
  CHECK(*store->get(Lease6Type::kNa, old.address) == taker);
  REQUIRE(store->remove(Lease6Type::kNa, taker.address));
  CHECK_FALSE(store->updateIf(other, taker));
  CHECK(store->size() == 0);
}

TEMPLATE_TEST_CASE("LeaseStore6 refuses leases it cannot store", "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  CHECK_THROWS_AS(store->add(makeLease6("::", "01", 1, 1)), Error);
  CHECK_THROWS_WITH(store->add(makeLease6("2001:db8::1", "01", 1, 1, 100, 0)),
                    Catch::Contains("valid lifetime 0"));
  Lease6 no_duid = makeLease6("2001:db8::1", "01", 1, 1);
  no_duid.duid = Duid();
  CHECK_THROWS_WITH(store->add(no_duid), Catch::Contains("DUID"));
  Lease6 long_duid = makeLease6("2001:db8::1", "01", 1, 1);
  long_duid.duid = Duid(Bytes(131, 0xab));
  CHECK_THROWS_WITH(store->add(long_duid), Catch::Contains("DUID"));
  CHECK_THROWS_AS(store->add(makePd("2001:db8::", 0, "01", 1, 1)), Error);
  CHECK_THROWS_AS(store->add(makePd("2001:db8::", 129, "01", 1, 1)), Error);
  Lease6 bad_type = makeLease6("2001:db8::1", "01", 1, 1);
  bad_type.type = static_cast<Lease6Type>(3);
  CHECK_THROWS_WITH(store->add(bad_type), Catch::Contains("unknown lease type 3"));
  Lease6 bad_state = makeLease6("2001:db8::1", "01", 1, 1);
  bad_state.state = static_cast<LeaseState>(9);
  CHECK_THROWS_WITH(store->add(bad_state), Catch::Contains("unknown state 9"));
  Lease6 long_hw = makeLease6("2001:db8::1", "01", 1, 1);
  long_hw.hwaddr = HwAddr(1, Bytes(21, 1));
  CHECK_THROWS_WITH(store->add(long_hw), Catch::Contains("hardware address"));
  Lease6 bad_ctx = makeLease6("2001:db8::1", "01", 1, 1);
  bad_ctx.user_context = "[1]";
  CHECK_THROWS_WITH(store->add(bad_ctx), Catch::Contains("JSON map"));
  CHECK(store->size() == 0);
  // An update with a refused lease changes nothing either.
  Lease6 good = makeLease6("2001:db8::1", "01", 1, 1);
  REQUIRE(store->add(good));
  CHECK_THROWS_AS(store->update(bad_ctx), Error);
  CHECK_THROWS_AS(store->updateIf(bad_ctx, good), Error);
  CHECK(*store->get(Lease6Type::kNa, good.address) == good);
}

TEMPLATE_TEST_CASE("LeaseStore6 keeps every Lease6 field exactly", "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  Lease6 full = makeLease6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "00:00:ff:27:5c:22:3a",
                           0xffffffff, 0xfffffffe, 1795896285, 0xfffffffe);
  full.preferred_lifetime = 0xfffffff0;
  full.pool_id = 0xffffffff;
  full.fqdn_fwd = true;
  full.fqdn_rev = true;
  full.hostname = "host,with,commas.example.";
  full.hwaddr = HwAddr(6, Bytes{0x00, 0xff, 0x10, 0x00, 0x7f, 0x80});
  full.hwaddr_source = hwaddr_source::kClientAddrRelay | hwaddr_source::kDocsisModem;
  full.state = LeaseState::kReleased;
  full.user_context = R"({"comment": "it's \"quoted\", with, commas", "x": "\\"})";

  Lease6 pd = makePd("2001:db8:ff00::", 40, "01:02:03:04", 7, 0, 0, kInfiniteLifetime);
  pd.state = LeaseState::kDeclined;
  Lease6 ta = makeLease6("::1", "00", 0, 1, 1, 1, Lease6Type::kTa);

  for (const Lease6& l : {full, pd, ta}) {
    INFO(l);
    REQUIRE(store->add(l));
    auto back = store->get(l.type, l.address);
    REQUIRE(back);
    CHECK(*back == l);
  }
  CHECK(store->get(Lease6Type::kPd, pd.address)->infinite());
  CHECK(store->get(Lease6Type::kPd, pd.address)->hwaddr.empty());
  CHECK(store->getAll() == std::vector<Lease6>{ta, pd, full});
}

TEMPLATE_TEST_CASE("LeaseStore6 finds an IA by DUID, IAID and type; the DUID finds all leases",
                   "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  REQUIRE(store->add(makeLease6("2001:db8::3", "00:01", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::1", "00:01", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::2", "00:01", 2, 1)));
  REQUIRE(store->add(makePd("2001:db8:100::", 56, "00:01", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::4", "00:02", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::5", "00:01:00", 1, 1)));  // a longer DUID
  const Duid d1 = Duid::fromString("00:01");
  CHECK(addressesOf(store->getByDuidIaid(d1, 1, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::1", "2001:db8::3"});
  CHECK(addressesOf(store->getByDuidIaid(d1, 1, Lease6Type::kPd)) ==
        std::vector<std::string>{"2001:db8:100::"});
  CHECK(addressesOf(store->getByDuidIaid(d1, 2, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::2"});
  CHECK(store->getByDuidIaid(d1, 2, Lease6Type::kTa).empty());
  CHECK(store->getByDuidIaid(Duid::fromString("00:03"), 1, Lease6Type::kNa).empty());
  CHECK(store->getByDuidIaid(Duid(), 1, Lease6Type::kNa).empty());
  CHECK(addressesOf(store->getByDuid(d1)) ==
        std::vector<std::string>{"2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8:100::"});
  CHECK(store->getByDuid(Duid()).empty());
  // A renewal that moves the lease to another client re-indexes it.
  REQUIRE(store->update(makeLease6("2001:db8::3", "00:02", 9, 1)));
  CHECK(addressesOf(store->getByDuid(Duid::fromString("00:02"))) ==
        std::vector<std::string>{"2001:db8::3", "2001:db8::4"});
  CHECK(addressesOf(store->getByDuidIaid(d1, 1, Lease6Type::kNa)) ==
        std::vector<std::string>{"2001:db8::1"});
}

TEMPLATE_TEST_CASE(
    "LeaseStore6 lookups by hostname ignore ASCII case only; by subnet follow "
    "address order",
    "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  Lease6 a = makeLease6("2001:db8::20", "01", 1, 2);
  a.hostname = "Host.Example.";
  Lease6 b = makeLease6("2001:db8::5", "02", 1, 2);
  b.hostname = "host.example.";
  Lease6 spaced = makeLease6("2001:db8::6", "02", 2, 3);
  spaced.hostname = "host.example. ";
  Lease6 umlaut = makeLease6("2001:db8::7", "02", 3, 3);
  umlaut.hostname = "\xc3\x84.example.";
  for (const Lease6& l : {a, b, spaced, umlaut}) {
    REQUIRE(store->add(l));
  }
  REQUIRE(store->add(makeLease6("2001:db8::1", "03", 1, 3)));
  CHECK(addressesOf(store->getByHostname("HOST.example.")) ==
        std::vector<std::string>{"2001:db8::5", "2001:db8::20"});
  CHECK(addressesOf(store->getByHostname("host.example. ")) ==
        std::vector<std::string>{"2001:db8::6"});
  CHECK(store->getByHostname("host").empty());
  CHECK(store->getByHostname("").empty());
  CHECK(addressesOf(store->getByHostname("\xc3\x84.example.")) ==
        std::vector<std::string>{"2001:db8::7"});
  CHECK(store->getByHostname("\xc3\xa4.example.").empty());  // non-ASCII case differs
  CHECK(addressesOf(store->getBySubnet(SubnetId(2))) ==
        std::vector<std::string>{"2001:db8::5", "2001:db8::20"});
  CHECK(store->getBySubnet(SubnetId(9)).empty());
  REQUIRE(store->remove(Lease6Type::kNa, b.address));
  CHECK(addressesOf(store->getByHostname("host.example.")) ==
        std::vector<std::string>{"2001:db8::20"});
}

TEMPLATE_TEST_CASE("LeaseStore6 pages walk every lease once in address order", "[lease6]",
                   LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  // Bytes above 0x7f must sort after lower ones (unsigned order), ::1 first.
  std::vector<std::string> all = {"::1",
                                  "2001:db8::1",
                                  "2001:db8::2",
                                  "2001:db8::ff",
                                  "2001:db8:0:1::",  // a prefix among addresses
                                  "2001:db8:1::1",
                                  "3000::1",
                                  "8000::",
                                  "fe80::1",
                                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
  for (size_t i = all.size(); i-- > 0;) {
    Lease6 l = i == 4 ? makePd(all[i], 64, "01", 1, 1) : makeLease6(all[i], "01", 1, 1);
    REQUIRE(store->add(l));
  }
  std::vector<std::string> seen;
  IPv6Address cursor;
  size_t pages = 0;
  while (true) {
    auto page = store->getPage(cursor, 4);
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
  CHECK(pages == 3);
  CHECK(addressesOf(store->getAll()) == all);
  CHECK(store->getPage(IPv6Address(), 0).empty());
  CHECK(store->getPage(IPv6Address(), SIZE_MAX).size() == all.size());
  CHECK(store->getPage(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 3).empty());
  CHECK(addressesOf(store->getPage(ip("2001:db8::2"), 2)) ==
        std::vector<std::string>{"2001:db8::ff", "2001:db8:0:1::"});
  CHECK(addressesOf(store->getPage(ip("7fff::"), 2)) ==
        std::vector<std::string>{"8000::", "fe80::1"});
}

TEMPLATE_TEST_CASE("LeaseStore6 expiry: oldest first, reclaimed and infinite leases skipped",
                   "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  REQUIRE(store->add(makeLease6("2001:db8::1", "01", 1, 1, 1000, 100)));  // expires 1100
  REQUIRE(store->add(makeLease6("2001:db8::2", "02", 1, 1, 900, 100)));   // 1000
  REQUIRE(store->add(makePd("2001:db8:8::", 48, "03", 1, 1, 950, 100)));  // 1050
  REQUIRE(store->add(makeLease6("2001:db8::4", "04", 1, 1, 0, kInfiniteLifetime)));
  Lease6 reclaimed = makeLease6("2001:db8::5", "05", 1, 1, 100, 100);
  reclaimed.state = LeaseState::kExpiredReclaimed;
  REQUIRE(store->add(reclaimed));
  Lease6 declined = makeLease6("2001:db8::6", "06", 1, 1, 1000, 50);  // 1050, higher address
  declined.state = LeaseState::kDeclined;
  REQUIRE(store->add(declined));
  CHECK(addressesOf(store->getExpired(1101, 0)) ==
        std::vector<std::string>{"2001:db8::2", "2001:db8::6", "2001:db8:8::", "2001:db8::1"});
  CHECK(addressesOf(store->getExpired(1101, 2)) ==
        std::vector<std::string>{"2001:db8::2", "2001:db8::6"});
  CHECK(store->getExpired(1000, 0).empty());  // expire < now, strictly
  CHECK(store->getExpired(int64_t{1} << 40, 0).size() == 4);
  // Reclaiming moves a lease out of getExpired and into removeReclaimedBefore's reach.
  Lease6 l2 = *store->get(Lease6Type::kNa, ip("2001:db8::2"));
  l2.state = LeaseState::kExpiredReclaimed;
  REQUIRE(store->update(l2));
  CHECK(addressesOf(store->getExpired(1101, 0)) ==
        std::vector<std::string>{"2001:db8::6", "2001:db8:8::", "2001:db8::1"});
  CHECK(store->removeReclaimedBefore(1000) == 1);  // only ::5 (expired 200)
  CHECK(store->removeReclaimedBefore(1000) == 0);
  CHECK(store->removeReclaimedBefore(1001) == 1);  // ::2 (expired 1000)
  CHECK(store->size() == 4);
  CHECK_FALSE(store->get(Lease6Type::kNa, ip("2001:db8::2")));
}

TEMPLATE_TEST_CASE("LeaseStore6 wipe deletes one subnet's leases", "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  REQUIRE(store->add(makeLease6("2001:db8::1", "01", 1, 1)));
  REQUIRE(store->add(makePd("2001:db8:8::", 48, "02", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::3", "03", 1, 2)));
  CHECK(store->wipe(SubnetId(1)) == 2);
  CHECK(store->wipe(SubnetId(1)) == 0);
  CHECK(addressesOf(store->getAll()) == std::vector<std::string>{"2001:db8::3"});
  CHECK(store->getBySubnet(SubnetId(1)).empty());
  CHECK(store->countBySubnet().count(SubnetId(1)) == 0);
  CHECK(store->size() == 1);
}

TEMPLATE_TEST_CASE(
    "LeaseStore6 countBySubnet counts assigned and declined addresses and "
    "assigned prefixes",
    "[lease6]", LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  CHECK(store->countBySubnet().empty());
  REQUIRE(store->add(makeLease6("2001:db8::1", "01", 1, 1)));
  REQUIRE(store->add(makeLease6("2001:db8::2", "02", 1, 1)));
  Lease6 declined = makeLease6("2001:db8::3", "00", 1, 1);
  declined.state = LeaseState::kDeclined;
  REQUIRE(store->add(declined));
  REQUIRE(store->add(makePd("2001:db8:8::", 48, "03", 1, 1)));
  REQUIRE(store->add(makePd("2001:db8:9::", 48, "04", 1, 2)));
  Lease6 declined_pd = makePd("2001:db8:a::", 48, "04", 2, 2);
  declined_pd.state = LeaseState::kDeclined;
  REQUIRE(store->add(declined_pd));
  Lease6 released = makeLease6("2001:db8::5", "05", 1, 2);
  released.state = LeaseState::kReleased;
  REQUIRE(store->add(released));
  REQUIRE(store->add(makeLease6("2001:db8::6", "06", 1, 3, 0, 100, Lease6Type::kTa)));
  std::map<SubnetId, SubnetLeaseCounts6> expected = {{SubnetId(1), {2, 1, 1}},
                                                     {SubnetId(2), {0, 0, 2}}};
  CHECK(store->countBySubnet() == expected);
  // A state change moves the counts; a deletion takes them away.
  Lease6 back = declined;
  back.state = LeaseState::kDefault;
  REQUIRE(store->update(back));
  CHECK(store->countBySubnet().at(SubnetId(1)) == SubnetLeaseCounts6{3, 0, 1});
  REQUIRE(store->update(declined));
  REQUIRE(store->remove(Lease6Type::kPd, ip("2001:db8:9::")));
  REQUIRE(store->remove(Lease6Type::kPd, ip("2001:db8:a::")));
  expected = {{SubnetId(1), {2, 1, 1}}};
  CHECK(store->countBySubnet() == expected);
}

TEMPLATE_TEST_CASE("LeaseStore6 stays consistent under concurrent writers and readers", "[lease6]",
                   LEASE6_STORES) {
  Store6Factory<TestType> f;
  auto store = f.make();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe: count, check later
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          char addr[64];
          std::snprintf(addr, sizeof(addr), "2001:db8:%x::%x", t, i + 1);
          Lease6 l = makeLease6(addr, "00:0" + std::to_string(t), static_cast<uint32_t>(i), 1);
          failures += store->add(l) ? 0 : 1;
          failures += store->getByDuidIaid(l.duid, l.iaid, Lease6Type::kNa).size() == 1 ? 0 : 1;
          if (i % 2) {
            failures += store->remove(Lease6Type::kNa, l.address) ? 0 : 1;
          }
        }
      } catch (const std::exception&) {
        failures += 1000;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures == 0);
  CHECK(store->size() == kThreads * kPerThread / 2);
  CHECK(store->countBySubnet().at(SubnetId(1)).assigned_nas == kThreads * kPerThread / 2);
}
