// DHCPv6 messages: parsing (relay layers unwrapped, every length checked), serialization and
// the relay-reply chain of RFC 8415 §19.3.

#include "takahe/dhcp/pkt6.h"

#include <algorithm>
#include <cstdio>

#include "takahe/util/buffer.h"

namespace takahe::dhcp {

namespace {

using PR = Result<Pkt6, ParseError6>;

PR fail(std::string reason) { return PR::failure(ParseError6{std::move(reason)}); }

IPv6Address readAddress(std::span<const uint8_t> b) {
  std::array<uint8_t, 16> a{};
  std::copy_n(b.begin(), 16, a.begin());
  return IPv6Address(a);
}

// The IA options of a client message must decode; anything the server would read from them
// has to be sound before the packet goes further.
std::optional<std::string> checkIaOptions(const std::vector<Option6>& options) {
  for (const auto& o : options) {
    std::optional<std::string> e;
    if (o.code == opt6::kIaNa) {
      if (auto r = decodeIaNa(o.data); !r) e = r.error();
    } else if (o.code == opt6::kIaTa) {
      if (auto r = decodeIaTa(o.data); !r) e = r.error();
    } else if (o.code == opt6::kIaPd) {
      if (auto r = decodeIaPd(o.data); !r) e = r.error();
    }
    if (e) {
      return e;
    }
  }
  return std::nullopt;
}

template <typename T, typename Decode>
std::vector<T> decodeAll(const std::vector<Option6>& options, uint16_t code, Decode decode) {
  std::vector<T> out;
  for (const auto& o : options) {
    if (o.code == code) {
      if (auto r = decode(o.data)) {
        out.push_back(std::move(*r));
      }
    }
  }
  return out;
}

// Writes one relay layer around `inner`; false when `inner` does not fit a relay-msg option.
bool wrapRelay(const RelayInfo& r, const Bytes& inner, Bytes& out) {
  out.push_back(static_cast<uint8_t>(r.msg_type));
  out.push_back(r.hop_count);
  out.insert(out.end(), r.link_address.bytes().begin(), r.link_address.bytes().end());
  out.insert(out.end(), r.peer_address.bytes().begin(), r.peer_address.bytes().end());
  size_t at = std::min(r.relay_msg_index, r.options.size());
  bool ok = true;
  for (size_t i = 0; i <= r.options.size(); ++i) {
    if (i == at) {
      ok = appendOption6(opt6::kRelayMsg, inner, out) && ok;
    }
    if (i < r.options.size()) {
      ok = appendOption6(r.options[i].code, r.options[i].data, out) && ok;
    }
  }
  return ok;
}

}  // namespace

std::string_view messageType6Name(MessageType6 t) {
  switch (t) {
    case MessageType6::kSolicit:
      return "SOLICIT";
    case MessageType6::kAdvertise:
      return "ADVERTISE";
    case MessageType6::kRequest:
      return "REQUEST";
    case MessageType6::kConfirm:
      return "CONFIRM";
    case MessageType6::kRenew:
      return "RENEW";
    case MessageType6::kRebind:
      return "REBIND";
    case MessageType6::kReply:
      return "REPLY";
    case MessageType6::kRelease:
      return "RELEASE";
    case MessageType6::kDecline:
      return "DECLINE";
    case MessageType6::kReconfigure:
      return "RECONFIGURE";
    case MessageType6::kInformationRequest:
      return "INFORMATION-REQUEST";
    case MessageType6::kRelayForw:
      return "RELAY-FORW";
    case MessageType6::kRelayRepl:
      return "RELAY-REPL";
  }
  return "UNKNOWN";
}

// ---- RelayInfo -----------------------------------------------------------------------------

std::optional<Bytes> RelayInfo::interfaceId() const {
  const Bytes* d = option(opt6::kInterfaceId);
  return d == nullptr ? std::nullopt : std::optional<Bytes>(*d);
}

std::optional<RemoteId6> RelayInfo::remoteId() const {
  const Bytes* d = option(opt6::kRemoteId);
  if (d == nullptr) {
    return std::nullopt;
  }
  auto r = decodeRemoteId6(*d);
  return r ? std::optional<RemoteId6>(std::move(*r)) : std::nullopt;
}

std::optional<HwAddr> RelayInfo::clientLinkLayerAddr() const {
  const Bytes* d = option(opt6::kClientLinkLayerAddr);
  if (d == nullptr) {
    return std::nullopt;
  }
  auto r = decodeClientLinkLayer(*d);
  return r ? std::optional<HwAddr>(std::move(*r)) : std::nullopt;
}

// ---- parse / serialize ---------------------------------------------------------------------

Result<Pkt6, ParseError6> Pkt6::parse(std::span<const uint8_t> wire) {
  if (wire.empty()) {
    return fail("empty packet");
  }
  if (wire.size() > kMaxWireSize) {
    return fail("packet of " + std::to_string(wire.size()) + " bytes is larger than 65535");
  }
  Pkt6 p;
  std::span<const uint8_t> cur = wire;
  Bytes holder;  // the current relay layer's inner message
  // Relay layers, outermost first. Each one is bounded by the relay-msg of the one before, so
  // the loop ends; the depth limit bounds the work.
  while (isRelayMessage(static_cast<MessageType6>(cur[0]))) {
    // Built only on failure: the success path allocates no message text.
    auto where = [&p] { return "relay layer " + std::to_string(p.relays.size() + 1) + ": "; };
    if (p.relays.size() == kMaxRelayDepth) {
      return fail("more than " + std::to_string(kMaxRelayDepth) + " nested relay messages");
    }
    if (cur.size() < kRelayHeaderSize) {
      return fail(where() + "truncated relay header: " + std::to_string(cur.size()) + " of " +
                  std::to_string(kRelayHeaderSize) + " bytes");
    }
    RelayInfo r;
    r.msg_type = static_cast<MessageType6>(cur[0]);
    r.hop_count = cur[1];
    if (r.hop_count > kMaxHopCount) {
      return fail(where() + "hop count " + std::to_string(r.hop_count) + " is over " +
                  std::to_string(kMaxHopCount));
    }
    r.link_address = readAddress(cur.subspan(2, 16));
    r.peer_address = readAddress(cur.subspan(18, 16));
    auto opts = parseOptions6(cur.subspan(kRelayHeaderSize));
    if (!opts) {
      return fail(where() + opts.error());
    }
    std::optional<Bytes> inner;
    for (auto& o : *opts) {
      if (o.code == opt6::kRelayMsg) {
        if (inner) {
          return fail(where() + "more than one relay-msg option");
        }
        r.relay_msg_index = r.options.size();
        inner = std::move(o.data);
      } else {
        r.options.push_back(std::move(o));
      }
    }
    if (!inner) {
      return fail(where() + "no relay-msg option");
    }
    if (r.relay_msg_index == r.options.size()) {
      r.relay_msg_index = RelayInfo::kRelayMsgLast;  // the usual place, as a built layer has it
    }
    if (inner->empty()) {
      return fail(where() + "empty relay-msg option");
    }
    // Everything `cur` pointed at has been copied out, so its buffer can be replaced.
    p.relays.push_back(std::move(r));
    holder = std::move(*inner);
    cur = holder;
  }

  std::string_view where = p.relays.empty() ? "" : "relayed message: ";
  if (cur.size() < kHeaderSize) {
    return fail(std::string(where) + "truncated header: " + std::to_string(cur.size()) + " of " +
                std::to_string(kHeaderSize) + " bytes");
  }
  p.msg_type = static_cast<MessageType6>(cur[0]);
  p.transid = (uint32_t{cur[1]} << 16) | (uint32_t{cur[2]} << 8) | uint32_t{cur[3]};
  auto opts = parseOptions6(cur.subspan(kHeaderSize));
  if (!opts) {
    return fail(std::string(where) + opts.error());
  }
  if (auto e = checkIaOptions(*opts)) {
    return fail(std::string(where) + *e);
  }
  p.options_ = std::move(*opts);
  return p;
}

Bytes Pkt6::serializeMessage() const {
  Bytes out;
  out.reserve(kHeaderSize + 64 * options_.size());
  out.push_back(static_cast<uint8_t>(msg_type));
  out.push_back(static_cast<uint8_t>(transid >> 16));
  out.push_back(static_cast<uint8_t>(transid >> 8));
  out.push_back(static_cast<uint8_t>(transid));
  if (!appendOptions6(options_, out)) {
    return {};
  }
  return out;
}

Bytes Pkt6::serialize() const {
  Bytes msg = serializeMessage();
  if (msg.empty()) {
    return msg;
  }
  // Innermost layer first: each one wraps the bytes built so far.
  for (auto it = relays.rbegin(); it != relays.rend(); ++it) {
    Bytes layer;
    layer.reserve(kRelayHeaderSize + 4 + msg.size() + 32);
    if (!wrapRelay(*it, msg, layer)) {
      return {};
    }
    msg = std::move(layer);
  }
  return msg;
}

std::vector<RelayInfo> relayReplyChain(const std::vector<RelayInfo>& forw) {
  std::vector<RelayInfo> out;
  out.reserve(forw.size());
  for (const auto& f : forw) {
    RelayInfo r;
    r.msg_type = MessageType6::kRelayRepl;
    r.hop_count = f.hop_count;
    r.link_address = f.link_address;
    r.peer_address = f.peer_address;
    std::vector<uint16_t> echo;
    if (const Bytes* ero = f.option(opt6::kEro)) {
      if (auto codes = decodeOptionCodes(*ero)) {
        echo = std::move(*codes);
      }
    }
    for (const auto& o : f.options) {
      bool wanted = o.code == opt6::kInterfaceId ||
                    (o.code != opt6::kRelayMsg && o.code != opt6::kEro &&
                     std::find(echo.begin(), echo.end(), o.code) != echo.end());
      if (wanted) {
        r.options.push_back(o);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Pkt6 Pkt6::makeReply(const Pkt6& query, MessageType6 type) {
  Pkt6 r;
  r.msg_type = type;
  r.transid = query.transid & kTransIdMask;
  r.relays = relayReplyChain(query.relays);
  r.meta = query.meta;
  return r;
}

// ---- options -------------------------------------------------------------------------------

std::vector<const Bytes*> Pkt6::allOptions(uint16_t code) const {
  std::vector<const Bytes*> out;
  for (const auto& o : options_) {
    if (o.code == code) {
      out.push_back(&o.data);
    }
  }
  return out;
}

void Pkt6::addOption(uint16_t code, Bytes data) {
  options_.push_back(Option6{code, std::move(data)});
}

void Pkt6::setOption(uint16_t code, Bytes data) {
  auto first = std::find_if(options_.begin(), options_.end(),
                            [code](const Option6& o) { return o.code == code; });
  if (first == options_.end()) {
    options_.push_back(Option6{code, std::move(data)});
    return;
  }
  first->data = std::move(data);
  size_t keep = static_cast<size_t>(first - options_.begin());
  size_t i = 0;
  std::erase_if(options_, [&](const Option6& o) { return o.code == code && i++ != keep; });
}

void Pkt6::removeOption(uint16_t code) {
  std::erase_if(options_, [code](const Option6& o) { return o.code == code; });
}

// ---- typed helpers -------------------------------------------------------------------------

std::optional<Duid> Pkt6::clientId() const {
  const Bytes* d = option(opt6::kClientId);
  if (d == nullptr || d->empty()) {
    return std::nullopt;
  }
  return Duid(*d);
}

std::optional<Duid> Pkt6::serverId() const {
  const Bytes* d = option(opt6::kServerId);
  if (d == nullptr || d->empty()) {
    return std::nullopt;
  }
  return Duid(*d);
}

std::vector<IaNa> Pkt6::iaNas() const { return decodeAll<IaNa>(options_, opt6::kIaNa, decodeIaNa); }
std::vector<IaTa> Pkt6::iaTas() const { return decodeAll<IaTa>(options_, opt6::kIaTa, decodeIaTa); }
std::vector<IaPd> Pkt6::iaPds() const { return decodeAll<IaPd>(options_, opt6::kIaPd, decodeIaPd); }

bool Pkt6::addIaPd(const IaPd& ia) {
  auto b = encodeIaPd(ia);
  if (!b) {
    return false;
  }
  addOption(opt6::kIaPd, std::move(*b));
  return true;
}

std::vector<uint16_t> Pkt6::requestedOptions() const {
  const Bytes* d = option(opt6::kOro);
  if (d == nullptr) {
    return {};
  }
  auto codes = decodeOptionCodes(*d);
  return codes ? std::move(*codes) : std::vector<uint16_t>{};
}

std::optional<uint8_t> Pkt6::preference() const {
  const Bytes* d = option(opt6::kPreference);
  return d == nullptr ? std::nullopt : decodeU8(*d);
}

std::optional<uint16_t> Pkt6::elapsedTime() const {
  const Bytes* d = option(opt6::kElapsedTime);
  return d == nullptr ? std::nullopt : decodeU16(*d);
}

std::optional<Status6> Pkt6::status() const {
  const Bytes* d = option(opt6::kStatusCode);
  if (d == nullptr) {
    return std::nullopt;
  }
  auto s = decodeStatus6(*d);
  return s ? std::optional<Status6>(std::move(*s)) : std::nullopt;
}

std::optional<ClientFqdn6> Pkt6::clientFqdn() const {
  const Bytes* d = option(opt6::kClientFqdn);
  if (d == nullptr) {
    return std::nullopt;
  }
  auto f = decodeClientFqdn6(*d);
  return f ? std::optional<ClientFqdn6>(std::move(*f)) : std::nullopt;
}

std::vector<Bytes> Pkt6::userClasses() const {
  std::vector<Bytes> out;
  for (const auto& list :
       decodeAll<std::vector<Bytes>>(options_, opt6::kUserClass, decodeOpaqueList)) {
    out.insert(out.end(), list.begin(), list.end());
  }
  return out;
}

std::vector<VendorClass6> Pkt6::vendorClasses() const {
  return decodeAll<VendorClass6>(options_, opt6::kVendorClass, decodeVendorClass6);
}

std::vector<VendorOpts6> Pkt6::vendorOpts() const {
  return decodeAll<VendorOpts6>(options_, opt6::kVendorOpts, decodeVendorOpts6);
}

const Bytes* Pkt6::relayOption(uint16_t code) const {
  for (auto it = relays.rbegin(); it != relays.rend(); ++it) {
    if (const Bytes* d = it->option(code)) {
      return d;
    }
  }
  return nullptr;
}

std::optional<HwAddr> Pkt6::clientLinkLayerAddr() const {
  for (auto it = relays.rbegin(); it != relays.rend(); ++it) {
    if (auto hw = it->clientLinkLayerAddr()) {
      return hw;
    }
  }
  return std::nullopt;
}

std::string Pkt6::label() const {
  std::string out;
  std::string_view name = messageType6Name(msg_type);
  if (name == "UNKNOWN") {
    out = "DHCPV6-TYPE-" + std::to_string(static_cast<unsigned>(msg_type));
  } else {
    out = std::string(name);
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), " transid=0x%06x", transid & kTransIdMask);
  out += buf;
  if (auto duid = clientId()) {
    out += " duid=" + duid->toString();
  }
  if (!relays.empty()) {
    out += " via " + relays.front().peer_address.toString() +
           " relays=" + std::to_string(relays.size());
  }
  return out;
}

}  // namespace takahe::dhcp
