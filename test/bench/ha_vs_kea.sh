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
# CPU per lease: on one machine a pair runs two servers, two agents and perfdhcp on the same
# cores, while a real pair has one machine per server. So before its sweep each setup also
# serves fixed-rate steps (each rate of BENCH_CPU_RATES for BENCH_CPU_SECONDS) and reads
# utime+stime (all threads) from /proc/PID/stat of each node's processes (the DHCP server and
# its control agent) before and after each; divided by the leases ACKed in that step
# (REQUEST-ACK received by perfdhcp) this gives each node's CPU µs per lease. The cost per
# lease falls as the rate rises (more packets per wake-up), so only steps at the same rate are
# compared. The projection: a node on its own machine serves at most 1 / (its CPU per lease)
# leases per CPU-second, so the pair's per-machine capacity is 1 / max over server1 and
# server2, beside the single server's 1 / (its CPU per lease) at the same rate. It is
# projected, not measured; the same-box rates and ratios are measured.
#
# Usage: test/bench/ha_vs_kea.sh        (as root; about 7-8 minutes)
# Environment:
#   BUILD_DIR           Takahe build (default <repo>/build-ci); Takahe is skipped when its HA
#                       library, server or agent is missing
#   BENCH_IMPLS         implementations to run (default "takahe kea")
#   BENCH_SETUPS        setups (default "single hot-standby load-balancing"); also
#                       "hot-standby-direct" and "load-balancing-direct" (Takahe only): peers
#                       talk to each server's own HTTP control socket, no agent hop; and
#                       "hot-standby-mt" and "load-balancing-mt": DHCP multi-threading (2
#                       threads) and HA+MT with dedicated listeners (peers talk directly)
#   BENCH_RATES         offered rates, rising (default "100 150 250 350 500 700 1000 1400
#                       2000 2800 4000 5600 8000 11000 13500 16000 19000 22000 27000 32000 38000
#                       45000"); after the first
#                       rate over 2.5 % missing, one more step half-way from the last good rate
#   BENCH_STEP_SECONDS  seconds per step (default 3)
#   BENCH_MAX_SECONDS   whole-run budget; remaining steps are skipped past it (default 600)
#   BENCH_CPU_RATES     offered rates of the CPU-per-lease steps, rising (default "800 8000
#                       16000": Kea's pairs stop near 1,400/s; Takahe's batch their lease
#                       updates more as the rate rises, so 16000 shows that); the steps of a
#                       setup stop after the first with more than 2.5 % missing. BENCH_CPU_RATE
#                       is taken when this is unset; "" or 0: no CPU step
#   BENCH_CPU_SECONDS   length of each CPU step (default 4)
# Output: one line per step, a table "impl setup best-leases/s offered-rate missing%" and the
# ratios pair/single per implementation and takahe/kea per setup (measured); a table of CPU
# µs per lease per node (measured) and the per-machine capacities and ratios (projected).
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_bench
tkh_require_cmd perfdhcp curl python3
STEP=${BENCH_STEP_SECONDS:-3}
BUDGET=${BENCH_MAX_SECONDS:-600}
CPU_RATES=${BENCH_CPU_RATES-${BENCH_CPU_RATE:-800 8000 16000}}
CPU_SECS=${BENCH_CPU_SECONDS:-4}
CLK_TCK=$(getconf CLK_TCK)
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
  HA_DIRECT=0
  case $2 in
    single)
      HA_MODE=hot-standby
      HA_NODES=(server1)
      ha_gen_configs server1 && strip_ha server1 && ha_dhcp_start server1
      ;;
    hot-standby | load-balancing | hot-standby-mt | load-balancing-mt | hot-standby-direct | load-balancing-direct)
      HA_MODE=${2%-mt}
      HA_MODE=${HA_MODE%-direct}
      [[ $2 == *-mt ]] && HA_DEDICATED=1
      if [[ $2 == *-direct ]]; then
        HA_DIRECT=1
      fi
      HA_NODES=(server1 server2)
      ha_start_all || return 1
      ha_wait_state 20 server1 "$HA_MODE" && ha_wait_state 20 server2 "$HA_MODE"
      ;;
  esac
}

