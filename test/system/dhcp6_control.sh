#!/bin/bash
# takahe-dhcp6 as an operator drives it: its unix control socket behind takahe-agent
# (`"service": ["dhcp6"]`), Kea's commands and answers (list-commands, status-get, config-get/
# -set/-test/-reload/-write, statistic-get, dhcp-disable/-enable, lease6-* from
# libdhcp_lease_cmds.so, leases-reclaim, shutdown with exit-value), SIGHUP with a broken file,
# a server DUID generated once and kept in the data directory, and leases that survive a
# restart. Traffic: perfdhcp -6 posing as a relay on the loopback of a namespace this test creates.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"

tkh_init dhcp6_control
tkh_require_cmd perfdhcp curl python3
tkh6_require_server
"$DHCP6_SERVER" -V 2> /dev/null | grep -q takahe || tkh_skip_all setup "$DHCP6_SERVER is not takahe-dhcp6"
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
LEASE_CMDS=${LEASE_CMDS:-$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so}
[[ -x "$AGENT" ]] || tkh_skip_all setup "takahe-agent not built: $AGENT"
[[ -f "$LEASE_CMDS" ]] || tkh_skip_all setup "lease_cmds hook not built: $LEASE_CMDS"

tkh_ns_add TKH_SRV_NS ctl6 || tkh_skip_all setup "could not create a namespace"
NS=$TKH_SRV_NS
_tkh6_no_dad "$NS"
ip -n "$NS" -6 addr add fd00::2/128 dev lo nodad

