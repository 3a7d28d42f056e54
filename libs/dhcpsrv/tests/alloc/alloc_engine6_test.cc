// AllocEngine6 on a real memfile store and a parsed Dhcp6 configuration: fresh addresses and
// prefixes from the pools, SOLICIT choosing without storing, the IA keeping its lease, hints,
// reservations, lifetimes, exhaustion and the takeover of another client's expired lease.

#include "takahe/dhcpsrv/alloc_engine6.h"

#include <catch2/catch.hpp>

#include "../leases6/lease6_test_util.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

constexpr const char* kConfig = R"({ "Dhcp6": {
  "preferred-lifetime": 3000, "min-preferred-lifetime": 2000, "max-preferred-lifetime": 4000,
  "valid-lifetime": 4000, "min-valid-lifetime": 3000, "max-valid-lifetime": 5000,
  "subnet6": [
    { "id": 1, "subnet": "2001:db8:1::/64",
      "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::12" } ],
      "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 54, "delegated-len": 56 },
                    { "prefix": "2001:db8:9000::", "prefix-len": 48, "delegated-len": 60 } ],
      "reservations": [
        { "duid": "00:03:00:01:aa:bb:cc:dd:ee:01", "ip-addresses": [ "2001:db8:1::100" ],
          "prefixes": [ "2001:db8:7700::/56" ] },
        { "duid": "00:03:00:01:aa:bb:cc:dd:ee:02", "ip-addresses": [ "2001:db8:1::11" ] } ] },
    { "id": 2, "subnet": "2001:db8:2::/64",
      "pools": [ { "pool": "2001:db8:2::/120" } ] } ] } })";

constexpr int64_t kNow = 1800000000;

struct Fixture {
  TempDir dir;
  SrvConfig6Ptr cfg = parseDhcp6Config(cc::parseConfigText(kConfig, "alloc6.json"));
  std::unique_ptr<MemfileLeaseStore6> store;
  std::unique_ptr<AllocEngine6> engine;

  Fixture() {
    MemfileConfig mc;
    mc.path = dir.file("leases6.csv");
    store = std::make_unique<MemfileLeaseStore6>(mc);
    engine = std::make_unique<AllocEngine6>(*store);
  }

  ClientContext6 client(const std::string& duid, SubnetId subnet = SubnetId(1)) const {
    ClientContext6 ctx;
    ctx.cfg = cfg.get();
    ctx.subnet = cfg->subnetById(subnet);
    ctx.duid = Duid::fromString(duid);
    ctx.now = kNow;
    if (ctx.subnet) {
      ctx.host = ctx.subnet->hosts.findByDuid(ctx.duid);
    }
    return ctx;
  }
};

IaContext6 na(uint32_t iaid = 1) {
  IaContext6 ia;
  ia.type = Lease6Type::kNa;
  ia.iaid = iaid;
  return ia;
}

IaContext6 pd(uint32_t iaid = 2) {
  IaContext6 ia;
  ia.type = Lease6Type::kPd;
  ia.iaid = iaid;
  return ia;
}

const std::string kDuidA = "00:01:00:01:11:22:33:44:00:00:00:00:00:0a";
const std::string kDuidB = "00:01:00:01:11:22:33:44:00:00:00:00:00:0b";
const std::string kReserved = "00:03:00:01:aa:bb:cc:dd:ee:01";

}  // namespace

TEST_CASE("A SOLICIT chooses an address without storing it; the REQUEST stores the same") {
  Fixture f;
  ClientContext6 ctx = f.client(kDuidA);
  ctx.fake = true;
  IaResult6 adv = f.engine->allocate(ctx, na());
  REQUIRE(adv.lease);
  CHECK(adv.lease->address == IPv6Address::fromString("2001:db8:1::10"));
  CHECK(f.store->size() == 0);

  f.engine->resetCursors();  // a REQUEST after an ADVERTISE from a restarted server
  ctx.fake = false;
  IaResult6 got = f.engine->allocate(ctx, na());
  REQUIRE(got.lease);
  CHECK(got.lease->address == adv.lease->address);
  CHECK_FALSE(got.renewed);
  auto stored = f.store->get(Lease6Type::kNa, got.lease->address);
  REQUIRE(stored);
  CHECK(*stored == *got.lease);
  CHECK(stored->duid == Duid::fromString(kDuidA));
  CHECK(stored->iaid == 1);
  CHECK(stored->prefix_len == 128);
  CHECK(stored->valid_lifetime == 4000);
  CHECK(stored->preferred_lifetime == 3000);
  CHECK(stored->cltt == kNow);
  CHECK(stored->subnet_id == SubnetId(1));

  // The same IA asking again (RENEW) keeps its address; a second IA gets another one.
  ctx.now = kNow + 100;
  IaResult6 again = f.engine->allocate(ctx, na());
  REQUIRE(again.lease);
  CHECK(again.lease->address == got.lease->address);
  CHECK(again.renewed);
  CHECK(f.store->get(Lease6Type::kNa, got.lease->address)->cltt == kNow + 100);
  IaResult6 second = f.engine->allocate(ctx, na(7));
  REQUIRE(second.lease);
  CHECK(second.lease->address != got.lease->address);
  CHECK(f.store->size() == 2);
}

