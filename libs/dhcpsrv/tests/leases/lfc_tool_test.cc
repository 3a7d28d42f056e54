// Cases that run the real takahe-lfc binary; registered by tools/lfc/meson.build as the
// `dhcpsrv-lfc` test, which sets TAKAHE_LFC_EXECUTABLE. Hidden from the plain dhcpsrv run.

#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "lease_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

extern char** environ;

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

std::string lfcExecutable() {
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

RunResult runTool(const TempDir& dir, std::vector<std::string> args) {
  std::string exe = lfcExecutable();
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

std::vector<std::string> lfcArgs(const LfcPaths& p) {
  return {"-4", "-x", p.previous, "-i", p.input, "-o", p.output, "-f", p.finish, "-p", p.pid};
}

}  // namespace

TEST_CASE("takahe-lfc compacts files given Kea's flags", "[.lfc-tool]") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.previous, lease4CsvHeader() +
                                "10.0.0.1,00:00:00:00:00:01,,3600,2000,1,0,0,old,0,,0\n" +
                                "10.0.0.2,00:00:00:00:00:02,,3600,2000,1,0,0,gone,0,,0\n");
  writeFile(paths.input, lease4CsvHeader() +
                             "10.0.0.1,00:00:00:00:00:01,,3600,3000,1,0,0,new,0,,0\n" +
                             "10.0.0.2,00:00:00:00:00:02,,0,0,1,0,0,,0,,0\n");
  auto args = lfcArgs(paths);
  args.insert(args.end(), {"-c", "/etc/takahe/takahe-dhcp4.conf", "-d"});
  auto r = runTool(dir, args);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("1 leases"));
  CHECK(readFile(paths.previous) ==
        lease4CsvHeader() + "10.0.0.1,00:00:00:00:00:01,,3600,3000,1,0,0,new,0,,0\n");
  CHECK_FALSE(exists(paths.input));
  CHECK_FALSE(exists(paths.pid));
}

TEST_CASE("takahe-lfc rejects bad command lines with exit code 1", "[.lfc-tool]") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  CHECK(runTool(dir, {}).exit_code == 1);
  auto missing_pid = runTool(
      dir, {"-4", "-x", paths.previous, "-i", paths.input, "-o", paths.output, "-f", paths.finish});
  CHECK(missing_pid.exit_code == 1);
  CHECK_THAT(missing_pid.out, Catch::Contains("-p <file> is required"));
  auto v6 = lfcArgs(paths);
  v6[0] = "-6";
  auto r6 = runTool(dir, v6);
  CHECK(r6.exit_code == 1);
  CHECK_THAT(r6.out, Catch::Contains("DHCPv6 lease files are not supported yet"));
  CHECK(runTool(dir, {"-4", "-q"}).exit_code == 1);
  auto version = runTool(dir, {"-v"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Contains(TAKAHE_VERSION));
  CHECK(runTool(dir, {"-h"}).exit_code == 0);
  CHECK_FALSE(exists(paths.previous));
}

TEST_CASE("takahe-lfc fails when another cleanup holds the pid file", "[.lfc-tool]") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.input, lease4CsvHeader());
  // Hold the pid file the way a running cleanup does: through the library, in this process.
  int fd = ::open(paths.pid.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  auto r = runTool(dir, lfcArgs(paths));
  ::close(fd);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("another lease file cleanup is running"));
  CHECK(exists(paths.input));
}

TEST_CASE("Cleanups while leases keep changing lose nothing", "[.lfc-tool]") {
  TempDir dir;
  MemfileConfig cfg;
  cfg.path = dir.file("kea-leases4.csv");
  cfg.lfc_executable = lfcExecutable();
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  std::map<uint32_t, Lease4> expected;
  {
    MemfileLeaseStore4 store(cfg);
    std::atomic<bool> stop{false};
    std::atomic<uint32_t> written{0};
    std::thread writer([&] {
      // Runs until stopped, bounded to 300000 changes in any case.
      for (uint32_t i = 1; i <= 300000 && !stop; ++i) {
        uint32_t slot = i % 3000 + 1;
        Lease4 l = makeLease("10.0.0.1", "00:00:00:00:00:01", slot % 4, 1700000000 + i, 3600,
                             "h" + std::to_string(i));
        l.address = IPv4Address(0x0a000000 + slot);
        if (i % 9 == 0) {
          if (store.remove(l.address)) {
            expected.erase(l.address.toUint());
          }
        } else {
          if (!store.add(l)) {
            store.update(l);
          }
          expected[l.address.toUint()] = l;
        }
        written = i;
      }
    });
    // Let the journal fill a little first (bounded wait).
    for (int spin = 0; spin < 2000 && written < 5000; ++spin) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    int runs = 0;
    int overlapped = 0;  // cleanups during which the writer made changes
    for (int round = 0; round < 4; ++round) {
      uint32_t before = written;
      CHECK(store.startLfc() == LfcStart::kStarted);
      CHECK(store.waitForLfc(std::chrono::seconds(30)) == 0);
      overlapped += written > before ? 1 : 0;
      ++runs;
    }
    stop = true;
    writer.join();
    CHECK(runs == 4);
    CHECK(overlapped > 0);
    CHECK_FALSE(exists(paths.input));
    CHECK_FALSE(exists(paths.finish));
    CHECK(exists(paths.previous));
    std::vector<Lease4> want;
    for (auto& [a, l] : expected) {
      want.push_back(l);
    }
    CHECK(store.getAll() == want);
  }
  MemfileLeaseStore4 reloaded(cfg);
  std::vector<Lease4> want;
  for (auto& [a, l] : expected) {
    want.push_back(l);
  }
  CHECK(reloaded.size() == want.size());
  CHECK(reloaded.getAll() == want);
}
