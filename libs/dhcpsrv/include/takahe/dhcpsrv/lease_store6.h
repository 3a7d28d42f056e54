#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/lease6.h"

namespace takahe::dhcpsrv {

/// DHCPv6 lease counts of one subnet, for statistics after a load.
struct SubnetLeaseCounts6 {
  uint64_t assigned_nas = 0;  ///< IA_NA leases in state kDefault
  uint64_t declined_nas = 0;  ///< IA_NA leases in state kDeclined (Kea adds them to assigned-nas)
  uint64_t assigned_pds = 0;  ///< IA_PD leases in state kDefault or kDeclined
  bool operator==(const SubnetLeaseCounts6&) const = default;
};

/// Whether two leases of one address have the same holder and term (what updateIf compares).
inline bool sameHolder(const Lease6& a, const Lease6& b) {
  return a.type == b.type && a.duid == b.duid && a.iaid == b.iaid && a.expire() == b.expire() &&
         a.state == b.state;
}

/// Storage of DHCPv6 leases.
///
/// A lease is identified by (type, address): lookups and deletions name both, and a lease of
/// another type at that address is not found. As in Kea (memfile and SQL: the address is the
/// key), an address holds at most one lease of any type, so `add` refuses a prefix whose first
/// address is leased as an address and the other way round; pools never overlap that way.
///
/// Every method is thread-safe. Methods returning several leases return them ordered by address.
/// Writers may throw takahe::Error when the backing storage fails or the lease cannot be stored
/// (zero address, valid lifetime 0, empty DUID ...); in that case the change was not made.
class LeaseStore6 {
 public:
  virtual ~LeaseStore6() = default;

  /// Adds a new lease; false (and nothing changes) if the address is already leased.
  virtual bool add(const Lease6& lease) = 0;
  /// Replaces the lease of (lease.type, lease.address); false if there is none.
  virtual bool update(const Lease6& lease) = 0;
  /// Replaces the lease of (expected.type, expected.address) by `lease` only if the stored
  /// lease still equals `expected` (same type, duid, iaid, expire, state); false (nothing
  /// changes) when another server changed or removed it meanwhile, or when `lease` names
  /// another address or type.
  virtual bool updateIf(const Lease6& lease, const Lease6& expected) = 0;
  /// Deletes the lease of (type, address); false if there is none.
  virtual bool remove(Lease6Type type, const IPv6Address& address) = 0;

  virtual std::optional<Lease6> get(Lease6Type type, const IPv6Address& address) const = 0;
  /// The leases of one IA of one client: what the server looks up for an IA_NA/IA_PD.
  virtual std::vector<Lease6> getByDuidIaid(const Duid& duid, uint32_t iaid,
                                            Lease6Type type) const = 0;
  /// Every lease of the client, of any IA and type.
  virtual std::vector<Lease6> getByDuid(const Duid& duid) const = 0;
  /// Leases whose hostname equals `hostname`, compared case-insensitively (ASCII).
  virtual std::vector<Lease6> getByHostname(std::string_view hostname) const = 0;
  virtual std::vector<Lease6> getBySubnet(SubnetId subnet_id) const = 0;
  virtual std::vector<Lease6> getAll() const = 0;
  /// Up to `limit` leases with addresses strictly greater than `after`, in address order
  /// (pass :: for the first page). Addresses are unique, so paging by address loses nothing.
  virtual std::vector<Lease6> getPage(const IPv6Address& after, size_t limit) const = 0;
  /// Leases not yet reclaimed (any state but kExpiredReclaimed) with expire() < now, oldest
  /// expiration first, at most `max` of them (0 = no limit). Infinite leases never appear.
  virtual std::vector<Lease6> getExpired(int64_t now, size_t max) const = 0;
  /// Deletes leases in state kExpiredReclaimed with expire() < cutoff; returns how many.
  virtual size_t removeReclaimedBefore(int64_t cutoff) = 0;
  /// Deletes every lease of the subnet; returns how many.
  virtual size_t wipe(SubnetId subnet_id) = 0;

  virtual size_t size() const = 0;
  /// Per-subnet counts for the statistics (subnets without any counted lease are absent).
  virtual std::map<SubnetId, SubnetLeaseCounts6> countBySubnet() const = 0;
};

}  // namespace takahe::dhcpsrv
