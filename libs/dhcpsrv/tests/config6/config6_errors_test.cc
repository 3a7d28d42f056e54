// Each refusal of the Dhcp6 parser names the JSON path of the offending key and its file:line.

#include <catch2/catch.hpp>

#include "config6_test_util.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test6;
using Catch::Contains;

namespace {
const std::string kSubnet = R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", )";
}

TEST_CASE("Dhcp6 errors carry the JSON path and the file:line") {
  std::string e = errorOf6(kSubnet + R"(
    "pools": [ { "pool": "2001:db8:2::1 - 2001:db8:2::9" } ] } ])");
  CHECK_THAT(e, Contains("Dhcp6/subnet6[0]/pools[0]/pool"));
  CHECK_THAT(e, Contains("outside subnet 2001:db8:1::/64"));
  CHECK_THAT(e, Contains("test6.json:2"));
}

TEST_CASE("Unknown Dhcp6 keys are refused where they are written") {
  CHECK_THAT(errorOf6(R"("valid-lifetyme": 10)"),
             Contains("Dhcp6/valid-lifetyme: unknown parameter 'valid-lifetyme'"));
  CHECK_THAT(errorOf6(kSubnet + R"("pool": "2001:db8:1::/96" } ])"),
             Contains("Dhcp6/subnet6[0]/pool: unknown parameter"));
  CHECK_THAT(errorOf6(kSubnet +
                      R"("pd-pools": [ { "prefix": "3000::", "prefix-len": 48, "delegated-len": 56,
              "delegated-length": 60 } ] } ])"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/delegated-length: unknown parameter"));
  CHECK_THAT(errorOf6(R"("shared-networks": [ { "name": "n", "reservations": [] } ])"),
             Contains("Dhcp6/shared-networks[0]/reservations: unknown parameter"));
  CHECK_THAT(errorOf6(R"("interface": "eth0")"), Contains("unknown parameter 'interface'"));
  // DHCPv4-only settings are refused with a reason.
  CHECK_THAT(errorOf6(R"("interfaces-config": { "dhcp-socket-type": "raw" })"),
             Contains("Dhcp6/interfaces-config/dhcp-socket-type"));
  CHECK_THAT(errorOf6(R"("match-client-id": true)"),
             Contains("unknown parameter 'match-client-id'"));
}

TEST_CASE("Bad subnets are refused") {
  CHECK_THAT(errorOf6(R"("subnet6": [ { "id": 1, "subnet": "10.0.0.0/24" } ])"),
             Contains("Dhcp6/subnet6[0]/subnet: '10.0.0.0/24' is not an IPv6 prefix"));
  CHECK_THAT(errorOf6(R"("subnet6": [ { "id": 1 } ])"),
             Contains("missing mandatory parameter 'subnet'"));
  std::string dup = errorOf6(R"("subnet6": [ { "id": 4, "subnet": "2001:db8:1::/64" } ],
    "shared-networks": [ { "name": "n", "subnet6": [ { "id": 4, "subnet": "2001:db8:2::/64" } ] } ])");
  CHECK_THAT(dup, Contains("subnet id 4 is already used by Dhcp6/subnet6[0]"));
  CHECK_THAT(dup, Contains("Dhcp6/shared-networks[0]/subnet6[0]/id"));
  CHECK_THAT(
      errorOf6(
          R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:1::/64" } ])"),
      Contains("subnet 2001:db8:1::/64 is already defined at Dhcp6/subnet6[0]"));
  CHECK_THAT(errorOf6(R"("subnet6": [ { "id": 0, "subnet": "2001:db8:1::/64" } ])"),
             Contains("Dhcp6/subnet6[0]/id: value 0 is out of range"));
  CHECK_THAT(errorOf6(kSubnet + R"("interface": "eth0", "interface-id": "x" } ])"),
             Contains("Dhcp6/subnet6[0]/interface-id: 'interface'"));
  CHECK_THAT(
      errorOf6(kSubnet + R"("relay": { "ip-addresses": [ "10.0.0.1" ] } } ])"),
      Contains("Dhcp6/subnet6[0]/relay/ip-addresses: '10.0.0.1' is not a valid IPv6 address"));
  CHECK_THAT(
      errorOf6(R"("shared-networks": [ { "name": "n", "rapid-commit": true, "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:2::/64", "rapid-commit": false } ] } ])"),
      Contains(
          "Dhcp6/shared-networks[0]/subnet6[1]/rapid-commit: all subnets of shared network 'n'"));
  CHECK_THAT(errorOf6(R"("shared-networks": [ { "name": "n" }, { "name": "n" } ])"),
             Contains("defined twice"));
}