TEST_CASE("Address hints: honoured inside a pool, ignored outside, never another client's") {
  Fixture f;
  ClientContext6 a = f.client(kDuidA);
  IaContext6 ia = na();
  ia.hints = {IPv6Address::fromString("2001:db8:1::12")};
  REQUIRE(f.engine->allocate(a, ia).lease->address == IPv6Address::fromString("2001:db8:1::12"));

  ClientContext6 b = f.client(kDuidB);
  IaResult6 taken = f.engine->allocate(b, ia);  // the same hint, held by A
  REQUIRE(taken.lease);
  CHECK(taken.lease->address != IPv6Address::fromString("2001:db8:1::12"));

  // Subnet 2's pool is 2001:db8:2::/120: a hint beyond it is not given.
  ClientContext6 c = f.client("00:01:00:01:11:22:33:44:00:00:00:00:00:0c", SubnetId(2));
  IaContext6 outside = na();
  outside.hints = {IPv6Address::fromString("2001:db8:2::1:0")};
  IaResult6 r = f.engine->allocate(c, outside);
  REQUIRE(r.lease);
  CHECK(r.lease->address == IPv6Address::fromString("2001:db8:2::"));
}

TEST_CASE("Reservations: the reserved address and prefix, and no one else gets a reserved one") {
  Fixture f;
  ClientContext6 owner = f.client(kReserved);
  REQUIRE(owner.host != nullptr);
  IaResult6 r = f.engine->allocate(owner, na());
  REQUIRE(r.lease);
  CHECK(r.lease->address == IPv6Address::fromString("2001:db8:1::100"));  // out of the pool
  IaResult6 p = f.engine->allocate(owner, pd());
  REQUIRE(p.lease);
  CHECK(p.lease->address == IPv6Address::fromString("2001:db8:7700::"));
  CHECK(p.lease->prefix_len == 56);

  // 2001:db8:1::11 is reserved for another DUID: pool walkers skip it.
  std::vector<std::string> given;
  for (int i = 0; i < 3; ++i) {
    ClientContext6 c = f.client("00:01:00:01:11:22:33:44:00:00:00:00:01:0" + std::to_string(i));
    IaResult6 x = f.engine->allocate(c, na());
    if (x.lease) given.push_back(x.lease->address.toString());
  }
  CHECK(given == std::vector<std::string>{"2001:db8:1::10", "2001:db8:1::12"});
}

TEST_CASE("Prefix delegation: a prefix of the delegated length, length hints pick the pool") {
  Fixture f;
  ClientContext6 a = f.client(kDuidA);
  IaResult6 r = f.engine->allocate(a, pd());
  REQUIRE(r.lease);
  CHECK(r.lease->type == Lease6Type::kPd);
  CHECK(r.lease->prefix_len == 56);
  CHECK(r.lease->address == IPv6Address::fromString("2001:db8:8000::"));

  ClientContext6 b = f.client(kDuidB);
  IaContext6 hinted = pd();
  hinted.prefix_hints = {Prefix6{IPv6Address(), 60}};  // "::/60": a length, no address
  IaResult6 s = f.engine->allocate(b, hinted);
  REQUIRE(s.lease);
  CHECK(s.lease->prefix_len == 60);
  CHECK(Prefix6::fromString("2001:db8:9000::/48").contains(s.lease->address));

  // The /54 pool holds four /56 prefixes; then the /60 pool serves (its first went to B).
  std::vector<std::string> got;
  for (int i = 0; i < 4; ++i) {
    ClientContext6 c = f.client("00:01:00:01:11:22:33:44:00:00:00:00:02:0" + std::to_string(i));
    IaResult6 x = f.engine->allocate(c, pd());
    REQUIRE(x.lease);
    got.push_back(Prefix6{x.lease->address, x.lease->prefix_len}.toString());
  }
  CHECK(got == std::vector<std::string>{"2001:db8:8000:100::/56", "2001:db8:8000:200::/56",
                                        "2001:db8:8000:300::/56", "2001:db8:9000:10::/60"});
}

