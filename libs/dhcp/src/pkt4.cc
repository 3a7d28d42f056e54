#include "takahe/dhcp/pkt4.h"

#include <algorithm>
#include <cstdio>

#include "takahe/util/buffer.h"

namespace takahe::dhcp {

namespace {

constexpr size_t kMaxWireSize = 65535;
constexpr size_t kMinMaxSize = 576;  // RFC 2131: every client accepts 576-byte messages
constexpr size_t kMaxChunk = 255;

// Overload values of option 52 (RFC 2132 9.3).
constexpr uint8_t kOverloadFile = 1;
constexpr uint8_t kOverloadSname = 2;

ParseError4 fail(std::string reason) { return ParseError4{std::move(reason)}; }

// Bytes a TLV encoding of `len` payload bytes takes, counting RFC 3396 splitting.
size_t encodedSize(size_t len) {
  size_t chunks = len == 0 ? 1 : (len + kMaxChunk - 1) / kMaxChunk;
  return len + 2 * chunks;
}

void appendOne(uint8_t code, const Bytes& data, Bytes& out) {
  if (data.empty()) {
    out.push_back(code);
    out.push_back(0);
    return;
  }
  for (size_t pos = 0; pos < data.size(); pos += kMaxChunk) {
    size_t n = std::min(kMaxChunk, data.size() - pos);
    out.push_back(code);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
  }
}

Option4* findIn(std::vector<Option4>& options, uint8_t code) {
  for (auto& o : options) {
    if (o.code == code) {
      return &o;
    }
  }
  return nullptr;
}

std::optional<IPv4Address> addressOption(const Bytes* data) {
  if (data == nullptr || data->size() != 4) {
    return std::nullopt;
  }
  return IPv4Address::fromBytes(data->data());
}

}  // namespace

std::string_view messageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kDiscover:
      return "DHCPDISCOVER";
    case MessageType::kOffer:
      return "DHCPOFFER";
    case MessageType::kRequest:
      return "DHCPREQUEST";
    case MessageType::kDecline:
      return "DHCPDECLINE";
    case MessageType::kAck:
      return "DHCPACK";
    case MessageType::kNak:
      return "DHCPNAK";
    case MessageType::kRelease:
      return "DHCPRELEASE";
    case MessageType::kInform:
      return "DHCPINFORM";
    case MessageType::kLeaseQuery:
      return "DHCPLEASEQUERY";
    case MessageType::kLeaseUnassigned:
      return "DHCPLEASEUNASSIGNED";
    case MessageType::kLeaseUnknown:
      return "DHCPLEASEUNKNOWN";
    case MessageType::kLeaseActive:
      return "DHCPLEASEACTIVE";
  }
  return "UNKNOWN";
}

bool parseOptions4(std::span<const uint8_t> wire, std::vector<Option4>& out) {
  InputBuffer in(wire);
  while (!in.empty()) {
    uint8_t code = 0;
    in.readU8(code);
    if (code == opt::kPad) {
      continue;
    }
    if (code == opt::kEnd) {
      return true;
    }
    uint8_t len = 0;
    std::span<const uint8_t> payload;
    if (!in.readU8(len) || !in.readSpan(len, payload)) {
      return false;
    }
    // RFC 3396: instances of one code are concatenated in the order they appear.
    if (Option4* existing = findIn(out, code)) {
      existing->data.insert(existing->data.end(), payload.begin(), payload.end());
    } else {
      out.push_back(Option4{code, Bytes(payload.begin(), payload.end())});
    }
  }
  return true;
}

void appendOptions4(const std::vector<Option4>& options, Bytes& out) {
  for (const auto& o : options) {
    if (o.code == opt::kPad || o.code == opt::kEnd) {
      continue;
    }
    appendOne(o.code, o.data, out);
  }
}

