// SocketSet6 and PacketPath6 with real sockets on ::1: a query sent from a UDP socket of the
// test reaches the server's socket on "lo", goes through the packet path (and, with
// libtest_hooks.so loaded, through the buffer6_*, leases6_committed and pkt6_send points), and
// the reply comes back to the test socket's port.

#include "packet_path6.h"

#include <poll.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "socket_set6.h"
#include "takahe/log/logger.h"
#include "takahe/process/network_state.h"
#include "test_helpers6.h"

using namespace takahe;
using namespace takahe::dhcp6;
using namespace takahe::dhcp6::test;
using dhcp::MessageType6;
using dhcp::Pkt6;

namespace {

const IPv6Address kLoopback = IPv6Address::fromString("::1");

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

/// A port that was free a moment ago (the kernel's choice for a socket then closed).
uint16_t freePort() {
  net::UdpSocket6 probe(kLoopback, 0);
  return probe.localPort();
}

/// What the server needs around a PacketPath6: sockets on "lo" (optionally with the unicast
/// address ::1), the network state, the io-thread queue of posted tasks.
struct PathHarness : Harness6 {
  uint16_t port = freePort();
  SocketSet6 sockets;
  process::NetworkState network;
  log::Logger logger{"takahe-dhcp6"};
  std::mutex mu;
  std::deque<std::function<void()>> posted;
  std::unique_ptr<PacketPath6> path;
  net::UdpSocket6 client{kLoopback, 0};

  explicit PathHarness(bool unicast, std::optional<uint16_t> client_port = std::nullopt)
      : Harness6(twoSubnets("lo")) {
    dhcpsrv::InterfacesConfig6 ifaces;
    ifaces.interfaces.push_back(
        {"lo", unicast ? std::optional<IPv6Address>(kLoopback) : std::nullopt});
    std::vector<std::string> errors, opened;
    sockets.open(ifaces, port, errors, opened);
    INFO("errors: " << (errors.empty() ? "" : errors.front()));
    REQUIRE(errors.empty());
    REQUIRE(sockets.served().size() == 1);
    REQUIRE(opened.size() == (unicast ? 2u : 1u));
    path = std::make_unique<PacketPath6>(PacketPath6::Context{proc, hooks, cfg, network, stats,
                                                              logger, client_port,
                                                              [this](std::function<void()> fn) {
                                                                std::lock_guard lock(mu);
                                                                posted.push_back(std::move(fn));
                                                              },
                                                              &sockets});
  }

  // Parked packets are released (into `posted`) while the path and sockets still exist.
  ~PathHarness() { hooks.manager().unloadAll(); }

  ServedInterface6& served() { return sockets.served().front(); }

  void sendRaw(const Bytes& wire) { REQUIRE(client.send(wire, kLoopback, port, 0)); }
  void send(const Pkt6& q) { sendRaw(q.serialize()); }

