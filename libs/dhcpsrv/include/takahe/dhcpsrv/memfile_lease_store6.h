#pragma once

// DHCPv6 leases in memory, journaled to a Kea-compatible CSV file.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/dhcpsrv/lease_store6.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

namespace takahe::dhcpsrv {

/// LeaseStore6 keeping every lease in memory, indexed by address, DUID (and IAID), hostname,
/// subnet and expiration. With persist, each change is appended to the lease file (handed to
/// the kernel before the method returns); the file stays usable by Kea.
///
/// Settings are those of the DHCPv4 store (MemfileConfig), and so is the lease file cleanup:
/// startLfc spawns `takahe-lfc -6` (or Kea's kea-lfc) on the files of `path`.
///
/// A lock (`<path>.lock`, flock) stops two stores, in one process or several, using one file.
class MemfileLeaseStore6 final : public LeaseStore6 {
 public:
  /// Loads `<path>.completed`, else `<path>.2` and `<path>.1`, then `<path>`, and opens `<path>`
  /// for appending (creating it with a header). Waits (up to 60 s) for a running cleanup.
  /// Throws takahe::Error (file in use, unreadable, bad header, too many malformed rows).
  explicit MemfileLeaseStore6(MemfileConfig config);
  /// Does not wait for a running cleanup (a helper thread reaps it).
  ~MemfileLeaseStore6() override;
  MemfileLeaseStore6(const MemfileLeaseStore6&) = delete;
  MemfileLeaseStore6& operator=(const MemfileLeaseStore6&) = delete;

  bool add(const Lease6& lease) override;
  bool update(const Lease6& lease) override;
  bool updateIf(const Lease6& lease, const Lease6& expected) override;
  bool remove(Lease6Type type, const IPv6Address& address) override;
  std::optional<Lease6> get(Lease6Type type, const IPv6Address& address) const override;
  std::vector<Lease6> getByDuidIaid(const Duid& duid, uint32_t iaid,
                                    Lease6Type type) const override;
  std::vector<Lease6> getByDuid(const Duid& duid) const override;
  std::vector<Lease6> getByHostname(std::string_view hostname) const override;
  std::vector<Lease6> getBySubnet(SubnetId subnet_id) const override;
  std::vector<Lease6> getAll() const override;
  std::vector<Lease6> getPage(const IPv6Address& after, size_t limit) const override;
  std::vector<Lease6> getExpired(int64_t now, size_t max) const override;
  size_t removeReclaimedBefore(int64_t cutoff) override;
  size_t wipe(SubnetId subnet_id) override;
  size_t size() const override;
  std::map<SubnetId, SubnetLeaseCounts6> countBySubnet() const override;

  const MemfileConfig& config() const;
  const LeaseLoadReport& loadReport() const;

  /// Starts a cleanup (the daemon's lfc-interval timer and `kea-lfc-start` call this). Unless a
  /// previous run left `<path>.1` or `<path>.completed` behind, moves `<path>` to `<path>.1` and
  /// opens a fresh `<path>` (no change is lost or delayed), then spawns `takahe-lfc -6` without
  /// waiting. Throws takahe::Error when the rename or the spawn fails.
  LfcStart startLfc();
  /// Non-blocking: when the spawned takahe-lfc has finished since the last call, returns its
  /// exit code (128 + signal if killed, -1 if unknown); otherwise nullopt.
  std::optional<int> pollLfc();
  /// True while a takahe-lfc we spawned has not been seen to finish.
  bool lfcRunning() const;
  /// Polls until the running takahe-lfc finishes or `timeout` passes; returns its exit code.
  std::optional<int> waitForLfc(std::chrono::milliseconds timeout);
  /// The command line startLfc uses (argv[0] is the executable; "-6" follows it).
  std::vector<std::string> lfcCommand() const;

 private:
  bool replace(const Lease6& lease, const Lease6* expected);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcpsrv
