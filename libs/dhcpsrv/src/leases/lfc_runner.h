#pragma once

// Starting and reaping takahe-lfc for a memfile store, DHCPv4 and DHCPv6 alike: the command line,
// the rotation of the lease file to `<path>.1`, and the child process.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lease_journal.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

namespace takahe::dhcpsrv::detail {

/// The takahe-lfc command line for `config` (argv[0] first): the executable from
/// TAKAHE_LFC_EXECUTABLE, else config.lfc_executable, else "takahe-lfc"; then `family_flag`
/// ("-4" or "-6"), the -x -i -o -f -p files of config.path and, when set, -c.
std::vector<std::string> lfcCommandLine(const MemfileConfig& config, std::string_view family_flag);

/// Moves the lease file `path` to `<path>.1` and reopens `journal` on a fresh `path`. On failure
/// the journal keeps (or goes back to) the old file and takahe::Error is thrown. The caller holds
/// the store's exclusive lock, so no change falls between the two files.
void rotateLeaseFile(const std::string& path, LeaseJournal& journal);

/// One store's takahe-lfc child. Thread-safe.
class LfcRunner {
 public:
  LfcRunner() = default;
  /// Does not wait for a running cleanup: a detached thread reaps it.
  ~LfcRunner();
  LfcRunner(const LfcRunner&) = delete;
  LfcRunner& operator=(const LfcRunner&) = delete;

  /// The stores' startLfc: nothing when the previous child still runs; otherwise calls
  /// `rotate()` unless an interrupted cleanup left `<path>.1` or `<path>.completed` (the new run
  /// finishes those first), then spawns `command` without waiting. Throws takahe::Error when
  /// rotate or the spawn fails.
  LfcStart start(const std::string& lease_file, const std::vector<std::string>& command,
                 const std::function<void()>& rotate);
  /// Non-blocking: the exit code (128 + signal if killed, -1 if unknown) once the child is seen
  /// to finish, else nullopt.
  std::optional<int> poll();
  bool running() const;
  /// Polls until the child finishes or `timeout` passes; nullopt when none ran or it still runs.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  std::optional<int> reapLocked();  // mutex_ held
  mutable std::mutex mutex_;
  pid_t pid_ = -1;
};

}  // namespace takahe::dhcpsrv::detail
