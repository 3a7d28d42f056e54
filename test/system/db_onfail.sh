#!/bin/bash
# The lease database goes away in the middle of a perfdhcp run and comes back: takahe-dhcp4
# behaves per `on-fail` and never acknowledges a lease it did not store.
#   stop-retry-exit      service stops (the server logs DHCP4_DB_LOST, answers nothing while the
#                        database is away), resumes after the reconnect, keeps running
#   serve-retry-continue the server keeps running and resumes by itself
#   stop-retry-exit with max-reconnect-tries 2 and the database left down: the server exits with
#                        DHCP4_DB_GIVE_UP
#   retry-on-startup     the database is down at start: the server starts, waits, then serves
# After each run every lease the server logged as allocated (DHCP4_LEASE_ALLOC) is in the table.
# PostgreSQL (and, for the first case, MariaDB) run inside the test's namespace (test/lib/db.sh
# with DB_NETNS) and are stopped and started again on the same data directory and port.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init db_onfail
tkh_require_cmd perfdhcp
tkh_require_cmd python3
tkh_require_server
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
[[ -x $ADMIN ]] || tkh_skip_all setup "takahe-admin not built: $ADMIN"

tkh_ns_add NS onfail || tkh_skip_all setup "could not create a namespace"
ip -n "$NS" addr add 127.0.0.2/8 dev lo
ip -n "$NS" addr add 127.0.0.10/8 dev lo
DB_NETNS=$NS
export DB_NETNS
db_start_all || { tkh_fail db-start "could not start the databases in $NS"; tkh_finish; }
TKH_CLEANUP_CMDS+=(db_stop_all)
port=$TAKAHE_TEST_PGSQL_PORT
BK=postgresql  # the backend of the current run: postgresql or mysql

psql_ns() {
  ip netns exec "$NS" env PGPASSWORD="$DB_PASSWORD" psql -At -h 127.0.0.1 -p "$port" -U "$DB_USER" -d takahe_test2 "$@"
}
mysql_ns() {
  ip netns exec "$NS" mariadb -N -B -h 127.0.0.1 -P "$TAKAHE_TEST_MYSQL_PORT" -u "$DB_USER" -p"$DB_PASSWORD" "$@"
}
# Backend-neutral helpers for the current $BK.
db_reset() {
  if [[ $BK == mysql ]]; then
    mysql_ns -e 'DROP DATABASE IF EXISTS takahe_test2; CREATE DATABASE takahe_test2;' > /dev/null 2>&1
  else
    psql_ns -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null 2>&1
  fi
}
db_addresses() {
  if [[ $BK == mysql ]]; then mysql_ns takahe_test2 -e 'SELECT address FROM lease4'; else psql_ns -c 'SELECT address FROM lease4'; fi
}
db_pause() { if [[ $BK == mysql ]]; then db_pause_mysql; else db_pause_pgsql; fi; }
db_resume() { if [[ $BK == mysql ]]; then db_resume_mysql; else db_resume_pgsql; fi; }
bk_port() { if [[ $BK == mysql ]]; then echo "$TAKAHE_TEST_MYSQL_PORT"; else echo "$port"; fi; }
bk_admin() { if [[ $BK == mysql ]]; then echo mysql; else echo pgsql; fi; }

subnet='[ { "id": 1, "subnet": "10.0.0.0/8", "pools": [ { "pool": "10.0.0.10 - 10.0.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] } } ]'

