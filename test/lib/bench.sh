# Rate sweeps shared by the single-server benchmarks (dhcp4_vs_kea.sh, dhcp6_vs_kea.sh),
# sourced after common.sh. The script defines run_step BIN MODE RATE, which runs one step on a
# fresh server and sets STEP_RESULT="rate completed_per_s drop% cpu_us_per_exchange [note]";
# it sets `servers` ("name:binary" entries), START_RATE, FACTOR, MAX_RATE, MIN_RATE, BUDGET,
# MAX_DROP and T0, then calls bench_sweep MODE for each mode and bench_table at the end.

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null
}

# pstat FILE EXCHANGE FIELD: a field of one of perfdhcp's "Statistics for:" blocks.
pstat() {
  awk -v ex="$2" -v f="$3" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$1"
}

# step_result RATE SENT COMPLETED DONE_RATE C0 C1: STEP_RESULT from perfdhcp's counts and the
# server's CPU ticks before and after.
step_result() {
  STEP_RESULT=$(awk -v r="$1" -v s="${2:-0}" -v a="${3:-0}" -v dr="${4:-0}" \
    -v c0="${5:-0}" -v c1="${6:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN {
      drop = (s > 0) ? 100 * (s - a) / s : 100
      cpu = (a > 0) ? (c1 - c0) * 1e6 / hz / a : 0
      printf "%d %.0f %.2f %.1f\n", r, dr, drop, cpu }')
}

results=()

# bench_settings: START_RATE, FACTOR, MAX_RATE, MIN_RATE, STEP, BUDGET, MAX_DROP and T0 from the
# BENCH_* environment (defaults: 4000/s, x1.25, 60000, 250, 4 s, 540 s, 2.5 %).
bench_settings() {
  START_RATE=${BENCH_START_RATE:-4000}
  FACTOR=${BENCH_RATE_FACTOR:-1.25}
  MAX_RATE=${BENCH_MAX_RATE:-60000}
  MIN_RATE=${BENCH_MIN_RATE:-250}
  STEP=${BENCH_STEP_SECONDS:-4}
  BUDGET=${BENCH_MAX_SECONDS:-540}
  MAX_DROP=2.5
  T0=$(date +%s)
}

# bench_servers TAKAHE_BIN KEA_BIN: fills `servers` with those that are executable (the test
# is skipped when neither is).
bench_servers() {
  servers=()
  if [[ -x "$1" ]]; then
    servers+=("takahe:$1")
  else
    tkh_log "$(basename "$1") not found at $1: benchmarking Kea only"
  fi
  if [[ -x "$2" ]]; then
    servers+=("kea:$2")
  else
    tkh_log "$(basename "$2") not found at $2"
  fi
  if ((${#servers[@]} == 0)); then
    tkh_skip_all setup "no server to benchmark"
  fi
}

# bench_sweep MODE: sweeps the offered rate upward for every server of `servers` in turn at
# each rate (so that both meet the same machine conditions); appends "name MODE best drop cpu"
# to `results`. A step counts when fewer than MAX_DROP % of the exchanges went missing; a
# server stops after two failing steps in a row; while no server has passed a step, the start
# rate is halved (down to MIN_RATE).
bench_sweep() {
  local mode=$1 entry name bin rate steps n_active n_pass n_never r done_rate drop cpu note
  local -a names ran
  declare -gA best_rate best_drop best_cpu bad active
  names=()
  for entry in "${servers[@]}"; do
    name=${entry%%:*}
    names+=("$name")
    best_rate[$name]=0 best_drop[$name]=0 best_cpu[$name]=0 bad[$name]=0 active[$name]=1
  done
  rate=$START_RATE steps=0
  tkh_log "$mode: sweeping from $START_RATE/s, $STEP s per step, servers in turn"
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
      run_step "$bin" "$mode" "$rate"
      note=""
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
    results+=("$name $mode ${best_rate[$name]} ${best_drop[$name]} ${best_cpu[$name]}")
  done
}

# bench_table MODE_LABEL UNIT: the best rate per server and mode, with takahe/kea per mode.
bench_table() {
  local label=$1 unit=$2 row name mode best drop cpu ratio kea_best
  echo
  printf '%-8s %-14s %12s %8s %16s %18s\n' server "$label" "best $unit/s" "drops%" "CPU µs/exchange" "ratio takahe/kea"
  for row in "${results[@]}"; do
    read -r name mode best drop cpu <<< "$row"
    ratio=-
    if [[ $name == takahe ]]; then
      kea_best=$(printf '%s\n' "${results[@]}" | awk -v p="$mode" '$1 == "kea" && $2 == p { print $3 }')
      if [[ -n "$kea_best" && "$kea_best" != 0 && "$best" != 0 ]]; then
        ratio=$(awk -v a="$best" -v b="$kea_best" 'BEGIN { printf "%.2f", a / b }')
      fi
    fi
    printf '%-8s %-14s %12s %8s %16s %18s\n' "$name" "$mode" "$best" "$drop" "$cpu" "$ratio"
  done
}
