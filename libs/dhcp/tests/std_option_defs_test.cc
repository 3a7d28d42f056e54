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

}  // namespace

TEST_CASE("standard DHCPv4 definitions have Kea's names, codes and types") {
  const auto& set = OptionDefinitionSet::standard4();
  const Expect expected[] = {
      {"subnet-mask", 1, T::kIpv4Address, false},
      {"time-offset", 2, T::kInt32, false},
      {"routers", 3, T::kIpv4Address, true},
      {"domain-name-servers", 6, T::kIpv4Address, true},
      {"host-name", 12, T::kString, false},
      {"boot-size", 13, T::kUint16, false},
      {"domain-name", 15, T::kString, false},
      {"ip-forwarding", 19, T::kBoolean, false},
      {"default-ip-ttl", 23, T::kUint8, false},
      {"path-mtu-plateau-table", 25, T::kUint16, true},
      {"static-routes", 33, T::kIpv4Address, true},
      {"ntp-servers", 42, T::kIpv4Address, true},
      {"netbios-node-type", 46, T::kUint8, false},
      {"dhcp-lease-time", 51, T::kUint32, false},
      {"dhcp-parameter-request-list", 55, T::kUint8, true},
      {"dhcp-max-message-size", 57, T::kUint16, false},
      {"vendor-class-identifier", 60, T::kString, false},
      {"dhcp-client-identifier", 61, T::kBinary, false},
      {"tftp-server-name", 66, T::kString, false},
      {"boot-file-name", 67, T::kString, false},
      {"streettalk-directory-assistance-server", 76, T::kIpv4Address, true},
      {"user-class", 77, T::kBinary, false},
      {"bcms-controller-names", 88, T::kFqdn, true},
      {"client-system", 93, T::kUint16, true},
      {"v6-only-preferred", 108, T::kUint32, false},
      {"v4-captive-portal", 114, T::kString, false},
      {"auto-config", 116, T::kUint8, false},
      {"name-service-search", 117, T::kUint16, true},
      {"subnet-selection", 118, T::kIpv4Address, false},
      {"domain-search", 119, T::kFqdn, true},
      {"classless-static-route", 121, T::kInternal, false},
      {"v4-lost", 137, T::kFqdn, false},
      {"sip-ua-cs-domains", 141, T::kFqdn, true},
      {"v4-access-domain", 213, T::kFqdn, false},
  };
  for (const auto& e : expected) {
    INFO(e.name);
    const auto* d = set.find(kDhcp4Space, e.name);
    REQUIRE(d != nullptr);
    CHECK(d->code == e.code);
    CHECK(d->type == e.type);
    CHECK(d->array == e.array);
    CHECK(set.find(kDhcp4Space, e.code) == d);
  }
}

TEST_CASE("standard records and encapsulations") {
  const auto& set = OptionDefinitionSet::standard4();
  const auto* fqdn = set.find(kDhcp4Space, uint16_t{81});
  REQUIRE(fqdn);
  CHECK(fqdn->name == "fqdn");
  CHECK(fqdn->record_types == std::vector<T>{T::kUint8, T::kUint8, T::kUint8, T::kFqdn});
  const auto* vivco = set.find(kDhcp4Space, "vivco-suboptions");
  REQUIRE(vivco);
  CHECK(vivco->code == 124);
  CHECK(vivco->record_types == std::vector<T>{T::kUint32, T::kBinary});
  const auto* ndi = set.find(kDhcp4Space, "client-ndi");
  REQUIRE(ndi);
  CHECK(ndi->record_types == std::vector<T>{T::kUint8, T::kUint8, T::kUint8});
  const auto* rd = set.find(kDhcp4Space, "option-6rd");
  REQUIRE(rd);
  CHECK(rd->code == 212);
  CHECK(rd->array);
  const auto* rai = set.find(kDhcp4Space, "dhcp-agent-options");
  REQUIRE(rai);
  CHECK(rai->code == 82);
  CHECK(rai->type == T::kEmpty);
  CHECK(rai->encapsulate == kAgentSpace);
  const auto* v43 = set.find(kDhcp4Space, uint16_t{43});
  REQUIRE(v43);
  CHECK(v43->name == "vendor-encapsulated-options");
  CHECK(v43->encapsulate == kVendorEncapsulatedSpace);
}

