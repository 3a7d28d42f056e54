#!/bin/bash
# HA throughput: leases/s of a single server, a hot-standby pair and a load-balancing pair, for
# Takahe and Kea 2.2 in the same run (not run in CI).
#
# Topology of test/lib/ha.sh: each server in its own namespace on a bridged LAN, its control
# agent as the HA peer URL, perfdhcp in another namespace broadcasting as relay 192.0.2.9 (so
# both servers of a pair see every packet), subnet 10.0.0.0/8 selected by that relay address,
# memfile leases with persist on, DHCP and HA multi-threading off, logging at WARN, HA timers
# heartbeat 1 s / max-response-delay 3 s. The single server is the same configuration without
# the HA library (libdhcp_lease_cmds.so still loaded). Each setup starts fresh; the offered
# DORA rate then rises through BENCH_RATES (every exchange a new client, BENCH_STEP_SECONDS a
# step) until more than 2.5 % of the exchanges go missing (then one step half-way back); the best is the highest completed
# leases/s (REQUEST-ACK received / step length) among the steps within 2.5 %. In a pair the
# lease updates to the partner are part of every exchange (ACKs wait for the partner's answer).
# perfdhcp shares the 2 cores with the servers and agents: compare ratios, not absolutes.
#
# Usage: test/bench/ha_vs_kea.sh        (as root; about 3-4 minutes)
# Environment:
#   BUILD_DIR           Takahe build (default <repo>/build-ci); Takahe is skipped when its HA
#                       library, server or agent is missing
#   BENCH_IMPLS         implementations to run (default "takahe kea")
#   BENCH_SETUPS        setups (default "single hot-standby load-balancing"); also
#                       "hot-standby-mt" and "load-balancing-mt": DHCP multi-threading (2
#                       threads) and HA+MT with dedicated listeners (peers talk directly)
#   BENCH_RATES         offered rates, rising (default "100 150 250 350 500 700 1000 1400
#                       2000 2800 4000 5600 8000 11000 16000 22000 32000"); after the first
#                       rate over 2.5 % missing, one more step half-way from the last good rate
#   BENCH_STEP_SECONDS  seconds per step (default 3)
#   BENCH_MAX_SECONDS   whole-run budget; remaining steps are skipped past it (default 280)
# Output: one line per step, a table "impl setup best-leases/s offered-rate missing%" and the
# ratios pair/single per implementation and takahe/kea per setup.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_bench
tkh_require_cmd perfdhcp curl python3
STEP=${BENCH_STEP_SECONDS:-3}
BUDGET=${BENCH_MAX_SECONDS:-280}
T0=$(date +%s)
HA_SEVERITY=WARN
HA_SUBNET=10.0.0.0/8
HA_SUBNET_EXTRA='"relay": { "ip-addresses": [ "192.0.2.9" ] },'
HA_POOL1="10.0.0.1 - 10.127.255.255"
HA_POOL2="10.128.0.0 - 10.255.255.254"

impls=()
for impl in ${BENCH_IMPLS:-takahe kea}; do
  why=$(ha_impl_missing "$impl")
  if [[ -n "$why" ]]; then
    tkh_log "$impl skipped: $why"
  else
    impls+=("$impl")
  fi
