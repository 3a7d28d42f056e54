// DHCPv6 lease file cleanup: the compaction itself, the files an interrupted run leaves, and
// agreement with Kea 2.2's kea-lfc when it is installed.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <tuple>

#include "../leases/lfc_test_util.h"
#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

const std::string kHeader = lease6CsvHeader();

// A row as our files hold it: DUID 00:03:00:01:0a:0b:0c:0d:0e:0f, subnet 1, IAID 7, preferred
// lifetime half the valid one. `type` 0 = IA_NA, 2 = IA_PD.
std::string row6(const std::string& address, uint32_t valid, int64_t expire,
                 const std::string& hostname, uint32_t state = 0, uint32_t type = 0,
                 uint32_t prefix_len = 128) {
  return address + ",00:03:00:01:0a:0b:0c:0d:0e:0f," + std::to_string(valid) + "," +
         std::to_string(expire) + ",1," + std::to_string(valid / 2) + "," + std::to_string(type) +
         ",7," + std::to_string(prefix_len) + ",0,0," + hostname + ",," + std::to_string(state) +
         ",,,,0\n";
}

// A deletion row as a server writes it: both lifetimes 0, expire = cltt.
std::string deleted6(const std::string& address, uint32_t type = 0, uint32_t prefix_len = 128) {
  return address + ",00:03:00:01:0a:0b:0c:0d:0e:0f,0,1700000000,1,0," + std::to_string(type) +
         ",7," + std::to_string(prefix_len) + ",0,0,,,0,,,,0\n";
}

// A journal history over .2 (oldest), .1 and the live file: one lease updated several times, a
// prefix updated, deletions, an expired lease and an expired-reclaimed one (both kept: only
// deletion rows drop a lease, as in the DHCPv4 cleanup and kea-lfc).
struct History6 {
  std::string two = kHeader + row6("2001:db8:1::1", 3600, 1700003600, "a1") +
                    row6("2001:db8:1::2", 3600, 1700003600, "b1") +
                    row6("2001:db8:1::3", 3600, 1000003600, "c1-reclaimed", 2) +
                    row6("2001:db8:1::9", 3600, 1000003600, "i1-expired") +
                    row6("3000:1::", 7200, 1700007200, "p1", 0, 2, 56);
  std::string one = kHeader + row6("2001:db8:1::1", 3600, 1700007200, "a2") +  // update
                    row6("2001:db8:1::1", 3600, 1700010800, "a3") +            // update again
                    deleted6("2001:db8:1::2") +                                // delete
                    row6("2001:db8:1::4", 3600, 1700003600, "d2") +
                    row6("2001:db8:1::5", 3600, 1700003600, "e2") +
                    row6("3000:1::", 7200, 1700014400, "p2", 0, 2, 56);  // prefix renewed
  std::string live = kHeader + deleted6("2001:db8:1::4") +               // delete
                     row6("2001:db8:1::5", 3600, 1700007200, "e3") +
                     row6("2001:db8:1::6", 3600, 1700007200, "f3");
  // What every consistent view of the three files holds: (address, type, hostname).
  std::vector<std::tuple<std::string, int, std::string>> expected = {
      {"2001:db8:1::1", 0, "a3"}, {"2001:db8:1::3", 0, "c1-reclaimed"}, {"2001:db8:1::5", 0, "e3"},
      {"2001:db8:1::6", 0, "f3"}, {"2001:db8:1::9", 0, "i1-expired"},   {"3000:1::", 2, "p2"}};
  // .2 + .1 compacted, in address order: what the finish file holds.
  std::string merged = kHeader + row6("2001:db8:1::1", 3600, 1700010800, "a3") +
                       row6("2001:db8:1::3", 3600, 1000003600, "c1-reclaimed", 2) +
                       row6("2001:db8:1::4", 3600, 1700003600, "d2") +
                       row6("2001:db8:1::5", 3600, 1700003600, "e2") +
                       row6("2001:db8:1::9", 3600, 1000003600, "i1-expired") +
                       row6("3000:1::", 7200, 1700014400, "p2", 0, 2, 56);
};

