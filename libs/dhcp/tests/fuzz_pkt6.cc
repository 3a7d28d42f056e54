// libFuzzer target for the DHCPv6 message parser, the typed option decoders and the option
// codec. Invariants checked: parse never crashes; a parsed message serializes to exactly the
// input bytes (parse keeps every option, in order, and where relay-msg sat) and parses again to
// the same packet; a reply built for it (RELAY-REPL chain) serializes and parses; formatting
// any option with its standard definition either succeeds or reports an error, and its text
// re-encodes without crashing.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcp/pkt6.h"

using takahe::Bytes;
using takahe::dhcp::MessageType6;
using takahe::dhcp::Option6;
using takahe::dhcp::OptionDefinitionSet;
using takahe::dhcp::Pkt6;

namespace {

void exerciseCodec(const OptionDefinitionSet& defs, std::string_view space, const Option6& o) {
  const auto* def = defs.find(space, o.code);
  if (def == nullptr) {
    return;
  }
  auto text = takahe::dhcp::formatOptionData(*def, o.data);
  if (text) {
    (void)takahe::dhcp::encodeOptionData(*def, *text, true);
  }
}

// Decoders for options that are not checked by parse() must cope with any contents.
void exerciseDecoders(const Option6& o) {
  namespace d = takahe::dhcp;
  (void)d::parseDuid(o.data);
  (void)d::hwAddrFromDuid(o.data);
  (void)d::decodeStatus6(o.data);
  (void)d::decodeOptionCodes(o.data);
  (void)d::decodeAddressList(o.data);
  (void)d::decodeDomainList(o.data);
  (void)d::decodeOpaqueList(o.data);
  (void)d::decodeVendorClass6(o.data);
  (void)d::decodeVendorOpts6(o.data);
  (void)d::decodeRemoteId6(o.data);
  (void)d::decodeClientFqdn6(o.data);
  (void)d::decodeNtpServer6(o.data);
  (void)d::decodeClientLinkLayer(o.data);
  (void)d::decodeIaAddress(o.data);
  if (auto p = d::decodeIaPrefix(o.data)) {
    (void)d::encodeIaPrefix(*p);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto parsed = Pkt6::parse(input);
  if (!parsed) {
    return 0;
  }
  const Pkt6& pkt = *parsed;

  (void)pkt.label();
  (void)pkt.clientId();
  (void)pkt.serverId();
  (void)pkt.requestedOptions();
  (void)pkt.preference();
  (void)pkt.elapsedTime();
  (void)pkt.status();
  (void)pkt.clientFqdn();
  (void)pkt.userClasses();
  (void)pkt.vendorClasses();
  (void)pkt.vendorOpts();
  (void)pkt.clientLinkLayerAddr();
  for (const auto& r : pkt.relays) {
    (void)r.interfaceId();
    (void)r.remoteId();
  }

  // parse() accepted the IA options, so they must decode, and their re-encoding must parse.
  Pkt6 rebuilt;
  auto nas = pkt.iaNas();
  auto tas = pkt.iaTas();
  auto pds = pkt.iaPds();
  if (nas.size() != pkt.allOptions(takahe::dhcp::opt6::kIaNa).size() ||
      tas.size() != pkt.allOptions(takahe::dhcp::opt6::kIaTa).size() ||
      pds.size() != pkt.allOptions(takahe::dhcp::opt6::kIaPd).size()) {
    std::abort();
  }
  for (const auto& ia : nas) {
    rebuilt.addIaNa(ia);
  }
  for (const auto& ia : tas) {
    rebuilt.addIaTa(ia);
  }
  for (const auto& ia : pds) {
    if (!rebuilt.addIaPd(ia)) {
      std::abort();  // a decoded PD_EXCLUDE always fits its prefix
    }
  }
  Bytes rebuilt_wire = rebuilt.serialize();
  if (rebuilt_wire.size() <= Pkt6::kMaxWireSize) {
    auto again = Pkt6::parse(rebuilt_wire);
    if (!again || again->iaNas() != nas || again->iaTas() != tas || again->iaPds() != pds) {
      std::abort();
    }
  }

  // Nothing is normalized: the bytes come back as they were.
  Bytes wire = pkt.serialize();
  if (wire != Bytes(input.begin(), input.end())) {
    std::abort();
  }
  auto again = Pkt6::parse(wire);
  if (!again || again->options() != pkt.options() || again->relays != pkt.relays ||
      again->transid != pkt.transid || again->msg_type != pkt.msg_type) {
    std::abort();
  }

  // A reply goes back through the same relays.
  Pkt6 reply = Pkt6::makeReply(pkt, MessageType6::kReply);
  if (auto cid = pkt.clientId()) {
    reply.setClientId(*cid);
  }
  Bytes reply_wire = reply.serialize();
  if (reply_wire.empty() || reply_wire.size() > Pkt6::kMaxWireSize) {
    return 0;  // echoed relay options can make the reply larger than the query
  }
  auto reply_parsed = Pkt6::parse(reply_wire);
  if (!reply_parsed || reply_parsed->relays.size() != pkt.relays.size()) {
    std::abort();
  }

  const auto& defs = OptionDefinitionSet::standard6();
  for (const auto& o : pkt.options()) {
    exerciseCodec(defs, takahe::dhcp::kDhcp6Space, o);
    exerciseDecoders(o);
  }
  for (const auto& r : pkt.relays) {
    for (const auto& o : r.options) {
      exerciseCodec(defs, takahe::dhcp::kDhcp6Space, o);
    }
  }
  return 0;
}
