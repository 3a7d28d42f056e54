#include "takahe/dhcp/pkt4.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <initializer_list>

using namespace takahe;
using namespace takahe::dhcp;

namespace {

// The fixed 236-byte BOOTP part as a capture shows it: op..giaddr, chaddr, then sname/file.
Bytes bootpHeader(uint8_t op, uint32_t xid, uint16_t flags, std::array<uint8_t, 4> giaddr = {},
                  uint8_t hops = 0) {
  Bytes b = {op, 0x01, 0x06, hops, static_cast<uint8_t>(xid >> 24), static_cast<uint8_t>(xid >> 16),
             static_cast<uint8_t>(xid >> 8), static_cast<uint8_t>(xid), 0x00, 0x03,      // secs
             static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags), 0, 0, 0, 0,  // ciaddr
             0, 0, 0, 0,                                                                 // yiaddr
             0, 0, 0, 0,                                                                 // siaddr
             giaddr[0], giaddr[1], giaddr[2], giaddr[3],
             // chaddr: 52:54:00:12:34:56 + 10 bytes padding
             0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  b.resize(Pkt4::kHeaderSize, 0);  // sname[64] + file[128]
  return b;
}

void append(Bytes& b, std::initializer_list<uint8_t> bytes) { b.insert(b.end(), bytes); }

const Bytes kCookie = {0x63, 0x82, 0x53, 0x63};

// A DHCPDISCOVER the way dhclient sends it.
Bytes discoverBytes() {
  Bytes b = bootpHeader(1, 0x3903f326, 0x8000);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {53, 1, 1});                                         // DHCPDISCOVER
  append(b, {61, 7, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56});  // client id
  append(b, {50, 4, 192, 0, 2, 55});                             // requested address
  append(b, {12, 5, 'h', 'o', 's', 't', '1'});                   // host name
  append(b, {57, 2, 0x05, 0xdc});                                // max message size 1500
  append(b, {55, 7, 1, 28, 2, 3, 15, 6, 12});                    // parameter request list
  append(b, {255});
  b.resize(300, 0);
  return b;
}

// A DHCPREQUEST relayed by 10.1.2.1 with relay agent information (circuit-id, remote-id,
// link-selection).
Bytes relayedRequestBytes() {
  Bytes b = bootpHeader(1, 0xdeadbeef, 0, {10, 1, 2, 1}, 1);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {53, 1, 3});
  append(b, {54, 4, 192, 0, 2, 1});
  append(b, {50, 4, 10, 1, 2, 50});
  append(b, {82, 22,                                      //
             1,  6,  'e',  't',  'h',  '0',  '/',  '1',   // circuit-id
             2,  6,  0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,  // remote-id
             5,  4,  10,   1,    3,    0});               // link-selection
  append(b, {255});
  return b;
}

Pkt4 mustParse(const Bytes& b) {
  auto r = Pkt4::parse(b);
  INFO((r ? std::string() : r.error().reason));
  REQUIRE(r.ok());
  return *r;
}

std::string parseError(const Bytes& b) {
  auto r = Pkt4::parse(b);
  REQUIRE_FALSE(r.ok());
  return r.error().reason;
}

}  // namespace

