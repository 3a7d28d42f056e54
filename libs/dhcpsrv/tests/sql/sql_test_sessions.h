#pragma once

// Helpers for the tests that run several sessions against one database: two threads racing,
// and sessions ended by the server.

#include <soci/soci.h>

#include <array>
#include <barrier>
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "takahe/db/connection.h"

namespace takahe::dhcpsrv::test {

// Runs step(0, i) and step(1, i) on two threads for i in [0, rounds), both threads starting
// each round together; returns the errors they threw.
template <typename Step>
inline std::array<std::string, 2> raceTwo(uint32_t rounds, Step step) {
  std::array<std::string, 2> errors;
  std::barrier sync(2);
  auto run = [&](int who) {
    uint32_t i = 0;
    try {
      for (; i < rounds; ++i) {
        sync.arrive_and_wait();
        step(who, i);
      }
    } catch (const std::exception& e) {
      errors[who] = e.what();
    }
    if (i < rounds) {
      sync.arrive_and_drop();  // after a failure, let the other thread finish alone
    }
  };
  std::thread a(run, 0), b(run, 1);
  a.join();
  b.join();
  return errors;
}

// Ends every other session of the test user on the server (as a server restart would).
inline void killOtherSessions(db::Connection& c) {
  if (c.backend() == db::Backend::kPostgresql) {
    c.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()");
  } else if (c.backend() == db::Backend::kMysql) {
    std::vector<long long> ids(100);
    c.session() << "SELECT CAST(id AS SIGNED) FROM information_schema.processlist"
                   " WHERE user = 'takahe' AND id <> CONNECTION_ID()",
        soci::into(ids);
    for (long long id : ids) {
      c.execute("KILL CONNECTION " + std::to_string(id));
    }
  }
}

/// Two stores (servers) on one database race, address by address, to add `rounds` leases and
/// then to take each over with updateIf from the same expected lease: exactly one of them must
/// win each race, and the winner's lease is what both then read. `leaseFor(i, holder, cltt)`
/// makes lease i of a holder; `get(store, i)` reads lease i's address (an optional).
template <typename Store, typename LeaseFor, typename Get>
void checkRaces(std::array<std::unique_ptr<Store>, 2>& stores, uint32_t rounds, LeaseFor leaseFor,
                Get get) {
  using Lease = decltype(leaseFor(0, 0, 0));
  std::array<std::vector<char>, 2> added{std::vector<char>(rounds), std::vector<char>(rounds)};
  auto add_errors = raceTwo(rounds, [&](int who, uint32_t i) {
    added[who][i] = stores[who]->add(leaseFor(i, static_cast<uint8_t>(who), 1000));
  });
  CHECK(add_errors[0] == "");
  CHECK(add_errors[1] == "");
  std::vector<Lease> expected(rounds);
  for (uint32_t i = 0; i < rounds; ++i) {
    INFO("address index " << i);
    REQUIRE(added[0][i] + added[1][i] == 1);
    int winner = added[0][i] ? 0 : 1;
    auto stored = get(*stores[1 - winner], i);
    REQUIRE(stored);
    CHECK(*stored == leaseFor(i, static_cast<uint8_t>(winner), 1000));
    expected[i] = *stored;
  }
  CHECK(stores[0]->size() == rounds);

  // Both servers saw the same lease and try to take it over.
  std::array<std::vector<char>, 2> taken{std::vector<char>(rounds), std::vector<char>(rounds)};
  auto take_errors = raceTwo(rounds, [&](int who, uint32_t i) {
    taken[who][i] =
        stores[who]->updateIf(leaseFor(i, static_cast<uint8_t>(10 + who), 2000), expected[i]);
  });
  CHECK(take_errors[0] == "");
  CHECK(take_errors[1] == "");
  for (uint32_t i = 0; i < rounds; ++i) {
    INFO("address index " << i);
    REQUIRE(taken[0][i] + taken[1][i] == 1);
    int winner = taken[0][i] ? 0 : 1;
    CHECK(get(*stores[1 - winner], i) == leaseFor(i, static_cast<uint8_t>(10 + winner), 2000));
  }
  CHECK(stores[1]->size() == rounds);
}

}  // namespace takahe::dhcpsrv::test
