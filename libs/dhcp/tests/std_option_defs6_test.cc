#include <catch2/catch.hpp>
#include <set>

#include "takahe/dhcp/option_definition.h"

using namespace takahe;
using namespace takahe::dhcp;

namespace {

using T = OptionDataType;

struct Expect {
  std::string_view name;
  uint16_t code;
  T type;
  bool array;
};

const OptionDefinition& def6(std::string_view name, std::string_view space = kDhcp6Space) {
  const auto* d = OptionDefinitionSet::standard6().find(space, name);
  INFO(name);
  REQUIRE(d != nullptr);
  return *d;
}

Bytes encode(std::string_view name, std::string_view data, std::string_view space = kDhcp6Space) {
  auto w = encodeOptionData(def6(name, space), data, true);
  INFO((w ? std::string() : w.error()));
  REQUIRE(w.ok());
  return *w;
}

std::string format(std::string_view name, const Bytes& wire, std::string_view space = kDhcp6Space) {
  auto t = formatOptionData(def6(name, space), wire);
  INFO((t ? std::string() : t.error()));
  REQUIRE(t.ok());
  return *t;
}

}  // namespace

TEST_CASE("standard DHCPv6 definitions have Kea's names, codes and types") {
  const auto& set = OptionDefinitionSet::standard6();
  const Expect expected[] = {
      {"clientid", 1, T::kBinary, false},
      {"serverid", 2, T::kBinary, false},
      {"ia-na", 3, T::kRecord, false},
      {"ia-ta", 4, T::kUint32, false},
      {"iaaddr", 5, T::kRecord, false},
      {"oro", 6, T::kUint16, true},
      {"preference", 7, T::kUint8, false},
      {"elapsed-time", 8, T::kUint16, false},
      {"relay-msg", 9, T::kBinary, false},
      {"unicast", 12, T::kIpv6Address, false},
      {"status-code", 13, T::kRecord, false},
      {"rapid-commit", 14, T::kEmpty, false},
      {"user-class", 15, T::kBinary, false},
      {"vendor-class", 16, T::kRecord, false},
      {"vendor-opts", 17, T::kUint32, false},
      {"interface-id", 18, T::kBinary, false},
      {"reconf-accept", 20, T::kEmpty, false},
      {"sip-server-dns", 21, T::kFqdn, true},
      {"sip-server-addr", 22, T::kIpv6Address, true},
      {"dns-servers", 23, T::kIpv6Address, true},
      {"domain-search", 24, T::kFqdn, true},
      {"ia-pd", 25, T::kRecord, false},
      {"iaprefix", 26, T::kRecord, false},
      {"nis-servers", 27, T::kIpv6Address, true},
      {"nisp-servers", 28, T::kIpv6Address, true},
      {"nis-domain-name", 29, T::kFqdn, true},
      {"nisp-domain-name", 30, T::kFqdn, true},
      {"sntp-servers", 31, T::kIpv6Address, true},
      {"information-refresh-time", 32, T::kUint32, false},
      {"bcmcs-server-dns", 33, T::kFqdn, true},
      {"bcmcs-server-addr", 34, T::kIpv6Address, true},
      {"remote-id", 37, T::kRecord, false},
      {"subscriber-id", 38, T::kBinary, false},
      {"client-fqdn", 39, T::kRecord, false},
      {"pana-agent", 40, T::kIpv6Address, true},
      {"new-posix-timezone", 41, T::kString, false},
      {"new-tzdb-timezone", 42, T::kString, false},
      {"ero", 43, T::kUint16, true},
      {"lq-query", 44, T::kRecord, false},
      {"lq-client-link", 48, T::kIpv6Address, true},
      {"ntp-server", 56, T::kEmpty, false},
      {"bootfile-url", 59, T::kString, false},
      {"bootfile-param", 60, T::kTuple, true},
      {"client-arch-type", 61, T::kUint16, true},
      {"aftr-name", 64, T::kFqdn, false},
      {"rsoo", 66, T::kEmpty, false},
      {"pd-exclude", 67, T::kBinary, false},
      {"client-linklayer-addr", 79, T::kBinary, false},
      {"solmax-rt", 82, T::kUint32, false},
      {"inf-max-rt", 83, T::kUint32, false},
      {"s46-cont-mape", 94, T::kEmpty, false},
      {"v6-captive-portal", 103, T::kString, false},
      {"relay-source-port", 135, T::kUint16, false},
      {"v6-sztp-redirect", 136, T::kTuple, true},
      {"ipv6-address-andsf", 143, T::kIpv6Address, true},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    const auto* d = set.find(kDhcp6Space, e.name);
    REQUIRE(d != nullptr);
    CHECK(d->code == e.code);
    CHECK(d->type == e.type);
    CHECK(d->array == e.array);
    CHECK(d->universe == OptionUniverse::kV6);
    CHECK(set.find(kDhcp6Space, e.code) == d);
  }
}

