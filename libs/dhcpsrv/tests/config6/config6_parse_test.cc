// A full Kea 2.2-style Dhcp6 configuration parses to the expected values; defaults and
// inheritance follow Kea.

#include <catch2/catch.hpp>

#include "config6_test_util.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test6;

namespace {

// Checked with kea-dhcp6 2.2 -t (interface names adapted to the test machine).
const char* kExample = R"JSON(
// A Kea 2.2-style DHCPv6 server: two standalone subnets, a shared network, prefix delegation.
{
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0", "eth1/2001:db8:ffff::1" ], "re-detect": false },
    "lease-database": { "type": "memfile", "name": "/var/lib/kea/kea-leases6.csv", "lfc-interval": 1800 },
    "control-socket": { "socket-type": "unix", "socket-name": "/run/kea/kea6-ctrl-socket" },
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0123456789", "persist": false },
    "data-directory": "/var/lib/kea",
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "renew-timer": 1000,
    "rebind-timer": 2000,
    "decline-probation-period": 3600,
    "host-reservation-identifiers": [ "duid", "hw-address" ],
    "mac-sources": [ "duid", "rfc6939" ],
    "relay-supplied-options": [ "110", "dns-servers" ],
    "expired-leases-processing": { "reclaim-timer-wait-time": 5, "max-reclaim-leases": 50 },
    "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 28 },
    "sanity-checks": { "lease-checks": "fix-del" },
    "server-tag": "dc1",
    "option-def": [
      { "name": "site-cfg", "code": 1000, "type": "record", "record-types": "uint16, ipv6-address" },
      { "name": "cfg-url", "code": 5, "space": "vendor-32473", "type": "string" }
    ],
    "option-data": [
      { "name": "dns-servers", "data": "2001:db8:2::45, 2001:db8:2::100" },
      { "name": "domain-search", "data": "example.com, example.org" },
      { "name": "vendor-opts", "data": "32473" },
      { "name": "cfg-url", "space": "vendor-32473", "data": "http://cfg.example.com" },
      { "name": "site-cfg", "data": "7, 2001:db8::7", "always-send": true },
      { "name": "vendor-opts", "data": "4491" },
      { "name": "tftp-servers", "space": "vendor-4491", "data": "2001:db8::69" },
      { "code": 2000, "csv-format": false, "data": "ab cd" }
    ],
    "client-classes": [ { "name": "voip", "test": "substring(option[16].hex,0,4) == 0x00000de9" } ],
    "subnet6": [
      {
        "id": 1,
        "subnet": "2001:db8:1::/64",
        "interface": "eth0",
        "rapid-commit": true,
        "pools": [
          { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" },
          { "pool": "2001:db8:1::1:0/112", "client-class": "voip" }
        ],
        "pd-pools": [
          { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56,
            "excluded-prefix": "2001:db8:8000:f0::", "excluded-prefix-len": 60,
            "option-data": [ { "name": "sntp-servers", "data": "2001:db8::123" } ] }
        ],
        "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::53" } ],
        "reservations": [
          { "duid": "01:02:03:04:05:0a:0b:0c:0d:0e", "ip-addresses": [ "2001:db8:1::10" ],
            "prefixes": [ "2001:db8:9000:100::/56" ], "hostname": "host1.example.com",
            "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::99" } ] },
          { "hw-address": "00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::11", "2001:db8:1::12" ],
            "client-classes": [ "voip" ] }
        ]
      },
      {
        "id": 2,
        "subnet": "2001:db8:2::/64",
        "interface-id": "ethx.100",
        "relay": { "ip-addresses": [ "2001:db8:ff::1" ] },
        "preferred-lifetime": 1800,
        "valid-lifetime": 3600,
        "calculate-tee-times": false,
        "pools": [ { "pool": "2001:db8:2::/80" } ]
      }
    ],
    "shared-networks": [
      {
        "name": "campus",
        "relay": { "ip-addresses": [ "2001:db8:aa::1" ] },
        "valid-lifetime": 6000,
        "preferred-lifetime": 5000,
        "rapid-commit": true,
        "option-data": [ { "name": "sntp-servers", "data": "2001:db8::123" } ],
        "subnet6": [
          { "id": 10, "subnet": "2001:db8:10::/64", "pools": [ { "pool": "2001:db8:10::/96" } ] },
          { "id": 11, "subnet": "2001:db8:11::/64", "valid-lifetime": 7000,
            "pools": [ { "pool": "2001:db8:11::/96" } ] }
        ]
      }
    ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
  }
}
)JSON";