# step RATE MAC-BASE [SECONDS]: prints "leases/s missing% acks perfdhcp-rate" for one
# perfdhcp step (leases/s = REQUEST-ACK received / step length; perfdhcp-rate is perfdhcp's own
# "Rate:" figure, for comparison).
step() {
  local log=$TKH_TMP/perf-$1.log secs=${3:-$STEP}
  timeout $((secs + 30)) ip netns exec "$HA_PERF_NS" perfdhcp -4 -g single -l eth0 -r "$1" \
    -R 16000000 -p "$secs" -d 2 -W 1 -b "mac=$2" > "$log" 2>&1
  awk -v t="$secs" '
    /^\*\*\*Statistics for: DISCOVER-OFFER/ { ex = "do" } /^\*\*\*Statistics for: REQUEST-ACK/ { ex = "ra" }
    ex == "do" && /^sent packets:/ { sent = $3 }
    ex == "ra" && /^received packets:/ { acks = $3 }
    /^Rate:/ { prate = $2 }
    END { if (sent == 0) { print "0 100 0 0"; exit }
          printf "%d %.1f %d %d\n", acks / t, (sent - acks) * 100 / sent, acks, prate }' "$log"
}

# cpu_ticks PID: utime+stime of PID, all its threads, in clock ticks (0 when PID is empty or
# gone). The fields are counted after the ")" closing the command name.
cpu_ticks() {
  if [[ -n "$1" && -r /proc/$1/stat ]]; then
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
  else
    echo 0
  fi
}

# cpu_step IMPL SETUP RATE: one fixed-rate CPU step; adds one line per node to cpu_results:
# "impl setup rate node dhcp4-µs/lease agent-µs/lease node-µs/lease node-ticks missing%".
# Returns 1 when more than 2.5 % of the exchanges went missing.
cpu_step() {
  local impl=$1 setup=$2 rate=$3 node pid exe lps miss acks prate
  local -A d0=() a0=()
  for node in "${HA_NODES[@]}"; do
    for pid in "${HA_DHCP_PID[$node]:-}" "${HA_AGENT_PID[$node]:-}"; do
      [[ -n "$pid" ]] || continue
      exe=$(readlink "/proc/$pid/exe" 2> /dev/null)
      case ${exe##*/} in
        kea-dhcp4 | takahe-dhcp4 | kea-ctrl-agent | takahe-agent) ;;
        *) tkh_log "warning: $node pid $pid is '${exe:-gone}', not a server or agent: its CPU is not the node's" ;;
      esac
    done
    d0[$node]=$(cpu_ticks "${HA_DHCP_PID[$node]:-}")
    a0[$node]=$(cpu_ticks "${HA_AGENT_PID[$node]:-}")
  done
  n=$((n + 1))
  read -r lps miss acks prate <<< "$(step "$rate" "$(printf '02:%02x:00:00:00:00' "$n")" "$CPU_SECS")"
  tkh_log "$impl $setup: CPU step, offered $rate/s for $CPU_SECS s -> $acks leases ($lps/s, perfdhcp $prate/s), $miss % missing"
  ((acks > 0)) || return 1
  for node in "${HA_NODES[@]}"; do
    local dt at
    dt=$(($(cpu_ticks "${HA_DHCP_PID[$node]:-}") - d0[$node]))
    at=0
    [[ -n "${HA_AGENT_PID[$node]:-}" ]] && at=$(($(cpu_ticks "${HA_AGENT_PID[$node]}") - a0[$node]))
    cpu_results+=("$(awk -v i="$impl" -v s="$setup" -v r="$rate" -v nd="$node" -v d="$dt" -v a="$at" \
      -v hz="$CLK_TCK" -v l="$acks" -v m="$miss" -v ag="${HA_AGENT_PID[$node]:-}" \
      'BEGIN { u = 1e6 / hz / l
               printf "%s %s %s %s %.1f %s %.1f %d %s", i, s, r, nd, d * u, (ag == "" ? "-" : sprintf("%.1f", a * u)),
                 (d + a) * u, d + a, m }')")
  done
  awk -v m="$miss" 'BEGIN { exit !(m <= 2.5) }'
}

