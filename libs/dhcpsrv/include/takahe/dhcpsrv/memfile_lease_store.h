#pragma once

// DHCPv4 leases in memory, journaled to a Kea-compatible CSV file.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "takahe/dhcpsrv/lease_store.h"

namespace takahe::dhcpsrv {

/// Settings of a memfile lease store (Kea's `lease-database` with type "memfile").
struct MemfileConfig {
  std::string path;          ///< lease file, e.g. /var/lib/takahe/kea-leases4.csv
  bool persist = true;       ///< false: leases live in memory only; no file is read or written
  int64_t lfc_interval = 0;  ///< seconds between cleanups (0 = off); the daemon's timer reads it
  /// takahe-lfc binary. The environment variable TAKAHE_LFC_EXECUTABLE overrides it; when both
  /// are empty "takahe-lfc" is looked up in PATH.
  std::string lfc_executable;
  std::string config_path_for_lfc;  ///< passed to takahe-lfc as -c (omitted when empty)
  uint64_t max_row_errors = 0;      ///< fail loading a file with more malformed rows (0 = no limit)
};

/// A malformed row skipped while loading.
struct LeaseFileIssue {
  std::string file;
  size_t line = 0;
  std::string reason;
};

/// What happened while loading the lease files at startup, for the daemon to log.
struct LeaseLoadReport {
  std::vector<std::string> files;      ///< files read, in order
  size_t rows = 0;                     ///< data rows read
  size_t row_errors = 0;               ///< malformed rows skipped
  std::vector<LeaseFileIssue> issues;  ///< the first malformed rows of each file
  std::vector<std::string> notes;      ///< other remarks (older header, torn last line ...)
};

/// Result of asking for a lease file cleanup.
enum class LfcStart {
  kStarted,         ///< takahe-lfc was spawned
  kAlreadyRunning,  ///< our previous takahe-lfc is still running; nothing done
  kNotPersisted,    ///< persist is false: there is no file to clean
};

/// LeaseStore4 keeping every lease in memory, indexed by address, hardware address, client-id,
/// hostname, subnet and expiration. With persist, each change is appended to the lease file
/// (written to the kernel before the method returns); the file stays usable by Kea.
///
/// A lock (`<path>.lock`, flock) stops two stores, in one process or several, using one file.
class MemfileLeaseStore4 final : public LeaseStore4 {
 public:
  /// Loads `<path>.completed`, else `<path>.2` and `<path>.1`, then `<path>`, and opens `<path>`
  /// for appending (creating it with a header). Waits (up to 60 s) for a running takahe-lfc.
  /// Throws takahe::Error (file in use, unreadable, bad header, too many malformed rows).
  explicit MemfileLeaseStore4(MemfileConfig config);
  /// Does not wait for a running cleanup (a helper thread reaps it).
  ~MemfileLeaseStore4() override;
  MemfileLeaseStore4(const MemfileLeaseStore4&) = delete;
  MemfileLeaseStore4& operator=(const MemfileLeaseStore4&) = delete;

  bool add(const Lease4& lease) override;
  bool update(const Lease4& lease) override;
  bool updateIf(const Lease4& lease, const Lease4& expected) override;
  bool remove(IPv4Address address) override;
  std::optional<Lease4> get(IPv4Address address) const override;
  std::vector<Lease4> getByHwAddr(const HwAddr& hwaddr) const override;
  std::vector<Lease4> getByClientId(const ClientId& client_id) const override;
  std::vector<Lease4> getByHostname(std::string_view hostname) const override;
  std::vector<Lease4> getBySubnet(SubnetId subnet_id) const override;
  std::vector<Lease4> getAll() const override;
  std::vector<Lease4> getPage(IPv4Address after, size_t limit) const override;
  std::vector<Lease4> getExpired(int64_t now, size_t max) const override;
  size_t removeReclaimedBefore(int64_t cutoff) override;
  size_t wipe(SubnetId subnet_id) override;
  size_t size() const override;
  std::map<SubnetId, SubnetLeaseCounts> countBySubnet() const override;

  const MemfileConfig& config() const;
  const LeaseLoadReport& loadReport() const;

  /// Starts a cleanup (the daemon's lfc-interval timer and `kea-lfc-start` call this). Unless a
  /// previous run left `<path>.1` or `<path>.completed` behind, moves `<path>` to `<path>.1` and
  /// opens a fresh `<path>` (no change is lost or delayed), then spawns takahe-lfc without
  /// waiting. Throws takahe::Error when the rename or the spawn fails.
  LfcStart startLfc();
  /// Non-blocking: when the spawned takahe-lfc has finished since the last call, returns its
  /// exit code (128 + signal if killed, -1 if unknown); otherwise nullopt.
  std::optional<int> pollLfc();
  /// True while a takahe-lfc we spawned has not been seen to finish.
  bool lfcRunning() const;
  /// Polls until the running takahe-lfc finishes or `timeout` passes; returns its exit code.
  std::optional<int> waitForLfc(std::chrono::milliseconds timeout);
  /// The command line startLfc uses (argv[0] is the executable).
  std::vector<std::string> lfcCommand() const;

 private:
  bool replace(const Lease4& lease, const Lease4* expected);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace takahe::dhcpsrv