SrvConfig6Ptr example() { return parseDhcp6Config(cc::parseConfigText(kExample, "example6.json")); }

Bytes bytesOf(std::initializer_list<int> v) {
  Bytes b;
  for (int x : v) b.push_back(static_cast<uint8_t>(x));
  return b;
}

Bytes addrBytes(const char* a) {
  auto b = IPv6Address::fromString(a).bytes();
  return Bytes(b.begin(), b.end());
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("Kea-style Dhcp6 example: globals") {
  auto cfg = example();
  REQUIRE(cfg->interfaces.interfaces.size() == 2);
  CHECK(cfg->interfaces.interfaces[0].name == "eth0");
  CHECK_FALSE(cfg->interfaces.interfaces[0].unicast);
  CHECK(cfg->interfaces.interfaces[1].name == "eth1");
  REQUIRE(cfg->interfaces.interfaces[1].unicast);
  CHECK(*cfg->interfaces.interfaces[1].unicast == ip6("2001:db8:ffff::1"));
  CHECK_FALSE(cfg->interfaces.re_detect);
  CHECK(cfg->lease_database.type == "memfile");
  CHECK(cfg->lease_database.name == "/var/lib/kea/kea-leases6.csv");
  CHECK(cfg->lease_database.lfc_interval == 1800);
  REQUIRE(cfg->control_sockets.size() == 1);
  CHECK(cfg->control_sockets[0].name == "/run/kea/kea6-ctrl-socket");
  CHECK(cfg->server_id.type == ServerDuidType::kEn);
  CHECK(cfg->server_id.enterprise_id == 2495);
  CHECK(cfg->server_id.identifier == bytesOf({0x01, 0x23, 0x45, 0x67, 0x89}));
  CHECK_FALSE(cfg->server_id.persist);
  CHECK(cfg->data_directory == "/var/lib/kea");
  CHECK(cfg->decline_probation_period == 3600);
  CHECK(cfg->host_identifiers ==
        std::vector<HostIdType>{HostIdType::kDuid, HostIdType::kHwAddress});
  CHECK(cfg->mac_sources ==
        std::vector<MacSource>{MacSource::kDuid, MacSource::kClientLinkAddrOption});
  CHECK(cfg->relay_supplied_options == std::vector<uint16_t>{65, 110, 23});
  CHECK(cfg->expired_leases.reclaim_timer_wait_time == 5);
  CHECK(cfg->expired_leases.max_reclaim_leases == 50);
  CHECK(cfg->expired_leases.hold_reclaimed_time == 3600);  // default kept
  CHECK(cfg->multi_threading.enabled);
  CHECK(cfg->multi_threading.thread_pool_size == 4);
  CHECK(cfg->multi_threading.packet_queue_size == 28);
  CHECK(cfg->lease_checks == LeaseChecks::kFixDel);
  CHECK(cfg->server_tag == "dc1");
  REQUIRE(cfg->client_classes.size() == 1);
  CHECK(cfg->client_classes[0].name == "voip");
  CHECK(hasWarning(*cfg, "client classification is not implemented"));
  REQUIRE(cfg->loggers.size() == 1);
  CHECK(cfg->source.contains("subnet6"));
}

TEST_CASE("Kea-style Dhcp6 example: global options are encoded in DHCPv6 layout") {
  auto cfg = example();
  const auto& o = cfg->options;
  REQUIRE(o.find(23));
  CHECK(o.find(23)->data == cat({addrBytes("2001:db8:2::45"), addrBytes("2001:db8:2::100")}));
  REQUIRE(o.find(24));
  CHECK(o.find(24)->data ==
        cat({bytesOf({7}), text("example"), bytesOf({3}), text("com"), bytesOf({0, 7}),
             text("example"), bytesOf({3}), text("org"), bytesOf({0})}));
  // Custom option with a 16-bit code and a record layout.
  REQUIRE(o.find(1000));
  CHECK(o.find(1000)->data == cat({bytesOf({0, 7}), addrBytes("2001:db8::7")}));
  CHECK(o.find(1000)->always_send);
  // No definition: hex data kept as is.
  REQUIRE(o.find(2000));
  CHECK(o.find(2000)->data == bytesOf({0xab, 0xcd}));
  // vendor-opts once per enterprise, each carrying its own vendor space (2-byte code/length).
  const auto* v1 = o.findVendorOpts(32473);
  REQUIRE(v1);
  CHECK(v1->data ==
        cat({bytesOf({0, 0, 0x7e, 0xd9, 0, 5, 0, 22}), text("http://cfg.example.com")}));
  const auto* v2 = o.findVendorOpts(4491);
  REQUIRE(v2);
  CHECK(v2->data == cat({bytesOf({0, 0, 0x11, 0x8b, 0, 32, 0, 16}), addrBytes("2001:db8::69")}));
  size_t vendor_opts = 0;
  for (const auto& x : o.options) vendor_opts += x.code == 17;
  CHECK(vendor_opts == 2);
  // The vendor spaces are also kept apart for vendor-specific requests.
  REQUIRE(o.vendor(4491));
  REQUIRE(o.vendor(4491)->options.size() == 1);
  CHECK(o.vendor(4491)->options[0].code == 32);
  CHECK(o.vendor(4491)->options[0].data == addrBytes("2001:db8::69"));
  CHECK_FALSE(o.vendor(1234));
  // Sub-space options never appear at the top level.
  CHECK_FALSE(o.find(5));
  CHECK_FALSE(o.find(32));
}

TEST_CASE("Kea-style Dhcp6 example: subnets, pools, pd-pools and reservations") {
  auto cfg = example();
  REQUIRE(cfg->subnets.size() == 4);
  const auto* s1 = cfg->subnetById(SubnetId(1));
  REQUIRE(s1);
  CHECK(s1->prefix == pfx6("2001:db8:1::/64"));
  CHECK(s1->interface == "eth0");
  CHECK(s1->rapid_commit);
  CHECK(s1->lifetimes.valid == 4000);
  CHECK(s1->lifetimes.preferred == 3000);
  CHECK(*s1->lifetimes.renew == 1000);
  CHECK(*s1->lifetimes.rebind == 2000);
  REQUIRE(s1->pools.size() == 2);
  CHECK(s1->pools[0].first == ip6("2001:db8:1::100"));
  CHECK(s1->pools[0].last == ip6("2001:db8:1::1ff"));
  CHECK(s1->pools[0].size() == 256);
  CHECK(s1->pools[1].first == ip6("2001:db8:1::1:0"));
  CHECK(s1->pools[1].last == ip6("2001:db8:1::1:ffff"));
  CHECK(s1->pools[1].client_class == "voip");
  CHECK(s1->totalAddresses() == 256 + 65536);
  REQUIRE(s1->options.find(23));
  CHECK(s1->options.find(23)->data == addrBytes("2001:db8:1::53"));

  REQUIRE(s1->pd_pools.size() == 1);
  const auto& pd = s1->pd_pools[0];
  CHECK(pd.prefix == pfx6("2001:db8:8000::/48"));
  CHECK(pd.delegated_len == 56);
  REQUIRE(pd.excluded);
  CHECK(*pd.excluded == pfx6("2001:db8:8000:f0::/60"));
  CHECK(pd.capacity() == 256);
  CHECK(s1->totalPrefixes() == 256);
  REQUIRE(pd.options.find(31));

  REQUIRE(s1->hosts.size() == 2);
  const auto* h1 = s1->hosts.findByDuid(Duid(*parseHex("01:02:03:04:05:0a:0b:0c:0d:0e")));
  REQUIRE(h1);
  CHECK(h1->subnet_id == SubnetId(1));
  CHECK(h1->addresses == std::vector<IPv6Address>{ip6("2001:db8:1::10")});
  CHECK(h1->prefixes == std::vector<Prefix6>{pfx6("2001:db8:9000:100::/56")});
  CHECK(h1->hostname == "host1.example.com");
  REQUIRE(h1->options.find(23));
  const auto* h2 = s1->hosts.findByHwAddr(HwAddr(1, *parseHex("00:01:02:03:04:05")));
  REQUIRE(h2);
  CHECK(h2->addresses.size() == 2);
  CHECK(h2->client_classes == std::vector<std::string>{"voip"});
  CHECK(s1->hosts.findByAddress(ip6("2001:db8:1::12")) == h2);
  CHECK(s1->hosts.findByPrefix(pfx6("2001:db8:9000:100::/56")) == h1);

  const auto* s2 = cfg->subnetById(SubnetId(2));
  REQUIRE(s2);
  CHECK(s2->interface_id == text("ethx.100"));
  CHECK(s2->relay_addresses == std::vector<IPv6Address>{ip6("2001:db8:ff::1")});
  CHECK(s2->lifetimes.valid == 3600);
  CHECK(s2->lifetimes.preferred == 1800);
  CHECK_FALSE(s2->lifetimes.calculate_tee_times);
  CHECK_FALSE(s2->rapid_commit);
  CHECK(s2->pools[0].size() == 1ULL << 48);
}

TEST_CASE("Kea-style Dhcp6 example: shared network subnets inherit from the network") {
  auto cfg = example();
  REQUIRE(cfg->shared_networks.size() == 1);
  CHECK(cfg->shared_networks[0].name == "campus");
  CHECK(cfg->shared_networks[0].subnets == std::vector<SubnetId>{SubnetId(10), SubnetId(11)});
  const auto* a = cfg->subnetById(SubnetId(10));
  const auto* b = cfg->subnetById(SubnetId(11));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->shared_network == "campus");
  CHECK(a->relay_addresses == std::vector<IPv6Address>{ip6("2001:db8:aa::1")});
  CHECK(a->rapid_commit);
  CHECK(b->rapid_commit);
  CHECK(a->lifetimes.valid == 6000);
  CHECK(b->lifetimes.valid == 7000);
  CHECK(a->lifetimes.preferred == 5000);
  CHECK(*a->lifetimes.renew == 1000);  // from the global level
  REQUIRE(a->network_options.find(31));
  CHECK(a->network_options.find(31)->data == addrBytes("2001:db8::123"));
  CHECK(a->options.empty());
}