results=()
cpu_results=()
n=0
for impl in "${impls[@]}"; do
  for setup in ${BENCH_SETUPS:-single hot-standby load-balancing}; do
    if (($(date +%s) - T0 > BUDGET)); then
      tkh_log "budget of $BUDGET s spent: $impl $setup skipped"
      continue
    fi
    if [[ $setup == *-direct && $impl != takahe ]]; then
      tkh_log "$impl $setup skipped: only Takahe servers have their own HTTP control socket"
      continue
    fi
    if ! start_setup "$impl" "$setup"; then
      tkh_fail "start-$impl-$setup" "$impl $setup did not start"
      ha_show_logs 10
      ha_stop_all
      continue
    fi
    for rate in $CPU_RATES; do
      ((rate > 0)) || continue
      cpu_step "$impl" "$setup" "$rate" && continue
      tkh_log "$impl $setup: more than 2.5 % missing at $rate/s: no higher CPU step"
      sleep 2 # let the backlog drain before the sweep
      break
    done
    best=0 best_rate=0 best_miss=0 last_ok=0
    rates=${BENCH_RATES:-100 150 250 350 500 700 1000 1400 2000 2800 4000 5600 8000 11000 13500 16000 19000 22000 27000 32000 38000 45000}
    for rate in $rates refine; do
      (($(date +%s) - T0 > BUDGET)) && break
      if [[ $rate == refine ]]; then
        break # every rate passed
      fi
      n=$((n + 1))
      read -r lps miss _ prate <<< "$(step "$rate" "$(printf '02:%02x:00:00:00:00' "$n")")"
      tkh_log "$impl $setup: offered $rate/s -> $lps leases/s (perfdhcp $prate/s), $miss % missing"
      if awk -v m="$miss" 'BEGIN { exit !(m <= 2.5) }'; then
        ((lps > best)) && best=$lps best_rate=$rate best_miss=$miss
        last_ok=$rate
      else
        # One more step half-way between the last rate within 2.5 % and this one.
        if ((last_ok > 0)); then
          rate=$(((last_ok + rate) / 2))
          n=$((n + 1))
          read -r lps miss _ prate <<< "$(step "$rate" "$(printf '02:%02x:00:00:00:00' "$n")")"
          tkh_log "$impl $setup: offered $rate/s -> $lps leases/s (perfdhcp $prate/s), $miss % missing"
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

echo "# measured on this machine (everything on the same cores): best leases/s"
echo "# impl     setup            leases/s   offered  missing%"
for r in "${results[@]}"; do
  # shellcheck disable=SC2086
  printf '# %-8s %-16s %8s %9s %8s\n' $r
done
printf '%s\n' "${results[@]}" | awk '
  { v[$1 "," $2] = $3; impl[$1] = 1; setup[$2] = 1 }
  END {
    for (i in impl) for (s in setup) if (s != "single" && v[i ",single"] > 0 && ((i "," s) in v))
      printf "# measured ratio %s %s/single (same box): %.2f\n", i, s, v[i "," s] / v[i ",single"]
    for (s in setup) if (v["kea," s] > 0 && (("takahe," s) in v))
      printf "# measured ratio takahe/kea %s (same box): %.2f\n", s, v["takahe," s] / v["kea," s]
  }'
if ((${#cpu_results[@]})); then
  echo "# measured CPU per lease in fixed-rate steps of $CPU_SECS s (utime+stime of the node's processes /"
  echo "# leases ACKed by the whole setup in that step)"
  echo "# impl     setup            rate/s node     dhcp4-us  agent-us   node-us  ticks  missing%"
  for r in "${cpu_results[@]}"; do
    # shellcheck disable=SC2086
    printf '# %-8s %-16s %6s %-8s %8s %9s %9s %6s %8s\n' $r
  done
  echo "# projected, not measured: each server node on its own machine, CPU-bound, with the CPU the"
  echo "# single server had (capacity = 1e6 / node-us per CPU-second; a pair's = 1e6 / the larger of"
  echo "# server1 and server2, from the same rate; only steps with at most 2.5 % missing)"
  printf '%s\n' "${cpu_results[@]}" | awk '
    $9 <= 2.5 { k = $1 "," $2 "," $3; if (!(k in w) || $7 > w[k]) w[k] = $7; key[k] = 1 }
    END {
      for (k in key) {
        split(k, f, ",")
        if (w[k] <= 0) continue
        if (f[2] == "single" || !((f[1] ",single," f[3]) in w))
          printf "# projected %-8s %-16s at %6s/s: %8.0f leases/s per CPU-second\n", f[1], f[2], f[3], 1e6 / w[k]
        else
          printf "# projected %-8s %-16s at %6s/s: %8.0f leases/s per CPU-second, %s/single %.2f\n",
            f[1], f[2], f[3], 1e6 / w[k], f[2], w[f[1] ",single," f[3]] / w[k]
      }
    }' | sort
fi
tkh_log "total $(($(date +%s) - T0)) s"
for r in "${results[@]}"; do
  read -r impl setup best _ <<< "$r"
  tkh_check "measured-$impl-$setup" "no step of $impl $setup stayed within 2.5 % missing" test "$best" -gt 0
done
tkh_finish
