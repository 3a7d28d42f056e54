#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/lease.h"

namespace takahe::dhcpsrv {

/// Lease counts of one subnet, for statistics after a load.
struct SubnetLeaseCounts {
  uint64_t assigned = 0;  ///< leases in state kDefault
  uint64_t declined = 0;  ///< leases in state kDeclined (Kea also adds these to assigned-addresses)
  bool operator==(const SubnetLeaseCounts&) const = default;
};

/// Whether two leases of one address have the same holder and term (what updateIf compares).
inline bool sameHolder(const Lease4& a, const Lease4& b) {
  return a.hwaddr.bytes == b.hwaddr.bytes && a.client_id == b.client_id && a.expire() == b.expire() && a.state == b.state;
}

/// Storage of DHCPv4 leases: memfile, SQLite, PostgreSQL and MySQL implement it.
///
/// Every method is thread-safe. Methods returning several leases return them ordered by address.
/// Writers may throw takahe::Error when the backing storage fails (a full disk, a lost database);
/// in that case the change was not made.
class LeaseStore4 {
 public:
  virtual ~LeaseStore4() = default;

  /// Adds a new lease; false (and nothing changes) if a lease for the address exists.
  virtual bool add(const Lease4& lease) = 0;
  /// Replaces the lease for lease.address; false if there is none.
  virtual bool update(const Lease4& lease) = 0;
  /// Replaces the lease of expected.address by `lease` only if the stored lease still equals
  /// `expected` (same hwaddr, client_id, expire, state); false (nothing changes) when another
  /// server changed or removed it meanwhile. Taking over another client's expired lease uses
  /// this, so that two servers sharing a database never both take it.
  virtual bool updateIf(const Lease4& lease, const Lease4& expected) = 0;
  /// Deletes the lease for `address`; false if there is none.
  virtual bool remove(IPv4Address address) = 0;

  virtual std::optional<Lease4> get(IPv4Address address) const = 0;
  /// Leases whose hardware address bytes equal hwaddr.bytes (the hardware type is not compared).
  virtual std::vector<Lease4> getByHwAddr(const HwAddr& hwaddr) const = 0;
  virtual std::vector<Lease4> getByClientId(const ClientId& client_id) const = 0;
  /// Leases whose hostname equals `hostname`, compared case-insensitively (ASCII).
  virtual std::vector<Lease4> getByHostname(std::string_view hostname) const = 0;
  virtual std::vector<Lease4> getBySubnet(SubnetId subnet_id) const = 0;
  virtual std::vector<Lease4> getAll() const = 0;
  /// Up to `limit` leases with addresses strictly greater than `after`, in address order
  /// (pass 0.0.0.0 for the first page).
  virtual std::vector<Lease4> getPage(IPv4Address after, size_t limit) const = 0;
  /// Leases not yet reclaimed (any state but kExpiredReclaimed) with expire() < now, oldest
  /// expiration first, at most `max` of them (0 = no limit). Infinite leases never appear.
  virtual std::vector<Lease4> getExpired(int64_t now, size_t max) const = 0;
  /// Deletes leases in state kExpiredReclaimed with expire() < cutoff; returns how many.
  virtual size_t removeReclaimedBefore(int64_t cutoff) = 0;
  /// Deletes every lease of the subnet; returns how many.
  virtual size_t wipe(SubnetId subnet_id) = 0;

  virtual size_t size() const = 0;
  /// Per-subnet counts of assigned and declined leases (subnets without any are absent).
  virtual std::map<SubnetId, SubnetLeaseCounts> countBySubnet() const = 0;
};

}  // namespace takahe::dhcpsrv
