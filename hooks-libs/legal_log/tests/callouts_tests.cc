// Parameters and callouts, driven with hand-built CalloutHandles as the server would.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "legal_log.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/hooks/hooks.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe;
using namespace takahe::hooks;
using namespace takahe::hooks::legal_log;
using namespace takahe::hooks::legal_log::test;

namespace {

using PktPtr = std::shared_ptr<dhcp::Pkt4>;
using LeasePtr = std::shared_ptr<dhcpsrv::Lease4>;
using Leases = std::vector<LeasePtr>;

cc::Value params(const std::string& json) { return cc::parseJson(json); }

/// Loads an instance writing into `dir` at a fixed time; unset on destruction.
struct Loaded {
  explicit Loaded(const TempDir& dir, const std::string& extra = "") {
    useUtc();
    std::string json = R"({"path": ")" + dir.path + R"(", "base-name": "legal4")" +
                       (extra.empty() ? "" : ", " + extra) + "}";
    log = std::make_shared<LegalLog>(parseParameters(params(json), "/nonexistent"), clock.fn());
    setInstance(log);
  }
  ~Loaded() { setInstance(nullptr); }
  std::vector<std::string> lines() { return readLines(log->file().currentFile()); }
  FakeClock clock{exampleTime()};
  std::shared_ptr<LegalLog> log;
};

void prepare(CalloutHandle& h, const std::string& hook) { h.prepare(hook, nullptr); }

const std::string kStamp = "2025-01-31 23:59:58 UTC ";
const std::string kAssigned =
    "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with hardware "
    "address: hwtype=1 08:00:2b:02:3f:4e";

}  // namespace

TEST_CASE("parameters: defaults are Kea's", "[legal_log]") {
  auto c = parseParameters(params("{}"), "/var/lib/takahe");
  CHECK(c.file.path == "/var/lib/takahe");
  CHECK(c.file.base_name == "kea-legal");
  CHECK(c.file.unit == TimeUnit::kDay);
  CHECK(c.file.count == 1);
  CHECK(c.file.max_size == 0);
  CHECK(c.file.timestamp_format == "%Y-%m-%d %H:%M:%S %Z");
  CHECK(c.request_format.empty());
  CHECK(c.on_write_failure == OnWriteFailure::kContinue);

  c = parseParameters(params(R"({"path": "/x", "base-name": "b", "time-unit": "second",
      "count": 3600, "max-size": 1048576, "timestamp-format": "%s", "type": "logfile",
      "on-write-failure": "drop"})"),
                      "");
  CHECK(c.file.path == "/x");
  CHECK(c.file.unit == TimeUnit::kSecond);
  CHECK(c.file.count == 3600);
  CHECK(c.file.max_size == 1048576);
  CHECK(c.file.timestamp_format == "%s");
  CHECK(c.on_write_failure == OnWriteFailure::kDrop);
}

TEST_CASE("parameters: mistakes are refused with the parameter named", "[legal_log]") {
  CHECK_THROWS_WITH(parseParameters(params(R"({"time-unit": "week"})"), "/"),
                    Catch::Contains("time-unit") && Catch::Contains("week"));
  CHECK_THROWS_WITH(parseParameters(params(R"({"count": -1})"), "/"), Catch::Contains("count"));
  CHECK_THROWS_WITH(parseParameters(params(R"({"count": "7"})"), "/"), Catch::Contains("count"));
  CHECK_THROWS_WITH(parseParameters(params(R"({"path": 5})"), "/"), Catch::Contains("path"));
  CHECK_THROWS_WITH(parseParameters(params(R"({"type": "mysql"})"), "/"),
                    Catch::Contains("mysql") && Catch::Contains("files only"));
  CHECK_THROWS_WITH(parseParameters(params(R"({"base_name": "x"})"), "/"),
                    Catch::Contains("base_name") && Catch::Contains("unknown"));
  CHECK_THROWS_AS(parseParameters(params(R"({"on-write-failure": "abort"})"), "/"), ConfigError);
}

