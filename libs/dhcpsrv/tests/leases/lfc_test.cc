#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "lease_test_util.h"
#include "lfc_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

std::string row(const char* address, uint32_t valid, int64_t expire, const char* hostname) {
  return std::string(address) + ",00:00:00:00:00:01,," + std::to_string(valid) + "," +
         std::to_string(expire) + ",1,0,0," + hostname + ",0,,0\n";
}

// A journal history spread over .2 (oldest), .1 and the live file, with overrides and deletions.
struct History {
  std::string two = lease4CsvHeader() + row("10.0.0.1", 3600, 2000, "a1") +
                    row("10.0.0.2", 3600, 2000, "b1") + row("10.0.0.3", 3600, 2000, "c1") +
                    row("10.0.0.9", 3600, 2000, "i1");
  std::string one = lease4CsvHeader() + row("10.0.0.1", 3600, 3000, "a2") +  // override
                    row("10.0.0.2", 0, 0, "") +                              // delete
                    row("10.0.0.4", 3600, 3000, "d2") + row("10.0.0.5", 3600, 3000, "e2");
  std::string live = lease4CsvHeader() + row("10.0.0.4", 0, 0, "") +  // delete
                     row("10.0.0.5", 3600, 4000, "e3") + row("10.0.0.6", 3600, 4000, "f3");
  // What every consistent view of these files holds: address -> hostname.
  std::vector<std::pair<std::string, std::string>> expected = {{"10.0.0.1", "a2"},
                                                               {"10.0.0.3", "c1"},
                                                               {"10.0.0.5", "e3"},
                                                               {"10.0.0.6", "f3"},
                                                               {"10.0.0.9", "i1"}};
  // .2 + .1 compacted, in address order: what the finish file holds.
  std::string merged = lease4CsvHeader() + row("10.0.0.1", 3600, 3000, "a2") +
                       row("10.0.0.3", 3600, 2000, "c1") + row("10.0.0.4", 3600, 3000, "d2") +
                       row("10.0.0.5", 3600, 3000, "e2") + row("10.0.0.9", 3600, 2000, "i1");
};

std::vector<std::pair<std::string, std::string>> contents(const MemfileLeaseStore4& store) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& l : store.getAll()) {
    out.emplace_back(l.address.toString(), l.hostname);
  }
  return out;
}

}  // namespace

TEST_CASE("Lease file cleanup merges .2 and .1 into a compact .2") {
  TempDir dir;
  History h;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.previous, h.two);
  writeFile(paths.input, h.one);
  auto report = runLeaseFileCleanup4(paths);
  CHECK_FALSE(report.resumed);
  CHECK(report.rows_read == 8);
  CHECK(report.leases_written == 5);
  CHECK(readFile(paths.previous) == h.merged);
  CHECK(dir.list() == std::vector<std::string>{"leases4.csv.2"});
}

TEST_CASE("Lease file cleanup works without a .2 and drops malformed rows with a warning") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.input, lease4CsvHeader() + row("10.0.0.7", 3600, 2000, "x") + "garbage\n");
  auto report = runLeaseFileCleanup4(paths);
  CHECK(report.row_errors == 1);
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Catch::Contains("leases4.csv.1:3"));
  CHECK(readFile(paths.previous) == lease4CsvHeader() + row("10.0.0.7", 3600, 2000, "x"));
}

TEST_CASE("Lease file cleanup upgrades an older header to the current one") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.input,
            "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
            "state,user_context\n"
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,\n");
  runLeaseFileCleanup4(paths);
  CHECK(readFile(paths.previous) ==
        lease4CsvHeader() +
            "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,,0\n");
}

TEST_CASE("Lease file cleanup refuses to run while another holds the pid file") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("leases4.csv"));
  writeFile(paths.input, lease4CsvHeader());
  int fd = ::open(paths.pid.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  REQUIRE(::write(fd, "4242\n", 5) == 5);
  CHECK_THROWS_WITH(runLeaseFileCleanup4(paths), Catch::Contains("pid 4242"));
  CHECK(exists(paths.input));
  ::close(fd);
  // A stale pid file (holder gone) does not block.
  runLeaseFileCleanup4(paths);
  CHECK_FALSE(exists(paths.pid));
  CHECK(exists(paths.previous));
}

TEST_CASE("Every state an interrupted cleanup can leave behind loads without losing leases") {
  History h;
  std::vector<std::pair<std::string, std::string>> without_live = {{"10.0.0.1", "a2"},
                                                                   {"10.0.0.3", "c1"},
                                                                   {"10.0.0.4", "d2"},
                                                                   {"10.0.0.5", "e2"},
                                                                   {"10.0.0.9", "i1"}};
  checkInterruptedStates<MemfileLeaseStore4>("leases4.csv", {h.two, h.one, h.merged, h.live},
                                             runLeaseFileCleanup4, contents, h.expected,
                                             without_live);
}