TEST_CASE("relay agent sub-options are defined in their own space") {
  const auto& set = OptionDefinitionSet::standard4();
  struct Sub {
    std::string_view name;
    uint16_t code;
    T type;
  };
  const Sub subs[] = {{"circuit-id", 1, T::kBinary},
                      {"remote-id", 2, T::kBinary},
                      {"link-selection", 5, T::kIpv4Address},
                      {"subscriber-id", 6, T::kString},
                      {"server-id-override", 11, T::kIpv4Address},
                      {"relay-id", 12, T::kBinary},
                      {"relay-port", 19, T::kUint16}};
  for (const auto& s : subs) {
    INFO(s.name);
    const auto* d = set.find(kAgentSpace, s.name);
    REQUIRE(d);
    CHECK(d->code == s.code);
    CHECK(d->type == s.type);
    CHECK(d->space == kAgentSpace);
  }
  // Same code, different space: no confusion.
  CHECK(set.find(kDhcp4Space, uint16_t{1})->name == "subnet-mask");
  CHECK(set.find(kAgentSpace, uint16_t{1})->name == "circuit-id");
}

TEST_CASE("every RFC 2132 option 1..76 has a definition") {
  const auto& set = OptionDefinitionSet::standard4();
  for (uint16_t code = 1; code <= 76; ++code) {
    INFO(code);
    CHECK(set.find(kDhcp4Space, code) != nullptr);
  }
  std::set<std::string> names;
  for (const auto* d : set.all()) {
    CHECK(names.insert(d->space + "/" + d->name).second);
  }
  CHECK(names.size() == set.size());
}

TEST_CASE("type names map both ways") {
  for (std::string_view n : {"empty", "binary", "boolean", "int8", "int16", "int32", "uint8",
                             "uint16", "uint32", "ipv4-address", "ipv6-address", "ipv6-prefix",
                             "psid", "string", "fqdn", "tuple", "record", "internal"}) {
    auto t = optionDataTypeFromName(n);
    REQUIRE(t);
    CHECK(optionDataTypeName(*t) == n);
  }
  CHECK_FALSE(optionDataTypeFromName("uint64"));
}

TEST_CASE("add() replaces the same code and refuses a name used by another code") {
  OptionDefinitionSet set = OptionDefinitionSet::standard4();  // a per-config copy
  OptionDefinition d;
  d.name = "my-vendor-class";
  d.code = 124;
  d.type = T::kRecord;
  d.record_types = {T::kUint32, T::kTuple};
  REQUIRE(set.add(d).ok());
  CHECK(set.find(kDhcp4Space, uint16_t{124})->name == "my-vendor-class");
  CHECK(set.find(kDhcp4Space, "vivco-suboptions") == nullptr);
  // The standard set itself is untouched.
  CHECK(OptionDefinitionSet::standard4().find(kDhcp4Space, uint16_t{124})->name ==
        "vivco-suboptions");
  // The new layout is what the codec uses.
  const auto* mine = set.find(kDhcp4Space, "my-vendor-class");
  auto w = encodeOptionData(*mine, "4491, hello", true);
  REQUIRE(w.ok());
  CHECK(*w == Bytes{0, 0, 0x11, 0x8b, 5, 'h', 'e', 'l', 'l', 'o'});

  OptionDefinition clash;
  clash.name = "routers";
  clash.code = 250;
  clash.type = T::kUint8;
  auto r = set.add(clash);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("already used by code 3") != std::string::npos);
  CHECK(set.find(kDhcp4Space, uint16_t{250}) == nullptr);

  // The same name in another space is fine.
  clash.space = "my-space";
  CHECK(set.add(clash).ok());
  CHECK(set.find("my-space", "routers")->code == 250);
}

TEST_CASE("add() validates definitions like Kea's option-def parser") {
  OptionDefinitionSet set;
  auto bad = [&](OptionDefinition d, std::string_view why) {
    auto r = set.add(std::move(d));
    REQUIRE_FALSE(r.ok());
    INFO(r.error());
    CHECK(r.error().find(why) != std::string::npos);
  };
  OptionDefinition d;
  d.name = "x";
  d.code = 200;
  d.type = T::kRecord;
  d.record_types = {T::kUint8};
  bad(d, "at least two fields");
  d.record_types = {T::kString, T::kUint8};
  bad(d, "only be the last field");
  d.record_types = {T::kUint8, T::kBinary};
  d.array = true;
  bad(d, "an array of binary");
  d = OptionDefinition{};
  d.name = "x";
  d.code = 200;
  d.type = T::kString;
  d.array = true;
  bad(d, "an array of string");
  d.array = false;
  d.name = "-x";
  bad(d, "invalid name");
  d.name = "bad name";
  bad(d, "invalid name");
  d.name = "x";
  d.code = 255;
  bad(d, "1..254");
  d.code = 0;
  bad(d, "1..254");
  d.code = 200;
  d.record_types = {T::kUint8, T::kUint8};
  bad(d, "only allowed for type 'record'");
  d.record_types.clear();
  CHECK(set.add(d).ok());
  CHECK(set.size() == 1);
}
