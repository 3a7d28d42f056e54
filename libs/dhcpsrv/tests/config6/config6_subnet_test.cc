// The lookups the DHCPv6 server makes on its configuration: subnet selection (Kea's rules),
// pool lookups, prefix-delegation arithmetic, reservations and the server DUID.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config6_test_util.h"
#include "takahe/dhcp/options6.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test6;

namespace {

SrvConfig6Ptr selectionConfig() {
  return cfg6(R"(
    "subnet6": [
      { "id": 5, "subnet": "2001:db8:5::/64", "interface": "eth0" },
      { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth1", "client-class": "lab" },
      { "id": 2, "subnet": "2001:db8:2::/64", "interface-id": "vlan2" },
      { "id": 3, "subnet": "2001:db8:3::/64", "relay": { "ip-addresses": [ "2001:db8:ff::3" ] } },
      { "id": 4, "subnet": "2001:db8:4::/64" } ],
    "shared-networks": [ { "name": "net", "relay": { "ip-addresses": [ "2001:db8:ff::9" ] },
      "subnet6": [ { "id": 8, "subnet": "2001:db8:8::/64" },
                   { "id": 9, "subnet": "2001:db8:9::/64", "relay": { "ip-addresses": [ "2001:db8:ff::99" ] } } ] } ])");
}

SubnetId idOf(const Subnet6* s) { return s ? s->id : SubnetId(0); }

}  // namespace

TEST_CASE("Direct packets select by arrival interface, then by source address") {
  auto cfg = selectionConfig();
  SubnetSelector6 sel;
  sel.iface = "eth0";
  sel.remote_address = ip6("fe80::1");
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(5));
  sel.iface = "eth9";
  CHECK_FALSE(cfg->selectSubnet(sel));  // link-local source matches no subnet
  sel.remote_address = ip6("2001:db8:4::77");
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(4));
  // The interface wins over the source address.
  sel.iface = "eth0";
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(5));
}

TEST_CASE("A subnet restricted to a client class is skipped for packets outside the class") {
  auto cfg = selectionConfig();
  SubnetSelector6 sel;
  sel.iface = "eth1";
  CHECK_FALSE(cfg->selectSubnet(sel));
  ClassList lab{"lab"};
  sel.classes = &lab;
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(1));
}

TEST_CASE("Relayed packets select by interface-id, then relay address, then link-address") {
  auto cfg = selectionConfig();
  SubnetSelector6 sel;
  sel.iface = "eth0";  // ignored for relayed packets
  sel.relay_link_address = ip6("2001:db8:4::1");
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(4));
  sel.interface_id = Bytes{'v', 'l', 'a', 'n', '2'};
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(2));
  sel.interface_id = Bytes{'v', 'l', 'a', 'n', '9'};  // unknown interface-id: fall back
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(4));
  sel.interface_id.reset();
  sel.relay_link_address = ip6("2001:db8:ff::3");  // a configured relay address
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(3));
  sel.relay_link_address = ip6("2001:db8:ff::9");  // the shared network's relay
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(8));
  sel.relay_link_address = ip6("2001:db8:ff::99");  // a subnet's own relay wins over its network's
  CHECK(idOf(cfg->selectSubnet(sel)) == SubnetId(9));
  sel.relay_link_address = ip6("2001:db8:77::1");
  CHECK_FALSE(cfg->selectSubnet(sel));
}

TEST_CASE("The selection link-address is the innermost relay's that is global") {
  // Outermost relay first, as decapsulated.
  CHECK(relayLinkAddress({ip6("2001:db8:1::1"), ip6("2001:db8:2::1")}) == ip6("2001:db8:2::1"));
  CHECK(relayLinkAddress({ip6("2001:db8:1::1"), ip6("::")}) == ip6("2001:db8:1::1"));
  CHECK(relayLinkAddress({ip6("2001:db8:1::1"), ip6("fe80::1")}) == ip6("2001:db8:1::1"));
  CHECK(relayLinkAddress({ip6("::"), ip6("fe80::1")}).isZero());
  CHECK(relayLinkAddress({}).isZero());
}

TEST_CASE("Pool lookups honour pool client classes") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [
      { "pool": "2001:db8:1::10 - 2001:db8:1::1f" },
      { "pool": "2001:db8:1::100 - 2001:db8:1::1ff", "client-class": "HA_server1" } ] } ])");
  const auto& s = cfg->subnets[0];
  CHECK(s.contains(ip6("2001:db8:1::ffff")));
  CHECK_FALSE(s.contains(ip6("2001:db8:2::1")));
  CHECK(s.inPool(ip6("2001:db8:1::10")));
  CHECK(s.inPool(ip6("2001:db8:1::1ff")));
  CHECK_FALSE(s.inPool(ip6("2001:db8:1::20")));
  CHECK(s.poolFor(ip6("2001:db8:1::150")) == &s.pools[1]);
  CHECK_FALSE(s.inPoolFor(ip6("2001:db8:1::150"), nullptr));
  ClassList ha{"HA_server1"};
  CHECK(s.inPoolFor(ip6("2001:db8:1::150"), &ha));
  CHECK(s.poolsFor(nullptr).size() == 1);
  CHECK(s.poolsFor(&ha).size() == 2);
  CHECK(s.totalAddresses() == 16 + 256);
}

