#include "takahe/dhcp/pkt6.h"

#include <catch2/catch.hpp>
#include <initializer_list>

using namespace takahe;
using namespace takahe::dhcp;

namespace {

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

IPv6Address v6(std::string_view s) { return IPv6Address::fromString(s); }

Bytes addr(std::string_view s) {
  auto a = v6(s);
  return Bytes(a.bytes().begin(), a.bytes().end());
}

// A SOLICIT in RFC 8415 field order: msg-type, transaction-id, then options as
// option-code (2) option-len (2) option-data.
Bytes solicitBytes() {
  return {
      0x01, 0x10, 0x20, 0x30,                          // SOLICIT, transaction-id 0x102030
      0x00, 0x01, 0x00, 0x0e,                          // client identifier, 14 bytes
      0x00, 0x01, 0x00, 0x01, 0x1c, 0x39, 0xcf, 0x88,  // DUID-LLT, Ethernet, time
      0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95,              // link-layer address
      0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18,  // ORO: 23, 24
      0x00, 0x08, 0x00, 0x02, 0x00, 0x00,              // elapsed time 0
      0x00, 0x03, 0x00, 0x0c,                          // IA_NA, 12 bytes
      0x27, 0xfe, 0x8f, 0x95,                          // IAID
      0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x15, 0x18,  // T1 3600, T2 5400
      0x00, 0x0e, 0x00, 0x00,                          // rapid commit
  };
}

// The IA_NA of a REQUEST: IAID 1, T1 3600, T2 5400, one IAADDR 2001:db8:1::1000 with
// preferred 7200 and valid 10800.
Bytes iaNaWithAddressPayload() {
  return {
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x15, 0x18,  // iaid, T1, T2
      0x00, 0x05, 0x00, 0x18,                                                  // IAADDR, 24
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,                          // address
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,                          //
      0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x2a, 0x30,                          // 7200, 10800
  };
}

// IA_PD IAID 7, T1 1800, T2 2880, IAPREFIX 2001:db8:1::/48 (3600/7200) excluding
// 2001:db8:1:1::/64 (RFC 6603: prefix-len 64, subnet id 0x0001).
Bytes iaPdWithExcludePayload() {
  return {
      0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x0b, 0x40,  // iaid, T1, T2
      0x00, 0x1a, 0x00, 0x20,                                                  // IAPREFIX, 32
      0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x1c, 0x20, 0x30,                    // lifetimes, /48
      0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00,                          // prefix
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          //
      0x00, 0x43, 0x00, 0x03, 0x40, 0x00, 0x01,                                // PD_EXCLUDE
  };
}

// A SOLICIT from fe80::5254:ff:feaa:bbcc behind two relays. The inner relay (hop 0,
// link 2001:db8:2::1) adds interface-id "eth0" and the client link-layer address; the outer
// one (hop 1, link 2001:db8:ffff::1) puts relay-msg first, then interface-id "ge-0/0/1" and a
// remote-id (enterprise 3561).
const Bytes kClientMsg = {
    0x01, 0x00, 0x00, 0x01,  // SOLICIT 0x000001
    0x00, 0x01, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc,  // LL
    0x00, 0x08, 0x00, 0x02, 0x00, 0x64,  // elapsed 1 s
};
const Bytes kLinkInner = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
const Bytes kPeerInner = {0xfe, 0x80, 0,    0,    0,    0,    0,    0,
                          0x52, 0x54, 0x00, 0xff, 0xfe, 0xaa, 0xbb, 0xcc};
const Bytes kLinkOuter = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

Bytes innerRelayBytes() {
  return cat({{0x0c, 0x00},
              kLinkInner,
              kPeerInner,
              {0x00, 0x12, 0x00, 0x04, 'e', 't', 'h', '0'},
              {0x00, 0x4f, 0x00, 0x08, 0x00, 0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
              {0x00, 0x09, 0x00, 0x18},
              kClientMsg});
}

Bytes twoRelayBytes() {
  Bytes inner = innerRelayBytes();
  REQUIRE(inner.size() == 82);
  return cat({{0x0c, 0x01},
              kLinkOuter,
              kLinkInner,
              {0x00, 0x09, 0x00, 0x52},
              inner,
              {0x00, 0x12, 0x00, 0x08, 'g', 'e', '-', '0', '/', '0', '/', '1'},
              {0x00, 0x25, 0x00, 0x08, 0x00, 0x00, 0x0d, 0xe9, 0x01, 0x02, 0x03, 0x04}});
}

// Wraps `msg` in `levels` RELAY-FORW layers with the given hop count.
Bytes wrap(Bytes msg, size_t levels, uint8_t hops = 0) {
  for (size_t i = 0; i < levels; ++i) {
    Bytes layer = {0x0c, hops};
    layer.resize(Pkt6::kRelayHeaderSize, 0);
    layer.insert(layer.end(), {0x00, 0x09, static_cast<uint8_t>(msg.size() >> 8),
                               static_cast<uint8_t>(msg.size())});
    layer.insert(layer.end(), msg.begin(), msg.end());
    msg = std::move(layer);
  }
  return msg;
}

Pkt6 mustParse(const Bytes& b) {
  auto r = Pkt6::parse(b);
  INFO((r ? std::string() : r.error().reason));
  REQUIRE(r.ok());
  return *r;
}

std::string parseError(const Bytes& b) {
  auto r = Pkt6::parse(b);
  REQUIRE_FALSE(r.ok());
  return r.error().reason;
}

std::vector<uint16_t> codesOf(const std::vector<Option6>& options) {
  std::vector<uint16_t> codes;
  for (const auto& o : options) {
    codes.push_back(o.code);
  }
  return codes;
}

}  // namespace

TEST_CASE("a SOLICIT in RFC 8415 layout parses into its fields and serializes back") {
  Pkt6 p = mustParse(solicitBytes());
  CHECK(p.msg_type == MessageType6::kSolicit);
  CHECK(p.transid == 0x102030u);
  CHECK_FALSE(p.isRelayed());
  REQUIRE(p.clientId());
  CHECK(p.clientId()->toString() == "00:01:00:01:1c:39:cf:88:08:00:27:fe:8f:95");
  CHECK_FALSE(p.serverId());
  CHECK(p.requestedOptions() == std::vector<uint16_t>{23, 24});
  CHECK(p.elapsedTime() == 0);
  CHECK(p.rapidCommit());
  CHECK_FALSE(p.reconfigureAccept());
  auto ias = p.iaNas();
  REQUIRE(ias.size() == 1);
  CHECK(ias[0].iaid == 0x27fe8f95u);
  CHECK(ias[0].t1 == 3600);
  CHECK(ias[0].t2 == 5400);
  CHECK(ias[0].addresses.empty());
  CHECK(codesOf(p.options()) == std::vector<uint16_t>{1, 6, 8, 3, 14});
  CHECK(p.label() == "SOLICIT transid=0x102030 duid=00:01:00:01:1c:39:cf:88:08:00:27:fe:8f:95");
  CHECK(p.serialize() == solicitBytes());
}

TEST_CASE("a SOLICIT built with the typed setters has the RFC bytes") {
  Pkt6 p;
  p.msg_type = MessageType6::kSolicit;
  p.transid = 0x102030;
  const Bytes mac = {0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95};
  p.setClientId(makeDuidLlt(1, 0x1c39cf88, mac));
  const uint16_t oro[] = {23, 24};
  p.addOption(opt6::kOro, encodeOptionCodes(oro));
  p.addOption(opt6::kElapsedTime, encodeU16(0));
  p.addIaNa(IaNa{0x27fe8f95, 3600, 5400, {}, {}, {}});
  p.addOption(opt6::kRapidCommit, {});
  CHECK(p.serialize() == solicitBytes());
}

TEST_CASE("every message type has its RFC name and round-trips") {
  const std::pair<MessageType6, std::string_view> names[] = {
      {MessageType6::kSolicit, "SOLICIT"},
      {MessageType6::kAdvertise, "ADVERTISE"},
      {MessageType6::kRequest, "REQUEST"},
      {MessageType6::kConfirm, "CONFIRM"},
      {MessageType6::kRenew, "RENEW"},
      {MessageType6::kRebind, "REBIND"},
      {MessageType6::kReply, "REPLY"},
      {MessageType6::kRelease, "RELEASE"},
      {MessageType6::kDecline, "DECLINE"},
      {MessageType6::kReconfigure, "RECONFIGURE"},
      {MessageType6::kInformationRequest, "INFORMATION-REQUEST"},
      {MessageType6::kRelayForw, "RELAY-FORW"},
      {MessageType6::kRelayRepl, "RELAY-REPL"},
  };
  for (const auto& [type, name] : names) {
    INFO(name);
    CHECK(messageType6Name(type) == name);
    Pkt6 p;
    p.transid = 0xabcdef;
    p.setClientId(makeDuidLl(1, Bytes{1, 2, 3, 4, 5, 6}));
    if (isRelayMessage(type)) {
      // A relay message carries a client message; the chain records the relay's type.
      p.msg_type = MessageType6::kRenew;
      RelayInfo r;
      r.msg_type = type;
      r.hop_count = 2;
      r.link_address = v6("2001:db8::1");
      r.peer_address = v6("fe80::1");
      p.relays.push_back(r);
    } else {
      p.msg_type = type;
    }
    Bytes wire = p.serialize();
    REQUIRE_FALSE(wire.empty());
    CHECK(wire[0] == static_cast<uint8_t>(type));
    Pkt6 q = mustParse(wire);
    CHECK(q.msg_type == p.msg_type);
    CHECK(q.transid == 0xabcdefu);
    CHECK(q.relays == p.relays);
    CHECK(q.options() == p.options());
    CHECK(q.serialize() == wire);
  }
  CHECK(messageType6Name(static_cast<MessageType6>(14)) == "UNKNOWN");
  Pkt6 lq = mustParse(Bytes{14, 0, 0, 9});  // LEASEQUERY parses; the server decides
  CHECK(lq.label() == "DHCPV6-TYPE-14 transid=0x000009");
}

TEST_CASE("the transaction id is 24 bits on the wire") {
  Pkt6 p;
  p.transid = 0x12abcdef;
  Bytes wire = p.serialize();
  CHECK(wire == Bytes{0x01, 0xab, 0xcd, 0xef});
  CHECK(mustParse(wire).transid == 0xabcdefu);
}

TEST_CASE("IA_NA with an IAADDR encodes and decodes byte for byte") {
  IaNa ia;
  ia.iaid = 1;
  ia.t1 = 3600;
  ia.t2 = 5400;
  ia.addresses.push_back(IaAddress{v6("2001:db8:1::1000"), 7200, 10800, {}, {}});
  CHECK(encodeIaNa(ia) == iaNaWithAddressPayload());
  auto back = decodeIaNa(iaNaWithAddressPayload());
  REQUIRE(back.ok());
  CHECK(*back == ia);

  // A REQUEST carrying it, as a client sends it.
  Bytes request = cat({{0x03, 0xab, 0xcd, 0xef},
                       {0x00, 0x02, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12,
                        0x34, 0x56},  // server id, DUID-LL
                       {0x00, 0x03, 0x00, 0x28},
                       iaNaWithAddressPayload()});
  Pkt6 p = mustParse(request);
  CHECK(p.msg_type == MessageType6::kRequest);
  REQUIRE(p.serverId());
  CHECK(hwAddrFromDuid(p.serverId()->bytes) == HwAddr(1, {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  REQUIRE(p.iaNas().size() == 1);
  CHECK(p.iaNas()[0] == ia);
  CHECK(p.serialize() == request);
}

TEST_CASE("status codes nest inside IAs and addresses; other sub-options keep their order") {
  IaNa ia;
  ia.iaid = 0x0a0b0c0d;
  ia.status = Status6(StatusCode6::kNoAddrsAvail, "none");
  ia.options.push_back(Option6{0x1234, {0xaa}});
  IaAddress a{v6("2001:db8::5"), 0, 0, Status6(StatusCode6::kNotOnLink, ""), {}};
  ia.addresses.push_back(a);
  Bytes expected = cat({{0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 0, 0, 0, 0, 0},
                        {0x00, 0x05, 0x00, 0x1e},  // IAADDR, 24 + status (6)
                        addr("2001:db8::5"),
                        {0, 0, 0, 0, 0, 0, 0, 0},
                        {0x00, 0x0d, 0x00, 0x02, 0x00, 0x04},                      // NotOnLink
                        {0x00, 0x0d, 0x00, 0x06, 0x00, 0x02, 'n', 'o', 'n', 'e'},  // NoAddrsAvail
                        {0x12, 0x34, 0x00, 0x01, 0xaa}});
  CHECK(encodeIaNa(ia) == expected);
  auto back = decodeIaNa(expected);
  REQUIRE(back.ok());
  CHECK(*back == ia);
  REQUIRE(back->status);
  CHECK(back->status->is(StatusCode6::kNoAddrsAvail));
  CHECK(back->status->message == "none");
}

TEST_CASE("status code option: code and UTF-8 message") {
  CHECK(encodeStatus6(Status6(StatusCode6::kSuccess, "ok")) == Bytes{0x00, 0x00, 'o', 'k'});
  CHECK(encodeStatus6(Status6(StatusCode6::kNoPrefixAvail)) == Bytes{0x00, 0x06});
  auto s = decodeStatus6(Bytes{0x00, 0x03, 0xc3, 0xa9});  // NoBinding, "é"
  REQUIRE(s.ok());
  CHECK(s->is(StatusCode6::kNoBinding));
  CHECK(s->message == "\xc3\xa9");
  CHECK_FALSE(decodeStatus6(Bytes{0x00}).ok());
  const std::pair<uint16_t, std::string_view> names[] = {
      {0, "Success"},   {1, "UnspecFail"},   {2, "NoAddrsAvail"},  {3, "NoBinding"},
      {4, "NotOnLink"}, {5, "UseMulticast"}, {6, "NoPrefixAvail"}, {7, "Unknown"}};
  for (const auto& [code, name] : names) {
    CHECK(statusCode6Name(code) == name);
  }
  Pkt6 p;
  p.setStatus(Status6(StatusCode6::kUseMulticast, "multicast please"));
  REQUIRE(p.status());
  CHECK(p.status()->is(StatusCode6::kUseMulticast));
}

TEST_CASE("IA_PD with IAPREFIX and PD_EXCLUDE encodes and decodes byte for byte") {
  IaPd ia;
  ia.iaid = 7;
  ia.t1 = 1800;
  ia.t2 = 2880;
  IaPrefix pfx;
  pfx.preferred_lft = 3600;
  pfx.valid_lft = 7200;
  pfx.prefix = Prefix6::fromString("2001:db8:1::/48");
  pfx.excluded = Prefix6::fromString("2001:db8:1:1::/64");
  ia.prefixes.push_back(pfx);
  auto wire = encodeIaPd(ia);
  REQUIRE(wire.ok());
  CHECK(*wire == iaPdWithExcludePayload());
  auto back = decodeIaPd(iaPdWithExcludePayload());
  REQUIRE(back.ok());
  CHECK(*back == ia);

  Pkt6 p;
  p.msg_type = MessageType6::kReply;
  REQUIRE(p.addIaPd(ia));
  Pkt6 q = mustParse(p.serialize());
  REQUIRE(q.iaPds().size() == 1);
  CHECK(q.iaPds()[0].prefixes[0].excluded == Prefix6::fromString("2001:db8:1:1::/64"));

  // An exclusion outside the delegated prefix cannot be encoded.
  ia.prefixes[0].excluded = Prefix6::fromString("2001:db8:2:1::/64");
  CHECK_FALSE(encodeIaPd(ia).ok());
  CHECK_FALSE(p.addIaPd(ia));
}

TEST_CASE("PD_EXCLUDE shifts the subnet id bits to a byte boundary (RFC 6603)") {
  auto pfx = [](std::string_view s) { return Prefix6::fromString(s); };
  // /60 -> /64: the 4 bits after the delegated prefix (0xd of ...:abcd) left-aligned.
  auto a = encodePdExclude(pfx("2001:db8:0:abc0::/60"), pfx("2001:db8:0:abcd::/64"));
  REQUIRE(a.ok());
  CHECK(*a == Bytes{64, 0xd0});
  // /56 -> /57: one bit.
  auto b = encodePdExclude(pfx("2001:db8:0:ab00::/56"), pfx("2001:db8:0:ab80::/57"));
  REQUIRE(b.ok());
  CHECK(*b == Bytes{57, 0x80});
  // /48 -> /64 across two bytes.
  auto c = encodePdExclude(pfx("2001:db8:1::/48"), pfx("2001:db8:1:abcd::/64"));
  REQUIRE(c.ok());
  CHECK(*c == Bytes{64, 0xab, 0xcd});

  auto d = decodePdExclude(pfx("2001:db8:0:abc0::/60"), Bytes{64, 0xd0});
  REQUIRE(d.ok());
  CHECK(*d == pfx("2001:db8:0:abcd::/64"));
  auto e = decodePdExclude(pfx("2001:db8:1::/48"), Bytes{64, 0xab, 0xcd});
  REQUIRE(e.ok());
  CHECK(*e == pfx("2001:db8:1:abcd::/64"));

  // Not longer than the delegated prefix, over 128, wrong payload size.
  CHECK_FALSE(encodePdExclude(pfx("2001:db8::/64"), pfx("2001:db8::/64")).ok());
  CHECK_FALSE(decodePdExclude(pfx("2001:db8::/64"), Bytes{48, 0}).ok());
  CHECK_FALSE(decodePdExclude(pfx("2001:db8::/64"), Bytes{129, 0, 0, 0, 0, 0, 0, 0, 0}).ok());
  CHECK(decodePdExclude(pfx("2001:db8::/48"), Bytes{64, 0xab}).error().find("takes 3 bytes") !=
        std::string::npos);
  CHECK_FALSE(decodePdExclude(pfx("2001:db8::/48"), Bytes{}).ok());
}

TEST_CASE("IA_TA parses with its addresses") {
  Bytes payload = cat({{0x00, 0x00, 0x00, 0x09, 0x00, 0x05, 0x00, 0x18},
                       addr("2001:db8::9"),
                       {0, 0, 0, 1, 0, 0, 0, 2}});
  auto ta = decodeIaTa(payload);
  REQUIRE(ta.ok());
  CHECK(ta->iaid == 9);
  REQUIRE(ta->addresses.size() == 1);
  CHECK(ta->addresses[0].address == v6("2001:db8::9"));
  CHECK(ta->addresses[0].valid_lft == 2);
  CHECK(encodeIaTa(*ta) == payload);
  Pkt6 p;
  p.addIaTa(*ta);
  CHECK(mustParse(p.serialize()).iaTas() == std::vector<IaTa>{*ta});
  CHECK_FALSE(decodeIaTa(Bytes{0, 0, 0}).ok());
}

TEST_CASE("DUID types are split into their fields; LL and LLT give a hardware address") {
  const Bytes mac = {0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95};
  Duid llt = makeDuidLlt(1, 0x1c39cf88, mac);
  CHECK(llt.bytes == Bytes{0, 1, 0, 1, 0x1c, 0x39, 0xcf, 0x88, 0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95});
  auto d = parseDuid(llt.bytes);
  REQUIRE(d.ok());
  CHECK(d->type == 1);
  CHECK(d->hw_type == 1);
  CHECK(d->time == 0x1c39cf88u);
  CHECK(d->identifier == mac);
  CHECK(hwAddrFromDuid(llt.bytes) == HwAddr(1, mac));

  Duid ll = makeDuidLl(6, mac);  // IEEE 802 (Token Ring) hardware type 6
  CHECK(ll.bytes == Bytes{0, 3, 0, 6, 0x08, 0x00, 0x27, 0xfe, 0x8f, 0x95});
  CHECK(hwAddrFromDuid(ll.bytes) == HwAddr(6, mac));

  Duid en = makeDuidEn(2495, Bytes{0xde, 0xad});
  CHECK(en.bytes == Bytes{0, 2, 0x00, 0x00, 0x09, 0xbf, 0xde, 0xad});
  auto e = parseDuid(en.bytes);
  REQUIRE(e.ok());
  CHECK(e->enterprise == 2495);
  CHECK(e->identifier == Bytes{0xde, 0xad});
  CHECK_FALSE(hwAddrFromDuid(en.bytes));

  std::array<uint8_t, 16> uuid{};
  for (size_t i = 0; i < uuid.size(); ++i) {
    uuid[i] = static_cast<uint8_t>(0xa0 + i);
  }
  Duid u = makeDuidUuid(uuid);
  REQUIRE(u.bytes.size() == 18);
  CHECK(u.bytes[1] == 4);
  auto pu = parseDuid(u.bytes);
  REQUIRE(pu.ok());
  CHECK(pu->identifier == Bytes(uuid.begin(), uuid.end()));
  CHECK_FALSE(hwAddrFromDuid(u.bytes));

  // Unknown types keep everything after the type code.
  auto other = parseDuid(Bytes{0, 9, 1, 2, 3});
  REQUIRE(other.ok());
  CHECK(other->identifier == Bytes{1, 2, 3});

  // Malformed: too short for the type, UUID not 18 bytes, over 130 bytes, a 16-bit htype.
  CHECK(parseDuid(Bytes{0, 1, 0, 1, 0, 0, 0, 0}).error().find("DUID-LLT") != std::string::npos);
  CHECK_FALSE(parseDuid(Bytes{0, 3, 0, 1}).ok());
  CHECK_FALSE(parseDuid(Bytes{0, 2, 0, 0, 9, 0xbf}).ok());
  CHECK_FALSE(parseDuid(Bytes{0, 4, 1, 2, 3}).ok());
  CHECK_FALSE(parseDuid(Bytes{0, 1}).ok());
  Bytes big = {0, 2, 0, 0, 0, 1};
  big.resize(131, 7);
  CHECK(parseDuid(big).error().find("longer than 130") != std::string::npos);
  big.resize(130);
  CHECK(parseDuid(big).ok());
  CHECK_FALSE(hwAddrFromDuid(makeDuidLl(0x1234, mac).bytes));
}

TEST_CASE("small options encode per their RFC layouts") {
  const IPv6Address dns[] = {v6("2001:db8::53"), v6("2001:db8::35")};
  Bytes dns_wire = encodeAddressList(dns);
  REQUIRE(dns_wire.size() == 32);
  CHECK(dns_wire[15] == 0x53);
  CHECK(dns_wire[31] == 0x35);
  auto dns_back = decodeAddressList(dns_wire);
  REQUIRE(dns_back.ok());
  CHECK(*dns_back == std::vector<IPv6Address>{dns[0], dns[1]});
  CHECK_FALSE(decodeAddressList(Bytes(17, 0)).ok());

  auto search = encodeDomainList({"example.com", "lab.example.org."});
  REQUIRE(search.ok());
  CHECK(*search == Bytes{7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0,   3,   'l',
                         'a', 'b', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,   'o', 'r', 'g', 0});
  auto names = decodeDomainList(*search);
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"example.com.", "lab.example.org."});
  // RFC 8415 §10: no compression pointers, no unterminated names.
  CHECK_FALSE(decodeDomainList(Bytes{3, 'c', 'o', 'm', 0, 0xc0, 0x00}).ok());
  CHECK_FALSE(decodeDomainList(Bytes{3, 'c', 'o', 'm'}).ok());

  CHECK(encodeU8(255) == Bytes{0xff});
  CHECK(encodeU32(86400) == Bytes{0x00, 0x01, 0x51, 0x80});  // information refresh time
  CHECK(decodeU32(Bytes{0x00, 0x01, 0x51, 0x80}) == 86400u);
  CHECK_FALSE(decodeU16(Bytes{1, 2, 3}));
  CHECK_FALSE(decodeOptionCodes(Bytes{0, 23, 0}).ok());

  VendorClass6 vc{4491, {Bytes{'d', 'o', 'c', 's', 'i', 's'}, Bytes{'x'}}};
  Bytes vc_wire = encodeVendorClass6(vc);
  CHECK(vc_wire ==
        Bytes{0x00, 0x00, 0x11, 0x8b, 0x00, 0x06, 'd', 'o', 'c', 's', 'i', 's', 0x00, 0x01, 'x'});
  CHECK(decodeVendorClass6(vc_wire).value() == vc);
  CHECK_FALSE(decodeVendorClass6(Bytes{0, 0, 0x11, 0x8b, 0x00, 0x09, 'a'}).ok());

  VendorOpts6 vo{4491, {Option6{32, Bytes{1, 2}}, Option6{33, Bytes{'c', 'f', 'g'}}}};
  Bytes vo_wire = encodeVendorOpts6(vo);
  CHECK(vo_wire == Bytes{0x00, 0x00, 0x11, 0x8b, 0x00, 0x20, 0x00, 0x02, 1, 2, 0x00, 0x21, 0x00,
                         0x03, 'c', 'f', 'g'});
  CHECK(decodeVendorOpts6(vo_wire).value() == vo);
  CHECK_FALSE(decodeVendorOpts6(Bytes{0, 0, 0x11, 0x8b, 0x00, 0x20, 0x00, 0x05, 1}).ok());

  Bytes uc = encodeOpaqueList({Bytes{'a', 'b'}, Bytes{}});
  CHECK(uc == Bytes{0x00, 0x02, 'a', 'b', 0x00, 0x00});
  CHECK(decodeOpaqueList(uc).value() == std::vector<Bytes>{Bytes{'a', 'b'}, Bytes{}});
  CHECK_FALSE(decodeOpaqueList(Bytes{0x00}).ok());

  RemoteId6 rid{3561, Bytes{1, 2, 3, 4}};
  CHECK(encodeRemoteId6(rid) == Bytes{0x00, 0x00, 0x0d, 0xe9, 1, 2, 3, 4});
  CHECK(decodeRemoteId6(encodeRemoteId6(rid)).value() == rid);
  CHECK_FALSE(decodeRemoteId6(Bytes{0, 0, 0x0d, 0xe9}).ok());

  HwAddr hw(1, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc});
  CHECK(encodeClientLinkLayer(hw) == Bytes{0x00, 0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc});
  CHECK(decodeClientLinkLayer(encodeClientLinkLayer(hw)).value() == hw);
  CHECK_FALSE(decodeClientLinkLayer(Bytes{0x00, 0x01}).ok());
  CHECK_FALSE(decodeClientLinkLayer(Bytes{0x01, 0x00, 0xaa}).ok());
}

TEST_CASE("client FQDN: flags, full and partial names, no name") {
  ClientFqdn6 full{ClientFqdn6::kFlagS, "host.example.com."};
  auto w = encodeClientFqdn6(full);
  REQUIRE(w.ok());
  CHECK(*w == Bytes{0x01, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
                    'm', 0});
  CHECK(decodeClientFqdn6(*w).value() == full);

  ClientFqdn6 partial{0, "myhost"};
  auto pw = encodeClientFqdn6(partial);
  REQUIRE(pw.ok());
  CHECK(*pw == Bytes{0x00, 6, 'm', 'y', 'h', 'o', 's', 't'});  // no root label
  CHECK(decodeClientFqdn6(*pw).value() == partial);

  ClientFqdn6 none{ClientFqdn6::kFlagN, ""};
  CHECK(encodeClientFqdn6(none).value() == Bytes{0x04});
  CHECK(decodeClientFqdn6(Bytes{0x04}).value() == none);

  CHECK_FALSE(decodeClientFqdn6(Bytes{}).ok());
  CHECK_FALSE(decodeClientFqdn6(Bytes{0x08}).ok());  // reserved flag bit
  CHECK_FALSE(decodeClientFqdn6(Bytes{0x01, 3, 'c', 'o', 'm', 0, 9}).ok());

  Pkt6 p;
  p.addOption(opt6::kClientFqdn, *w);
  REQUIRE(p.clientFqdn());
  CHECK(p.clientFqdn()->name == "host.example.com.");
}

TEST_CASE("NTP server option carries address, multicast and FQDN sub-options (RFC 5908)") {
  std::vector<NtpServer6> entries = {
      {NtpServer6::Kind::kServerAddress, v6("2001:db8::123"), ""},
      {NtpServer6::Kind::kMulticastAddress, v6("ff05::101"), ""},
      {NtpServer6::Kind::kServerFqdn, {}, "ntp.example."},
  };
  auto w = encodeNtpServer6(entries);
  REQUIRE(w.ok());
  Bytes expected =
      cat({{0x00, 0x01, 0x00, 0x10},
           addr("2001:db8::123"),
           {0x00, 0x02, 0x00, 0x10},
           addr("ff05::101"),
           {0x00, 0x03, 0x00, 0x0d, 3, 'n', 't', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}});
  CHECK(*w == expected);
  auto back = decodeNtpServer6(*w);
  REQUIRE(back.ok());
  CHECK(*back == entries);
  CHECK_FALSE(decodeNtpServer6(Bytes{}).ok());
  CHECK_FALSE(decodeNtpServer6(Bytes{0x00, 0x01, 0x00, 0x04, 1, 2, 3, 4}).ok());
  CHECK_FALSE(decodeNtpServer6(Bytes{0x00, 0x07, 0x00, 0x00}).ok());
}

TEST_CASE("two relay layers: the chain runs outermost first and serializes back exactly") {
  Pkt6 p = mustParse(twoRelayBytes());
  CHECK(p.msg_type == MessageType6::kSolicit);
  CHECK(p.transid == 1);
  REQUIRE(p.relays.size() == 2);
  const RelayInfo& outer = p.relays[0];
  const RelayInfo& inner = p.relays[1];
  CHECK(outer.msg_type == MessageType6::kRelayForw);
  CHECK(outer.hop_count == 1);
  CHECK(outer.link_address == v6("2001:db8:ffff::1"));
  CHECK(outer.peer_address == v6("2001:db8:2::1"));
  CHECK(outer.relay_msg_index == 0);
  CHECK(outer.interfaceId() == Bytes{'g', 'e', '-', '0', '/', '0', '/', '1'});
  REQUIRE(outer.remoteId());
  CHECK(outer.remoteId()->enterprise == 3561);
  CHECK(inner.hop_count == 0);
  CHECK(inner.link_address == v6("2001:db8:2::1"));
  CHECK(inner.peer_address == v6("fe80::5254:ff:feaa:bbcc"));
  CHECK(inner.relay_msg_index == RelayInfo::kRelayMsgLast);  // it came after the options
  CHECK(inner.interfaceId() == Bytes{'e', 't', 'h', '0'});
  CHECK(p.innermostRelay() == &inner);
  // Innermost relay first: the client-facing interface-id wins.
  CHECK(*p.relayOption(opt6::kInterfaceId) == Bytes{'e', 't', 'h', '0'});
  CHECK(*p.relayOption(opt6::kRemoteId) == Bytes{0, 0, 0x0d, 0xe9, 1, 2, 3, 4});
  CHECK(p.relayOption(opt6::kSubscriberId) == nullptr);
  CHECK(p.clientLinkLayerAddr() == HwAddr(1, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}));
  CHECK(hwAddrFromDuid(p.clientId()->bytes) == HwAddr(1, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}));
  CHECK(p.elapsedTime() == 100);
  CHECK(p.serializeMessage() == kClientMsg);
  CHECK(p.serialize() == twoRelayBytes());
  CHECK(p.label() ==
        "SOLICIT transid=0x000001 duid=00:03:00:01:52:54:00:aa:bb:cc via 2001:db8:2::1 relays=2");
}