TEST_CASE("DHCPv6 records, encapsulations and sub-option spaces") {
  CHECK(def6("ia-na").record_types == std::vector<T>{T::kUint32, T::kUint32, T::kUint32});
  CHECK(def6("iaaddr").record_types == std::vector<T>{T::kIpv6Address, T::kUint32, T::kUint32});
  CHECK(def6("iaprefix").record_types ==
        std::vector<T>{T::kUint32, T::kUint32, T::kUint8, T::kIpv6Address});
  CHECK(def6("status-code").record_types == std::vector<T>{T::kUint16, T::kString});
  CHECK(def6("client-fqdn").record_types == std::vector<T>{T::kUint8, T::kFqdn});
  CHECK(def6("ntp-server").encapsulate == kNtpServerSpace6);
  CHECK(def6("s46-cont-lw").encapsulate == kS46LwSpace);
  CHECK(def6("rsoo").encapsulate == kRsooSpace6);
  // The IA containers do not pull in whole spaces; sub-options are built by the server.
  CHECK(def6("ia-na").encapsulate.empty());
  CHECK(def6("vendor-opts").encapsulate.empty());

  struct Sub {
    std::string_view space, name;
    uint16_t code;
    T type;
  };
  const Sub subs[] = {
      {kNtpServerSpace6, "ntp-server-address", 1, T::kIpv6Address},
      {kNtpServerSpace6, "ntp-server-multicast", 2, T::kIpv6Address},
      {kNtpServerSpace6, "ntp-server-fqdn", 3, T::kFqdn},
      {kS46MapeSpace, "s46-rule", 89, T::kRecord},
      {kS46MapeSpace, "s46-br", 90, T::kIpv6Address},
      {kS46MaptSpace, "s46-dmr", 91, T::kIpv6Prefix},
      {kS46LwSpace, "s46-v4v6bind", 92, T::kRecord},
      {kS46RuleSpace, "s46-portparams", 93, T::kRecord},
      {kS46V4v6BindSpace, "s46-portparams", 93, T::kRecord},
      {kDocsis6Space, "tftp-servers", 32, T::kIpv6Address},
      {kDocsis6Space, "config-file", 33, T::kString},
      {kDocsis6Space, "cmts-cm-mac", 1026, T::kBinary},
  };
  const auto& set = OptionDefinitionSet::standard6();
  for (const auto& s : subs) {
    INFO(s.name);
    const auto* d = set.find(s.space, s.code);
    REQUIRE(d);
    CHECK(d->name == s.name);
    CHECK(d->type == s.type);
    CHECK(isV6Definition(*d));
  }
  // Same code in two spaces: no confusion.
  CHECK(set.find(kDhcp6Space, uint16_t{1})->name == "clientid");
  CHECK(set.find(kNtpServerSpace6, uint16_t{1})->name == "ntp-server-address");
}

