#include <catch2/catch.hpp>

#include "takahe/dhcp/option_definition.h"

using namespace takahe;
using namespace takahe::dhcp;

namespace {

using T = OptionDataType;

OptionDefinition makeDef(std::string name, uint16_t code, T type, bool array = false,
                         std::vector<T> record = {}) {
  OptionDefinition d;
  d.name = std::move(name);
  d.code = code;
  d.type = type;
  d.array = array;
  d.record_types = std::move(record);
  return d;
}

const OptionDefinition& std4(std::string_view name) {
  const auto* d = OptionDefinitionSet::standard4().find(kDhcp4Space, name);
  REQUIRE(d != nullptr);
  return *d;
}

Bytes enc(const OptionDefinition& d, std::string_view data, bool csv = true) {
  auto r = encodeOptionData(d, data, csv);
  INFO((r ? std::string() : r.error()));
  REQUIRE(r.ok());
  return *r;
}

std::string encErr(const OptionDefinition& d, std::string_view data, bool csv = true) {
  auto r = encodeOptionData(d, data, csv);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

std::string fmt(const OptionDefinition& d, const Bytes& wire) {
  auto r = formatOptionData(d, wire);
  INFO((r ? std::string() : r.error()));
  REQUIRE(r.ok());
  return *r;
}

std::string fmtErr(const OptionDefinition& d, const Bytes& wire) {
  auto r = formatOptionData(d, wire);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("unsigned integers are range-checked and accept 0x hex") {
  auto u8 = makeDef("u8", 200, T::kUint8);
  CHECK(enc(u8, "255") == Bytes{0xff});
  CHECK(enc(u8, " 0x10 ") == Bytes{0x10});
  CHECK(encErr(u8, "256") == "option 'u8' (200): field 1 '256' is not a valid uint8 (0..255)");
  CHECK(encErr(u8, "-1").find("not a valid uint8") != std::string::npos);
  CHECK(encErr(u8, "12abc").find("not a valid uint8") != std::string::npos);
  CHECK(encErr(u8, "1, 2") == "option 'u8' (200): expects a single value, got more fields");
  CHECK(fmt(u8, {0xff}) == "255");
  CHECK(fmtErr(u8, {}).find("needs 1 bytes, 0 left") != std::string::npos);
  CHECK(fmtErr(u8, {1, 2}).find("1 bytes left after the last field") != std::string::npos);

  auto u16 = makeDef("u16", 201, T::kUint16);
  CHECK(enc(u16, "1500") == Bytes{0x05, 0xdc});
  CHECK(encErr(u16, "65536").find("(0..65535)") != std::string::npos);
  CHECK(fmt(u16, {0x05, 0xdc}) == "1500");

  auto u32 = makeDef("u32", 202, T::kUint32);
  CHECK(enc(u32, "4294967295") == Bytes{0xff, 0xff, 0xff, 0xff});
  CHECK(encErr(u32, "4294967296").find("not a valid uint32") != std::string::npos);
  CHECK(fmt(u32, {0, 1, 0x51, 0x80}) == "86400");
}

TEST_CASE("signed integers encode two's complement and format back") {
  auto i8 = makeDef("i8", 200, T::kInt8);
  CHECK(enc(i8, "-128") == Bytes{0x80});
  CHECK(enc(i8, "127") == Bytes{0x7f});
  CHECK(encErr(i8, "128").find("(-128..127)") != std::string::npos);
  CHECK(encErr(i8, "-129").find("not a valid int8") != std::string::npos);
  CHECK(fmt(i8, {0xff}) == "-1");
  auto i16 = makeDef("i16", 200, T::kInt16);
  CHECK(enc(i16, "-2") == Bytes{0xff, 0xfe});
  CHECK(fmt(i16, {0x80, 0x00}) == "-32768");
  const auto& offset = std4("time-offset");  // int32
  CHECK(enc(offset, "-3600") == Bytes{0xff, 0xff, 0xf1, 0xf0});
  CHECK(fmt(offset, {0xff, 0xff, 0xf1, 0xf0}) == "-3600");
}

TEST_CASE("booleans take true/false/1/0") {
  const auto& fwd = std4("ip-forwarding");
  CHECK(enc(fwd, "true") == Bytes{1});
  CHECK(enc(fwd, "FALSE") == Bytes{0});
  CHECK(enc(fwd, "1") == Bytes{1});
  CHECK(enc(fwd, "0") == Bytes{0});
  CHECK(encErr(fwd, "yes") ==
        "option 'ip-forwarding' (19): field 1 'yes' is not a valid boolean (true, false, 1 or 0)");
  CHECK(fmt(fwd, {1}) == "true");
  CHECK(fmt(fwd, {0}) == "false");
  CHECK(fmtErr(fwd, {2}).find("is not 0 or 1") != std::string::npos);
}

TEST_CASE("IPv4 address arrays, with a precise error for a bad element") {
  const auto& routers = std4("routers");
  CHECK(enc(routers, "10.0.0.1, 10.0.0.2") == Bytes{10, 0, 0, 1, 10, 0, 0, 2});
  CHECK(fmt(routers, {10, 0, 0, 1, 10, 0, 0, 2}) == "10.0.0.1, 10.0.0.2");
  CHECK(encErr(routers, "10.0.0.1, 10.0.0.x") ==
        "option 'routers' (3): field 2 '10.0.0.x' is not a valid IPv4 address");
  CHECK(encErr(routers, "").find("no data given") != std::string::npos);
  CHECK(encErr(routers, "10.0.0.1,").find("field 2 ''") != std::string::npos);
  CHECK(fmtErr(routers, {10, 0, 0, 1, 10}).find("field 2 needs 4 bytes, 1 left") !=
        std::string::npos);
  CHECK(enc(std4("subnet-mask"), "255.255.255.0") == Bytes{255, 255, 255, 0});
  CHECK(encErr(std4("subnet-mask"), "1.2.3.4, 5.6.7.8").find("single value") != std::string::npos);
}

TEST_CASE("IPv6 addresses and prefixes follow Kea's wire layout") {
  auto a6 = makeDef("a6", 200, T::kIpv6Address);
  Bytes w = enc(a6, "2001:db8::1");
  CHECK(w.size() == 16);
  CHECK(w[0] == 0x20);
  CHECK(w[15] == 1);
  CHECK(fmt(a6, w) == "2001:db8::1");
  CHECK(encErr(a6, "2001:db8::g").find("not a valid IPv6 address") != std::string::npos);

  auto p6 = makeDef("p6", 201, T::kIpv6Prefix);
  // Length byte, then ceil(len/8) prefix bytes.
  CHECK(enc(p6, "2001:db8::/64") == Bytes{64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0});
  CHECK(enc(p6, "2001:db8:ffff::/36") == Bytes{36, 0x20, 0x01, 0x0d, 0xb8, 0xf0});
  CHECK(enc(p6, "::/0") == Bytes{0});
  CHECK(fmt(p6, {64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0}) == "2001:db8::/64");
  CHECK(fmt(p6, {36, 0x20, 0x01, 0x0d, 0xb8, 0xff}) == "2001:db8:f000::/36");
  CHECK(encErr(p6, "2001:db8::").find("not a valid IPv6 prefix") != std::string::npos);
  CHECK(encErr(p6, "2001:db8::/129").find("not a valid IPv6 prefix") != std::string::npos);
  CHECK(fmtErr(p6, {64, 0x20}).find("needs 9 bytes") != std::string::npos);
  CHECK(fmtErr(p6, {200}).find("over 128") != std::string::npos);
}

TEST_CASE("PSID is psid/length with the PSID in the high bits") {
  const auto& pp = std4("v4-portparams");  // record uint8, psid
  CHECK(enc(pp, "6, 3/4") == Bytes{6, 4, 0x30, 0x00});
  CHECK(enc(pp, "0, 0/0") == Bytes{0, 0, 0, 0});
  CHECK(enc(pp, "2, 65535/16") == Bytes{2, 16, 0xff, 0xff});
  CHECK(fmt(pp, {6, 4, 0x30, 0x00}) == "6, 3/4");
  CHECK(encErr(pp, "6, 16/4").find("field 2 '16/4' is not a valid PSID") != std::string::npos);
  CHECK(encErr(pp, "6, 1/17").find("not a valid PSID") != std::string::npos);
  CHECK(fmtErr(pp, {6, 4, 0x30, 0x01}).find("bits set beyond") != std::string::npos);
}

TEST_CASE("strings are raw bytes; quotes and \\, keep commas") {
  const auto& host = std4("host-name");
  CHECK(enc(host, "  my host  ") == str("my host"));
  CHECK(enc(host, "a, b") == str("a, b"));
  CHECK(enc(host, "'a,b'") == str("a,b"));
  CHECK(enc(host, "a\\,b") == str("a,b"));
  CHECK(enc(host, "caf\xc3\xa9") == str("caf\xc3\xa9"));
  CHECK(encErr(host, "  ") == "option 'host-name' (12): a string value cannot be empty");
  CHECK(fmt(host, str("host1")) == "host1");
  CHECK(fmt(host, {'h', 'i', 0, 0}) == "hi");  // trailing NULs dropped
  // RFC 2132 3.17: domain-name is ASCII text, not DNS wire format.
  CHECK(enc(std4("domain-name"), "example.org") == str("example.org"));
}

TEST_CASE("fqdn fields use DNS wire format") {
  const auto& lost = std4("v4-lost");
  Bytes wire = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0};
  CHECK(enc(lost, "example.org") == wire);
  CHECK(enc(lost, "example.org.") == wire);
  CHECK(enc(lost, "Example.ORG") ==
        Bytes{7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'O', 'R', 'G', 0});
  CHECK(fmt(lost, wire) == "example.org.");
  CHECK(encErr(lost, "a..b").find("empty label") != std::string::npos);
  CHECK(encErr(lost, std::string(64, 'a') + ".com").find("longer than 63") != std::string::npos);
  CHECK(encErr(lost, "a b.com").find("space") != std::string::npos);
  CHECK(fmtErr(lost, {3, 'a', 'b'}).find("past the end") != std::string::npos);
  // Escapes survive a round trip.
  Bytes odd = {3, 'a', '.', 'b', 2, 'x', ' ', 0};
  CHECK(fmt(lost, odd) == "a\\.b.x\\032.");
  CHECK(enc(lost, "a\\.b.x\\032.") == odd);
}

TEST_CASE("encodeFqdn/decodeFqdn handle partial and root names") {
  CHECK(*encodeFqdn(".") == Bytes{0});
  CHECK(*encodeFqdn("host", true) == Bytes{4, 'h', 'o', 's', 't'});
  CHECK(*encodeFqdn("host.", true) == Bytes{4, 'h', 'o', 's', 't', 0});
  CHECK(*encodeFqdn("host") == Bytes{4, 'h', 'o', 's', 't', 0});
  CHECK_FALSE(encodeFqdn(""));
  std::string long_name;
  for (int i = 0; i < 5; ++i) {
    long_name += std::string(60, 'a') + ".";
  }
  CHECK_FALSE(encodeFqdn(long_name));  // 305 bytes in wire format
  size_t used = 0;
  CHECK(*decodeFqdn(Bytes{4, 'h', 'o', 's', 't'}, &used) == "host");
  CHECK(used == 5);
  CHECK(*decodeFqdn(Bytes{4, 'h', 'o', 's', 't', 0, 9, 9}, &used) == "host.");
  CHECK(used == 6);
  CHECK(*decodeFqdn(Bytes{0}) == ".");
  CHECK_FALSE(decodeFqdn(Bytes{}));
  CHECK_FALSE(decodeFqdn(Bytes{0x40, 1}));  // extended label types are not supported
}

TEST_CASE("domain-search (119) is a list of uncompressed names; pointers are followed") {
  const auto& ds = std4("domain-search");
  Bytes wire = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0,   3,   's',
                'u', 'b', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'o', 'r', 'g', 0};
  CHECK(enc(ds, "example.com, sub.example.org") == wire);
  CHECK(fmt(ds, wire) == "example.com., sub.example.org.");
  // RFC 3397 example style: "eng.example.com" then a pointer back to "example.com".
  Bytes compressed = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',  3,   'c',
                      'o', 'm', 0,   3,   'e', 'n', 'g', 0xc0, 0x00};
  CHECK(fmt(ds, compressed) == "example.com., eng.example.com.");
  // Forward or self pointers are refused, so decoding always ends.
  CHECK(fmtErr(ds, {0xc0, 0x00}).find("bad compression pointer") != std::string::npos);
  CHECK(fmtErr(ds, {3, 'a', 'b', 'c', 0xc0, 0x06, 0}).find("pointer") != std::string::npos);
  // Inside a list every name must be terminated.
  CHECK(fmtErr(ds, {3, 'a', 'b', 'c'}).find("not terminated") != std::string::npos);
}

