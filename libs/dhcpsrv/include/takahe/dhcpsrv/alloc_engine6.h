#pragma once

// Chooses, renews and commits DHCPv6 leases: one address per IA_NA and one prefix per IA_PD,
// as Kea gives by default. Keeps no per-packet state; the iterative allocators' per-pool
// cursors are the only mutable state and are guarded.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "takahe/dhcpsrv/lease6.h"
#include "takahe/dhcpsrv/lease_store6.h"
#include "takahe/dhcpsrv/srv_config6.h"

namespace takahe::dhcpsrv {

/// The client and its request, shared by all its IAs.
struct ClientContext6 {
  const SrvConfig6* cfg = nullptr;
  const Subnet6* subnet = nullptr;  // selected subnet; may change within a shared network
  Duid duid;
  HwAddr hwaddr;               // may be empty
  uint32_t hwaddr_source = 0;  // hwaddr_source bits
  const Host6* host = nullptr; // the client's reservation (in `subnet`, or global)
  const ClassList* classes = nullptr;
  std::string hostname;
  bool fake = false;  // SOLICIT without rapid commit: choose but do not commit
  int64_t now = 0;
  /// Called with each lease about to be committed (also when fake): `renew` is true when it
  /// extends the client's own lease. It may change the lease. Returning false skips it: a new
  /// lease is not given (kHookSkip); a renewal leaves the stored lease as it was and the client
  /// gets it unchanged. Empty when no hook listens.
  std::function<bool(Lease6& lease, bool renew)> before_commit;
};

/// One IA of the request (IA_NA or IA_PD) and the client's hints in it.
struct IaContext6 {
  Lease6Type type = Lease6Type::kNa;
  uint32_t iaid = 0;
  std::vector<IPv6Address> hints;         // IA_NA: IAADDR addresses
  std::vector<Prefix6> prefix_hints;      // IA_PD: IAPREFIX prefixes (:: with a length = a length hint)
  std::optional<uint32_t> preferred_hint;  // lifetimes the client asked for (clamped to min/max)
  std::optional<uint32_t> valid_hint;
};

/// Why an IA got nothing (Kea's v6-allocation-fail-* statistics).
enum class AllocFailure6 { kNone, kNoPools, kSubnetExhausted, kSharedNetworkExhausted, kStoreError, kHookSkip };

struct IaResult6 {
  /// The lease given (committed unless fake); empty when the IA got nothing.
  std::optional<Lease6> lease;
  /// The IA's other leases in scope that the client no longer gets (removed unless fake): the
  /// reply lists them with lifetimes 0 (RFC 8415 §18.3.4).
  std::vector<Lease6> dropped;
  /// The lease that stood at the address before, of another client (an expired one taken over).
  std::optional<Lease6> replaced;
  bool renewed = false;  // the client's existing lease was extended
  AllocFailure6 failure = AllocFailure6::kNone;
};

class AllocEngine6 {
 public:
  explicit AllocEngine6(LeaseStore6& store) : store_(store) {}

  /// SOLICIT, REQUEST, RENEW and REBIND: gives the IA its lease. In order: the IA's existing
  /// lease in the subnet (or its shared network) while its address is still acceptable (in a
  /// pool the client may use, or reserved for it), a reservation, the client's hint, a fresh
  /// address or prefix from the pools. An expired lease of another client is taken over with a
  /// conditional write, so two servers sharing a database never both take it.
  IaResult6 allocate(ClientContext6& ctx, const IaContext6& ia);

  /// The IA's leases in the subnets of ctx (the selected subnet and its shared network).
  std::vector<Lease6> iaLeases(const ClientContext6& ctx, const IaContext6& ia) const;

  /// Whether `lease` is the client's (same DUID and IAID).
  static bool ownedBy(const Lease6& lease, const ClientContext6& ctx, uint32_t iaid);

  /// Valid and preferred lifetimes: the client's hints clamped to [min, max], else the
  /// configured values; the preferred lifetime never exceeds the valid one.
  static uint32_t validFor(const Subnet6& subnet, std::optional<uint32_t> hint);
  static uint32_t preferredFor(const Subnet6& subnet, std::optional<uint32_t> hint, uint32_t valid);

  /// Forget allocator cursors (on reconfiguration).
  void resetCursors();

  /// Probes per pool and allocation at most (a /64 pool cannot be walked whole).
  static constexpr uint64_t kMaxProbes = 4096;

 private:
  std::vector<const Subnet6*> candidateSubnets(const ClientContext6& ctx) const;
  const Host6* hostFor(const ClientContext6& ctx, const Subnet6& subnet) const;
  bool reservedForOther(const ClientContext6& ctx, const Subnet6& subnet, const IPv6Address& a,
                        Lease6Type type, uint8_t len) const;
  /// Free, expired, or already this IA's; fills `existing` with what is stored there.
  bool usable(const ClientContext6& ctx, const IaContext6& ia, const Subnet6& subnet,
              const IPv6Address& a, uint8_t len, std::optional<Lease6>* existing) const;
  bool inRange(const ClientContext6& ctx, const Subnet6& subnet, Lease6Type type,
               const IPv6Address& a, uint8_t len) const;
  std::optional<Prefix6> pickAddress(const ClientContext6& ctx, const IaContext6& ia,
                                     const Subnet6& subnet, std::optional<Lease6>* existing);
  std::optional<Prefix6> pickPrefix(const ClientContext6& ctx, const IaContext6& ia,
                                    const Subnet6& subnet, std::optional<Lease6>* existing);
  bool commit(ClientContext6& ctx, const IaContext6& ia, const Subnet6& subnet,
              const Prefix6& what, const std::optional<Lease6>& existing, IaResult6& out);
  void dropOthers(const ClientContext6& ctx, const std::vector<Lease6>& current,
                  const IPv6Address& kept, IaResult6& out);
  uint64_t nextOffset(uint64_t key, uint64_t size, bool random);
  void advanceCursor(uint64_t key, uint64_t next);

  LeaseStore6& store_;
  std::mutex cursor_mutex_;
  std::unordered_map<uint64_t, uint64_t> cursors_;  // (subnet id, pool kind, index) -> offset
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace takahe::dhcpsrv
