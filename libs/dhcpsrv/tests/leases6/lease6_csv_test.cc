#include <catch2/catch.hpp>

#include "lease6_test_util.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

// The header and rows below were written by kea-dhcp6 2.2.0 (Debian 2.2.0-6) on 2026-11-29,
// with lease6-add / lease6-update / lease6-del over its control socket (interfaces: []).
const std::string kHeader22 =
    "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"
    "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source\n";
// NA with hostname "h,x.example.", a hardware address and a user context.
const std::string kKeaNa =
    "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,4000,1795900285,1,3000,0,1234,128,"
    "1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": \"x&#x2cy&#x26z\" },1,0";
// lease6-del of the lease above: both lifetimes 0, expire = cltt.
const std::string kKeaNaDeleted =
    "2001:db8:1::100,00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f,0,1795896285,1,0,0,1234,128,"
    "1,0,h&#x2cx.example.,1a:1b:1c:1d:1e:1f,0,{ \"a\": 1&#x2c \"b\": \"x&#x2cy&#x26z\" },1,0";
// A delegated prefix without hardware address: hwtype and hwaddr_source stay empty.
const std::string kKeaPd = "3000:1::,01:02:03:04,3600,1795900000,1,1800,2,7,56,0,0,,,0,,,";
// The prefix after lease6-update with a hardware address and a hostname.
const std::string kKeaPdUpdated =
    "3000:1::,01:02:03:04,3600,1795900100,1,1800,2,7,56,0,0,pd.example,aa:bb:cc:dd:ee:ff,0,,1,0";
// Declined, infinite lifetimes (expire = cltt + 2^32-1).
const std::string kKeaDeclinedInfinite =
    "2001:db8:1::101,0a:0b:0c,4294967295,6090905195,1,4294967295,0,1,128,0,0,,,1,,,";

struct Read {
  Lease6CsvReadStats stats;
  std::vector<Lease6> leases;
  std::vector<size_t> lines;
};

Read readText(const TempDir& dir, const std::string& text, uint64_t max_errors = 0) {
  std::string path = dir.file("leases6.csv");
  writeFile(path, text);
  Read r;
  r.stats = readLease6CsvFile(
      path,
      [&](Lease6&& l, size_t line) {
        r.leases.push_back(std::move(l));
        r.lines.push_back(line);
      },
      max_errors);
  return r;
}

Lease6 parseKea22(const std::string& row) {
  auto h = parseLease6CsvHeader(kHeader22);
  REQUIRE(h);
  auto l = parseLease6CsvRow(row, *h);
  INFO(row);
  REQUIRE(l);
  return *l;
}

}  // namespace

TEST_CASE("The lease6 header is Kea 2.2's 17 columns followed by Kea 3's pool_id") {
  CHECK(lease6CsvHeader() == kHeader22.substr(0, kHeader22.size() - 1) + ",pool_id\n");
  auto h = parseLease6CsvHeader(kHeader22);
  REQUIRE(h);
  CHECK(h->columns == 17);
  CHECK_FALSE(h->current());
  auto ours = parseLease6CsvHeader(lease6CsvHeader());
  REQUIRE(ours);
  CHECK(ours->current());
}

TEST_CASE("A Kea 2.2 IA_NA row is read field by field") {
  Lease6 l = parseKea22(kKeaNa);
  CHECK(l.address.toString() == "2001:db8:1::100");
  CHECK(l.type == Lease6Type::kNa);
  CHECK(l.prefix_len == 128);
  CHECK(l.duid.toString() == "00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f");
  CHECK(l.iaid == 1234);
  CHECK(l.valid_lifetime == 4000);
  CHECK(l.preferred_lifetime == 3000);
  CHECK(l.cltt == 1795896285);
  CHECK(l.expire() == 1795900285);
  CHECK(l.subnet_id == SubnetId(1));
  CHECK(l.fqdn_fwd);
  CHECK_FALSE(l.fqdn_rev);
  CHECK(l.hostname == "h,x.example.");
  CHECK(l.hwaddr.toString() == "1a:1b:1c:1d:1e:1f");
  CHECK(l.hwaddr.htype == 1);
  CHECK(l.hwaddr_source == hwaddr_source::kUnknown);
  CHECK(l.state == LeaseState::kDefault);
  CHECK(l.user_context == "{ \"a\": 1, \"b\": \"x,y&z\" }");
  CHECK(l.pool_id == 0);
}

