#!/bin/bash
# What hook libraries cost the DHCPv4 packet path (not run in CI).
#
# Server CPU time per DORA exchange at one fixed offered rate, for:
#   baseline   takahe-dhcp4 built from the last commit before hooks existed
#              (BENCH_BASELINE_REV; built once into $BUILD_DIR/../build-bench-baseline;
#              skipped with BENCH_BASELINE_REV=none)
#   no-hooks   this tree's takahe-dhcp4, no hooks-libraries
#   commands   this tree, lease_cmds + host_cmds + stat_cmds loaded (commands only, no
#              callouts: the packet path with a per-packet callout handle)
#   callouts   this tree, the example library (callouts at pkt4_receive and subnet4_select)
#   kea        Kea 2.2's kea-dhcp4, no hooks, for the ratio
# Each configuration runs BENCH_ROUNDS times in turn (so all see the same machine), with a
# fresh server and lease file each time, the server pinned to CPU 1 and perfdhcp to CPU 0; the
# median and the best CPU µs/exchange are reported (the best is the least disturbed by the rest
# of the machine). Everything
# runs in a private network namespace on its loopback; perfdhcp stops by itself.
#
# Usage: test/bench/hooks_overhead.sh
# Environment: BENCH_RATE (8000) BENCH_SECONDS (8) BENCH_ROUNDS (7)
#   BENCH_BASELINE_REV (5bf1877, the commit before libs/hooks) KEA_DHCP4 (/usr/sbin/kea-dhcp4)
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init bench-hooks
tkh_require_cmd perfdhcp

RATE=${BENCH_RATE:-8000}
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
ROUNDS=${BENCH_ROUNDS:-7}
BASE_REV=${BENCH_BASELINE_REV:-5bf1877}
KEA_DHCP4=${KEA_DHCP4:-/usr/sbin/kea-dhcp4}
TAKAHE=$BUILD_DIR/daemons/dhcp4/takahe-dhcp4
HOOKS=$BUILD_DIR/hooks-libs
CLK_TCK=$(getconf CLK_TCK)
T0=$(date +%s)

[[ -x $TAKAHE ]] || tkh_skip_all setup "takahe-dhcp4 not built at $TAKAHE"

baseline=""
if [[ $BASE_REV != none ]]; then
  base_src=$BUILD_DIR/../build-bench-baseline-src
  base_build=$BUILD_DIR/../build-bench-baseline
  if [[ ! -x $base_build/daemons/dhcp4/takahe-dhcp4 ]]; then
    tkh_log "building the baseline takahe-dhcp4 at $BASE_REV (once)"
    rm -rf "$base_src"
    if git -C "$TKH_REPO" worktree add --force --detach "$base_src" "$BASE_REV" > /dev/null 2>&1 &&
      meson setup "$base_build" "$base_src" -Dtests=disabled > /dev/null 2>&1 &&
      ninja -C "$base_build" daemons/dhcp4/takahe-dhcp4 > /dev/null 2>&1; then
      :
    else
      tkh_log "could not build the baseline; continuing without it"
    fi
    git -C "$TKH_REPO" worktree remove --force "$base_src" > /dev/null 2>&1
  fi
  [[ -x $base_build/daemons/dhcp4/takahe-dhcp4 ]] && baseline=$base_build/daemons/dhcp4/takahe-dhcp4
fi

tkh_ns_add TKH_SRV_NS bench || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo

