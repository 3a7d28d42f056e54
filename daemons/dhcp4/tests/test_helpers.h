#pragma once

// Helpers for driving the DHCPv4 processor with packets built in code.

#include <memory>
#include <string>

#include "processor.h"
#include "quiet_logs.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/log/config.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp4::test {

inline dhcpsrv::SrvConfig4Ptr configFrom(const std::string& dhcp4_body) {
  return dhcpsrv::parseDhcp4Config(cc::parseConfigText("{\"Dhcp4\": {" + dhcp4_body + "}}", "test.json"));
}

/// A processor over an in-memory lease store, configured from `dhcp4_body`.
struct Harness {
  std::unique_ptr<dhcpsrv::MemfileLeaseStore4> store;
  stats::StatsStore stats;
  std::unique_ptr<Processor> proc;
  dhcpsrv::SrvConfig4Ptr cfg;
  LinkInfo link;

  explicit Harness(const std::string& dhcp4_body) {
    testing::quietLogs();  // only warnings and errors
    dhcpsrv::MemfileConfig mc;
    mc.persist = false;
    store = std::make_unique<dhcpsrv::MemfileLeaseStore4>(mc);
    proc = std::make_unique<Processor>(*store, stats);
    reconfigure(dhcp4_body);
    link.server_address = IPv4Address::fromString("192.0.2.1");
    link.our_addresses = {link.server_address};
    link.iface_prefixes = {Prefix4::fromString("192.0.2.1/24")};
  }

  void reconfigure(const std::string& dhcp4_body) {
    cfg = configFrom(dhcp4_body);
    proc->configure(*cfg);
  }

  std::optional<dhcp::Pkt4> send(const dhcp::Pkt4& q) { return proc->process(q, *cfg, link); }
  int64_t stat(const std::string& name) const { return stats.value(name); }
};

inline dhcp::Pkt4 query(dhcp::MessageType type, uint8_t mac_last, uint32_t xid = 0x1234) {
  dhcp::Pkt4 p;
  p.op = 1;
  p.xid = xid;
  p.setHwAddr(HwAddr(1, Bytes{0x02, 0, 0, 0, 0, mac_last}));
  p.setMessageType(type);
  p.meta.iface = "eth0";
  return p;
}

inline Bytes ip(const char* a) {
  auto b = IPv4Address::fromString(a).toBytes();
  return Bytes(b.begin(), b.end());
}

inline uint32_t u32(const Bytes* b) {
  REQUIRE(b);
  REQUIRE(b->size() == 4);
  return (uint32_t{(*b)[0]} << 24) | (uint32_t{(*b)[1]} << 16) | (uint32_t{(*b)[2]} << 8) | (*b)[3];
}

}  // namespace takahe::dhcp4::test
