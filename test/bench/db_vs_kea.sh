#!/bin/bash
# DHCPv4 throughput per lease backend: takahe-dhcp4 vs Kea's kea-dhcp4 (not run in CI).
#
# Backends: memfile (persist true), SQLite (Takahe only: Kea has no SQLite backend),
# PostgreSQL and MariaDB. The two SQL servers are throwaway ones (test/lib/db.sh) started once
# inside this script's network namespace; Takahe's schema is created by takahe-admin in the
# database takahe_test, Kea's by kea-admin in takahe_test2 (same server, same settings). Each
# DHCP server is single-threaded, listens on the namespace's loopback (UDP on 127.0.0.1), and
# perfdhcp poses as the relay 127.0.0.2 (every exchange a new client).
#
# For each backend each server's offered rate is swept upward (×BENCH_RATE_FACTOR per step; the
# servers take turns, one step each, so that both meet the same machine conditions), then refined
# by bisection between its highest counting and lowest failing rate. Every step has a fresh server
# and an empty lease table (TRUNCATE of lease4 and its statistics tables, a fresh copy of the
# SQLite file, a new lease file). A step counts when fewer than 2.5 % of the exchanges went
# missing (ISC's rule); the best is the highest completed exchanges/s among counting steps.
#
# Per exchange at the best step: the DHCP server's CPU (utime+stime from /proc), the database
# server's CPU (MariaDB: its process; PostgreSQL: postmaster, its live children and its reaped
# children), and SQL statements sent (PostgreSQL: transactions of the database in
# pg_stat_database, one per statement in autocommit; MariaDB: the global Questions counter).
#
# Usage: test/bench/db_vs_kea.sh          (as root; 4-10 minutes)
# Environment:
#   BUILD_DIR         takahe build (takahe-dhcp4 and takahe-admin are taken from it)
#   KEA_DHCP4 (/usr/sbin/kea-dhcp4)  KEA_ADMIN (/usr/sbin/kea-admin)
#   BENCH_BACKENDS ("memfile sqlite postgresql mysql")
#   BENCH_START_RATE (memfile 4000, the others 500; halved while a server has no counting step)
#   BENCH_RATE_FACTOR (1.5)  BENCH_REFINE (3 bisection steps)  BENCH_MAX_RATE (60000)
#   BENCH_MIN_RATE (100)  BENCH_STEP_SECONDS (4)
#   BENCH_MAX_SECONDS (540: budget for the sweeps, shared evenly by the backends not yet run)
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init bench-db
tkh_require_cmd perfdhcp
tkh_require_cmd python3

TAKAHE_DHCP4=${TAKAHE_DHCP4:-$BUILD_DIR/daemons/dhcp4/takahe-dhcp4}
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
KEA_DHCP4=${KEA_DHCP4:-/usr/sbin/kea-dhcp4}
KEA_ADMIN=${KEA_ADMIN:-/usr/sbin/kea-admin}
BACKENDS=${BENCH_BACKENDS:-memfile sqlite postgresql mysql}
FACTOR=${BENCH_RATE_FACTOR:-1.5}
REFINE=${BENCH_REFINE:-3}
MAX_RATE=${BENCH_MAX_RATE:-60000}
MIN_RATE=${BENCH_MIN_RATE:-100}
STEP=${BENCH_STEP_SECONDS:-4}
BUDGET=${BENCH_MAX_SECONDS:-540}
MAX_DROP=2.5
CLK_TCK=$(getconf CLK_TCK)
T0=$(date +%s)
TAKAHE_DB=takahe_test
KEA_DB=takahe_test2

[[ -x $TAKAHE_DHCP4 ]] || tkh_skip_all setup "takahe-dhcp4 not built at $TAKAHE_DHCP4"
[[ -x $ADMIN ]] || tkh_skip_all setup "takahe-admin not built at $ADMIN"
have_kea=1
if [[ ! -x $KEA_DHCP4 || ! -x $KEA_ADMIN ]]; then
  tkh_log "kea-dhcp4 or kea-admin missing ($KEA_DHCP4, $KEA_ADMIN): takahe only"
  have_kea=0