TEST_CASE("the DHCPv6 table has unique names and stays apart from DHCPv4") {
  const auto& set = OptionDefinitionSet::standard6();
  std::set<std::string> names;
  for (const auto* d : set.all()) {
    CHECK(names.insert(d->space + "/" + d->name).second);
    CHECK(d->universe == OptionUniverse::kV6);
    CHECK(validateOptionDefinition(*d).ok());
  }
  CHECK(set.size() > 90);
  CHECK(set.find(kDhcp4Space, uint16_t{1}) == nullptr);
  CHECK(OptionDefinitionSet::standard4().find(kDhcp6Space, uint16_t{23}) == nullptr);
  CHECK(OptionDefinitionSet::standard4().find(kDhcp4Space, "domain-search")->code == 119);
}

TEST_CASE("DHCPv6 definitions take 16-bit codes; DHCPv4 ranges are unchanged") {
  OptionDefinition d;
  d.name = "my-option";
  d.space = std::string(kDhcp6Space);
  d.type = T::kUint32;
  d.code = 300;
  CHECK(validateOptionDefinition(d).ok());  // space dhcp6 alone makes it DHCPv6
  d.code = 65535;
  CHECK(validateOptionDefinition(d).ok());
  d.code = 0;
  auto r = validateOptionDefinition(d);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("1..65535") != std::string::npos);

  d.space = "vendor-4491";
  d.code = 1026;
  CHECK_FALSE(validateOptionDefinition(d).ok());  // a DHCPv4 vendor space: 0..255
  d.universe = OptionUniverse::kV6;
  CHECK(validateOptionDefinition(d).ok());
  d.code = 0;
  CHECK(validateOptionDefinition(d).ok());  // sub-option spaces may use 0

  d.space = std::string(kDhcp4Space);
  d.universe = OptionUniverse::kV4;
  d.code = 255;
  CHECK_FALSE(validateOptionDefinition(d).ok());
  d.code = 254;
  CHECK(validateOptionDefinition(d).ok());
}

TEST_CASE("codec on DHCPv6 options: addresses, names, integers") {
  Bytes dns = encode("dns-servers", "2001:db8::1, 2001:db8::2");
  CHECK(dns == Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02});
  CHECK(format("dns-servers", dns) == "2001:db8::1, 2001:db8::2");

  Bytes search = encode("domain-search", "example.com, lab.example.org");
  CHECK(search == Bytes{7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0,   3,   'l',
                        'a', 'b', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'o', 'r', 'g', 0});
  CHECK(format("domain-search", search) == "example.com., lab.example.org.");

  CHECK(encode("information-refresh-time", "3600") == Bytes{0, 0, 0x0e, 0x10});
  CHECK(encode("preference", "255") == Bytes{0xff});
  CHECK(encode("oro", "23, 24, 56") == Bytes{0, 23, 0, 24, 0, 56});
  CHECK(format("sntp-servers", encode("sntp-servers", "2001:db8::123")) == "2001:db8::123");
  CHECK(encode("aftr-name", "aftr.example.net") ==
        Bytes{4, 'a', 'f', 't', 'r', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0});
  CHECK(encode("new-posix-timezone", "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00") ==
        Bytes(std::string_view("EST5EDT4,M3.2.0/02:00,M11.1.0/02:00").begin(),
              std::string_view("EST5EDT4,M3.2.0/02:00,M11.1.0/02:00").end()));
  CHECK(encode("rapid-commit", "").empty());

  auto bad = encodeOptionData(def6("dns-servers"), "2001:db8::1, 192.0.2.1", true);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() ==
        "option 'dns-servers' (23): field 2 '192.0.2.1' is not a valid IPv6 address");
  CHECK_FALSE(formatOptionData(def6("dns-servers"), Bytes(20, 0)).ok());
}

