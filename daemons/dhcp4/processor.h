#pragma once

// DHCPv4 message processing: one query in, at most one reply out. No sockets here, so every
// RFC 2131 rule is unit-tested directly on packets.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "hooks4.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/alloc_engine4.h"
#include "takahe/dhcpsrv/lease_store.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/log/logger.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp4 {

/// Where a reply must go (RFC 2131 section 4.1).
struct Destination {
  enum class Kind { kRelay, kUnicastCiaddr, kBroadcast, kUnicastYiaddr } kind;
  IPv4Address address;
  uint16_t port = 68;
};

/// Ports the server answers on: clients (68) and relays (67), overridden by -P.
struct ReplyPorts {
  uint16_t client = 68;
  uint16_t relay = 67;
};

Destination replyDestination(const dhcp::Pkt4& query, const dhcp::Pkt4& reply, ReplyPorts ports);

/// What the processor knows about the link a packet arrived on.
struct LinkInfo {
  IPv4Address server_address;               // our address on that link (server identifier)
  std::vector<IPv4Address> our_addresses;   // every address of ours (server-id checks)
  std::vector<Prefix4> iface_prefixes;      // prefixes on the receiving interface
};

class Processor {
 public:
  Processor(dhcpsrv::LeaseStore4& store, stats::StatsStore& stats);

  /// Called after every (re)configuration: sets per-subnet totals and recounts assigned leases.
  void configure(const dhcpsrv::SrvConfig4& cfg);

  /// Hook points to call and reservations added at run time; either may be null.
  void setHooks(Hooks4* hooks, const dhcpsrv::HostStore4* host_store) {
    hooks_ = hooks;
    host_store_ = host_store;
  }

  /// Processes one query; nullopt means drop (counted and logged). With `ph` (some hook library
  /// is loaded) `query` must be *ph->query, and the hook points are called; ph then lists the
  /// leases committed for leases4_committed.
  std::optional<dhcp::Pkt4> process(const dhcp::Pkt4& query, const dhcpsrv::SrvConfig4& cfg,
                                    const LinkInfo& link, PacketHooks* ph = nullptr);

  /// Counts a packet that could not be parsed.
  void countParseFailure();
  void countReceiveDrop();
  /// Counts a query dropped while service is disabled (dhcp-disable).
  void countServiceDisabled();
  void countSent(const dhcp::Pkt4& reply);

  /// Reclaims up to the configured number of expired leases; returns how many, and whether
  /// more remain.
  std::pair<size_t, bool> reclaimExpired(const dhcpsrv::SrvConfig4& cfg, int64_t now);
  /// Removes reclaimed leases older than hold-reclaimed-time.
  size_t flushReclaimed(const dhcpsrv::SrvConfig4& cfg, int64_t now);

  dhcpsrv::AllocEngine4& engine() { return engine_; }

  /// Selects the subnet for a query (relay/giaddr, subnet-selection options, ciaddr, interface).
  static const dhcpsrv::Subnet4* selectSubnet(const dhcp::Pkt4& query, const dhcpsrv::SrvConfig4& cfg,
                                              const LinkInfo& link);

 private:
  struct SubnetCounters {
    stats::Counter total, assigned, cumulative_assigned, declined, reclaimed_declined, reclaimed;
    stats::Counter alloc_fail, alloc_fail_subnet, alloc_fail_shared, alloc_fail_no_pools;
  };

  std::optional<dhcp::Pkt4> onDiscover(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg, const LinkInfo& link);
  std::optional<dhcp::Pkt4> onRequest(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg, const LinkInfo& link);
  void onRelease(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg);
  void onDecline(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg);
  std::optional<dhcp::Pkt4> onInform(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg, const LinkInfo& link);

  /// selectSubnet, logging and counting the drop when no subnet matches.
  const dhcpsrv::Subnet4* selectSubnetOrCount(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg,
                                              const LinkInfo& link);
  dhcpsrv::ClientContext4 makeContext(const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg,
                                      const dhcpsrv::Subnet4* subnet);
  dhcp::Pkt4 makeReply(const dhcp::Pkt4& q, dhcp::MessageType type, const LinkInfo& link,
                       const dhcpsrv::SrvConfig4& cfg) const;
  dhcp::Pkt4 makeNak(const dhcp::Pkt4& q, const LinkInfo& link, const dhcpsrv::SrvConfig4& cfg,
                     const char* why);
  void addLeaseOptions(dhcp::Pkt4& reply, const dhcp::Pkt4& q, const dhcpsrv::Lease4& lease,
                       const dhcpsrv::Subnet4& subnet, const dhcpsrv::Host4* host,
                       const dhcpsrv::SrvConfig4& cfg) const;
  void addConfiguredOptions(dhcp::Pkt4& reply, const dhcp::Pkt4& q, const dhcpsrv::Subnet4* subnet,
                            const dhcpsrv::Pool4* pool, const dhcpsrv::Host4* host,
                            const dhcpsrv::SrvConfig4& cfg) const;
  void countAllocation(const dhcpsrv::AllocResult& r);
  /// The hook state of the packet being processed on this thread, or nullptr.
  PacketHooks* packetHooks() const { return current_hooks_; }
  /// Calls hook `index` for the current packet if a callout listens; sets `extra` arguments via
  /// the callback. Returns kContinue when nothing listens.
  template <class F>
  hooks::NextStep callHook(int index, F&& set_arguments) {
    PacketHooks* ph = current_hooks_;
    if (!ph || !hooks_->present(index)) return hooks::NextStep::kContinue;
    hooks::CalloutHandle& h = ph->begin();
    set_arguments(h);
    return hooks_->call(index, h);
  }
  /// Installs the lease4_select / lease4_renew callouts on an allocation context.
  void installLeaseHooks(dhcpsrv::ClientContext4& ctx);
  /// One identifier of the client (flex-id from the host4_identifier hook point), if it has it.
  std::optional<Bytes> clientIdentifier(dhcpsrv::HostIdType type, const dhcp::Pkt4& q);
  void findHost(dhcpsrv::ClientContext4& ctx, const dhcp::Pkt4& q, const dhcpsrv::SrvConfig4& cfg,
                const dhcpsrv::Subnet4* subnet);
  void noteCommitted(const dhcpsrv::AllocResult& r);
  void countAllocFailure(SubnetId id, dhcpsrv::AllocFailure f);
  SubnetCounters* counters(SubnetId id);

  dhcpsrv::LeaseStore4& store_;
  stats::StatsStore& stats_;
  Hooks4* hooks_ = nullptr;
  const dhcpsrv::HostStore4* host_store_ = nullptr;
  static thread_local PacketHooks* current_hooks_;
  dhcpsrv::AllocEngine4 engine_;
  log::Logger pkt_log_{"takahe-dhcp4.packets"};
  log::Logger lease_log_{"takahe-dhcp4.leases"};
  log::Logger alloc_log_{"takahe-dhcp4.alloc-engine"};

  stats::Counter received_, discover_, request_, release_, decline_, inform_, unknown_;
  stats::Counter sent_, offer_sent_, ack_sent_, nak_sent_;
  stats::Counter parse_failed_, receive_drop_, not_for_us_, service_disabled_;
  stats::Counter g_alloc_fail_, g_alloc_fail_subnet_, g_alloc_fail_shared_, g_alloc_fail_no_pools_;
  stats::Counter g_reclaimed_, g_reclaimed_declined_, g_declined_, g_cumulative_;
  std::mutex counters_mutex_;
  std::map<uint32_t, std::unique_ptr<SubnetCounters>> subnet_counters_;
};

}  // namespace takahe::dhcp4
