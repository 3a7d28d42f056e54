// libFuzzer target for the DHCPv4 packet parser and the option codec.
// Invariants checked: parse never crashes; a parsed packet serializes to bytes that parse
// again with the same options; formatting any option with its standard definition either
// succeeds or reports an error (and its text re-encodes without crashing).

#include <cstdint>
#include <cstdlib>
#include <map>
#include <span>

#include "takahe/dhcp/option_definition.h"
#include "takahe/dhcp/pkt4.h"

using takahe::Bytes;
using takahe::dhcp::OptionDefinitionSet;
using takahe::dhcp::Pkt4;

namespace {

std::map<uint8_t, Bytes> optionMap(const Pkt4& p) {
  std::map<uint8_t, Bytes> m;
  for (const auto& o : p.options()) {
    m[o.code] = o.data;
  }
  return m;
}

void exerciseCodec(const OptionDefinitionSet& defs, std::string_view space, uint8_t code,
                   const Bytes& data) {
  const auto* def = defs.find(space, code);
  if (def == nullptr) {
    return;
  }
  auto text = takahe::dhcp::formatOptionData(*def, data);
  if (text) {
    (void)takahe::dhcp::encodeOptionData(*def, *text, true);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = Pkt4::parse(std::span<const uint8_t>(data, size));
  if (!parsed) {
    return 0;
  }
  const Pkt4& pkt = *parsed;

  // Typed helpers must cope with any option contents.
  (void)pkt.label();
  (void)pkt.messageType();
  (void)pkt.hwAddr();
  (void)pkt.clientId();
  (void)pkt.requestedAddress();
  (void)pkt.serverId();
  (void)pkt.parameterRequestList();
  (void)pkt.maxMessageSize();
  (void)pkt.hostName();
  (void)pkt.relayAgentSubOption(1);

  std::vector<uint8_t> dropped;
  Bytes wire = pkt.serialize(65535, &dropped);
  auto again = Pkt4::parse(wire);
  if (!again) {
    // Our own output must parse, unless mandatory options alone pushed it past 64 KiB.
    if (wire.size() <= 65535) {
      std::abort();
    }
    return 0;
  }
  if (dropped.empty() && optionMap(*again) != optionMap(pkt)) {
    std::abort();  // nothing was dropped, so every option must survive the round trip
  }
  if (again->xid != pkt.xid || again->chaddr != pkt.chaddr || again->giaddr != pkt.giaddr) {
    std::abort();
  }

  const auto& defs = OptionDefinitionSet::standard4();
  for (const auto& o : pkt.options()) {
    exerciseCodec(defs, takahe::dhcp::kDhcp4Space, o.code, o.data);
  }
  if (const Bytes* rai = pkt.option(takahe::dhcp::opt::kRelayAgentInfo)) {
    std::vector<takahe::dhcp::Option4> subs;
    if (takahe::dhcp::parseOptions4(*rai, subs)) {
      for (const auto& s : subs) {
        exerciseCodec(defs, takahe::dhcp::kAgentSpace, s.code, s.data);
      }
    }
  }
  return 0;
}
