#include <catch2/catch.hpp>

#include "host_test_util.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

std::vector<std::string> keysOf(const cc::Value& map) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : map.asMap()) {
    keys.push_back(k);
  }
  return keys;
}

}  // namespace

TEST_CASE("hostToJson gives Kea's reservation-get shape with every field") {
  Host4 h = makeHost(4, "01:02:03:04:05:06", "192.0.2.100", "somehost.example.org");
  h.next_server = IPv4Address::fromString("192.0.0.2");
  h.server_hostname = "server-hostname.example.org";
  h.boot_file_name = "bootfile.efi";
  cc::Value j = hostToJson(h, dhcp::OptionDefinitionSet::standard4());
  CHECK(keysOf(j) == std::vector<std::string>{"boot-file-name", "client-classes", "hostname", "hw-address",
                                              "ip-address", "next-server", "option-data",
                                              "server-hostname", "subnet-id"});
  CHECK(j.at("hw-address").asString() == "01:02:03:04:05:06");
  CHECK(j.at("ip-address").asString() == "192.0.2.100");
  CHECK(j.at("next-server").asString() == "192.0.0.2");
  CHECK(j.at("hostname").asString() == "somehost.example.org");
  CHECK(j.at("boot-file-name").asString() == "bootfile.efi");
  CHECK(j.at("server-hostname").asString() == "server-hostname.example.org");
  CHECK(j.at("subnet-id").asInt() == 4);
  CHECK(j.at("client-classes").isList());
  CHECK(j.at("option-data").size() == 0);
}

TEST_CASE("hostToJson spells unset addresses 0.0.0.0 for commands and leaves them out for files") {
  Host4 h = makeHost(0, "aa:bb:cc:dd:ee:ff");
  h.id_type = HostIdType::kClientId;
  cc::Value cmd = hostToJson(h, dhcp::OptionDefinitionSet::standard4());
  CHECK(cmd.at("ip-address").asString() == "0.0.0.0");
  CHECK(cmd.at("next-server").asString() == "0.0.0.0");
  CHECK(cmd.at("client-id").asString() == "aa:bb:cc:dd:ee:ff");
  CHECK_FALSE(cmd.contains("hw-address"));
  cc::Value file = hostToJson(h, dhcp::OptionDefinitionSet::standard4(), HostJsonForm::kConfig);
  CHECK(keysOf(file) == std::vector<std::string>{"client-id", "subnet-id"});
}

TEST_CASE("Options are written as csv text with their name when the definition renders them") {
  auto cfg = hostTestConfig();
  Host4 h = hostFromJson(cc::parseJson(R"({"hw-address": "01:02:03:04:05:06",
      "option-data": [ { "name": "domain-name-servers", "data": "10.1.1.202, 10.1.1.203" },
                       { "name": "tftp-config", "data": "a,b" },
                       { "code": 250, "csv-format": false, "data": "0a0b", "always-send": true } ]})"),
                         *cfg, SubnetId(1));
  REQUIRE(h.options.options.size() == 3);
  cc::Value dns = optionToJson(h.options.options[0], cfg->option_defs);
  CHECK(keysOf(dns) == std::vector<std::string>{"always-send", "code", "csv-format", "data", "name",
                                                "never-send", "space"});
  CHECK(dns.at("name").asString() == "domain-name-servers");
  CHECK(dns.at("code").asInt() == 6);
  CHECK(dns.at("csv-format").asBool());
  CHECK(dns.at("space").asString() == "dhcp4");
  CHECK(dhcp::encodeOptionData(*cfg->option_defs.find("dhcp4", uint16_t{6}), dns.at("data").asString(), true)
            .value() == h.options.options[0].data);

  // The custom definition is known to the configuration, not to the standard set.
  cc::Value custom = optionToJson(h.options.options[1], cfg->option_defs);
  CHECK(custom.at("name").asString() == "tftp-config");
  CHECK(custom.at("csv-format").asBool());
  cc::Value raw = optionToJson(h.options.options[1], dhcp::OptionDefinitionSet::standard4());
  CHECK_FALSE(raw.contains("name"));
  CHECK_FALSE(raw.at("csv-format").asBool());
  CHECK(raw.at("data").asString() == "612c62");

  cc::Value undefined = optionToJson(h.options.options[2], cfg->option_defs);
  CHECK(undefined.at("always-send").asBool());
  CHECK_FALSE(undefined.at("csv-format").asBool());
  CHECK(undefined.at("data").asString() == "0a0b");
}

