// Evaluation of every token and function on real packets (built, serialized and parsed back
// from the wire, as the server would see them).

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "takahe/dhcp/pkt4.h"
#include "takahe/eval/expression.h"
#include "takahe/util/error.h"

using takahe::Bytes;
using takahe::HwAddr;
using takahe::IPv4Address;
using takahe::dhcp::MessageType;
using takahe::dhcp::Pkt4;
using takahe::eval::compile;
using takahe::eval::evaluateBool;
using takahe::eval::evaluateString;

namespace {

Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A relayed DHCPREQUEST with client id, host name, vendor class, relay agent info
// (circuit-id "eth0/1", remote-id ab:cd:ef) and socket metadata.
Pkt4 relayedRequest() {
  Pkt4 p;
  p.xid = 0x0a0b0c0d;
  p.hops = 1;
  p.ciaddr = IPv4Address::fromString("10.0.0.5");
  p.yiaddr = IPv4Address::fromString("10.0.0.6");
  p.siaddr = IPv4Address::fromString("10.0.0.7");
  p.giaddr = IPv4Address::fromString("192.0.2.1");
  p.setHwAddr(HwAddr::fromString("00:11:22:aa:bb:cc"));
  p.setMessageType(MessageType::kRequest);
  p.setOption(61, {0x01, 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc});
  p.setOption(12, bytes("Laptop-7"));
  p.setOption(60, bytes("docsis3.0"));
  p.setOption(50, {10, 0, 0, 5});
  p.setOption(82, {1, 6, 'e', 't', 'h', '0', '/', '1', 2, 3, 0xab, 0xcd, 0xef});
  p.setOption(222, {});  // present but empty

  // Through the wire and back, so the packet is what the server's parser produces.
  auto parsed = Pkt4::parse(p.serialize());
  REQUIRE(parsed.ok());
  Pkt4 q = parsed.value();
  q.meta.iface = "eth1";
  q.meta.remote_addr = IPv4Address::fromString("192.0.2.1");
  q.meta.local_addr = IPv4Address::fromString("192.0.2.254");
  return q;
}

// A BOOTP request: no options at all, no hardware address length.
Pkt4 bootpRequest() {
  Pkt4 p;
  p.hlen = 0;
  p.htype = 6;
  p.xid = 7;
  auto parsed = Pkt4::parse(p.serialize());
  REQUIRE(parsed.ok());
  return parsed.value();
}

std::string str(std::string_view expr, const Pkt4& pkt) {
  return evaluateString(*compile(expr), pkt);
}
bool test(std::string_view expr, const Pkt4& pkt) { return evaluateBool(*compile(expr), pkt); }

std::string be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

TEST_CASE("literals evaluate to Kea's byte strings", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("'foo bar'", pkt) == "foo bar");
  CHECK(str("''", pkt).empty());
  CHECK(str("0x5a7d", pkt) == "Z}");
  CHECK(str("0X5A7D", pkt) == "Z}");
  CHECK(str("0x123", pkt) == std::string("\x01\x23", 2));  // odd digit count: leading 0
  CHECK(str("123", pkt) == be32(123));
  CHECK(str("0", pkt) == be32(0));
  CHECK(str("4294967295", pkt) == be32(0xffffffff));
  CHECK(str("10.0.0.1", pkt) == std::string("\x0a\x00\x00\x01", 4));
  CHECK(test("123 == 0x0000007b", pkt));
  CHECK(test("10.0.0.1 == 0x0a000001", pkt));
}

TEST_CASE("option[N].hex, .text and .exists read the packet's options", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("option[61].hex", pkt) == std::string("\x01\x00\x11\x22\xaa\xbb\xcc", 7));
  CHECK(str("option[12].text", pkt) == "Laptop-7");
  CHECK(str("option[12].hex", pkt) == "Laptop-7");
  CHECK(test("option[60].hex == 'docsis3.0'", pkt));
  CHECK(test("option[50].hex == 10.0.0.5", pkt));
  CHECK(test("option[61].exists", pkt));
  CHECK(test("option[222].exists", pkt));  // empty option still exists
  CHECK(str("option[222].hex", pkt).empty());
  CHECK_FALSE(test("option[77].exists", pkt));
  CHECK(str("option[77].hex", pkt).empty());
  CHECK(str("option[77].text", pkt).empty());
  CHECK(str("option[53].hex", pkt) == "\x03");
}

TEST_CASE("option names from the dhcp4 space stand for their codes", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("option[host-name].text", pkt) == "Laptop-7");
  CHECK(test("option[dhcp-client-identifier].exists", pkt));
  CHECK(test("option[vendor-class-identifier].hex == 'docsis3.0'", pkt));
}

