#include "takahe/net/interface.h"

#include <net/if.h>

#include <algorithm>
#include <catch2/catch.hpp>

using namespace takahe;
using namespace takahe::net;

TEST_CASE("listInterfaces reports the loopback interface with its address and flags") {
  auto list = listInterfaces();
  auto lo = std::find_if(list.begin(), list.end(), [](const Interface& i) { return i.loopback; });
  REQUIRE(lo != list.end());
  CHECK(lo->name == "lo");
  CHECK(lo->index == static_cast<int>(if_nametoindex("lo")));
  CHECK(lo->up);
  CHECK_FALSE(lo->broadcast_capable);
  CHECK(lo->hasEthernetFraming());
  CHECK(lo->mac.bytes == Bytes(6, 0));
  CHECK(std::find(lo->v4.begin(), lo->v4.end(), Prefix4::fromString("127.0.0.1/8")) !=
        lo->v4.end());
}

TEST_CASE("listInterfaces is ordered by index with one entry per link") {
  auto list = listInterfaces();
  REQUIRE_FALSE(list.empty());
  for (size_t i = 1; i < list.size(); ++i) {
    CHECK(list[i - 1].index < list[i].index);
  }
  for (const Interface& i : list) {
    CHECK(i.index == static_cast<int>(if_nametoindex(i.name.c_str())));
  }
}

TEST_CASE("findInterface finds by exact name only") {
  auto lo = findInterface("lo");
  REQUIRE(lo);
  CHECK(lo->loopback);
  CHECK_FALSE(findInterface("tkh-no-such-if"));
  CHECK_FALSE(findInterface("l"));
}
