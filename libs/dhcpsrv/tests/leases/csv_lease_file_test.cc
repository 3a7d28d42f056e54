#include "takahe/dhcpsrv/csv_lease_file.h"

#include <catch2/catch.hpp>

#include "lease_test_util.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

const std::string kHeader22 =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,"
    "user_context\n";
const std::string kHeader30 =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,"
    "user_context,pool_id\n";
const std::string kHeader10 =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname\n";

struct Read {
  Lease4CsvReadStats stats;
  std::vector<Lease4> leases;
  std::vector<size_t> lines;
};

Read readText(const TempDir& dir, const std::string& text, uint64_t max_errors = 0) {
  std::string path = dir.file("leases4.csv");
  writeFile(path, text);
  Read r;
  r.stats = readLease4CsvFile(
      path,
      [&](Lease4&& l, size_t line) {
        r.leases.push_back(std::move(l));
        r.lines.push_back(line);
      },
      max_errors);
  return r;
}

}  // namespace

TEST_CASE("Escaping turns separators, ampersands and control characters into &#xHH") {
  CHECK(escapeCsvText("h,x.example.") == "h&#x2cx.example.");
  CHECK(escapeCsvText("a&b") == "a&#x26b");
  CHECK(escapeCsvText("line\nbreak\r\t") == "line&#x0abreak&#x0d&#x09");
  CHECK(escapeCsvText(std::string("nul\0x", 5)) == "nul&#x00x");
  CHECK(escapeCsvText("{ \"a\": 1, \"b\": [1,2] }") == "{ \"a\": 1&#x2c \"b\": [1&#x2c2] }");
  CHECK(escapeCsvText("plain-host.example.com") == "plain-host.example.com");
}

TEST_CASE("Unescaping reverses escaping for every byte value") {
  std::string all;
  for (int c = 1; c < 256; ++c) {
    all.push_back(static_cast<char>(c));
  }
  all += "&#x2c&#x";  // literal text that looks like an escape must survive too
  std::string escaped = escapeCsvText(all);
  CHECK(escaped.find(',') == std::string::npos);
  CHECK(escaped.find('\n') == std::string::npos);
  CHECK(unescapeCsvText(escaped) == all);
}

TEST_CASE("Unescaping accepts either hex case and leaves broken sequences alone") {
  CHECK(unescapeCsvText("a&#x2Cb&#x2cc") == "a,b,c");
  CHECK(unescapeCsvText("&#xzz") == "&#xzz");
  CHECK(unescapeCsvText("tail&#x4") == "tail&#x4");
  CHECK(unescapeCsvText("&amp;") == "&amp;");
  CHECK(unescapeCsvText("") == "");
}

TEST_CASE("A file written by Kea 2.2 (11 columns) is read with defaults for pool_id") {
  TempDir dir;
  auto r = readText(
      dir, kHeader22 + "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,\n");
  REQUIRE(r.leases.size() == 1);
  CHECK(r.stats.row_errors == 0);
  CHECK(r.stats.header.columns == 11);
  CHECK_FALSE(r.stats.header.current());
  const Lease4& l = r.leases[0];
  CHECK(l.address.toString() == "192.0.2.50");
  CHECK(l.hwaddr.toString() == "1a:1b:1c:1d:1e:1f");
  CHECK(l.client_id.empty());
  CHECK(l.valid_lifetime == 4000);
  CHECK(l.cltt == 1795896285);
  CHECK(l.expire() == 1795900285);
  CHECK(l.subnet_id == SubnetId(1));
  CHECK_FALSE(l.fqdn_fwd);
  CHECK_FALSE(l.fqdn_rev);
  CHECK(l.hostname == "h,x.example.");
  CHECK(l.state == LeaseState::kDefault);
  CHECK(l.user_context.empty());
  CHECK(l.pool_id == 0);
}

TEST_CASE("A Kea 3.x file carries pool_id and an escaped user context") {
  TempDir dir;
  auto r = readText(dir, kHeader30 +
                             "10.0.0.7,00:11:22:33:44:55,01:00:11:22:33:44:55,7200,1700007200,42,1,"
                             "1,pc7.example.org.,1,{ \"comment\": \"a&#x2cb\"&#x2c \"n\": 1 },7\n");
  REQUIRE(r.leases.size() == 1);
  CHECK(r.stats.header.current());
  const Lease4& l = r.leases[0];
  CHECK(l.client_id.toString() == "01:00:11:22:33:44:55");
  CHECK(l.cltt == 1700000000);
  CHECK(l.subnet_id == SubnetId(42));
  CHECK(l.fqdn_fwd);
  CHECK(l.fqdn_rev);
  CHECK(l.state == LeaseState::kDeclined);
  CHECK(l.user_context == "{ \"comment\": \"a,b\", \"n\": 1 }");
  CHECK(l.pool_id == 7);
}

TEST_CASE("The oldest 9-column header is read with state, user context and pool defaults") {
  TempDir dir;
  auto r =
      readText(dir, kHeader10 + "192.0.2.1,01:02:03:04:05:06,01:aa,3600,1000003600,5,1,0,host\n" +
                        "192.0.2.2,01:02:03:04:05:07,,3600,1000003601,5,0,1,\n");
  REQUIRE(r.leases.size() == 2);
  CHECK(r.stats.header.columns == 9);
  CHECK(r.leases[0].hostname == "host");
  CHECK(r.leases[0].fqdn_fwd);
  CHECK(r.leases[0].client_id.toString() == "01:aa");
  CHECK(r.leases[0].state == LeaseState::kDefault);
  CHECK(r.leases[1].hostname.empty());
  CHECK(r.leases[1].fqdn_rev);
  CHECK(r.lines == std::vector<size_t>{2, 3});
}