fi

tkh_ns_add TKH_SRV_NS bench || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo
in_ns() { ip netns exec "$TKH_SRV_NS" "$@"; }

# The database servers: inside the namespace, data under this run's temporary directory.
# shellcheck disable=SC2034 # read by db.sh
DB_TEST_ROOT=$TKH_TMP/db
DB_NETNS=$TKH_SRV_NS
export DB_NETNS
TKH_CLEANUP_CMDS+=(db_stop_all)
declare -A usable
for b in $BACKENDS; do usable[$b]=1; done
if [[ $BACKENDS == *postgresql* ]] && ! db_start_pgsql; then
  tkh_log "PostgreSQL did not start: skipping that backend"
  usable[postgresql]=0
fi
if [[ $BACKENDS == *mysql* ]] && ! db_start_mysql; then
  tkh_log "MariaDB did not start: skipping that backend"
  usable[mysql]=0
fi

# admin_args BACKEND DB: the connection options shared by takahe-admin and kea-admin.
admin_args() {
  case $1 in
    postgresql) echo "pgsql -h 127.0.0.1 -P $TAKAHE_TEST_PGSQL_PORT -u $DB_USER -p $DB_PASSWORD -n $2" ;;
    mysql) echo "mysql -h 127.0.0.1 -P $TAKAHE_TEST_MYSQL_PORT -u $DB_USER -p $DB_PASSWORD -n $2" ;;
  esac
}

# Schemas: Takahe's and Kea's, each in its own database on the same server.
SQLITE_TEMPLATE=$TKH_TMP/template.sqlite
SQLITE_FILE=$TKH_TMP/leases.sqlite
for b in $BACKENDS; do
  ((${usable[$b]:-0})) || continue
  case $b in
    sqlite)
      if ! "$ADMIN" db-init sqlite -n "$SQLITE_TEMPLATE" > "$TKH_TMP/admin-sqlite.log" 2>&1; then
        tkh_log "takahe-admin db-init sqlite failed: $(tail -1 "$TKH_TMP/admin-sqlite.log")"
        usable[sqlite]=0
      fi
      ;;
    postgresql | mysql)
      # shellcheck disable=SC2046
      if ! in_ns "$ADMIN" db-init $(admin_args "$b" $TAKAHE_DB) > "$TKH_TMP/admin-$b.log" 2>&1; then
        tkh_log "takahe-admin db-init $b failed: $(tail -1 "$TKH_TMP/admin-$b.log")"
        usable[$b]=0
      fi
      # kea-admin 2.2 forgets -P when it runs the schema script (the client then tries port
      # 3306): the clients' environment variables carry the port there.
      # shellcheck disable=SC2046
      if ((have_kea)) && ! in_ns env MYSQL_TCP_PORT="${TAKAHE_TEST_MYSQL_PORT:-}" \
        PGPORT="${TAKAHE_TEST_PGSQL_PORT:-}" "$KEA_ADMIN" db-init $(admin_args "$b" $KEA_DB) \
        > "$TKH_TMP/kea-admin-$b.log" 2>&1; then
        tkh_log "kea-admin db-init $b failed (Kea skipped there): $(tail -1 "$TKH_TMP/kea-admin-$b.log")"
        usable[kea-$b]=0
      fi
      ;;
  esac
done

pg_sql() { # DB SQL: runs SQL as the superuser over the server's private UNIX socket
  db_as_pg_user "$DB_PGSQL_BIN/psql" -h "$DB_PGSQL_DIR/run" -p "$DB_PGSQL_PORT" -U postgres \
    -d "$1" -Atqc "$2"
}
my_sql() { # SQL
  mariadb --no-defaults -S "$DB_MYSQL_DIR/mysql.sock" -u root -N -B -e "$1"
}

