// Scopes and the RFC 3074 load-balancing hash. The expected hash values were computed from
// the mixing table as found in Kea 2.2's libdhcp_ha.so (Debian 2.2.0-6), so a Takahe server
// and a Kea server split clients the same way.

#include "core/query_filter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

using namespace takahe;
using namespace takahe::hooks::ha;

namespace {

HaConfig config(const std::string& mode, const std::string& me, const std::string& role2) {
  std::string text = R"({"high-availability": [ {"this-server-name": ")" + me +
                     R"(", "mode": ")" + mode + R"(", "peers": [
      {"name": "server1", "url": "http://192.0.2.1:8000/", "role": "primary"},
      {"name": "server2", "url": "http://192.0.2.2:8000/", "role": ")" + role2 + R"("},
      {"name": "server3", "url": "http://192.0.2.3:8000/", "role": "backup"}]} ]})";
  return parseHaConfig(cc::parseJson(text));
}

uint8_t hashOf(const std::string& hex) {
  Bytes b = parseHex(hex).value_or(Bytes{});
  return loadBalancingHash(b.data(), b.size());
}

dhcp::Pkt4 query(const std::string& mac, dhcp::MessageType type = dhcp::MessageType::kDiscover) {
  dhcp::Pkt4 p;
  p.setMessageType(type);
  Bytes hw = parseHex(mac).value();
  p.hlen = static_cast<uint8_t>(hw.size());
  std::copy(hw.begin(), hw.end(), p.chaddr.begin());
  return p;
}

}  // namespace

TEST_CASE("The load-balancing hash follows RFC 3074 with its table", "[ha][scopes]") {
  // Empty key: the seed (length 0) is the result.
  CHECK(loadBalancingHash(nullptr, 0) == 0);
  // One byte k: T[1 ^ k]; T[0] = 251, T[1] = 175, T[254] = 234, T[255] = 151.
  CHECK(hashOf("01") == 251);
  CHECK(hashOf("00") == 175);
  CHECK(hashOf("ff") == 234);
  CHECK(hashOf("fe") == 151);
  // Longer keys, bytes mixed from the last one back to the first.
  CHECK(hashOf("0000") == 150);
  CHECK(hashOf("0102") == 170);
  CHECK(hashOf("08:00:2b:01:02:03") == 162);
  CHECK(hashOf("00:11:22:33:44:55") == 135);
  CHECK(hashOf("aa:bb:cc:dd:ee:ff") == 57);
  CHECK(hashOf("52:54:00:00:00:01") == 149);
  CHECK(hashOf("52:54:00:00:00:02") == 101);
  CHECK(hashOf("52:54:00:00:00:03") == 108);
  CHECK(hashOf("52:54:00:00:00:04") == 240);
  CHECK(hashOf("01:00:11:22:33:44:55") == 223);  // client id: type 1 + MAC
  CHECK(hashOf("01:08:00:2b:01:02:03") == 55);

  // The table is a permutation: one-byte keys reach every value exactly once.
  std::set<uint8_t> seen;
  for (int k = 0; k < 256; ++k) {
    uint8_t b = static_cast<uint8_t>(k);
    seen.insert(loadBalancingHash(&b, 1));
  }
  CHECK(seen.size() == 256);

  // Structure: seed = length mod 256, then h = T[h ^ key[i]] from the last byte to the first.
  // T[x] is the one-byte hash of x ^ 1, which gives an independent way to the same value.
  auto table = [](uint8_t x) {
    uint8_t k = static_cast<uint8_t>(x ^ 1);
    return loadBalancingHash(&k, 1);
  };
  Bytes key = {0x12, 0x34, 0x56};
  uint8_t expect = 3;
  for (size_t i = key.size(); i > 0; --i) {
    expect = table(static_cast<uint8_t>(expect ^ key[i - 1]));
  }
  CHECK(loadBalancingHash(key.data(), key.size()) == expect);
  Bytes zeros(256, 0);
  expect = 0;  // 256 mod 256
  for (size_t i = 0; i < zeros.size(); ++i) {
    expect = table(expect);
  }
  CHECK(loadBalancingHash(zeros.data(), zeros.size()) == expect);
}