TEST_CASE("tuples carry a one-byte length; option 143 uses two") {
  auto tup = makeDef("tup", 200, T::kTuple);
  CHECK(enc(tup, "hello") == Bytes{5, 'h', 'e', 'l', 'l', 'o'});
  CHECK(fmt(tup, {5, 'h', 'e', 'l', 'l', 'o'}) == "hello");
  CHECK(encErr(tup, std::string(256, 'x')).find("longer than 255") != std::string::npos);
  CHECK(fmtErr(tup, {5, 'h'}).find("runs past the end") != std::string::npos);
  auto tups = makeDef("tups", 201, T::kTuple, true);
  CHECK(enc(tups, "ab, c") == Bytes{2, 'a', 'b', 1, 'c'});
  CHECK(fmt(tups, {2, 'a', 'b', 1, 'c'}) == "ab, c");
  const auto& sztp = std4("v4-sztp-redirect");
  CHECK(enc(sztp, "https://a") == Bytes{0, 9, 'h', 't', 't', 'p', 's', ':', '/', '/', 'a'});
}

TEST_CASE("binary takes hex in the usual spellings or a quoted text") {
  const auto& cid = std4("dhcp-client-identifier");
  CHECK(enc(cid, "01:02:03") == Bytes{1, 2, 3});
  CHECK(enc(cid, "0a0b0c") == Bytes{10, 11, 12});
  CHECK(enc(cid, "0x0a0b") == Bytes{10, 11});
  CHECK(enc(cid, "'abc'") == str("abc"));
  CHECK(enc(cid, "") == Bytes{});
  CHECK(encErr(cid, "zz") == "option 'dhcp-client-identifier' (61): field 1 'zz' is not valid hex");
  CHECK(fmt(cid, {1, 2, 3}) == "010203");
}

