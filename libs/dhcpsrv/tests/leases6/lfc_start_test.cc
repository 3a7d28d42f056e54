// startLfc / pollLfc / waitForLfc of both memfile stores, with stand-in cleanup programs (the
// real takahe-lfc runs in the [.lfc-tool] cases).

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "../leases/lfc_test_util.h"
#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

struct Family4 {
  using Store = MemfileLeaseStore4;
  static constexpr const char* kFlag = "-4";
  static constexpr const char* kFile = "kea-leases4.csv";
  static std::string header() { return lease4CsvHeader(); }
  /// Adds lease number `n` (1..254).
  static bool addLease(Store& store, int n) {
    return store.add(makeLease("10.0.0." + std::to_string(n), "00:00:00:00:00:01", 1));
  }
};

struct Family6 {
  using Store = MemfileLeaseStore6;
  static constexpr const char* kFlag = "-6";
  static constexpr const char* kFile = "kea-leases6.csv";
  static std::string header() { return lease6CsvHeader(); }
  static bool addLease(Store& store, int n) {
    return store.add(makeLease6("2001:db8::" + std::to_string(n), "00:01:02", n, 1));
  }
};

MemfileConfig configFor(const TempDir& dir, const char* file, const std::string& exe) {
  MemfileConfig c;
  c.path = dir.file(file);
  c.lfc_executable = exe;
  return c;
}

}  // namespace

TEMPLATE_TEST_CASE("startLfc rotates the lease file and spawns the cleanup program", "", Family4,
                   Family6) {
  TempDir dir;
  ScopedEnv no_env("TAKAHE_LFC_EXECUTABLE", std::nullopt);
  auto cfg = configFor(dir, TestType::kFile, "/bin/true");
  cfg.config_path_for_lfc = "/etc/takahe/server.json";
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  typename TestType::Store store(cfg);
  CHECK(store.lfcCommand() == std::vector<std::string>{"/bin/true", TestType::kFlag, "-x",
                                                       paths.previous, "-i", paths.input, "-o",
                                                       paths.output, "-f", paths.finish, "-p",
                                                       paths.pid, "-c", "/etc/takahe/server.json"});
  CHECK_FALSE(store.lfcRunning());
  CHECK_FALSE(store.waitForLfc(std::chrono::milliseconds(10)));
  REQUIRE(TestType::addLease(store, 1));
  CHECK(store.startLfc() == LfcStart::kStarted);
  CHECK(lines(readFile(paths.input)).size() == 2);
  CHECK(readFile(cfg.path) == TestType::header());
  // Changes after the rotation go to the fresh file.
  REQUIRE(TestType::addLease(store, 2));
  CHECK(lines(readFile(cfg.path)).size() == 2);
  CHECK(store.waitForLfc(std::chrono::seconds(10)) == 0);
  CHECK_FALSE(store.lfcRunning());
  CHECK_FALSE(store.pollLfc());

  // /bin/true compacted nothing, so .1 is still there: the next start must not rotate over it.
  CHECK(store.startLfc() == LfcStart::kStarted);
  CHECK(lines(readFile(cfg.path)).size() == 2);
  CHECK(lines(readFile(paths.input)).size() == 2);
  CHECK(store.waitForLfc(std::chrono::seconds(10)) == 0);
}

TEMPLATE_TEST_CASE("startLfc reports a failing or missing cleanup program", "", Family4, Family6) {
  TempDir dir;
  ScopedEnv no_env("TAKAHE_LFC_EXECUTABLE", std::nullopt);
  auto cfg = configFor(dir, TestType::kFile, "/bin/false");
  {
    typename TestType::Store store(cfg);
    CHECK(store.startLfc() == LfcStart::kStarted);
    CHECK(store.waitForLfc(std::chrono::seconds(10)) == 1);
  }
  cfg.lfc_executable = dir.file("no-such-lfc");
  {
    typename TestType::Store store(cfg);
    CHECK_THROWS_WITH(store.startLfc(), Catch::Contains("no-such-lfc"));
    CHECK_FALSE(store.lfcRunning());
    // The store keeps journaling after the failure.
    REQUIRE(TestType::addLease(store, 1));
    CHECK(lines(readFile(cfg.path)).size() == 2);
  }
  cfg.persist = false;
  typename TestType::Store in_memory(cfg);
  CHECK(in_memory.startLfc() == LfcStart::kNotPersisted);
  CHECK_FALSE(in_memory.lfcRunning());
}

TEMPLATE_TEST_CASE("startLfc does not start a second cleanup while one runs", "", Family4,
                   Family6) {
  TempDir dir;
  ScopedEnv no_env("TAKAHE_LFC_EXECUTABLE", std::nullopt);
  // A stand-in cleanup that runs until the test creates `release`, then exits with status 3.
  std::string script = dir.file("slow-lfc.sh");
  std::string release = dir.file("release");
  writeFile(script, "#!/bin/sh\nwhile [ ! -e " + release + " ]; do sleep 0.02; done\nexit 3\n");
  REQUIRE(::chmod(script.c_str(), 0755) == 0);
  auto cfg = configFor(dir, TestType::kFile, script);
  typename TestType::Store store(cfg);
  CHECK(store.startLfc() == LfcStart::kStarted);
  CHECK(store.startLfc() == LfcStart::kAlreadyRunning);
  CHECK(store.lfcRunning());
  CHECK_FALSE(store.pollLfc());
  CHECK_FALSE(store.waitForLfc(std::chrono::milliseconds(50)));
  writeFile(release, "");
  CHECK(store.waitForLfc(std::chrono::seconds(10)) == 3);
  CHECK_FALSE(store.lfcRunning());
}

TEMPLATE_TEST_CASE("TAKAHE_LFC_EXECUTABLE overrides the configured cleanup program", "", Family4,
                   Family6) {
  TempDir dir;
  ScopedEnv env("TAKAHE_LFC_EXECUTABLE", std::string("/opt/x/takahe-lfc"));
  auto cfg = configFor(dir, TestType::kFile, "/usr/sbin/takahe-lfc");
  typename TestType::Store store(cfg);
  CHECK(store.lfcCommand().at(0) == "/opt/x/takahe-lfc");
  CHECK(store.lfcCommand().at(1) == TestType::kFlag);
  CHECK(store.lfcCommand().size() == 12);
}