TEST_CASE("Bad address pools are refused") {
  CHECK_THAT(errorOf6(kSubnet + R"("pools": [ { "pool": "2001:db8:1::9 - 2001:db8:1::1" } ] } ])"),
             Contains("Dhcp6/subnet6[0]/pools[0]/pool: '2001:db8:1::9 - 2001:db8:1::1': the last "
                      "address is lower"));
  CHECK_THAT(errorOf6(kSubnet + R"("pools": [ { "pool": "10.0.0.1 - 10.0.0.9" } ] } ])"),
             Contains("not a valid IPv6 address range"));
  CHECK_THAT(errorOf6(kSubnet + R"("pools": [ { "pool": "2001:db8:1::/48" } ] } ])"),
             Contains("is outside subnet 2001:db8:1::/64"));
  CHECK_THAT(
      errorOf6(kSubnet + R"("pools": [ { "pool": "2001:db8:1::1 - 2001:db8:1::9" },
                                              { "pool": "2001:db8:1::5 - 2001:db8:1::ff" } ] } ])"),
      Contains(
          "Dhcp6/subnet6[0]/pools[1]/pool: pool 2001:db8:1::5 - 2001:db8:1::ff overlaps pool"));
  CHECK_THAT(errorOf6(kSubnet + R"("pools": [ { "pool": "2001:db8:1::1" } ] } ])"),
             Contains("neither a range"));
}

TEST_CASE("Bad prefix delegation pools are refused with Kea's rules") {
  auto pd = [](const std::string& fields) {
    return errorOf6(kSubnet + R"("pd-pools": [ { )" + fields + " } ] } ]");
  };
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 56, "delegated-len": 48)"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/delegated-len: delegated-len 48 must be longer "
                      "than or equal to prefix-len 56"));
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 48)"),
             Contains("missing mandatory parameter 'delegated-len'"));
  CHECK_THAT(pd(R"("prefix": "3000::/48", "prefix-len": 48, "delegated-len": 56)"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/prefix: '3000::/48' is not an IPv6 address"));
  CHECK_THAT(pd(R"("prefix": "10.0.0.0", "prefix-len": 8, "delegated-len": 16)"),
             Contains("not an IPv6 address"));
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 0, "delegated-len": 56)"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/prefix-len: value 0 is out of range"));
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 48, "delegated-len": 56,
                   "excluded-prefix": "3001::", "excluded-prefix-len": 64)"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/excluded-prefix: excluded prefix 3001::/64 "
                      "must lie inside"));
  // Inside the pool but not inside the first delegated prefix: Kea refuses it too.
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 48, "delegated-len": 56,
                   "excluded-prefix": "3000:0:0:100::", "excluded-prefix-len": 64)"),
             Contains("must lie inside the first delegated prefix 3000::/56"));
  CHECK_THAT(pd(R"("prefix": "3000::", "prefix-len": 48, "delegated-len": 56,
                   "excluded-prefix": "3000::", "excluded-prefix-len": 56)"),
             Contains("Dhcp6/subnet6[0]/pd-pools[0]/excluded-prefix-len: excluded-prefix-len 56 "
                      "must be longer than delegated-len 56"));
  CHECK_THAT(
      pd(R"("prefix": "3000::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "3000::")"),
      Contains("must be given together"));
  CHECK_THAT(
      errorOf6(kSubnet +
               R"("pd-pools": [ { "prefix": "3000::", "prefix-len": 48, "delegated-len": 56 },
                                                 { "prefix": "3000::", "prefix-len": 52, "delegated-len": 60 } ] } ])"),
      Contains(
          "Dhcp6/subnet6[0]/pd-pools[1]/prefix: pd-pool 3000::/52 overlaps pd-pool 3000::/48"));
}

