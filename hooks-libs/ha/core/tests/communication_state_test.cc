// What a server knows about its partner: heartbeats, interruption, Kea's unacked-clients
// failure detection, clock skew, rejected lease updates and the status-get "remote" map.

#include "core/communication_state.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

using namespace takahe;
using namespace takahe::hooks::ha;
using std::chrono::milliseconds;

namespace {

HaConfig config(int max_unacked = 2, int max_rejected = 3) {
  std::string text = R"({"high-availability": [ {"this-server-name": "server1",
      "mode": "load-balancing", "heartbeat-delay": 1000, "max-response-delay": 3000,
      "max-ack-delay": 10000, "max-unacked-clients": )" +
                     std::to_string(max_unacked) + R"(, "max-rejected-lease-updates": )" +
                     std::to_string(max_rejected) + R"(, "peers": [
      {"name": "server1", "url": "http://192.0.2.1:8000/", "role": "primary"},
      {"name": "server2", "url": "http://192.0.2.2:8000/", "role": "secondary"}]} ]})";
  return parseHaConfig(cc::parseJson(text));
}

dhcp::Pkt4 packet(const std::string& mac, uint16_t secs,
                  dhcp::MessageType type = dhcp::MessageType::kDiscover,
                  const std::string& client_id = "") {
  dhcp::Pkt4 p;
  p.setMessageType(type);
  Bytes hw = parseHex(mac).value();
  p.hlen = static_cast<uint8_t>(hw.size());
  std::copy(hw.begin(), hw.end(), p.chaddr.begin());
  p.secs = secs;
  if (!client_id.empty()) {
    p.setOption(dhcp::opt::kClientId, parseHex(client_id).value());
  }
  return p;
}

PartnerHeartbeat heartbeat(HaState state, int64_t date, uint64_t unsent = 0,
                           std::vector<std::string> scopes = {"server2"}) {
  PartnerHeartbeat hb;
  hb.state = state;
  hb.date_time = date;
  hb.unsent_update_count = unsent;
  hb.scopes = std::move(scopes);
  return hb;
}

/// A state whose last exchange was at t0, and a time well past max-response-delay.
struct Fixture {
  HaConfig cfg;
  CommunicationState state;
  Clock::time_point t0 = Clock::now();
  Clock::time_point late = t0 + milliseconds(3001);
  explicit Fixture(HaConfig c) : cfg(std::move(c)), state(cfg, *cfg.partner()) {
    state.reset(t0);
  }
};

std::string heartbeatError(const std::string& json) {
  try {
    parseHeartbeat(cc::parseJson(json));
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("accepted: " << json);
  return {};
}

}  // namespace