TEST_CASE("An empty Dhcp6 map takes Kea 2.2's defaults") {
  auto cfg = cfg6("");
  CHECK(cfg->subnets.empty());
  CHECK(cfg->host_identifiers ==
        std::vector<HostIdType>{HostIdType::kHwAddress, HostIdType::kDuid});
  CHECK(cfg->mac_sources == std::vector<MacSource>{MacSource::kAny});
  CHECK(cfg->relay_supplied_options == std::vector<uint16_t>{65});
  CHECK(cfg->server_id.type == ServerDuidType::kLlt);
  CHECK(cfg->server_id.persist);
  CHECK(cfg->server_id.identifier.empty());
  CHECK_FALSE(cfg->multi_threading.enabled);
  CHECK(cfg->decline_probation_period == 86400);
  CHECK(cfg->parked_packet_limit == 256);
  CHECK(cfg->lease_checks == LeaseChecks::kWarn);
  CHECK(cfg->lease_database.type == "memfile");
  CHECK(cfg->interfaces.re_detect);
  CHECK(cfg->ip_reservations_unique);
  CHECK(cfg->option_defs.find("dhcp6", uint16_t{23}));
}

TEST_CASE("A bare subnet takes Kea 2.2's lifetime and timer defaults") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ])");
  const auto& l = cfg->subnets.at(0).lifetimes;
  CHECK(l.valid == 7200);
  CHECK(l.min_valid == 7200);
  CHECK(l.max_valid == 7200);
  CHECK(l.preferred == 3600);
  CHECK(l.min_preferred == 3600);
  CHECK(l.max_preferred == 3600);
  CHECK_FALSE(l.renew);
  CHECK_FALSE(l.rebind);
  CHECK(l.calculate_tee_times);
  CHECK(l.t1_percent == Approx(0.5));
  CHECK(l.t2_percent == Approx(0.8));
  const auto& s = cfg->subnets.at(0);
  CHECK_FALSE(s.rapid_commit);
  CHECK(s.reservations_in_subnet);
  CHECK_FALSE(s.reservations_global);
  CHECK_FALSE(s.reservations_out_of_pool);
  CHECK(s.interface.empty());
  CHECK(s.interface_id.empty());
  CHECK(s.relay_addresses.empty());
}