Result<Pkt4, ParseError4> Pkt4::parse(std::span<const uint8_t> wire) {
  using R = Result<Pkt4, ParseError4>;
  if (wire.size() > kMaxWireSize) {
    return R::failure(
        fail("packet of " + std::to_string(wire.size()) + " bytes is larger than 65535"));
  }
  if (wire.size() < kHeaderSize) {
    return R::failure(fail("truncated header: " + std::to_string(wire.size()) + " of " +
                           std::to_string(kHeaderSize) + " bytes"));
  }
  Pkt4 p;
  InputBuffer in(wire);
  uint32_t ci = 0, yi = 0, si = 0, gi = 0;
  std::span<const uint8_t> chaddr, sname, file;
  // Cannot fail: the size was checked above.
  in.readU8(p.op);
  in.readU8(p.htype);
  in.readU8(p.hlen);
  in.readU8(p.hops);
  in.readU32(p.xid);
  in.readU16(p.secs);
  in.readU16(p.flags);
  in.readU32(ci);
  in.readU32(yi);
  in.readU32(si);
  in.readU32(gi);
  in.readSpan(p.chaddr.size(), chaddr);
  in.readSpan(p.sname.size(), sname);
  in.readSpan(p.file.size(), file);
  if (in.bad()) {
    return R::failure(fail("truncated header"));
  }
  if (p.hlen > p.chaddr.size()) {
    return R::failure(
        fail("hardware address length " + std::to_string(p.hlen) + " is larger than 16"));
  }
  p.ciaddr = IPv4Address(ci);
  p.yiaddr = IPv4Address(yi);
  p.siaddr = IPv4Address(si);
  p.giaddr = IPv4Address(gi);
  std::copy(chaddr.begin(), chaddr.end(), p.chaddr.begin());
  std::copy(sname.begin(), sname.end(), p.sname.begin());
  std::copy(file.begin(), file.end(), p.file.begin());

  // A plain BOOTP packet has no cookie: fewer than 4 vendor bytes, or zeros where the cookie
  // would be. Anything else that is not the cookie is garbage.
  uint32_t cookie = 0;
  if (!in.readU32(cookie) || cookie == 0) {
    return p;
  }
  if (cookie != kMagicCookie) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "bad magic cookie 0x%08x", cookie);
    return R::failure(fail(buf));
  }
  std::span<const uint8_t> rest;
  in.readSpan(in.remaining(), rest);
  if (!parseOptions4(rest, p.options_)) {
    return R::failure(fail("option runs past the end of the options field"));
  }

  // Option overload (RFC 2132 9.3): read file, then sname (RFC 2131 4.1 order). The option
  // itself is a wire artifact and is not kept; the overloaded fields hold no names.
  if (const Bytes* ov = p.option(opt::kOverload)) {
    if (ov->size() != 1 || (*ov)[0] < 1 || (*ov)[0] > 3) {
      return R::failure(fail("invalid option overload (52) value"));
    }
    uint8_t mode = (*ov)[0];
    p.removeOption(opt::kOverload);
    if (mode & kOverloadFile) {
      if (!parseOptions4(file, p.options_)) {
        return R::failure(fail("option runs past the end of the overloaded file field"));
      }
      p.file.fill(0);
    }
    if (mode & kOverloadSname) {
      if (!parseOptions4(sname, p.options_)) {
        return R::failure(fail("option runs past the end of the overloaded sname field"));
      }
      p.sname.fill(0);
    }
    // An overload option found inside file/sname is meaningless; drop it.
    p.removeOption(opt::kOverload);
  }
  return p;
}

Bytes Pkt4::serialize(size_t max_size) const { return serialize(max_size, nullptr); }

Bytes Pkt4::serialize(size_t max_size, std::vector<uint8_t>* dropped) const {
  max_size = std::max(max_size, kMinMaxSize);
  OutputBuffer out(kMinSize);
  out.writeU8(op);
  out.writeU8(htype);
  out.writeU8(hlen);
  out.writeU8(hops);
  out.writeU32(xid);
  out.writeU16(secs);
  out.writeU16(flags);
  out.writeU32(ciaddr.toUint());
  out.writeU32(yiaddr.toUint());
  out.writeU32(siaddr.toUint());
  out.writeU32(giaddr.toUint());
  out.write(chaddr);
  out.write(sname);
  out.write(file);
  out.writeU32(kMagicCookie);

  // Message type first, then the rest in insertion order. Overload (52) is never written: this
  // serializer does not overload, so a stale 52 would make receivers misread sname/file.
  std::vector<const Option4*> order;
  order.reserve(options_.size());
  for (const auto& o : options_) {
    if (o.code == opt::kMessageType) {
      order.insert(order.begin(), &o);
    } else if (o.code != opt::kPad && o.code != opt::kEnd && o.code != opt::kOverload) {
      order.push_back(&o);
    }
  }

  // Budget: the mandatory options and END are always written; other options are taken in
  // order while they fit, so earlier-added options have priority.
  auto mandatory = [](uint8_t code) { return code == opt::kMessageType || code == opt::kServerId; };
  size_t used = out.size() + 1;  // + END
  for (const Option4* o : order) {
    if (mandatory(o->code)) {
      used += encodedSize(o->data.size());
    }
  }
  Bytes& data = out.data();
  for (const Option4* o : order) {
    if (!mandatory(o->code)) {
      size_t need = encodedSize(o->data.size());
      if (used + need > max_size) {
        if (dropped != nullptr) {
          dropped->push_back(o->code);
        }
        continue;
      }
      used += need;
    }
    appendOne(o->code, o->data, data);
  }
  data.push_back(opt::kEnd);
  if (data.size() < kMinSize) {
    data.resize(kMinSize, 0);
  }
  return std::move(out.data());
}