TEST_CASE("empty options take no data") {
  auto e = makeDef("flag", 200, T::kEmpty);
  CHECK(enc(e, "") == Bytes{});
  CHECK(enc(e, "  ") == Bytes{});
  CHECK(encErr(e, "1").find("takes no data") != std::string::npos);
  CHECK(encErr(e, "01", false).find("takes no data") != std::string::npos);
  CHECK(fmt(e, {}) == "");
  CHECK(fmtErr(e, {1}).find("type 'empty'") != std::string::npos);
  // An encapsulating empty option (82) may carry raw sub-options in hex.
  const auto& rai = std4("dhcp-agent-options");
  CHECK(enc(rai, "01 02 61 62", false) == Bytes{1, 2, 'a', 'b'});
  CHECK(fmtErr(rai, {1, 2, 'a', 'b'}).find("sub-options") != std::string::npos);
}

TEST_CASE("csv-format false takes hex with spaces or colons") {
  const auto& routers = std4("routers");
  CHECK(enc(routers, "0a 00 00 01", false) == Bytes{10, 0, 0, 1});
  CHECK(enc(routers, "0a:00:00:01", false) == Bytes{10, 0, 0, 1});
  CHECK(enc(routers, " 0a000001 ", false) == Bytes{10, 0, 0, 1});
  CHECK(enc(routers, "0a  00", false) == Bytes{10, 0});
  CHECK(encErr(routers, "0a0g", false) ==
        "option 'routers' (3): data '0a0g' is not valid hex (csv-format is false)");
}