TEST_CASE("relay4[N] reads sub-options of option 82", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("relay4[1].hex", pkt) == "eth0/1");
  CHECK(str("relay4[1].text", pkt) == "eth0/1");
  CHECK(str("relay4[2].hex", pkt) == "\xab\xcd\xef");
  CHECK(test("relay4[2].exists", pkt));
  CHECK_FALSE(test("relay4[5].exists", pkt));
  CHECK(str("relay4[5].hex", pkt).empty());

  const Pkt4 direct = bootpRequest();
  CHECK_FALSE(test("relay4[1].exists", direct));
  CHECK(str("relay4[1].hex", direct).empty());
}

TEST_CASE("a malformed option 82 gives empty sub-options, not an error", "[eval]") {
  Pkt4 pkt = relayedRequest();
  pkt.setOption(82, {1, 9, 'x'});  // sub-option runs past the end
  CHECK(str("relay4[1].hex", pkt).empty());
  CHECK_FALSE(test("relay4[1].exists", pkt));
}

TEST_CASE("pkt4 fields are 4-byte integers, addresses or the MAC", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("pkt4.mac", pkt) == std::string("\x00\x11\x22\xaa\xbb\xcc", 6));
  CHECK(test("pkt4.mac == 0x001122aabbcc", pkt));
  CHECK(str("pkt4.hlen", pkt) == be32(6));
  CHECK(str("pkt4.htype", pkt) == be32(1));
  CHECK(test("pkt4.ciaddr == 10.0.0.5", pkt));
  CHECK(test("pkt4.yiaddr == 10.0.0.6", pkt));
  CHECK(test("pkt4.siaddr == 10.0.0.7", pkt));
  CHECK(test("pkt4.giaddr == 192.0.2.1", pkt));
  CHECK(test("pkt4.msgtype == 3", pkt));
  CHECK(str("pkt4.transid", pkt) == be32(0x0a0b0c0d));
  CHECK(test("pkt4.transid == 168496141", pkt));

  const Pkt4 bootp = bootpRequest();
  CHECK(str("pkt4.mac", bootp).empty());
  CHECK(str("pkt4.hlen", bootp) == be32(0));
  CHECK(str("pkt4.htype", bootp) == be32(6));
  CHECK(str("pkt4.msgtype", bootp) == be32(0));  // no message type: 0, like Kea
  CHECK(str("pkt4.giaddr", bootp) == std::string(4, '\0'));
}

TEST_CASE("pkt metadata: interface, addresses and length", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("pkt.iface", pkt) == "eth1");
  CHECK(test("pkt.src == 192.0.2.1", pkt));
  CHECK(test("pkt.dst == 192.0.2.254", pkt));
  // 236 header + 4 cookie + options + END: 53(3) 61(9) 12(10) 60(11) 50(6) 82(15) 222(2).
  CHECK(str("pkt.len", pkt) == be32(236 + 4 + 3 + 9 + 10 + 11 + 6 + 15 + 2 + 1));
  const Pkt4 bootp = bootpRequest();
  CHECK(str("pkt.iface", bootp).empty());
  CHECK(str("pkt.len", bootp) == be32(241));
}

TEST_CASE("substring follows Kea's start/length rules", "[eval]") {
  const Pkt4 pkt = bootpRequest();
  CHECK(str("substring('foobar', 0, 6)", pkt) == "foobar");
  CHECK(str("substring('foobar', 3, 3)", pkt) == "bar");
  CHECK(str("substring('foobar', 3, all)", pkt) == "bar");
  CHECK(str("substring('foobar', 1, 4)", pkt) == "ooba");
  CHECK(str("substring('foobar', -5, 4)", pkt) == "ooba");
  CHECK(str("substring('foobar', -1, -3)", pkt) == "oba");
  CHECK(str("substring('foobar', 4, -2)", pkt) == "ob");
  CHECK(str("substring('foobar', 10, 2)", pkt).empty());
  CHECK(str("substring('foobar', -7, 2)", pkt).empty());
  CHECK(str("substring('foobar', 2, 100)", pkt) == "obar");
  CHECK(str("substring('foobar', 2, -100)", pkt) == "fo");
  CHECK(str("substring('foobar', 2, 0)", pkt).empty());
  CHECK(str("substring('', 0, all)", pkt).empty());
  const Pkt4 relayed = relayedRequest();
  CHECK(test("substring(option[61].hex, 1, 3) == 0x001122", relayed));
  CHECK(str("substring(option[99].hex, 0, 3)", relayed).empty());
}

