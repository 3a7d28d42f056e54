#!/bin/bash
# DHCPv6 throughput: takahe-dhcp6 vs Kea's kea-dhcp6 (not run in CI).
#
# Both servers get the same configuration: UDP on lo/::1 in a private network namespace, one
# subnet selected by the relay address fd00::2 (perfdhcp -6 -l fd00::2 -A1 poses as that
# relay), a /64 address pool and a /34 pd-pool of /56 prefixes, memfile leases with persist on,
# multi-threading off, logging at WARN. Two modes: "na" (each SARR exchange asks for an address)
# and "na+pd" (perfdhcp -e address-and-prefix: an address and a prefix per exchange). For each
# mode the offered rate is swept upward (a fresh server and lease file per step, every exchange
# a new client, the servers taking turns at each rate); a step counts when fewer than 2.5 % of
# the exchanges went missing, and the best is the highest completed SARR/s among counting
# steps. The server's CPU time per completed exchange is printed beside it.
#
# Usage: test/bench/dhcp6_vs_kea.sh
# Environment:
#   TAKAHE_DHCP6  takahe server (default $BUILD_DIR/daemons/dhcp6/takahe-dhcp6; skipped when not
#                 executable)
#   KEA_DHCP6     Kea server (default /usr/sbin/kea-dhcp6)
#   BENCH_START_RATE (4000: halved while even the first step loses 2.5 %)
#   BENCH_RATE_FACTOR (1.25)  BENCH_MAX_RATE (60000)  BENCH_MIN_RATE (250)
#   BENCH_STEP_SECONDS (4)   BENCH_MAX_SECONDS (540: whole-run budget)
#   BENCH_MODES ("na na+pd")
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"
. "$(dirname "$0")/../lib/bench.sh"

tkh_init bench6
tkh_require_cmd perfdhcp

TAKAHE_DHCP6=${TAKAHE_DHCP6:-$BUILD_DIR/daemons/dhcp6/takahe-dhcp6}
KEA_DHCP6=${KEA_DHCP6:-/usr/sbin/kea-dhcp6}
MODES=${BENCH_MODES:-na na+pd}
bench_settings
bench_servers "$TAKAHE_DHCP6" "$KEA_DHCP6"

tkh_ns_add TKH_SRV_NS bench6 || tkh_skip_all setup "could not create a namespace"
_tkh6_no_dad "$TKH_SRV_NS"
ip -n "$TKH_SRV_NS" -6 addr add fd00::2/128 dev lo nodad

subnet='[ { "id": 1, "subnet": "2001:db8:100::/56", "interface": "lo",
    "pools": [ { "pool": "2001:db8:100::/64" } ],
    "pd-pools": [ { "prefix": "2001:db8:4000::", "prefix-len": 34, "delegated-len": 56 } ],
    "relay": { "ip-addresses": [ "fd00::2" ] } } ]'

# run_step SERVER_BIN MODE RATE: sets STEP_RESULT="rate completed drop% cpu_us [note]"
run_step() {
  local bin=$1 mode=$2 rate=$3 out conf leases c0 c1 sent replies done_rate
  local -a extra=()
  conf=$TKH_TMP/bench6.json
  leases=$TKH_TMP/bench-leases6.csv
  out=$TKH_TMP/perfdhcp6.out
  rm -f "$leases" "$leases".*
  tkh6_dhcp6_config "$conf" --leases "$leases" --interfaces '[ "lo/::1" ]' --subnets "$subnet" \
    --severity WARN --lifetimes '"preferred-lifetime": 1800, "valid-lifetime": 3600'
  [[ $mode == na+pd ]] && extra=(-e address-and-prefix)
  # shellcheck disable=SC2034 # read by tkh6_server_start
  DHCP6_SERVER=$bin
  if ! tkh6_server_start "$conf"; then
    STEP_RESULT="$rate 0 100 0 server-start-failed"
    return
  fi
  c0=$(cpu_ticks "$TKH_SERVER_PID")
  timeout $((STEP + 30)) ip netns exec "$TKH_SRV_NS" perfdhcp -6 -l fd00::2 -A1 "${extra[@]}" \
    -r "$rate" -R $((rate * STEP * 2)) -p "$STEP" ::1 > "$out" 2>&1
  c1=$(cpu_ticks "$TKH_SERVER_PID")
  tkh_server_stop TERM
  sent=$(pstat "$out" SOLICIT-ADVERTISE "sent packets")
  replies=$(pstat "$out" REQUEST-REPLY "received packets")
  done_rate=$(awk '/^Rate: / { print $2; exit }' "$out")
  step_result "$rate" "$sent" "$replies" "$done_rate" "$c0" "$c1"
}

for mode in $MODES; do
  bench_sweep "$mode"
done
bench_table mode SARR
tkh_log "bench took $(($(date +%s) - T0)) s on $(nproc) cores"
exit 0