TEST_CASE("HTTP dates are RFC 1123 GMT", "[ha][comm]") {
  CHECK(httpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(httpDate(1573116577) == "Thu, 07 Nov 2019 08:49:37 GMT");  // Kea's documented example
  CHECK(httpDate(1709251199) == "Thu, 29 Feb 2024 23:59:59 GMT");
  CHECK(httpDate(951868800) == "Wed, 01 Mar 2000 00:00:00 GMT");
  CHECK(httpDate(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");

  CHECK(parseHttpDate("Thu, 07 Nov 2019 08:49:37 GMT") == 1573116577);
  CHECK(parseHttpDate("Thu, 29 Feb 2024 23:59:59 GMT") == 1709251199);
  for (int64_t t : {int64_t{0}, int64_t{86399}, int64_t{1000000000}, int64_t{1700000000},
                    int64_t{4102444800}, int64_t{2147483647}, int64_t{2147483648}}) {
    CHECK(parseHttpDate(httpDate(t)) == t);
  }
  const char* bad[] = {
      "",
      "Thu, 07 Nov 2019 08:49:37",         // no zone
      "Thu, 07 Nov 2019 08:49:37 UTC",     // not GMT
      "Thu, 7 Nov 2019 08:49:37 GMT",      // day must have two digits
      "Thu, 07 nov 2019 08:49:37 GMT",     // month names are case-sensitive
      "Thu, 07 Now 2019 08:49:37 GMT",
      "Xyz, 07 Nov 2019 08:49:37 GMT",
      "Thu, 30 Feb 2019 08:49:37 GMT",     // no such day
      "Thu, 29 Feb 2019 08:49:37 GMT",     // 2019 is not a leap year
      "Thu, 07 Nov 2019 24:00:00 GMT",
      "Thu, 07 Nov 2019 08:60:00 GMT",
      "Thu, 07 Nov 20x9 08:49:37 GMT",
      "Thursday, 07-Nov-19 08:49:37 GMT",  // RFC 850 is not accepted
      "Thu Nov  7 08:49:37 2019",          // nor asctime
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(parseHttpDate(text).has_value());
  }
}

TEST_CASE("Heartbeat answers are parsed and bad ones named", "[ha][comm]") {
  PartnerHeartbeat hb = parseHeartbeat(cc::parseJson(
      R"({"state": "load-balancing", "date-time": "Thu, 07 Nov 2019 08:49:37 GMT",
          "scopes": ["server2", "server1", "", "server2"], "unsent-update-count": 7})"));
  CHECK(hb.state == HaState::kLoadBalancing);
  CHECK(hb.date_time == 1573116577);
  CHECK(hb.scopes == std::vector<std::string>{"server1", "server2"});
  CHECK(hb.unsent_update_count == 7);

  PartnerHeartbeat old = parseHeartbeat(cc::parseJson(
      R"({"state": "waiting", "date-time": "Thu, 07 Nov 2019 08:49:37 GMT", "scopes": []})"));
  CHECK(old.state == HaState::kWaiting);
  CHECK(old.scopes.empty());
  CHECK(old.unsent_update_count == 0);  // absent in older Kea: 0

  const std::string date = R"("date-time": "Thu, 07 Nov 2019 08:49:37 GMT")";
  struct Bad {
    std::string json;
    std::string field;
  };
  const Bad bad[] = {
      {R"([])", "'arguments'"},
      {R"(null)", "'arguments'"},
      {"{" + date + R"(, "scopes": []})", "'state'"},
      {R"({"state": 5, )" + date + R"(, "scopes": []})", "'state'"},
      {R"({"state": "normal", )" + date + R"(, "scopes": []})", "'state'"},
      {R"({"state": "ready", "scopes": []})", "'date-time'"},
      {R"({"state": "ready", "date-time": 1573116577, "scopes": []})", "'date-time'"},
      {R"({"state": "ready", "date-time": "yesterday", "scopes": []})", "'date-time'"},
      {R"({"state": "ready", )" + date + "}", "'scopes'"},
      {R"({"state": "ready", )" + date + R"(, "scopes": "server1"})", "'scopes'"},
      {R"({"state": "ready", )" + date + R"(, "scopes": [1]})", "'scopes'"},
      {R"({"state": "ready", )" + date + R"(, "scopes": [], "unsent-update-count": -1})",
       "'unsent-update-count'"},
      {R"({"state": "ready", )" + date + R"(, "scopes": [], "unsent-update-count": "3"})",
       "'unsent-update-count'"},
      {R"({"state": "ready", )" + date + R"(, "scopes": [], "unsent-update-count": 1.5})",
       "'unsent-update-count'"},
  };
  for (const auto& b : bad) {
    INFO(b.json);
    std::string msg = heartbeatError(b.json);
    CHECK_THAT(msg, Catch::StartsWith("ha-heartbeat answer: "));
    CHECK_THAT(msg, Catch::Contains(b.field));
  }
}

TEST_CASE("Communication is interrupted after max-response-delay without exchange",
          "[ha][comm]") {
  Fixture f(config());
  CHECK(f.state.ageMs(f.t0 + milliseconds(1500)) == 1500);
  CHECK_FALSE(f.state.isCommunicationInterrupted(f.t0 + milliseconds(3000)));
  CHECK(f.state.isCommunicationInterrupted(f.late));
  f.state.poke(f.t0 + milliseconds(2000));
  CHECK_FALSE(f.state.isCommunicationInterrupted(f.late));
  CHECK(f.state.isCommunicationInterrupted(f.t0 + milliseconds(5001)));
  f.state.heartbeatOk(heartbeat(HaState::kLoadBalancing, 1000), f.t0 + milliseconds(6000), 1000);
  CHECK_FALSE(f.state.isCommunicationInterrupted(f.t0 + milliseconds(9000)));
  // A failed heartbeat does not count as an exchange.
  f.state.heartbeatFailed(f.t0 + milliseconds(8000));
  CHECK(f.state.isCommunicationInterrupted(f.t0 + milliseconds(9001)));
}

TEST_CASE("Unacked clients are counted as Kea documents", "[ha][comm]") {
  Fixture f(config(/*max_unacked=*/2));
  auto& s = f.state;

  SECTION("nothing is analyzed while the partner answers") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 30), f.t0 + milliseconds(100));
    CHECK(s.analyzedPackets() == 0);
    CHECK(s.connectingClients() == 0);
    CHECK_FALSE(s.failureDetected(f.t0 + milliseconds(100)));
  }
  SECTION("secs above max-ack-delay makes a client unacked; at the limit it is connecting") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 10), f.late);  // 10000 ms: not above
    CHECK(s.connectingClients() == 1);
    CHECK(s.unackedClients() == 0);
    s.analyzeMessage(packet("52:54:00:00:00:01", 11), f.late);  // same client retries
    CHECK(s.connectingClients() == 1);
    CHECK(s.unackedClients() == 1);
    s.analyzeMessage(packet("52:54:00:00:00:01", 20), f.late);  // counted once
    s.analyzeMessage(packet("52:54:00:00:00:01", 0), f.late);   // and stays unacked
    CHECK(s.unackedClients() == 1);
    CHECK(s.analyzedPackets() == 4);
  }
  SECTION("only DHCPDISCOVER and DHCPREQUEST are analyzed") {
    for (auto type : {dhcp::MessageType::kRelease, dhcp::MessageType::kDecline,
                      dhcp::MessageType::kInform}) {
      s.analyzeMessage(packet("52:54:00:00:00:01", 60, type), f.late);
    }
    CHECK(s.analyzedPackets() == 0);
    CHECK(s.unackedClients() == 0);
    s.analyzeMessage(packet("52:54:00:00:00:02", 60, dhcp::MessageType::kRequest), f.late);
    CHECK(s.unackedClients() == 1);
  }
  SECTION("a client is its hardware address plus client identifier") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 60), f.late);
    s.analyzeMessage(packet("52:54:00:00:00:01", 60, dhcp::MessageType::kDiscover, "01:aa"),
                     f.late);
    s.analyzeMessage(packet("52:54:00:00:00:01", 60, dhcp::MessageType::kDiscover, "01:bb"),
                     f.late);
    s.analyzeMessage(packet("52:54:00:00:00:01", 60, dhcp::MessageType::kRequest, "01:bb"),
                     f.late);
    CHECK(s.unackedClients() == 3);
  }
  SECTION("byte-swapped secs from some clients are read the right way round") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 0x0a00), f.late);  // 10 s, little-endian
    CHECK(s.unackedClients() == 0);
    s.analyzeMessage(packet("52:54:00:00:00:02", 0x0b00), f.late);  // 11 s
    CHECK(s.unackedClients() == 1);
    s.analyzeMessage(packet("52:54:00:00:00:03", 0x0b01), f.late);  // 2817 s, not swapped
    CHECK(s.unackedClients() == 2);
  }
  SECTION("failure needs more than max-unacked-clients, and an interruption") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 30), f.late);
    s.analyzeMessage(packet("52:54:00:00:00:02", 30), f.late);
    CHECK_FALSE(s.failureDetected(f.late));
    s.analyzeMessage(packet("52:54:00:00:00:03", 30), f.late);
    CHECK(s.failureDetected(f.late));
    CHECK_FALSE(s.failureDetected(f.t0 + milliseconds(10)));  // not interrupted then
    // The partner answers: everything seen is forgotten.
    s.poke(f.late);
    CHECK(s.unackedClients() == 0);
    CHECK(s.connectingClients() == 0);
    CHECK(s.analyzedPackets() == 0);
  }
  SECTION("clearUnackedClients forgets clients") {
    s.analyzeMessage(packet("52:54:00:00:00:01", 30), f.late);
    s.analyzeMessage(packet("52:54:00:00:00:02", 1), f.late);
    s.clearUnackedClients();
    CHECK(s.unackedClients() == 0);
    CHECK(s.connectingClients() == 0);
    CHECK(s.analyzedPackets() == 0);
  }
}