TEST_CASE("a reply to a relayed message is wrapped in RELAY-REPL layers echoing interface-id") {
  Pkt6 query = mustParse(twoRelayBytes());
  Pkt6 reply = Pkt6::makeReply(query, MessageType6::kAdvertise);
  CHECK(reply.msg_type == MessageType6::kAdvertise);
  CHECK(reply.transid == 1);
  REQUIRE(reply.relays.size() == 2);
  for (const auto& r : reply.relays) {
    CHECK(r.msg_type == MessageType6::kRelayRepl);
    CHECK(r.options.size() == 1);  // interface-id only: remote-id and link-layer stay behind
  }
  Bytes inner_layer = cat({{0x0d, 0x00},
                           kLinkInner,
                           kPeerInner,
                           {0x00, 0x12, 0x00, 0x04, 'e', 't', 'h', '0'},
                           {0x00, 0x09, 0x00, 0x04, 0x02, 0x00, 0x00, 0x01}});
  REQUIRE(inner_layer.size() == 0x32);
  Bytes expected = cat({{0x0d, 0x01},
                        kLinkOuter,
                        kLinkInner,
                        {0x00, 0x12, 0x00, 0x08, 'g', 'e', '-', '0', '/', '0', '/', '1'},
                        {0x00, 0x09, 0x00, 0x32},
                        inner_layer});
  CHECK(reply.serialize() == expected);
  Pkt6 back = mustParse(expected);
  CHECK(back.msg_type == MessageType6::kAdvertise);
  CHECK(back.relays == reply.relays);
}

