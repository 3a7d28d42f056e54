#pragma once

// Test doubles for the HA service tests: the local DHCPv4 server as the HA library sees it
// (ServerServices4 with a memfile lease store, a packet thread, dhcp-disable/dhcp-enable kept
// per origin), a scripted partner (a real HTTP server answering ha-heartbeat with the state the
// test sets, lease pages, lease updates, maintenance notifications), and configurations
// written as Kea JSON and read by the real parser. The code under test is always the real one.

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/communication_state.h"
#include "core/ha_config.h"
#include "fake_peer.h"
#include "ha_service.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/lease_json.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/http/event_thread.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/time.h"

namespace takahe::hooks::ha::test {

inline constexpr const char* kDhcp4Config = R"({"Dhcp4": {
  "valid-lifetime": 600,
  "subnet4": [
    {"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.200"}]}
  ]}})";

/// A lease of subnet 1 at 192.0.2.<host>.
inline dhcpsrv::Lease4 testLease(int host, int64_t cltt = 0) {
  dhcpsrv::Lease4 l;
  l.address = IPv4Address::fromString("192.0.2." + std::to_string(host));
  l.hwaddr = HwAddr::fromString("00:0c:01:02:03:" + std::to_string(10 + host % 80));
  l.client_id = ClientId::fromString("01:00:0c:01:02:03:" + std::to_string(10 + host % 80));
  l.valid_lifetime = 600;
  l.cltt = cltt ? cltt : nowUnixSeconds();
  l.subnet_id = SubnetId(1);
  return l;
}

/// The DHCPv4 server the library is loaded into: its configuration, lease store, statistics,
/// packet thread (post) and the commands the library runs there (execute).
struct LocalServer {
  takahe::testing::TempDir dir;
  dhcpsrv::SrvConfig4Ptr cfg =
      dhcpsrv::parseDhcp4Config(cc::parseConfigText(kDhcp4Config, "t.json"));
  std::unique_ptr<dhcpsrv::MemfileLeaseStore4> store;
  stats::StatsStore stats;
  http::EventThread packet_thread{"packet"};
  dhcpsrv::ServerServices4 services;
  /// Extra commands (e.g. those of a loaded library); dhcp-disable/enable are built in.
  std::map<std::string, std::function<cc::Value(const cc::Command&)>> commands;

  mutable std::mutex mu;
  std::set<std::string> disabled_by;  // origins that disabled the service (NetworkState)
  std::vector<std::string> executed;  // "dhcp-disable ha-local", ...

  LocalServer() {
    dhcpsrv::MemfileConfig mc;
    mc.path = dir.file("leases4.csv");
    store = std::make_unique<dhcpsrv::MemfileLeaseStore4>(mc);
    stats.set("subnet[1].assigned-addresses", 0);
    stats.set("subnet[1].declined-addresses", 0);
    stats.set("declined-addresses", 0);
    services.leases = store.get();
    services.stats = &stats;
    services.config = [this] { return cfg; };
    services.post = [this](std::function<void()> fn) { packet_thread.post(std::move(fn)); };
    services.execute = [this](const cc::Command& c) { return execute(c); };
    dhcpsrv::setServerServices4(&services);
  }
  ~LocalServer() {
    packet_thread.stop();
    dhcpsrv::setServerServices4(nullptr);
  }
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  cc::Value execute(const cc::Command& c) {
    std::string origin = "user";
    if (c.arguments && c.arguments->find("origin")) origin = c.arguments->at("origin").asString();
    {
      std::lock_guard lock(mu);
      if (c.name == "dhcp-disable" || c.name == "dhcp-enable")
        executed.push_back(c.name + " " + origin);
      if (c.name == "dhcp-disable") {
        disabled_by.insert(origin);
        return cc::makeAnswer(cc::ResultCode::kSuccess, "DHCPv4 service disabled");
      }
      if (c.name == "dhcp-enable") {
        disabled_by.erase(origin);
        return cc::makeAnswer(cc::ResultCode::kSuccess, "DHCP service successfully enabled");
      }
    }
    if (auto it = commands.find(c.name); it != commands.end()) return it->second(c);
    if (c.name == "status-get") {
      cc::Value args = cc::Value::makeMap();
      args.set("pid", 1);
      return cc::makeAnswer(cc::ResultCode::kSuccess, "", args);
    }
    return cc::makeAnswer(cc::ResultCode::kUnsupported, "'" + c.name + "' command not supported.");
  }
  bool serving() const {
    std::lock_guard lock(mu);
    return disabled_by.empty();
  }
  bool disabledBy(const std::string& origin) const {
    std::lock_guard lock(mu);
    return disabled_by.count(origin) > 0;
  }
  std::vector<std::string> executedCommands() const {
    std::lock_guard lock(mu);
    return executed;
  }
  /// Waits until the tasks posted so far ran on the packet thread.
  void drain() {
    std::atomic<bool> done{false};
    packet_thread.post([&] { done = true; });
    REQUIRE(waitFor([&] { return done.load(); }));
  }
};

