#!/bin/bash
# takahe-agent under load and abuse, in front of takahe-dhcp4: 200 concurrent HTTP clients all
# answered; truncated JSON, binary garbage, a 100 MB body, an unknown command and wrong argument
# types each get a clear error; a 20 MB configuration goes in by config-set and comes back whole
# by config-get; both processes keep serving. Loopback of a namespace only.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init agent_load
tkh_require_cmd curl python3
tkh_require_takahe
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
[[ -x "$AGENT" ]] || tkh_skip_all setup "takahe-agent not built: $AGENT"

tkh_ns_add TKH_SRV_NS aload || tkh_skip_all setup "could not create a namespace"
NS=$TKH_SRV_NS
PORT=8000
sock=$TKH_TMP/d4.sock
conf4=$TKH_TMP/dhcp4.json
tkh_dhcp4_config "$conf4" --iface lo/127.0.0.1 --socket udp --severity WARN \
  --globals "\"valid-lifetime\": 600, \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" }"
tkh_server_start "$conf4" || { tkh_fail server-start "takahe-dhcp4 did not start"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket"; tkh_finish; }
cat > "$TKH_TMP/agent.json" << JSON
{ "Control-agent": { "http-host": "127.0.0.1", "http-port": $PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$sock" } },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "WARN", "output_options": [ { "output": "stdout" } ] } ] } }
JSON
tkh_bg "$TKH_TMP/agent.log" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$AGENT" -c "$TKH_TMP/agent.json"
AGENT_PID=$TKH_LAST_PID
listening() { ip netns exec "$NS" ss -H -l -t -n "sport = :$PORT" 2> /dev/null | grep -q LISTEN; }
tkh_wait_for 10 listening || { tkh_fail agent-start "agent not listening"; tkh_show_tail "$TKH_TMP/agent.log"; tkh_finish; }

# post_file FILE [CURL ARGS]: prints "HTTP-STATUS BODY".
post_file() {
  local f=$1
  shift
  ip netns exec "$NS" curl -s --max-time 30 -o "$TKH_TMP/body" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary "@$f" "$@" "http://127.0.0.1:$PORT/"
  printf ' %s' "$(head -c 300 "$TKH_TMP/body" 2> /dev/null)"
}
post_text() { printf '%s' "$1" > "$TKH_TMP/req"; post_file "$TKH_TMP/req"; }
result_of() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); a=a[0] if isinstance(a,list) else a; print(a['result'])" "$1" 2> /dev/null; }
alive() { # both processes answer a forwarded command
  local out
  out=$(post_text '{ "command": "version-get", "service": [ "dhcp4" ] }')
  [[ ${out%% *} == 200 && $(result_of "${out#* }") == 0 ]]
}

# 200 clients at once, each a forwarded statistic-get.
printf '%s' '{ "command": "statistic-get", "service": [ "dhcp4" ], "arguments": { "name": "pkt4-received" } }' > "$TKH_TMP/stat.json"
mkdir -p "$TKH_TMP/c"
pids=()
for i in $(seq 1 200); do
  ip netns exec "$NS" curl -s --max-time 30 -o "$TKH_TMP/c/$i" -H 'Content-Type: application/json' \
    --data-binary "@$TKH_TMP/stat.json" "http://127.0.0.1:$PORT/" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
ok=0
for i in $(seq 1 200); do
  [[ $(result_of "$(cat "$TKH_TMP/c/$i" 2> /dev/null)") == 0 ]] && ok=$((ok + 1))
done
tkh_check_eq concurrent-200-answered 200 "$ok"

out=$(post_text '{ "command": "version-get", "service": [ "dhcp4" ')
tkh_check_eq truncated-json-400 400 "${out%% *}"
head -c 4096 /dev/urandom > "$TKH_TMP/garbage"
out=$(post_file "$TKH_TMP/garbage")
tkh_check_eq garbage-400 400 "${out%% *}"
truncate -s 100M "$TKH_TMP/huge"
out=$(post_file "$TKH_TMP/huge")
tkh_check_eq huge-body-413 413 "${out%% *}"
rm -f "$TKH_TMP/huge"
out=$(post_text '{ "command": "no-such-command", "service": [ "dhcp4" ] }')
tkh_check_eq unknown-command-result 2 "$(result_of "${out#* }")"
out=$(post_text '{ "command": "statistic-get", "service": [ "dhcp4" ], "arguments": { "name": 5 } }')
tkh_check_eq wrong-argument-type-result 1 "$(result_of "${out#* }")"
out=$(post_text '{ "command": "statistic-get", "service": [ "dhcp4" ], "arguments": [ 1, 2 ] }')
tkh_check_eq arguments-not-a-map-result 1 "$(result_of "${out#* }")"
# A configuration of about 20 MB (100 subnets, 350,000 reservations) set and read back whole.
python3 - "$TKH_TMP/dhcp4.json" "$TKH_TMP/bigset.json" << 'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
subnets = []
for s in range(100):
    res = [{"hw-address": "02:%02x:%02x:%02x:00:01" % (s, i >> 8, i & 255),
            "ip-address": "10.%d.%d.%d" % (s, (i >> 8) + 1, i & 255)} for i in range(3500)]
    subnets.append({"id": s + 1, "subnet": "10.%d.0.0/16" % s, "reservations": res})
cfg["Dhcp4"]["subnet4"] = subnets
json.dump({"command": "config-set", "service": ["dhcp4"], "arguments": cfg}, open(sys.argv[2], "w"))
PY
out=$(post_file "$TKH_TMP/bigset.json" --max-time 120)
tkh_check_eq big-config-set 0 "$(result_of "${out#* }")"
printf '%s' '{ "command": "config-get", "service": [ "dhcp4" ] }' > "$TKH_TMP/get.json"
ip netns exec "$NS" curl -s --max-time 120 -o "$TKH_TMP/big-answer.json" -H 'Content-Type: application/json' \
  --data-binary "@$TKH_TMP/get.json" "http://127.0.0.1:$PORT/"
size=$(stat -c %s "$TKH_TMP/big-answer.json" 2> /dev/null || echo 0)
tkh_check big-config-get-size "config-get answer is only $size bytes" test "$size" -ge 20000000
n=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))[0]; print(sum(len(s['reservations']) for s in a['arguments']['Dhcp4']['subnet4']))" "$TKH_TMP/big-answer.json" 2> /dev/null)
tkh_check_eq big-config-get-complete 350000 "$n"
tkh_check both-still-serving "agent or daemon stopped answering" alive
tkh_check agent-alive "agent died" tkh_pid_alive "$AGENT_PID"
tkh_check daemon-alive "daemon died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then tkh_show_tail "$TKH_TMP/agent.log" 20; fi
tkh_finish