TEST_CASE("Lifetimes and timers are checked after inheritance") {
  CHECK_THAT(
      errorOf6(R"("renew-timer": 100, )" + kSubnet + R"("rebind-timer": 50 } ])"),
      Contains("Dhcp6/subnet6[0]/renew-timer: renew-timer 100 is greater than rebind-timer 50"));
  CHECK_THAT(errorOf6(R"("preferred-lifetime": 100, "min-preferred-lifetime": 200)"),
             Contains("Dhcp6/min-preferred-lifetime: min-preferred-lifetime 200 is greater than "
                      "preferred-lifetime 100"));
  CHECK_THAT(
      errorOf6(R"("valid-lifetime": 100, "max-valid-lifetime": 50)"),
      Contains(
          "Dhcp6/max-valid-lifetime: valid-lifetime 100 is greater than max-valid-lifetime 50"));
  CHECK_THAT(errorOf6(R"("t1-percent": 0.9, "t2-percent": 0.5)"), Contains("t1-percent"));
  CHECK(errorOf6(R"("calculate-tee-times": false, "t1-percent": 0.9, "t2-percent": 0.5)").empty());
  auto cfg = cfg6(R"("valid-lifetime": 100, "preferred-lifetime": 200, )" + kSubnet + "} ]");
  CHECK(hasWarning(*cfg, "preferred-lifetime 200 is greater than valid-lifetime 100"));
}

TEST_CASE("Bad reservations are refused") {
  auto res = [](const std::string& entries) {
    return errorOf6(kSubnet + R"("reservations": [ )" + entries + " ] } ]");
  };
  CHECK_THAT(res(R"({ "duid": "01:02:03", "ip-addresses": [ "2001:db8:5::1" ] })"),
             Contains("Dhcp6/subnet6[0]/reservations[0]/ip-addresses: reserved address "
                      "2001:db8:5::1 is outside subnet"));
  CHECK_THAT(res(R"({ "duid": "01:02:03", "ip-addresses": [ "10.0.0.1" ] })"),
             Contains("'10.0.0.1' is not an IPv6 address"));
  CHECK_THAT(
      res(R"({ "duid": "01:02:03", "hostname": "a" }, { "duid": "01:02:03", "hostname": "b" })"),
      Contains("Dhcp6/subnet6[0]/reservations[1]/duid: duplicate reservation for duid 01:02:03"));
  CHECK_THAT(res(R"({ "duid": "01:02:03", "ip-addresses": [ "2001:db8:1::1" ] },
                    { "duid": "01:02:04", "ip-addresses": [ "2001:db8:1::1" ] })"),
             Contains("address 2001:db8:1::1 is reserved more than once"));
  CHECK_THAT(
      res(R"({ "duid": "01:02:03", "prefixes": [ "3000::/56" ] }, { "duid": "01:02:04", "prefixes": [ "3000::/56" ] })"),
      Contains("prefix 3000::/56 is reserved more than once"));
  CHECK_THAT(res(R"({ "duid": "01:02:03", "prefixes": [ "3000::" ] })"),
             Contains("is not an IPv6 prefix"));
  CHECK_THAT(res(R"({ "hw-address": "aa:bb:cc:dd:ee:ff", "duid": "01:02" })"),
             Contains("mutually exclusive"));
  CHECK_THAT(res(R"({ "client-id": "01:02:03", "hostname": "a" })"),
             Contains("Dhcp6/subnet6[0]/reservations[0]/client-id: 'client-id' is a DHCPv4 "
                      "reservation parameter"));
  CHECK_THAT(res(R"({ "duid": "zz", "hostname": "a" })"),
             Contains("'zz' is not a valid identifier"));
  CHECK_THAT(res(R"({ "duid": "01:02:03" })"), Contains("a reservation must reserve something"));
  CHECK_THAT(res(R"({ "duid": "01:02:03", "ip-address": "2001:db8:1::1" })"),
             Contains("'ip-address' is a DHCPv4 reservation parameter"));
  // ip-reservations-unique false lets two hosts share an address.
  CHECK(errorOf6(R"("ip-reservations-unique": false, )" + kSubnet + R"("reservations": [
      { "duid": "01:02:03", "ip-addresses": [ "2001:db8:1::1" ] },
      { "duid": "01:02:04", "ip-addresses": [ "2001:db8:1::1" ] } ] } ])")
            .empty());
}