/// The partner, scripted by the test: what it says in ha-heartbeat, the leases it serves to a
/// synchronising server, and how it answers everything else (as Kea behind its control agent).
struct Partner {
  FakePeer peer;
  mutable std::mutex mu;
  std::string state = "waiting";
  std::vector<std::string> scopes;
  int64_t skew_s = 0;  // its clock minus ours
  uint64_t unsent = 0;
  bool offline = false;        // its control agent answers that the server is offline
  unsigned http_status = 200;  // e.g. 401: its agent refuses our credentials
  int update_result = 0;       // answer to lease4-update / lease4-del
  int notify_result = 0;       // answer to ha-maintenance-notify
  std::string before_maintenance;
  std::vector<dhcpsrv::Lease4> leases;

  Partner() {
    peer.answer([this](const Received& r) { return answer(r); });
  }

  void set(const std::string& s, std::vector<std::string> sc = {}) {
    std::lock_guard lock(mu);
    state = s;
    scopes = std::move(sc);
  }
  void setOffline(bool off) {
    std::lock_guard lock(mu);
    offline = off;
  }
  void setSkew(int64_t s) {
    std::lock_guard lock(mu);
    skew_s = s;
  }
  size_t count(const std::string& command) const {
    size_t n = 0;
    for (const auto& r : peer.received()) n += r.command == command;
    return n;
  }
  std::vector<Received> received(const std::string& command) const {
    std::vector<Received> out;
    for (const auto& r : peer.received()) {
      if (r.command == command) out.push_back(r);
    }
    return out;
  }