TEST_CASE("A reservation survives hostToJson then hostFromJson unchanged, in both forms") {
  auto cfg = hostTestConfig();
  Host4 h = hostFromJson(cc::parseJson(R"({"circuit-id": "'gi0/1'", "ip-address": "192.0.2.7",
      "hostname": "pxe", "next-server": "192.0.2.1", "server-hostname": "tftp", "boot-file-name": "pxe.0",
      "option-data": [ { "name": "routers", "data": "192.0.2.1" },
                       { "name": "tftp-config", "data": "x" },
                       { "name": "vendor-encapsulated-options" },
                       { "code": 1, "space": "vendor-encapsulated-options-space", "csv-format": false, "data": "01" },
                       { "name": "domain-name", "data": "example.org", "never-send": true } ]})"),
                         *cfg, SubnetId(1));
  CHECK(h.id_type == HostIdType::kCircuitId);
  CHECK(h.identifier == Bytes{'g', 'i', '0', '/', '1'});
  for (auto form : {HostJsonForm::kCommand, HostJsonForm::kConfig}) {
    for (const auto* defs : {&cfg->option_defs, &dhcp::OptionDefinitionSet::standard4()}) {
      cc::Value j = hostToJson(h, *defs, form);
      // Through text, as the file and the control channel carry it.
      Host4 back = hostFromJson(cc::parseJson(j.toJson()), *defs, SubnetId(1));
      CHECK(sameHost(back, h));
    }
  }
}

TEST_CASE("hostFromJson reads 0.0.0.0 as an unset address and skips subnet-id") {
  auto cfg = hostTestConfig();
  Host4 h = hostFromJson(cc::parseJson(R"({"subnet-id": 1, "hw-address": "01:02:03:04:05:06",
      "ip-address": "0.0.0.0", "next-server": "0.0.0.0"})"),
                         *cfg, SubnetId(1));
  CHECK_FALSE(h.address);
  CHECK_FALSE(h.next_server);
  CHECK(h.subnet_id == SubnetId(1));
}

TEST_CASE("hostFromJson refuses bad reservations with the path and the reason") {
  auto cfg = hostTestConfig();
  auto fails = [&](const char* json, const char* what) {
    CHECK_THROWS_WITH(hostFromJson(cc::parseJson(json), *cfg, SubnetId(1), "arguments/reservation"),
                      Catch::Contains(what) && Catch::Contains("arguments/reservation"));
  };
  fails(R"({"ip-address": "192.0.2.1"})", "needs one identifier");
  fails(R"({"hw-address": "01:02", "client-id": "01:02"})", "exactly one identifier");
  fails(R"({"hw-address": "zz:zz"})", "not a valid identifier");
  fails(R"({"hw-address": "01:02", "ip-address": "192.0.2"})", "ip-address");
  fails(R"({"hw-address": "01:02", "no-such-key": 1})", "no-such-key");
  fails(R"({"hw-address": "01:02", "option-data": [ { "name": "no-such-option", "data": "1" } ]})",
        "no-such-option");
  fails(R"({"hw-address": "01:02", "option-data": [ { "name": "routers", "data": "not-an-ip" } ]})",
        "option-data");
  fails(R"({"hw-address": 12})", "hw-address");
  CHECK_THROWS_AS(hostFromJson(cc::parseJson("[1]"), *cfg, SubnetId(1)), ConfigError);
  // The shared configuration is never written to, not even its warnings.
  size_t config_warnings = cfg->warnings.size();
  std::vector<std::string> warnings;
  hostFromJson(cc::parseJson(R"({"hw-address": "01:02", "client-classes": [ "a" ]})"), *cfg, SubnetId(1),
               "r", &warnings);
  CHECK(warnings.size() == 1);
  CHECK(cfg->warnings.size() == config_warnings);
}