TEST_CASE("the relay-reply chain echoes the options a relay lists in its ERO (RFC 4994)") {
  RelayInfo f;
  f.hop_count = 3;
  f.link_address = v6("2001:db8::1");
  f.peer_address = v6("fe80::2");
  f.options = {Option6{opt6::kRemoteId, {0, 0, 0, 9, 7}}, Option6{opt6::kSubscriberId, {'s'}},
               Option6{opt6::kEro, {0x00, 0x25}},  // echo remote-id (37)
               Option6{opt6::kInterfaceId, {'x'}}};
  auto chain = relayReplyChain({f});
  REQUIRE(chain.size() == 1);
  CHECK(chain[0].msg_type == MessageType6::kRelayRepl);
  CHECK(chain[0].hop_count == 3);
  CHECK(chain[0].link_address == f.link_address);
  CHECK(chain[0].peer_address == f.peer_address);
  CHECK(codesOf(chain[0].options) == std::vector<uint16_t>{opt6::kRemoteId, opt6::kInterfaceId});
  CHECK(relayReplyChain({}).empty());
}

TEST_CASE("three relay layers parse, and the reply goes back through all three") {
  Pkt6 q;
  q.msg_type = MessageType6::kRequest;
  q.transid = 0x777777;
  q.setClientId(makeDuidLl(1, Bytes{1, 2, 3, 4, 5, 6}));
  for (int i = 0; i < 3; ++i) {
    RelayInfo r;
    r.hop_count = static_cast<uint8_t>(2 - i);
    r.link_address = v6("2001:db8::" + std::to_string(i + 1));
    r.peer_address = v6("fe80::" + std::to_string(i + 1));
    r.options.push_back(
        Option6{opt6::kInterfaceId, Bytes{'i', 'f', static_cast<uint8_t>('0' + i)}});
    q.relays.push_back(r);
  }
  Bytes wire = q.serialize();
  Pkt6 p = mustParse(wire);
  REQUIRE(p.relays.size() == 3);
  CHECK(p.relays == q.relays);
  CHECK(p.relays[0].hop_count == 2);
  CHECK(*p.relayOption(opt6::kInterfaceId) == Bytes{'i', 'f', '2'});
  CHECK(p.serialize() == wire);

  Pkt6 reply = Pkt6::makeReply(p, MessageType6::kReply);
  reply.setClientId(*p.clientId());
  Pkt6 r = mustParse(reply.serialize());
  REQUIRE(r.relays.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(r.relays[i].msg_type == MessageType6::kRelayRepl);
    CHECK(r.relays[i].link_address == p.relays[i].link_address);
    CHECK(r.relays[i].peer_address == p.relays[i].peer_address);
    CHECK(r.relays[i].interfaceId() == p.relays[i].interfaceId());
  }
  CHECK(r.msg_type == MessageType6::kReply);
  CHECK(r.clientId() == p.clientId());
}

