#!/bin/bash
# DHCPv4 throughput: takahe-dhcp4 vs Kea's kea-dhcp4 (not run in CI).
#
# Both servers get the same configuration (UDP socket on lo/127.0.0.1 in a
# private network namespace, one subnet selected by relay address 127.0.0.2,
# memfile leases, multi-threading off, logging at WARN) with persist true and
# false. For each server and persist mode the offered rate is swept upward
# (a fresh server and lease file per step, a few seconds per step, every
# exchange a new client, the servers taking turns at each rate so that both
# meet the same machine conditions); a step counts when fewer than 2.5 % of the DORA
# exchanges went missing (ISC's rule), and the best is the highest completed
# exchanges/s among counting steps. The server's CPU time (utime+stime from
# /proc/PID/stat, before and after the step) divided by completed exchanges
# gives CPU µs per exchange, a figure that does not depend on perfdhcp.
#
# Usage: test/bench/dhcp4_vs_kea.sh
# Environment:
#   TAKAHE_DHCP4  takahe server (default $BUILD_DIR/daemons/dhcp4/takahe-dhcp4;
#                 skipped when not executable)
#   KEA_DHCP4     Kea server (default /usr/sbin/kea-dhcp4)
#   BENCH_START_RATE (4000: halved while even the first step loses 2.5 %)
#   BENCH_RATE_FACTOR (1.25)  BENCH_MAX_RATE (60000)  BENCH_MIN_RATE (250)
#   BENCH_STEP_SECONDS (4)   BENCH_MAX_SECONDS (540: whole-run budget)
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init bench
tkh_require_cmd perfdhcp

TAKAHE_DHCP4=${TAKAHE_DHCP4:-$BUILD_DIR/daemons/dhcp4/takahe-dhcp4}
KEA_DHCP4=${KEA_DHCP4:-/usr/sbin/kea-dhcp4}
START_RATE=${BENCH_START_RATE:-4000}
FACTOR=${BENCH_RATE_FACTOR:-1.25}
MAX_RATE=${BENCH_MAX_RATE:-60000}
MIN_RATE=${BENCH_MIN_RATE:-250}
STEP=${BENCH_STEP_SECONDS:-4}
BUDGET=${BENCH_MAX_SECONDS:-540}
MAX_DROP=2.5
CLK_TCK=$(getconf CLK_TCK)
T0=$(date +%s)

servers=()
if [[ -x "$TAKAHE_DHCP4" ]]; then
  servers+=("takahe:$TAKAHE_DHCP4")
else
  tkh_log "takahe-dhcp4 not found at $TAKAHE_DHCP4: benchmarking Kea only"
fi
if [[ -x "$KEA_DHCP4" ]]; then
  servers+=("kea:$KEA_DHCP4")
else
  tkh_log "kea-dhcp4 not found at $KEA_DHCP4"