  Reply answer(const Received& r) {
    std::lock_guard lock(mu);
    if (http_status != 200) {
      Reply refused;
      refused.status = http_status;
      refused.body = R"({"result": 401, "text": "Unauthorized"})";
      return refused;
    }
    if (offline) {
      return keaAnswer(1,
                       "unable to forward command to the dhcp4 service: No such file or directory. "
                       "The server is likely to be offline");
    }
    if (r.command == "ha-heartbeat") {
      cc::Value args = cc::Value::makeMap();
      args.set("date-time", httpDate(nowUnixSeconds() + skew_s));
      cc::Value sc = cc::Value::makeList();
      for (const auto& s : scopes) sc.push(s);
      args.set("scopes", sc);
      args.set("state", state);
      args.set("unsent-update-count", unsent);
      return keaAnswer(0, "HA peer status returned.", args);
    }
    if (r.command == "dhcp-disable") return keaAnswer(0, "DHCPv4 service disabled for 60 seconds");
    if (r.command == "dhcp-enable") return keaAnswer(0, "DHCP service successfully enabled");
    if (r.command == "ha-sync-complete-notify") {
      return keaAnswer(0, "Server successfully notified about the synchronization completion.");
    }
    if (r.command == "ha-reset") return keaAnswer(0, "HA state machine reset.");
    if (r.command == "ha-maintenance-notify") {
      if (notify_result != 0)
        return keaAnswer(
            notify_result,
            "Unable to transition the server from the terminated to in-maintenance state.");
      bool cancel =
          r.arguments && r.arguments->find("cancel") && r.arguments->at("cancel").asBool();
      // As a Kea partner does: in-maintenance from now on, or back to where it was.
      if (!cancel) {
        before_maintenance = state;
        state = "in-maintenance";
        scopes.clear();
      } else if (!before_maintenance.empty()) {
        state = before_maintenance;
      }
      return keaAnswer(0,
                       cancel ? "Server maintenance canceled." : "Server is in-maintenance state.");
    }
    if (r.command == "lease4-update" || r.command == "lease4-del") {
      return update_result == 0
                 ? keaAnswer(0, "IPv4 lease updated.")
                 : keaAnswer(update_result, "lease conflicts with the partner's configuration");
    }
    if (r.command == "lease4-get-page") {
      std::string from = r.arguments->at("from").asString();
      size_t limit = static_cast<size_t>(r.arguments->at("limit").asInt());
      cc::Value list = cc::Value::makeList();
      size_t n = 0;
      for (const auto& l : leases) {
        if (from != "start" && l.address.toUint() <= IPv4Address::fromString(from).toUint())
          continue;
        if (n == limit) break;
        cc::Value j = dhcpsrv::leaseToJson(l);
        list.push(j);
        ++n;
      }
      cc::Value args = cc::Value::makeMap();
      args.set("count", static_cast<int64_t>(n));
      args.set("leases", list);
      return keaAnswer(n ? 0 : 3, std::to_string(n) + " IPv4 lease(s) found.", args);
    }
    return keaAnswer(2, "'" + r.command + "' command not supported.");
  }
};

/// Kea JSON for one relationship; `peers` are {name, url, role}; `extra` is more members.
inline cc::Value haParameters(const std::string& this_name, const std::string& mode,
                              const std::vector<std::array<std::string, 3>>& peers,
                              const std::string& extra = "") {
  std::string json = R"({"high-availability": [{"this-server-name": ")" + this_name +
                     R"(", "mode": ")" + mode +
                     R"(", "heartbeat-delay": 100, "max-response-delay": 400, "max-ack-delay": 1000,
                     "max-unacked-clients": 0, "sync-page-limit": 2)";
  if (!extra.empty()) json += ", " + extra;
  json += R"(, "peers": [)";
  for (size_t i = 0; i < peers.size(); ++i) {
    if (i) json += ", ";
    json += R"({"name": ")" + peers[i][0] + R"(", "url": ")" + peers[i][1] + R"(", "role": ")" +
            peers[i][2] + R"("})";
  }
  json += "]}]}";
  return cc::parseJson(json);
}

inline std::string unusedUrl() { return "http://127.0.0.1:" + std::to_string(closedPort()) + "/"; }

/// A DHCPDISCOVER from a client whose load-balancing scope is `scope`, `secs` seconds into
/// its attempts; `seed` picks different clients.
inline dhcp::Pkt4 discoverIn(const QueryFilter& filter, const std::string& scope, uint16_t secs,
                             int seed) {
  for (int i = seed * 1000; i < seed * 1000 + 1000; ++i) {
    dhcp::Pkt4 q;
    q.setMessageType(dhcp::MessageType::kDiscover);
    q.hlen = 6;
    q.chaddr[0] = 0x02;
    q.chaddr[3] = static_cast<uint8_t>(i >> 16);
    q.chaddr[4] = static_cast<uint8_t>(i >> 8);
    q.chaddr[5] = static_cast<uint8_t>(i);
    q.secs = secs;
    if (filter.queryScope(q) == scope) return q;
  }
  FAIL("no client found in scope " << scope);
  return {};
}

/// Lines of HA_STATE_TRANSITION from `from` to `to`.
inline bool transitioned(const LogCapture& log, const std::string& from, const std::string& to) {
  return !log.lines("changed from " + from + " to " + to + ":").empty();
}

}  // namespace takahe::hooks::ha::test
