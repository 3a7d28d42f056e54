#pragma once

// The compact in-memory form of a DHCPv4 lease (about 40 bytes + one small allocation), used by
// the memfile store and the lease file cleanup to hold a million leases cheaply.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "csv_row.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::dhcpsrv::detail {

struct PackedLease {
  static constexpr uint8_t kFqdnFwd = 1;
  static constexpr uint8_t kFqdnRev = 2;

  int64_t cltt = 0;
  uint32_t valid_lifetime = 0;
  uint32_t subnet_id = 0;
  uint32_t pool_id = 0;
  uint32_t context_len = 0;
  uint16_t hostname_len = 0;
  uint8_t hwaddr_len = 0;
  uint8_t client_id_len = 0;
  uint8_t htype = 1;
  uint8_t state = 0;
  uint8_t flags = 0;
  // hwaddr, client-id, hostname, user-context bytes, back to back (null when all are empty).
  std::unique_ptr<uint8_t[]> blob;

  /// Throws takahe::Error when a field is too long to pack (hwaddr or client-id > 255 bytes,
  /// hostname > 65535).
  static PackedLease pack(const Lease4& lease);
  Lease4 unpack(uint32_t address) const;
  Lease4RowView rowView(uint32_t address) const;

  int64_t expire() const { return cltt + static_cast<int64_t>(valid_lifetime); }
  bool infinite() const { return valid_lifetime == kInfiniteLifetime; }
  LeaseState leaseState() const { return static_cast<LeaseState>(state); }
  std::span<const uint8_t> hwaddr() const { return {blob.get(), hwaddr_len}; }
  std::span<const uint8_t> clientId() const { return {blob.get() + hwaddr_len, client_id_len}; }
  std::string_view hostname() const {
    return {reinterpret_cast<const char*>(blob.get()) + hwaddr_len + client_id_len, hostname_len};
  }
  std::string_view userContext() const {
    return {reinterpret_cast<const char*>(blob.get()) + hwaddr_len + client_id_len + hostname_len,
            context_len};
  }
  /// Heap bytes owned besides the struct itself.
  size_t blobSize() const {
    return size_t{hwaddr_len} + client_id_len + hostname_len + context_len;
  }
};

}  // namespace takahe::dhcpsrv::detail
