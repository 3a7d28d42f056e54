#!/bin/bash
# Hook libraries end to end, with libtest_hooks.so (hooks-libs/test_hooks) loaded into
# takahe-dhcp4 and real dhclient clients in namespaces:
#  - the hook points are called in order for a DORA (counter file, one line per call);
#  - DROP in pkt4_receive by hardware address: that client gets nothing, another one binds;
#  - an option set in pkt4_send reaches the client (host-name in dhclient's script environment);
#  - PARK in leases4_committed delays the ACK by park-ms, and the client still binds;
#  - a library command answers through the control socket and through takahe-agent, and
#    command_processed changes the answers;
#  - config-set with a library of another API version, one not multi-threading compatible
#    (multi-threading on) or one whose load() refuses is refused with a clear text, and the
#    previous libraries keep working;
#  - 30 load/unload cycles (config-set / config-reload) leave one mapping of the library at
#    most, and no descriptor or thread behind.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init hooks
tkh_require_cmd dhclient socat curl python3 od
tkh_require_takahe

HOOKS_DIR=$BUILD_DIR/hooks-libs/test_hooks
LIB=$HOOKS_DIR/libtest_hooks.so
LIB_BADVERSION=$HOOKS_DIR/libtest_hooks_badversion.so
LIB_NOMT=$HOOKS_DIR/libtest_hooks_nomt.so
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
for f in "$LIB" "$LIB_BADVERSION" "$LIB_NOMT"; do
  [[ -f "$f" ]] || tkh_skip_all setup "hook library not built: $f"
done

tkh_topology 4 || tkh_skip_all setup "could not create namespaces"
tkh_set_mac 1 02:00:00:00:01:01
tkh_set_mac 2 02:00:00:00:01:02
tkh_set_mac 3 02:00:00:00:01:03
tkh_set_mac 4 02:00:00:00:01:04
DROPPED_MAC=02:00:00:00:01:01
HOSTNAME_SET=hooked-host
hostname_hex=$(printf '%s' "$HOSTNAME_SET" | od -An -tx1 | tr -d ' \n')

conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
sock=$TKH_TMP/ctl.sock
counter=$TKH_TMP/counter

# params [EXTRA MEMBERS]: the test library's parameters (JSON map).
params() {
  printf '{ "counter-file": "%s", "drop-hw": "%s", "set-option": { "code": 12, "data": "%s" },
    "command": "test-echo", "tag-responses": "tagged"%s }' "$counter" "$DROPPED_MAC" "$hostname_hex" "${1:+, $1}"
}
# write_conf OUT HOOKS-LIBRARIES-LIST [MT]: the server configuration with that library list.
write_conf() {
  tkh_dhcp4_config "$1" --leases "$leases" --mt "${3:-false}" \
    --globals "\"valid-lifetime\": 600, \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" },
    \"hooks-libraries\": $2"
}
lib_list() { # lib_list LIBRARY PARAMS
  printf '[ { "library": "%s", "parameters": %s } ]' "$1" "$2"
}
cmd() { printf '%s' "$1" | timeout 20 socat -t 15 - "UNIX-CONNECT:$sock"; }
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
# config_set FILE: sends the file's configuration with config-set, prints the answer.
config_set() { cmd "{ \"command\": \"config-set\", \"arguments\": $(cat "$1") }"; }
# shellcheck disable=SC2317  # called through tkh_wait_for
agent_listening() { ip netns exec "$TKH_SRV_NS" ss -H -l -t -n "sport = :$PORT" 2> /dev/null | grep -q LISTEN; }
has_test_echo() {
  local a
  a=$(cmd '{ "command": "list-commands" }')
  test "$(field "$a" "'test-echo' in a['arguments']")" = True
}

write_conf "$conf" "$(lib_list "$LIB" "$(params)")"
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket at $sock"; tkh_finish; }

# ---------------------------------------------------------------- a DORA, hook by hook
dir2=$TKH_TMP/c2
tkh_dhclient_setup "$dir2"
tkh_dhclient_start 2 "$dir2"
if ! tkh_wait_event 20 "$dir2/events" BOUND; then
  tkh_fail bound "client 2 got no lease within 20 s"
  tkh_show_tail "$dir2/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass bound
ip2=$(tkh_rec_get "$dir2/events" BOUND ip)
tkh_check address-in-pool "address '$ip2' not in the pool" tkh_in_pool "$ip2"
tkh_check_eq pkt4-send-option-reaches-client "$HOSTNAME_SET" "$(tkh_rec_get "$dir2/events" BOUND hostname)"