TEST_CASE("With max-unacked-clients 0 an interruption is a failure", "[ha][comm]") {
  Fixture f(config(/*max_unacked=*/0));
  CHECK_FALSE(f.state.failureDetected(f.t0 + milliseconds(3000)));
  CHECK(f.state.failureDetected(f.late));
}

TEST_CASE("Heartbeats record the partner's state and scopes and unsent updates", "[ha][comm]") {
  Fixture f(config());
  auto& s = f.state;
  CHECK(s.partnerState() == HaState::kUnavailable);
  CHECK_FALSE(s.inTouch());
  s.heartbeatOk(heartbeat(HaState::kWaiting, 100, 0, {}), f.t0, 100);
  CHECK(s.inTouch());
  CHECK(s.partnerState() == HaState::kWaiting);
  CHECK(s.partnerScopes().empty());
  CHECK_FALSE(s.hasPartnerNewUnsentUpdates());
  s.heartbeatOk(heartbeat(HaState::kPartnerDown, 100, 5, {"server1", "server2"}), f.t0, 100);
  CHECK(s.partnerState() == HaState::kPartnerDown);
  CHECK(s.partnerScopes() == std::vector<std::string>{"server1", "server2"});
  CHECK(s.partnerUnsentUpdateCount() == 5);
  CHECK(s.hasPartnerNewUnsentUpdates());  // 0 -> 5
  s.heartbeatOk(heartbeat(HaState::kPartnerDown, 100, 5), f.t0, 100);
  CHECK_FALSE(s.hasPartnerNewUnsentUpdates());  // 5 -> 5
  s.heartbeatOk(heartbeat(HaState::kPartnerDown, 100, 9), f.t0, 100);
  CHECK(s.hasPartnerNewUnsentUpdates());  // 5 -> 9
  s.heartbeatOk(heartbeat(HaState::kWaiting, 100, 0), f.t0, 100);
  CHECK_FALSE(s.hasPartnerNewUnsentUpdates());  // restarted partner: nothing to send

  s.heartbeatFailed(f.t0);
  CHECK(s.partnerState() == HaState::kUnavailable);
  CHECK_FALSE(s.inTouch());
}