TEST_CASE("relay nesting is limited to 32 layers and hop counts to 32") {
  Bytes msg = {0x0b, 0x00, 0x00, 0x05};  // INFORMATION-REQUEST
  Pkt6 deep = mustParse(wrap(msg, Pkt6::kMaxRelayDepth));
  CHECK(deep.relays.size() == 32);
  CHECK(deep.msg_type == MessageType6::kInformationRequest);
  CHECK(parseError(wrap(msg, 33)).find("more than 32 nested relay messages") != std::string::npos);
  CHECK(mustParse(wrap(msg, 1, 32)).relays[0].hop_count == 32);
  CHECK(parseError(wrap(msg, 1, 33)).find("hop count 33 is over 32") != std::string::npos);
}

TEST_CASE("malformed packets are refused with a reason") {
  CHECK(parseError(Bytes{}) == "empty packet");
  CHECK(parseError(Bytes{0x01, 0x00, 0x00}).find("truncated header: 3 of 4") != std::string::npos);
  Bytes big(65536, 0);
  big[0] = 1;
  CHECK(parseError(big).find("larger than 65535") != std::string::npos);

  // An option header cut short, an option longer than what follows.
  CHECK(parseError(Bytes{0x01, 0, 0, 1, 0x00, 0x01, 0x00}).find("truncated option header") !=
        std::string::npos);
  CHECK(parseError(Bytes{0x01, 0, 0, 1, 0x00, 0x08, 0x00, 0x04, 0x00})
            .find("option 8 at offset 0 has length 4 but only 1 bytes follow") !=
        std::string::npos);

  // IA_NA shorter than its fixed part; an IAADDR overflowing the IA_NA; an IAADDR whose own
  // sub-option overflows it.
  CHECK(parseError(Bytes{0x01, 0, 0, 1, 0x00, 0x03, 0x00, 0x04, 0, 0, 0, 1})
            .find("IA_NA needs 12 bytes, got 4") != std::string::npos);
  Bytes ia = iaNaWithAddressPayload();
  ia[15] = 0x19;  // IAADDR claims 25 bytes, 24 follow
  CHECK(parseError(cat({{0x03, 0, 0, 1, 0x00, 0x03, 0x00, 0x28}, ia})).find("sub-options") !=
        std::string::npos);
  Bytes ia2 = iaNaWithAddressPayload();
  ia2[15] = 0x1c;  // IAADDR of 28 bytes, its sub-option header has 4 bytes claiming 9
  ia2.insert(ia2.end(), {0x00, 0x0d, 0x00, 0x09});
  CHECK(parseError(cat({{0x03, 0, 0, 1, 0x00, 0x03, 0x00, 0x2c}, ia2})).find("IAADDR 1") !=
        std::string::npos);

  // IA_PD: an IAPREFIX overflowing, a prefix length over 128, a bad PD_EXCLUDE.
  Bytes pd = iaPdWithExcludePayload();
  pd[15] = 0x40;
  CHECK(parseError(cat({{0x03, 0, 0, 1, 0x00, 0x19, 0x00, 0x30}, pd})).find("IA_PD iaid 7") !=
        std::string::npos);
  Bytes pd2 = iaPdWithExcludePayload();
  pd2[24] = 129;
  CHECK(parseError(cat({{0x03, 0, 0, 1, 0x00, 0x19, 0x00, 0x30}, pd2}))
            .find("prefix length 129 is over 128") != std::string::npos);
  Bytes pd3 = iaPdWithExcludePayload();
  pd3[45] = 40;  // excluded /40 inside a /48
  CHECK(parseError(cat({{0x03, 0, 0, 1, 0x00, 0x19, 0x00, 0x30}, pd3})).find("PD_EXCLUDE") !=
        std::string::npos);
  CHECK(parseError(Bytes{0x03, 0, 0, 1, 0x00, 0x19, 0x00, 0x10, 0,    0,    0,    1,
                         0,    0, 0, 0, 0,    0,    0,    0,    0x00, 0x1a, 0x00, 0x00})
            .find("IAPREFIX needs 25 bytes, got 0") != std::string::npos);

  // Relay layers: header cut short, no relay-msg, two relay-msgs, an empty one, a broken
  // client message inside.
  Bytes relay_hdr(Pkt6::kRelayHeaderSize, 0);
  relay_hdr[0] = 0x0c;
  CHECK(parseError(Bytes(relay_hdr.begin(), relay_hdr.begin() + 20))
            .find("relay layer 1: truncated relay header: 20 of 34") != std::string::npos);
  CHECK(parseError(cat({relay_hdr, {0x00, 0x12, 0x00, 0x01, 'x'}})).find("no relay-msg") !=
        std::string::npos);
  CHECK(parseError(cat({relay_hdr,
                        {0x00, 0x09, 0x00, 0x04, 1, 0, 0, 1},
                        {0x00, 0x09, 0x00, 0x04, 1, 0, 0, 1}}))
            .find("more than one relay-msg") != std::string::npos);
  CHECK(parseError(cat({relay_hdr, {0x00, 0x09, 0x00, 0x00}})).find("empty relay-msg") !=
        std::string::npos);
  CHECK(parseError(cat({relay_hdr, {0x00, 0x09, 0x00, 0x02, 1, 0}}))
            .find("relayed message: truncated header") != std::string::npos);
  CHECK(parseError(cat({relay_hdr, {0x00, 0x09, 0x00, 0x06, 1, 0, 0, 1, 0, 3}}))
            .find("relayed message: truncated option header") != std::string::npos);
  CHECK(parseError(cat({relay_hdr, {0x00, 0x09, 0x00, 0x09, 1, 0, 0, 1}}))
            .find("relay layer 1: option 9") != std::string::npos);
}