# reset_store BACKEND DB: an empty lease table (and, for Kea, empty statistics tables its
# triggers keep: every table whose name starts with lease4).
reset_store() {
  local tables
  case $1 in
    memfile) rm -f "$TKH_TMP"/bench-leases.csv* ;;
    sqlite) rm -f "$SQLITE_FILE" "$SQLITE_FILE"-* && cp "$SQLITE_TEMPLATE" "$SQLITE_FILE" ;;
    postgresql)
      tables=$(pg_sql "$2" "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables
                            WHERE schemaname = 'public' AND tablename LIKE 'lease4%'")
      pg_sql "$2" "TRUNCATE $tables" > /dev/null
      ;;
    mysql)
      for tables in $(my_sql "SELECT table_name FROM information_schema.tables
                              WHERE table_schema = '$2' AND table_name LIKE 'lease4%'"); do
        my_sql "TRUNCATE TABLE $2.$tables"
      done
      ;;
  esac
}

# db_cpu BACKEND: CPU ticks used so far by the database server (0 for the file backends).
db_cpu() {
  case $1 in
    postgresql)
      # postmaster (with its reaped children) plus its live children (backends, walwriter...).
      # (cat, not awk, opens the files: processes may end while they are read)
      cat /proc/[0-9]*/stat 2> /dev/null | awk -v pm="$DB_PGSQL_PID" '{ pid = $1; sub(/^.*\) /, "") }
        pid == pm { t += $12 + $13 + $14 + $15; next }
        $2 == pm { t += $12 + $13 } END { print t + 0 }'
      ;;
    mysql) awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$DB_MYSQL_PID/stat" 2> /dev/null ;;
    *) echo 0 ;;
  esac
}

# db_statements BACKEND DB: statements the database has executed so far (0 for file backends).
db_statements() {
  case $1 in
    postgresql) pg_sql postgres "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$2'" ;;
    mysql) my_sql "SHOW GLOBAL STATUS LIKE 'Questions'" | awk '{ print $2 }' ;;
    *) echo 0 ;;
  esac
}

# lease_db_json BACKEND DB: the lease-database map (the same keys for Takahe and Kea).
lease_db_json() {
  case $1 in
    memfile) echo '{ "type": "memfile", "name": "'"$TKH_TMP"'/bench-leases.csv", "persist": true, "lfc-interval": 0 }' ;;
    sqlite) echo '{ "type": "sqlite", "name": "'"$SQLITE_FILE"'" }' ;;
    postgresql) echo '{ "type": "postgresql", "name": "'"$2"'", "host": "127.0.0.1", "port": '"$TAKAHE_TEST_PGSQL_PORT"',
                        "user": "'"$DB_USER"'", "password": "'"$DB_PASSWORD"'" }' ;;
    mysql) echo '{ "type": "mysql", "name": "'"$2"'", "host": "127.0.0.1", "port": '"$TAKAHE_TEST_MYSQL_PORT"',
                   "user": "'"$DB_USER"'", "password": "'"$DB_PASSWORD"'" }' ;;
  esac
}

