// DHCPv6 cases that run the real takahe-lfc binary; registered by tools/lfc/meson.build as the
// `dhcpsrv-lfc` test, which sets TAKAHE_LFC_EXECUTABLE. Hidden from the plain dhcpsrv run.

#include <catch2/catch.hpp>
#include <map>

#include "../leases/lfc_test_util.h"
#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

MemfileConfig toolConfig(const TempDir& dir) {
  MemfileConfig c;
  c.path = dir.file("kea-leases6.csv");
  c.lfc_executable = lfcExecutable();
  return c;
}

size_t dataRowCount(const std::string& file) {
  auto l = lines(readFile(file));
  return l.empty() ? 0 : l.size() - 1;
}

}  // namespace

TEST_CASE("takahe-lfc -6 compacts DHCPv6 files given Kea's flags", "[.lfc-tool]") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  const std::string h = lease6CsvHeader();
  writeFile(paths.previous,
            h + "2001:db8::1,00:01:02,3600,1700003600,1,1800,0,7,128,0,0,old,,0,,,,0\n" +
                "2001:db8::2,00:01:03,3600,1700003600,1,1800,0,8,128,0,0,gone,,0,,,,0\n" +
                "3000:1::,00:01:04,7200,1700007200,1,3600,2,9,56,0,0,pd,,0,,,,0\n");
  writeFile(paths.input,
            h + "2001:db8::1,00:01:02,3600,1700007200,1,1800,0,7,128,0,0,new,,0,,,,0\n" +
                "2001:db8::2,00:01:03,0,1700000000,1,0,0,8,128,0,0,,,0,,,,0\n");
  auto args = lfcArgs(paths, "-6");
  args.insert(args.end(), {"-c", "/etc/takahe/takahe-dhcp6.conf", "-d"});
  auto r = runTool(dir, args);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("5 rows read, 0 malformed rows dropped, 2 leases"));
  CHECK(readFile(paths.previous) ==
        h + "2001:db8::1,00:01:02,3600,1700007200,1,1800,0,7,128,0,0,new,,0,,,,0\n" +
            "3000:1::,00:01:04,7200,1700007200,1,3600,2,9,56,0,0,pd,,0,,,,0\n");
  CHECK(dir.list() == std::vector<std::string>{"kea-leases6.csv.2", "tool-output.txt"});
}

TEST_CASE("takahe-lfc -6 refuses a DHCPv4 journal and leaves it in place", "[.lfc-tool]") {
  TempDir dir;
  auto paths = LfcPaths::forLeaseFile(dir.file("kea-leases6.csv"));
  std::string v4 = lease4CsvHeader() + "10.0.0.1,00:00:00:00:00:01,,3600,2000,1,0,0,x,0,,0\n";
  writeFile(paths.input, v4);
  auto r = runTool(dir, lfcArgs(paths, "-6"));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains(paths.input));
  CHECK(readFile(paths.input) == v4);
  CHECK_FALSE(exists(paths.previous));
  CHECK_FALSE(exists(paths.pid));
}

TEST_CASE("A DHCPv6 store cleaned by takahe-lfc -6 reloads the same leases", "[.lfc-tool]") {
  TempDir dir;
  auto cfg = toolConfig(dir);
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  std::vector<Lease6> before;
  {
    MemfileLeaseStore6 store(cfg);
    Lease6 renewed = makeLease6("2001:db8::10", "00:01:02", 1, 1);
    REQUIRE(store.add(renewed));
    for (int i = 1; i <= 5; ++i) {
      renewed.cltt += 600;
      renewed.hostname = "renew" + std::to_string(i) + ".example.";
      REQUIRE(store.update(renewed));
    }
    REQUIRE(store.add(makeLease6("2001:db8::11", "00:01:03", 2, 1)));
    REQUIRE(store.remove(Lease6Type::kNa, IPv6Address::fromString("2001:db8::11")));
    REQUIRE(store.add(makeLease6("2001:db8::12", "00:01:04", 3, 1, 1000000000)));  // expired
    Lease6 reclaimed = makeLease6("2001:db8::13", "00:01:05", 4, 1, 1000000000);
    reclaimed.state = LeaseState::kExpiredReclaimed;
    REQUIRE(store.add(reclaimed));
    Lease6 pd = makePd("3000:1:200::", 56, "00:01:06", 5, 2);
    pd.hwaddr = HwAddr::fromString("0a:0b:0c:0d:0e:0f");
    pd.hwaddr_source = hwaddr_source::kDuid;
    pd.user_context = R"({"site":"a,b"})";
    REQUIRE(store.add(pd));

    CHECK(store.startLfc() == LfcStart::kStarted);
    // Changes while the cleanup runs land in the fresh lease file.
    REQUIRE(store.add(makeLease6("2001:db8::14", "00:01:07", 6, 1)));
    CHECK(store.waitForLfc(std::chrono::seconds(30)) == 0);
    CHECK_FALSE(exists(paths.input));
    CHECK_FALSE(exists(paths.finish));
    CHECK_FALSE(exists(paths.pid));
    // 11 rows went in, 4 leases came out (the row for ::14 is in the live file).
    CHECK(dataRowCount(paths.previous) == 4);
    CHECK(dataRowCount(cfg.path) == 1);

    // A second round folds the live file in as well.
    renewed.hostname = "final.example.";
    REQUIRE(store.update(renewed));
    CHECK(store.startLfc() == LfcStart::kStarted);
    CHECK(store.waitForLfc(std::chrono::seconds(30)) == 0);
    CHECK(dataRowCount(paths.previous) == 5);
    CHECK(dataRowCount(cfg.path) == 0);
    before = store.getAll();
  }
  REQUIRE(before.size() == 5);
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(reloaded.getAll() == before);
  CHECK(reloaded.loadReport().row_errors == 0);
  CHECK(reloaded.loadReport().files == std::vector<std::string>{paths.previous, cfg.path});
}

TEST_CASE("DHCPv6 cleanups while leases keep changing lose nothing", "[.lfc-tool]") {
  TempDir dir;
  auto cfg = toolConfig(dir);
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  std::map<IPv6Address, Lease6> expected;
  {
    MemfileLeaseStore6 store(cfg);
    int overlapped = cleanupsWhileChanging(store, 4, 200000, [&](uint32_t i) {
      uint32_t slot = i % 2000 + 1;
      Lease6 l = makeLease6("2001:db8::", "00:01:02", slot, slot % 4 + 1, 1700000000 + i);
      l.address = IPv6Address::fromString("2001:db8::" + std::to_string(slot));
      l.hostname = "h" + std::to_string(i);
      if (i % 9 == 0) {
        if (store.remove(Lease6Type::kNa, l.address)) {
          expected.erase(l.address);
        }
      } else {
        if (!store.add(l)) {
          store.update(l);
        }
        expected[l.address] = l;
      }
    });
    CHECK(overlapped > 0);
    CHECK_FALSE(exists(paths.input));
    CHECK_FALSE(exists(paths.finish));
    CHECK(exists(paths.previous));
  }
  std::vector<Lease6> want;
  for (auto& [a, l] : expected) {
    want.push_back(l);
  }
  MemfileLeaseStore6 reloaded(cfg);
  CHECK(reloaded.size() == want.size());
  CHECK(reloaded.getAll() == want);
}
