#include "takahe/net/udp_socket.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "takahe/util/error.h"
#include "takahe/util/time.h"
#include "test_util.h"

using namespace takahe;
using namespace takahe::net;
using takahe::net::testing::receiveSome;
using takahe::net::testing::waitReadable;

namespace {

const IPv4Address kLoopback = IPv4Address::fromString("127.0.0.1");

OutboundPacket4 udpTo(const UdpSocket4& to, std::span<const uint8_t> payload) {
  OutboundPacket4 p;
  p.payload = payload;
  p.dst_addr = kLoopback;
  p.dst_port = to.localPort();
  return p;
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("A UDP socket bound to port 0 reports the port the kernel chose") {
  UdpSocket4 s(kLoopback, 0);
  CHECK(s.localPort() != 0);
  CHECK(s.localAddress() == kLoopback);
  CHECK(s.kind() == SocketKind::kUdp);
  CHECK(s.describe() == "udp 127.0.0.1:" + std::to_string(s.localPort()));
}

TEST_CASE("An idle UDP socket returns 0 at once instead of blocking") {
  UdpSocket4 s(kLoopback, 0);
  std::vector<Datagram4> out;
  const int64_t start = monotonicMicros();
  CHECK(s.receiveBatch(out, 32) == 0);
  CHECK(monotonicMicros() - start < 100000);
  CHECK(s.lastError().empty());
}

TEST_CASE("A datagram between two loopback sockets carries addresses, ports and ifindex") {
  UdpSocket4 a(kLoopback, 0);
  UdpSocket4 b(kLoopback, 0);
  const Bytes payload = text("DISCOVER");
  REQUIRE(a.send(udpTo(b, payload)));

  auto got = receiveSome(b, 1, 32, 3);
  REQUIRE(got.size() == 1);
  const Datagram4& d = got[0];
  CHECK(d.data == payload);
  CHECK(d.remote_addr == kLoopback);
  CHECK(d.remote_port == a.localPort());
  CHECK(d.local_addr == kLoopback);
  CHECK(d.local_port == b.localPort());
  CHECK(d.ifindex == static_cast<int>(if_nametoindex("lo")));
  CHECK(d.ifname == "lo");
  CHECK(d.remote_hw.empty());
  CHECK(d.rx_time_us > 0);
  CHECK(d.rx_time_us <= monotonicMicros());
}

TEST_CASE("receiveBatch reads 100 queued datagrams in a few calls, in order") {
  UdpSocket4 a(kLoopback, 0);
  UdpSocket4 b(kLoopback, 0, std::nullopt, 1 << 20);
  for (int i = 0; i < 100; ++i) {
    const Bytes payload = text("packet-" + std::to_string(i));
    REQUIRE(a.send(udpTo(b, payload)));
  }
  int calls = 0;
  auto got = receiveSome(b, 100, 100, 10, &calls);
  REQUIRE(got.size() == 100);
  CHECK(calls <= 3);
  for (int i = 0; i < 100; ++i) {
    CHECK(got[static_cast<size_t>(i)].data == text("packet-" + std::to_string(i)));
  }
  CHECK(b.droppedMalformed() == 0);
  CHECK(b.droppedTruncated() == 0);
}

TEST_CASE("receiveBatch honours max and reuses the caller's buffers") {
  UdpSocket4 a(kLoopback, 0);
  UdpSocket4 b(kLoopback, 0);
  const Bytes big(1200, 0xab);
  const Bytes small = text("tiny");
  REQUIRE(a.send(udpTo(b, big)));
  REQUIRE(a.send(udpTo(b, big)));
  REQUIRE(a.send(udpTo(b, small)));
  REQUIRE(waitReadable(b.fd(), 1000));

  std::vector<Datagram4> out;
  REQUIRE(b.receiveBatch(out, 2) == 2);
  REQUIRE(out.size() == 2);
  CHECK(out[0].data == big);
  CHECK(out[1].data == big);
  const uint8_t* first_buffer = out[0].data.data();

  REQUIRE(waitReadable(b.fd(), 1000));
  REQUIRE(b.receiveBatch(out, 2) == 1);
  // The slot is overwritten with exactly the new datagram, in the same allocation.
  CHECK(out[0].data == small);
  CHECK(out[0].data.data() == first_buffer);
  CHECK(out.size() == 2);  // never shrunk
}

TEST_CASE("A source address chosen with IP_PKTINFO is the one the receiver sees") {
  UdpSocket4 any(IPv4Address(), 0);
  UdpSocket4 b(kLoopback, 0);
  const Bytes payload = text("from 127.0.0.2");
  OutboundPacket4 p = udpTo(b, payload);
  p.src_addr = IPv4Address::fromString("127.0.0.2");
  p.ifindex = static_cast<int>(if_nametoindex("lo"));
  REQUIRE(any.send(p));
  auto got = receiveSome(b, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0].remote_addr == IPv4Address::fromString("127.0.0.2"));
  CHECK(got[0].remote_port == any.localPort());
}

TEST_CASE("A socket bound to a device only sees traffic of that device") {
  UdpSocket4 a(kLoopback, 0);
  UdpSocket4 b(IPv4Address(), 0, std::string("lo"));
  CHECK(b.describe() == "udp 0.0.0.0:" + std::to_string(b.localPort()) + " device lo");
  const Bytes payload = text("via lo");
  REQUIRE(a.send(udpTo(b, payload)));
  auto got = receiveSome(b, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0].ifname == "lo");
  CHECK(got[0].local_addr == kLoopback);
}

