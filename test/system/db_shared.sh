#!/bin/bash
# Two takahe-dhcp4 processes sharing one PostgreSQL and one MariaDB database under concurrent
# load from two perfdhcp generators, both allocating from the start of one pool: no address may
# be leased to two clients. Every ACK each server logged (DHCP4_LEASE_ALLOC: address and hardware
# address) is checked against the other server's ACKs and against the lease table afterwards.
#
# Everything runs inside one network namespace made here: the database servers (test/lib/db.sh
# with DB_NETNS), server A on 127.0.0.10 and server B on 127.0.0.11, perfdhcp posing as relays
# 127.0.0.2 and 127.0.0.3. Load is bounded (rate and seconds) and stops by itself.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init db_shared
tkh_require_cmd perfdhcp
tkh_require_cmd python3
tkh_require_server
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
[[ -x $ADMIN ]] || tkh_skip_all setup "takahe-admin not built: $ADMIN"
RATE=${DB_SHARED_RATE:-200}
SECS=${DB_SHARED_SECONDS:-6}

tkh_ns_add NS shared || tkh_skip_all setup "could not create a namespace"
for a in 127.0.0.10 127.0.0.11 127.0.0.2 127.0.0.3; do ip -n "$NS" addr add "$a/8" dev lo; done
DB_NETNS=$NS
export DB_NETNS
db_start_all || { tkh_fail db-start "could not start the test databases in $NS"; tkh_finish; }
TKH_CLEANUP_CMDS+=(db_stop_all)

# Both servers' iterative allocators walk the same pool from its start, so nearly every new
# lease is contested: the loser of each INSERT moves on to the next address. The pool (2,550)
# holds all 2 x RATE x SECS clients, so both servers keep serving.
subnet='[ { "id": 1, "subnet": "10.0.0.0/16", "pools": [ { "pool": "10.0.0.10 - 10.0.9.255" } ],
    "relay": { "ip-addresses": [ "127.0.0.2", "127.0.0.3" ] } } ]'

empty_db() {
  case $1 in
    postgresql)
      ip netns exec "$NS" env PGPASSWORD="$DB_PASSWORD" psql -q -h 127.0.0.1 -p "$TAKAHE_TEST_PGSQL_PORT" \
        -U "$DB_USER" -d takahe_test2 -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null 2>&1 ;;
    mysql)
      ip netns exec "$NS" mariadb -h 127.0.0.1 -P "$TAKAHE_TEST_MYSQL_PORT" -u "$DB_USER" -p"$DB_PASSWORD" \
        -e 'DROP DATABASE IF EXISTS takahe_test2; CREATE DATABASE takahe_test2;' > /dev/null 2>&1 ;;
  esac
}

# rows BACKEND: "address hwaddr" of every lease4 row, address dotted, hwaddr colon hex.
rows() {
  case $1 in
    postgresql)
      ip netns exec "$NS" env PGPASSWORD="$DB_PASSWORD" psql -At -F ' ' -h 127.0.0.1 -p "$TAKAHE_TEST_PGSQL_PORT" \
        -U "$DB_USER" -d takahe_test2 -c "SELECT address, encode(hwaddr, 'hex') FROM lease4" ;;
    mysql)
      ip netns exec "$NS" mariadb -N -B -h 127.0.0.1 -P "$TAKAHE_TEST_MYSQL_PORT" -u "$DB_USER" -p"$DB_PASSWORD" \
        takahe_test2 -e "SELECT address, HEX(hwaddr) FROM lease4" | tr '\t' ' ' ;;
  esac | python3 -c '
import sys, ipaddress
for line in sys.stdin:
    a, h = line.split()
    h = h.lower()
    print(ipaddress.IPv4Address(int(a)), ":".join(h[i:i+2] for i in range(0, len(h), 2)))'
}

