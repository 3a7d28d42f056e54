#!/bin/bash
# takahe-dhcp6 with its leases in SQLite, PostgreSQL and MariaDB: for each backend the schema is
# created with takahe-admin, perfdhcp -6 (posing as a relay, an address and a prefix per
# exchange) gets every exchange answered, the leases are rows of the database's lease6 table,
# lease6-get-all and the statistics read them back, a restarted server still has them, and a
# lost database connection is survived per on-fail (PostgreSQL stopped and started again: the
# server disables service, reconnects, serves again). The PostgreSQL and MariaDB servers are
# throwaway ones (test/lib/db.sh) inside the test's namespace.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init dhcp6_db
tkh_require_cmd perfdhcp socat python3 sqlite3
tkh6_require_server
"$DHCP6_SERVER" -V 2> /dev/null | grep -q takahe || tkh_skip_all setup "$DHCP6_SERVER is not takahe-dhcp6"
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
LEASE_CMDS=$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so
[[ -x $ADMIN ]] || tkh_skip_all setup "takahe-admin not built: $ADMIN"
[[ -f $LEASE_CMDS ]] || tkh_skip_all setup "lease_cmds hook not built: $LEASE_CMDS"

tkh_ns_add TKH_SRV_NS db6 || tkh_skip_all setup "could not create a namespace"
_tkh6_no_dad "$TKH_SRV_NS"
ip -n "$TKH_SRV_NS" -6 addr add fd00::2/128 dev lo nodad
DB_NETNS=$TKH_SRV_NS
export DB_NETNS
db_start_all || { tkh_fail db-start "could not start the test databases"; tkh_finish; }
TKH_CLEANUP_CMDS+=(db_stop_all)
in_ns() { ip netns exec "$TKH_SRV_NS" "$@"; }

sock=$TKH_TMP/ctl6.sock
cmd() { printf '%s' "$1" | timeout 20 socat -t 15 - "UNIX-CONNECT:$sock"; }
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
perf() { # perf N: N SARR exchanges, each an address and a prefix; prints the REPLYs received
  timeout 40 ip netns exec "$TKH_SRV_NS" perfdhcp -6 -l fd00::2 -A1 -e address-and-prefix -R "$1" -n "$1" \
    -r 50 -W 1000000 ::1 > "$TKH_TMP/perf.out" 2>&1
  awk '/Statistics for: REQUEST-REPLY/ { f = 1 } f && /^received packets: / { print $3; exit }' "$TKH_TMP/perf.out"
}

sqlite_file=$TKH_TMP/leases6.sqlite
rows() { db_query "$1" "$sqlite_file" 'SELECT COUNT(*) FROM lease6;'; }
lease_db_json() {
  local onfail=""
  # PostgreSQL is the one taken away below: the server must keep running and reconnect.
  [[ $1 == postgresql ]] && onfail='"on-fail": "serve-retry-continue", "reconnect-wait-time": 500, "max-reconnect-tries": 60'
  db_json "$1" "$sqlite_file" "" "$onfail"
}

subnet='[ { "id": 1, "subnet": "2001:db8:100::/56", "interface": "lo",
    "pools": [ { "pool": "2001:db8:100::/64" } ],
    "pd-pools": [ { "prefix": "2001:db8:4000::", "prefix-len": 40, "delegated-len": 56 } ],
    "relay": { "ip-addresses": [ "fd00::2" ] } } ]'

