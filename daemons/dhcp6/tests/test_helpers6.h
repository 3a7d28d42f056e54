#pragma once

// Helpers for the DHCPv6 hook and packet path tests: a processor over an in-memory lease store,
// DHCPv6 queries built in code, and libtest_hooks.so loaded with a test's parameters.

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "hooks6.h"
#include "processor6.h"
#include "quiet_logs.h"
#include "takahe/cc/value.h"
#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/hex.h"
#include "takahe/util/time.h"
#include "test_support.h"

namespace takahe::dhcp6::test {

/// Subnet 1 (interface `iface`) has two addresses and prefixes; subnet 2 is elsewhere.
/// `extra`: more global members (each followed by a comma); `subnet1_extra`: more members of
/// subnet 1 (likewise).
inline std::string twoSubnets(const std::string& iface = "eth0", const std::string& extra = "",
                              const std::string& subnet1_extra = "") {
  return R"({ "Dhcp6": { )" + extra + R"(
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64", )" +
         subnet1_extra + R"("interface": ")" + iface + R"(",
        "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::11" } ],
        "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 55, "delegated-len": 56 } ] },
      { "id": 2, "subnet": "2001:db8:2::/64",
        "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::20" } ] } ] } })";
}

inline const Duid kServerDuid = dhcp::makeDuidEn(2495, Bytes{1, 2, 3, 4});
inline Duid clientDuid(uint8_t n) { return dhcp::makeDuidLl(1, Bytes{0x02, 0, 0, 0, 0, n}); }

inline dhcp::IaNa iaNa(uint32_t iaid, std::optional<std::string> addr = std::nullopt) {
  dhcp::IaNa ia;
  ia.iaid = iaid;
  if (addr) ia.addresses.push_back({IPv6Address::fromString(*addr), 0, 0, std::nullopt, {}});
  return ia;
}

inline dhcp::IaPd iaPd(uint32_t iaid, std::optional<std::string> prefix = std::nullopt) {
  dhcp::IaPd ia;
  ia.iaid = iaid;
  if (prefix) {
    dhcp::IaPrefix p;
    p.prefix = Prefix6::fromString(*prefix);
    ia.prefixes.push_back(p);
  }
  return ia;
}

/// A query of `client` with one IA_NA (iaid 1, optionally naming `addr`); a server-id where
/// RFC 8415 wants one.
inline dhcp::Pkt6 query6(dhcp::MessageType6 type, uint8_t client, uint32_t transid,
                         std::optional<std::string> addr = std::nullopt) {
  dhcp::Pkt6 p;
  p.msg_type = type;
  p.transid = transid;
  p.setClientId(clientDuid(client));
  if (type == dhcp::MessageType6::kRequest || type == dhcp::MessageType6::kRenew ||
      type == dhcp::MessageType6::kRelease || type == dhcp::MessageType6::kDecline) {
    p.setServerId(kServerDuid);
  }
  p.addIaNa(iaNa(1, addr));
  p.meta.iface = "eth0";
  p.meta.remote_addr = IPv6Address::fromString("fe80::a");
  return p;
}

/// The one address of the reply's IA_NA, or "" when it has none.
inline std::string addressOf(const dhcp::Pkt6& r) {
  auto ias = r.iaNas();
  REQUIRE(ias.size() == 1);
  return ias[0].addresses.empty() ? "" : ias[0].addresses[0].address.toString();
}

inline std::vector<std::string> fileLines(const std::string& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// A processor over a memfile store, with the hook points of `hooks` into which the test
/// library is loaded on demand (with a counter file and an argument file).
struct Harness6 {
  std::unique_ptr<dhcpsrv::MemfileLeaseStore6> store;
  stats::StatsStore stats;
  Hooks6 hooks;
  std::unique_ptr<Processor6> proc;
  dhcpsrv::SrvConfig6Ptr cfg;
  Arrival6 arrival{"eth0", true, false};
  takahe::testing::TempDir dir;
  std::string counter_file = dir.file("counter");
  std::string args_file = dir.file("args");

  explicit Harness6(const std::string& config = twoSubnets()) {
    testing::quietLogs();
    dhcpsrv::MemfileConfig mc;
    mc.persist = false;
    store = std::make_unique<dhcpsrv::MemfileLeaseStore6>(mc);
    proc = std::make_unique<Processor6>(*store, stats);
    proc->setServerDuid(kServerDuid);
    proc->setHooks(&hooks);
    cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(config, "hooks6.json"));
    proc->configure(*cfg);
  }
  ~Harness6() { hooks.manager().unloadAll(); }

  void reconfigure(const std::string& config) {
    cfg = dhcpsrv::parseDhcp6Config(cc::parseConfigText(config, "hooks6.json"));
    proc->configure(*cfg);
  }

  /// Loads libtest_hooks.so with `extra` parameters (JSON members, may be empty).
  void load(const std::string& extra = "") {
    std::string json =
        R"({"counter-file": ")" + counter_file + R"(", "args-file": ")" + args_file + "\"";
    if (!extra.empty()) json += ", " + extra;
    hooks::HookLibraryConfig lib;
    lib.path = TEST_HOOKS_LIB;
    lib.parameters = cc::parseJson(json + "}");
    hooks.manager().load({lib}, false);
  }

  struct Outcome {
    std::optional<dhcp::Pkt6> reply;
    PacketHooks6 ph;
  };
  /// Processes `q` as the packet path does with a library loaded.
  Outcome run(const dhcp::Pkt6& q, int64_t now = nowUnixSeconds()) {
    Outcome out;
    out.ph.handle = hooks.manager().createHandle();
    out.ph.query = std::make_shared<dhcp::Pkt6>(q);
    out.reply = proc->process(*out.ph.query, *cfg, arrival, now, &out.ph);
    return out;
  }
  /// SOLICIT then REQUEST for client `n`; the address it got.
  std::string sarr(uint8_t n, uint32_t transid = 0x100) {
    auto adv = run(query6(dhcp::MessageType6::kSolicit, n, transid)).reply;
    REQUIRE(adv);
    REQUIRE(adv->msg_type == dhcp::MessageType6::kAdvertise);
    std::string a = addressOf(*adv);
    REQUIRE_FALSE(a.empty());
    auto rep = run(query6(dhcp::MessageType6::kRequest, n, transid + 1, a)).reply;
    REQUIRE(rep);
    REQUIRE(addressOf(*rep) == a);
    return a;
  }

  int64_t stat(const std::string& name) const { return stats.value(name); }
  std::optional<dhcpsrv::Lease6> lease(const std::string& a) const {
    return store->get(dhcpsrv::Lease6Type::kNa, IPv6Address::fromString(a));
  }

  /// Lines of the argument file for `hook`.
  std::vector<std::string> argLines(const std::string& hook) const {
    std::vector<std::string> out;
    for (auto& l : fileLines(args_file)) {
      if (l.rfind(hook + " ", 0) == 0 || l == hook) out.push_back(l);
    }
    return out;
  }
  /// Hook names of the counter file in call order, without load/unload.
  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (auto& l : fileLines(counter_file)) {
      std::string name = l.substr(0, l.find(' '));
      if (name != "load" && name != "unload") out.push_back(name);
    }
    return out;
  }
  void clearFiles() {
    std::ofstream(counter_file, std::ios::trunc);
    std::ofstream(args_file, std::ios::trunc);
  }
};

using Calls = std::vector<std::string>;

}  // namespace takahe::dhcp6::test