TEST_CASE("Clock skew warns above 30 s and terminates above 60 s", "[ha][comm]") {
  Fixture f(config());
  auto& s = f.state;
  const int64_t local = 1700000000;
  struct Step {
    int64_t skew;
    bool warn;
    bool terminate;
  };
  for (const Step& step : {Step{0, false, false}, Step{30, false, false}, Step{31, true, false},
                           Step{-31, true, false}, Step{60, true, false}, Step{61, true, true},
                           Step{-61, true, true}, Step{-5, false, false}}) {
    INFO(step.skew);
    s.heartbeatOk(heartbeat(HaState::kLoadBalancing, local + step.skew), f.t0, local);
    CHECK(s.clockSkewSeconds() == step.skew);
    CHECK(s.clockSkewShouldWarn() == step.warn);
    CHECK(s.clockSkewShouldTerminate() == step.terminate);
  }
}

TEST_CASE("Rejected lease updates terminate at max-rejected-lease-updates", "[ha][comm]") {
  SECTION("limit 3") {
    Fixture f(config(2, /*max_rejected=*/3));
    auto& s = f.state;
    s.reportRejectedLeaseUpdate("192.0.2.10");
    s.reportRejectedLeaseUpdate("192.0.2.11");
    s.reportRejectedLeaseUpdate("192.0.2.11");  // the same lease counts once
    CHECK(s.rejectedLeaseUpdates() == 2);
    CHECK_FALSE(s.rejectedLeaseUpdatesShouldTerminate());
    s.reportRejectedLeaseUpdate("192.0.2.12");
    CHECK(s.rejectedLeaseUpdatesShouldTerminate());
    s.reportSuccessfulLeaseUpdate("192.0.2.11");  // accepted later: no longer a conflict
    CHECK(s.rejectedLeaseUpdates() == 2);
    CHECK_FALSE(s.rejectedLeaseUpdatesShouldTerminate());
    s.reportSuccessfulLeaseUpdate("192.0.2.99");  // never rejected: no effect
    CHECK(s.rejectedLeaseUpdates() == 2);
  }
  SECTION("0 never terminates") {
    Fixture f(config(2, /*max_rejected=*/0));
    for (int i = 0; i < 50; ++i) {
      f.state.reportRejectedLeaseUpdate("192.0.2." + std::to_string(i));
    }
    CHECK(f.state.rejectedLeaseUpdates() == 50);
    CHECK_FALSE(f.state.rejectedLeaseUpdatesShouldTerminate());
  }
}