TEST_CASE("codec on DHCPv6 options: NTP sub-options, softwire46, records") {
  CHECK(encode("ntp-server-fqdn", "ntp.example.com", kNtpServerSpace6) ==
        Bytes{3, 'n', 't', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0});
  Bytes ntp_addr = encode("ntp-server-address", "2001:db8:abcd::123", kNtpServerSpace6);
  CHECK(ntp_addr.size() == 16);
  CHECK(format("ntp-server-address", ntp_addr, kNtpServerSpace6) == "2001:db8:abcd::123");
  CHECK(encode("ntp-server", "").empty());

  // ipv6-prefix: length byte, then only the significant bytes.
  Bytes dmr = encode("s46-dmr", "2001:db8:cafe::/64", kS46MaptSpace);
  CHECK(dmr == Bytes{64, 0x20, 0x01, 0x0d, 0xb8, 0xca, 0xfe, 0x00, 0x00});
  CHECK(format("s46-dmr", dmr, kS46MaptSpace) == "2001:db8:cafe::/64");
  // The ARM's example: PSID 3 of length 4 is 0x3000 on the wire.
  CHECK(encode("s46-portparams", "2, 3/4", kS46RuleSpace) == Bytes{2, 4, 0x30, 0x00});
  Bytes rule = encode("s46-rule", "128, 0, 24, 192.0.2.0, 2001:db8:1::/64", kS46MapeSpace);
  CHECK(rule == Bytes{128, 0, 24, 192, 0, 2, 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0});
  CHECK(format("s46-rule", rule, kS46MapeSpace) == "128, 0, 24, 192.0.2.0, 2001:db8:1::/64");

  Bytes status = encode("status-code", "2, no addresses left");
  CHECK(status == Bytes{0, 2, 'n', 'o', ' ', 'a', 'd', 'd', 'r', 'e', 's', 's', 'e', 's', ' ', 'l',
                        'e', 'f', 't'});
  CHECK(format("status-code", status) == "2, no addresses left");
  Bytes fqdn = encode("client-fqdn", "1, host.example.com");
  CHECK(fqdn ==
        Bytes{1, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0});
  CHECK(format("client-fqdn", fqdn) == "1, host.example.com.");
  // A partial name from a client formats without the trailing dot.
  CHECK(format("client-fqdn", Bytes{0, 4, 'h', 'o', 's', 't'}) == "0, host");
  Bytes iaprefix = encode("iaprefix", "3600, 7200, 56, 2001:db8:ab00::");
  CHECK(iaprefix.size() == 25);
  CHECK(iaprefix[8] == 56);
  CHECK(encode("remote-id", "3561, 0a0b") == Bytes{0, 0, 0x0d, 0xe9, 0x0a, 0x0b});
}

TEST_CASE("DHCPv6 tuples carry two-byte lengths (RFC 8415 opaque data)") {
  Bytes params = encode("bootfile-param", "root=/dev/sda, quiet");
  CHECK(params == Bytes{0x00, 0x0d, 'r', 'o', 'o',  't',  '=', '/', 'd', 'e', 'v',
                        '/',  's',  'd', 'a', 0x00, 0x05, 'q', 'u', 'i', 'e', 't'});
  CHECK(format("bootfile-param", params) == "root=/dev/sda, quiet");
  CHECK(encode("v6-sztp-redirect", "https://sztp.example.com") ==
        Bytes(std::string_view("\x00\x18https://sztp.example.com", 26).begin(),
              std::string_view("\x00\x18https://sztp.example.com", 26).end()));
  // A custom DHCPv6 record with a tuple uses the same width; DHCPv4 keeps one byte.
  OptionDefinition custom;
  custom.name = "my-tuple";
  custom.code = 1000;
  custom.space = std::string(kDhcp6Space);
  custom.type = T::kTuple;
  CHECK(encodeOptionData(custom, "ab", true).value() == Bytes{0, 2, 'a', 'b'});
  custom.space = std::string(kDhcp4Space);
  custom.code = 200;
  CHECK(encodeOptionData(custom, "ab", true).value() == Bytes{2, 'a', 'b'});
}
