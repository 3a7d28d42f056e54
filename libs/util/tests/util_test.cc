#include <catch2/catch.hpp>

#include "takahe/util/address.h"
#include "takahe/util/buffer.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"
#include "takahe/util/identifiers.h"

using namespace takahe;

TEST_CASE("IPv4 addresses parse strictly and print back") {
  CHECK(IPv4Address::fromString("192.0.2.1").toUint() == 0xc0000201u);
  CHECK(IPv4Address::fromString("192.0.2.1").toString() == "192.0.2.1");
  CHECK_FALSE(IPv4Address::parse("256.0.0.1"));
  CHECK_FALSE(IPv4Address::parse("1.2.3"));
  CHECK_FALSE(IPv4Address::parse("1.2.3.4 "));
  CHECK_FALSE(IPv4Address::parse("1..3.4"));
  CHECK_THROWS_AS(IPv4Address::fromString("x"), Error);
}

TEST_CASE("IPv4 prefixes know their range") {
  auto p = Prefix4::fromString("10.0.1.77/24");
  CHECK(p.network().toString() == "10.0.1.0");
  CHECK(p.broadcast().toString() == "10.0.1.255");
  CHECK(p.contains(IPv4Address::fromString("10.0.1.200")));
  CHECK_FALSE(p.contains(IPv4Address::fromString("10.0.2.1")));
  CHECK(p.size() == 256);
  CHECK(prefixLengthToMask(24).toString() == "255.255.255.0");
  CHECK_FALSE(Prefix4::parse("10.0.0.0/33"));
}

TEST_CASE("IPv6 addresses and prefixes") {
  auto a = IPv6Address::fromString("2001:db8::1");
  CHECK(a.toString() == "2001:db8::1");
  auto p = Prefix6::fromString("2001:db8::/32");
  CHECK(p.contains(a));
  CHECK_FALSE(p.contains(IPv6Address::fromString("2001:db9::1")));
}

TEST_CASE("hex parsing accepts operator spellings") {
  CHECK(*parseHex("01:ab:ff") == Bytes{1, 0xab, 0xff});
  CHECK(*parseHex("01abff") == Bytes{1, 0xab, 0xff});
  CHECK(*parseHex("0x01abff") == Bytes{1, 0xab, 0xff});
  CHECK(*parseHex("1:ab:f") == Bytes{1, 0xab, 0xf});
  CHECK(*parseHex("01 ab ff") == Bytes{1, 0xab, 0xff});
  CHECK_FALSE(parseHex("01::ff"));
  CHECK_FALSE(parseHex("zz"));
  CHECK(toHex(Bytes{1, 0xab}) == "01:ab");
  CHECK(HwAddr::fromString("aa:bb:cc:dd:ee:ff").toString() == "aa:bb:cc:dd:ee:ff");
  CHECK_THROWS_AS(HwAddr::fromString("nope"), Error);
}

TEST_CASE("InputBuffer refuses to read past the end and stays bad") {
  uint8_t raw[] = {1, 2, 3};
  InputBuffer in(raw);
  uint16_t v = 0;
  REQUIRE(in.readU16(v));
  CHECK(v == 0x0102);
  uint32_t w = 0;
  CHECK_FALSE(in.readU32(w));
  CHECK(in.bad());
  uint8_t b = 0;
  CHECK_FALSE(in.readU8(b));
}

TEST_CASE("OutputBuffer writes big-endian") {
  OutputBuffer out;
  out.writeU16(0x0102);
  out.writeU32(0x03040506);
  CHECK(out.data() == std::vector<uint8_t>{1, 2, 3, 4, 5, 6});
}