std::vector<std::tuple<std::string, int, std::string>> contents(const MemfileLeaseStore6& store) {
  std::vector<std::tuple<std::string, int, std::string>> out;
  for (const auto& l : store.getAll()) {
    out.emplace_back(l.address.toString(), static_cast<int>(l.type), l.hostname);
  }
  return out;
}

// Data rows of a lease file, without the header, each cut to its first `columns` fields, sorted.
std::vector<std::string> dataRows(const std::string& file, size_t columns) {
  auto all = lines(readFile(file));
  std::vector<std::string> out;
  for (size_t i = 1; i < all.size(); ++i) {
    const std::string& r = all[i];
    size_t end = 0;
    for (size_t c = 0; c < columns && end != std::string::npos; ++c) {
      end = r.find(',', c == 0 ? 0 : end + 1);
    }
    out.push_back(r.substr(0, end));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string keaLfc() {
  const char* env = std::getenv("TAKAHE_TEST_KEA_LFC");
  std::string path = env && *env ? env : "/usr/sbin/kea-lfc";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

}  // namespace

TEST_CASE("DHCPv6 cleanup keeps the last row per address and drops deleted leases") {
  TempDir dir;
  History6 h;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  writeFile(paths.previous, h.two);
  writeFile(paths.input, h.one);
  auto report = runLeaseFileCleanup6(paths);
  CHECK_FALSE(report.resumed);
  CHECK(report.rows_read == 11);
  CHECK(report.row_errors == 0);
  CHECK(report.leases_written == 6);
  CHECK(readFile(paths.previous) == h.merged);
  CHECK(dir.list() == std::vector<std::string>{"kea-leases6.csv.2"});
}

TEST_CASE("DHCPv6 cleanup keys leases by address alone, whatever their type") {
  // Kea 2.2's loader and our store both hold one lease per address: a later row of another type
  // replaces the lease, and any deletion row for the address removes it.
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  writeFile(paths.input, kHeader + row6("3000:5::", 3600, 1700003600, "na") +
                             row6("3000:5::", 3600, 1700003600, "pd", 0, 2, 64) +
                             row6("3000:6::", 3600, 1700003600, "pd6", 0, 2, 64) +
                             deleted6("3000:6::") +  // an IA_NA deletion row
                             row6("3000:7::", 3600, 1700003600, "ta", 0, 1));
  auto report = runLeaseFileCleanup6(paths);
  CHECK(report.leases_written == 2);
  CHECK(readFile(paths.previous) == kHeader + row6("3000:5::", 3600, 1700003600, "pd", 0, 2, 64) +
                                        row6("3000:7::", 3600, 1700003600, "ta", 0, 1));
}

TEST_CASE("DHCPv6 cleanup drops malformed rows with a warning and upgrades older headers") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  // .2 as Kea 2.2 writes it (17 columns, escaped comma in the hostname, a hardware address).
  writeFile(paths.previous,
            "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"
            "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source\n"
            "2001:db8:2::7,00:01:02:03,4000,1795900285,2,3000,0,9,128,1,1,h&#x2cx.example.,"
            "0a:0b:0c:0d:0e:0f,0,,1,2\n");
  writeFile(paths.input, kHeader + row6("2001:db8:2::8", 3600, 1700003600, "ok") +
                             "2001:db8:2::9,not-a-duid,3600\n" + "zzz,1,2,3,4,5,6,7,8\n");
  auto report = runLeaseFileCleanup6(paths);
  CHECK(report.rows_read == 4);
  CHECK(report.row_errors == 2);
  CHECK(report.leases_written == 2);
  REQUIRE(report.warnings.size() == 2);
  CHECK_THAT(report.warnings[0], Catch::Contains("kea-leases6.csv.1:3"));
  CHECK_THAT(report.warnings[1], Catch::Contains("kea-leases6.csv.1:4"));
  CHECK(readFile(paths.previous) ==
        kHeader +
            "2001:db8:2::7,00:01:02:03,4000,1795900285,2,3000,0,9,128,1,1,h&#x2cx.example.,"
            "0a:0b:0c:0d:0e:0f,0,,1,2,0\n" +
            row6("2001:db8:2::8", 3600, 1700003600, "ok"));
}

TEST_CASE("DHCPv6 cleanup refuses DHCPv4 files and leaves them alone") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  std::string v4 = lease4CsvHeader() + "10.0.0.1,00:00:00:00:00:01,,3600,2000,1,0,0,x,0,,0\n";
  writeFile(paths.input, v4);
  CHECK_THROWS_AS(runLeaseFileCleanup6(paths), Error);
  CHECK(readFile(paths.input) == v4);
  CHECK_FALSE(exists(paths.previous));
  CHECK_FALSE(exists(paths.finish));
  CHECK_FALSE(exists(paths.pid));
}

