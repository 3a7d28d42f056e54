#pragma once

// Chooses, renews and commits DHCPv4 leases. Keeps no per-packet state of its own; the per-subnet
// cursor of the iterative allocator is the only mutable state and is guarded.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "takahe/dhcpsrv/host_store.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/dhcpsrv/lease_store.h"
#include "takahe/dhcpsrv/srv_config.h"

namespace takahe::dhcpsrv {

/// Everything the engine needs to know about one client and its request.
struct ClientContext4 {
  const SrvConfig4* cfg = nullptr;
  const Subnet4* subnet = nullptr;  // selected subnet; may change within a shared network
  HwAddr hwaddr;
  std::optional<ClientId> client_id;
  std::optional<IPv4Address> requested;  // option 50 or ciaddr
  const Host4* host = nullptr;           // reservation for this client in `subnet` (or global)
  std::shared_ptr<const Host4> stored_host;  // keeps a reservation from the host store alive
  std::optional<uint32_t> requested_lifetime;  // option 51 from the client
  std::string hostname;
  /// The packet's client classes (pools with a client-class serve only their class).
  const std::vector<std::string>* classes = nullptr;
  bool fake = false;  // DISCOVER: choose but do not commit
  int64_t now = 0;
  /// The client's current lease when the caller already looked it up (findClientLease), so that
  /// allocate() does not ask the store again: one database round trip less per REQUEST.
  std::optional<std::optional<Lease4>> client_lease;
  /// Reservations added at run time (host commands), consulted after the configuration's.
  const HostStore4* host_store = nullptr;
  /// Called with the lease about to be committed (also for DISCOVER, where nothing is stored):
  /// `renew` is true when it renews the client's own lease. It may change the lease. Returning
  /// false skips: for a new lease the allocation fails with kHookSkip; for a renewal the stored
  /// lease is left as it was and the client gets it unchanged. Empty when no hook listens.
  std::function<bool(Lease4& lease, bool renew)> before_commit;
};

/// Why an allocation failed (Kea's v4-allocation-fail-* statistics).
enum class AllocFailure { kNone, kNoPools, kSubnetExhausted, kSharedNetworkExhausted, kStoreError, kHookSkip };

struct AllocResult {
  std::optional<Lease4> lease;
  std::optional<Lease4> replaced;   // the lease that stood at the new address before (any owner)
  std::optional<Lease4> old_lease;  // the client's previous lease elsewhere, now removed
  bool reused = false;              // an existing lease of the client was renewed
  bool reclaimed_expired = false;   // an expired lease of another client was taken over
  AllocFailure failure = AllocFailure::kNone;
};

class AllocEngine4 {
 public:
  explicit AllocEngine4(LeaseStore4& store) : store_(store) {}

  /// Finds the lease this client currently holds in the selected subnet (or its shared network).
  std::optional<Lease4> findClientLease(const ClientContext4& ctx) const;

  /// DISCOVER (ctx.fake) or REQUEST: picks an address honouring reservations, the client's
  /// existing lease, its hint, then the pools; commits the lease unless fake.
  AllocResult allocate(ClientContext4& ctx);

  /// True when `addr` may be given to this client: free or expired, or already the client's,
  /// and not reserved for another host.
  bool addressUsableBy(const ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr,
                       std::optional<Lease4>* existing) const;

  /// Lease lifetime for this client: the requested time clamped to [min, max], else valid.
  static uint32_t lifetimeFor(const Subnet4& subnet, std::optional<uint32_t> requested);

  /// Whether `lease` belongs to the client described by ctx (client-id / hw-address per
  /// match-client-id).
  static bool ownedBy(const Lease4& lease, const ClientContext4& ctx);

  /// Forget allocator cursors (on reconfiguration).
  void resetCursors();

 private:
  std::optional<IPv4Address> pickFromPools(const ClientContext4& ctx, const Subnet4& subnet,
                                           std::optional<Lease4>* expired_lease);
  bool commit(ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr,
              const std::optional<Lease4>& existing, AllocResult& out);
  std::vector<const Subnet4*> candidateSubnets(const ClientContext4& ctx) const;
  void dropPrevious(const ClientContext4& ctx, const std::optional<Lease4>& previous, IPv4Address now_held,
                    AllocResult& out);
  bool reservedForOther(const ClientContext4& ctx, const Subnet4& subnet, IPv4Address addr) const;

  LeaseStore4& store_;
  std::mutex cursor_mutex_;
  std::unordered_map<uint64_t, uint32_t> cursors_;  // (subnet id, pool index) -> next offset
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace takahe::dhcpsrv
