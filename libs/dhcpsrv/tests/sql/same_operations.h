#pragma once

// Drives a SQL lease store and memfile through the same random operations, requiring the same
// answers: how the DHCPv4 and DHCPv6 SQL stores are compared with memfile.

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "takahe/util/identifiers.h"

namespace takahe::dhcpsrv::test {

/// Checks that `sql` answers the queries both lease stores have (size, getAll, countBySubnet,
/// getByHostname, getBySubnet, getExpired, getPage from `Address()`) as `mem` does, for the
/// hostnames, subnets and times randomLease of the tests uses.
template <class Store, class Address>
void checkCommonQueries(const Store& mem, const Store& sql) {
  CHECK(sql.size() == mem.size());
  CHECK(sql.getAll() == mem.getAll());
  CHECK(sql.countBySubnet() == mem.countBySubnet());
  for (const char* host : {"a.example.", "A.EXAMPLE.", "B", "c,d.example.", "x"}) {
    CHECK(sql.getByHostname(host) == mem.getByHostname(host));
  }
  for (uint32_t s = 0; s < 5; ++s) {
    CHECK(sql.getBySubnet(SubnetId(s)) == mem.getBySubnet(SubnetId(s)));
  }
  for (int64_t now : {int64_t{1000}, int64_t{1500}, int64_t{2100}, int64_t{1} << 40}) {
    for (size_t max : {size_t{0}, size_t{3}}) {
      CHECK(sql.getExpired(now, max) == mem.getExpired(now, max));
    }
  }
  Address after;
  for (int page = 0; page < 20; ++page) {
    auto got = sql.getPage(after, 7);
    REQUIRE(got == mem.getPage(after, 7));
    if (got.empty()) {
      break;
    }
    after = got.back().address;
  }
}

/// Runs 500 operations (add, update, updateIf, remove, removeReclaimedBefore, wipe) on random
/// leases from `random(rng)` against `sql` and `mem`, requiring equal results, and calls
/// `compare(mem, sql)` every 100 operations. `get(store, lease)` reads the stored lease of
/// lease's key; `remove(store, lease)` deletes it.
template <class Store, class Random, class Get, class Remove, class Compare>
void runSameOperations(Store& sql, Store& mem, std::mt19937& rng, Random random, Get get,
                       Remove remove, Compare compare) {
  for (int op = 0; op < 500; ++op) {
    INFO("operation " << op);
    auto l = random(rng);
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2:
        REQUIRE(sql.add(l) == mem.add(l));
        break;
      case 3:
      case 4:
        REQUIRE(sql.update(l) == mem.update(l));
        break;
      case 5:
      case 6: {
        // Mostly the stored lease (the takeover applies), sometimes a stale or random one.
        auto current = get(mem, l);
        auto expected = current && rng() % 3 ? *current : random(rng);
        if (rng() % 4 == 0) {
          expected.cltt += 1;
        }
        REQUIRE(sql.updateIf(l, expected) == mem.updateIf(l, expected));
        break;
      }
      case 7:
        REQUIRE(remove(sql, l) == remove(mem, l));
        break;
      case 8:
        if (rng() % 10 == 0) {
          int64_t cutoff = 1000 + static_cast<int64_t>(rng() % 2000);
          REQUIRE(sql.removeReclaimedBefore(cutoff) == mem.removeReclaimedBefore(cutoff));
        }
        break;
      case 9:
        if (rng() % 20 == 0) {
          REQUIRE(sql.wipe(l.subnet_id) == mem.wipe(l.subnet_id));
        }
        break;
    }
    if (op % 100 == 99) {
      compare(mem, sql);
    }
  }
  CHECK(mem.size() > 10);  // the sequence left something to compare
}

}  // namespace takahe::dhcpsrv::test