TEST_CASE("DHCPv6 cleanup refuses to run while another holds the pid file") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  writeFile(paths.input, kHeader + row6("2001:db8:1::1", 3600, 1700003600, "a"));
  int fd = ::open(paths.pid.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  REQUIRE(::write(fd, "4343\n", 5) == 5);
  CHECK_THROWS_WITH(runLeaseFileCleanup6(paths), Catch::Contains("pid 4343"));
  CHECK(exists(paths.input));
  CHECK_FALSE(exists(paths.previous));
  ::close(fd);
  runLeaseFileCleanup6(paths);
  CHECK_FALSE(exists(paths.pid));
  CHECK(readFile(paths.previous) == kHeader + row6("2001:db8:1::1", 3600, 1700003600, "a"));
}

TEST_CASE("Every state an interrupted DHCPv6 cleanup can leave behind loads without loss") {
  History6 h;
  std::vector<std::tuple<std::string, int, std::string>> without_live = {
      {"2001:db8:1::1", 0, "a3"}, {"2001:db8:1::3", 0, "c1-reclaimed"}, {"2001:db8:1::4", 0, "d2"},
      {"2001:db8:1::5", 0, "e2"}, {"2001:db8:1::9", 0, "i1-expired"},   {"3000:1::", 2, "p2"}};
  checkInterruptedStates<MemfileLeaseStore6>("kea-leases6.csv", {h.two, h.one, h.merged, h.live},
                                             runLeaseFileCleanup6, contents, h.expected,
                                             without_live);
}

TEST_CASE("Kea 2.2's kea-lfc compacts the same DHCPv6 files alike and reads our output") {
  std::string kea = keaLfc();
  if (kea.empty()) {
    WARN("kea-lfc is not installed: skipped");
    return;
  }
  History6 h;
  std::string extra = row6("3000:5::", 3600, 1700003600, "na") +
                      row6("3000:5::", 3600, 1700003600, "pd", 0, 2, 64) +
                      row6("3000:6::", 3600, 1700003600, "pd6", 0, 2, 64) + deleted6("3000:6::") +
                      "2001:db8:2::7,00:01:02:03,4000,1795900285,2,3000,0,9,128,1,1,"
                      "h&#x2cx.example.,0a:0b:0c:0d:0e:0f,0,,1,2,0\n";
  TempDir dir;
  auto ours = LfcPaths::forLeaseFile(dir.file("ours.csv"));
  auto theirs = LfcPaths::forLeaseFile(dir.file("kea.csv"));
  for (const auto* p : {&ours, &theirs}) {
    writeFile(p->previous, h.two);
    writeFile(p->input, h.one + extra);
  }
  runLeaseFileCleanup6(ours);
  // kea-lfc logs through its own logger; keep it away from /var/run (KEA_LOCKFILE_DIR=none).
  ScopedEnv lockdir("KEA_LOCKFILE_DIR", std::string("none"));
  auto args = lfcArgs(theirs, "-6");
  args.insert(args.end(), {"-c", "ignored"});
  auto r = runProgram(dir, kea, args);
  REQUIRE(r.exit_code == 0);
  // Kea 2.2 writes 17 columns (no pool_id): compare those.
  auto ours_rows = dataRows(ours.previous, 17);
  CHECK(ours_rows.size() == 8);
  CHECK(ours_rows == dataRows(theirs.previous, 17));

  // Our output, given to kea-lfc as its journal, comes back unchanged.
  auto again = LfcPaths::forLeaseFile(dir.file("again.csv"));
  writeFile(again.input, readFile(ours.previous));
  args = lfcArgs(again, "-6");
  args.insert(args.end(), {"-c", "ignored"});
  r = runProgram(dir, kea, args);
  REQUIRE(r.exit_code == 0);
  CHECK(dataRows(again.previous, 17) == ours_rows);
}