TEST_CASE("leases4_committed writes and syncs the entry before returning", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir);
  CalloutHandle h;
  prepare(h, "leases4_committed");
  PktPtr query = request();
  auto lease = std::make_shared<dhcpsrv::Lease4>(exampleLease());
  auto old = std::make_shared<dhcpsrv::Lease4>(exampleLease());
  old->address = IPv4Address::fromString("192.2.1.7");
  h.setArgument("query4", query);
  h.setArgument("leases4", Leases{lease});
  h.setArgument("deleted_leases4", Leases{old});
  REQUIRE(leases4Committed(h) == 0);
  // On disk now, before pkt4_send (the reply has not left yet).
  CHECK(readLines(dir.path + "/legal4.20250131.txt") ==
        std::vector<std::string>{
            kStamp + kAssigned,
            kStamp + "Address: 192.2.1.7 has been released from a device with hardware address: "
                     "hwtype=1 08:00:2b:02:3f:4e"});
  CHECK(h.getStatus() == NextStep::kContinue);
}

TEST_CASE("a renewing client's commit says renewed", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir);
  CalloutHandle h;
  prepare(h, "leases4_committed");
  PktPtr query = request();
  query->removeOption(dhcp::opt::kRequestedAddress);
  query->ciaddr = IPv4Address::fromString("192.2.1.100");
  h.setArgument("query4", query);
  h.setArgument("leases4", Leases{std::make_shared<dhcpsrv::Lease4>(exampleLease())});
  h.setArgument("deleted_leases4", Leases{});
  REQUIRE(leases4Committed(h) == 0);
  CHECK(loaded.lines() ==
        std::vector<std::string>{
            kStamp + "Address: 192.2.1.100 has been renewed for 1 hrs 52 mins 15 secs to "
                     "a device with hardware address: hwtype=1 08:00:2b:02:3f:4e"});
}

TEST_CASE("release, decline and expire callouts write one line each", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir);
  PktPtr query = request();
  query->giaddr = IPv4Address::fromString("192.2.16.33");
  auto lease = std::make_shared<dhcpsrv::Lease4>(exampleLease());
  {
    CalloutHandle h;
    prepare(h, "lease4_release");
    h.setArgument("query4", query);
    h.setArgument("lease4", lease);
    REQUIRE(lease4Release(h) == 0);
  }
  {
    CalloutHandle h;
    prepare(h, "lease4_decline");
    h.setArgument("query4", query);
    h.setArgument("lease4", lease);
    REQUIRE(lease4Decline(h) == 0);
  }
  {
    CalloutHandle h;
    prepare(h, "lease4_expire");
    h.setArgument("lease4", lease);
    h.setArgument("remove_lease", true);
    REQUIRE(lease4Expire(h) == 0);
  }
  {
    // An earlier library that SKIPs the release keeps the lease: nothing is recorded.
    CalloutHandle h;
    prepare(h, "lease4_release");
    h.setArgument("query4", query);
    h.setArgument("lease4", lease);
    h.setStatus(NextStep::kSkip);
    REQUIRE(lease4Release(h) == 0);
  }
  const std::string dev = " a device with hardware address: hwtype=1 08:00:2b:02:3f:4e";
  CHECK(loaded.lines() ==
        std::vector<std::string>{kStamp + "Address: 192.2.1.100 has been released from" + dev +
                                     " connected via relay at address: 192.2.16.33",
                                 kStamp + "Address: 192.2.1.100 has been declined from" + dev +
                                     " connected via relay at address: 192.2.16.33",
                                 kStamp + "Address: 192.2.1.100 has been expired from" + dev});
}