for b in postgresql mysql; do
  empty_db "$b"
  port=$TAKAHE_TEST_PGSQL_PORT kind=pgsql
  [[ $b == mysql ]] && port=$TAKAHE_TEST_MYSQL_PORT kind=mysql
  if ! ip netns exec "$NS" "$ADMIN" db-init "$kind" -h 127.0.0.1 -P "$port" -u "$DB_USER" -p "$DB_PASSWORD" \
    -n takahe_test2 > "$TKH_TMP/admin-$b.log" 2>&1; then
    tkh_fail "$b/db-init" "$(tail -2 "$TKH_TMP/admin-$b.log")"
    continue
  fi
  lease_db='{ "type": "'$b'", "name": "takahe_test2", "host": "127.0.0.1", "port": '$port',
    "user": "'$DB_USER'", "password": "'$DB_PASSWORD'" }'
  pids=()
  for s in A B; do
    addr=127.0.0.10
    [[ $s == B ]] && addr=127.0.0.11
    tkh_dhcp4_config "$TKH_TMP/$b-$s.json" --iface "lo/$addr" --socket udp --lease-db "$lease_db" \
      --subnets "$subnet" --globals '"valid-lifetime": 3600'
    tkh_bg "$TKH_TMP/$b-$s.log" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run-$s" \
      "$DHCP4_SERVER" -c "$TKH_TMP/$b-$s.json"
    mkdir -p "$TKH_TMP/run-$s"
    pids+=("$TKH_LAST_PID")
  done
  ok=1
  for pid in "${pids[@]}"; do
    tkh_wait_for 15 tkh_server_listening "$NS" "$pid" || ok=0
  done
  if ((!ok)); then
    tkh_fail "$b/servers-start" "a server did not start: $(tail -3 "$TKH_TMP/$b-A.log" "$TKH_TMP/$b-B.log")"
    for pid in "${pids[@]}"; do tkh_kill "$pid"; done
    continue
  fi
  tkh_pass "$b/servers-start"
  # Two generators at once, each with its own clients (distinct MAC bases: perfdhcp derives
  # client MACs from its base the same way in every run).
  timeout $((SECS + 30)) ip netns exec "$NS" perfdhcp -4 -r "$RATE" -p "$SECS" -R 100000 -b mac=02:aa:00:00:00:00 \
    -l 127.0.0.2 127.0.0.10 \
    > "$TKH_TMP/$b-perf-A.out" 2>&1 &
  p1=$!
  timeout $((SECS + 30)) ip netns exec "$NS" perfdhcp -4 -r "$RATE" -p "$SECS" -R 100000 -b mac=02:bb:00:00:00:00 \
    -l 127.0.0.3 127.0.0.11 \
    > "$TKH_TMP/$b-perf-B.out" 2>&1 &
  p2=$!
  wait "$p1" "$p2"
  for pid in "${pids[@]}"; do tkh_kill "$pid"; done

  grep -h "DHCP4_LEASE_ALLOC" "$TKH_TMP/$b-A.log" | sed -E 's/.* hw=[0-9]+\/([0-9a-f:]+).*lease ([0-9.]+) has been.*/\2 \1 A/' > "$TKH_TMP/$b-acks"
  grep -h "DHCP4_LEASE_ALLOC" "$TKH_TMP/$b-B.log" | sed -E 's/.* hw=[0-9]+\/([0-9a-f:]+).*lease ([0-9.]+) has been.*/\2 \1 B/' >> "$TKH_TMP/$b-acks"
  rows "$b" > "$TKH_TMP/$b-rows"
  n_a=$(grep -c ' A$' "$TKH_TMP/$b-acks")
  n_b=$(grep -c ' B$' "$TKH_TMP/$b-acks")
  tkh_log "$b: server A acknowledged $n_a leases, server B $n_b; $(wc -l < "$TKH_TMP/$b-rows") rows in lease4"
  tkh_check "$b/both-served" "A acked $n_a, B acked $n_b" test "$n_a" -gt 100 -a "$n_b" -gt 100
  rows_n=$(wc -l < "$TKH_TMP/$b-rows")
  tkh_check_eq "$b/one-row-per-ack" "$(awk '{ print $1 }' "$TKH_TMP/$b-acks" | sort -u | wc -l)" "$rows_n"
  twice=$(awk '{ print $1, $2 }' "$TKH_TMP/$b-acks" | sort -u | awk '{ c[$1]++ } END { for (a in c) if (c[a] > 1) print a }')
  tkh_check_eq "$b/no-address-leased-twice" "" "$twice"
  # Every acknowledged lease is in the table with the client it was given to.
  missing=$(awk '{ print $1, $2 }' "$TKH_TMP/$b-acks" | sort -u | comm -23 - <(sort -u "$TKH_TMP/$b-rows"))
  tkh_check_eq "$b/every-ack-in-database" "" "$missing"
done

tkh_finish