  /// Hands what arrived on the server's sockets to the packet path; how many datagrams.
  size_t serve(int timeout_ms = 2000) {
    ServedInterface6& s = served();
    std::vector<net::UdpSocket6*> all{s.socket.get()};
    for (auto& u : s.unicast) all.push_back(u.get());
    std::vector<pollfd> fds;
    for (auto* sock : all) fds.push_back({sock->fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return 0;
    size_t handled = 0;
    std::vector<net::Datagram6> batch;
    for (auto* sock : all) {
      size_t n = sock->receiveBatch(batch, 8);
      for (size_t i = 0; i < n; ++i) path->handle(s, *sock, batch[i]);
      handled += n;
    }
    return handled;
  }

  /// The reply that reached `on` (the client socket by default), if one comes in time.
  std::optional<Pkt6> reply(int timeout_ms = 2000, net::UdpSocket6* on = nullptr,
                            net::Datagram6* raw = nullptr) {
    net::UdpSocket6& sock = on ? *on : client;
    if (!readable(sock.fd(), timeout_ms)) return std::nullopt;
    std::vector<net::Datagram6> batch;
    if (sock.receiveBatch(batch, 1) != 1) return std::nullopt;
    if (raw) *raw = batch[0];
    auto parsed = Pkt6::parse(batch[0].data);
    REQUIRE(parsed);
    return std::move(*parsed);
  }

  /// Runs the tasks posted to the "io thread" so far; how many.
  size_t runPosted() {
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard lock(mu);
      tasks.swap(posted);
    }
    for (auto& t : tasks) t();
    return tasks.size();
  }
  size_t postedCount() {
    std::lock_guard lock(mu);
    return posted.size();
  }
};

Pkt6 solicit(uint8_t client, uint32_t transid) {
  return query6(MessageType6::kSolicit, client, transid);
}

}  // namespace

TEST_CASE("SocketSet6: interfaces that do not exist are reported, the others are opened") {
  testing::quietLogs();
  SocketSet6 set;
  dhcpsrv::InterfacesConfig6 cfg;
  cfg.interfaces.push_back({"no-such-if0", std::nullopt});
  cfg.interfaces.push_back({"lo", kLoopback});
  cfg.interfaces.push_back({"lo", std::nullopt});  // named twice: served once
  std::vector<std::string> errors, opened;
  set.open(cfg, freePort(), errors, opened);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("no-such-if0") != std::string::npos);
  REQUIRE(set.served().size() == 1);
  auto& s = set.served()[0];
  CHECK(s.iface.name == "lo");
  CHECK(s.iface.loopback);
  REQUIRE(s.socket);
  CHECK(s.socket->device() == std::optional<std::string>("lo"));
  REQUIRE(s.unicast.size() == 1);
  CHECK(s.unicast[0]->localAddress() == kLoopback);
  CHECK(s.unicast_allowed);
  CHECK(opened.size() == 2);
  CHECK_FALSE(set.empty());
  CHECK(set.find("lo") == &s);
  CHECK(set.find("eth9") == nullptr);
  set.close();
  CHECK(set.empty());
}

TEST_CASE(
    "SocketSet6: a unicast address the host does not have is an error; the interface is still "
    "served") {
  testing::quietLogs();
  SocketSet6 set;
  dhcpsrv::InterfacesConfig6 cfg;
  cfg.interfaces.push_back({"lo", IPv6Address::fromString("2001:db8::77")});
  std::vector<std::string> errors, opened;
  set.open(cfg, freePort(), errors, opened);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("2001:db8::77") != std::string::npos);
  REQUIRE(set.served().size() == 1);
  CHECK(set.served()[0].unicast.empty());
}

TEST_CASE("PacketPath6: a SOLICIT from a UDP socket on ::1 gets an ADVERTISE back at its port") {
  const bool unicast = GENERATE(false, true);
  INFO((unicast ? "lo/::1" : "lo"));
  PathHarness h(unicast);
  h.send(solicit(1, 0xabcdef));
  REQUIRE(h.serve() == 1);
  net::Datagram6 raw;
  auto adv = h.reply(2000, nullptr, &raw);
  REQUIRE(adv);
  CHECK(adv->msg_type == MessageType6::kAdvertise);
  CHECK(adv->transid == 0xabcdef);
  CHECK(adv->clientId() == clientDuid(1));
  CHECK(adv->serverId() == kServerDuid);
  CHECK(addressOf(*adv) == "2001:db8:1::10");  // subnet 1 is the one on "lo"
  CHECK(raw.remote == kLoopback);
  CHECK(raw.remote_port == h.port);  // from the server port
  CHECK(h.stat("pkt6-received") == 1);
  CHECK(h.stat("pkt6-solicit-received") == 1);
  CHECK(h.stat("pkt6-sent") == 1);
  CHECK(h.stat("pkt6-advertise-sent") == 1);
}

TEST_CASE("PacketPath6: a unicast REQUEST is served only where a unicast address is configured") {
  const bool unicast = GENERATE(false, true);
  PathHarness h(unicast);
  h.send(query6(MessageType6::kRequest, 1, 0x42, "2001:db8:1::10"));
  REQUIRE(h.serve() == 1);
  auto rep = h.reply();
  REQUIRE(rep);
  CHECK(rep->msg_type == MessageType6::kReply);
  if (unicast) {
    CHECK(addressOf(*rep) == "2001:db8:1::10");
    CHECK(h.lease("2001:db8:1::10"));
  } else {
    REQUIRE(rep->status());
    CHECK(rep->status()->code == static_cast<uint16_t>(dhcp::StatusCode6::kUseMulticast));
    CHECK(h.store->size() == 0);
  }
}