TEST_CASE("Scope sets follow Kea's rules for each mode and role", "[ha][scopes]") {
  using V = std::vector<std::string>;
  SECTION("load-balancing primary") {
    HaConfig c = config("load-balancing", "server1", "secondary");
    QueryFilter f(c);
    CHECK(f.activeServers() == V{"server1", "server2"});
    CHECK(f.servedScopes() == V{"server1"});
    f.serveFailoverScopes();
    CHECK(f.servedScopes() == V{"server1", "server2"});
    f.serveNoScopes();
    CHECK(f.servedScopes().empty());
    f.serveDefaultScopes();
    CHECK(f.servedScopes() == V{"server1"});
    CHECK(f.amServingScope("server1"));
    CHECK_FALSE(f.amServingScope("server2"));
  }
  SECTION("load-balancing secondary") {
    HaConfig c = config("load-balancing", "server2", "secondary");
    QueryFilter f(c);
    CHECK(f.servedScopes() == V{"server2"});
    f.serveFailoverScopes();
    CHECK(f.servedScopes() == V{"server1", "server2"});
  }
  SECTION("load-balancing backup serves nothing by default") {
    HaConfig c = config("load-balancing", "server3", "secondary");
    QueryFilter f(c);
    CHECK(f.servedScopes().empty());
  }
  SECTION("hot-standby primary and standby") {
    HaConfig c1 = config("hot-standby", "server1", "standby");
    QueryFilter primary(c1);
    CHECK(primary.activeServers() == V{"server1", "server2"});
    CHECK(primary.servedScopes() == V{"server1"});
    HaConfig c2 = config("hot-standby", "server2", "standby");
    QueryFilter standby(c2);
    CHECK(standby.servedScopes().empty());
    // A standby taking over serves (and reports) the primary's scope only, as Kea.
    standby.serveFailoverScopes();
    CHECK(standby.servedScopes() == V{"server1"});
  }
  SECTION("passive-backup") {
    HaConfig c1 = config("passive-backup", "server1", "backup");
    QueryFilter primary(c1);
    CHECK(primary.activeServers() == V{"server1"});
    CHECK(primary.servedScopes() == V{"server1"});
    HaConfig c2 = config("passive-backup", "server2", "backup");
    QueryFilter backup(c2);
    CHECK(backup.servedScopes().empty());
  }
}

TEST_CASE("ha-scopes accepts only the relationship's scopes", "[ha][scopes]") {
  using V = std::vector<std::string>;
  HaConfig c = config("load-balancing", "server1", "secondary");
  QueryFilter f(c);
  f.serveScopes({"server2"});
  CHECK(f.servedScopes() == V{"server2"});
  f.serveScope("server1");
  CHECK(f.servedScopes() == V{"server1", "server2"});
  f.serveScopes({});
  CHECK(f.servedScopes().empty());

  f.serveScopes({"server1"});
  try {
    f.serveScopes({"server2", "server9"});
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) ==
          "invalid server name specified 'server9' while enabling/disabling HA scopes: the "
          "scopes of this HA relationship are server1, server2");
  }
  CHECK(f.servedScopes() == V{"server1"});  // unchanged by the refused list
  CHECK_THROWS_AS(f.serveScopes({"server3"}), Error);  // a backup has no scope
  CHECK_THROWS_AS(f.serveScope(""), Error);
  CHECK(f.servedScopes() == V{"server1"});
}