subnet='[ { "id": 1, "subnet": "10.0.0.0/8",
    "pools": [ { "pool": "10.0.0.1 - 10.255.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ]'
# (one line each: the table below is read line by line)
commands_libs="\"hooks-libraries\": [ { \"library\": \"$HOOKS/lease_cmds/libdhcp_lease_cmds.so\" }, { \"library\": \"$HOOKS/host_cmds/libdhcp_host_cmds.so\" }, { \"library\": \"$HOOKS/stat_cmds/libdhcp_stat_cmds.so\" } ],"
callout_libs="\"hooks-libraries\": [ { \"library\": \"$HOOKS/example/libdhcp_example.so\", \"parameters\": { \"log-file\": \"$TKH_TMP/example.log\" } } ],"

configs=()
[[ -n $baseline ]] && configs+=("baseline|$baseline|")
configs+=("no-hooks|$TAKAHE|" "commands|$TAKAHE|$commands_libs" "callouts|$TAKAHE|$callout_libs")
[[ -x $KEA_DHCP4 ]] && configs+=("kea|$KEA_DHCP4|")

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null; }
pstat() {
  awk -v ex="$2" -v f="$3" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$1"
}

# run NAME BIN GLOBALS: prints "cpu_us_per_exchange drop_percent"
run() {
  local bin=$2 globals=$3 conf=$TKH_TMP/bench.json leases=$TKH_TMP/bench-leases.csv out=$TKH_TMP/perfdhcp.out
  rm -f "$leases" "$leases".* "$TKH_TMP"/takahe-hosts4.json "$TKH_TMP/example.log"
  tkh_dhcp4_config "$conf" --leases "$leases" --persist true --iface lo/127.0.0.1 \
    --socket udp --subnets "$subnet" --severity WARN --mt false \
    --globals "$globals \"valid-lifetime\": 3600"
  DHCP4_SERVER=$bin
  tkh_server_start "$conf" || { echo "0 100"; return; }
  local c0 c1 sent acks
  # The server and the generator on different cores: less variance between runs.
  taskset -pc 1 "$TKH_SERVER_PID" > /dev/null 2>&1
  c0=$(cpu_ticks "$TKH_SERVER_PID")
  timeout $((SECONDS_PER_RUN + 30)) ip netns exec "$TKH_SRV_NS" taskset -c 0 perfdhcp -4 -g single -r "$RATE" \
    -R $((RATE * SECONDS_PER_RUN * 2)) -p "$SECONDS_PER_RUN" -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
  c1=$(cpu_ticks "$TKH_SERVER_PID")
  tkh_server_stop TERM
  sent=$(pstat "$out" DISCOVER-OFFER "sent packets")
  acks=$(pstat "$out" REQUEST-ACK "received packets")
  awk -v s="${sent:-0}" -v a="${acks:-0}" -v c0="${c0:-0}" -v c1="${c1:-0}" -v hz="$CLK_TCK" 'BEGIN {
    printf "%.2f %.2f\n", (a > 0) ? (c1 - c0) * 1e6 / hz / a : 0, (s > 0) ? 100 * (s - a) / s : 100 }'
}

declare -A samples drops
for ((round = 1; round <= ROUNDS; round++)); do
  for entry in "${configs[@]}"; do
    IFS='|' read -r name bin globals <<< "$entry"
    read -r cpu drop <<< "$(run "$name" "$bin" "$globals")"
    tkh_log "round $round $name: $cpu µs CPU/exchange, $drop % lost"
    samples[$name]="${samples[$name]:-} $cpu"
    drops[$name]="${drops[$name]:-} $drop"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
echo
printf '%-10s %14s %14s %12s %16s %14s\n' config "median µs/ex" "best µs/ex" "max lost %" "median vs no-hooks" "kea/this"
ref=$(median <<< "${samples[no-hooks]}")
kea=""
[[ -n ${samples[kea]:-} ]] && kea=$(median <<< "${samples[kea]}")
for entry in "${configs[@]}"; do
  name=${entry%%|*}
  m=$(median <<< "${samples[$name]}")
  best=$(minimum <<< "${samples[$name]}")
  lost=$(tr ' ' '\n' <<< "${drops[$name]}" | grep -v '^$' | sort -g | tail -1)
  rel=$(awk -v a="$m" -v b="$ref" 'BEGIN { printf (b > 0) ? "%+.1f %%" : "-", 100 * (a - b) / b }')
  ratio=$(awk -v a="$m" -v k="$kea" 'BEGIN { if (k == "" || a == 0) print "-"; else printf "%.2f", k / a }')
  printf '%-10s %14s %14s %12s %16s %14s\n' "$name" "$m" "$best" "$lost" "$rel" "$ratio"