subnet='[ { "id": 1, "subnet": "10.0.0.0/8",
    "pools": [ { "pool": "10.0.0.1 - 10.255.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ]'
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2> /dev/null; }
pstat() { # FILE EXCHANGE FIELD: one counter of perfdhcp's statistics
  awk -v ex="$2" -v f="$3" '
    /^\*\*\*Statistics for: / { cur = $3; gsub(/\*/, "", cur) }
    cur == ex && index($0, f ": ") == 1 { v = substr($0, length(f) + 3); sub(/ .*/, "", v); print v; exit }' "$1"
}

# run_step BACKEND SERVER RATE: sets STEP_RESULT to
# "rate completed drop% srv_us db_us stmts [note]" (per completed exchange).
run_step() {
  local backend=$1 server=$2 rate=$3 db=$TAKAHE_DB bin=$TAKAHE_DHCP4 conf=$TKH_TMP/bench.json
  local out=$TKH_TMP/perfdhcp.out c0 c1 d0 d1 s0 s1 sent acks done_rate
  if [[ $server == kea ]]; then
    db=$KEA_DB bin=$KEA_DHCP4
  fi
  reset_store "$backend" "$db"
  tkh_dhcp4_config "$conf" --lease-db "$(lease_db_json "$backend" "$db")" --iface lo/127.0.0.1 \
    --socket udp --subnets "$subnet" --severity WARN --mt false --globals '"valid-lifetime": 3600'
  # shellcheck disable=SC2034 # read by tkh_server_start
  DHCP4_SERVER=$bin
  if ! tkh_server_start "$conf"; then
    STEP_RESULT="$rate 0 100 0 0 0 server-start-failed"
    return
  fi
  s0=$(db_statements "$backend" "$db")
  c0=$(cpu_ticks "$TKH_SERVER_PID") d0=$(db_cpu "$backend")
  timeout $((STEP + 30)) ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r "$rate" -R $((rate * STEP * 2)) \
    -p "$STEP" -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
  c1=$(cpu_ticks "$TKH_SERVER_PID") d1=$(db_cpu "$backend")
  tkh_server_stop TERM
  # (after the stop: PostgreSQL backends publish their counters when they exit)
  s1=$(db_statements "$backend" "$db")
  sent=$(pstat "$out" DISCOVER-OFFER "sent packets")
  acks=$(pstat "$out" REQUEST-ACK "received packets")
  done_rate=$(awk '/^Rate: / { print $2; exit }' "$out")
  STEP_RESULT=$(awk -v r="$rate" -v s="${sent:-0}" -v a="${acks:-0}" -v dr="${done_rate:-0}" \
    -v c0="${c0:-0}" -v c1="${c1:-0}" -v d0="${d0:-0}" -v d1="${d1:-0}" -v s0="${s0:-0}" \
    -v s1="${s1:-0}" -v hz="$CLK_TCK" 'BEGIN {
      drop = (s > 0) ? 100 * (s - a) / s : 100
      cpu = (a > 0) ? (c1 - c0) * 1e6 / hz / a : 0
      dbc = (a > 0) ? (d1 - d0) * 1e6 / hz / a : 0
      st = (a > 0) ? (s1 - s0) / a : 0
      printf "%d %.0f %.2f %.1f %.1f %.2f\n", r, dr, drop, cpu, dbc, st }')
}

# One server's state during a backend's sweep: its next offered rate, best counting step, highest
# counting rate, failing rates, failures in a row, and whether it still sweeps.
declare -A best rate pass_rate fails bad active
results=()

# try BACKEND SERVER RATE: one step, logged, folded into the server's state.
# Returns 0 when the step counts, 1 when it does not, 2 when the server did not start.
try() {
  local b=$1 name=$2 r=$3 done_rate drop cpu dbc st note
  run_step "$b" "$name" "$r"
  read -r r done_rate drop cpu dbc st note <<< "$STEP_RESULT"
  tkh_log "  $b/$name offered $r/s: completed $done_rate/s, drops $drop %," \
    "server $cpu µs, database $dbc µs, $st statements per exchange ${note:-}"
  if [[ -n ${note:-} ]]; then
    tkh_show_tail "$TKH_SERVER_LOG"
    active[$name]=0
    return 2
  fi
  if awk -v d="$drop" -v m="$MAX_DROP" 'BEGIN { exit !(d < m) }'; then
    bad[$name]=0
    ((r > pass_rate[$name])) && pass_rate[$name]=$r
    if ((done_rate > ${best[$name]%% *})); then
      best[$name]="$done_rate $drop $cpu $dbc $st"
    fi
    return 0
  fi
  fails[$name]+=" $r"
  bad[$name]=$((bad[$name] + 1))
  return 1
}

n_left=$(wc -w <<< "$BACKENDS")
for b in $BACKENDS; do
  if ! ((${usable[$b]:-0})); then
    n_left=$((n_left - 1))
    continue
  fi
  deadline=$(($(date +%s) + (T0 + BUDGET - $(date +%s)) / n_left))
  n_left=$((n_left - 1))
  names=(takahe)
  if ((have_kea)) && [[ $b != sqlite ]] && ((${usable[kea-$b]:-1})); then
    names+=(kea)
  fi
  start=${BENCH_START_RATE:-$([[ $b == memfile ]] && echo 4000 || echo 500)}
  for name in "${names[@]}"; do
    best[$name]="0 0 0 0 0" rate[$name]=$start pass_rate[$name]=0 fails[$name]="" bad[$name]=0
    active[$name]=1
  done
  tkh_log "$b: sweeping from $start/s (×$FACTOR, $STEP s per step, until $(date -d "@$deadline" +%T))"
  # Each server climbs its own ladder; the servers take turns, one step each, so that they meet
  # the same machine conditions.
  while :; do
    if (($(date +%s) >= deadline)); then
      tkh_log "  $b: time share used up; stopping the sweep"
      break
    fi
    n_active=0
    for name in "${names[@]}"; do
      ((active[$name])) || continue
      n_active=$((n_active + 1))
      r=${rate[$name]}
      try "$b" "$name" "$r"
      rc=$?
      if ((rc == 1 && pass_rate[$name] == 0)); then
        # Not one counting step yet: the start rate is too high for this machine; halve it.
        rate[$name]=$((r / 2))
        if ((rate[$name] < MIN_RATE)); then
          tkh_log "  $b/$name: even $r/s loses more than $MAX_DROP %; giving up"
          active[$name]=0
        fi
        continue
      fi
      # Two steps in a row over the drop limit: past saturation.
      ((bad[$name] >= 2)) && active[$name]=0
      rate[$name]=$(awk -v r="$r" -v f="$FACTOR" 'BEGIN { printf "%d", r * f }')
      ((rate[$name] > MAX_RATE)) && active[$name]=0
    done
    ((n_active > 0)) || break
  done
  # Bisection (geometric) between the highest counting rate and the lowest failing rate above
  # it, the servers in turn.
  for ((i = 0; i < REFINE; i++)); do
    for name in "${names[@]}"; do
      (($(date +%s) < deadline + 15)) || break 2
      p=${pass_rate[$name]}
      f=$(tr ' ' '\n' <<< "${fails[$name]}" | awk -v p="$p" '$1 > p' | sort -n | head -1)
      if ((p == 0)) || [[ -z $f ]]; then continue; fi
      mid=$(awk -v p="$p" -v f="$f" 'BEGIN { printf "%d", sqrt(p * f) }')
      ((mid > p && mid < f)) || continue
      try "$b" "$name" "$mid"
    done
  done
  for name in "${names[@]}"; do
    results+=("$b $name ${best[$name]}")
  done
done

echo
fmt='%-10s %-7s %10s %7s %12s %11s %11s %11s\n'
# shellcheck disable=SC2059
printf "$fmt" backend server "DORA/s" "drops%" "server µs/ex" "DB µs/ex" "SQL st/ex" "takahe/kea"
verdicts=()
for row in "${results[@]}"; do
  read -r b name rate drop cpu dbc st <<< "$row"
  ratio=-
  if [[ $name == takahe ]]; then
    kea=$(printf '%s\n' "${results[@]}" | awk -v b="$b" '$1 == b && $2 == "kea" { print $3 }')
    if [[ -n $kea && $kea != 0 && $rate != 0 ]]; then
      ratio=$(awk -v a="$rate" -v k="$kea" 'BEGIN { printf "%.2f", a / k }')
      met=$(awk -v x="$ratio" 'BEGIN { print (x >= 1) ? "bar met" : "bar NOT met" }')
      verdicts+=("$b: takahe/kea DORA/s ratio $ratio ($met: at least Kea's rate)")
    elif [[ $b == sqlite ]]; then
      verdicts+=("$b: takahe $rate DORA/s (Kea has no SQLite backend)")
    else
      verdicts+=("$b: no ratio (takahe $rate, kea ${kea:-not run} DORA/s)")
    fi
  fi
  [[ $b == memfile || $b == sqlite ]] && dbc=- st=-
  # shellcheck disable=SC2059
  printf "$fmt" "$b" "$name" "$rate" "$drop" "$cpu" "$dbc" "$st" "$ratio"
done
echo
printf '%s\n' "${verdicts[@]}"
tkh_log "DB µs/ex and SQL st/ex: the database server's CPU and statements per completed exchange"
tkh_log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); bench took $(($(date +%s) - T0)) s on $(nproc) cores"
exit 0