TEST_CASE("A pd-pool carves its prefix into delegated prefixes") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pd-pools": [
      { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56,
        "excluded-prefix": "2001:db8:8000:f0::", "excluded-prefix-len": 60 },
      { "prefix": "3000::", "prefix-len": 60, "delegated-len": 62, "client-class": "cpe" },
      { "prefix": "4000::", "prefix-len": 16, "delegated-len": 96 },
      { "prefix": "5000::", "prefix-len": 64, "delegated-len": 64 } ] } ])");
  const auto& s = cfg->subnets[0];
  const auto& a = s.pd_pools[0];
  CHECK(a.capacity() == 256);
  CHECK(*a.nth(0) == pfx6("2001:db8:8000::/56"));
  CHECK(*a.nth(1) == pfx6("2001:db8:8000:100::/56"));
  CHECK(*a.nth(255) == pfx6("2001:db8:8000:ff00::/56"));
  CHECK_FALSE(a.nth(256));  // exhausted
  CHECK(*a.indexOf(pfx6("2001:db8:8000:ff00::/56")) == 255);
  CHECK(a.contains(pfx6("2001:db8:8000:300::/56")));
  CHECK_FALSE(a.contains(pfx6("2001:db8:8000:300::/60")));  // wrong length
  CHECK_FALSE(a.contains(pfx6("2001:db8:8001::/56")));      // outside the pool
  CHECK_FALSE(a.contains(pfx6("2001:db8:8000:301::/56")));  // host bits set
  CHECK(a.containsAddress(ip6("2001:db8:8000:1234::1")));
  // The excluded prefix keeps its "subnet id" bits (56..59) inside every delegated prefix.
  CHECK(*a.excludedFor(pfx6("2001:db8:8000::/56")) == pfx6("2001:db8:8000:f0::/60"));
  CHECK(*a.excludedFor(pfx6("2001:db8:8000:300::/56")) == pfx6("2001:db8:8000:3f0::/60"));
  CHECK_FALSE(a.excludedFor(pfx6("2001:db8:9000::/56")));
  // What the server puts in PD_EXCLUDE for it (RFC 6603): length 60, 4 bits 1111 left-aligned.
  auto wire = dhcp::encodePdExclude(pfx6("2001:db8:8000:300::/56"),
                                    *a.excludedFor(pfx6("2001:db8:8000:300::/56")));
  REQUIRE(wire);
  CHECK(*wire == Bytes{60, 0xf0});

  const auto& b = s.pd_pools[1];
  CHECK(b.capacity() == 4);
  CHECK(*b.nth(3) == pfx6("3000:0:0:c::/62"));
  CHECK_FALSE(b.nth(4));
  CHECK_FALSE(b.excludedFor(*b.nth(0)));
  CHECK(s.pd_pools[2].capacity() == UINT64_MAX);  // 2^80 prefixes: capped like Kea's counters
  CHECK(*s.pd_pools[2].nth(UINT64_MAX - 1) == pfx6("4000:0:ffff:ffff:ffff:fffe::/96"));
  CHECK(s.pd_pools[3].capacity() == 1);
  CHECK(*s.pd_pools[3].nth(0) == pfx6("5000::/64"));
  CHECK_FALSE(s.pd_pools[3].nth(1));
  CHECK(s.totalPrefixes() == UINT64_MAX);

  CHECK(s.pdPoolFor(pfx6("3000:0:0:4::/62")) == &s.pd_pools[1]);
  CHECK_FALSE(s.pdPoolFor(pfx6("3000:0:0:4::/64")));
  ClassList cpe{"cpe"};
  CHECK(s.pdPoolsFor(nullptr).size() == 3);
  CHECK(s.pdPoolsFor(&cpe).size() == 4);
}

TEST_CASE("Prefix-pool host bits are cleared as Kea does") {
  auto cfg = cfg6(R"("subnet6": [ { "id": 1, "subnet": "2001:db8:1::5/64",
      "pools": [ { "pool": "2001:db8:1::1:5/112" } ],
      "pd-pools": [ { "prefix": "3000::1", "prefix-len": 48, "delegated-len": 64 } ] } ])");
  const auto& s = cfg->subnets[0];
  CHECK(s.prefix == pfx6("2001:db8:1::/64"));
  CHECK(s.pools[0].first == ip6("2001:db8:1::1:0"));
  CHECK(s.pools[0].last == ip6("2001:db8:1::1:ffff"));
  CHECK(s.pd_pools[0].prefix == pfx6("3000::/48"));
  CHECK(s.pd_pools[0].capacity() == 65536);
}