TEST_CASE("PacketPath6: a malformed datagram is counted as pkt6-parse-failed and not answered") {
  PathHarness h(false);
  h.sendRaw(Bytes{0x01, 0x02});  // shorter than a DHCPv6 header
  REQUIRE(h.serve() == 1);
  CHECK_FALSE(h.reply(200));
  CHECK(h.stat("pkt6-parse-failed") == 1);
  CHECK(h.stat("pkt6-received") == 1);
  CHECK(h.stat("pkt6-sent") == 0);
  // The server keeps serving.
  h.send(solicit(1, 0x43));
  REQUIRE(h.serve() == 1);
  CHECK(h.reply());
}

TEST_CASE("PacketPath6: with service disabled (dhcp-disable) queries are dropped and counted") {
  PathHarness h(false);
  h.network.disable("user");
  h.send(solicit(1, 0x44));
  REQUIRE(h.serve() == 1);
  CHECK_FALSE(h.reply(200));
  CHECK(h.stat("pkt6-receive-drop") == 1);
  CHECK(h.stat("pkt6-solicit-received") == 0);
  h.network.enable("user");
  h.send(solicit(1, 0x45));
  REQUIRE(h.serve() == 1);
  CHECK(h.reply());
}

TEST_CASE("PacketPath6: without a processor (failed reload) packets are dropped and counted") {
  PathHarness h(false);
  h.proc.reset();
  h.send(solicit(1, 0x46));
  REQUIRE(h.serve() == 1);
  CHECK_FALSE(h.reply(200));
  CHECK(h.stat("pkt6-receive-drop") == 1);
}

TEST_CASE("PacketPath6: -P sends replies to the given port instead of the query's source port") {
  net::UdpSocket6 other(kLoopback, 0);
  PathHarness h(false, other.localPort());
  h.send(solicit(1, 0x47));
  REQUIRE(h.serve() == 1);
  auto adv = h.reply(2000, &other);
  REQUIRE(adv);
  CHECK(adv->transid == 0x47);
  CHECK_FALSE(h.reply(100));  // nothing at the source port
}

TEST_CASE(
    "PacketPath6 hooks: buffer6_receive DROP drops before parsing; pkt6_send DROP sends nothing") {
  PathHarness h(false);
  SECTION("buffer6_receive") {
    h.load(R"("drop-hook": "buffer6_receive")");
    h.send(solicit(1, 0x50));
    REQUIRE(h.serve() == 1);
    CHECK_FALSE(h.reply(200));
    CHECK(h.calls() == Calls{"buffer6_receive"});
    CHECK(h.stat("pkt6-receive-drop") == 1);
    CHECK(h.stat("pkt6-received") == 0);
    CHECK(h.argLines("buffer6_receive").front().find("iface=lo") != std::string::npos);
  }
  SECTION("pkt6_send") {
    h.load(R"("drop-hook": "pkt6_send")");
    h.send(solicit(1, 0x51));
    REQUIRE(h.serve() == 1);
    CHECK_FALSE(h.reply(200));
    CHECK(h.stat("pkt6-sent") == 0);
    CHECK(h.calls() ==
          Calls{"buffer6_receive", "pkt6_receive", "subnet6_select", "lease6_select", "pkt6_send"});
    CHECK(h.argLines("pkt6_send") ==
          Calls{"pkt6_send query6=0x000051/SOLICIT response6=0x000051/ADVERTISE"});
  }
  SECTION("buffer6_send SKIP sends nothing") {
    h.load(R"("skip-hook": "buffer6_send")");
    h.send(solicit(1, 0x52));
    REQUIRE(h.serve() == 1);
    CHECK_FALSE(h.reply(200));
    CHECK(h.stat("pkt6-sent") == 0);
  }
  SECTION("an option set in pkt6_send reaches the client") {
    h.load(R"("set-option": {"code": 41, "data": "45:53:54"})");  // new-posix-timezone "EST"
    h.send(solicit(1, 0x53));
    REQUIRE(h.serve() == 1);
    auto adv = h.reply();
    REQUIRE(adv);
    REQUIRE(adv->option(41));
    CHECK(*adv->option(41) == Bytes{0x45, 0x53, 0x54});
    CHECK(h.stat("pkt6-sent") == 1);
    CHECK(h.argLines("buffer6_send").size() == 1);
  }
}

