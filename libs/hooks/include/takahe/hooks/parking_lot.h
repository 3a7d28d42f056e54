#pragma once

// Packets held by a callout that returned NextStep::kPark, resumed (or dropped) later, e.g. when
// a High Availability partner acknowledged the lease update.

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>

namespace takahe::hooks {

/// One hook point's lot. A parked packet is identified by the address of its query object
/// (the pointer held in the "query4" argument). Thread-safe.
class ParkingLot {
 public:
  explicit ParkingLot(size_t limit = 256) : limit_(limit) {}

  /// A library that parks a packet and will unpark it later takes a reference first; a packet
  /// parked by several libraries resumes when the last reference is released by unpark().
  void reference(const void* key);
  /// Releases one reference; at zero (or with force) the packet resumes. False if not parked.
  bool unpark(const void* key, bool force = false);
  /// Drops a parked packet: it is not answered. False if not parked.
  bool drop(const void* key);
  bool isParked(const void* key) const;
  size_t size() const;

  // --- used by the server ------------------------------------------------------------------
  /// Parks `key`; `resume` runs on unpark, `discard` on drop. False when the lot is full (the
  /// packet must then be dropped and counted). When every early reference was already released
  /// (or the packet dropped) before park() — an acknowledgement that beat the server — `resume`
  /// (or `discard`) runs at once, from park(), which returns true.
  bool park(const void* key, std::function<void()> resume, std::function<void()> discard);
  /// Forgets references taken on a packet the server then did not park (a later callout
  /// dropped it): a later packet at the same address must not inherit them.
  void forget(const void* key);
  /// Drops every parked packet (reconfiguration, shutdown, library unload).
  void clear();
  void setLimit(size_t limit);

 private:
  struct Entry {
    std::function<void()> resume, discard;
    int refs = 0;
  };
  mutable std::mutex mu_;
  std::map<const void*, Entry> parked_;
  /// A packet referenced by a library before the server parked it. The library may already have
  /// released (or dropped) it from another thread: park() then resumes (or discards) at once.
  struct Early {
    int refs = 0;
    int released = 0;
    bool forced = false;
    bool dropped = false;
  };
  std::map<const void*, Early> early_refs_;
  size_t limit_;
};

}  // namespace takahe::hooks
