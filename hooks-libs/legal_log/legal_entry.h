#pragma once

// Text of the forensic log entries, in Kea's wording so that existing tooling keeps parsing
// them. No I/O here: the callouts build a line, RotatingFile writes it.

#include <cstdint>
#include <span>
#include <string>

#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::hooks::legal_log {

/// What happened to a lease.
enum class Action {
  kAssign,   ///< "has been assigned for <duration> to"
  kRenew,    ///< "has been renewed for <duration> to"
  kRelease,  ///< "has been released from"
  kDecline,  ///< "has been declined from" (Kea writes "released" here; see doc/hooks.md)
  kExpire,   ///< "has been expired from" (Kea writes nothing)
};

/// "assigned", "renewed", "released", "declined", "expired".
const char* actionVerb(Action action);

/// "1 hrs 52 mins 15 secs", "2 days 0 hrs 0 mins 1 secs", or "infinite duration".
std::string durationText(uint32_t seconds);

/// Hex with ':' and, when every byte is printable ASCII, the text in parentheses:
/// "68:6f:77:64:79 (howdy)".
std::string idText(std::span<const uint8_t> bytes);

/// Assigned (query is a REQUEST from a client in INIT/SELECTING/INIT-REBOOT) or renewed (the
/// client is RENEWING or REBINDING: ciaddr is the leased address).
Action commitAction(const dhcp::Pkt4* query, const dhcpsrv::Lease4& lease);

/// The default entry for one lease event (without timestamp), e.g.
/// "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with hardware
/// address: hwtype=1 08:00:2b:02:3f:4e, client-id: 17:34:e2:ff:09:92:54 connected via relay at
/// address: 192.2.16.33, identified by circuit-id: 68:6f:77:64:79 (howdy) and remote-id:
/// 87:f6:79:77:ef". Relay details come from `query` (may be null: expiry has no packet).
std::string leaseEntry(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query);

/// A JSON text printed the way Kea prints user contexts ("{ \"foo\": true }"); the text as given
/// when it is not valid JSON.
std::string keaStyleJson(const std::string& json_text);

}  // namespace takahe::hooks::legal_log