TEST_CASE("Parameters inherit global -> shared network -> subnet, nearest level wins") {
  auto cfg = cfg6(
      R"("preferred-lifetime": 100, "min-preferred-lifetime": 50, "max-preferred-lifetime": 500,
    "valid-lifetime": 200, "max-valid-lifetime": 900, "t1-percent": 0.4, "t2-percent": 0.7,
    "reservations-out-of-pool": true, "rapid-commit": true,
    "shared-networks": [ { "name": "n", "valid-lifetime": 300, "interface-id": "port7",
       "reservation-mode": "global",
       "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "preferred-lifetime": 150 },
                    { "id": 2, "subnet": "2001:db8:2::/64", "interface-id": "port8",
                      "relay": { "ip-address": "2001:db8::2" } } ] } ],
    "subnet6": [ { "id": 3, "subnet": "2001:db8:3::/64", "rapid-commit": false } ])");
  const auto* s1 = cfg->subnetById(SubnetId(1));
  const auto* s2 = cfg->subnetById(SubnetId(2));
  const auto* s3 = cfg->subnetById(SubnetId(3));
  REQUIRE((s1 && s2 && s3));
  CHECK(s1->lifetimes.preferred == 150);
  CHECK(s1->lifetimes.min_preferred == 50);
  CHECK(s1->lifetimes.max_preferred == 500);
  CHECK(s1->lifetimes.valid == 300);
  CHECK(s1->lifetimes.min_valid == 300);  // min defaults to the resolved valid-lifetime
  CHECK(s1->lifetimes.max_valid == 900);
  CHECK(s1->lifetimes.t1_percent == Approx(0.4));
  CHECK(s1->interface_id == Bytes{'p', 'o', 'r', 't', '7'});
  CHECK(s2->interface_id == Bytes{'p', 'o', 'r', 't', '8'});
  CHECK(s2->relay_addresses == std::vector<IPv6Address>{ip6("2001:db8::2")});
  CHECK(s1->relay_addresses.empty());
  CHECK(s1->reservations_global);  // reservation-mode "global" of the network
  CHECK_FALSE(s1->reservations_in_subnet);
  CHECK(s1->rapid_commit);  // global default
  CHECK(s3->lifetimes.valid == 200);
  CHECK(s3->lifetimes.preferred == 100);
  CHECK(s3->reservations_out_of_pool);
  CHECK_FALSE(s3->rapid_commit);
  CHECK(hasWarning(*cfg, "reservation-mode"));
}

