// process::ServerFrame: its timers on a real io_context, control channels over real UNIX
// sockets (stage, commit, rollback), and the shared commands answered through the registry.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/process/server_frame.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "test_support.h"

using namespace std::chrono_literals;
using takahe::cc::Value;
using takahe::process::ConfigHandler;
using takahe::process::ControlChannelSpec;
using takahe::process::ServerFrame;
using takahe::testing::TempDir;

namespace {

constexpr takahe::log::MessageId kMsg{"TEST_FRAME", takahe::log::Severity::kDebug, "%1"};

struct Frame {
  takahe::log::Logger logger{"takahe-test.frame"};
  ServerFrame frame{{"takahe-test", "Dhcp6", "DHCPv6", [] { return std::string("test build\n"); }},
                    logger,
                    {&kMsg, &kMsg, &kMsg, &kMsg, &kMsg}};
  /// Runs the loop until `done` or 3 s pass.
  template <class Pred>
  bool runUntil(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      frame.io().restart();
      frame.io().run_for(10ms);
    }
    return done();
  }
};

/// Whether something accepts connections on the UNIX socket `path`.
bool listening(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof(addr.sun_path) - 1));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

ControlChannelSpec unixSpec(const std::string& path) {
  Value raw = Value::makeMap();
  raw.set("socket-type", "unix");
  raw.set("socket-name", path);
  return {"unix", path, raw};
}

/// A daemon configuration reduced to one JSON map.
struct FakeConfig final : ConfigHandler {
  Value current = [] {
    Value v = Value::makeMap();
    v.set("server-tag", "alpha");
    return v;
  }();
  std::string file;
  int reloads = 0;
  Value configJson() const override {
    Value root = Value::makeMap();
    root.set("Dhcp6", current);
    return root;
  }
  std::string serverTag() const override { return current.find("server-tag")->asString(); }
  const std::string& configFile() const override { return file; }
  std::string testConfig(const Value& args) override {
    if (!args.find("Dhcp6")->isMap()) throw takahe::Error("Dhcp6 must be a map");
    return "0 subnet(s)";
  }
  void setConfig(const Value& args) override {
    testConfig(args);
    current = *args.find("Dhcp6");
  }
  void reloadConfig() override { ++reloads; }
};

Value run(ServerFrame& f, const std::string& json) { return f.registry().executeText(json); }
int64_t resultOf(const Value& answer) { return answer.find("result")->asInt(); }

}  // namespace

TEST_CASE("ServerFrame: every() repeats until cancelled, once() fires once, a zero period cancels",
          "[process][frame]") {
  Frame t;
  int ticks = 0, onces = 0;
  t.frame.every("tick", 5ms, [&] { ++ticks; });
  t.frame.once("one", 5ms, [&] { ++onces; });
  REQUIRE(t.runUntil([&] { return ticks >= 3; }));
  CHECK(onces == 1);
  t.frame.every("tick", 0ms, [&] { ticks += 100; });  // cancels
  int seen = ticks;
  t.runUntil([] { return false; });
  CHECK(ticks == seen);

  // A callback may replace its own timer; the new period applies.
  int replaced = 0;
  t.frame.every("self", 5ms, [&] {
    ++replaced;
    if (replaced == 1) t.frame.every("self", 5ms, [&] { replaced += 10; });
  });
  REQUIRE(t.runUntil([&] { return replaced >= 21; }));

  int cancelled = 0;
  t.frame.once("never", 5ms, [&] { ++cancelled; });
  t.frame.cancelTimer("never");
  t.frame.runAfter(20ms, [] {});
  t.runUntil([] { return false; });
  CHECK(cancelled == 0);
}

TEST_CASE("ServerFrame: control channels are staged, committed and rolled back", "[process][frame]") {
  TempDir dir;
  Frame t;
  std::string a = dir.path + "/a.sock", b = dir.path + "/b.sock";
  t.frame.stageChannels({unixSpec(a)});
  t.frame.commitChannels();
  CHECK(listening(a));

  // A failed reconfiguration: b was opened for it and closes again, a stays.
  t.frame.stageChannels({unixSpec(a), unixSpec(b)});
  CHECK(listening(b));
  std::vector<ControlChannelSpec> previous{unixSpec(a)};
  t.frame.rollbackChannels(&previous);
  CHECK_FALSE(listening(b));
  CHECK(listening(a));

  // A successful one that drops a: it closes once the current answer is out (next loop turn).
  t.frame.stageChannels({unixSpec(b)});
  t.frame.commitChannels();
  t.runUntil([&] { return !listening(a); });
  CHECK_FALSE(listening(a));
  CHECK(listening(b));

  // An HTTP listener with TLS files but socket-type "http" is refused with a clear reason and
  // nothing new stays open.
  Value raw = Value::makeMap();
  raw.set("socket-type", "http");
  raw.set("socket-port", 1);
  raw.set("cert-file", "/nonexistent.pem");
  raw.set("key-file", "/nonexistent.key");
  raw.set("trust-anchor", "/nonexistent.ca");
  std::string c = dir.path + "/c.sock";
  CHECK_THROWS_AS(t.frame.stageChannels({unixSpec(c), {"http", "", raw}}), std::exception);
  CHECK_FALSE(listening(c));
  t.frame.rollbackChannels(nullptr);
  CHECK(listening(b));
}