TEST_CASE("reset() forgets everything learnt from the partner", "[ha][comm]") {
  Fixture f(config());
  auto& s = f.state;
  s.heartbeatOk(heartbeat(HaState::kLoadBalancing, 1000 + 90, 4), f.t0, 1000);
  s.reportRejectedLeaseUpdate("192.0.2.10");
  s.analyzeMessage(packet("52:54:00:00:00:01", 30), f.late);
  Clock::time_point t1 = f.late + milliseconds(10);
  s.reset(t1);
  CHECK(s.partnerState() == HaState::kUnavailable);
  CHECK(s.partnerScopes().empty());
  CHECK(s.partnerUnsentUpdateCount() == 0);
  CHECK_FALSE(s.inTouch());
  CHECK(s.clockSkewSeconds() == 0);
  CHECK(s.rejectedLeaseUpdates() == 0);
  CHECK(s.unackedClients() == 0);
  CHECK(s.ageMs(t1 + milliseconds(5)) == 5);
}

TEST_CASE("status-get's remote map has Kea's keys and values", "[ha][comm]") {
  Fixture f(config(/*max_unacked=*/2));
  auto& s = f.state;

  cc::Value fresh = s.remoteStatusJson(f.t0 + milliseconds(1500));
  CHECK(fresh == cc::parseJson(R"({"age": 0, "analyzed-packets": 0,
      "communication-interrupted": false, "connecting-clients": 0, "in-touch": false,
      "last-scopes": [], "last-state": "", "role": "secondary", "server-name": "server2",
      "unacked-clients": 0, "unacked-clients-left": 0})"));

  s.heartbeatOk(heartbeat(HaState::kLoadBalancing, 500, 0, {"server2"}), f.t0, 500);
  cc::Value normal = s.remoteStatusJson(f.t0 + milliseconds(2500));
  CHECK(normal.at("in-touch") == cc::Value(true));
  CHECK(normal.at("age") == cc::Value(2));
  CHECK(normal.at("last-state") == cc::Value("load-balancing"));
  CHECK(normal.at("last-scopes") == cc::parseJson(R"(["server2"])"));
  CHECK(normal.at("communication-interrupted") == cc::Value(false));
  CHECK(normal.at("unacked-clients-left") == cc::Value(0));

  // The partner goes silent; clients retry.
  s.heartbeatFailed(f.late);
  s.analyzeMessage(packet("52:54:00:00:00:01", 30), f.late);
  s.analyzeMessage(packet("52:54:00:00:00:02", 1), f.late);
  cc::Value down = s.remoteStatusJson(f.late);
  CHECK(down.at("in-touch") == cc::Value(true));  // as Kea: the state is known, "unavailable"
  CHECK(down.at("last-state") == cc::Value("unavailable"));
  CHECK(down.at("age") == cc::Value(3));
  CHECK(down.at("communication-interrupted") == cc::Value(true));
  CHECK(down.at("connecting-clients") == cc::Value(2));
  CHECK(down.at("unacked-clients") == cc::Value(1));
  CHECK(down.at("unacked-clients-left") == cc::Value(2));  // 2 + 1 - 1
  CHECK(down.at("analyzed-packets") == cc::Value(2));
  s.analyzeMessage(packet("52:54:00:00:00:03", 30), f.late);
  s.analyzeMessage(packet("52:54:00:00:00:04", 30), f.late);
  cc::Value failed = s.remoteStatusJson(f.late);
  CHECK(failed.at("unacked-clients") == cc::Value(3));
  CHECK(failed.at("unacked-clients-left") == cc::Value(0));
  CHECK(s.failureDetected(f.late));

  std::vector<std::string> keys;
  for (const auto& [key, value] : failed.asMap()) {
    keys.push_back(key);
  }
  CHECK(keys == std::vector<std::string>{"age", "analyzed-packets", "communication-interrupted",
                                         "connecting-clients", "in-touch", "last-scopes",
                                         "last-state", "role", "server-name", "unacked-clients",
                                         "unacked-clients-left"});
}