TEST_CASE("Load-balancing assigns a client by client identifier or else chaddr", "[ha][scopes]") {
  HaConfig c1 = config("load-balancing", "server1", "secondary");
  HaConfig c2 = config("load-balancing", "server2", "secondary");
  QueryFilter primary(c1);
  QueryFilter secondary(c2);
  std::string scope;

  // 52:54:00:00:00:03 hashes to 108 (even: primary), ...:01 to 149 (odd: secondary).
  dhcp::Pkt4 even = query("52:54:00:00:00:03");
  dhcp::Pkt4 odd = query("52:54:00:00:00:01");
  CHECK(primary.queryScope(even) == "server1");
  CHECK(primary.inScope(even, scope));
  CHECK(scope == "server1");
  CHECK_FALSE(secondary.inScope(even, scope));
  CHECK(scope == "server1");
  CHECK(primary.queryScope(odd) == "server2");
  CHECK_FALSE(primary.inScope(odd, scope));
  CHECK(scope == "server2");
  CHECK(secondary.inScope(odd, scope));

  // A client identifier decides when present: 01:08:00:2b:01:02:03 hashes to 55 (odd), so
  // the even MAC's client moves to the secondary.
  dhcp::Pkt4 with_cid = even;
  with_cid.setOption(dhcp::opt::kClientId, parseHex("01:08:00:2b:01:02:03").value());
  CHECK(primary.queryScope(with_cid) == "server2");
  CHECK(secondary.inScope(with_cid, scope));
  // An empty client identifier does not count: back to chaddr.
  dhcp::Pkt4 empty_cid = even;
  empty_cid.setOption(dhcp::opt::kClientId, Bytes{});
  CHECK(primary.queryScope(empty_cid) == "server1");

  // Only hlen bytes of chaddr count.
  dhcp::Pkt4 padded = even;
  padded.chaddr[6] = 0x99;  // beyond hlen = 6
  CHECK(primary.queryScope(padded) == "server1");
  dhcp::Pkt4 shorter = even;
  shorter.hlen = 5;  // 52:54:00:00:00 hashes differently
  Bytes five = parseHex("52:54:00:00:00").value();
  CHECK(primary.queryScope(shorter) ==
        (loadBalancingHash(five.data(), five.size()) % 2 == 0 ? "server1" : "server2"));
  dhcp::Pkt4 huge = even;
  huge.hlen = 200;  // capped at the 16 bytes chaddr has
  uint8_t h16 = loadBalancingHash(huge.chaddr.data(), 16);
  CHECK(primary.queryScope(huge) == (h16 % 2 == 0 ? "server1" : "server2"));

  // No identifier at all: nobody's client.
  dhcp::Pkt4 anonymous = query("00");
  anonymous.hlen = 0;
  CHECK(primary.queryScope(anonymous).empty());
  CHECK_FALSE(primary.inScope(anonymous, scope));
  CHECK(scope.empty());
  CHECK_FALSE(secondary.inScope(anonymous, scope));

  // In partner-down the primary answers both.
  primary.serveFailoverScopes();
  CHECK(primary.inScope(odd, scope));
  CHECK(scope == "server2");
}

TEST_CASE("Clients land in the scope Kea 2.2 put them in", "[ha][scopes]") {
  // test/ha/kea22-wire.md: a Kea 2.2 load-balancing pair (pools split by client-class
  // HA_server1 / HA_server2) leased 192.0.2.100 and 192.0.2.104, both in the HA_server1 pool,
  // to these clients. Their client identifiers hash to even buckets; their bare hardware
  // addresses would hash to odd ones, so this also shows option 61 takes precedence.
  HaConfig c = config("load-balancing", "server1", "secondary");
  QueryFilter f(c);
  const std::pair<const char*, const char*> clients[] = {
      {"00:0c:01:02:03:04", "01:00:0c:01:02:03:04"},
      {"00:0c:01:02:10:00", "01:00:0c:01:02:10:00"},
  };
  for (const auto& [mac, cid] : clients) {
    INFO(mac);
    dhcp::Pkt4 p = query(mac, dhcp::MessageType::kRequest);
    CHECK(f.queryScope(p) == "server2");  // chaddr alone
    p.setOption(dhcp::opt::kClientId, parseHex(cid).value());
    CHECK(f.queryScope(p) == "server1");  // as Kea decided
  }
}