done
tkh_log "offered $RATE DORA/s for $SECONDS_PER_RUN s per run, $ROUNDS rounds; CPU from /proc (1/$CLK_TCK s ticks)"

# Instructions per exchange (valgrind's callgrind counts user-space instructions exactly, so
# this part has no noise from the rest of the machine). Each takahe configuration serves a
# short and a long perfdhcp run at a low rate; (Ir_long - Ir_short) / (acks_long - acks_short)
# is the cost of one DORA exchange without start-up and shutdown.
if command -v valgrind > /dev/null && [[ ${BENCH_INSTRUCTIONS:-1} == 1 ]]; then
  # run_ir BIN GLOBALS SECONDS: prints "instructions acks"
  run_ir() {
    local bin=$1 globals=$2 secs=$3 conf=$TKH_TMP/ir.json leases=$TKH_TMP/ir-leases.csv out=$TKH_TMP/ir-perfdhcp.out
    local log=$TKH_TMP/ir-server.log pid i
    rm -f "$leases" "$leases".* "$TKH_TMP"/takahe-hosts4.json "$TKH_TMP/example.log" "$log"
    tkh_dhcp4_config "$conf" --leases "$leases" --persist true --iface lo/127.0.0.1 \
      --socket udp --subnets "$subnet" --severity WARN --mt false \
      --globals "$globals \"valid-lifetime\": 3600"
    tkh_bg "$log" ip netns exec "$TKH_SRV_NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" \
      valgrind --tool=callgrind --callgrind-out-file="${BENCH_CALLGRIND_OUT:-/dev/null}" "$bin" -c "$conf"
    pid=$TKH_LAST_PID
    for ((i = 0; i < 300; i++)); do
      tkh_server_listening "$TKH_SRV_NS" "$pid" && break
      sleep 0.1
    done
    timeout $((secs + 60)) ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r 200 -R 1000000 -p "$secs" \
      -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
    kill -TERM "$pid" 2> /dev/null
    for ((i = 0; i < 300; i++)); do
      tkh_pid_alive "$pid" || break
      sleep 0.1
    done
    echo "$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log" | tail -1) $(pstat "$out" REQUEST-ACK "received packets")"
  }
  declare -A ir_per
  ir_names=()
  for entry in "${configs[@]}"; do
    IFS='|' read -r name bin globals <<< "$entry"
    [[ $name == kea ]] && continue
    read -r ir1 a1 <<< "$(run_ir "$bin" "$globals" 3)"
    read -r ir2 a2 <<< "$(run_ir "$bin" "$globals" 9)"
    tkh_log "$name: $ir1 instructions for $a1 exchanges, $ir2 for $a2"
    ir_per[$name]=$(awk -v i1="${ir1:-0}" -v i2="${ir2:-0}" -v a1="${a1:-0}" -v a2="${a2:-0}" 'BEGIN {
      if (a2 > a1 && i2 > i1) printf "%.0f", (i2 - i1) / (a2 - a1); else print 0 }')
    ir_names+=("$name")
  done
  echo
  printf '%-10s %22s %16s\n' config "instructions/exchange" "vs no-hooks"
  for name in "${ir_names[@]}"; do
    rel=$(awk -v a="${ir_per[$name]}" -v b="${ir_per[no-hooks]:-0}" 'BEGIN { printf (b > 0 && a > 0) ? "%+.1f %%" : "-", 100 * (a - b) / b }')
    printf '%-10s %22s %16s\n' "$name" "${ir_per[$name]}" "$rel"
  done
fi
tkh_log "bench took $(($(date +%s) - T0)) s on $(nproc) cores"
exit 0