# run NAME ON-FAIL TRIES DOWN-SECONDS: one server, perfdhcp for 12 s, the database stopped at
# 3 s for DOWN-SECONDS (0 = not started again). Sets SRV_PID, SRV_LOG.
run() {
  local name=$1 onfail=$2 tries=$3 down=$4
  db_reset
  ip netns exec "$NS" "$ADMIN" db-init "$(bk_admin)" -h 127.0.0.1 -P "$(bk_port)" -u "$DB_USER" -p "$DB_PASSWORD" -n takahe_test2 \
    > "$TKH_TMP/$name-admin.log" 2>&1 || { tkh_fail "$name/db-init" "$(tail -2 "$TKH_TMP/$name-admin.log")"; return 1; }
  local lease_db='{ "type": "'$BK'", "name": "takahe_test2", "host": "127.0.0.1", "port": '$(bk_port)',
    "user": "'$DB_USER'", "password": "'$DB_PASSWORD'", "on-fail": "'$onfail'",
    "max-reconnect-tries": '$tries', "reconnect-wait-time": 500 }'
  tkh_dhcp4_config "$TKH_TMP/$name.json" --iface lo/127.0.0.10 --socket udp --lease-db "$lease_db" \
    --subnets "$subnet" --globals '"valid-lifetime": 3600'
  SRV_LOG=$TKH_TMP/$name-server.log
  mkdir -p "$TKH_TMP/run-$name"
  tkh_bg "$SRV_LOG" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run-$name" "$DHCP4_SERVER" -c "$TKH_TMP/$name.json"
  SRV_PID=$TKH_LAST_PID
  tkh_wait_for 15 tkh_server_listening "$NS" "$SRV_PID" || { tkh_fail "$name/start" "server did not start"; return 1; }
  timeout 45 ip netns exec "$NS" perfdhcp -4 -r 200 -p 12 -R 100000 -l 127.0.0.2 127.0.0.10 > "$TKH_TMP/$name-perf.out" 2>&1 &
  local perf=$!
  sleep 3
  db_pause
  if ((down > 0)); then
    sleep "$down"
    db_resume || tkh_fail "$name/db-resume" "the $BK server did not start again"
  fi
  wait "$perf"  # perfdhcp reports lost exchanges through its exit status: expected here
  return 0
}

# acked_missing NAME: allocations the server logged that are not in lease4 (should be none).
acked_missing() {
  grep -h "DHCP4_LEASE_ALLOC" "$SRV_LOG" | sed -E 's/.*lease ([0-9.]+) has been.*/\1/' | sort -u > "$TKH_TMP/$1-acked"
  db_addresses | python3 -c '
import sys, ipaddress
for l in sys.stdin:
    l = l.strip()
    if l: print(ipaddress.IPv4Address(int(l)))' | sort -u > "$TKH_TMP/$1-rows"
  comm -23 "$TKH_TMP/$1-acked" "$TKH_TMP/$1-rows"
}

# 1. stop-retry-exit: service stops while the database is away, resumes afterwards.
if run stop stop-retry-exit 60 4; then
  tkh_check stop/lost-logged "no DHCP4_DB_LOST" grep -q DHCP4_DB_LOST "$SRV_LOG"
  tkh_check stop/reconnected "no DHCP4_DB_RECONNECTED" grep -q DHCP4_DB_RECONNECTED "$SRV_LOG"
  tkh_check stop/still-running "the server exited" tkh_pid_alive "$SRV_PID"
  acks_after=$(awk '/DHCP4_DB_RECONNECTED/ { on = 1 } on && /DHCP4_LEASE_ALLOC/ { n++ } END { print n + 0 }' "$SRV_LOG")
  tkh_check stop/serves-again "no allocation after the reconnect" test "$acks_after" -gt 0
  tkh_check_eq stop/no-ack-missing "" "$(acked_missing stop)"
  tkh_kill "$SRV_PID"
fi

# 1b. The same with MariaDB.
BK=mysql
if run mstop stop-retry-exit 60 4; then
  tkh_check mysql-stop/lost-logged "no DHCP4_DB_LOST" grep -q DHCP4_DB_LOST "$SRV_LOG"
  tkh_check mysql-stop/reconnected "no DHCP4_DB_RECONNECTED" grep -q DHCP4_DB_RECONNECTED "$SRV_LOG"
  tkh_check mysql-stop/still-running "the server exited" tkh_pid_alive "$SRV_PID"
  acks_after=$(awk '/DHCP4_DB_RECONNECTED/ { on = 1 } on && /DHCP4_LEASE_ALLOC/ { n++ } END { print n + 0 }' "$SRV_LOG")
  tkh_check mysql-stop/serves-again "no allocation after the reconnect" test "$acks_after" -gt 0
  tkh_check_eq mysql-stop/no-ack-missing "" "$(acked_missing mstop)"
  tkh_kill "$SRV_PID"
