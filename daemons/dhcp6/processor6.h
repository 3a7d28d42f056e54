#pragma once

// DHCPv6 message processing (RFC 8415 §18.3): one query in, at most one reply out. No sockets
// here, so every rule is unit-tested directly on packets. Relayed queries are answered through
// the relay chain (Pkt6::makeReply).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hooks6.h"
#include "takahe/dhcp/pkt6.h"
#include "takahe/dhcpsrv/alloc_engine6.h"
#include "takahe/dhcpsrv/lease_store6.h"
#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/log/logger.h"
#include "takahe/stats/stats_store.h"

namespace takahe::dhcp6 {

/// What the processor knows about where a query arrived.
struct Arrival6 {
  std::string iface;     ///< interface name
  bool multicast = true; ///< sent to ff02::1:2 (or ff05::1:3), not to one of our addresses
  /// A unicast address configured for the interface ("eth0/2001:db8::1"): direct unicast
  /// queries are then served; otherwise they get UseMulticast.
  bool unicast_allowed = false;
};

class Processor6 {
 public:
  Processor6(dhcpsrv::LeaseStore6& store, stats::StatsStore& stats);

  /// After every (re)configuration: per-subnet totals, assigned counts recounted from the store.
  void configure(const dhcpsrv::SrvConfig6& cfg);
  /// The server's DUID (server-id option); set before the first query.
  void setServerDuid(const Duid& duid) { server_duid_ = duid; }
  const Duid& serverDuid() const { return server_duid_; }

  /// Hook points to call; null (or a Hooks6 with no library loaded) leaves processing as it is
  /// without hooks.
  void setHooks(Hooks6* hooks) { hooks_ = hooks; }

  /// Processes one query; nullopt means no reply (dropped: counted and logged at debug). With
  /// `ph` (some hook library is loaded) `query` must be *ph->query, and the processor's hook
  /// points are called (pkt6_receive, subnet6_select, lease6_select/renew/rebind/release/
  /// decline); ph then lists the leases committed and deleted, for leases6_committed.
  std::optional<dhcp::Pkt6> process(const dhcp::Pkt6& query, const dhcpsrv::SrvConfig6& cfg,
                                    const Arrival6& arrival, int64_t now,
                                    PacketHooks6* ph = nullptr);

  /// Counts a packet that could not be parsed (pkt6-received and pkt6-parse-failed).
  void countParseFailure();
  void countReceiveDrop();
  void countSent(const dhcp::Pkt6& reply);

  dhcpsrv::AllocEngine6& engine() { return engine_; }

  /// Reclaims up to max-reclaim-leases expired leases within max-reclaim-time (0: no limit):
  /// each is kept as expired-reclaimed (hold-reclaimed-time with a flush timer) or removed, and
  /// counted in reclaimed-leases (reclaimed-declined-addresses for a declined address at the end
  /// of its probation). lease6_expire (lease6_recover) SKIP leaves a lease as it is. Returns how
  /// many were handled, and whether more remain.
  std::pair<size_t, bool> reclaimExpired(const dhcpsrv::SrvConfig6& cfg, int64_t now);
  /// Removes reclaimed leases older than hold-reclaimed-time; how many.
  size_t flushReclaimed(const dhcpsrv::SrvConfig6& cfg, int64_t now);

  /// T1 and T2 of an IA whose shortest preferred lifetime is `preferred` (RFC 8415 §21.4):
  /// renew-timer / rebind-timer when configured, else with calculate-tee-times the percentages
  /// of the preferred lifetime, else 0 (the client chooses). T1 never exceeds T2.
  static std::pair<uint32_t, uint32_t> teeTimes(const dhcpsrv::Subnet6& subnet, uint32_t preferred);

 private:
  struct SubnetCounters {
    stats::Counter total_nas, assigned_nas, cumulative_nas, total_pds, assigned_pds, cumulative_pds;
    stats::Counter declined, alloc_fail, reclaimed, reclaimed_declined;
  };
  struct Query;  // the query being processed, with its client and subnet (processor6.cc)

  std::optional<dhcp::Pkt6> onSolicit(Query& q);
  std::optional<dhcp::Pkt6> onRequest(Query& q);
  std::optional<dhcp::Pkt6> onRenew(Query& q);
  std::optional<dhcp::Pkt6> onRelease(Query& q);
  std::optional<dhcp::Pkt6> onDecline(Query& q);
  std::optional<dhcp::Pkt6> onConfirm(Query& q);
  std::optional<dhcp::Pkt6> onInformationRequest(Query& q);

  /// Gives each IA_NA and IA_PD of the query its lease (fake for an ADVERTISE) and adds the IAs
  /// to the reply; true when at least one IA got one.
  bool assignIas(Query& q, dhcp::Pkt6& reply, bool fake);
  /// Allocates for one IA (when a subnet was selected), counts and logs it; the subnet of the
  /// lease given, or nullptr (allocation failures counted).
  const dhcpsrv::Subnet6* grant(Query& q, dhcpsrv::ClientContext6& ctx,
                                const dhcpsrv::IaContext6& ia, bool fake, dhcpsrv::IaResult6& r);
  dhcp::Pkt6 makeReply(const Query& q, dhcp::MessageType6 type) const;
  /// The client's reservation, by host-reservation-identifiers in their order: in the selected
  /// subnet, then in the other subnets of its shared network (switching q.subnet to the one that
  /// has it), then global (per reservations-in-subnet / -global).
  static void findReservation(Query& q);
  static const dhcpsrv::Host6* findHost(const dhcpsrv::HostIndex6& hosts, const Query& q);
  /// Options the client asked for (ORO) and those sent always, from reservation, pool, subnet,
  /// shared network and global levels (the first level that has one wins).
  void addConfiguredOptions(dhcp::Pkt6& reply, const Query& q) const;
  void countAllocation(const dhcpsrv::IaResult6& r, const dhcpsrv::Subnet6& subnet);
  SubnetCounters* counters(SubnetId id);

  /// Calls hook `index` for the query if a callout listens there, `set_arguments` adding the
  /// point's arguments after "query6". kContinue when nothing listens.
  template <class F>
  hooks::NextStep callHook(const Query& q, int index, F&& set_arguments);
  /// subnet6_select: the subnet a library chose instead (false: drop the packet).
  bool selectSubnetHook(Query& q);
  /// lease6_release / lease6_decline for one lease (kContinue when nothing listens).
  hooks::NextStep leaseHook(const Query& q, int index, const dhcpsrv::Lease6& lease);
  /// Installs the lease6_select / lease6_renew / lease6_rebind callouts on an allocation context.
  void installLeaseHooks(Query& q, dhcpsrv::ClientContext6& ctx);

  dhcpsrv::LeaseStore6& store_;
  stats::StatsStore& stats_;
  Hooks6* hooks_ = nullptr;
  dhcpsrv::AllocEngine6 engine_;
  Duid server_duid_;
  log::Logger pkt_log_{"takahe-dhcp6.packets"};
  log::Logger lease_log_{"takahe-dhcp6.leases"};

  stats::Counter received_, solicit_, request_, renew_, rebind_, release_, decline_, confirm_,
      inforequest_, unknown_;
  stats::Counter sent_, advertise_sent_, reply_sent_;
  stats::Counter parse_failed_, receive_drop_;
  stats::Counter g_declined_, g_cumulative_nas_, g_cumulative_pds_, g_alloc_fail_;
  stats::Counter g_reclaimed_, g_reclaimed_declined_;
  std::mutex counters_mutex_;
  std::map<uint32_t, std::unique_ptr<SubnetCounters>> subnet_counters_;
};

}  // namespace takahe::dhcp6