TEST_CASE("a captured-style DISCOVER parses into header fields and typed options") {
  Pkt4 p = mustParse(discoverBytes());
  CHECK(p.op == 1);
  CHECK(p.xid == 0x3903f326u);
  CHECK(p.secs == 3);
  CHECK(p.broadcastFlag());
  CHECK_FALSE(p.isRelayed());
  CHECK(p.messageType() == MessageType::kDiscover);
  CHECK(p.hwAddr() == HwAddr(1, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  REQUIRE(p.clientId());
  CHECK(p.clientId()->toString() == "01:52:54:00:12:34:56");
  CHECK(p.requestedAddress() == IPv4Address::fromString("192.0.2.55"));
  CHECK(p.hostName() == "host1");
  CHECK(p.maxMessageSize() == 1500);
  CHECK(p.parameterRequestList() == std::vector<uint8_t>{1, 28, 2, 3, 15, 6, 12});
  CHECK_FALSE(p.serverId());
  CHECK(p.label() == "DHCPDISCOVER xid=0x3903f326 hw=1/52:54:00:12:34:56 cid=01:52:54:00:12:34:56");
  // Options keep their wire order.
  std::vector<uint8_t> codes;
  for (const auto& o : p.options()) {
    codes.push_back(o.code);
  }
  CHECK(codes == std::vector<uint8_t>{53, 61, 50, 12, 57, 55});
}

TEST_CASE("a relayed REQUEST exposes giaddr and relay agent sub-options") {
  Pkt4 p = mustParse(relayedRequestBytes());
  CHECK(p.isRelayed());
  CHECK(p.hops == 1);
  CHECK(p.giaddr == IPv4Address::fromString("10.1.2.1"));
  CHECK(p.messageType() == MessageType::kRequest);
  CHECK(p.serverId() == IPv4Address::fromString("192.0.2.1"));
  CHECK(p.relayAgentSubOption(rai::kCircuitId) == Bytes{'e', 't', 'h', '0', '/', '1'});
  CHECK(p.relayAgentSubOption(rai::kRemoteId) == Bytes{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  CHECK(p.relayAgentSubOption(rai::kLinkSelection) == Bytes{10, 1, 3, 0});
  CHECK_FALSE(p.relayAgentSubOption(rai::kServerIdOverride));
  CHECK(p.label() == "DHCPREQUEST xid=0xdeadbeef hw=1/52:54:00:12:34:56 via 10.1.2.1");
}

TEST_CASE("a malformed option 82 yields no sub-options") {
  Pkt4 p;
  p.setOption(opt::kRelayAgentInfo, Bytes{1, 10, 'a'});  // sub-option longer than the option
  CHECK_FALSE(p.relayAgentSubOption(1));
}

TEST_CASE("parse then serialize reproduces the packet") {
  for (const Bytes& wire : {discoverBytes(), relayedRequestBytes()}) {
    Pkt4 p = mustParse(wire);
    Bytes out = p.serialize();
    Pkt4 q = mustParse(out);
    CHECK(q.options() == p.options());
    CHECK(q.xid == p.xid);
    CHECK(q.giaddr == p.giaddr);
    CHECK(q.chaddr == p.chaddr);
    CHECK(q.flags == p.flags);
    CHECK(q.hops == p.hops);
  }
  // The DISCOVER has its options in wire order with message type first: bytes are identical.
  CHECK(mustParse(discoverBytes()).serialize() == discoverBytes());
}

TEST_CASE("truncated headers are refused") {
  Bytes b = discoverBytes();
  b.resize(235);
  CHECK(parseError(b).find("truncated header") != std::string::npos);
  CHECK(parseError(Bytes{}).find("truncated header") != std::string::npos);
}

TEST_CASE("an option running past the end is refused") {
  Bytes b = bootpHeader(1, 1, 0);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {53, 1, 1, 12, 10, 'a', 'b'});  // host name claims 10 bytes, has 2
  CHECK(parseError(b).find("past the end") != std::string::npos);
  // A code with no length byte at all.
  Bytes c = bootpHeader(1, 1, 0);
  c.insert(c.end(), kCookie.begin(), kCookie.end());
  append(c, {53, 1, 1, 12});
  CHECK(parseError(c).find("past the end") != std::string::npos);
}

TEST_CASE("a wrong magic cookie is refused; no cookie is plain BOOTP") {
  Bytes b = discoverBytes();
  b[236] = 0x12;
  CHECK(parseError(b).find("bad magic cookie 0x12825363") != std::string::npos);

  Bytes bootp = bootpHeader(1, 7, 0);
  bootp.resize(300, 0);
  Pkt4 p = mustParse(bootp);
  CHECK(p.options().empty());
  CHECK_FALSE(p.messageType());
  CHECK(p.label() == "BOOTREQUEST xid=0x00000007 hw=1/52:54:00:12:34:56");
  // Exactly the header, nothing after it.
  CHECK(mustParse(bootpHeader(2, 7, 0)).options().empty());
}

TEST_CASE("hlen over 16 and oversized packets are refused") {
  Bytes b = discoverBytes();
  b[2] = 17;
  CHECK(parseError(b).find("hardware address length 17") != std::string::npos);
  Bytes big = discoverBytes();
  big.resize(65536, 0);
  CHECK(parseError(big).find("larger than 65535") != std::string::npos);
  big.resize(65535);
  CHECK(Pkt4::parse(big).ok());
}

TEST_CASE("pad options are skipped, a missing END is tolerated, bytes after END ignored") {
  Bytes b = bootpHeader(1, 1, 0);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {0, 0, 53, 1, 8, 0, 12, 1, 'x'});
  Pkt4 p = mustParse(b);
  CHECK(p.messageType() == MessageType::kInform);
  CHECK(p.hostName() == "x");
  append(b, {255, 12, 200});  // garbage after END
  CHECK(mustParse(b).options().size() == 2);
}

TEST_CASE("option overload reads options from file and sname, in that order") {
  Bytes b = bootpHeader(1, 1, 0);
  // file (offset 108): a host name part and the message type; sname (offset 44): more name.
  const size_t file = 108, sname = 44;
  Bytes file_opts = {12, 3, 'a', 'b', 'c', 53, 1, 3, 255};
  Bytes sname_opts = {12, 2, 'd', 'e', 61, 2, 0, 9, 255};
  std::copy(file_opts.begin(), file_opts.end(), b.begin() + file);
  std::copy(sname_opts.begin(), sname_opts.end(), b.begin() + sname);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {52, 1, 3, 12, 1, 'z', 255});
  Pkt4 p = mustParse(b);
  CHECK(p.messageType() == MessageType::kRequest);
  // RFC 3396 across fields: options field, then file, then sname.
  CHECK(p.hostName() == "zabcde");
  CHECK(p.clientId() == ClientId(Bytes{0, 9}));
  CHECK_FALSE(p.has(opt::kOverload));
  CHECK(std::all_of(p.file.begin(), p.file.end(), [](uint8_t x) { return x == 0; }));
  CHECK(std::all_of(p.sname.begin(), p.sname.end(), [](uint8_t x) { return x == 0; }));

  // Overload 1 (file only) leaves sname as a name.
  Bytes c = b;
  c[236 + 6] = 1;
  Pkt4 q = mustParse(c);
  CHECK(q.hostName() == "zabc");
  CHECK(q.sname[0] == 12);
  CHECK_FALSE(q.clientId());

  // A truncated option inside the overloaded file is an error too.
  Bytes d = b;
  d[file + 1] = 200;
  CHECK(parseError(d).find("file field") != std::string::npos);

  // Overload values other than 1..3 are refused.
  Bytes e = b;
  e[236 + 6] = 4;
  CHECK(parseError(e).find("overload") != std::string::npos);
}

TEST_CASE("repeated option instances are concatenated (RFC 3396)") {
  Bytes b = bootpHeader(1, 1, 0);
  b.insert(b.end(), kCookie.begin(), kCookie.end());
  append(b, {55, 2, 1, 3, 53, 1, 1, 55, 2, 6, 15, 255});
  Pkt4 p = mustParse(b);
  CHECK(p.parameterRequestList() == std::vector<uint8_t>{1, 3, 6, 15});
  CHECK(p.options().size() == 2);
}

TEST_CASE("options over 255 bytes are split into several instances and rejoin on parse") {
  Pkt4 p;
  p.setMessageType(MessageType::kAck);
  Bytes big(600);
  for (size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<uint8_t>(i);
  }
  p.setOption(opt::kVendorEncapsulated, big);
  Bytes w = p.serialize();
  // 240 header+cookie, 53 (3 bytes), then 43 as 255 + 255 + 90.
  size_t at = 243;
  CHECK(w[at] == 43);
  CHECK(w[at + 1] == 255);
  CHECK(w[at + 257] == 43);
  CHECK(w[at + 258] == 255);
  CHECK(w[at + 514] == 43);
  CHECK(w[at + 515] == 90);
  CHECK(w[at + 516 + 90] == 255);
  CHECK(w.size() == at + 516 + 90 + 1);
  CHECK(*mustParse(w).option(opt::kVendorEncapsulated) == big);

  Bytes out;
  appendOptions4({Option4{43, Bytes(256, 7)}}, out);
  CHECK(out.size() == 256 + 4);
  std::vector<Option4> back;
  REQUIRE(parseOptions4(out, back));
  CHECK(back == std::vector<Option4>{Option4{43, Bytes(256, 7)}});
}

TEST_CASE("small packets are padded to 300 bytes after END") {
  Pkt4 p;
  p.op = 2;
  p.xid = 42;
  p.setOption(opt::kServerId, Bytes{192, 0, 2, 1});
  p.setMessageType(MessageType::kOffer);
  Bytes w = p.serialize();
  REQUIRE(w.size() == Pkt4::kMinSize);
  // Message type goes first although it was added last.
  CHECK(Bytes(w.begin() + 236, w.begin() + 249) ==
        Bytes{0x63, 0x82, 0x53, 0x63, 53, 1, 2, 54, 4, 192, 0, 2, 1});
  CHECK(w[249] == 255);
  CHECK(std::all_of(w.begin() + 250, w.end(), [](uint8_t x) { return x == 0; }));
  CHECK(w[0] == 2);
}

TEST_CASE("over max size, options that do not fit are left out, never 53 or 54") {
  Pkt4 p;
  p.setMessageType(MessageType::kAck);
  p.setOption(opt::kRouters, Bytes{10, 0, 0, 1});
  p.setOption(opt::kVendorEncapsulated, Bytes(400, 1));  // does not fit in 576
  p.setOption(opt::kDomainName, Bytes(20, 'a'));         // fits after 43 is dropped
  p.setOption(opt::kServerId, Bytes{10, 0, 0, 2});
  std::vector<uint8_t> dropped;
  Bytes w = p.serialize(576, &dropped);
  CHECK(w.size() <= 576);
  CHECK(dropped == std::vector<uint8_t>{opt::kVendorEncapsulated});
  Pkt4 q = mustParse(w);
  CHECK(q.messageType() == MessageType::kAck);
  CHECK(q.serverId() == IPv4Address::fromString("10.0.0.2"));
  CHECK(q.has(opt::kRouters));
  CHECK(q.has(opt::kDomainName));
  CHECK_FALSE(q.has(opt::kVendorEncapsulated));
  // The limit never goes below 576; with room everything is written.
  CHECK(p.serialize(100) == w);
  CHECK(mustParse(p.serialize(1500)).has(opt::kVendorEncapsulated));
}

TEST_CASE("option 52 is never serialized") {
  Pkt4 p;
  p.setMessageType(MessageType::kAck);
  p.setOption(opt::kOverload, Bytes{3});
  p.sname[0] = 'x';
  Pkt4 q = mustParse(p.serialize());
  CHECK_FALSE(q.has(opt::kOverload));
  CHECK(q.sname[0] == 'x');
}

TEST_CASE("option accessors replace in place, remove, and ignore pad/end codes") {
  Pkt4 p;
  p.setOption(3, Bytes{1});
  p.setOption(6, Bytes{2});
  p.setOption(3, Bytes{9});
  p.setOption(opt::kPad, Bytes{1});
  p.setOption(opt::kEnd, Bytes{1});
  REQUIRE(p.options().size() == 2);
  CHECK(p.options()[0] == Option4{3, Bytes{9}});
  p.removeOption(3);
  CHECK_FALSE(p.has(3));
  CHECK(p.has(6));
}

TEST_CASE("typed helpers reject wrong lengths") {
  Pkt4 p;
  p.setOption(opt::kRequestedAddress, Bytes{1, 2, 3});
  p.setOption(opt::kServerId, Bytes{1, 2, 3, 4, 5});
  p.setOption(opt::kMaxMessageSize, Bytes{5});
  p.setOption(opt::kMessageType, Bytes{1, 1});
  p.setOption(opt::kHostName, Bytes{'h', 0, 0});
  p.setOption(opt::kClientId, Bytes{});
  CHECK_FALSE(p.requestedAddress());
  CHECK_FALSE(p.serverId());
  CHECK_FALSE(p.maxMessageSize());
  CHECK_FALSE(p.messageType());
  CHECK(p.hostName() == "h");
  CHECK_FALSE(p.clientId());
  p.setOption(opt::kHostName, Bytes{0});
  CHECK_FALSE(p.hostName());
}

TEST_CASE("hardware addresses set hlen and chaddr") {
  Pkt4 p;
  p.setHwAddr(HwAddr(1, {1, 2, 3, 4, 5, 6}));
  CHECK(p.hlen == 6);
  CHECK(p.chaddr[5] == 6);
  CHECK(p.chaddr[6] == 0);
  p.setHwAddr(HwAddr(32, Bytes(20, 0xab)));  // InfiniBand-like: capped at 16
  CHECK(p.hlen == 16);
  CHECK(p.hwAddr() == HwAddr(32, Bytes(16, 0xab)));
}

TEST_CASE("message type names") {
  CHECK(messageTypeName(MessageType::kDiscover) == "DHCPDISCOVER");
  CHECK(messageTypeName(MessageType::kNak) == "DHCPNAK");
  CHECK(messageTypeName(MessageType::kLeaseActive) == "DHCPLEASEACTIVE");
  CHECK(messageTypeName(static_cast<MessageType>(99)) == "UNKNOWN");
  Pkt4 p;
  p.setOption(opt::kMessageType, Bytes{99});
  CHECK(p.label().rfind("DHCP-TYPE-99 ", 0) == 0);
}
