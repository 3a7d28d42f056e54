#!/bin/bash
# takahe-dhcp4 with its leases and host reservations in SQLite, PostgreSQL and MariaDB: for each
# backend the schema is created with takahe-admin, a reservation added by command is stored in
# the database, a real client (dhclient) gets the reserved address with a lease that is in the
# database before the client is bound, lease commands and statistics read it back, a restarted
# server still has both, and a bad connection parameter stops the server with one line naming it. The PostgreSQL and
# MariaDB servers are throwaway ones (test/lib/db.sh) started inside the test's namespace.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init db_backends
tkh_require_cmd dhclient
tkh_require_cmd socat
tkh_require_cmd python3
tkh_require_server
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
LEASE_CMDS=$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so
STAT_CMDS=$BUILD_DIR/hooks-libs/stat_cmds/libdhcp_stat_cmds.so
HOST_CMDS=$BUILD_DIR/hooks-libs/host_cmds/libdhcp_host_cmds.so
RES_IP=192.0.2.60  # outside the pool: only a reservation gives it
[[ -x $ADMIN ]] || tkh_skip_all setup "takahe-admin not built: $ADMIN"

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
# The database servers run inside the server's namespace (its loopback is the only network the
# server reaches there), stopped when the test ends, also on failure.
DB_NETNS=$TKH_SRV_NS
export DB_NETNS
db_start_all || { tkh_fail db-start "could not start the test databases"; tkh_finish; }
TKH_CLEANUP_CMDS+=(db_stop_all)
in_ns() { ip netns exec "$TKH_SRV_NS" "$@"; }

sock=$TKH_TMP/ctl.sock
cmd() { printf '%s' "$1" | timeout 20 socat -t 15 - "UNIX-CONNECT:$sock"; }
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }

sqlite_file=$TKH_TMP/leases.sqlite
empty_db() { db_empty "$1" "$sqlite_file"; }
lease_db_json() { db_json "$1" "$sqlite_file" "${2:-}"; }
admin_args() { db_admin_args "$1" "$sqlite_file"; }

# write_config BACKEND LEASE-DB-JSON: leases and reservations in the same database.
write_config() {
  tkh_dhcp4_config "$TKH_TMP/dhcp4.json" --lease-db "$2" \
    --globals "\"valid-lifetime\": 600, \"hosts-database\": $2,
      \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" },
      \"hooks-libraries\": [ { \"library\": \"$LEASE_CMDS\" }, { \"library\": \"$STAT_CMDS\" },
                             { \"library\": \"$HOST_CMDS\" } ]"
}

for backend in sqlite postgresql mysql; do
  b=$backend
  empty_db "$b"
  # shellcheck disable=SC2046
  if in_ns "$ADMIN" db-init $(admin_args "$b") > "$TKH_TMP/admin-$b.log" 2>&1; then
    tkh_pass "$b/db-init"
  else
    tkh_fail "$b/db-init" "$(tail -2 "$TKH_TMP/admin-$b.log")"
    continue
  fi
  write_config "$b" "$(lease_db_json "$b")"
  if ! tkh_server_start "$TKH_TMP/dhcp4.json"; then
    tkh_fail "$b/server-start" "takahe-dhcp4 did not start on $b"
    continue
  fi
  tkh_pass "$b/server-start"
  # (The store opens before the sockets, so the line is there once the server listens.)
  tkh_check "$b/server-says-backend" "no DHCP4_LEASE_DB_OPENED naming $b" \
    tkh_wait_for 10 grep -q "DHCP4_LEASE_DB_OPENED leases are stored in the $b database" "$TKH_SERVER_LOG"

  # A reservation added by command goes to the database and gives the client its address.
  r=$(cmd '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 1,
    "hw-address": "'"$(tkh_mac_of 1)"'", "ip-address": "'$RES_IP'", "hostname": "db-'$b'" } } }')
  tkh_check_eq "$b/reservation-add" 0 "$(field "$r" "a['result']")"
  rm -rf "$TKH_TMP/c1"
  tkh_dhclient_setup "$TKH_TMP/c1"
  tkh_dhclient_start 1 "$TKH_TMP/c1"
  dhclient_pid=$TKH_LAST_PID
  ev=$TKH_TMP/c1/events
  if tkh_wait_event 20 "$ev" BOUND; then
    tkh_pass "$b/client-bound"
    ip=$(tkh_rec_get "$ev" BOUND ip)
    tkh_check_eq "$b/reserved-address" "$RES_IP" "$ip"
    a=$(cmd '{ "command": "lease4-get", "arguments": { "ip-address": "'"$ip"'" } }')
    tkh_check_eq "$b/lease-in-database" 0 "$(field "$a" "a['result']")"
    tkh_check_eq "$b/lease-hwaddr" "$(tkh_mac_of 1)" "$(field "$a" "a['arguments']['hw-address']")"
    s=$(cmd '{ "command": "stat-lease4-get", "arguments": { "subnet-id": 1 } }')
    tkh_check_eq "$b/stat-assigned" 1 "$(field "$s" "a['arguments']['result-set']['rows'][0][3]")"
    tkh_kill "$dhclient_pid"
    # A restarted server finds the lease in the database.
    tkh_server_stop TERM
    if tkh_server_start "$TKH_TMP/dhcp4.json"; then
      a=$(cmd '{ "command": "lease4-get", "arguments": { "ip-address": "'"$ip"'" } }')
      tkh_check_eq "$b/lease-after-restart" 0 "$(field "$a" "a['result']")"
      r=$(cmd '{ "command": "reservation-get", "arguments": { "subnet-id": 1, "ip-address": "'$RES_IP'" } }')
      tkh_check_eq "$b/reservation-after-restart" "db-$b" "$(field "$r" "a['arguments']['hostname']")"
    else
      tkh_fail "$b/restart" "takahe-dhcp4 did not start again"
    fi
  else
    tkh_fail "$b/client-bound" "no BOUND event"
    tkh_show_tail "$TKH_SERVER_LOG"
  fi
  tkh_server_stop TERM

  # A wrong port (or file) stops the server with a line naming what to check.
  if [[ $b != sqlite ]]; then
    write_config "$b" "$(lease_db_json "$b" 1)"
    before=$(wc -l < "$TKH_SERVER_LOG")
    # The database is opened before the sockets (Kea's order): a refused server exits without
    # ever listening, so tkh_server_start must fail.
    alive=0
    if tkh_server_start "$TKH_TMP/dhcp4.json" > /dev/null 2>&1 || tkh_pid_alive "$TKH_SERVER_PID"; then
      alive=1
    fi
    if ((alive)); then
      tkh_fail "$b/bad-port-refused" "takahe-dhcp4 listened although its database (port 1) refused it"
      tkh_server_stop TERM
    else
      tail -n +"$((before + 1))" "$TKH_SERVER_LOG" > "$TKH_TMP/bad-$b.log"
      tkh_check "$b/bad-port-refused" "no line naming host and port: $(tail -3 "$TKH_TMP/bad-$b.log")" \
        grep -q "check host and port" "$TKH_TMP/bad-$b.log"
    fi
  fi
done

tkh_finish