fi
if ((${#servers[@]} == 0)); then
  tkh_skip_all setup "no server to benchmark"
fi

tkh_ns_add TKH_SRV_NS bench || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo

subnet='[ { "id": 1, "subnet": "10.0.0.0/8",
    "pools": [ { "pool": "10.0.0.1 - 10.255.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ]'
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null
}

# pstat FILE EXCHANGE FIELD
pstat() {
  awk -v ex="$2" -v f="$3" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$1"
}

# run_step SERVER_BIN PERSIST RATE: sets STEP_RESULT="rate completed drop% cpu_us [note]"
run_step() {
  local bin=$1 persist=$2 rate=$3 out conf leases c0 c1 sent acks done_rate
  conf=$TKH_TMP/bench.json
  leases=$TKH_TMP/bench-leases.csv
  out=$TKH_TMP/perfdhcp.out
  rm -f "$leases" "$leases".*
  tkh_dhcp4_config "$conf" --leases "$leases" --persist "$persist" --iface lo/127.0.0.1 \
    --socket udp --subnets "$subnet" --severity WARN --mt false \
    --globals '"valid-lifetime": 3600'
  # shellcheck disable=SC2034 # read by tkh_server_start
  DHCP4_SERVER=$bin
  if ! tkh_server_start "$conf"; then
    STEP_RESULT="$rate 0 100 0 server-start-failed"
    return
  fi
  c0=$(cpu_ticks "$TKH_SERVER_PID")
  timeout $((STEP + 30)) ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r "$rate" \
    -R $((rate * STEP * 2)) -p "$STEP" -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
  c1=$(cpu_ticks "$TKH_SERVER_PID")
  tkh_server_stop TERM
  sent=$(pstat "$out" DISCOVER-OFFER "sent packets")
  acks=$(pstat "$out" REQUEST-ACK "received packets")
  done_rate=$(awk '/^Rate: / { print $2; exit }' "$out")
  STEP_RESULT=$(awk -v r="$rate" -v s="${sent:-0}" -v a="${acks:-0}" -v dr="${done_rate:-0}" \
    -v c0="${c0:-0}" -v c1="${c1:-0}" -v hz="$CLK_TCK" 'BEGIN {
      drop = (s > 0) ? 100 * (s - a) / s : 100
      cpu = (a > 0) ? (c1 - c0) * 1e6 / hz / a : 0
      printf "%d %.0f %.2f %.1f\n", r, dr, drop, cpu }')
}

# The servers take turns at each offered rate, so that both see the machine
# in the same state (load from elsewhere changes results a lot on a shared
# machine).
declare -A best_rate best_drop best_cpu bad active
results=()
for persist in true false; do
  names=()
  for entry in "${servers[@]}"; do
    name=${entry%%:*}
    names+=("$name")
    best_rate[$name]=0 best_drop[$name]=0 best_cpu[$name]=0 bad[$name]=0 active[$name]=1
  done
  rate=$START_RATE steps=0
  tkh_log "persist=$persist: sweeping from $START_RATE/s, $STEP s per step, servers in turn"
  while ((rate <= MAX_RATE && steps < 20)); do
    steps=$((steps + 1))
    if (($(date +%s) - T0 > BUDGET)); then
      tkh_log "time budget ($BUDGET s) used up; stopping the sweep"
      break
    fi
    n_active=0 n_pass=0 n_never=0 ran=()
    for entry in "${servers[@]}"; do
      name=${entry%%:*}
      bin=${entry#*:}
      ((active[$name])) || continue
      n_active=$((n_active + 1))
      ran+=("$name")
      run_step "$bin" "$persist" "$rate"
      read -r r done_rate drop cpu note <<< "$STEP_RESULT"
      tkh_log "  $name offered $r/s: completed $done_rate/s, drops $drop %, server CPU $cpu µs/exchange ${note:-}"
      if [[ -n "${note:-}" ]]; then
        tkh_show_tail "$TKH_SERVER_LOG"
        active[$name]=0
        continue
      fi
      if awk -v d="$drop" -v m="$MAX_DROP" 'BEGIN { exit !(d < m) }'; then
        n_pass=$((n_pass + 1))
        bad[$name]=0
        if ((done_rate > best_rate[$name])); then
          best_rate[$name]=$done_rate best_cpu[$name]=$cpu best_drop[$name]=$drop
        fi
      else
        ((best_rate[$name] == 0)) && n_never=$((n_never + 1))
        bad[$name]=$((bad[$name] + 1))
        # Two steps in a row over the drop limit: past saturation.
        ((bad[$name] >= 2)) && active[$name]=0
      fi
    done
    ((n_active > 0)) || break
    if ((n_pass == 0 && n_never == n_active)); then
      # No server has had one step under the limit yet: the start rate is too
      # high for this machine; halve it (down to MIN_RATE) and retry.
      rate=$((rate / 2))
      if ((rate < MIN_RATE)); then
        tkh_log "  even $((rate * 2))/s loses more than $MAX_DROP %; giving up"
        break
      fi
      for name in "${ran[@]}"; do
        bad[$name]=0 active[$name]=1
      done
      continue
    fi
    rate=$(awk -v r="$rate" -v f="$FACTOR" 'BEGIN { printf "%d", r * f }')
  done
  for name in "${names[@]}"; do
    results+=("$name $persist ${best_rate[$name]} ${best_drop[$name]} ${best_cpu[$name]}")
  done
done

echo
printf '%-8s %-8s %12s %8s %16s %18s\n' server persist "best DORA/s" "drops%" "CPU µs/exchange" "ratio takahe/kea"
for row in "${results[@]}"; do
  read -r name persist best drop cpu <<< "$row"
  ratio=-
  if [[ $name == takahe ]]; then
    kea_best=$(printf '%s\n' "${results[@]}" | awk -v p="$persist" '$1 == "kea" && $2 == p { print $3 }')
    if [[ -n "$kea_best" && "$kea_best" != 0 && "$best" != 0 ]]; then
      ratio=$(awk -v a="$best" -v b="$kea_best" 'BEGIN { printf "%.2f", a / b }')
    fi
  fi
  printf '%-8s %-8s %12s %8s %16s %18s\n' "$name" "$persist" "$best" "$drop" "$cpu" "$ratio"
done
tkh_log "perfdhcp -g single tops out near 35-45k offered exchanges/s on 2 cores; a best"
tkh_log "rate there is the generator's limit: compare CPU µs/exchange instead"
tkh_log "bench took $(($(date +%s) - T0)) s on $(nproc) cores"
exit 0