TEST_CASE("concat and + join strings", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("concat('foo', 'bar')", pkt) == "foobar");
  CHECK(str("'abc' + 'def' + 'ghi'", pkt) == "abcdefghi");
  CHECK(str("'id-' + option[12].text", pkt) == "id-Laptop-7");
  CHECK(str("concat(option[99].hex, 'x')", pkt) == "x");
  CHECK(test("'a' + 'b' == concat('a', 'b')", pkt));
}

TEST_CASE("ifelse picks a branch by the condition", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("ifelse(option[12].exists, option[12].text, 'none')", pkt) == "Laptop-7");
  CHECK(str("ifelse(option[99].exists, option[99].hex, 'none')", pkt) == "none");
  CHECK(str("ifelse(pkt4.msgtype == 1, 'discover', 'other')", pkt) == "other");
}

TEST_CASE("hexstring renders bytes as lowercase hex with a separator", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("hexstring(pkt4.mac, ':')", pkt) == "00:11:22:aa:bb:cc");
  CHECK(str("hexstring('foo', '-')", pkt) == "66-6f-6f");
  CHECK(str("hexstring(0x0aff, '')", pkt) == "0aff");
  CHECK(str("hexstring(0x01, '::')", pkt) == "01");
  CHECK(str("hexstring(0x0102, '::')", pkt) == "01::02");
  CHECK(str("hexstring(option[99].hex, ':')", pkt).empty());
}

TEST_CASE("addrtotext prints 4- and 16-byte addresses", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("addrtotext(pkt4.giaddr)", pkt) == "192.0.2.1");
  CHECK(str("addrtotext(10.1.2.3)", pkt) == "10.1.2.3");
  CHECK(str("addrtotext(0x20010db8000000000000000000000001)", pkt) == "2001:db8::1");
  CHECK(str("addrtotext(option[99].hex)", pkt).empty());
  CHECK(str("addrtotext(0x0102)", pkt).empty());  // wrong length: "" (Kea fails instead)
}

TEST_CASE("integer-to-text functions read big-endian signed and unsigned values", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("uint8totext(0xff)", pkt) == "255");
  CHECK(str("int8totext(0xff)", pkt) == "-1");
  CHECK(str("int8totext(0x7f)", pkt) == "127");
  CHECK(str("uint16totext(0xffff)", pkt) == "65535");
  CHECK(str("int16totext(0xfffe)", pkt) == "-2");
  CHECK(str("uint16totext(0x0102)", pkt) == "258");
  CHECK(str("uint32totext(4294967295)", pkt) == "4294967295");
  CHECK(str("int32totext(4294967295)", pkt) == "-1");
  CHECK(str("uint32totext(pkt4.transid)", pkt) == "168496141");
  CHECK(str("uint32totext(pkt4.msgtype)", pkt) == "3");
  CHECK(str("uint8totext(option[53].hex)", pkt) == "3");
  CHECK(str("uint8totext(option[99].hex)", pkt).empty());  // empty input: empty result
  CHECK(str("uint16totext(0x01)", pkt).empty());           // wrong length: ""
  CHECK(str("int32totext(0x0102)", pkt).empty());
}

TEST_CASE("lcase and ucase change ASCII letters only", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("lcase('LoWeR 12-Z')", pkt) == "lower 12-z");
  CHECK(str("ucase('uPpEr 12-a')", pkt) == "UPPER 12-A");
  CHECK(str("ucase(option[12].text)", pkt) == "LAPTOP-7");
  CHECK(str("lcase(0xc3c9)", pkt) == "\xc3\xc9");
}

TEST_CASE("split returns one field, Kea style", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("split('one.two..four', '.', 1)", pkt) == "one");
  CHECK(str("split('one.two..four', '.', 2)", pkt) == "two");
  CHECK(str("split('one.two..four', '.', 3)", pkt).empty());
  CHECK(str("split('one.two..four', '.', 4)", pkt) == "four");
  CHECK(str("split('one.two..four', '.', 5)", pkt).empty());
  CHECK(str("split('one.two..four', '.', 0)", pkt).empty());
  CHECK(str("split('one.two..four', '.', -1)", pkt).empty());
  CHECK(str("split('a,b;c', ',;', 3)", pkt) == "c");
  CHECK(str("split('abc', '', 1)", pkt) == "abc");
  CHECK(str("split('', '.', 1)", pkt).empty());
  CHECK(str("split(relay4[1].text, '/', 2)", pkt) == "1");
  CHECK(str("split(0x69742773, 0x27, 1)", pkt) == "it");  // split on a quote, by hex
}

