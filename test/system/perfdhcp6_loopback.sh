#!/bin/bash
# perfdhcp -6 against the DHCPv6 server on loopback in a private namespace: perfdhcp poses as
# a relay from fd00::2 (-A1: one RELAY-FORW layer; the subnet lists fd00::2 in
# relay.ip-addresses), asks for an address and a prefix in each exchange
# (-e address-and-prefix), 300 SARR/s from 1000 simulated clients for 5 s. Every exchange must
# complete: no drops, every REQUEST answered, no address or prefix given twice.
# DHCP6_SERVER=/usr/sbin/kea-dhcp6 runs it against Kea.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"

tkh_init perfdhcp6_loopback
tkh_require_cmd perfdhcp
tkh6_require_server

RATE=${PERF_RATE:-300}
PERIOD=${PERF_PERIOD:-5}
tkh_ns_add TKH_SRV_NS perf6 || tkh_skip_all setup "could not create a namespace"
_tkh6_no_dad "$TKH_SRV_NS"
ip -n "$TKH_SRV_NS" -6 addr add fd00::2/128 dev lo nodad

conf=$TKH_TMP/dhcp6.json
leases=$TKH_TMP/leases6.csv
subnet='[ { "id": 1, "subnet": "2001:db8:100::/56", "interface": "lo",
    "pools": [ { "pool": "2001:db8:100::/64" } ],
    "pd-pools": [ { "prefix": "2001:db8:4000::", "prefix-len": 40, "delegated-len": 56 } ],
    "relay": { "ip-addresses": [ "fd00::2" ] } } ]'
tkh6_dhcp6_config "$conf" --leases "$leases" --interfaces '[ "lo/::1" ]' --subnets "$subnet" \
  --severity WARN --lifetimes '"preferred-lifetime": 1800, "valid-lifetime": 3600'
if ! tkh6_server_start "$conf"; then
  tkh_fail server-start "the DHCPv6 server did not start listening"
  tkh_finish
fi
tkh_pass server-start

out=$TKH_TMP/perfdhcp.out
timeout $((PERIOD + 20)) ip netns exec "$TKH_SRV_NS" perfdhcp -6 -l fd00::2 -A1 \
  -e address-and-prefix -r "$RATE" -R 1000 -p "$PERIOD" -d 3 -W 1000000 ::1 > "$out" 2>&1
rc=$?
tkh_check_eq perfdhcp-exit 0 "$rc"

stat() { # stat EXCHANGE FIELD
  awk -v ex="$1" -v f="$2" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$out"
}
sa_sent=$(stat SOLICIT-ADVERTISE "sent packets")
rr_sent=$(stat REQUEST-REPLY "sent packets")
rr_recv=$(stat REQUEST-REPLY "received packets")
rate=$(awk '/^Rate: / { print $2; exit }' "$out")
tkh_log "perfdhcp -6: SOLICIT $sa_sent, REQUEST $rr_sent/$rr_recv, $rate exchanges/s (offered $RATE)"

expected=$((RATE * PERIOD * 9 / 10))
tkh_check solicits-sent "only '${sa_sent:-none}' SOLICITs sent (want >= $expected)" \
  test "${sa_sent:-0}" -ge "$expected"
tkh_check_eq advertise-drops 0 "$(stat SOLICIT-ADVERTISE drops)"
tkh_check_eq reply-drops 0 "$(stat REQUEST-REPLY drops)"
tkh_check all-replied "SOLICIT $sa_sent, REPLY $rr_recv" test "${rr_recv:-0}" -eq "${sa_sent:--1}"
tkh_check_eq rejected-leases 0 "$(stat REQUEST-REPLY "rejected leases")"
tkh_check_eq non-unique-addresses 0 "$(stat REQUEST-REPLY "non unique addresses")"
# 1000 simulated clients, each with one address and one prefix.
read -r nas pds < <(awk -F, '
  $1 == "address" { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { t = $col["lease_type"]; if (t == 0) na[$1] = 1; else if (t == 2) pd[$1] = 1 }
  END { print length(na), length(pd) }' "$leases" 2> /dev/null)
tkh_check lease-file-addresses "${nas:-0} distinct addresses in the lease file" \
  test "${nas:-0}" -ge 500 -a "${nas:-0}" -le 1000
tkh_check lease-file-prefixes "${pds:-0} distinct prefixes in the lease file" \
  test "${pds:-0}" -ge 500 -a "${pds:-0}" -le 1000
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then
  tkh_show_tail "$out" 60
  tkh_show_tail "$TKH_SERVER_LOG"
fi
echo "# exchanges/s: $rate"
tkh_finish