const Bytes* Pkt4::option(uint8_t code) const {
  for (const auto& o : options_) {
    if (o.code == code) {
      return &o.data;
    }
  }
  return nullptr;
}

void Pkt4::setOption(uint8_t code, Bytes data) {
  if (code == opt::kPad || code == opt::kEnd) {
    return;
  }
  if (Option4* existing = findIn(options_, code)) {
    existing->data = std::move(data);
  } else {
    options_.push_back(Option4{code, std::move(data)});
  }
}

void Pkt4::removeOption(uint8_t code) {
  std::erase_if(options_, [code](const Option4& o) { return o.code == code; });
}

std::optional<MessageType> Pkt4::messageType() const {
  const Bytes* d = option(opt::kMessageType);
  if (d == nullptr || d->size() != 1 || (*d)[0] == 0) {
    return std::nullopt;
  }
  return static_cast<MessageType>((*d)[0]);
}

void Pkt4::setMessageType(MessageType t) {
  setOption(opt::kMessageType, Bytes{static_cast<uint8_t>(t)});
}

HwAddr Pkt4::hwAddr() const {
  size_t n = std::min<size_t>(hlen, chaddr.size());
  return HwAddr(htype, Bytes(chaddr.begin(), chaddr.begin() + static_cast<std::ptrdiff_t>(n)));
}

void Pkt4::setHwAddr(const HwAddr& hw) {
  size_t n = std::min(hw.bytes.size(), chaddr.size());
  htype = hw.htype;
  hlen = static_cast<uint8_t>(n);
  chaddr.fill(0);
  std::copy_n(hw.bytes.begin(), n, chaddr.begin());
}

std::optional<ClientId> Pkt4::clientId() const {
  const Bytes* d = option(opt::kClientId);
  if (d == nullptr || d->empty()) {
    return std::nullopt;
  }
  return ClientId(*d);
}

std::optional<IPv4Address> Pkt4::requestedAddress() const {
  return addressOption(option(opt::kRequestedAddress));
}

std::optional<IPv4Address> Pkt4::serverId() const { return addressOption(option(opt::kServerId)); }

std::vector<uint8_t> Pkt4::parameterRequestList() const {
  const Bytes* d = option(opt::kParameterRequestList);
  return d == nullptr ? std::vector<uint8_t>{} : *d;
}

std::optional<uint16_t> Pkt4::maxMessageSize() const {
  const Bytes* d = option(opt::kMaxMessageSize);
  if (d == nullptr || d->size() != 2) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(((*d)[0] << 8) | (*d)[1]);
}

std::optional<std::string> Pkt4::hostName() const {
  const Bytes* d = option(opt::kHostName);
  if (d == nullptr) {
    return std::nullopt;
  }
  // Some clients NUL-terminate the name; the terminator is not part of it.
  size_t n = d->size();
  while (n > 0 && (*d)[n - 1] == 0) {
    --n;
  }
  if (n == 0) {
    return std::nullopt;
  }
  return std::string(d->begin(), d->begin() + static_cast<std::ptrdiff_t>(n));
}

std::optional<Bytes> Pkt4::relayAgentSubOption(uint8_t sub_code) const {
  const Bytes* d = option(opt::kRelayAgentInfo);
  if (d == nullptr) {
    return std::nullopt;
  }
  std::vector<Option4> subs;
  if (!parseOptions4(*d, subs)) {
    return std::nullopt;
  }
  for (auto& s : subs) {
    if (s.code == sub_code) {
      return std::move(s.data);
    }
  }
  return std::nullopt;
}

std::string Pkt4::label() const {
  std::string out;
  if (auto t = messageType()) {
    std::string_view name = messageTypeName(*t);
    if (name == "UNKNOWN") {
      out = "DHCP-TYPE-" + std::to_string(static_cast<unsigned>(*t));
    } else {
      out = std::string(name);
    }
  } else {
    out = op == 2 ? "BOOTREPLY" : "BOOTREQUEST";
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), " xid=0x%08x", xid);
  out += buf;
  HwAddr hw = hwAddr();
  out += " hw=" + std::to_string(hw.htype) + "/" + (hw.empty() ? "-" : hw.toString());
  if (auto cid = clientId()) {
    out += " cid=" + cid->toString();
  }
  if (isRelayed()) {
    out += " via " + giaddr.toString();
  }
  return out;
}

}  // namespace takahe::dhcp