TEST_CASE("member() is false and known/unknown follow it while no classes exist", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK_FALSE(test("member('ALL')", pkt));
  CHECK_FALSE(test("member('foo')", pkt));
  CHECK(test("not member('foo')", pkt));
  CHECK_FALSE(test("known", pkt));
  CHECK(test("unknown", pkt));
}

TEST_CASE("== and the logical operators", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(test("'a' == 'a'", pkt));
  CHECK_FALSE(test("'a' == 'b'", pkt));
  CHECK_FALSE(test("'a' == 'a '", pkt));
  CHECK(test("'' == option[99].hex", pkt));
  CHECK(test("not ('a' == 'b')", pkt));
  CHECK(test("'a' == 'a' and 'b' == 'b'", pkt));
  CHECK_FALSE(test("'a' == 'a' and 'b' == 'c'", pkt));
  CHECK(test("'a' == 'x' or 'b' == 'b'", pkt));
  CHECK_FALSE(test("'a' == 'x' or 'b' == 'c'", pkt));
  CHECK(str("'a' == 'a'", pkt) == "true");
  CHECK(str("option[99].exists", pkt) == "false");
}

TEST_CASE("precedence: or < and < not < == < +", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  // "A and B or C" is "(A and B) or C": with A false, C true the result is true.
  CHECK(test("'x' == 'y' and 'x' == 'x' or 'x' == 'x'", pkt));
  // ... whereas "A and (B or C)" is false.
  CHECK_FALSE(test("'x' == 'y' and ('x' == 'x' or 'x' == 'x')", pkt));
  // "A or B and C" is "A or (B and C)": true here though "(A or B) and C" would be false.
  CHECK(test("'x' == 'x' or 'x' == 'x' and 'x' == 'y'", pkt));
  CHECK_FALSE(test("('x' == 'x' or 'x' == 'x') and 'x' == 'y'", pkt));
  // not binds tighter than and: "(not A) and B".
  CHECK_FALSE(test("not 'x' == 'x' and 'x' == 'x'", pkt));
  CHECK(test("not 'x' == 'y' and 'x' == 'x'", pkt));
  // not binds looser than ==: "not ('a' == 'b')".
  CHECK(test("not 'a' == 'b'", pkt));
  CHECK(test("not not 'a' == 'a'", pkt));
  // + binds tighter than ==.
  CHECK(test("'a' + 'b' == 'ab'", pkt));
  CHECK(test("'ab' == 'a' + 'b'", pkt));
  // Parentheses around string expressions are allowed.
  CHECK(str("('a' + 'b') + ('c')", pkt) == "abc");
}

TEST_CASE("a boolean evaluated as a string is \"true\" or \"false\"", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  CHECK(str("option[12].exists", pkt) == "true");
  CHECK(str("option[13].exists", pkt) == "false");
  CHECK(str("member('x')", pkt) == "false");
}

TEST_CASE("evaluateBool refuses a string expression", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  const auto e = compile("option[12].text");
  CHECK_FALSE(e->isBool());
  CHECK(e->type() == takahe::eval::ValueType::kString);
  CHECK_THROWS_AS(evaluateBool(*e, pkt), takahe::Error);
  CHECK_THROWS_WITH(evaluateBool(*e, pkt), Catch::Contains("gives a string, not a boolean"));
  // Even when its value happens to read "true".
  CHECK_THROWS_AS(evaluateBool(*compile("'true'"), pkt), takahe::Error);
  CHECK(compile("'a' == 'a'")->isBool());
}

TEST_CASE("forensic-log style formats", "[eval]") {
  const Pkt4 pkt = relayedRequest();
  const std::string fmt =
      "ifelse(pkt4.msgtype == 3, 'Address: ' + addrtotext(pkt4.ciaddr) + ' requested by ' + "
      "hexstring(pkt4.mac, ':') + ifelse(relay4[1].exists, ' circuit-id: ' + relay4[1].text, "
      "''), '')";
  CHECK(str(fmt, pkt) == "Address: 10.0.0.5 requested by 00:11:22:aa:bb:cc circuit-id: eth0/1");
  CHECK(str(fmt, bootpRequest()).empty());
}

TEST_CASE("one compiled expression is evaluated from several threads", "[eval]") {
  const auto e = compile("hexstring(pkt4.mac, ':') + '/' + uint32totext(pkt4.transid)");
  const Pkt4 a = relayedRequest();
  const Pkt4 b = bootpRequest();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (evaluateString(*e, a) != "00:11:22:aa:bb:cc/168496141" ||
            evaluateString(*e, b) != "/7") {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(wrong == 0);
}