TEST_CASE("subnets with user-context legal-logging false are not logged", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir);
  {
    auto cfg = std::make_shared<dhcpsrv::SrvConfig4>();
    cfg->source = params(R"({"subnet4": [
        {"id": 1, "subnet": "192.2.1.0/24"},
        {"id": 2, "subnet": "192.2.2.0/24", "user-context": {"legal-logging": false}},
        {"id": 3, "subnet": "192.2.3.0/24", "user-context": {"legal-logging": true}}],
      "shared-networks": [{"name": "n", "subnet4": [
        {"id": 4, "subnet": "192.2.4.0/24", "user-context": {"legal-logging": false}}]}]})");
    CalloutHandle h;
    prepare(h, "dhcp4_srv_configured");
    h.setArgument("json_config", cc::Value());
    h.setArgument("server_config", std::shared_ptr<const dhcpsrv::SrvConfig4>(cfg));
    REQUIRE(dhcp4SrvConfigured(h) == 0);
  }
  CHECK(excludedSubnets(params(R"({"subnet4": [{"id": 9}]})")).empty());
  for (uint32_t id : {1u, 2u, 3u, 4u}) {
    auto lease = std::make_shared<dhcpsrv::Lease4>(exampleLease());
    lease->subnet_id = SubnetId(id);
    lease->address = IPv4Address(0xc0020100 + id);
    CalloutHandle h;
    prepare(h, "lease4_expire");
    h.setArgument("lease4", lease);
    REQUIRE(lease4Expire(h) == 0);
  }
  auto lines = loaded.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("Address: 192.2.1.1 ") != std::string::npos);
  CHECK(lines[1].find("Address: 192.2.1.3 ") != std::string::npos);
}

TEST_CASE("a write failure is reported and, with on-write-failure drop, drops the reply",
          "[legal_log]") {
  for (bool drop : {false, true}) {
    TempDir dir;
    Loaded loaded(dir, drop ? R"("on-write-failure": "drop")" : "");
    // Make the file unwritable: a directory where the file should be.
    std::string file = dir.path + "/legal4.20250131.txt";
    REQUIRE(::mkdir(file.c_str(), 0755) == 0);
    CalloutHandle h;
    prepare(h, "leases4_committed");
    h.setArgument("query4", request());
    h.setArgument("leases4", Leases{std::make_shared<dhcpsrv::Lease4>(exampleLease())});
    h.setArgument("deleted_leases4", Leases{});
    CHECK(leases4Committed(h) == 1);
    CHECK(h.getStatus() == (drop ? NextStep::kDrop : NextStep::kContinue));
  }
}

TEST_CASE("without an instance the callouts do nothing", "[legal_log]") {
  setInstance(nullptr);
  CalloutHandle h;
  prepare(h, "lease4_release");
  h.setArgument("lease4", std::make_shared<dhcpsrv::Lease4>(exampleLease()));
  CHECK(lease4Release(h) == 0);
}

#if __has_include("takahe/eval/expression.h")
TEST_CASE("custom formats: request part at commit, response part in pkt4_send", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir, R"j("request-parser-format": "'req ' + hexstring(pkt4.mac, ':')",
                        "response-parser-format": "' resp ' + addrtotext(pkt4.yiaddr)")j");
  REQUIRE(loaded.log->waitsForResponse());
  PktPtr query = request();
  auto response = std::make_shared<dhcp::Pkt4>();
  response->op = 2;
  response->setMessageType(dhcp::MessageType::kAck);
  response->yiaddr = IPv4Address::fromString("192.2.1.100");
  CalloutHandle h;
  prepare(h, "leases4_committed");
  h.setArgument("query4", query);
  h.setArgument("leases4", Leases{std::make_shared<dhcpsrv::Lease4>(exampleLease())});
  h.setArgument("deleted_leases4", Leases{});
  REQUIRE(leases4Committed(h) == 0);
  CHECK(loaded.log->file().currentFile().empty());  // waits for the response
  h.deleteAllArguments();
  prepare(h, "pkt4_send");
  h.setArgument("query4", query);
  h.setArgument("response4", PktPtr(response));
  REQUIRE(pkt4Send(h) == 0);
  CHECK(loaded.lines() ==
        std::vector<std::string>{kStamp + "req 08:00:2b:02:3f:4e resp 192.2.1.100"});
}