# The counter file up to the first complete exchange that committed a lease: DISCOVERs
# (dhclient may repeat one), then the REQUEST. Lines: "<hook>[ 0x<xid>][ <address>]".
sequence=$(awk '{ print $1 } $1 == "buffer4_send" && seen { exit } $1 == "leases4_committed" { seen = 1 }' "$counter" |
  grep -v '^command_processed$' | tr '\n' ' ')
tkh_log "hook calls: $sequence"
dora_re='^load dhcp4_srv_configured (buffer4_receive pkt4_receive subnet4_select lease4_select pkt4_send buffer4_send )+'
dora_re+='buffer4_receive pkt4_receive subnet4_select lease4_select leases4_committed pkt4_send buffer4_send $'
tkh_check dora-hook-order "unexpected hook sequence: $sequence" grep -Eq "$dora_re" <<< "$sequence"
# The REQUEST's points all name the same transaction, and the lease is the client's address.
req_xids=$(awk '$1 == "leases4_committed" { x = $2; exit } END { print x }' "$counter")
tkh_check request-xid-consistent "lines for the REQUEST: $(grep -c " $req_xids" "$counter")" \
  test "$(grep -Ec "^(pkt4_receive|subnet4_select|lease4_select|leases4_committed|pkt4_send) $req_xids( |$)" "$counter")" -ge 5
tkh_check_eq lease4-select-address "$ip2" \
  "$(awk -v x="$req_xids" '$1 == "lease4_select" && $2 == x { print $3; exit }' "$counter")"
tkh_check_eq committed-address "$ip2" "$(awk '$1 == "leases4_committed" { print $3; exit }' "$counter")"

# ------------------------------------------------------------- DROP by hardware address
drops_before=$(field "$(cmd '{ "command": "statistic-get", "arguments": { "name": "pkt4-receive-drop" } }')" \
  "a['arguments']['pkt4-receive-drop'][0][0]")
dir1=$TKH_TMP/c1
tkh_dhclient_setup "$dir1"
tkh_dhclient_start 1 "$dir1"
c1_pid=$TKH_LAST_PID
sleep 6
tkh_check_eq dropped-client-no-lease 0 "$(tkh_rec_count "$dir1/events" 'BOUND|REBOOT')"
tkh_check dropped-client-no-offer "dhclient 1 saw an offer: $(grep -m1 DHCPOFFER "$dir1/dhclient.log")" \
  tkh_not grep -q DHCPOFFER "$dir1/dhclient.log"
tkh_check dropped-client-sent "dhclient 1 sent no DHCPDISCOVER" grep -q DHCPDISCOVER "$dir1/dhclient.log"
drops_after=$(field "$(cmd '{ "command": "statistic-get", "arguments": { "name": "pkt4-receive-drop" } }')" \
  "a['arguments']['pkt4-receive-drop'][0][0]")
tkh_check dropped-counted "pkt4-receive-drop $drops_before -> $drops_after" \
  test "${drops_after:-0}" -gt "${drops_before:-0}"
tkh_check dropped-mac-no-lease "a lease for $DROPPED_MAC is in the lease file" \
  tkh_not grep -qi "$DROPPED_MAC" "$leases"
tkh_kill "$c1_pid"

# ------------------------------------------------------------- commands and command_processed
a=$(cmd '{ "command": "list-commands" }')
tkh_check list-commands-has-library-command "test-echo missing: $a" has_test_echo
tkh_check_eq command-processed-tags-answer tagged "$(field "$a" "a['test-hooks']")"
a=$(cmd '{ "command": "test-echo", "arguments": { "answer": 42 } }')
tkh_check_eq library-command-result 0 "$(field "$a" "a['result']")"
tkh_check_eq library-command-arguments 42 "$(field "$a" "a['arguments']['answer']")"
tkh_check command-processed-called "no command_processed line in the counter file" \
  grep -q '^command_processed$' "$counter"

