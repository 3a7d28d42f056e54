// The standard DHCPv4 option definitions, with Kea's names and types (Kea 2.x std_option_defs).
// Names, codes and types are protocol facts (RFC 2132 and later); the table is ours.

#include <stdexcept>
#include <vector>

#include "takahe/dhcp/option_definition.h"

#include "std_option_table.h"

namespace takahe::dhcp {

namespace {

using T = OptionDataType;

using detail::StdDef;

constexpr std::string_view k4 = kDhcp4Space;
constexpr std::string_view kAg = kAgentSpace;

// clang-format off
const StdDef kStdDefs4[] = {
    {k4, "subnet-mask", 1, T::kIpv4Address, false, {}, ""},
    {k4, "time-offset", 2, T::kInt32, false, {}, ""},
    {k4, "routers", 3, T::kIpv4Address, true, {}, ""},
    {k4, "time-servers", 4, T::kIpv4Address, true, {}, ""},
    {k4, "name-servers", 5, T::kIpv4Address, true, {}, ""},
    {k4, "domain-name-servers", 6, T::kIpv4Address, true, {}, ""},
    {k4, "log-servers", 7, T::kIpv4Address, true, {}, ""},
    {k4, "cookie-servers", 8, T::kIpv4Address, true, {}, ""},
    {k4, "lpr-servers", 9, T::kIpv4Address, true, {}, ""},
    {k4, "impress-servers", 10, T::kIpv4Address, true, {}, ""},
    {k4, "resource-location-servers", 11, T::kIpv4Address, true, {}, ""},
    {k4, "host-name", 12, T::kString, false, {}, ""},
    {k4, "boot-size", 13, T::kUint16, false, {}, ""},
    {k4, "merit-dump", 14, T::kString, false, {}, ""},
    // RFC 2132 3.17: the domain name as ASCII text, not DNS wire format (Kea: string).
    {k4, "domain-name", 15, T::kString, false, {}, ""},
    {k4, "swap-server", 16, T::kIpv4Address, false, {}, ""},
    {k4, "root-path", 17, T::kString, false, {}, ""},
    {k4, "extensions-path", 18, T::kString, false, {}, ""},
    {k4, "ip-forwarding", 19, T::kBoolean, false, {}, ""},
    {k4, "non-local-source-routing", 20, T::kBoolean, false, {}, ""},
    {k4, "policy-filter", 21, T::kIpv4Address, true, {}, ""},
    {k4, "max-dgram-reassembly", 22, T::kUint16, false, {}, ""},
    {k4, "default-ip-ttl", 23, T::kUint8, false, {}, ""},
    {k4, "path-mtu-aging-timeout", 24, T::kUint32, false, {}, ""},
    {k4, "path-mtu-plateau-table", 25, T::kUint16, true, {}, ""},
    {k4, "interface-mtu", 26, T::kUint16, false, {}, ""},
    {k4, "all-subnets-local", 27, T::kBoolean, false, {}, ""},
    {k4, "broadcast-address", 28, T::kIpv4Address, false, {}, ""},
    {k4, "perform-mask-discovery", 29, T::kBoolean, false, {}, ""},
    {k4, "mask-supplier", 30, T::kBoolean, false, {}, ""},
    {k4, "router-discovery", 31, T::kBoolean, false, {}, ""},
    {k4, "router-solicitation-address", 32, T::kIpv4Address, false, {}, ""},
    {k4, "static-routes", 33, T::kIpv4Address, true, {}, ""},
    {k4, "trailer-encapsulation", 34, T::kBoolean, false, {}, ""},
    {k4, "arp-cache-timeout", 35, T::kUint32, false, {}, ""},
    {k4, "ieee802-3-encapsulation", 36, T::kBoolean, false, {}, ""},
    {k4, "default-tcp-ttl", 37, T::kUint8, false, {}, ""},
    {k4, "tcp-keepalive-interval", 38, T::kUint32, false, {}, ""},
    {k4, "tcp-keepalive-garbage", 39, T::kBoolean, false, {}, ""},
    {k4, "nis-domain", 40, T::kString, false, {}, ""},
    {k4, "nis-servers", 41, T::kIpv4Address, true, {}, ""},
    {k4, "ntp-servers", 42, T::kIpv4Address, true, {}, ""},
    {k4, "vendor-encapsulated-options", 43, T::kEmpty, false, {}, kVendorEncapsulatedSpace},
    {k4, "netbios-name-servers", 44, T::kIpv4Address, true, {}, ""},
    {k4, "netbios-dd-server", 45, T::kIpv4Address, true, {}, ""},
    {k4, "netbios-node-type", 46, T::kUint8, false, {}, ""},
    {k4, "netbios-scope", 47, T::kString, false, {}, ""},
    {k4, "font-servers", 48, T::kIpv4Address, true, {}, ""},
    {k4, "x-display-manager", 49, T::kIpv4Address, true, {}, ""},
    {k4, "dhcp-requested-address", 50, T::kIpv4Address, false, {}, ""},
    {k4, "dhcp-lease-time", 51, T::kUint32, false, {}, ""},
    {k4, "dhcp-option-overload", 52, T::kUint8, false, {}, ""},
    {k4, "dhcp-message-type", 53, T::kUint8, false, {}, ""},
    {k4, "dhcp-server-identifier", 54, T::kIpv4Address, false, {}, ""},
    {k4, "dhcp-parameter-request-list", 55, T::kUint8, true, {}, ""},
    {k4, "dhcp-message", 56, T::kString, false, {}, ""},
    {k4, "dhcp-max-message-size", 57, T::kUint16, false, {}, ""},
    {k4, "dhcp-renewal-time", 58, T::kUint32, false, {}, ""},
    {k4, "dhcp-rebinding-time", 59, T::kUint32, false, {}, ""},
    {k4, "vendor-class-identifier", 60, T::kString, false, {}, ""},
    {k4, "dhcp-client-identifier", 61, T::kBinary, false, {}, ""},
    {k4, "nwip-domain-name", 62, T::kString, false, {}, ""},
    {k4, "nwip-suboptions", 63, T::kBinary, false, {}, ""},
    {k4, "nisplus-domain-name", 64, T::kString, false, {}, ""},
    {k4, "nisplus-servers", 65, T::kIpv4Address, true, {}, ""},
    {k4, "tftp-server-name", 66, T::kString, false, {}, ""},
    {k4, "boot-file-name", 67, T::kString, false, {}, ""},
    {k4, "mobile-ip-home-agent", 68, T::kIpv4Address, true, {}, ""},
    {k4, "smtp-server", 69, T::kIpv4Address, true, {}, ""},
    {k4, "pop-server", 70, T::kIpv4Address, true, {}, ""},
    {k4, "nntp-server", 71, T::kIpv4Address, true, {}, ""},
    {k4, "www-server", 72, T::kIpv4Address, true, {}, ""},
    {k4, "finger-server", 73, T::kIpv4Address, true, {}, ""},
    {k4, "irc-server", 74, T::kIpv4Address, true, {}, ""},
    {k4, "streettalk-server", 75, T::kIpv4Address, true, {}, ""},
    {k4, "streettalk-directory-assistance-server", 76, T::kIpv4Address, true, {}, ""},
    {k4, "user-class", 77, T::kBinary, false, {}, ""},
    {k4, "slp-directory-agent", 78, T::kRecord, true, {T::kBoolean, T::kIpv4Address}, ""},
    {k4, "slp-service-scope", 79, T::kRecord, false, {T::kBoolean, T::kString}, ""},
    // Client FQDN (RFC 4702): flags, rcode1, rcode2, name (wire format when the E flag is set).
    {k4, "fqdn", 81, T::kRecord, false, {T::kUint8, T::kUint8, T::kUint8, T::kFqdn}, ""},
    {k4, "dhcp-agent-options", 82, T::kEmpty, false, {}, kAgentSpace},
    {k4, "nds-servers", 85, T::kIpv4Address, true, {}, ""},
    {k4, "nds-tree-name", 86, T::kString, false, {}, ""},
    {k4, "nds-context", 87, T::kString, false, {}, ""},
    {k4, "bcms-controller-names", 88, T::kFqdn, true, {}, ""},
    {k4, "bcms-controller-address", 89, T::kIpv4Address, true, {}, ""},
    {k4, "authenticate", 90, T::kBinary, false, {}, ""},
    {k4, "client-last-transaction-time", 91, T::kUint32, false, {}, ""},
    {k4, "associated-ip", 92, T::kIpv4Address, true, {}, ""},
    {k4, "client-system", 93, T::kUint16, true, {}, ""},
    {k4, "client-ndi", 94, T::kRecord, false, {T::kUint8, T::kUint8, T::kUint8}, ""},
    {k4, "uuid-guid", 97, T::kRecord, false, {T::kUint8, T::kBinary}, ""},
    {k4, "uap-servers", 98, T::kString, false, {}, ""},
    {k4, "geoconf-civic", 99, T::kBinary, false, {}, ""},
    {k4, "pcode", 100, T::kString, false, {}, ""},
    {k4, "tcode", 101, T::kString, false, {}, ""},
    {k4, "v6-only-preferred", 108, T::kUint32, false, {}, ""},
    {k4, "netinfo-server-address", 112, T::kIpv4Address, true, {}, ""},
    {k4, "netinfo-server-tag", 113, T::kString, false, {}, ""},
    // RFC 8910 moved the captive-portal URI to 114 (formerly default-url); 160 is retired.
    {k4, "v4-captive-portal", 114, T::kString, false, {}, ""},
    {k4, "auto-config", 116, T::kUint8, false, {}, ""},
    {k4, "name-service-search", 117, T::kUint16, true, {}, ""},
    {k4, "subnet-selection", 118, T::kIpv4Address, false, {}, ""},
    {k4, "domain-search", 119, T::kFqdn, true, {}, ""},
    // RFC 3442 routes; text "10.229.0.128/25 - 10.229.0.1, ..." (see option_codec.cc).
    {k4, "classless-static-route", 121, T::kInternal, false, {}, ""},
    {k4, "vivco-suboptions", 124, T::kRecord, false, {T::kUint32, T::kBinary}, ""},
    // Enterprise number, then the raw rest (data-len + sub-options); the rest may be omitted.
    {k4, "vivso-suboptions", 125, T::kRecord, false, {T::kUint32, T::kBinary}, ""},
    {k4, "pana-agent", 136, T::kIpv4Address, true, {}, ""},
    {k4, "v4-lost", 137, T::kFqdn, false, {}, ""},
    {k4, "capwap-ac-v4", 138, T::kIpv4Address, true, {}, ""},
    {k4, "sip-ua-cs-domains", 141, T::kFqdn, true, {}, ""},
    // RFC 8572: tuples with a 2-byte length (special-cased in the codec).
    {k4, "v4-sztp-redirect", 143, T::kTuple, true, {}, ""},
    {k4, "rdnss-selection", 146, T::kRecord, true,
     {T::kUint8, T::kIpv4Address, T::kIpv4Address, T::kFqdn}, ""},
    {k4, "status-code", 151, T::kRecord, false, {T::kUint8, T::kString}, ""},
    {k4, "base-time", 152, T::kUint32, false, {}, ""},
    {k4, "start-time-of-state", 153, T::kUint32, false, {}, ""},
    {k4, "query-start-time", 154, T::kUint32, false, {}, ""},
    {k4, "query-end-time", 155, T::kUint32, false, {}, ""},
    {k4, "dhcp-state", 156, T::kUint8, false, {}, ""},
    {k4, "data-source", 157, T::kUint8, false, {}, ""},
    {k4, "v4-portparams", 159, T::kRecord, false, {T::kUint8, T::kPsid}, ""},
    {k4, "option-6rd", 212, T::kRecord, true,
     {T::kUint8, T::kUint8, T::kIpv6Address, T::kIpv4Address}, ""},
    {k4, "v4-access-domain", 213, T::kFqdn, false, {}, ""},

    // Relay agent information (option 82) sub-options.
    {kAg, "circuit-id", 1, T::kBinary, false, {}, ""},
    {kAg, "remote-id", 2, T::kBinary, false, {}, ""},
    {kAg, "docsis-device-class", 4, T::kUint32, false, {}, ""},
    {kAg, "link-selection", 5, T::kIpv4Address, false, {}, ""},
    {kAg, "subscriber-id", 6, T::kString, false, {}, ""},
    {kAg, "radius", 7, T::kBinary, false, {}, ""},
    {kAg, "auth", 8, T::kBinary, false, {}, ""},
    {kAg, "vendor-specific-info", 9, T::kBinary, false, {}, ""},
    {kAg, "relay-flags", 10, T::kUint8, false, {}, ""},
    {kAg, "server-id-override", 11, T::kIpv4Address, false, {}, ""},
    {kAg, "relay-id", 12, T::kBinary, false, {}, ""},
    {kAg, "access-techno-type", 13, T::kUint16, false, {}, ""},
    {kAg, "access-network-name", 14, T::kString, false, {}, ""},
    {kAg, "access-point-name", 15, T::kString, false, {}, ""},
    {kAg, "access-point-bssid", 16, T::kBinary, false, {}, ""},
    {kAg, "operator-id", 17, T::kUint32, false, {}, ""},
    {kAg, "operator-realm", 18, T::kString, false, {}, ""},
    {kAg, "relay-port", 19, T::kUint16, false, {}, ""},
    {kAg, "virtual-subnet-select", 151, T::kBinary, false, {}, ""},
    {kAg, "virtual-subnet-select-ctrl", 152, T::kEmpty, false, {}, ""},
};
// clang-format on

}  // namespace

const OptionDefinitionSet& OptionDefinitionSet::standard4() {
  static const OptionDefinitionSet kSet =
      detail::buildStandardSet(kStdDefs4, OptionUniverse::kV4, "standard option table");
  return kSet;
}

}  // namespace takahe::dhcp