TEST_CASE(
    "PacketPath6 hooks: leases6_committed sees the leases; a parked reply leaves when unparked") {
  PathHarness h(false);
  SECTION("not parked: leases6_committed lists the REQUEST's lease before the reply is sent") {
    h.load();
    h.send(query6(MessageType6::kRequest, 1, 0x60));  // multicast-less REQUEST on lo: UseMulticast
    REQUIRE(h.serve() == 1);
    REQUIRE(h.reply());
    // UseMulticast commits nothing and is not a lease exchange.
    CHECK(h.argLines("leases6_committed").empty());
    // A rapid-commit SOLICIT is one.
    h.reconfigure(twoSubnets("lo", "", R"("rapid-commit": true, )"));
    Pkt6 sol = solicit(1, 0x61);
    sol.addOption(dhcp::opt6::kRapidCommit, {});
    h.send(sol);
    REQUIRE(h.serve() == 1);
    auto rep = h.reply();
    REQUIRE(rep);
    CHECK(rep->msg_type == MessageType6::kReply);
    CHECK(
        h.argLines("leases6_committed") ==
        Calls{
            "leases6_committed deleted_leases6=- leases6=2001:db8:1::10 query6=0x000061/SOLICIT"});
    auto calls = h.calls();
    REQUIRE(calls.size() >= 3);
    CHECK(calls[calls.size() - 3] == "leases6_committed");
    CHECK(calls[calls.size() - 2] == "pkt6_send");
    CHECK(calls.back() == "buffer6_send");
  }
  SECTION("parked: no reply until the library unparks it, then it is sent from the io thread") {
    h.reconfigure(twoSubnets("lo", "", R"("rapid-commit": true, )"));
    h.load(R"("park-ms": 300)");
    Pkt6 sol = solicit(1, 0x62);
    sol.addOption(dhcp::opt6::kRapidCommit, {});
    h.send(sol);
    REQUIRE(h.serve() == 1);
    CHECK(h.hooks.manager().parkingLot(h.hooks.leases6_committed).size() == 1);
    CHECK(h.lease("2001:db8:1::10"));  // committed before the library was told
    CHECK_FALSE(h.reply(100));
    CHECK(h.argLines("pkt6_send").empty());
    // The library's thread unparks after 300 ms: the send is posted to the io thread.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (h.postedCount() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_FALSE(h.reply(50));  // still nothing until the io thread runs it
    REQUIRE(h.runPosted() == 1);
    auto rep = h.reply();
    REQUIRE(rep);
    CHECK(rep->msg_type == MessageType6::kReply);
    CHECK(rep->transid == 0x62);
    CHECK(addressOf(*rep) == "2001:db8:1::10");
    CHECK(h.stat("pkt6-sent") == 1);
    CHECK(h.hooks.manager().parkingLot(h.hooks.leases6_committed).size() == 0);
  }
  SECTION("parked beyond parked-packet-limit: dropped and counted") {
    h.reconfigure(twoSubnets("lo", "", R"("rapid-commit": true, )"));
    h.hooks.manager().setParkingLimit(1);
    h.load(R"("park-ms": 60000)");
    for (uint8_t c : {1, 2}) {
      Pkt6 sol = solicit(c, 0x70 + c);
      sol.addOption(dhcp::opt6::kRapidCommit, {});
      h.send(sol);
      REQUIRE(h.serve() == 1);
    }
    CHECK(h.hooks.manager().parkingLot(h.hooks.leases6_committed).size() == 1);
    CHECK(h.stat("pkt6-receive-drop") == 1);
    h.hooks.manager().unloadAll();  // releases what is parked
    h.runPosted();
  }
}
