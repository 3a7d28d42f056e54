#pragma once

// Lease file cleanup tests of both families: running a cleanup program (takahe-lfc, or Kea's
// kea-lfc), the files an interrupted cleanup leaves, cleanups while a writer keeps changing leases.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "lease_test_util.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

extern char** environ;

namespace takahe::dhcpsrv::test {

/// The takahe-lfc under test: TAKAHE_LFC_EXECUTABLE, set by the `dhcpsrv-lfc` meson test.
inline std::string lfcExecutable() {
  const char* exe = std::getenv("TAKAHE_LFC_EXECUTABLE");
  if (!exe || !*exe) {
    FAIL("TAKAHE_LFC_EXECUTABLE is not set (run through `meson test dhcpsrv-lfc`)");
  }
  return exe;
}

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

/// Runs `exe args...` to completion, its output going to a file in `dir`.
inline RunResult runProgram(const TempDir& dir, const std::string& exe,
                            std::vector<std::string> args) {
  args.insert(args.begin(), exe);
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::string out_path = dir.file("tool-output.txt");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = readFile(out_path);
  return r;
}

/// Runs the takahe-lfc under test.
inline RunResult runTool(const TempDir& dir, std::vector<std::string> args) {
  return runProgram(dir, lfcExecutable(), std::move(args));
}

/// kea-lfc's flags for `paths`, after `family` ("-4" or "-6").
inline std::vector<std::string> lfcArgs(const LfcPaths& p, const std::string& family = "-4") {
  return {family, "-x", p.previous, "-i", p.input, "-o", p.output, "-f", p.finish, "-p", p.pid};
}

/// A journal history as the files of one lease file hold it.
struct LfcHistoryFiles {
  std::string two;     ///< .2: the oldest rows
  std::string one;     ///< .1: the rotated journal
  std::string merged;  ///< .2 + .1 compacted: what a cleanup writes
  std::string live;    ///< the lease file: rows after the rotation
};

/// Files present after an interrupted cleanup.
struct InterruptedLfcState {
  const char* name;
  bool two, one, output, completed, live;
};

/// In protocol order: after the server rotated, while the cleanup writes, after each of its steps.
inline constexpr InterruptedLfcState kInterruptedLfcStates[] = {
    {"rotated, LFC not started", true, true, false, false, true},
    {"crash between rename to .1 and the new file", true, true, false, false, false},
    {"output half written", true, true, true, false, true},
    {"output renamed to .completed", true, true, false, true, true},
    {".2 removed", false, true, false, true, true},
    {".1 removed", false, false, false, true, true},
    {"done: .completed renamed to .2", true, false, false, false, true},
};

/// Writes the files `state` leaves for lease file `path`, with the contents of `h`.
inline void writeInterruptedState(const std::string& path, const InterruptedLfcState& state,
                                  const LfcHistoryFiles& h) {
  auto paths = LfcPaths::forLeaseFile(path);
  if (state.two) {
    // In the final state .2 is the compacted file.
    writeFile(paths.previous, state.one || state.completed ? h.two : h.merged);
  }
  if (state.one) {
    writeFile(paths.input, h.one);
  }
  if (state.output) {
    writeFile(paths.output, h.merged.substr(0, h.merged.size() / 2));
  }
  if (state.completed) {
    writeFile(paths.finish, h.merged);
  }
  if (state.live) {
    writeFile(path, h.live);
  }
}

/// For each of kInterruptedLfcStates, as a SECTION: a `Store` on lease file `file_name` (in a
/// scratch directory) loads `expected`, or `expected_without_live` when the state has no live
/// file; the next cleanup, `cleanup(paths)`, leaves only .2, holding h.merged; a new store loads
/// the same leases again. `contents(store)` is what is compared.
template <typename Store, typename Cleanup, typename Contents, typename Expected>
void checkInterruptedStates(const std::string& file_name, const LfcHistoryFiles& h,
                            Cleanup&& cleanup, Contents&& contents, const Expected& expected,
                            const Expected& expected_without_live) {
  for (const auto& s : kInterruptedLfcStates) {
    SECTION(s.name) {
      TempDir dir;
      MemfileConfig cfg;
      cfg.path = dir.file(file_name);
      auto paths = LfcPaths::forLeaseFile(cfg.path);
      writeInterruptedState(cfg.path, s, h);
      // Without the live file its rows never existed.
      const Expected& want = s.live ? expected : expected_without_live;
      {
        Store store(cfg);
        CHECK(contents(store) == want);
      }
      // The next cleanup finishes (or redoes) the work and the result is the same.
      LfcReport report = cleanup(paths);
      CHECK(report.resumed == s.completed);
      CHECK(report.leases_written == lines(h.merged).size() - 1);
      CHECK(readFile(paths.previous) == h.merged);
      CHECK_FALSE(exists(paths.input));
      CHECK_FALSE(exists(paths.finish));
      CHECK_FALSE(exists(paths.output));
      Store store(cfg);
      CHECK(contents(store) == want);
    }
  }
}

/// Calls `change(i)` for i = 1 .. max_changes on a thread, stopping early once `rounds`
/// cleanups, started one after the other on `store` when the journal holds some rows, have each
/// exited with 0. Returns how many cleanups ran while changes were being made.
template <typename Store, typename Change>
int cleanupsWhileChanging(Store& store, int rounds, uint32_t max_changes, Change&& change) {
  std::atomic<bool> stop{false};
  std::atomic<uint32_t> made{0};
  std::thread writer([&] {
    for (uint32_t i = 1; i <= max_changes && !stop; ++i) {
      change(i);
      made = i;
    }
  });
  // Let the journal fill a little first (bounded wait).
  for (int spin = 0; spin < 2000 && made < 5000; ++spin) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  int overlapped = 0;
  for (int round = 0; round < rounds; ++round) {
    uint32_t before = made;
    CHECK(store.startLfc() == LfcStart::kStarted);
    CHECK(store.waitForLfc(std::chrono::seconds(30)) == 0);
    overlapped += made > before ? 1 : 0;
  }
  stop = true;
  writer.join();
  return overlapped;
}

}  // namespace takahe::dhcpsrv::test