TEST_CASE(
    "Subnets are kept in subnet-id order and missing ids are numbered above the explicit ones") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 7, "subnet": "2001:db8:7::/64" },
                                  { "subnet": "2001:db8:8::/64" },
                                  { "id": 3, "subnet": "2001:db8:3::/64" } ])");
  REQUIRE(cfg->subnets.size() == 3);
  CHECK(cfg->subnets[0].id == SubnetId(3));
  CHECK(cfg->subnets[1].id == SubnetId(7));
  CHECK(cfg->subnets[2].id == SubnetId(8));
  CHECK(cfg->subnets[2].prefix == pfx6("2001:db8:8::/64"));
  CHECK(hasWarning(*cfg, "has no 'id'"));
}

TEST_CASE("The whole file or the bare Dhcp6 map may be given; other daemons' maps are ignored") {
  auto whole = parseDhcp6Config(cc::parseConfigText(
      R"({ "Dhcp6": { "valid-lifetime": 99, "preferred-lifetime": 50 }, "Dhcp4": { "bogus": 1 } })",
      "t.json"));
  CHECK(whole->source.find("valid-lifetime")->asInt() == 99);
  bool warned = false;
  for (const auto& w : whole->warnings) warned |= w.find("'Dhcp4' is ignored") != std::string::npos;
  CHECK(warned);
  auto bare = parseDhcp6Config(cc::parseConfigText(
      R"({ "valid-lifetime": 99, "preferred-lifetime": 50, "subnet6": [ { "id": 1, "subnet": "2001:db8::/64" } ] })",
      "t.json"));
  CHECK(bare->subnets.at(0).lifetimes.valid == 99);
}

TEST_CASE("Known but unimplemented Dhcp6 keys are warnings, documentation keys are accepted") {
  auto cfg = cfg6(R"("dhcp-queue-control": { "enable-queue": false }, "store-extended-info": true,
    "comment": "x", "user-context": { "site": 1 }, "dhcp4o6-port": 6767,
    "dhcp-ddns": { "enable-updates": true, "server-ip": "::1", "server-port": 53001 },
    "subnet6": [ { "id": 1, "subnet": "2001:db8::/64", "ddns-send-updates": false, "comment": "lab",
       "pools": [ { "pool": "2001:db8::10 - 2001:db8::20", "user-context": { "a": 1 } } ] } ])");
  CHECK(hasWarning(*cfg, "dhcp-queue-control"));
  CHECK(hasWarning(*cfg, "store-extended-info"));
  CHECK(hasWarning(*cfg, "Dhcp6/subnet6[0]/ddns-send-updates"));
  CHECK(hasWarning(*cfg, "DHCPv4-over-DHCPv6 is not implemented"));
  CHECK(hasWarning(*cfg, "DNS updates for DHCPv6"));
  CHECK(cfg->dhcp4o6_port == 6767);
  CHECK(cfg->ddns_enable_updates);
  CHECK(cfg->dhcp_ddns.find("server-port")->asInt() == 53001);
}