TEST_CASE("Lifetimes: hints clamped to min and max, preferred never above valid") {
  Fixture f;
  ClientContext6 a = f.client(kDuidA);
  IaContext6 ia = na();
  ia.valid_hint = 100000;
  ia.preferred_hint = 1;
  IaResult6 r = f.engine->allocate(a, ia);
  REQUIRE(r.lease);
  CHECK(r.lease->valid_lifetime == 5000);
  CHECK(r.lease->preferred_lifetime == 2000);
  const Subnet6& s = *f.cfg->subnetById(SubnetId(1));
  CHECK(AllocEngine6::validFor(s, std::nullopt) == 4000);
  CHECK(AllocEngine6::validFor(s, 3500) == 3500);
  CHECK(AllocEngine6::preferredFor(s, 4000, 3500) == 3500);
}

TEST_CASE("An exhausted pool gives nothing; an expired lease of another client is taken over") {
  Fixture f;
  // Three addresses, one reserved for another DUID: two clients fill the pool.
  for (const auto& d : {kDuidA, kDuidB}) {
    ClientContext6 c = f.client(d);
    REQUIRE(f.engine->allocate(c, na()).lease);
  }
  ClientContext6 late = f.client("00:01:00:01:11:22:33:44:00:00:00:00:00:0f");
  IaResult6 none = f.engine->allocate(late, na());
  CHECK_FALSE(none.lease);
  CHECK(none.failure == AllocFailure6::kSubnetExhausted);
  CHECK(f.store->size() == 2);

  // A's lease expires: the late client takes its address over.
  late.now = kNow + 4001;
  IaResult6 took = f.engine->allocate(late, na());
  REQUIRE(took.lease);
  CHECK(took.lease->address == IPv6Address::fromString("2001:db8:1::10"));
  REQUIRE(took.replaced);
  CHECK(took.replaced->duid == Duid::fromString(kDuidA));
  CHECK(f.store->get(Lease6Type::kNa, took.lease->address)->duid == late.duid);

  ClientContext6 no_pool = f.client(kDuidA);
  IaResult6 r = f.engine->allocate(no_pool, pd());
  REQUIRE(r.lease);  // subnet 1 has pd-pools
  ClientContext6 s2 = f.client(kDuidA, SubnetId(2));
  IaResult6 r2 = f.engine->allocate(s2, pd());
  CHECK_FALSE(r2.lease);
  CHECK(r2.failure == AllocFailure6::kNoPools);
}

TEST_CASE("A lease no longer acceptable is replaced and listed as dropped") {
  Fixture f;
  // The client's lease in subnet 1 is at an address that is in no pool any more.
  Lease6 old = makeLease6("2001:db8:1::99", kDuidA, 1, 1, kNow - 10, 4000);
  REQUIRE(f.store->add(old));
  ClientContext6 a = f.client(kDuidA);
  IaResult6 r = f.engine->allocate(a, na());
  REQUIRE(r.lease);
  CHECK(r.lease->address == IPv6Address::fromString("2001:db8:1::10"));
  REQUIRE(r.dropped.size() == 1);
  CHECK(r.dropped[0].address == old.address);
  CHECK_FALSE(f.store->get(Lease6Type::kNa, old.address));

  // A hook may refuse a new lease (kHookSkip) and keeps a renewal as stored.
  ClientContext6 b = f.client(kDuidB);
  b.before_commit = [](Lease6&, bool) { return false; };
  IaResult6 skipped = f.engine->allocate(b, na());
  CHECK_FALSE(skipped.lease);
  CHECK(skipped.failure == AllocFailure6::kHookSkip);
  a.before_commit = [](Lease6&, bool renew) { return !renew; };
  a.now = kNow + 50;
  IaResult6 kept = f.engine->allocate(a, na());
  REQUIRE(kept.lease);
  CHECK(kept.renewed);
  CHECK(f.store->get(Lease6Type::kNa, kept.lease->address)->cltt == kNow);
}
