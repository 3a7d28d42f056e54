#!/bin/bash
# perfdhcp against the server on loopback in a private namespace: UDP socket
# on lo/127.0.0.1, perfdhcp posing as a relay from 127.0.0.2 (giaddr), 500
# DORA/s from 1000 simulated clients for 5 s. Every exchange must complete.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init perfdhcp_loopback
tkh_require_cmd perfdhcp
tkh_require_server

RATE=${PERF_RATE:-500}
PERIOD=${PERF_PERIOD:-5}
tkh_ns_add TKH_SRV_NS perf || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo

conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
# perfdhcp's packets carry giaddr 127.0.0.2: the subnet is selected by the
# relay address (RFC 2544 benchmarking range; nothing is configured with it).
subnet='[ { "id": 1, "subnet": "198.18.0.0/15",
    "pools": [ { "pool": "198.18.0.1 - 198.19.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "option-data": [ { "name": "routers", "data": "198.18.0.1" } ] } ]'
tkh_dhcp4_config "$conf" --leases "$leases" --iface lo/127.0.0.1 --socket udp \
  --subnets "$subnet" --severity WARN --globals '"valid-lifetime": 3600'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

out=$TKH_TMP/perfdhcp.out
# -W: after the period, wait 1 s for the replies still in flight (on a loaded machine the last
# REQUEST's ACK can arrive after perfdhcp stopped sending; every exchange must still be ACKed).
timeout $((PERIOD + 20)) ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r "$RATE" -R 1000 \
  -p "$PERIOD" -d 3 -W 1000000 -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
rc=$?
tkh_check_eq perfdhcp-exit 0 "$rc"

# Per-exchange blocks: "***Statistics for: DISCOVER-OFFER***" then fields.
stat() { # stat EXCHANGE FIELD
  awk -v ex="$1" -v f="$2" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$out"
}
do_sent=$(stat DISCOVER-OFFER "sent packets")
do_recv=$(stat DISCOVER-OFFER "received packets")
ra_sent=$(stat REQUEST-ACK "sent packets")
ra_recv=$(stat REQUEST-ACK "received packets")
rate=$(awk '/^Rate: / { print $2; exit }' "$out")
tkh_log "perfdhcp: DISCOVER $do_sent/$do_recv, REQUEST $ra_sent/$ra_recv, $rate exchanges/s (offered $RATE)"

expected=$((RATE * PERIOD * 9 / 10))
tkh_check discovers-sent "only '${do_sent:-none}' DISCOVERs sent (want >= $expected)" \
  test "${do_sent:-0}" -ge "$expected"
tkh_check_eq offer-drops 0 "$(stat DISCOVER-OFFER drops)"
tkh_check_eq ack-drops 0 "$(stat REQUEST-ACK drops)"
tkh_check all-acked "DISCOVER $do_sent, ACK $ra_recv" test "${ra_recv:-0}" -eq "${do_sent:--1}"
tkh_check_eq rejected-leases 0 "$(stat REQUEST-ACK "rejected leases")"
tkh_check_eq non-unique-addresses 0 "$(stat REQUEST-ACK "non unique addresses")"
# 1000 simulated clients: each keeps one address, so the lease file holds at
# most 1000 distinct addresses (and at least a good share of them).
distinct=$(awk -F, '$1 ~ /^198\.1[89]\./ { a[$1] = 1 } END { print length(a) }' "$leases" 2> /dev/null)
tkh_check lease-file-distinct "${distinct:-0} distinct addresses in the lease file" \
  test "${distinct:-0}" -ge 500 -a "${distinct:-0}" -le 1000
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then
  tkh_show_tail "$out" 60
  tkh_show_tail "$TKH_SERVER_LOG"
fi
echo "# exchanges/s: $rate"

tkh_finish
