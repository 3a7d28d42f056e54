// Cases that run the real takahe-lfc binary; registered by tools/lfc/meson.build as the
// `dhcpsrv-lfc` test, which sets TAKAHE_LFC_EXECUTABLE. Hidden from the plain dhcpsrv run.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>

#include "lease_test_util.h"
#include "lfc_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

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
  auto both = lfcArgs(paths);
  both.insert(both.begin(), "-6");
  auto r46 = runTool(dir, both);
  CHECK(r46.exit_code == 1);
  CHECK_THAT(r46.out, Catch::Contains("-4 and -6 are mutually exclusive"));
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
    int overlapped = cleanupsWhileChanging(store, 4, 300000, [&](uint32_t i) {
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
    });
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