TEST_CASE("Rows appended with 12 columns under an older header are still read") {
  TempDir dir;
  auto r = readText(dir, kHeader22 + "192.0.2.1,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,\n" +
                             "192.0.2.2,01:02:03:04:05:07,,3600,1000003600,5,0,0,,0,,9\n");
  REQUIRE(r.leases.size() == 2);
  CHECK(r.leases[1].pool_id == 9);
}

TEST_CASE("A header with unknown columns after ours is accepted; a foreign header is not") {
  TempDir dir;
  auto r = readText(dir,
                    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,"
                    "fqdn_rev,hostname,state,user_context,pool_id,future\n"
                    "192.0.2.1,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,3,zzz\n");
  REQUIRE(r.leases.size() == 1);
  CHECK(r.leases[0].pool_id == 3);
  CHECK_THROWS_AS(readText(dir, "address,duid,valid_lifetime,expire,subnet_id\n"), Error);
  CHECK_THROWS_AS(readText(dir, "address,hwaddr,client_id\n"), Error);
  CHECK(parseLease4CsvHeader("address,hwaddr,client_id,valid_lifetime,expire,subnet_id"));
}

TEST_CASE("We write Kea's exact header and row format") {
  CHECK(lease4CsvHeader() ==
        "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
        "state,user_context,pool_id\n");
  Lease4 l = makeLease("192.0.2.50", "1a:1b:1c:1d:1e:1f", 1, 1795896285, 4000, "h,x.example.");
  CHECK(formatLease4CsvRow(l) ==
        "192.0.2.50,1a:1b:1c:1d:1e:1f,,4000,1795900285,1,0,0,h&#x2cx.example.,0,,0\n");
  l.client_id = ClientId::fromString("01:1A:1B:1C:1D:1E:1F");
  l.fqdn_fwd = true;
  l.state = LeaseState::kDeclined;
  l.user_context = "{\"a\":1,\"b\":2}";
  l.pool_id = 3;
  CHECK(formatLease4CsvRow(l) ==
        "192.0.2.50,1a:1b:1c:1d:1e:1f,01:1a:1b:1c:1d:1e:1f,4000,1795900285,1,1,0,h&#x2cx.example.,"
        "1,{\"a\":1&#x2c\"b\":2},3\n");
}

TEST_CASE("Written rows read back to the same lease") {
  TempDir dir;
  Lease4 l = makeLease("10.1.2.3", "aa:bb:cc:dd:ee:ff", 77, 1600000000, kInfiniteLifetime,
                       "weird,name&with\nnewline", LeaseState::kReleased, "ff:00:01");
  l.user_context = "{ \"x\": \"1,2&3\" }";
  l.fqdn_rev = true;
  l.pool_id = 12;
  auto r = readText(dir, lease4CsvHeader() + formatLease4CsvRow(l));
  REQUIRE(r.leases.size() == 1);
  CHECK(r.leases[0] == l);
}

TEST_CASE("Malformed rows are skipped and reported with their line numbers") {
  TempDir dir;
  std::string text = kHeader30 +
                     "192.0.2.1,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,0\n"     // line 2 ok
                     "192.0.2.300,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,0\n"   // 3 address
                     "192.0.2.3,zz,,3600,1000003600,5,0,0,,0,,0\n"                    // 4 hwaddr
                     "192.0.2.4,01:02:03:04:05:06,,abc,1000003600,5,0,0,,0,,0\n"      // 5 valid
                     "\n"                                                             // 6 blank
                     "192.0.2.5,01:02:03:04:05:06,,3600,1000003600,5,0,0,,9,,0\n"     // 7 state
                     "192.0.2.6,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0\n"        // 8 columns
                     "192.0.2.7,01:02:03:04:05:06,,3600,1000003600,5,2,0,,0,,0\n"     // 9 bool
                     "192.0.2.8,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,[1],0\n"  // 10 context
                     "192.0.2.9,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,0\n";    // 11 ok
  auto r = readText(dir, text);
  CHECK(addressesOf(r.leases) == std::vector<std::string>{"192.0.2.1", "192.0.2.9"});
  CHECK(r.stats.rows == 9);
  CHECK(r.stats.row_errors == 7);
  REQUIRE(r.stats.issues.size() == 7);
  std::vector<size_t> bad;
  for (const auto& i : r.stats.issues) {
    bad.push_back(i.line);
  }
  CHECK(bad == std::vector<size_t>{3, 4, 5, 7, 8, 9, 10});
  CHECK_THAT(r.stats.issues[0].reason, Catch::Contains("192.0.2.300"));
}

TEST_CASE("max_row_errors fails a load only when the malformed rows exceed it") {
  TempDir dir;
  std::string text = kHeader30 + "bad,row\n" +
                     "192.0.2.1,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,0\n" + "bad,row\n";
  CHECK(readText(dir, text, 0).stats.row_errors == 2);  // 0 = unlimited
  CHECK(readText(dir, text, 2).leases.size() == 1);
  CHECK_THROWS_WITH(readText(dir, text, 1), Catch::Contains("max-row-errors"));
}

TEST_CASE("A torn last line without newline is still parsed and flagged") {
  TempDir dir;
  auto r = readText(dir, kHeader30 + "192.0.2.1,01:02:03:04:05:06,,3600,1000003600,5,0,0,,0,,0");
  CHECK(r.leases.size() == 1);
  CHECK(r.stats.torn_last_line);
  auto empty = readText(dir, "");
  CHECK(empty.leases.empty());
  CHECK(empty.stats.header.columns == 0);
}
