// Building replies: header fields, the options a client gets, and where the reply goes.

#include <algorithm>

#include "dhcp4_messages.h"
#include "processor.h"

namespace takahe::dhcp4 {

using dhcp::MessageType;
using dhcp::Pkt4;
using dhcpsrv::CfgOptions;
using dhcpsrv::Host4;
using dhcpsrv::Lease4;
using dhcpsrv::SrvConfig4;
using dhcpsrv::Subnet4;

namespace {

Bytes u32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v)};
}

Bytes addr(IPv4Address a) {
  auto b = a.toBytes();
  return Bytes(b.begin(), b.end());
}

template <size_t N>
void setField(std::array<uint8_t, N>& field, const std::string& text) {
  field.fill(0);
  std::copy_n(text.begin(), std::min(text.size(), N - 1), field.begin());
}

// Options a client gets when configured, whether it asked for them or not.
constexpr uint8_t kBasicOptions[] = {dhcp::opt::kRouters, dhcp::opt::kDomainNameServers,
                                     dhcp::opt::kDomainName};

}  // namespace

Destination replyDestination(const Pkt4& q, const Pkt4& reply, ReplyPorts ports) {
  // RFC 2131 4.1, in order: relay, ciaddr, NAK broadcast, broadcast flag, unicast to yiaddr.
  if (q.isRelayed()) return {Destination::Kind::kRelay, q.giaddr, ports.relay};
  bool nak = reply.messageType() == MessageType::kNak;
  if (!q.ciaddr.isZero() && !nak) return {Destination::Kind::kUnicastCiaddr, q.ciaddr, ports.client};
  if (nak || q.broadcastFlag() || reply.yiaddr.isZero()) {
    return {Destination::Kind::kBroadcast, IPv4Address(0xffffffffu), ports.client};
  }
  return {Destination::Kind::kUnicastYiaddr, reply.yiaddr, ports.client};
}

Pkt4 Processor::makeReply(const Pkt4& q, MessageType type, const LinkInfo& link, const SrvConfig4& cfg) const {
  Pkt4 r;
  r.op = 2;
  r.htype = q.htype;
  r.hlen = q.hlen;
  r.hops = q.hops;
  r.xid = q.xid;
  r.secs = 0;
  r.flags = q.flags;
  r.giaddr = q.giaddr;
  r.chaddr = q.chaddr;
  r.meta = q.meta;
  r.setMessageType(type);
  r.setOption(dhcp::opt::kServerId, addr(link.server_address));
  if (cfg.echo_client_id) {
    if (const Bytes* cid = q.option(dhcp::opt::kClientId)) r.setOption(dhcp::opt::kClientId, *cid);
  }
  return r;
}

Pkt4 Processor::makeNak(const Pkt4& q, const LinkInfo& link, const SrvConfig4& cfg, const char* why) {
  Pkt4 r = makeReply(q, MessageType::kNak, link, cfg);
  std::string text(why);
  r.setOption(dhcp::opt::kMessage, Bytes(text.begin(), text.end()));
  if (q.isRelayed()) r.flags |= Pkt4::kFlagBroadcast;  // RFC 2131 4.3.2: relay must broadcast NAKs
  if (const Bytes* rai = q.option(dhcp::opt::kRelayAgentInfo)) r.setOption(dhcp::opt::kRelayAgentInfo, *rai);
  auto ip = q.requestedAddress() ? *q.requestedAddress() : q.ciaddr;
  TAKAHE_LOG(lease_log_, DHCP4_NAK, q.label(), ip.toString(), why);
  return r;
}