TEST_CASE("options keep order and repeats; set replaces the first and drops the rest") {
  Pkt6 p;
  p.addOption(opt6::kUserClass, encodeOpaqueList({Bytes{'a'}}));
  p.addOption(opt6::kVendorClass, encodeVendorClass6({9, {Bytes{'v'}}}));
  p.addOption(opt6::kUserClass, encodeOpaqueList({Bytes{'b'}, Bytes{'c'}}));
  p.addOption(opt6::kVendorOpts, encodeVendorOpts6({9, {Option6{1, {1}}}}));
  CHECK(codesOf(p.options()) == std::vector<uint16_t>{15, 16, 15, 17});
  CHECK(p.allOptions(opt6::kUserClass).size() == 2);
  CHECK(p.userClasses() == std::vector<Bytes>{Bytes{'a'}, Bytes{'b'}, Bytes{'c'}});
  REQUIRE(p.vendorClasses().size() == 1);
  CHECK(p.vendorClasses()[0].enterprise == 9);
  REQUIRE(p.vendorOpts().size() == 1);
  CHECK(p.vendorOpts()[0].options[0] == Option6{1, {1}});
  Pkt6 q = mustParse(p.serialize());
  CHECK(q.options() == p.options());

  p.setOption(opt6::kUserClass, encodeOpaqueList({Bytes{'z'}}));
  CHECK(codesOf(p.options()) == std::vector<uint16_t>{15, 16, 17});
  CHECK(p.userClasses() == std::vector<Bytes>{Bytes{'z'}});
  p.removeOption(opt6::kVendorClass);
  CHECK(codesOf(p.options()) == std::vector<uint16_t>{15, 17});
  p.setOption(opt6::kReconfAccept, {});
  CHECK(p.reconfigureAccept());
  p.setOption(opt6::kPreference, encodeU8(255));
  CHECK(p.preference() == 255);
  p.setOption(opt6::kPreference, Bytes{1, 2});  // malformed: no value, no exception
  CHECK_FALSE(p.preference());
  p.setOption(opt6::kClientId, {});
  CHECK_FALSE(p.clientId());
}

TEST_CASE("serialize refuses what cannot be encoded instead of writing a broken packet") {
  Pkt6 p;
  p.addOption(opt6::kVendorOpts, Bytes(65536, 0));
  CHECK(p.serialize().empty());
  Pkt6 q;
  q.addOption(opt6::kVendorOpts, Bytes(65531, 0));  // fits alone, not inside a relay-msg
  CHECK(q.serializeMessage().size() == 65539);
  q.relays.push_back(RelayInfo{});
  CHECK(q.serialize().empty());
}