TEST_CASE("Reservations are found by DUID, hardware address, flex-id, address and prefix") {
  auto cfg = cfg6(R"(
    "reservations": [ { "duid": "00:03:00:01:aa:bb:cc:dd:ee:ff", "hostname": "global-host" } ],
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "reservations": [
      { "duid": "01:02:03:04", "ip-addresses": [ "2001:db8:1::10" ], "hostname": "a" },
      { "hw-address": "aa:bb:cc:00:11:22", "prefixes": [ "2001:db8:100::/56" ] },
      { "flex-id": "'port-7'", "ip-addresses": [ "2001:db8:1::17" ] },
      { "duid": "'text-duid'", "hostname": "t" } ] } ])");
  const auto& hosts = cfg->subnets[0].hosts;
  const auto* a = hosts.findByDuid(Duid(Bytes{1, 2, 3, 4}));
  REQUIRE(a);
  CHECK(a->hostname == "a");
  CHECK(hosts.findByAddress(ip6("2001:db8:1::10")) == a);
  const auto* b = hosts.findByHwAddr(HwAddr(1, Bytes{0xaa, 0xbb, 0xcc, 0x00, 0x11, 0x22}));
  REQUIRE(b);
  CHECK(b->id_type == HostIdType::kHwAddress);
  CHECK(hosts.findByPrefix(pfx6("2001:db8:100::/56")) == b);
  CHECK_FALSE(hosts.findByPrefix(pfx6("2001:db8:100::/64")));
  const auto* c = hosts.find(HostIdType::kFlexId, Bytes{'p', 'o', 'r', 't', '-', '7'});
  REQUIRE(c);
  CHECK(c->addresses[0] == ip6("2001:db8:1::17"));
  CHECK(hosts.findByDuid(Duid(Bytes{'t', 'e', 'x', 't', '-', 'd', 'u', 'i', 'd'})));
  CHECK_FALSE(hosts.findByDuid(Duid(Bytes{1, 2, 3, 5})));
  CHECK_FALSE(hosts.findByAddress(ip6("2001:db8:1::11")));
  // The DUID of one subnet's reservation is not the other identifier types.
  CHECK_FALSE(hosts.find(HostIdType::kHwAddress, Bytes{1, 2, 3, 4}));
  REQUIRE(cfg->global_hosts.size() == 1);
  const auto* g = cfg->global_hosts.findByDuid(Duid(*parseHex("00:03:00:01:aa:bb:cc:dd:ee:ff")));
  REQUIRE(g);
  CHECK(g->subnet_id == SubnetId(0));
  CHECK(hasWarning(*cfg, "flex-id reservations"));
}

TEST_CASE("The server DUID is generated once, kept in kea-dhcp6-serverid and reused") {
  auto dir =
      std::filesystem::temp_directory_path() / ("takahe-serverid-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = serverIdFilePath(dir.string());
  CHECK(file == (dir / "kea-dhcp6-serverid").string());

  ServerIdConfig llt;  // Kea's default: DUID-LLT, persisted
  LinkLayerSource eth{1, Bytes{0x02, 0xfc, 0, 0, 0, 1}};
  const std::time_t t0 = 946684800 + 1000;
  Duid d1 = resolveServerDuid(llt, file, eth, t0);
  CHECK(d1.bytes == Bytes{0, 1, 0, 1, 0, 0, 0x03, 0xe8, 0x02, 0xfc, 0, 0, 0, 1});
  std::ifstream in(file);
  std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(stored == "00:01:00:01:00:00:03:e8:02:fc:00:00:00:01");  // Kea's file format
  // A later start on another interface keeps the stored DUID.
  Duid d2 = resolveServerDuid(llt, file, LinkLayerSource{1, Bytes{9, 9, 9, 9, 9, 9}}, t0 + 5000);
  CHECK(d2 == d1);
  // A configured field wins; the others still come from the file.
  ServerIdConfig with_time = llt;
  with_time.time = 7;
  Duid d3 = resolveServerDuid(with_time, file, std::nullopt, t0);
  CHECK(d3.bytes == Bytes{0, 1, 0, 1, 0, 0, 0, 7, 0x02, 0xfc, 0, 0, 0, 1});
  // Another type ignores the stored DUID.
  ServerIdConfig en;
  en.type = ServerDuidType::kEn;
  en.identifier = Bytes{0xab, 0xcd};
  Duid d4 = resolveServerDuid(en, file, std::nullopt, t0);
  CHECK(d4.bytes == Bytes{0, 2, 0, 0, 0x09, 0xbf, 0xab, 0xcd});  // enterprise 2495 (ISC)
  // Not persisted: the file is neither read nor written.
  ServerIdConfig ll;
  ll.type = ServerDuidType::kLl;
  ll.persist = false;
  ll.identifier = Bytes{1, 2, 3, 4, 5, 6};
  Duid d5 = resolveServerDuid(ll, (dir / "none").string(), std::nullopt, t0);
  CHECK(d5.bytes == Bytes{0, 3, 0, 1, 1, 2, 3, 4, 5, 6});
  CHECK_FALSE(std::filesystem::exists(dir / "none"));
  // DUID-LLT without any link-layer address cannot be built.
  ServerIdConfig fresh;
  fresh.persist = false;
  CHECK_THROWS_AS(resolveServerDuid(fresh, file, std::nullopt, t0), Error);
  std::filesystem::remove_all(dir);
}