done
((${#impls[@]})) || tkh_skip_all setup "no implementation to benchmark"
HA_NODES=(server1 server2)
ha_topology 0 || tkh_skip_all setup "could not create namespaces"

# strip_ha NODE: removes the HA library from NODE's generated dhcp4.json (single server).
strip_ha() {
  python3 - "$(ha_dir "$1")/dhcp4.json" << 'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
d = c["Dhcp4"]
d["hooks-libraries"] = [h for h in d["hooks-libraries"] if not h["library"].endswith("libdhcp_ha.so")]
json.dump(c, open(p, "w"), indent=1)
PY
}

# start_setup IMPL SETUP: fresh servers for the setup; 0 when ready to serve.
start_setup() {
  HA_IMPL=$1
  HA_DEDICATED=0
  case $2 in
    single)
      HA_MODE=hot-standby
      HA_NODES=(server1)
      ha_gen_configs server1 && strip_ha server1 && ha_dhcp_start server1
      ;;
    hot-standby | load-balancing | hot-standby-mt | load-balancing-mt)
      HA_MODE=${2%-mt}
      [[ $2 == *-mt ]] && HA_DEDICATED=1
      HA_NODES=(server1 server2)
      ha_start_all || return 1
      ha_wait_state 20 server1 "$HA_MODE" && ha_wait_state 20 server2 "$HA_MODE"
      ;;
  esac
}

# step RATE MAC-BASE: prints "leases/s missing%" for one perfdhcp step.
step() {
  local log=$TKH_TMP/perf-$1.log
  timeout $((STEP + 30)) ip netns exec "$HA_PERF_NS" perfdhcp -4 -g single -l eth0 -r "$1" \
    -R 16000000 -p "$STEP" -d 2 -W 1 -b "mac=$2" > "$log" 2>&1
  awk -v t="$STEP" '
    /^\*\*\*Statistics for: DISCOVER-OFFER/ { ex = "do" } /^\*\*\*Statistics for: REQUEST-ACK/ { ex = "ra" }
    ex == "do" && /^sent packets:/ { sent = $3 }
    ex == "ra" && /^received packets:/ { acks = $3 }
    END { if (sent == 0) { print "0 100"; exit }
          printf "%d %.1f\n", acks / t, (sent - acks) * 100 / sent }' "$log"
}

results=()
n=0
for impl in "${impls[@]}"; do
  for setup in ${BENCH_SETUPS:-single hot-standby load-balancing}; do
    if (($(date +%s) - T0 > BUDGET)); then
      tkh_log "budget of $BUDGET s spent: $impl $setup skipped"
      continue
    fi
    if ! start_setup "$impl" "$setup"; then
      tkh_fail "start-$impl-$setup" "$impl $setup did not start"
      ha_show_logs 10
      ha_stop_all
      continue
    fi
    best=0 best_rate=0 best_miss=0 last_ok=0
    rates=${BENCH_RATES:-100 150 250 350 500 700 1000 1400 2000 2800 4000 5600 8000 11000 16000 22000 32000}
    for rate in $rates refine; do
      (($(date +%s) - T0 > BUDGET)) && break
      if [[ $rate == refine ]]; then
        break # every rate passed
      fi
      n=$((n + 1))
      read -r lps miss <<< "$(step "$rate" "$(printf '02:%02x:00:00:00:00' "$n")")"
      tkh_log "$impl $setup: offered $rate/s -> $lps leases/s, $miss % missing"
      if awk -v m="$miss" 'BEGIN { exit !(m <= 2.5) }'; then
        ((lps > best)) && best=$lps best_rate=$rate best_miss=$miss
        last_ok=$rate
      else
        # One more step half-way between the last rate within 2.5 % and this one.
        if ((last_ok > 0)); then
          rate=$(((last_ok + rate) / 2))
          n=$((n + 1))
          read -r lps miss <<< "$(step "$rate" "$(printf '02:%02x:00:00:00:00' "$n")")"
          tkh_log "$impl $setup: offered $rate/s -> $lps leases/s, $miss % missing"
          if awk -v m="$miss" 'BEGIN { exit !(m <= 2.5) }' && ((lps > best)); then
            best=$lps best_rate=$rate best_miss=$miss
          fi
        fi
        break
      fi
    done
    results+=("$impl $setup $best $best_rate $best_miss")
    [[ $setup == single ]] || tkh_log "$impl $setup states after the load: server1 $(ha_state server1), server2 $(ha_state server2)"
    ha_stop_all
  done
done

echo "# impl     setup            leases/s   offered  missing%"
for r in "${results[@]}"; do
  # shellcheck disable=SC2086
  printf '# %-8s %-16s %8s %9s %8s\n' $r
done
printf '%s\n' "${results[@]}" | awk '
  { v[$1 "," $2] = $3; impl[$1] = 1; setup[$2] = 1 }
  END {
    for (i in impl) for (s in setup) if (s != "single" && v[i ",single"] > 0 && ((i "," s) in v))
      printf "# ratio %s %s/single: %.2f\n", i, s, v[i "," s] / v[i ",single"]
    for (s in setup) if (v["kea," s] > 0 && (("takahe," s) in v))
      printf "# ratio takahe/kea %s: %.2f\n", s, v["takahe," s] / v["kea," s]
  }'
tkh_log "total $(($(date +%s) - T0)) s"
for r in "${results[@]}"; do
  read -r impl setup best _ <<< "$r"
  tkh_check "measured-$impl-$setup" "no step of $impl $setup stayed within 2.5 % missing" test "$best" -gt 0
done
tkh_finish