TEST_CASE("Kea 2.2 rows are written back byte for byte, plus the pool_id column") {
  for (const std::string& row : {kKeaNa, kKeaPd, kKeaPdUpdated, kKeaDeclinedInfinite}) {
    INFO(row);
    CHECK(formatLease6CsvRow(parseKea22(row)) == row + ",0\n");
  }
  Lease6 pd = parseKea22(kKeaPd);
  CHECK(pd.type == Lease6Type::kPd);
  CHECK(pd.prefix_len == 56);
  CHECK(pd.hwaddr.empty());
  Lease6 d = parseKea22(kKeaDeclinedInfinite);
  CHECK(d.state == LeaseState::kDeclined);
  CHECK(d.infinite());
  CHECK(d.preferred_lifetime == kInfiniteLifetime);
  CHECK_FALSE(d.expired(d.cltt + 10'000'000'000));
}

TEST_CASE("A deletion row is the lease with both lifetimes 0 and expire = cltt, as Kea writes") {
  Lease6 l = parseKea22(kKeaNa);
  CHECK(formatLease6CsvDeletionRow(l) == kKeaNaDeleted + ",0\n");
  Lease6 deleted = parseKea22(kKeaNaDeleted);
  CHECK(deleted.valid_lifetime == 0);
  CHECK(deleted.cltt == l.cltt);
}

TEST_CASE("Our own rows carry pool_id, hwtype and hwaddr_source and read back to the same lease") {
  TempDir dir;
  Lease6 na = makeLease6("2001:db8::7", "00:03:00:01:aa:bb:cc:dd:ee:ff", 9, 42, 1600000000,
                         kInfiniteLifetime);
  na.hostname = "weird,name&with\nnewline";
  na.user_context = "{ \"x\": \"1,2&3\" }";
  na.fqdn_rev = true;
  na.pool_id = 12;
  na.hwaddr = HwAddr(32, Bytes{1, 2, 3, 4, 5, 6, 7, 8});
  na.hwaddr_source = hwaddr_source::kDuid | hwaddr_source::kClientAddrRelay;
  na.state = LeaseState::kReleased;
  Lease6 pd = makePd("2001:db8:ff00::", 40, "01:02", 0xffffffff, 43);
  pd.pool_id = 3;
  Lease6 ta = makeLease6("2001:db8::aa", "05", 1, 42, 1600000000, 600, Lease6Type::kTa);
  CHECK(formatLease6CsvRow(na) ==
        "2001:db8::7,00:03:00:01:aa:bb:cc:dd:ee:ff,4294967295,5894967295,42,4294967295,0,9,128,0,"
        "1,weird&#x2cname&#x26with&#x0anewline,01:02:03:04:05:06:07:08,3,"
        "{ \"x\": \"1&#x2c2&#x263\" },32,12,12\n");
  CHECK(formatLease6CsvRow(pd) ==
        "2001:db8:ff00::,01:02,3600,1700003600,43,1800,2,4294967295,40,0,0,,,0,,,,3\n");
  auto r = readText(dir, lease6CsvHeader() + formatLease6CsvRow(na) + formatLease6CsvRow(pd) +
                             formatLease6CsvRow(ta));
  REQUIRE(r.leases.size() == 3);
  CHECK(r.stats.header.current());
  CHECK(r.leases[0] == na);
  CHECK(r.leases[1] == pd);
  CHECK(r.leases[2] == ta);
  CHECK(r.leases[2].type == Lease6Type::kTa);
}

TEST_CASE("Files with Kea's older lease6 layouts are read with defaults for missing columns") {
  TempDir dir;
  SECTION("schema 1.0: up to hostname") {
    auto r = readText(dir,
                      "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,"
                      "iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname\n"
                      "2001:db8::1,01:02:03,4000,1795900285,5,3000,0,7,128,1,0,old.example\n");
    REQUIRE(r.leases.size() == 1);
    CHECK(r.stats.header.columns == 12);
    CHECK(r.leases[0].hostname == "old.example");
    CHECK(r.leases[0].fqdn_fwd);
    CHECK(r.leases[0].hwaddr.empty());
    CHECK(r.leases[0].state == LeaseState::kDefault);
  }
  SECTION("schema 3.1: up to user_context; a hardware address means Ethernet, source unknown") {
    // Kea 2.2's own conversion of this row (its LFC output) was
    // "...,h15,0a:0b:0c:0d:0e:0f,0,,1,0".
    auto r = readText(dir,
                      "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,"
                      "iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context\n"
                      "2001:db8:1::120,01:02:03,4000,1795900285,1,3000,0,4294967295,128,0,0,h15,"
                      "0a:0b:0c:0d:0e:0f,0,\n");
    REQUIRE(r.leases.size() == 1);
    const Lease6& l = r.leases[0];
    CHECK(l.iaid == 4294967295u);
    CHECK(l.hwaddr.htype == 1);
    CHECK(l.hwaddr_source == 0);
    CHECK(formatLease6CsvRow(l) ==
          "2001:db8:1::120,01:02:03,4000,1795900285,1,3000,0,4294967295,128,0,0,h15,"
          "0a:0b:0c:0d:0e:0f,0,,1,0,0\n");
  }
  SECTION("Kea 2.2 header with rows we appended in 18 columns") {
    auto r =
        readText(dir, kHeader22 + kKeaPd + "\n" +
                          "2001:db8::2,01:02:03,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,9\n");
    REQUIRE(r.leases.size() == 2);
    CHECK(r.stats.row_errors == 0);
    CHECK(r.leases[1].pool_id == 9);
  }
}

TEST_CASE("Headers that are not lease6 headers are refused; unknown trailing columns are not") {
  TempDir dir;
  CHECK_THROWS_WITH(readText(dir, "address,hwaddr,client_id,valid_lifetime,expire,subnet_id\n"),
                    Catch::Contains("not a DHCPv6 lease file header"));
  CHECK_THROWS_WITH(readText(dir, "address,duid,valid_lifetime,expire,subnet_id\n"),
                    Catch::Contains("at least address .. prefix_len"));
  auto r = readText(dir, lease6CsvHeader().substr(0, lease6CsvHeader().size() - 1) +
                             ",future\n2001:db8::3,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,4,"
                             "zzz\n");
  REQUIRE(r.leases.size() == 1);
  CHECK(r.leases[0].pool_id == 4);
}

TEST_CASE("Malformed lease6 rows are skipped and reported with their line numbers") {
  TempDir dir;
  std::string text = lease6CsvHeader();
  text += "2001:db8::1,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n";        // 2 ok
  text += "2001:db8::g,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n";        // 3 address
  text += "::,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n";                 // 4 zero address
  text += "2001:db8::4,,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n";          // 5 empty duid
  text += "2001:db8::5,01,4000,1795900285,5,3000,3,7,128,0,0,,,0,,,,0\n";        // 6 lease_type
  text += "2001:db8::6,01,4000,1795900285,5,3000,2,7,0,0,0,,,0,,,,0\n";          // 7 prefix_len 0
  text += "2001:db8::7,01,4000,1795900285,5,3000,2,7,129,0,0,,,0,,,,0\n";        // 8 prefix_len 129
  text += "2001:db8::8,01,4000,1795900285,5,3000,0,7,128,0,0,,,9,,,,0\n";        // 9 state
  text += "2001:db8::9,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,[1],,,0\n";     // 10 context
  text += "2001:db8::a,01,4000,1795900285,5,3000,0,7,128,0,0,,aa,0,,300,0,0\n";  // 11 hwtype
  text += "2001:db8::b,01,4000,1795900285,5,3000,0,7,128,0,0,,,0\n";             // 12 columns
  text += "2001:db8::c,01,4000,1795900285,5,x,0,7,128,0,0,,,0,,,,0\n";           // 13 pref
  text += "\n";                                                                  // 14 blank
  text += "2001:db8::d,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n";        // 15 ok
  auto r = readText(dir, text);
  CHECK(addressesOf(r.leases) == std::vector<std::string>{"2001:db8::1", "2001:db8::d"});
  CHECK(r.stats.rows == 13);
  CHECK(r.stats.row_errors == 11);
  std::vector<size_t> bad;
  for (const auto& i : r.stats.issues) {
    bad.push_back(i.line);
  }
  CHECK(bad == std::vector<size_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
  REQUIRE(r.stats.issues.size() == 11);
  CHECK_THAT(r.stats.issues[2].reason, Catch::Contains("empty duid"));
  CHECK_THAT(r.stats.issues[8].reason, Catch::Contains("hwtype 300"));
  CHECK_THAT(r.stats.issues[9].reason, Catch::Contains("14 columns"));
}

TEST_CASE("max_row_errors fails a lease6 load only when malformed rows exceed it") {
  TempDir dir;
  std::string text = lease6CsvHeader() + "bad,row\n" +
                     "2001:db8::1,01,4000,1795900285,5,3000,0,7,128,0,0,,,0,,,,0\n" + "bad,row\n";
  CHECK(readText(dir, text, 0).stats.row_errors == 2);
  CHECK(readText(dir, text, 2).leases.size() == 1);
  CHECK_THROWS_WITH(readText(dir, text, 1), Catch::Contains("max-row-errors"));
}

TEST_CASE("A torn last lease6 line is parsed and flagged; an empty file has no header") {
  TempDir dir;
  auto r = readText(dir, kHeader22 + kKeaPd);
  CHECK(r.leases.size() == 1);
  CHECK(r.stats.torn_last_line);
  auto empty = readText(dir, "");
  CHECK(empty.leases.empty());
  CHECK(empty.stats.header.columns == 0);
  CHECK_THROWS_AS(readLease6CsvFile(dir.file("missing.csv"), [](Lease6&&, size_t) {}), Error);
}
