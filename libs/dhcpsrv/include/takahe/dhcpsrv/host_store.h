#pragma once

// Host reservations that change at run time (the host commands), as opposed to those written in
// the configuration. The embedded implementation keeps them in memory and in a JSON file so they
// survive restarts without a database; SQL backends implement the same interface.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/dhcpsrv/host.h"

namespace takahe::dhcpsrv {

/// Every method is thread-safe. Lookups return copies. Lists are ordered by (subnet id,
/// identifier type, identifier).
class HostStore4 {
 public:
  virtual ~HostStore4() = default;

  /// Adds a reservation. Throws takahe::Error, changing nothing, when the store already has a
  /// reservation with the same identifier in that subnet, or with the same address in that
  /// subnet, or when it cannot persist the change.
  virtual void add(const Host4& host) = 0;
  /// Deletes the reservation of (subnet, identifier); false if there is none.
  virtual bool remove(SubnetId subnet, HostIdType type, const Bytes& identifier) = 0;
  /// Deletes the reservation of (subnet, address); false if there is none.
  virtual bool removeByAddress(SubnetId subnet, IPv4Address address) = 0;

  virtual std::optional<Host4> get(SubnetId subnet, HostIdType type, const Bytes& identifier) const = 0;
  virtual std::optional<Host4> getByAddress(SubnetId subnet, IPv4Address address) const = 0;
  /// Reservations of one identifier in every subnet.
  virtual std::vector<Host4> getById(HostIdType type, const Bytes& identifier) const = 0;
  /// Reservations whose hostname equals `hostname` (ASCII case-insensitive), in one subnet or all.
  virtual std::vector<Host4> getByHostname(std::string_view hostname, std::optional<SubnetId> subnet) const = 0;
  /// Every reservation of a subnet (0 = global reservations).
  virtual std::vector<Host4> getAll(SubnetId subnet) const = 0;
  /// Up to `limit` reservations of `subnet` after position `from` (0 = first page), and the
  /// position to continue from.
  virtual std::vector<Host4> getPage(SubnetId subnet, size_t from, size_t limit, size_t& next) const = 0;
  /// Every reservation.
  virtual std::vector<Host4> getAll() const = 0;

  virtual size_t size() const = 0;
};

}  // namespace takahe::dhcpsrv