TEST_CASE("Every load-balanced message type is filtered and other types are not",
          "[ha][scopes]") {
  HaConfig c = config("load-balancing", "server1", "secondary");
  QueryFilter f(c);
  f.serveNoScopes();
  std::string scope;
  for (auto type : {dhcp::MessageType::kDiscover, dhcp::MessageType::kRequest,
                    dhcp::MessageType::kDecline, dhcp::MessageType::kRelease,
                    dhcp::MessageType::kInform}) {
    CHECK_FALSE(f.inScope(query("52:54:00:00:00:03", type), scope));
  }
  dhcp::Pkt4 no_type = query("52:54:00:00:00:03");
  no_type.removeOption(dhcp::opt::kMessageType);
  CHECK_FALSE(f.inScope(no_type, scope));
  // A leasequery is answered by whoever gets it, under the primary's scope name.
  CHECK(f.inScope(query("52:54:00:00:00:01", dhcp::MessageType::kLeaseQuery), scope));
  CHECK(scope == "server1");
}

TEST_CASE("Hot-standby puts every client in the primary's scope", "[ha][scopes]") {
  HaConfig c = config("hot-standby", "server2", "standby");
  QueryFilter standby(c);
  std::string scope;
  for (const char* mac : {"52:54:00:00:00:01", "52:54:00:00:00:03", "aa:bb:cc:dd:ee:ff"}) {
    CHECK(standby.queryScope(query(mac)) == "server1");
    CHECK_FALSE(standby.inScope(query(mac), scope));
  }
  dhcp::Pkt4 anonymous = query("00");
  anonymous.hlen = 0;
  CHECK(standby.queryScope(anonymous) == "server1");  // no hash needed
  standby.serveFailoverScopes();
  CHECK(standby.inScope(query("52:54:00:00:00:01"), scope));
  CHECK(scope == "server1");
}

TEST_CASE("The hash splits clients roughly in half", "[ha][scopes]") {
  HaConfig c = config("load-balancing", "server1", "secondary");
  QueryFilter f(c);
  std::mt19937 rng(12345);
  int primary = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    dhcp::Pkt4 p;
    p.setMessageType(dhcp::MessageType::kDiscover);
    for (int j = 0; j < 6; ++j) {
      p.chaddr[static_cast<size_t>(j)] = static_cast<uint8_t>(rng());
    }
    primary += f.queryScope(p) == "server1" ? 1 : 0;
  }
  CHECK(primary > n * 40 / 100);
  CHECK(primary < n * 60 / 100);
}

TEST_CASE("Scopes can change while packets are checked", "[ha][scopes]") {
  HaConfig c = config("load-balancing", "server1", "secondary");
  QueryFilter f(c);
  std::atomic<bool> stop{false};
  std::thread changer([&] {
    for (int i = 0; i < 2000; ++i) {
      if (i % 2) {
        f.serveFailoverScopes();
      } else {
        f.serveDefaultScopes();
      }
    }
    stop = true;
  });
  dhcp::Pkt4 even = query("52:54:00:00:00:03");
  dhcp::Pkt4 odd = query("52:54:00:00:00:01");
  std::string scope;
  size_t checks = 0;
  size_t own_scope_missed = 0;
  while (!stop || checks < 1000) {
    if (!f.inScope(even, scope)) {  // the primary's own scope is in both sets
      ++own_scope_missed;
    }
    f.inScope(odd, scope);
    ++checks;
  }
  changer.join();
  CHECK(own_scope_missed == 0);
  f.serveDefaultScopes();
  CHECK_FALSE(f.inScope(odd, scope));
}