TEST_CASE("Binding an address and port in use names both and the reason") {
  // A plain socket without SO_REUSEADDR holds the port.
  int holder = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(holder >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  socklen_t len = sizeof(sa);
  REQUIRE(::getsockname(holder, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  const uint16_t port = ntohs(sa.sin_port);

  const std::string expected =
      "cannot bind UDP socket to 127.0.0.1:" + std::to_string(port) + ": Address already in use";
  CHECK_THROWS_WITH(UdpSocket4(kLoopback, port), expected);
  ::close(holder);
}

TEST_CASE("Binding to a missing device is a control-plane error naming the device") {
  CHECK_THROWS_AS(UdpSocket4(kLoopback, 0, std::string("tkh-no-such-if")), Error);
  CHECK_THROWS_WITH(UdpSocket4(kLoopback, 0, std::string("tkh-no-such-if")),
                    Catch::Contains("device tkh-no-such-if") && Catch::Contains("No such device"));
}

TEST_CASE("Send failures return false with a reason instead of throwing") {
  UdpSocket4 a(kLoopback, 0);
  const Bytes payload = text("x");
  SECTION("raw frame delivery is not possible on a UDP socket") {
    OutboundPacket4 p = udpTo(a, payload);
    p.delivery = Delivery::kRawFrame;
    CHECK_FALSE(a.send(p));
    CHECK_THAT(a.lastError(), Catch::Contains("raw frame delivery"));
  }
  SECTION("an interface index that does not exist") {
    OutboundPacket4 p = udpTo(a, payload);
    p.ifindex = 999999;
    CHECK_FALSE(a.send(p));
    CHECK_THAT(a.lastError(), Catch::Contains("sendmsg to 127.0.0.1:"));
  }
  SECTION("a datagram too large for UDP") {
    const Bytes huge(70000, 0);
    CHECK_FALSE(a.send(udpTo(a, huge)));
    CHECK_THAT(a.lastError(), Catch::Contains("Message too long"));
  }
}

TEST_CASE("discardPending empties the queue and counts what it dropped") {
  UdpSocket4 a(kLoopback, 0);
  UdpSocket4 b(kLoopback, 0);
  const Bytes payload = text("dup");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(a.send(udpTo(b, payload)));
  }
  REQUIRE(waitReadable(b.fd(), 1000));
  size_t discarded = 0;
  for (int i = 0; i < 10 && discarded < 5; ++i) {
    discarded += b.discardPending(100);
  }
  CHECK(discarded == 5);
  std::vector<Datagram4> out;
  CHECK(b.receiveBatch(out, 32) == 0);
}

TEST_CASE("The receive buffer size can be raised") {
  UdpSocket4 small(kLoopback, 0);
  UdpSocket4 big(kLoopback, 0, std::nullopt, 4 << 20);
  if (::geteuid() == 0) {
    // Root may exceed net.core.rmem_max with SO_RCVBUFFORCE, so the size is exact.
    CHECK(big.receiveBufferBytes() == (4u << 20));
  }
  CHECK(big.receiveBufferBytes() > small.receiveBufferBytes());
}
