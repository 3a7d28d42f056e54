#include "takahe/net/udp_socket6.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "takahe/util/error.h"
#include "takahe/util/time.h"
#include "test_util.h"

using namespace takahe;
using namespace takahe::net;
using takahe::net::testing::waitReadable;

namespace {

const IPv6Address kLoopback6 = IPv6Address::fromString("::1");
const IPv6Address kAny6;
const IPv6Address kRelayAgentsAndServers = IPv6Address::fromString("ff02::1:2");

unsigned loIndex() { return ::if_nametoindex("lo"); }

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

OutboundPacket6 udpTo(const UdpSocket6& to, std::span<const uint8_t> payload) {
  OutboundPacket6 p;
  p.payload = payload;
  p.dst_addr = kLoopback6;
  p.dst_port = to.localPort();
  return p;
}

// Collects up to `want` datagrams, waiting at most ~1 s per poll and giving up after `max_calls`
// receiveBatch() calls.
std::vector<Datagram6> receiveSome(UdpSocket6& s, size_t want, size_t max_per_call, int max_calls,
                                   int* calls_made = nullptr) {
  std::vector<Datagram6> got;
  std::vector<Datagram6> batch;
  int calls = 0;
  while (got.size() < want && calls < max_calls) {
    if (!waitReadable(s.fd(), 1000)) {
      break;
    }
    ++calls;
    size_t n = s.receiveBatch(batch, max_per_call);
    for (size_t i = 0; i < n; ++i) {
      got.push_back(batch[i]);
    }
  }
  if (calls_made != nullptr) {
    *calls_made = calls;
  }
  return got;
}

// A plain IPv6 UDP socket without SO_REUSEADDR bound to [addr]:0; returns its fd and port.
int holdPort(const IPv6Address& addr, int family, uint16_t* port) {
  int fd = ::socket(family, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  if (family == AF_INET6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, addr.bytes().data(), 16);
    sa.sin6_port = htons(*port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
    socklen_t len = sizeof(sa);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    *port = ntohs(sa.sin6_port);
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(*port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  }
  return fd;
}

}  // namespace

TEST_CASE("A UDP/IPv6 socket bound to port 0 reports the port the kernel chose") {
  UdpSocket6 s(kLoopback6, 0);
  CHECK(s.localPort() != 0);
  CHECK(s.localAddress() == kLoopback6);
  CHECK_FALSE(s.device());
  CHECK(s.deviceIndex() == 0);
  CHECK(s.describe() == "udp6 [::1]:" + std::to_string(s.localPort()));
}

TEST_CASE("An idle UDP/IPv6 socket returns 0 at once instead of blocking") {
  UdpSocket6 s(kLoopback6, 0);
  std::vector<Datagram6> out;
  const int64_t start = monotonicMicros();
  CHECK(s.receiveBatch(out, 32) == 0);
  CHECK(monotonicMicros() - start < 100000);
  CHECK(s.lastError().empty());
}

TEST_CASE("A datagram between two ::1 sockets carries addresses, ports and the lo ifindex") {
  UdpSocket6 a(kLoopback6, 0);
  UdpSocket6 b(kLoopback6, 0);
  const Bytes payload = text("SOLICIT");
  REQUIRE(a.send(udpTo(b, payload)));

  auto got = receiveSome(b, 1, 32, 3);
  REQUIRE(got.size() == 1);
  const Datagram6& d = got[0];
  CHECK(d.data == payload);
  CHECK(d.remote == kLoopback6);
  CHECK(d.remote_port == a.localPort());
  CHECK(d.local == kLoopback6);
  CHECK(d.local_port == b.localPort());
  CHECK(d.ifindex == loIndex());
  CHECK(d.ifname == "lo");
  CHECK_FALSE(d.toMulticast());
  CHECK(d.rx_time_us > 0);
  CHECK(d.rx_time_us <= monotonicMicros());
}

TEST_CASE("A socket bound to :: learns the destination address and interface from pktinfo") {
  UdpSocket6 any(kAny6, 0);
  UdpSocket6 client(kLoopback6, 0);
  CHECK(any.describe() == "udp6 [::]:" + std::to_string(any.localPort()));
  const Bytes payload = text("to the wildcard socket");
  // The shorthand send(data, to, port, ifindex) with an explicit outgoing interface.
  REQUIRE(client.send(payload, kLoopback6, any.localPort(), loIndex()));

  auto got = receiveSome(any, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0].data == payload);
  CHECK(got[0].local == kLoopback6);
  CHECK(got[0].ifindex == loIndex());
  CHECK(got[0].remote_port == client.localPort());

  // And the wildcard socket answers the sender on the interface it came from.
  const Bytes reply = text("reply");
  REQUIRE(any.send(reply, got[0].remote, got[0].remote_port, got[0].ifindex));
  auto back = receiveSome(client, 1, 32, 3);
  REQUIRE(back.size() == 1);
  CHECK(back[0].data == reply);
  CHECK(back[0].remote_port == any.localPort());
}

TEST_CASE("receiveBatch reads 100 queued IPv6 datagrams in a few calls, in order") {
  UdpSocket6 a(kLoopback6, 0);
  UdpSocket6 b(kLoopback6, 0, std::nullopt, 1 << 20);
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

TEST_CASE("receiveBatch on IPv6 honours max and reuses the caller's buffers") {
  UdpSocket6 a(kLoopback6, 0);
  UdpSocket6 b(kLoopback6, 0);
  const Bytes big(1200, 0xab);
  const Bytes small = text("tiny");
  REQUIRE(a.send(udpTo(b, big)));
  REQUIRE(a.send(udpTo(b, big)));
  REQUIRE(a.send(udpTo(b, small)));
  REQUIRE(waitReadable(b.fd(), 1000));

  std::vector<Datagram6> out;
  REQUIRE(b.receiveBatch(out, 2) == 2);
  REQUIRE(out.size() == 2);
  CHECK(out[0].data == big);
  CHECK(out[1].data == big);
  const uint8_t* first_buffer = out[0].data.data();

  REQUIRE(waitReadable(b.fd(), 1000));
  REQUIRE(b.receiveBatch(out, 2) == 1);
  CHECK(out[0].data == small);
  CHECK(out[0].data.data() == first_buffer);
  CHECK(out.size() == 2);  // never shrunk
}

TEST_CASE("A datagram longer than the receive slot is dropped and counted as truncated") {
  UdpSocket6 a(kLoopback6, 0);
  UdpSocket6 b({.address = kLoopback6, .port = 0, .max_datagram_bytes = 512});
  const Bytes too_long(513, 0x11);
  const Bytes exact(512, 0x22);
  const Bytes small = text("after");
  REQUIRE(a.send(udpTo(b, too_long)));
  REQUIRE(a.send(udpTo(b, exact)));
  REQUIRE(a.send(udpTo(b, small)));

  auto got = receiveSome(b, 2, 32, 3);
  REQUIRE(got.size() == 2);
  CHECK(got[0].data == exact);
  CHECK(got[1].data == small);
  CHECK(b.droppedTruncated() == 1);
  CHECK(b.droppedMalformed() == 0);
}

TEST_CASE("A socket bound to device lo receives through it and reports the device") {
  UdpSocket6 a(kLoopback6, 0);
  UdpSocket6 b(kAny6, 0, std::string("lo"));
  CHECK(b.describe() == "udp6 [::]:" + std::to_string(b.localPort()) + " device lo");
  CHECK(b.device() == std::optional<std::string>("lo"));
  CHECK(b.deviceIndex() == loIndex());
  const Bytes payload = text("via lo");
  REQUIRE(a.send(udpTo(b, payload)));
  auto got = receiveSome(b, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0].ifname == "lo");
  CHECK(got[0].local == kLoopback6);
}

TEST_CASE("A unicast socket and a wildcard socket of one device share the port") {
  // The server layout: [::]:P on the device for multicast, [address]:P on the same device for
  // clients allowed to unicast. Unicast to the address reaches the address-bound socket.
  UdpSocket6 wildcard(kAny6, 0, std::string("lo"));
  UdpSocket6 unicast(kLoopback6, wildcard.localPort(), std::string("lo"));
  UdpSocket6 client(kLoopback6, 0);
  const Bytes payload = text("unicast");
  REQUIRE(client.send(payload, kLoopback6, wildcard.localPort(), 0));

  auto got = receiveSome(unicast, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(got[0].local == kLoopback6);
  std::vector<Datagram6> out;
  CHECK(wildcard.receiveBatch(out, 32) == 0);
}

TEST_CASE("IPV6_V6ONLY leaves the IPv4 port of the same number free") {
  UdpSocket6 any(kAny6, 0);
  uint16_t port = any.localPort();
  // Without IPV6_V6ONLY this bind would fail: [::]:P would also own 0.0.0.0:P.
  const int v4 = holdPort(IPv6Address(), AF_INET, &port);
  ::close(v4);

  const Bytes payload = text("x");
  CHECK_FALSE(any.send(payload, IPv6Address::fromString("::ffff:127.0.0.1"), port, 0));
  CHECK_THAT(any.lastError(), Catch::Contains("sendmsg to [::ffff:127.0.0.1]:"));
}

TEST_CASE("Binding an IPv6 address and port in use names both and the reason") {
  uint16_t port = 0;
  const int holder = holdPort(kLoopback6, AF_INET6, &port);
  CHECK_THROWS_WITH(
      UdpSocket6(kLoopback6, port),
      "cannot bind UDP socket to [::1]:" + std::to_string(port) + ": Address already in use");
  ::close(holder);
}

TEST_CASE("UDP/IPv6 constructor errors name the address, device and reason") {
  SECTION("an address this host does not have") {
    CHECK_THROWS_WITH(UdpSocket6(IPv6Address::fromString("2001:db8::1"), 0),
                      "cannot bind UDP socket to [2001:db8::1]:0: Cannot assign requested address");
  }
  SECTION("a link-local address without a device") {
    CHECK_THROWS_WITH(UdpSocket6(IPv6Address::fromString("fe80::1"), 547),
                      Catch::Contains("[fe80::1]:547") && Catch::Contains("needs a device"));
  }
  SECTION("a device that does not exist") {
    CHECK_THROWS_AS(UdpSocket6(kAny6, 0, std::string("tkh-no-such-if")), Error);
    CHECK_THROWS_WITH(
        UdpSocket6(kAny6, 0, std::string("tkh-no-such-if")),
        Catch::Contains("device tkh-no-such-if") && Catch::Contains("No such device"));
  }
  SECTION("a multicast group as bind address") {
    CHECK_THROWS_WITH(UdpSocket6(kRelayAgentsAndServers, 547),
                      Catch::Contains("[ff02::1:2]:547") && Catch::Contains("join the group"));
  }
  SECTION("a receive slot of 0 bytes") {
    CHECK_THROWS_WITH(UdpSocket6({.address = kLoopback6, .max_datagram_bytes = 0}),
                      Catch::Contains("maximum datagram size 0"));
  }
  SECTION("an invalid multicast hop limit") {
    CHECK_THROWS_WITH(
        UdpSocket6({.address = kLoopback6, .multicast_hops = 300}),
        Catch::Contains("IPV6_MULTICAST_HOPS") && Catch::Contains("Invalid argument"));
  }
}

TEST_CASE("UDP/IPv6 send failures return false with a reason instead of throwing") {
  UdpSocket6 a(kLoopback6, 0);
  const Bytes payload = text("x");
  SECTION("a link-local destination without an interface") {
    CHECK_FALSE(a.send(payload, IPv6Address::fromString("fe80::1"), 546, 0));
    CHECK_THAT(a.lastError(), Catch::Contains("sendmsg to [fe80::1]:546") &&
                                  Catch::Contains("needs an interface index"));
  }
  SECTION("a link-scope multicast group without an interface") {
    CHECK_FALSE(a.send(payload, kRelayAgentsAndServers, 547, 0));
    CHECK_THAT(a.lastError(), Catch::Contains("needs an interface index"));
  }
  SECTION("an interface index that does not exist") {
    CHECK_FALSE(a.send(payload, kLoopback6, a.localPort(), 999999));
    CHECK_THAT(
        a.lastError(),
        Catch::StartsWith("sendmsg to [::1]:" + std::to_string(a.localPort()) + " via #999999"));
  }
  SECTION("a source address this host does not have") {
    OutboundPacket6 p = udpTo(a, payload);
    p.src_addr = IPv6Address::fromString("2001:db8::99");
    CHECK_FALSE(a.send(p));
    CHECK_THAT(a.lastError(), Catch::Contains("from 2001:db8::99"));
  }
  SECTION("a datagram too large for UDP") {
    const Bytes huge(70000, 0);
    CHECK_FALSE(a.send(udpTo(a, huge)));
    CHECK_THAT(a.lastError(), Catch::Contains("Message too long"));
  }
}

TEST_CASE("Multicast membership: join is idempotent, bad requests are control-plane errors") {
  UdpSocket6 s(kAny6, 0);
  const unsigned lo = loIndex();
  SECTION("join, join again, leave, leave again") {
    CHECK_NOTHROW(s.joinMulticast(lo, kRelayAgentsAndServers));
    CHECK_NOTHROW(s.joinMulticast(lo, kRelayAgentsAndServers));
    CHECK_NOTHROW(s.joinMulticast(lo, IPv6Address::fromString("ff05::1:3")));
    CHECK(s.leaveMulticast(lo, kRelayAgentsAndServers));
    CHECK_FALSE(s.leaveMulticast(lo, kRelayAgentsAndServers));
    CHECK_THAT(s.lastError(), Catch::StartsWith("cannot leave multicast group ff02::1:2 on lo"));
  }
  SECTION("a unicast address is not a group") {
    CHECK_THROWS_WITH(s.joinMulticast(lo, kLoopback6),
                      Catch::Contains("group ::1") && Catch::Contains("not a multicast address"));
  }
  SECTION("interface 0 is refused") {
    CHECK_THROWS_WITH(s.joinMulticast(0, kRelayAgentsAndServers),
                      Catch::Contains("interface index is required"));
  }
  SECTION("an unknown interface") {
    CHECK_THROWS_WITH(s.joinMulticast(999999, kRelayAgentsAndServers),
                      Catch::Contains("ff02::1:2 on #999999") && Catch::Contains("No such device"));
  }
  SECTION("another interface than the socket's device") {
    UdpSocket6 bound(kAny6, 0, std::string("lo"));
    CHECK_THROWS_WITH(bound.joinMulticast(lo + 1000, kRelayAgentsAndServers),
                      Catch::Contains("bound to device lo"));
    CHECK_NOTHROW(bound.joinMulticast(lo, kRelayAgentsAndServers));
  }
}