TEST_CASE("A client-class on a subnet, shared network or pool is warned about; ALL and HA_ are not") {
  auto cfg = cfg6(R"("shared-networks": [ { "name": "n", "client-class": "gold",
      "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "client-class": "voip" } ] } ],
    "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64", "client-class": "ALL",
       "pools": [ { "pool": "2001:db8:2::/80", "client-class": "HA_server1" },
                  { "pool": "2001:db8:2:0:1::/80", "client-class": "cpe" } ] } ])");
  CHECK(hasWarning(*cfg, "shared network client-class 'gold'"));
  CHECK(hasWarning(*cfg, "subnet client-class 'voip'"));
  CHECK(hasWarning(*cfg, "pool client-class 'cpe'"));
  CHECK_FALSE(hasWarning(*cfg, "'ALL'"));
  CHECK_FALSE(hasWarning(*cfg, "HA_server1"));
  CHECK(cfg->subnetById(SubnetId{1})->client_class == "voip");
}

TEST_CASE("Encapsulated spaces nest: an s46 container carries rules that carry port parameters") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
    "option-data": [
      { "name": "s46-cont-mape" },
      { "space": "s46-cont-mape-options", "name": "s46-rule", "data": "1, 0, 24, 192.0.2.0, 2001:db8:1::/64" },
      { "space": "s46-cont-mape-options", "name": "s46-br", "data": "2001:db8:cafe::1" },
      { "space": "s46-rule-options", "name": "s46-portparams", "data": "0, 3/4" } ],
    "reservations": [ { "duid": "01:02:03", "option-data": [
      { "space": "s46-cont-mape-options", "name": "s46-br", "data": "2001:db8:beef::1" } ] } ] } ])");
  const auto& s = cfg->subnets.at(0);
  Bytes portparams = bytesOf({0, 4, 0x30, 0x00});
  Bytes rule = cat({bytesOf({1, 0, 24, 192, 0, 2, 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0}),
                    bytesOf({0, 93, 0, 4}), portparams});
  Bytes container = cat({bytesOf({0, 89, 0, static_cast<int>(rule.size())}), rule,
                         bytesOf({0, 90, 0, 16}), addrBytes("2001:db8:cafe::1")});
  REQUIRE(s.options.find(94));
  CHECK(s.options.find(94)->data == container);
  // The sub-options stay available per space, for a container configured elsewhere.
  REQUIRE(s.options.space("s46-cont-mape-options"));
  CHECK(s.options.space("s46-cont-mape-options")->find(89)->data == rule);
  // A reservation holding only sub-options keeps them (Kea merges them into the subnet's
  // container).
  const auto* h = s.hosts.findByDuid(Duid(Bytes{1, 2, 3}));
  REQUIRE(h);
  CHECK(h->options.options.empty());
  REQUIRE(h->options.space("s46-cont-mape-options"));
  CHECK(h->options.space("s46-cont-mape-options")->find(90)->data == addrBytes("2001:db8:beef::1"));
}

TEST_CASE("lq-query and client-data do not swallow the dhcp6 options configured beside them") {
  auto cfg = cfg6(R"("option-data": [ { "name": "dns-servers", "data": "2001:db8::53" },
                                      { "name": "client-data" } ])");
  REQUIRE(cfg->options.find(45));
  CHECK(cfg->options.find(45)->data.empty());
  CHECK(cfg->options.find(23)->data == addrBytes("2001:db8::53"));
}

TEST_CASE("Kea 2.2's space name docsis3-v6 is the CableLabs vendor space vendor-4491") {
  auto cfg = cfg6(R"("option-data": [ { "name": "vendor-opts", "data": "4491" },
      { "name": "config-file", "space": "docsis3-v6", "data": "cm.cfg" } ])");
  REQUIRE(cfg->options.vendor(4491));
  CHECK(cfg->options.vendor(4491)->find(33)->data == text("cm.cfg"));
  CHECK(cfg->options.findVendorOpts(4491)->data ==
        cat({bytesOf({0, 0, 0x11, 0x8b, 0, 33, 0, 6}), text("cm.cfg")}));
}