sock=$TKH_TMP/dhcp6.sock
leases=$TKH_TMP/leases6.csv
conf=$TKH_TMP/dhcp6.json
datadir=$TKH_TMP/data
mkdir -p "$datadir" "$TKH_TMP/run"
# write_config VALID-LIFETIME [LFC-INTERVAL]
write_config() {
  cat > "$conf" << JSON
{
  // takahe-dhcp6 on the loopback, perfdhcp relaying from fd00::2
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "lo/::1" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$sock" },
    "lease-database": { "type": "memfile", "name": "$leases", "lfc-interval": ${2:-0} },
    "data-directory": "$datadir",
    "hooks-libraries": [ { "library": "$LEASE_CMDS" } ],
    "preferred-lifetime": 1800, "valid-lifetime": $1,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:100::/56", "interface": "lo",
                   "pools": [ { "pool": "2001:db8:100::/64" } ],
                   "pd-pools": [ { "prefix": "2001:db8:4000::", "prefix-len": 40, "delegated-len": 56 } ],
                   "relay": { "ip-addresses": [ "fd00::2" ] } } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "INFO", "output_options": [ { "output": "stdout" } ] } ]
  }
}
JSON
}
write_config 3600
tkh6_server_start "$conf" || { tkh_fail server-start "takahe-dhcp6 did not start"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket at $sock"; tkh_finish; }

# The agent forwards to the dhcp6 socket only.
PORT=8000
AGENT_LOG=$TKH_TMP/agent.log
cat > "$TKH_TMP/agent.json" << JSON
{ "Control-agent": { "http-host": "127.0.0.1", "http-port": $PORT,
    "control-sockets": { "dhcp6": { "socket-type": "unix", "socket-name": "$sock" } } } }
JSON
tkh_bg "$AGENT_LOG" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$AGENT" -c "$TKH_TMP/agent.json"
agent_listening() { ip netns exec "$NS" ss -H -l -t -n "sport = :$PORT" 2> /dev/null | grep -q LISTEN; }
tkh_wait_for 10 agent_listening || { tkh_fail agent-start "takahe-agent did not listen"; tkh_finish; }

post() { ip netns exec "$NS" curl -s --max-time 20 -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$PORT/"; }
# cmd NAME [ARGUMENTS-JSON]: the dhcp6 answer to NAME through the agent.
cmd() { post "{ \"command\": \"$1\", \"service\": [ \"dhcp6\" ]${2:+, \"arguments\": $2} }"; }
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
perf() { # perf N: N SARR exchanges (address and prefix), relayed from fd00::2
  timeout 30 ip netns exec "$NS" perfdhcp -6 -l fd00::2 -A1 -e address-and-prefix -R "$1" -n "$1" -r 50 \
    -W 500000 ::1 > "$TKH_TMP/perf.out" 2>&1
}
received() { awk '/Statistics for: REQUEST-REPLY/ { f = 1 } f && /^received packets: / { print $3; exit }' "$TKH_TMP/perf.out"; }

a=$(cmd list-commands)
tkh_check list-commands "missing dhcp6 or lease6 commands: $a" test "$(field "$a" \
  "a[0]['result'] == 0 and all(c in a[0]['arguments'] for c in ['config-get', 'status-get', 'statistic-get', 'lease6-get', 'lease6-get-all', 'leases-reclaim', 'dhcp-disable'])")" = True
a=$(cmd status-get)
tkh_check_eq status-get-pid "$TKH_SERVER_PID" "$(field "$a" "a[0]['arguments']['pid']")"
tkh_check pid-file "no PID file holding $TKH_SERVER_PID" grep -qx "$TKH_SERVER_PID" "$TKH_TMP/run/dhcp6.takahe-dhcp6.pid"
tkh_check_eq status-get-sockets ready "$(field "$a" "a[0]['arguments']['sockets']['status']")"

perf 20
tkh_check_eq perfdhcp-replies 20 "$(received)"
a=$(cmd statistic-get '{ "name": "pkt6-received" }')
tkh_check pkt6-received "pkt6-received: $a" test "$(field "$a" "a[0]['arguments']['pkt6-received'][0][0] >= 40")" = True
a=$(cmd statistic-get-all)
tkh_check_eq assigned-nas 20 "$(field "$a" "a[0]['arguments']['subnet[1].assigned-nas'][0][0]")"
tkh_check_eq assigned-pds 20 "$(field "$a" "a[0]['arguments']['subnet[1].assigned-pds'][0][0]")"
tkh_check_eq total-pds 65536 "$(field "$a" "a[0]['arguments']['subnet[1].total-pds'][0][0]")"
a=$(cmd lease6-get-all)
tkh_check_eq lease6-get-all 40 "$(field "$a" "len(a[0]['arguments']['leases'])")"
addr=$(field "$a" "[l['ip-address'] for l in a[0]['arguments']['leases'] if l['type'] == 'IA_NA'][0]")
a=$(cmd lease6-get "{ \"ip-address\": \"$addr\" }")
tkh_check_eq lease6-get "$addr" "$(field "$a" "a[0]['arguments']['ip-address']")"
tkh_check_eq lease6-get-lifetime 3600 "$(field "$a" "a[0]['arguments']['valid-lft']")"

# Malformed datagrams (truncated, oversized, random, a relay chain nested too deep) are dropped
# and counted; the server keeps serving.
before=$(field "$(cmd statistic-get '{ "name": "pkt6-parse-failed" }')" "a[0]['arguments']['pkt6-parse-failed'][0][0]")
ip netns exec "$NS" python3 - << 'PY'
import random, socket
random.seed(7)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
cases = [b"", b"\x01", b"\x01\x00\x00", b"\x01\x00\x00\x01\x00\x01\xff\xff", bytes(70000 // 2)]
relay = b"\x01\x00\x00\x01"
for _ in range(40):  # RELAY-FORW inside RELAY-FORW beyond the limit of 32
    relay = b"\x0c\x00" + bytes(32) + b"\x00\x09" + len(relay).to_bytes(2, "big") + relay
cases.append(relay)
cases += [bytes(random.getrandbits(8) for _ in range(random.randint(1, 300))) for _ in range(200)]
for c in cases:
    try:
        s.sendto(c, ("::1", 547))
    except OSError:
        pass
PY
sleep 0.5
after=$(field "$(cmd statistic-get '{ "name": "pkt6-parse-failed" }')" "a[0]['arguments']['pkt6-parse-failed'][0][0]")
tkh_check malformed-counted "pkt6-parse-failed went from ${before:-?} to ${after:-?}" \
  test "${after:-0}" -ge $((${before:-0} + 5))
tkh_check malformed-survived "server died after malformed datagrams" tkh_pid_alive "$TKH_SERVER_PID"
perf 3
tkh_check_eq served-after-malformed 3 "$(received)"

# Two services, one not configured: one answer each, in order.
a=$(post '{ "command": "status-get", "service": [ "dhcp4", "dhcp6" ] }')
tkh_check two-services "answers: $a" test "$(field "$a" "len(a) == 2 and a[0]['result'] == 1 and a[1]['result'] == 0")" = True

# Configuration commands.
a=$(cmd config-get)
tkh_check_eq config-get "2001:db8:100::/56" "$(field "$a" "a[0]['arguments']['Dhcp6']['subnet6'][0]['subnet']")"
hash=$(field "$a" "a[0]['arguments']['hash']")
cfg=$(field "$a" "json.dumps({'Dhcp6': dict(a[0]['arguments']['Dhcp6'], **{'valid-lifetime': 7200})})")
a=$(cmd config-test "$cfg")
tkh_check_eq config-test 0 "$(field "$a" "a[0]['result']")"
bad=$(python3 -c "import json,sys; c=json.loads(sys.argv[1]); c['Dhcp6']['subnet6'][0]['pools'][0]['pool']='2001:db8:999::/64'; print(json.dumps(c))" "$cfg")
a=$(cmd config-test "$bad")
tkh_check config-test-bad "bad pool accepted: $a" test "$(field "$a" "a[0]['result'] == 1 and 'pool' in a[0]['text']")" = True
a=$(cmd config-set "$cfg")
tkh_check_eq config-set 0 "$(field "$a" "a[0]['result']")"
tkh_check config-set-hash "hash unchanged" test "$(field "$a" "a[0]['arguments']['hash']")" != "$hash"
perf 5
tkh_check_eq perfdhcp-after-config-set 5 "$(received)"
a=$(cmd lease6-get-all)
tkh_check_eq new-valid-lifetime 5 "$(field "$a" "len([l for l in a[0]['arguments']['leases'] if l['valid-lft'] == 7200 and l['type'] == 'IA_NA'])")"
a=$(cmd config-write "{ \"filename\": \"$TKH_TMP/written.json\" }")
tkh_check_eq config-write 0 "$(field "$a" "a[0]['result']")"
tkh_check config-write-valid "takahe-dhcp6 -t rejects the written file" \
  ip netns exec "$NS" "$DHCP6_SERVER" -t "$TKH_TMP/written.json"

# libdhcp_ha.so serves takahe-dhcp4 only: config-set with it is refused with a message saying
# so, and the running configuration stays.
HA_LIB=$BUILD_DIR/hooks-libs/ha/libdhcp_ha.so
if [[ -f $HA_LIB ]]; then
  ha_cfg=$(python3 -c "import json,sys; c=json.loads(sys.argv[1]); c['Dhcp6']['hooks-libraries'].append({'library': sys.argv[2], 'parameters': {'high-availability': [{'this-server-name': 's1', 'mode': 'hot-standby', 'peers': [{'name': 's1', 'url': 'http://[::1]:8001/', 'role': 'primary'}, {'name': 's2', 'url': 'http://[::1]:8002/', 'role': 'standby'}]}]}}); print(json.dumps(c))" "$cfg" "$HA_LIB")
  a=$(cmd config-set "$ha_cfg")
  tkh_check ha-refused "config-set with libdhcp_ha.so: $a" \
    test "$(field "$a" "a[0]['result'] == 1 and 'DHCPv6 is not implemented yet' in a[0]['text']")" = True
  a=$(cmd list-commands)
  tkh_check ha-refused-kept-running "lease6-get gone or ha-heartbeat there: $a" \
    test "$(field "$a" "'lease6-get' in a[0]['arguments'] and 'ha-heartbeat' not in a[0]['arguments']")" = True
fi

# dhcp-disable: queries go unanswered until dhcp-enable.
a=$(cmd dhcp-disable)
tkh_check_eq dhcp-disable "DHCPv6 service disabled" "$(field "$a" "a[0]['text']")"
a=$(cmd status-get)
tkh_check_eq disabled-state True "$(field "$a" "a[0]['arguments']['dhcp-state']['globally-disabled']")"
perf 3
tkh_check_eq disabled-no-replies 0 "$(received)"
a=$(cmd dhcp-enable)
tkh_check_eq dhcp-enable 0 "$(field "$a" "a[0]['result']")"
perf 3
tkh_check_eq enabled-replies 3 "$(received)"

# SIGHUP with a broken file keeps the running configuration; config-reload of a good one applies it.
echo '{ "Dhcp6": { "subnet6": "not a list" } }' > "$conf"
kill -HUP "$TKH_SERVER_PID"
log_has() { grep -q "$1" "$TKH_SERVER_LOG"; }
tkh_check sighup-bad-file "no DHCP6_RECONFIGURE_FAIL" tkh_wait_for 5 log_has DHCP6_RECONFIGURE_FAIL
a=$(cmd config-get)
tkh_check_eq sighup-kept-config 7200 "$(field "$a" "a[0]['arguments']['Dhcp6']['valid-lifetime']")"
write_config 3000 1
a=$(cmd config-reload)
tkh_check_eq config-reload 0 "$(field "$a" "a[0]['result']")"
a=$(cmd config-get)
tkh_check_eq config-reload-applied 3000 "$(field "$a" "a[0]['arguments']['Dhcp6']['valid-lifetime']")"

# Lease file cleanup (lfc-interval 1 s from the reloaded file) runs takahe-lfc -6: <file>.2
# holds the compacted leases.
tkh_check lfc-ran "no $leases.2 after the cleanup interval" tkh_wait_for 10 test -s "$leases.2"
tkh_check lfc-logged "no DHCP6_LFC_START" log_has DHCP6_LFC_START
tkh_check_eq lfc-file-leases 62 "$(awk -F, 'NR > 1 { n++ } END { print n }' "$leases.2")"

# leases-reclaim: nothing has expired yet.
a=$(cmd leases-reclaim '{ "remove": true }')
tkh_check_eq leases-reclaim "Reclamation of expired leases is complete (0 reclaimed)." "$(field "$a" "a[0]['text']")"

# The server DUID is generated once and kept: the same after a restart.
duid_file=$datadir/kea-dhcp6-serverid
tkh_check serverid-file "no $duid_file" test -s "$duid_file"
duid=$(cat "$duid_file" 2> /dev/null)
count_before=$(field "$(cmd lease6-get-all)" "len(a[0]['arguments']['leases'])")
a=$(cmd shutdown '{ "exit-value": 3 }')
tkh_check_eq shutdown 0 "$(field "$a" "a[0]['result']")"
tkh_wait_for 10 tkh_pid_dead "$TKH_SERVER_PID"
wait "$TKH_SERVER_PID" 2> /dev/null
tkh_check_eq shutdown-exit-value 3 "$?"
TKH_SERVER_PID=""
tkh6_server_start "$conf" || { tkh_fail restart "takahe-dhcp6 did not start again"; tkh_finish; }
tkh_wait_for 5 test -S "$sock"
tkh_check_eq serverid-kept "$duid" "$(cat "$duid_file" 2> /dev/null)"
tkh_check serverid-logged "DHCP6_SERVERID does not show the kept DUID" \
  grep -qi "DHCP6_SERVERID server DUID $duid" "$TKH_SERVER_LOG"
a=$(cmd lease6-get-all)
tkh_check_eq leases-survive-restart "$count_before" "$(field "$a" "len(a[0]['arguments']['leases'])")"
a=$(cmd statistic-get '{ "name": "subnet[1].assigned-nas" }')
tkh_check_eq assigned-after-restart 31 "$(field "$a" "a[0]['arguments']['subnet[1].assigned-nas'][0][0]")"

tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
((TKH_FAILS > 0)) && tkh_show_tail "$TKH_SERVER_LOG" 40
tkh_finish