TEST_CASE("ServerFrame: the shared commands answer as Kea's", "[process][frame]") {
  TempDir dir;
  Frame t;
  FakeConfig cfg;
  cfg.file = dir.path + "/kea-dhcp6.conf";
  takahe::stats::StatsStore stats;
  t.frame.registerCommonCommands(cfg, stats);

  Value got = run(t.frame, R"({"command":"config-get"})");
  REQUIRE(resultOf(got) == 0);
  CHECK(got.find("arguments")->find("Dhcp6")->find("server-tag")->asString() == "alpha");
  std::string hash = got.find("arguments")->find("hash")->asString();
  CHECK(hash.size() == 64);

  got = run(t.frame, R"({"command":"config-set","arguments":{"Dhcp6":{"server-tag":"beta"}}})");
  REQUIRE(resultOf(got) == 0);
  CHECK(cfg.serverTag() == "beta");
  CHECK(got.find("arguments")->find("hash")->asString() != hash);
  CHECK(resultOf(run(t.frame, R"({"command":"config-set","arguments":{"Dhcp4":{}}})")) == 1);
  CHECK(resultOf(run(t.frame, R"({"command":"config-test","arguments":{"Dhcp6":[]}})")) == 1);
  CHECK(resultOf(run(t.frame, R"({"command":"config-reload"})")) == 0);
  CHECK(cfg.reloads == 1);
  got = run(t.frame, R"({"command":"config-write"})");
  REQUIRE(resultOf(got) == 0);
  std::ifstream written(cfg.file);
  std::string text((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"beta\"") != std::string::npos);
  CHECK(run(t.frame, R"({"command":"server-tag-get"})").find("arguments")->find("server-tag")->asString() == "beta");

  // dhcp-disable with max-period: service comes back by itself.
  got = run(t.frame, R"({"command":"dhcp-disable","arguments":{"max-period":1}})");
  CHECK(got.find("text")->asString() == "DHCPv6 service disabled");
  CHECK_FALSE(t.frame.network().enabled());
  got = run(t.frame, R"({"command":"status-get"})");
  CHECK(got.find("arguments")->find("dhcp-state")->find("disabled-by-user")->asBool());
  REQUIRE(t.runUntil([&] { return t.frame.network().enabled(); }));
  // Without max-period it stays off until dhcp-enable from the same origin.
  run(t.frame, R"({"command":"dhcp-disable","arguments":{"origin":"ha-partner"}})");
  CHECK(resultOf(run(t.frame, R"({"command":"dhcp-disable","arguments":{"origin":"nobody"}})")) == 1);
  run(t.frame, R"({"command":"dhcp-enable"})");
  CHECK_FALSE(t.frame.network().enabled());
  run(t.frame, R"({"command":"dhcp-enable","arguments":{"origin":"ha-partner"}})");
  CHECK(t.frame.network().enabled());

  stats.set("pkt6-received", 7);
  got = run(t.frame, R"({"command":"statistic-get","arguments":{"name":"pkt6-received"}})");
  CHECK(got.find("arguments")->find("pkt6-received")->asList().at(0).asList().at(0).asInt() == 7);
  CHECK(resultOf(run(t.frame, R"({"command":"statistic-reset","arguments":{"name":"nope"}})")) == 1);
  got = run(t.frame, R"({"command":"version-get"})");
  CHECK(got.find("arguments")->find("extended")->asString().find("test build") != std::string::npos);

  // shutdown stops the loop with the exit value once the answer is out.
  got = run(t.frame, R"({"command":"shutdown","arguments":{"exit-value":3}})");
  CHECK(resultOf(got) == 0);
  t.frame.io().restart();
  t.frame.io().run_for(2s);
  CHECK(t.frame.io().stopped());
  CHECK(t.frame.exitCode() == 3);
}