TEST_CASE("a custom record of uint8, ipv4-address, string") {
  auto rec = makeDef("my-rec", 222, T::kRecord, false, {T::kUint8, T::kIpv4Address, T::kString});
  Bytes w = enc(rec, "5, 10.0.0.1, hello, world");
  CHECK(w == Bytes{5, 10, 0, 0, 1, 'h', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd'});
  CHECK(fmt(rec, w) == "5, 10.0.0.1, hello, world");
  CHECK(enc(rec, "5, 10.0.0.1") == Bytes{5, 10, 0, 0, 1});  // trailing string omitted
  CHECK(encErr(rec, "5") == "option 'my-rec' (222): expected 3 fields, got 1");
  CHECK(encErr(rec, "5, 1.2.3") ==
        "option 'my-rec' (222): field 2 '1.2.3' is not a valid IPv4 address");
  CHECK(encErr(rec, "300, 1.2.3.4, x").find("field 1 '300' is not a valid uint8") !=
        std::string::npos);
  CHECK(fmtErr(rec, {5, 10, 0}).find("field 2 needs 4 bytes, 2 left") != std::string::npos);
}

TEST_CASE("record arrays repeat their last field") {
  auto rec = makeDef("rec-array", 223, T::kRecord, true, {T::kUint8, T::kUint16});
  CHECK(enc(rec, "1, 2, 3, 4") == Bytes{1, 0, 2, 0, 3, 0, 4});
  CHECK(fmt(rec, {1, 0, 2, 0, 3, 0, 4}) == "1, 2, 3, 4");
  CHECK(fmtErr(rec, {1, 0, 2, 0}).find("field 3 needs 2 bytes, 1 left") != std::string::npos);
  // Standard examples: slp-directory-agent (boolean + ipv4 array) and option-6rd.
  const auto& slp = std4("slp-directory-agent");
  CHECK(enc(slp, "true, 10.0.0.1, 10.0.0.2") == Bytes{1, 10, 0, 0, 1, 10, 0, 0, 2});
  CHECK(fmt(slp, {1, 10, 0, 0, 1, 10, 0, 0, 2}) == "true, 10.0.0.1, 10.0.0.2");
  const auto& rd = std4("option-6rd");
  Bytes w = enc(rd, "0, 32, 2001:db8::, 192.0.2.1, 192.0.2.2");
  CHECK(w.size() == 2 + 16 + 8);
  CHECK(fmt(rd, w) == "0, 32, 2001:db8::, 192.0.2.1, 192.0.2.2");
  const auto& rdnss = std4("rdnss-selection");
  Bytes r = enc(rdnss, "1, 10.0.0.1, 10.0.0.2, a.com, b.org");
  CHECK(fmt(rdnss, r) == "1, 10.0.0.1, 10.0.0.2, a.com., b.org.");
}

TEST_CASE("client FQDN (81): the E flag selects wire or ASCII name encoding") {
  const auto& f = std4("fqdn");
  Bytes wire = enc(f, "5, 0, 0, host.example.org");
  CHECK(wire == Bytes{5,   0,   0,   4,   'h', 'o', 's', 't', 7,   'e', 'x',
                      'a', 'm', 'p', 'l', 'e', 3,   'o', 'r', 'g', 0});
  CHECK(fmt(f, wire) == "5, 0, 0, host.example.org.");
  // Partial names (no root label) are allowed in the last field.
  CHECK(fmt(f, {5, 0, 0, 4, 'h', 'o', 's', 't'}) == "5, 0, 0, host");
  Bytes ascii = enc(f, "1, 0, 0, host.example.org");
  CHECK(ascii == Bytes{1, 0, 0, 'h', 'o', 's', 't', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
                       'o', 'r', 'g'});
  CHECK(fmt(f, ascii) == "1, 0, 0, host.example.org");
}

TEST_CASE("classless static routes (121) use the dedicated text format") {
  const auto& csr = std4("classless-static-route");
  CHECK(csr.code == 121);
  CHECK(csr.type == T::kInternal);
  Bytes wire = enc(csr,
                   "10.229.0.128/25 - 10.229.0.1, 10.198.122.47/32 - 10.229.0.2, "
                   "0.0.0.0/0 - 10.0.0.1, 10.27.129.1/8 - 10.0.0.254");
  CHECK(wire == Bytes{25, 10, 229, 0,   128, 10, 229, 0, 1,  //
                      32, 10, 198, 122, 47,  10, 229, 0, 2,  //
                      0,  10, 0,   0,   1,                   //
                      8,  10, 10,  0,   0,   254});          // host bits masked off
  CHECK(fmt(csr, wire) ==
        "10.229.0.128/25 - 10.229.0.1, 10.198.122.47/32 - 10.229.0.2, 0.0.0.0/0 - 10.0.0.1, "
        "10.0.0.0/8 - 10.0.0.254");
  CHECK(encErr(csr, "10.0.0.0/8 10.0.0.1") ==
        "option 'classless-static-route' (121): route 1 '10.0.0.0/8 10.0.0.1' is not valid "
        "(expected a.b.c.d/len - router)");
  CHECK(encErr(csr, "10.0.0.0/8 - 10.0.0.1, 10.0.0.0/33 - 1.2.3.4").find("route 2") !=
        std::string::npos);
  CHECK(encErr(csr, "").find("no routes") != std::string::npos);
  CHECK(enc(csr, "08 0a 0a 00 00 fe", false) == Bytes{8, 10, 10, 0, 0, 254});
  CHECK(fmtErr(csr, {33, 1, 2, 3, 4, 5, 6, 7, 8}).find("over 32") != std::string::npos);
  CHECK(fmtErr(csr, {24, 10, 0, 0, 1, 2}).find("truncated") != std::string::npos);
}

TEST_CASE("vivso-suboptions (125) is an enterprise number plus optional raw data") {
  const auto& v = std4("vivso-suboptions");
  CHECK(enc(v, "4491") == Bytes{0, 0, 0x11, 0x8b});
  CHECK(enc(v, "4491, 05 02 01 02") == Bytes{0, 0, 0x11, 0x8b, 5, 2, 1, 2});
  CHECK(fmt(v, {0, 0, 0x11, 0x8b}) == "4491");
  CHECK(fmt(v, {0, 0, 0x11, 0x8b, 5, 2}) == "4491, 0502");
  const auto& uuid = std4("uuid-guid");
  CHECK(enc(uuid, "0, 00112233") == Bytes{0, 0, 0x11, 0x22, 0x33});
}

TEST_CASE("quoting errors are reported") {
  auto rec = makeDef("r", 200, T::kRecord, true, {T::kUint8, T::kTuple});
  CHECK(enc(rec, "1, 'a,b', c") == Bytes{1, 3, 'a', ',', 'b', 1, 'c'});
  CHECK(encErr(rec, "1, 'a,b").find("unterminated quote") != std::string::npos);
  CHECK(encErr(rec, "1, 'a'b").find("after a closing quote") != std::string::npos);
}
