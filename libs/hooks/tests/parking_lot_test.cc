#include <catch2/catch.hpp>

#include "takahe/hooks/parking_lot.h"

using namespace takahe::hooks;

TEST_CASE("a parked packet resumes when the last reference is released") {
  ParkingLot lot;
  int key = 0, resumed = 0, dropped = 0;
  lot.reference(&key);
  lot.reference(&key);
  REQUIRE(lot.park(&key, [&] { ++resumed; }, [&] { ++dropped; }));
  CHECK(lot.isParked(&key));
  CHECK(lot.unpark(&key));
  CHECK(resumed == 0);
  CHECK(lot.unpark(&key));
  CHECK(resumed == 1);
  CHECK_FALSE(lot.isParked(&key));
  CHECK_FALSE(lot.unpark(&key));
  CHECK(dropped == 0);
}

TEST_CASE("drop, force and clear") {
  ParkingLot lot;
  int a = 0, b = 0, c = 0, resumed = 0, dropped = 0;
  lot.reference(&a);
  lot.reference(&a);
  REQUIRE(lot.park(&a, [&] { ++resumed; }, [&] { ++dropped; }));
  CHECK(lot.unpark(&a, true));
  CHECK(resumed == 1);
  REQUIRE(lot.park(&b, [&] { ++resumed; }, [&] { ++dropped; }));
  CHECK(lot.drop(&b));
  CHECK(dropped == 1);
  CHECK_FALSE(lot.drop(&b));
  REQUIRE(lot.park(&c, [&] { ++resumed; }, [&] { ++dropped; }));
  REQUIRE(lot.park(&b, [&] { ++resumed; }, [&] { ++dropped; }));
  lot.clear();
  CHECK(dropped == 3);
  CHECK(lot.size() == 0);
  CHECK(resumed == 1);
}

TEST_CASE("the lot is bounded") {
  ParkingLot lot(2);
  int a = 0, b = 0, c = 0;
  CHECK(lot.park(&a, nullptr, nullptr));
  CHECK(lot.park(&b, nullptr, nullptr));
  CHECK_FALSE(lot.park(&c, nullptr, nullptr));
  CHECK_FALSE(lot.park(&a, nullptr, nullptr));  // already parked
  CHECK(lot.size() == 2);
}

TEST_CASE("an acknowledgement that comes before park resumes the packet when it is parked") {
  ParkingLot lot;
  int key = 0, resumed = 0, discarded = 0;
  lot.reference(&key);
  CHECK(lot.unpark(&key));  // the library's ack beat the server
  CHECK(resumed == 0);
  REQUIRE(lot.park(&key, [&] { ++resumed; }, [&] { ++discarded; }));
  CHECK(resumed == 1);  // resumed at once, never left waiting
  CHECK(discarded == 0);
  CHECK_FALSE(lot.isParked(&key));
  CHECK_FALSE(lot.unpark(&key));
}

TEST_CASE("a partial early release leaves the packet parked until the last reference") {
  ParkingLot lot;
  int key = 0, resumed = 0;
  lot.reference(&key);
  lot.reference(&key);
  CHECK(lot.unpark(&key));
  REQUIRE(lot.park(&key, [&] { ++resumed; }, nullptr));
  CHECK(lot.isParked(&key));
  CHECK(resumed == 0);
  CHECK(lot.unpark(&key));
  CHECK(resumed == 1);
}

TEST_CASE("forget() clears references on a packet that was not parked after all") {
  ParkingLot lot;
  int key = 0, resumed = 0;
  lot.reference(&key);
  lot.forget(&key);
  // A later packet at the same address starts clean: it stays parked until unparked.
  REQUIRE(lot.park(&key, [&] { ++resumed; }, nullptr));
  CHECK(lot.isParked(&key));
  CHECK(resumed == 0);
  CHECK(lot.unpark(&key));
  CHECK(resumed == 1);
}

TEST_CASE("a drop that comes before park discards the packet when it is parked") {
  ParkingLot lot;
  int key = 0, resumed = 0, discarded = 0;
  lot.reference(&key);
  CHECK(lot.drop(&key));
  REQUIRE(lot.park(&key, [&] { ++resumed; }, [&] { ++discarded; }));
  CHECK(discarded == 1);
  CHECK(resumed == 0);
  CHECK_FALSE(lot.isParked(&key));
  CHECK_FALSE(lot.drop(&key));  // nothing referenced, nothing parked
}
