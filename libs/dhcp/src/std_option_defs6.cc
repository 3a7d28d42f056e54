// The standard DHCPv6 option definitions, with Kea's names and types (Kea 2.x). Names, codes
// and types are protocol facts (RFC 8415 and later, IANA "DHCPv6 Option Codes"); the table is
// ours.

#include <stdexcept>
#include <vector>

#include "takahe/dhcp/option_definition.h"

#include "std_option_table.h"

namespace takahe::dhcp {

namespace {

using T = OptionDataType;

using detail::StdDef;

constexpr std::string_view k6 = kDhcp6Space;

// clang-format off
const StdDef kStdDefs6[] = {
    {k6, "clientid", 1, T::kBinary, false, {}, ""},
    {k6, "serverid", 2, T::kBinary, false, {}, ""},
    // The IA containers are records of their fixed fields; addresses and prefixes go inside as
    // sub-options built by the server (options6.h), not through option-data.
    {k6, "ia-na", 3, T::kRecord, false, {T::kUint32, T::kUint32, T::kUint32}, ""},
    {k6, "ia-ta", 4, T::kUint32, false, {}, ""},
    {k6, "iaaddr", 5, T::kRecord, false, {T::kIpv6Address, T::kUint32, T::kUint32}, ""},
    {k6, "oro", 6, T::kUint16, true, {}, ""},
    {k6, "preference", 7, T::kUint8, false, {}, ""},
    {k6, "elapsed-time", 8, T::kUint16, false, {}, ""},
    {k6, "relay-msg", 9, T::kBinary, false, {}, ""},
    // Authentication carries a 64-bit replay detection field no record type can express.
    {k6, "auth", 11, T::kBinary, false, {}, ""},
    {k6, "unicast", 12, T::kIpv6Address, false, {}, ""},
    {k6, "status-code", 13, T::kRecord, false, {T::kUint16, T::kString}, ""},
    {k6, "rapid-commit", 14, T::kEmpty, false, {}, ""},
    {k6, "user-class", 15, T::kBinary, false, {}, ""},
    {k6, "vendor-class", 16, T::kRecord, false, {T::kUint32, T::kBinary}, ""},
    // Enterprise number; the sub-options come from space "vendor-<enterprise>".
    {k6, "vendor-opts", 17, T::kUint32, false, {}, ""},
    {k6, "interface-id", 18, T::kBinary, false, {}, ""},
    {k6, "reconf-msg", 19, T::kUint8, false, {}, ""},
    {k6, "reconf-accept", 20, T::kEmpty, false, {}, ""},
    {k6, "sip-server-dns", 21, T::kFqdn, true, {}, ""},
    {k6, "sip-server-addr", 22, T::kIpv6Address, true, {}, ""},
    {k6, "dns-servers", 23, T::kIpv6Address, true, {}, ""},
    {k6, "domain-search", 24, T::kFqdn, true, {}, ""},
    {k6, "ia-pd", 25, T::kRecord, false, {T::kUint32, T::kUint32, T::kUint32}, ""},
    {k6, "iaprefix", 26, T::kRecord, false, {T::kUint32, T::kUint32, T::kUint8, T::kIpv6Address},
     ""},
    {k6, "nis-servers", 27, T::kIpv6Address, true, {}, ""},
    {k6, "nisp-servers", 28, T::kIpv6Address, true, {}, ""},
    {k6, "nis-domain-name", 29, T::kFqdn, true, {}, ""},
    {k6, "nisp-domain-name", 30, T::kFqdn, true, {}, ""},
    {k6, "sntp-servers", 31, T::kIpv6Address, true, {}, ""},
    {k6, "information-refresh-time", 32, T::kUint32, false, {}, ""},
    {k6, "bcmcs-server-dns", 33, T::kFqdn, true, {}, ""},
    {k6, "bcmcs-server-addr", 34, T::kIpv6Address, true, {}, ""},
    {k6, "geoconf-civic", 36, T::kRecord, false, {T::kUint8, T::kUint16, T::kBinary}, ""},
    {k6, "remote-id", 37, T::kRecord, false, {T::kUint32, T::kBinary}, ""},
    {k6, "subscriber-id", 38, T::kBinary, false, {}, ""},
    {k6, "client-fqdn", 39, T::kRecord, false, {T::kUint8, T::kFqdn}, ""},
    {k6, "pana-agent", 40, T::kIpv6Address, true, {}, ""},
    {k6, "new-posix-timezone", 41, T::kString, false, {}, ""},
    {k6, "new-tzdb-timezone", 42, T::kString, false, {}, ""},
    {k6, "ero", 43, T::kUint16, true, {}, ""},
    // Leasequery (RFC 5007); as in Kea these two carry dhcp6 options inside.
    {k6, "lq-query", 44, T::kRecord, false, {T::kUint8, T::kIpv6Address}, kDhcp6Space},
    {k6, "client-data", 45, T::kEmpty, false, {}, kDhcp6Space},
    {k6, "clt-time", 46, T::kUint32, false, {}, ""},
    {k6, "lq-relay-data", 47, T::kRecord, false, {T::kIpv6Address, T::kBinary}, ""},
    {k6, "lq-client-link", 48, T::kIpv6Address, true, {}, ""},
    {k6, "v6-lost", 51, T::kFqdn, false, {}, ""},
    {k6, "capwap-ac-v6", 52, T::kIpv6Address, true, {}, ""},
    {k6, "relay-id", 53, T::kBinary, false, {}, ""},
    {k6, "ntp-server", 56, T::kEmpty, false, {}, kNtpServerSpace6},
    {k6, "v6-access-domain", 57, T::kFqdn, false, {}, ""},
    {k6, "sip-ua-cs-list", 58, T::kFqdn, true, {}, ""},
    {k6, "bootfile-url", 59, T::kString, false, {}, ""},
    {k6, "bootfile-param", 60, T::kTuple, true, {}, ""},
    {k6, "client-arch-type", 61, T::kUint16, true, {}, ""},
    {k6, "nii", 62, T::kRecord, false, {T::kUint8, T::kUint8, T::kUint8}, ""},
    {k6, "aftr-name", 64, T::kFqdn, false, {}, ""},
    {k6, "erp-local-domain-name", 65, T::kFqdn, false, {}, ""},
    {k6, "rsoo", 66, T::kEmpty, false, {}, kRsooSpace6},
    // RFC 6603: the payload depends on the delegated prefix; encodePdExclude builds it.
    {k6, "pd-exclude", 67, T::kBinary, false, {}, ""},
    {k6, "rdnss-selection", 74, T::kRecord, true, {T::kIpv6Address, T::kUint8, T::kFqdn}, ""},
    {k6, "client-linklayer-addr", 79, T::kBinary, false, {}, ""},
    {k6, "link-address", 80, T::kIpv6Address, false, {}, ""},
    {k6, "solmax-rt", 82, T::kUint32, false, {}, ""},
    {k6, "inf-max-rt", 83, T::kUint32, false, {}, ""},
    {k6, "dhcpv4-message", 87, T::kBinary, false, {}, ""},
    {k6, "dhcp4o6-server-addr", 88, T::kIpv6Address, true, {}, ""},
    {k6, "s46-cont-mape", 94, T::kEmpty, false, {}, kS46MapeSpace},
    {k6, "s46-cont-mapt", 95, T::kEmpty, false, {}, kS46MaptSpace},
    {k6, "s46-cont-lw", 96, T::kEmpty, false, {}, kS46LwSpace},
    {k6, "v6-captive-portal", 103, T::kString, false, {}, ""},
    {k6, "relay-source-port", 135, T::kUint16, false, {}, ""},
    {k6, "v6-sztp-redirect", 136, T::kTuple, true, {}, ""},
    {k6, "ipv6-address-andsf", 143, T::kIpv6Address, true, {}, ""},
    {k6, "addr-reg-enable", 148, T::kEmpty, false, {}, ""},

    // NTP server (RFC 5908) sub-options.
    {kNtpServerSpace6, "ntp-server-address", 1, T::kIpv6Address, false, {}, ""},
    {kNtpServerSpace6, "ntp-server-multicast", 2, T::kIpv6Address, false, {}, ""},
    {kNtpServerSpace6, "ntp-server-fqdn", 3, T::kFqdn, false, {}, ""},

    // Softwire46 (RFC 7598) containers and their rules.
    {kS46MapeSpace, "s46-rule", 89, T::kRecord, false,
     {T::kUint8, T::kUint8, T::kUint8, T::kIpv4Address, T::kIpv6Prefix}, kS46RuleSpace},
    {kS46MapeSpace, "s46-br", 90, T::kIpv6Address, false, {}, ""},
    {kS46MaptSpace, "s46-rule", 89, T::kRecord, false,
     {T::kUint8, T::kUint8, T::kUint8, T::kIpv4Address, T::kIpv6Prefix}, kS46RuleSpace},
    {kS46MaptSpace, "s46-dmr", 91, T::kIpv6Prefix, false, {}, ""},
    {kS46LwSpace, "s46-br", 90, T::kIpv6Address, false, {}, ""},
    {kS46LwSpace, "s46-v4v6bind", 92, T::kRecord, false, {T::kIpv4Address, T::kIpv6Prefix},
     kS46V4v6BindSpace},
    {kS46RuleSpace, "s46-portparams", 93, T::kRecord, false, {T::kUint8, T::kPsid}, ""},
    {kS46V4v6BindSpace, "s46-portparams", 93, T::kRecord, false, {T::kUint8, T::kPsid}, ""},

    // CableLabs DOCSIS 3 vendor options (enterprise 4491) carried in vendor-opts (17).
    {kDocsis6Space, "oro", 1, T::kUint16, true, {}, ""},
    {kDocsis6Space, "device-type", 2, T::kString, false, {}, ""},
    {kDocsis6Space, "vendor-type", 10, T::kString, false, {}, ""},
    {kDocsis6Space, "tftp-servers", 32, T::kIpv6Address, true, {}, ""},
    {kDocsis6Space, "config-file", 33, T::kString, false, {}, ""},
    {kDocsis6Space, "syslog-servers", 34, T::kIpv6Address, true, {}, ""},
    {kDocsis6Space, "device-id", 36, T::kBinary, false, {}, ""},
    {kDocsis6Space, "time-servers", 37, T::kIpv6Address, true, {}, ""},
    {kDocsis6Space, "time-offset", 38, T::kInt32, false, {}, ""},
    {kDocsis6Space, "cmts-cm-mac", 1026, T::kBinary, false, {}, ""},
};
// clang-format on

}  // namespace

const OptionDefinitionSet& OptionDefinitionSet::standard6() {
  static const OptionDefinitionSet kSet =
      detail::buildStandardSet(kStdDefs6, OptionUniverse::kV6, "standard DHCPv6 option table");
  return kSet;
}

}  // namespace takahe::dhcp