if [[ -x "$AGENT" ]]; then
  PORT=8000
  agent_conf=$TKH_TMP/agent.json
  cat > "$agent_conf" << JSON
{ "Control-agent": { "http-host": "127.0.0.1", "http-port": $PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$sock" } },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "INFO", "output_options": [ { "output": "stdout" } ] } ] } }
JSON
  tkh_bg "$TKH_TMP/agent.log" ip netns exec "$TKH_SRV_NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$AGENT" -c "$agent_conf"
  if tkh_wait_for 10 agent_listening; then
    a=$(ip netns exec "$TKH_SRV_NS" curl -s --max-time 20 -H 'Content-Type: application/json' \
      -d '{ "command": "test-echo", "service": [ "dhcp4" ], "arguments": { "via": "agent" } }' "http://127.0.0.1:$PORT/")
    tkh_check_eq agent-library-command-result 0 "$(field "$a" "a[0]['result']")"
    tkh_check_eq agent-library-command-text test-echo "$(field "$a" "a[0]['text']")"
    tkh_check_eq agent-library-command-arguments agent "$(field "$a" "a[0]['arguments']['via']")"
    tkh_check_eq agent-command-processed-tag tagged "$(field "$a" "a[0]['test-hooks']")"
  else
    tkh_fail agent-start "takahe-agent did not listen on $PORT"
    tkh_show_tail "$TKH_TMP/agent.log"
  fi
else
  tkh_skip agent "takahe-agent not built: $AGENT"
fi

# ------------------------------------------------------------- PARK in leases4_committed
PARK_MS=1500
park_conf=$TKH_TMP/dhcp4-park.json
write_conf "$park_conf" "$(lib_list "$LIB" "$(params "\"park-ms\": $PARK_MS, \"counter-times\": true")")"
: > "$counter"
a=$(config_set "$park_conf")
tkh_check_eq park-config-set 0 "$(field "$a" "a['result']")"
dir3=$TKH_TMP/c3
tkh_dhclient_setup "$dir3"
tkh_dhclient_start 3 "$dir3"
if tkh_wait_event 25 "$dir3/events" BOUND; then
  tkh_pass parked-client-bound
  ip3=$(tkh_rec_get "$dir3/events" BOUND ip)
  # The first committed REQUEST: its pkt4_send ran PARK_MS after leases4_committed.
  read -r xid t_commit <<< "$(awk '$1 == "leases4_committed" { sub(/^t=/, "", $NF); print $2, $NF; exit }' "$counter")"
  # (dhclient uses one xid for its DISCOVER and REQUEST: the pkt4_send after the commit.)
  t_send=$(awk -v x="$xid" '$1 == "leases4_committed" && $2 == x { on = 1 }
    on && $1 == "pkt4_send" && $2 == x { sub(/^t=/, "", $NF); print $NF; exit }' "$counter")
  delay=$((${t_send:-0} - ${t_commit:-0}))
  tkh_log "REQUEST $xid: committed at $t_commit, pkt4_send at $t_send ($delay ms)"
  tkh_check ack-delayed-by-park "pkt4_send $delay ms after leases4_committed (park-ms $PARK_MS)" \
    test -n "$t_send" -a "$delay" -ge $((PARK_MS - 100)) -a "$delay" -lt $((PARK_MS + 3000))
  tkh_check parked-lease-stored "no active lease for $ip3" tkh_lease_active "$leases" "$ip3"
else
  tkh_fail parked-client-bound "client 3 got no lease within 25 s with park-ms $PARK_MS"
  tkh_show_tail "$dir3/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
fi

# ------------------------------------------------------------- refused libraries
hash_before=$(field "$(cmd '{ "command": "config-hash-get" }')" "a['arguments']['hash']")
refused() { # refused NAME CONF TEXT-REGEX
  local a text
  a=$(config_set "$2")
  text=$(field "$a" "a['text']")
  tkh_log "$1: $text"
  tkh_check_eq "$1-refused" 1 "$(field "$a" "a['result']")"
  tkh_check "$1-text" "answer text does not match /$3/: $text" grep -Eq -- "$3" <<< "$text"
  tkh_check "$1-keeps-library-command" "test-echo gone after the refused config-set" has_test_echo
  tkh_check_eq "$1-config-unchanged" "$hash_before" \
    "$(field "$(cmd '{ "command": "config-hash-get" }')" "a['arguments']['hash']")"
}
bad_conf=$TKH_TMP/dhcp4-bad.json
write_conf "$bad_conf" "$(lib_list "$LIB_BADVERSION" '{}')"
refused badversion "$bad_conf" 'libtest_hooks_badversion\.so.*hooks API version'
write_conf "$bad_conf" "$(lib_list "$LIB_NOMT" '{}')" true
refused nomt "$bad_conf" 'libtest_hooks_nomt\.so.*multi-threading'
write_conf "$bad_conf" "$(lib_list "$LIB" '{ "refuse-load": true }')"
refused refuse-load "$bad_conf" 'libtest_hooks\.so: load\(\) returned 1'
a=$(cmd '{ "command": "test-echo", "arguments": { "still": "here" } }')
tkh_check_eq previous-library-command-works here "$(field "$a" "a['arguments']['still']")"
# Packets still go through the previous library (its set-option and its parking).
dir4=$TKH_TMP/c4
tkh_dhclient_setup "$dir4"
tkh_dhclient_start 4 "$dir4"
if tkh_wait_event 25 "$dir4/events" BOUND; then
  tkh_pass after-refusals-client-bound
  tkh_check_eq after-refusals-option "$HOSTNAME_SET" "$(tkh_rec_get "$dir4/events" BOUND hostname)"
else
  tkh_fail after-refusals-client-bound "client 4 got no lease within 25 s"
  tkh_show_tail "$TKH_SERVER_LOG"
fi

# ------------------------------------------------------------- 30 load/unload cycles
# config-set loads the library (other parameters than before, so it is reloaded), then
# config-reload reads the file on disk, which has no library: unloaded.
with_conf=$TKH_TMP/dhcp4-with.json
write_conf "$with_conf" "$(lib_list "$LIB" "$(params '"counter-hooks": []')")"
write_conf "$conf" '[]'
# `ip netns exec` execs the daemon: the PID we started is takahe-dhcp4's.
pid=$TKH_SERVER_PID
tkh_check server-pid "/proc/$pid/exe is $(readlink "/proc/$pid/exe")" \
  grep -q 'takahe-dhcp4$' <<< "$(readlink "/proc/$pid/exe")"
mappings() { awk -v lib="$LIB" '$6 == lib && $3 == "00000000" { n++ } END { print n + 0 }' "/proc/$pid/maps"; }
fds() { find "/proc/$pid/fd" -mindepth 1 2> /dev/null | wc -l; }
threads() { find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l; }
a=$(config_set "$with_conf")
tkh_check_eq cycle-start-loaded 0 "$(field "$a" "a['result']")"
fds_before=$(fds)
threads_before=$(threads)
tkh_check_eq mapped-once-before 1 "$(mappings)"
failures=0 max_maps=0
for ((i = 1; i <= 30; i++)); do
  r1=$(field "$(cmd '{ "command": "config-reload" }')" "a['result']")
  m=$(mappings)
  ((m > max_maps)) && max_maps=$m
  # Other parameters each round, so that the list differs from what was loaded before.
  write_conf "$with_conf" "$(lib_list "$LIB" "$(params "\"counter-hooks\": [], \"park-ms\": $((i * 10))")")"
  r2=$(field "$(config_set "$with_conf")" "a['result']")
  m=$(mappings)
  ((m > max_maps)) && max_maps=$m
  [[ "$r1" == 0 && "$r2" == 0 ]] || failures=$((failures + 1))
done
tkh_check_eq cycles-all-succeeded 0 "$failures"
tkh_check cycles-at-most-one-mapping "up to $max_maps mappings of $LIB during the cycles" test "$max_maps" -le 1
tkh_check_eq cycles-library-command-back True "$(has_test_echo && echo True)"
# The same parameters as at the start (no park-ms, so no unpark thread): a fair comparison.
write_conf "$with_conf" "$(lib_list "$LIB" "$(params '"counter-hooks": [], "refuse-load": false')")"
a=$(config_set "$with_conf")
tkh_check_eq cycle-end-loaded 0 "$(field "$a" "a['result']")"
fds_after=$(fds)
threads_after=$(threads)
tkh_log "fds $fds_before -> $fds_after, threads $threads_before -> $threads_after, mappings $(mappings)"
tkh_check_eq cycles-no-fd-growth "$fds_before" "$fds_after"
tkh_check_eq cycles-no-thread-growth "$threads_before" "$threads_after"
tkh_check_eq cycles-mapped-once-after 1 "$(mappings)"
a=$(cmd '{ "command": "config-reload" }')
tkh_check_eq final-unload 0 "$(field "$a" "a['result']")"
tkh_check_eq unloaded-unmapped 0 "$(mappings)"
a=$(cmd '{ "command": "list-commands" }')
tkh_check unloaded-command-gone "test-echo still listed after unloading" \
  test "$(field "$a" "'test-echo' in a['arguments']")" = False
tkh_check unloaded-no-tag "command_processed still tags answers after unloading" \
  test "$(field "$a" "'test-hooks' in a")" = False
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then
  tkh_show_tail "$TKH_SERVER_LOG" 30
  tkh_show_tail "$counter" 30
fi

tkh_finish
