#include <net/if.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "takahe/net/interface.h"

using namespace takahe;
using namespace takahe::net;

// Link-local and global addresses on a real link are checked in the namespace test
// (udp_socket6_ns_test.sh), which creates them; the host's own links are not assumed here.

TEST_CASE("listInterfaces reports ::1/128 on loopback, which is neither link-local nor global") {
  auto lo = findInterface("lo");
  REQUIRE(lo);
  if (lo->v6.empty()) {
    WARN("IPv6 is disabled on lo; nothing to check");
    return;
  }
  CHECK(std::find(lo->v6.begin(), lo->v6.end(), Prefix6::fromString("::1/128")) != lo->v6.end());
  CHECK_FALSE(lo->linkLocal6());
  CHECK(lo->global6().empty());
}

TEST_CASE("linkLocal6 and global6 split an interface's IPv6 addresses") {
  Interface i;
  i.v6 = {Prefix6::fromString("2001:db8:1::5/64"), Prefix6::fromString("fe80::1234/64"),
          Prefix6::fromString("fd00::1/48"), Prefix6::fromString("fe80::9/64"),
          Prefix6::fromString("::1/128")};
  REQUIRE(i.linkLocal6());
  CHECK(*i.linkLocal6() == IPv6Address::fromString("fe80::1234"));
  CHECK(i.global6() == std::vector<Prefix6>{Prefix6::fromString("2001:db8:1::5/64"),
                                            Prefix6::fromString("fd00::1/48")});
  // fec0::/10 (deprecated site-local) is not link-local: the test is on 10 bits, not 8.
  i.v6 = {Prefix6::fromString("fec0::1/64")};
  CHECK_FALSE(i.linkLocal6());
  CHECK(i.global6().size() == 1);
}
