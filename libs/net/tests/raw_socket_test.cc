#include "takahe/net/raw_socket.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "takahe/net/frame.h"
#include "takahe/net/interface.h"
#include "takahe/net/udp_socket.h"
#include "takahe/util/error.h"
#include "test_util.h"

// Raw sockets on the loopback interface. They need CAP_NET_RAW; without it these tests say so
// and return (the namespace test net-raw covers real Ethernet links).

using namespace takahe;
using namespace takahe::net;
using takahe::net::testing::receiveSome;
using takahe::net::testing::waitReadable;

namespace {

const IPv4Address kLoopback = IPv4Address::fromString("127.0.0.1");

bool haveRawSockets() {
  if (::geteuid() != 0) {
    WARN("not root: raw socket tests skipped");
    return false;
  }
  return true;
}

Interface loopback() {
  auto lo = findInterface("lo");
  REQUIRE(lo);
  return *lo;
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("A raw socket on lo receives a UDP datagram to its port exactly once") {
  if (!haveRawSockets()) {
    return;
  }
  // The companion UDP socket picks a free port and keeps the kernel from answering ICMP.
  UdpSocket4 companion(kLoopback, 0);
  RawSocket4 raw(loopback(), companion.localPort());
  UdpSocket4 client(kLoopback, 0);
  UdpSocket4 other(kLoopback, 0);
  CHECK(raw.kind() == SocketKind::kRaw);
  CHECK(raw.describe() == "raw lo port " + std::to_string(companion.localPort()));

  // Traffic to another port must not pass the filter.
  const Bytes noise = text("not for the server");
  OutboundPacket4 to_other;
  to_other.payload = noise;
  to_other.dst_addr = kLoopback;
  to_other.dst_port = other.localPort();
  REQUIRE(client.send(to_other));

  const Bytes payload = text("REQUEST");
  OutboundPacket4 p;
  p.payload = payload;
  p.dst_addr = kLoopback;
  p.dst_port = companion.localPort();
  REQUIRE(client.send(p));

  auto got = receiveSome(raw, 1, 32, 3);
  REQUIRE(got.size() == 1);
  const Datagram4& d = got[0];
  CHECK(d.data == payload);
  CHECK(d.remote_addr == kLoopback);
  CHECK(d.remote_port == client.localPort());
  CHECK(d.local_addr == kLoopback);
  CHECK(d.local_port == companion.localPort());
  CHECK(d.remote_hw.bytes == Bytes(6, 0));
  CHECK(d.ifname == "lo");
  CHECK(d.ifindex == loopback().index);

  // On lo every frame passes the tap twice (outgoing, then incoming): the outgoing copy must
  // have been skipped, so nothing else is queued.
  CHECK_FALSE(waitReadable(raw.fd(), 200));
  std::vector<Datagram4> out;
  CHECK(raw.receiveBatch(out, 32) == 0);
  CHECK(raw.droppedMalformed() == 0);

  // The kernel delivered the same datagram to the companion socket too.
  auto copy = receiveSome(companion, 1, 32, 3);
  REQUIRE(copy.size() == 1);
  CHECK(copy[0].data == payload);
}

TEST_CASE("A frame sent on a raw socket is a valid IPv4/UDP frame on the wire") {
  if (!haveRawSockets()) {
    return;
  }
  // Linux routes no frame injected on lo to 127.0.0.0/8 into its IP stack (martian), so a
  // second raw socket, on the destination port, reads the frame as the wire carries it.
  UdpSocket4 companion(kLoopback, 0);
  UdpSocket4 client(kLoopback, 0);
  RawSocket4 raw(loopback(), companion.localPort());
  RawSocket4 sniffer(loopback(), client.localPort());

  const Bytes payload = text("OFFER via raw frame");
  OutboundPacket4 p;
  p.payload = payload;
  p.dst_addr = kLoopback;
  p.dst_port = client.localPort();
  p.src_addr = IPv4Address::fromString("127.0.0.3");
  p.dst_hw = HwAddr(1, Bytes(6, 0));  // lo's own MAC, so the frame counts as for this host
  p.delivery = Delivery::kRawFrame;
  REQUIRE(raw.send(p));

  // parseUdpFrame checks the IP and UDP checksums: a bad one would be counted as malformed.
  auto got = receiveSome(sniffer, 1, 32, 3);
  REQUIRE(got.size() == 1);
  CHECK(sniffer.droppedMalformed() == 0);
  CHECK(got[0].data == payload);
  CHECK(got[0].remote_addr == IPv4Address::fromString("127.0.0.3"));
  CHECK(got[0].remote_port == companion.localPort());  // src_port 0 -> the server port
  CHECK(got[0].remote_hw.bytes == Bytes(6, 0));        // lo's own MAC as the source
  CHECK(got[0].local_addr == kLoopback);
  CHECK(got[0].local_port == client.localPort());

  // A frame to another host's MAC is dropped and counted, not delivered.
  p.dst_hw = HwAddr(1, Bytes{0x02, 0, 0, 0, 0, 0x42});
  REQUIRE(raw.send(p));
  REQUIRE(waitReadable(sniffer.fd(), 1000));
  std::vector<Datagram4> out;
  CHECK(sniffer.receiveBatch(out, 32) == 0);
  CHECK(sniffer.droppedNotForUs() == 1);
  CHECK(sniffer.droppedMalformed() == 0);
}

TEST_CASE("Raw send failures return false with a reason") {
  if (!haveRawSockets()) {
    return;
  }
  UdpSocket4 companion(kLoopback, 0);
  RawSocket4 raw(loopback(), companion.localPort());
  const Bytes payload = text("x");
  OutboundPacket4 p;
  p.payload = payload;
  p.dst_addr = kLoopback;
  p.dst_port = 9;
  p.delivery = Delivery::kRawFrame;

  SECTION("UDP delivery on a raw socket") {
    p.delivery = Delivery::kUdp;
    CHECK_FALSE(raw.send(p));
    CHECK_THAT(raw.lastError(), Catch::Contains("UDP delivery"));
  }
  SECTION("another interface") {
    p.ifindex = loopback().index + 1000;
    CHECK_FALSE(raw.send(p));
    CHECK_THAT(raw.lastError(), Catch::Contains("interface index"));
  }
  SECTION("a hardware address that is not 6 bytes") {
    p.dst_hw = HwAddr(1, Bytes{1, 2, 3});
    CHECK_FALSE(raw.send(p));
    CHECK_THAT(raw.lastError(), Catch::Contains("01:02:03"));
  }
  SECTION("a payload too large for UDP") {
    const Bytes huge(kMaxUdpPayload + 1, 0);
    p.payload = huge;
    CHECK_FALSE(raw.send(p));
    CHECK_THAT(raw.lastError(), Catch::Contains("too long"));
  }
}

TEST_CASE("A raw socket refuses interfaces without Ethernet framing") {
  Interface tun;
  tun.name = "tkh-tun";
  tun.index = 1;
  tun.link_type = 65534;  // ARPHRD_NONE
  CHECK_THROWS_WITH(RawSocket4(tun, 67),
                    Catch::Contains("tkh-tun") && Catch::Contains("not an Ethernet interface"));
}