TEST_CASE("Bad option definitions and option data are refused") {
  CHECK_THAT(
      errorOf6(R"("option-def": [ { "name": "foo", "code": 23, "type": "uint8" } ])"),
      Contains("Dhcp6/option-def[0]/code: option code 23 is the standard option 'dns-servers'"));
  CHECK_THAT(errorOf6(R"("option-def": [ { "name": "foo", "code": 0, "type": "uint8" } ])"),
             Contains("Dhcp6/option-def[0]"));
  CHECK_THAT(errorOf6(R"("option-def": [ { "name": "foo", "code": 70000, "type": "uint8" } ])"),
             Contains("Dhcp6/option-def[0]/code: value 70000 is out of range"));
  CHECK_THAT(errorOf6(R"("option-data": [ { "name": "dns-servers", "data": "192.0.2.1" } ])"),
             Contains("Dhcp6/option-data[0]/data"));
  CHECK_THAT(errorOf6(R"("option-data": [ { "name": "routers", "data": "2001:db8::1" } ])"),
             Contains("option 'routers' is not defined in space 'dhcp6'"));
  CHECK_THAT(errorOf6(R"("option-data": [ { "code": 0, "csv-format": false, "data": "01" } ])"),
             Contains("option code 0 is reserved"));
  CHECK_THAT(errorOf6(R"("option-data": [ { "code": 3000, "csv-format": true, "data": "1" } ])"),
             Contains("has no definition, so its data must be hex"));
  CHECK_THAT(errorOf6(R"("option-data": [ { "name": "vendor-opts" } ])"),
             Contains("Dhcp6/option-data[0]"));
  CHECK_THAT(
      errorOf6(
          R"("option-def": [ { "name": "a", "code": 1, "space": "sa", "type": "empty", "encapsulate": "sb" },
                                         { "name": "b", "code": 2, "space": "sb", "type": "empty", "encapsulate": "sa" },
                                         { "name": "c", "code": 3000, "type": "empty", "encapsulate": "sa" } ],
      "option-data": [ { "name": "c" }, { "name": "a", "space": "sa" }, { "name": "b", "space": "sb" } ])"),
      Contains("encapsulate each other in a loop"));
}

