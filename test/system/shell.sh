#!/bin/bash
# takahe-shell, the C++ kea-shell, against takahe-agent in front of takahe-dhcp4: commands with
# --service and arguments from stdin and from -c, the agent's own commands, exit statuses for
# success, errors and transport failures, basic authentication with a password file, --json.
# Everything runs on the loopback of a namespace this test creates.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init shell
tkh_require_cmd python3
tkh_require_takahe
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
SHELL_BIN=${TAKAHE_SHELL:-$BUILD_DIR/tools/shell/takahe-shell}
[[ -x "$AGENT" && -x "$SHELL_BIN" ]] || tkh_skip_all setup "takahe-agent or takahe-shell not built"

tkh_ns_add TKH_SRV_NS shell || tkh_skip_all setup "could not create a namespace"
NS=$TKH_SRV_NS
PORT=8000
sock=$TKH_TMP/d4.sock
conf4=$TKH_TMP/dhcp4.json
tkh_dhcp4_config "$conf4" --iface lo/127.0.0.1 --socket udp \
  --globals "\"valid-lifetime\": 600, \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" }"
tkh_server_start "$conf4" || { tkh_fail server-start "takahe-dhcp4 did not start"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket"; tkh_finish; }
printf 'hunter2\n' > "$TKH_TMP/password"
cat > "$TKH_TMP/agent.json" << JSON
{ "Control-agent": { "http-host": "127.0.0.1", "http-port": $PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$sock" } },
    "authentication": { "type": "basic", "realm": "test", "clients": [ { "user": "admin", "password": "hunter2" } ] },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "INFO", "output_options": [ { "output": "stdout" } ] } ] } }
JSON
tkh_bg "$TKH_TMP/agent.log" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$AGENT" -c "$TKH_TMP/agent.json"
listening() { ip netns exec "$NS" ss -H -l -t -n "sport = :$PORT" 2> /dev/null | grep -q LISTEN; }
tkh_wait_for 10 listening || { tkh_fail agent-start "agent not listening"; tkh_show_tail "$TKH_TMP/agent.log"; tkh_finish; }
tkh_pass agent-start

# sh ARGS...: runs takahe-shell in the namespace (stdin from the caller); output in $OUT, status in $RC.
sh_run() {
  OUT=$(ip netns exec "$NS" "$SHELL_BIN" --port "$PORT" "$@" 2> "$TKH_TMP/shell.err")
  RC=$?
}
auth=(--auth-user admin --auth-password-file "$TKH_TMP/password")
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }

sh_run "${auth[@]}" --service dhcp4 list-commands < /dev/null
tkh_check_eq list-commands-status 0 "$RC"
tkh_check list-commands-dhcp4 "no statistic-get in: $OUT" test "$(field "$OUT" "'statistic-get' in a[0]['arguments']")" = True
echo '{ "name": "pkt4-received" }' > "$TKH_TMP/args.json"
sh_run "${auth[@]}" --service dhcp4 statistic-get < "$TKH_TMP/args.json"
tkh_check_eq stdin-arguments-status 0 "$RC"
tkh_check stdin-arguments "no pkt4-received in: $OUT" test "$(field "$OUT" "'pkt4-received' in a[0]['arguments']")" = True
sh_run "${auth[@]}" --service dhcp4 -c 'statistic-get {"name": "pkt4-ack-sent"}' < /dev/null
tkh_check inline-arguments "no pkt4-ack-sent in: $OUT" test "$(field "$OUT" "'pkt4-ack-sent' in a[0]['arguments']")" = True
sh_run "${auth[@]}" status-get < /dev/null
tkh_check_eq agent-own-command 0 "$(field "$OUT" "a[0]['result']")"
sh_run "${auth[@]}" --json --service dhcp4 version-get < /dev/null
tkh_check json-is-one-line "--json output spans $(printf '%s\n' "$OUT" | wc -l) lines" test "$(printf '%s\n' "$OUT" | wc -l)" -eq 1
sh_run "${auth[@]}" --service dhcp4 no-such-command < /dev/null
tkh_check_eq unsupported-exit-status 1 "$RC"
tkh_check_eq unsupported-result 2 "$(field "$OUT" "a[0]['result']")"
sh_run --service dhcp4 list-commands < /dev/null
tkh_check_eq no-credentials-status 1 "$RC"
tkh_check_eq no-credentials-401 401 "$(field "$OUT" "a['result']")"
OUT=$(ip netns exec "$NS" "$SHELL_BIN" --port 1 list-commands 2> "$TKH_TMP/shell.err" < /dev/null)
RC=$?
tkh_check_eq transport-error-status 2 "$RC"
tkh_check transport-error-says-why "stderr: $(cat "$TKH_TMP/shell.err")" grep -q '127.0.0.1:1' "$TKH_TMP/shell.err"
if ((TKH_FAILS > 0)); then tkh_show_tail "$TKH_TMP/agent.log" 20; fi
tkh_finish
