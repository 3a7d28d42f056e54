// libFuzzer target for the expression compiler and evaluator (built with -Dfuzzing=true and
// clang; the unit tests also replay tests/corpus/eval through it).
//
// Input: expression text, optionally followed by a NUL byte and a raw DHCPv4 packet. Without
// a packet (or when it does not parse) the text is evaluated on two built-in packets: a relayed
// REQUEST carrying many options and an optionless BOOTP request.
//
// Checks, beyond "no crash": compile either succeeds or throws ConfigError; the compiled text
// round-trips; evaluation is deterministic; a boolean's string form is "true"/"false" and
// agrees with evaluateBool; evaluateBool throws Error exactly for string expressions.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "takahe/dhcp/pkt4.h"
#include "takahe/eval/expression.h"
#include "takahe/util/error.h"

namespace {

using takahe::Bytes;
using takahe::dhcp::Pkt4;

std::vector<Pkt4> builtInPackets() {
  std::vector<Pkt4> packets;
  Pkt4 relayed;
  relayed.xid = 0x12345678;
  relayed.hops = 1;
  relayed.giaddr = takahe::IPv4Address(0xc0000201);
  relayed.ciaddr = takahe::IPv4Address(0x0a000005);
  relayed.setHwAddr(takahe::HwAddr(1, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55}));
  relayed.setMessageType(takahe::dhcp::MessageType::kRequest);
  relayed.setOption(takahe::dhcp::opt::kClientId, {0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55});
  relayed.setOption(takahe::dhcp::opt::kHostName, {'H', 'o', 's', 't', '.', 'a', '-', 'b'});
  relayed.setOption(takahe::dhcp::opt::kVendorClassId, {'d', 'o', 'c', 's', 'i', 's'});
  relayed.setOption(takahe::dhcp::opt::kRequestedAddress, {10, 0, 0, 5});
  relayed.setOption(takahe::dhcp::opt::kRelayAgentInfo,
                    {1, 3, 'e', 't', 'h', 2, 2, 0xab, 0xcd, 5, 4, 10, 1, 0, 0});
  relayed.setOption(200, {});
  relayed.meta.iface = "eth0";
  relayed.meta.remote_addr = takahe::IPv4Address(0xc0000201);
  relayed.meta.local_addr = takahe::IPv4Address(0xc0000202);
  packets.push_back(relayed);

  Pkt4 bootp;
  bootp.hlen = 0;
  packets.push_back(bootp);
  return packets;
}

void check(const takahe::eval::Expression& e, const Pkt4& pkt) {
  const std::string first = takahe::eval::evaluateString(e, pkt);
  if (takahe::eval::evaluateString(e, pkt) != first) {
    std::abort();
  }
  if (e.isBool()) {
    if (first != "true" && first != "false") {
      std::abort();
    }
    if (takahe::eval::evaluateBool(e, pkt) != (first == "true")) {
      std::abort();
    }
    return;
  }
  try {
    takahe::eval::evaluateBool(e, pkt);
    std::abort();  // a string expression must be refused
  } catch (const takahe::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Pkt4> kPackets = builtInPackets();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);

  takahe::eval::ExpressionPtr e;
  try {
    e = takahe::eval::compile(text);
  } catch (const takahe::ConfigError&) {
    return 0;
  }
  if (e->text() != text || takahe::eval::compile(e->text())->type() != e->type()) {
    std::abort();
  }
  if (nul != std::string_view::npos) {
    const auto wire = std::span<const uint8_t>(data + nul + 1, size - nul - 1);
    auto parsed = Pkt4::parse(wire);
    if (parsed) {
      check(*e, parsed.value());
      return 0;
    }
  }
  for (const Pkt4& pkt : kPackets) {
    check(*e, pkt);
  }
  return 0;
}