TEST_CASE("Bad global settings are refused") {
  CHECK_THAT(errorOf6(R"("server-id": { "type": "XYZ" })"),
             Contains("Dhcp6/server-id/type: unknown server-id type 'XYZ'"));
  CHECK_THAT(errorOf6(R"("server-id": { "type": "EN", "identifier": "zz" })"),
             Contains("Dhcp6/server-id/identifier: 'zz' is not a string of hexadecimal digits"));
  CHECK_THAT(errorOf6(R"("server-id": { "htype": 70000 })"), Contains("Dhcp6/server-id/htype"));
  CHECK_THAT(errorOf6(R"("host-reservation-identifiers": [ "duid", "client-id" ])"),
             Contains("unsupported DHCPv6 host identifier type 'client-id'"));
  CHECK_THAT(errorOf6(R"("mac-sources": [ "foo" ])"),
             Contains("Dhcp6/mac-sources: unknown MAC source 'foo'"));
  CHECK_THAT(errorOf6(R"("mac-sources": [ "client-link-addr-option", "rfc6939" ])"),
             Contains("given twice"));
  CHECK_THAT(errorOf6(R"("relay-supplied-options": [ "nosuch" ])"),
             Contains("Dhcp6/relay-supplied-options: 'nosuch' is neither a DHCPv6 option code"));
  CHECK_THAT(errorOf6(R"("interfaces-config": { "interfaces": [ "eth0/10.0.0.1" ] })"),
             Contains("Dhcp6/interfaces-config/interfaces: 'eth0/10.0.0.1': '10.0.0.1' is not an "
                      "IPv6 unicast address"));
  CHECK_THAT(errorOf6(R"("interfaces-config": { "interfaces": [ "*/2001:db8::1" ] })"),
             Contains("wildcard"));
  CHECK_THAT(errorOf6(R"("sanity-checks": { "lease-checks": "maybe" })"),
             Contains("Dhcp6/sanity-checks/lease-checks"));
  CHECK_THAT(errorOf6(R"("client-classes": [ { "name": "a" }, { "name": "a" } ])"),
             Contains("Dhcp6/client-classes[1]/name: client class 'a' is defined twice"));
  CHECK_THAT(errorOf6(R"("lease-database": { "type": "oracle" })"),
             Contains("unknown lease-database type 'oracle'"));
  CHECK_THAT(errorOf6(R"("control-socket": { "socket-type": "unix" })"),
             Contains("Dhcp6/control-socket/socket-name"));
}

TEST_CASE("Every important refusal points at the line it was written on") {
  // The body starts on line 1 of test6.json; the offending value sits on line 2 or 3.
  const std::string cases[] = {
      // bad pool range
      kSubnet + "\n \"pools\": [ { \"pool\": \"2001:db8:1::9 - 2001:db8:1::1\" } ] } ]",
      // pool outside the subnet
      kSubnet + "\n \"pools\": [ { \"pool\": \"2001:db8:7::/112\" } ] } ]",
      // delegated-len < prefix-len
      kSubnet +
          "\n \"pd-pools\": [ { \"prefix\": \"3000::\", \"prefix-len\": 56,\n \"delegated-len\": "
          "48 } ] } ]",
      // excluded prefix outside
      kSubnet +
          "\n \"pd-pools\": [ { \"prefix\": \"3000::\", \"prefix-len\": 48, \"delegated-len\": "
          "56,\n"
          " \"excluded-prefix\": \"3001::\", \"excluded-prefix-len\": 64 } ] } ]",
      // duplicate subnet id
      "\"subnet6\": [ { \"id\": 1, \"subnet\": \"2001:db8:1::/64\" },\n { \"id\": 1, \"subnet\": "
      "\"2001:db8:2::/64\" } ]",
      // unknown key
      "\n\"subnet6\": [ { \"id\": 1, \"subnet\": \"2001:db8:1::/64\", \"valid-lifetyme\": 1 } ]",
      // IPv4 subnet in subnet6
      "\"subnet6\": [\n { \"id\": 1, \"subnet\": \"10.0.0.0/24\" } ]",
      // rapid-commit differing inside a shared network
      "\"shared-networks\": [ { \"name\": \"n\", \"subnet6\": [ { \"id\": 1, \"subnet\": "
      "\"2001:db8:1::/64\" },\n"
      " { \"id\": 2, \"subnet\": \"2001:db8:2::/64\", \"rapid-commit\": true } ] } ]",
      // option data that does not fit its definition
      "\"option-data\": [\n { \"name\": \"preference\", \"data\": \"300\" } ]",
      // option without the data its type needs
      "\"option-data\": [\n { \"name\": \"dns-servers\" } ]",
      // duplicate reservation
      kSubnet +
          "\"reservations\": [ { \"duid\": \"01:02\", \"hostname\": \"a\" },\n"
          " { \"duid\": \"01:02\", \"hostname\": \"b\" } ] } ]",
  };
  for (const auto& body : cases) {
    std::string e = errorOf6(body);
    INFO(body);
    CHECK_THAT(e, Contains("Dhcp6/"));
    bool has_line = e.find("(test6.json:2)") != std::string::npos ||
                    e.find("(test6.json:3)") != std::string::npos;
    CHECK(has_line);
  }
}
