#pragma once

// Messages of takahe-dhcp6's packet path (sockets, hook points, sending): one stable ID per
// event, for operators to grep. Included by .cc files only.

#include "takahe/log/logger.h"

namespace takahe::dhcp6 {

using log::MessageId;
using log::Severity;

inline constexpr MessageId DHCP6_PACKET_PARSE_FAIL{"DHCP6_PACKET_PARSE_FAIL", Severity::kDebug, "malformed packet from %1 on %2 dropped: %3"};
inline constexpr MessageId DHCP6_PACKET_DROP_DISABLED{"DHCP6_PACKET_DROP_DISABLED", Severity::kDebug, "packet from %1 on %2 dropped: DHCP service is disabled (dhcp-disable)"};
inline constexpr MessageId DHCP6_PACKET_DROP_NOT_READY{"DHCP6_PACKET_DROP_NOT_READY", Severity::kDebug, "packet from %1 on %2 dropped: the server has no working configuration"};
inline constexpr MessageId DHCP6_PACKET_SEND{"DHCP6_PACKET_SEND", Severity::kDebug, "%1 sent to [%2]:%3 on %4"};
inline constexpr MessageId DHCP6_PACKET_SEND_FAIL{"DHCP6_PACKET_SEND_FAIL", Severity::kError, "%1: cannot send the reply to [%2]:%3: %4"};
inline constexpr MessageId DHCP6_PACKET_PROCESS_FAIL{"DHCP6_PACKET_PROCESS_FAIL", Severity::kError, "%1: processing failed: %2"};
inline constexpr MessageId DHCP6_HOOK_DROP{"DHCP6_HOOK_DROP", Severity::kDebug, "%1: dropped by a hook library at %2 (%3)"};
inline constexpr MessageId DHCP6_HOOK_LEASE_KEPT{"DHCP6_HOOK_LEASE_KEPT", Severity::kDebug, "%1: %2 left as it is: a hook library at %3 answered %4"};
inline constexpr MessageId DHCP6_HOOK_SUBNET_IGNORED{"DHCP6_HOOK_SUBNET_IGNORED", Severity::kWarn, "%1: subnet6_select returned a subnet that is not in the configuration; ignored"};
inline constexpr MessageId DHCP6_HOOK_PARK_FULL{"DHCP6_HOOK_PARK_FULL", Severity::kWarn, "%1: dropped, the parking lot of %2 is full (parked-packet-limit)"};
inline constexpr MessageId DHCP6_HOOK_PARKED_LOST{"DHCP6_HOOK_PARKED_LOST", Severity::kWarn, "%1: the parked reply was released, but there is no socket to send it on interface %2 (%3); not sent"};
inline constexpr MessageId DHCP6_SOCKET_NO_MULTICAST{"DHCP6_SOCKET_NO_MULTICAST", Severity::kDebug, "%1: not joined to ff02::1:2 (%2); only unicast queries are received there"};

}  // namespace takahe::dhcp6