TEST_CASE("custom formats: a request-only format is written at commit, lines split at 0x0a",
          "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir, R"("request-parser-format": "'one' + 0x0a + 'two'")");
  CalloutHandle h;
  prepare(h, "leases4_committed");
  h.setArgument("query4", request());
  h.setArgument("leases4", Leases{std::make_shared<dhcpsrv::Lease4>(exampleLease())});
  h.setArgument("deleted_leases4", Leases{});
  REQUIRE(leases4Committed(h) == 0);
  CHECK(loaded.lines() == std::vector<std::string>{kStamp + "one", kStamp + "two"});
}

TEST_CASE("custom formats: a bad expression is refused at load", "[legal_log]") {
  TempDir dir;
  std::string json = R"({"path": ")" + dir.path + R"(", "request-parser-format": "'a' +"})";
  CHECK_THROWS_WITH(LegalLog(parseParameters(params(json), "")),
                    Catch::Contains("request-parser-format"));
}
#else
TEST_CASE("custom formats need libs/eval", "[legal_log]") {
  TempDir dir;
  std::string json = R"({"path": ")" + dir.path + R"(", "request-parser-format": "'a'"})";
  CHECK_THROWS_WITH(LegalLog(parseParameters(params(json), "")),
                    Catch::Contains("request-parser-format"));
}
#endif

TEST_CASE("the leases4_committed of a RELEASE or DECLINE adds no second line", "[legal_log]") {
  TempDir dir;
  Loaded loaded(dir);
  for (auto type : {dhcp::MessageType::kRelease, dhcp::MessageType::kDecline}) {
    PktPtr query = request();
    query->setMessageType(type);
    auto lease = std::make_shared<dhcpsrv::Lease4>(exampleLease());
    CalloutHandle h;
    prepare(h, "leases4_committed");
    h.setArgument("query4", query);
    h.setArgument("leases4", type == dhcp::MessageType::kDecline ? Leases{lease} : Leases{});
    h.setArgument("deleted_leases4",
                  type == dhcp::MessageType::kRelease ? Leases{lease} : Leases{});
    REQUIRE(leases4Committed(h) == 0);
  }
  CHECK(loaded.log->file().currentFile().empty());
}

#if __has_include("takahe/eval/expression.h")
TEST_CASE("custom formats: the example of doc/hooks.md gives the documented line", "[legal_log]") {
  TempDir dir;
  Loaded loaded(
      dir,
      R"j("request-parser-format": "'Address: ' + ifelse(option[50].exists, addrtotext(option[50].hex), addrtotext(pkt4.ciaddr)) + ' requested by ' + hexstring(pkt4.mac, ':')",
    "response-parser-format": "ifelse(pkt4.msgtype == 5, ', ACK for ' + uint32totext(option[51].hex) + ' seconds', '')")j");
  PktPtr query = request();
  auto response = std::make_shared<dhcp::Pkt4>();
  response->op = 2;
  response->setMessageType(dhcp::MessageType::kAck);
  response->setOption(dhcp::opt::kLeaseTime, Bytes{0, 0, 0x1c, 0x20});
  CalloutHandle h;
  prepare(h, "leases4_committed");
  h.setArgument("query4", query);
  h.setArgument("leases4", Leases{std::make_shared<dhcpsrv::Lease4>(exampleLease())});
  h.setArgument("deleted_leases4", Leases{});
  REQUIRE(leases4Committed(h) == 0);
  h.deleteAllArguments();
  prepare(h, "pkt4_send");
  h.setArgument("query4", query);
  h.setArgument("response4", PktPtr(response));
  REQUIRE(pkt4Send(h) == 0);
  CHECK(loaded.lines() ==
        std::vector<std::string>{
            kStamp + "Address: 192.2.1.100 requested by 08:00:2b:02:3f:4e, ACK for 7200 seconds"});
}
#endif