fi
BK=postgresql

# 2. serve-retry-continue: same outcome, the server kept its service enabled meanwhile.
if run continue serve-retry-continue 0 3; then
  tkh_check continue/reconnected "no DHCP4_DB_RECONNECTED" grep -q DHCP4_DB_RECONNECTED "$SRV_LOG"
  tkh_check continue/still-running "the server exited" tkh_pid_alive "$SRV_PID"
  tkh_check_eq continue/no-ack-missing "" "$(acked_missing continue)"
  tkh_kill "$SRV_PID"
fi

# 3. stop-retry-exit with 2 tries and the database left down: the server exits.
if run giveup stop-retry-exit 2 0; then
  tkh_check giveup/exited "the server still runs" tkh_wait_for 10 tkh_pid_dead "$SRV_PID"
  tkh_check giveup/logged "no DHCP4_DB_GIVE_UP" grep -q DHCP4_DB_GIVE_UP "$SRV_LOG"
  db_resume || tkh_fail giveup/db-resume "PostgreSQL did not start again"
  tkh_check_eq giveup/no-ack-missing "" "$(acked_missing giveup)"
fi

# 4. retry-on-startup: the database is down when the server starts; it starts anyway, with
#    service disabled (stop-retry-exit), and serves once the database is back.
psql_ns -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null 2>&1
ip netns exec "$NS" "$ADMIN" db-init pgsql -h 127.0.0.1 -P "$port" -u "$DB_USER" -p "$DB_PASSWORD" -n takahe_test2 \
  > "$TKH_TMP/startup-admin.log" 2>&1 || tkh_fail startup/db-init "$(tail -2 "$TKH_TMP/startup-admin.log")"
db_pause_pgsql
lease_db='{ "type": "postgresql", "name": "takahe_test2", "host": "127.0.0.1", "port": '$port',
  "user": "'$DB_USER'", "password": "'$DB_PASSWORD'", "on-fail": "stop-retry-exit",
  "retry-on-startup": true, "max-reconnect-tries": 60, "reconnect-wait-time": 500 }'
tkh_dhcp4_config "$TKH_TMP/startup.json" --iface lo/127.0.0.10 --socket udp --lease-db "$lease_db" \
  --subnets "$subnet" --globals '"valid-lifetime": 3600'
SRV_LOG=$TKH_TMP/startup-server.log
mkdir -p "$TKH_TMP/run-startup"
tkh_bg "$SRV_LOG" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run-startup" "$DHCP4_SERVER" -c "$TKH_TMP/startup.json"
SRV_PID=$TKH_LAST_PID
if tkh_wait_for 15 tkh_server_listening "$NS" "$SRV_PID"; then
  tkh_pass startup/started-without-database
  tkh_check startup/retry-logged "no DHCP4_DB_START_RETRY" grep -q DHCP4_DB_START_RETRY "$SRV_LOG"
  db_resume_pgsql || tkh_fail startup/db-resume "PostgreSQL did not start again"
  tkh_check startup/reconnected "no DHCP4_DB_RECONNECTED" tkh_wait_for 15 grep -q DHCP4_DB_RECONNECTED "$SRV_LOG"
  timeout 30 ip netns exec "$NS" perfdhcp -4 -r 50 -p 3 -R 100000 -l 127.0.0.2 127.0.0.10 > "$TKH_TMP/startup-perf.out" 2>&1
  tkh_check startup/serves "no allocation after the database came" grep -q DHCP4_LEASE_ALLOC "$SRV_LOG"
  tkh_check_eq startup/no-ack-missing "" "$(acked_missing startup)"
  tkh_kill "$SRV_PID"
else
  tkh_fail startup/started-without-database "the server did not start: $(tail -3 "$SRV_LOG")"
  db_resume_pgsql
fi

tkh_finish
