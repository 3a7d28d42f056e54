#pragma once

// The embedded HostStore4: reservations in memory, each change written to a JSON file
// {"reservations": [<Kea reservation map with "subnet-id">, ...]} before the call returns, so
// reservations added by command survive restarts without a database.

#include <atomic>
#include <map>
#include <shared_mutex>
#include <string>

#include "takahe/dhcpsrv/host_store.h"

namespace takahe::dhcpsrv {

class MemfileHostStore4 final : public HostStore4 {
 public:
  /// Loads `path` (a missing file is an empty store). An empty path keeps reservations in
  /// memory only. Throws takahe::Error naming the file and the reason when it cannot be read
  /// or holds anything but valid, non-conflicting reservations.
  explicit MemfileHostStore4(std::string path);

  /// Each change rewrites the file atomically (temporary file, fsync, rename, directory fsync)
  /// before returning; when that fails it throws takahe::Error and memory is left unchanged.
  void add(const Host4& host) override;
  bool remove(SubnetId subnet, HostIdType type, const Bytes& identifier) override;
  bool removeByAddress(SubnetId subnet, IPv4Address address) override;

  std::optional<Host4> get(SubnetId subnet, HostIdType type, const Bytes& identifier) const override;
  std::optional<Host4> getByAddress(SubnetId subnet, IPv4Address address) const override;
  std::vector<Host4> getById(HostIdType type, const Bytes& identifier) const override;
  std::vector<Host4> getByHostname(std::string_view hostname,
                                   std::optional<SubnetId> subnet) const override;
  std::vector<Host4> getAll(SubnetId subnet) const override;
  /// Positions are ordinals in the subnet's (identifier type, identifier) order: a page
  /// continues after the `from` first reservations, whatever was added or removed meanwhile.
  std::vector<Host4> getPage(SubnetId subnet, size_t from, size_t limit, size_t& next) const override;
  std::vector<Host4> getAll() const override;
  size_t size() const override;

  /// The file this store writes ("" when memory only).
  const std::string& path() const { return path_; }

 private:
  /// Subnet id (4 bytes, big-endian), identifier type (1 byte), identifier: the byte order of
  /// the key is the list order.
  using Key = std::string;
  using AddressKey = std::pair<uint32_t, IPv4Address>;

  void load();
  /// Writes the current contents; throws takahe::Error on failure (the file is unchanged).
  void persist() const;
  bool eraseLocked(const Key& key);

  std::string path_;
  mutable std::shared_mutex mutex_;
  std::map<Key, Host4> hosts_;
  std::map<AddressKey, Key> by_address_;
  /// hosts_.size(), readable without the lock: the packet path asks on every lookup.
  std::atomic<size_t> count_{0};
};

}  // namespace takahe::dhcpsrv