void Processor::addConfiguredOptions(Pkt4& reply, const Pkt4& q, const Subnet4* subnet, const dhcpsrv::Pool4* pool,
                                     const Host4* host, const SrvConfig4& cfg) const {
  // Most specific level first: reservation, pool, subnet, shared network, global.
  const CfgOptions* levels[5] = {host ? &host->options : nullptr, pool ? &pool->options : nullptr,
                                 subnet ? &subnet->options : nullptr,
                                 subnet ? &subnet->network_options : nullptr, &cfg.options};
  auto prl = q.parameterRequestList();
  auto requested = [&](uint8_t code) {
    return std::find(prl.begin(), prl.end(), code) != prl.end() ||
           std::find(std::begin(kBasicOptions), std::end(kBasicOptions), code) != std::end(kBasicOptions);
  };
  // always-send and never-send hold wherever they are set; never-send wins. The data comes from
  // the most specific level that has the option.
  std::vector<uint8_t> seen, forced, blocked;
  for (const CfgOptions* level : levels) {
    if (!level) continue;
    for (const auto& o : level->options) {
      if (o.always_send) forced.push_back(o.code);
      if (o.never_send) blocked.push_back(o.code);
    }
  }
  auto in = [](const std::vector<uint8_t>& v, uint8_t c) { return std::find(v.begin(), v.end(), c) != v.end(); };
  for (const CfgOptions* level : levels) {
    if (!level) continue;
    for (const auto& o : level->options) {
      if (in(seen, o.code)) continue;
      seen.push_back(o.code);
      if (reply.has(o.code) && o.code != dhcp::opt::kSubnetMask) continue;  // set by the server itself
      if (in(blocked, o.code) || !(in(forced, o.code) || requested(o.code))) continue;
      reply.setOption(o.code, o.data);
    }
  }
  // Relay agent information is echoed back unchanged (RFC 3046 2.2).
  if (const Bytes* rai = q.option(dhcp::opt::kRelayAgentInfo)) reply.setOption(dhcp::opt::kRelayAgentInfo, *rai);
  // Boot fields: reservation wins over the subnet.
  std::optional<IPv4Address> next_server = host && host->next_server ? host->next_server
                                                                      : (subnet ? subnet->next_server : std::nullopt);
  if (next_server) reply.siaddr = *next_server;
  std::string sname = host && !host->server_hostname.empty() ? host->server_hostname
                                                             : (subnet ? subnet->server_hostname : "");
  std::string file = host && !host->boot_file_name.empty() ? host->boot_file_name
                                                           : (subnet ? subnet->boot_file_name : "");
  if (!sname.empty()) setField(reply.sname, sname);
  if (!file.empty()) setField(reply.file, file);
}

void Processor::addLeaseOptions(Pkt4& reply, const Pkt4& q, const Lease4& lease, const Subnet4& subnet,
                                const Host4* host, const SrvConfig4& cfg) const {
  reply.setOption(dhcp::opt::kLeaseTime, u32(lease.valid_lifetime));
  // T1/T2: explicit timers when below the lease time, else computed when asked to.
  const auto& lt = subnet.lifetimes;
  const uint32_t valid = lease.valid_lifetime;
  std::optional<uint32_t> t1, t2;
  if (valid != 0xffffffffu) {
    // Configured timers are sent only when they fall inside the lease (T1 also below T2);
    // otherwise, with calculate-tee-times, they are derived from the lifetime (truncated, as
    // Kea does).
    if (lt.rebind) {
      if (*lt.rebind < valid) t2 = *lt.rebind;
    } else if (lt.calculate_tee_times) {
      t2 = static_cast<uint32_t>(lt.t2_percent * valid);
    }
    if (lt.renew) {
      if (*lt.renew < (t2 ? *t2 : valid)) t1 = *lt.renew;
    } else if (lt.calculate_tee_times) {
      t1 = static_cast<uint32_t>(lt.t1_percent * valid);
    }
  }
  // Kea never sends a zero timer, a T2 that is not below the lifetime, or a T1 not below T2.
  if (t2 && (*t2 == 0 || *t2 >= valid)) t2.reset();
  if (t1 && (*t1 == 0 || *t1 >= (t2 ? *t2 : valid))) t1.reset();
  if (t1) reply.setOption(dhcp::opt::kRenewalTime, u32(*t1));
  if (t2) reply.setOption(dhcp::opt::kRebindingTime, u32(*t2));
  reply.setOption(dhcp::opt::kSubnetMask, addr(prefixLengthToMask(subnet.prefix.length)));
  if (host && !host->hostname.empty()) {
    auto prl = q.parameterRequestList();
    if (q.has(dhcp::opt::kHostName) || std::find(prl.begin(), prl.end(), dhcp::opt::kHostName) != prl.end()) {
      reply.setOption(dhcp::opt::kHostName, Bytes(host->hostname.begin(), host->hostname.end()));
    }
  }
  addConfiguredOptions(reply, q, &subnet, subnet.poolFor(lease.address), host, cfg);
}

}  // namespace takahe::dhcp4