for b in sqlite postgresql mysql; do
  db_empty "$b" "$sqlite_file"
  # shellcheck disable=SC2046
  if in_ns "$ADMIN" db-init $(db_admin_args "$b" "$sqlite_file") > "$TKH_TMP/admin-$b.log" 2>&1; then
    tkh_pass "$b/db-init"
  else
    tkh_fail "$b/db-init" "$(tail -2 "$TKH_TMP/admin-$b.log")"
    continue
  fi
  conf=$TKH_TMP/dhcp6-$b.json
  tkh6_dhcp6_config "$conf" --interfaces '[ "lo/::1" ]' --subnets "$subnet" --socket "$sock" \
    --lifetimes '"preferred-lifetime": 1800, "valid-lifetime": 3600' \
    --globals "\"hooks-libraries\": [ { \"library\": \"$LEASE_CMDS\" } ]"
  # The database replaces the memfile lease-database of the helper's config.
  python3 - "$conf" "$(lease_db_json "$b")" << 'PY'
import json, sys
path, db = sys.argv[1], json.loads(sys.argv[2])
text = open(path).read()
cfg = json.loads(text)
cfg["Dhcp6"]["lease-database"] = db
open(path, "w").write(json.dumps(cfg, indent=2))
PY
  if ! tkh6_server_start "$conf"; then
    tkh_fail "$b/server-start" "takahe-dhcp6 did not start on $b"
    continue
  fi
  tkh_pass "$b/server-start"
  tkh_check "$b/server-says-backend" "no DHCP6_LEASE_DB_OPENED naming $b" \
    grep -q "DHCP6_LEASE_DB_OPENED leases are stored in the $b database" "$TKH_SERVER_LOG"
  tkh_wait_for 5 test -S "$sock"

  tkh_check_eq "$b/replies" 10 "$(perf 10)"
  tkh_check_eq "$b/rows" 20 "$(rows "$b")"
  a=$(cmd '{ "command": "lease6-get-all" }')
  tkh_check_eq "$b/lease6-get-all" 20 "$(field "$a" "len(a['arguments']['leases'])")"
  tkh_check_eq "$b/prefixes" 10 "$(field "$a" "len([l for l in a['arguments']['leases'] if l['type'] == 'IA_PD' and l['prefix-len'] == 56])")"
  s=$(cmd '{ "command": "statistic-get", "arguments": { "name": "subnet[1].assigned-pds" } }')
  tkh_check_eq "$b/assigned-pds" 10 "$(field "$s" "a['arguments']['subnet[1].assigned-pds'][0][0]")"

  tkh_server_stop TERM
  if tkh6_server_start "$conf"; then
    tkh_wait_for 5 test -S "$sock"
    s=$(cmd '{ "command": "statistic-get", "arguments": { "name": "subnet[1].assigned-nas" } }')
    tkh_check_eq "$b/assigned-after-restart" 10 "$(field "$s" "a['arguments']['subnet[1].assigned-nas'][0][0]")"
    tkh_check_eq "$b/replies-after-restart" 5 "$(perf 5)"
    tkh_check_eq "$b/rows-after-restart" 30 "$(rows "$b")"
  else
    tkh_fail "$b/restart" "takahe-dhcp6 did not start again on $b"
    continue
  fi

  if [[ $b == postgresql ]]; then
    # The database goes away while the server runs: on-fail serve-retry-continue keeps the
    # server up, reconnects when the database is back, and leases go to it again.
    db_pause_pgsql
    perf 2 > /dev/null
    tkh_check "$b/db-lost-logged" "no DHCP6_DB_LOST" tkh_wait_for 10 grep -q DHCP6_DB_LOST "$TKH_SERVER_LOG"
    tkh_check "$b/survives-db-loss" "server died" tkh_pid_alive "$TKH_SERVER_PID"
    db_resume_pgsql || tkh_fail "$b/db-resume" "PostgreSQL did not start again"
    tkh_check "$b/db-reconnected" "no DHCP6_DB_RECONNECTED" \
      tkh_wait_for 40 grep -q DHCP6_DB_RECONNECTED "$TKH_SERVER_LOG"
    tkh_check_eq "$b/replies-after-reconnect" 3 "$(perf 3)"
  fi
  tkh_server_stop TERM
done

((TKH_FAILS > 0)) && tkh_show_tail "$TKH_SERVER_LOG" 40
tkh_finish
