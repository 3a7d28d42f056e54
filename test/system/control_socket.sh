#!/bin/bash
# The unix control socket of takahe-dhcp4 with Kea's commands, driven by socat:
# list-commands, config-get/-hash-get/-test/-set/-reload/-write, statistics, status-get,
# dhcp-disable/-enable (with max-period), leases-reclaim, unknown commands, and shutdown with
# an exit value. The reconfiguration proof: twenty config-set commands while perfdhcp runs lose
# no exchange, and a broken config-set leaves the server answering.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init control_socket
tkh_require_cmd perfdhcp
tkh_require_cmd socat
tkh_require_cmd curl
tkh_require_cmd openssl
tkh_require_cmd python3
tkh_require_takahe

tkh_ns_add TKH_SRV_NS ctl || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo
leases=$TKH_TMP/leases4.csv
sock=$TKH_TMP/ctl.sock
subnet='[ { "id": 1, "subnet": "198.18.0.0/15", "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "pools": [ { "pool": "198.18.0.1 - 198.19.255.254" } ] } ]'
pki=$TKH_TMP/pki
tkh_make_pki "$pki" || tkh_skip_all setup "openssl could not make test certificates"
conf=$TKH_TMP/dhcp4.json
tkh_dhcp4_config "$conf" --leases "$leases" --iface lo/127.0.0.1 --socket udp \
  --subnets "$subnet" --severity INFO \
  --globals "\"valid-lifetime\": 3600, \"control-sockets\": [ { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" },
    { \"socket-type\": \"http\", \"socket-address\": \"127.0.0.1\", \"socket-port\": 8004 },
    { \"socket-type\": \"https\", \"socket-address\": \"127.0.0.1\", \"socket-port\": 8005,
      \"trust-anchor\": \"$pki/ca.crt\", \"cert-file\": \"$pki/server.crt\", \"key-file\": \"$pki/server.key\",
      \"cert-required\": true } ]"
tkh_server_start "$conf" || { tkh_fail server-start "server did not start"; tkh_finish; }
tkh_check socket-created "no control socket at $sock" tkh_wait_for 5 test -S "$sock"

# cmd JSON: sends one command, prints the answer.
cmd() { printf '%s' "$1" | timeout 20 socat -t 15 - "UNIX-CONNECT:$sock"; }
# field ANSWER PYTHON-EXPR: evaluates EXPR with `a` bound to the parsed answer.
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
perf() { # perf SECONDS RATE: prints "sent received" of REQUEST-ACK
  timeout 60 ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r "$2" -R 100000 -p "$1" -d 3 \
    -l 127.0.0.2 127.0.0.1 2>&1 | awk '/^\*\*\*Statistics for: REQUEST-ACK/ { on = 1 }
      on && /^sent packets:/ { s = $3 } on && /^received packets:/ { print s, $3; exit }'
}

# The same commands over the daemon's own HTTP socket (Kea 3 style): answers come as a list.
a=$(ip netns exec "$TKH_SRV_NS" curl -s --max-time 20 -H 'Content-Type: application/json' \
  -d '{ "command": "status-get" }' http://127.0.0.1:8004/)
tkh_check_eq http-socket-status-get "$TKH_SERVER_PID" "$(field "$a" "a[0]['arguments']['pid']")"
a=$(ip netns exec "$TKH_SRV_NS" curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H 'Content-Type: text/plain' \
  -d '{ "command": "status-get" }' http://127.0.0.1:8004/)
tkh_check_eq http-socket-wrong-content-type 400 "$a"
# HTTPS with a client certificate: served; without one: refused, and the log says who and why.
a=$(ip netns exec "$TKH_SRV_NS" curl -s --max-time 20 --cacert "$pki/ca.crt" --cert "$pki/client.crt" \
  --key "$pki/client.key" -H 'Content-Type: application/json' -d '{ "command": "version-get" }' https://127.0.0.1:8005/)
tkh_check_eq https-socket-with-client-cert 0 "$(field "$a" "a[0]['result']")"
ip netns exec "$TKH_SRV_NS" curl -s --max-time 20 --cacert "$pki/ca.crt" -H 'Content-Type: application/json' \
  -d '{ "command": "version-get" }' https://127.0.0.1:8005/ > /dev/null 2>&1
tkh_check https-no-client-cert-refused "curl without a client certificate succeeded" test $? -ne 0
tkh_check https-failure-logged "no HTTP_TLS_HANDSHAKE_FAILED with 127.0.0.1 in the server log" \
  tkh_wait_for 5 grep -q 'HTTP_TLS_HANDSHAKE_FAILED.*127\.0\.0\.1' "$TKH_SERVER_LOG"

a=$(cmd '{ "command": "list-commands" }')
for c in build-report config-get config-hash-get config-reload config-set config-test config-write \
  dhcp-disable dhcp-enable leases-reclaim list-commands server-tag-get shutdown status-get \
  statistic-get statistic-get-all statistic-remove statistic-remove-all statistic-reset \
  statistic-reset-all statistic-sample-age-set statistic-sample-age-set-all \
  statistic-sample-count-set statistic-sample-count-set-all version-get; do
  tkh_check "list-commands-$c" "'$c' missing from list-commands: $a" \
    test "$(field "$a" "'$c' in a['arguments']")" = True
done
a=$(cmd '{ "command": "no-such-command" }')
tkh_check_eq unknown-command-result 2 "$(field "$a" "a['result']")"
a=$(cmd 'this is not json')
tkh_check_eq garbage-result 1 "$(field "$a" "a['result']")"

read -r sent recv <<< "$(perf 2 200)"
tkh_check served "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
a=$(cmd '{ "command": "statistic-get", "arguments": { "name": "pkt4-ack-sent" } }')
acks=$(field "$a" "a['arguments']['pkt4-ack-sent'][0][0]")
tkh_check_eq statistic-get-acks "$recv" "$acks"
a=$(cmd '{ "command": "statistic-get", "arguments": { "name": "subnet[1].assigned-addresses" } }')
assigned=$(field "$a" "a['arguments']['subnet[1].assigned-addresses'][0][0]")
in_file=$(awk -F, '$1 ~ /^198\./ { last[$1] = $4 } END { n = 0; for (x in last) if (last[x] != 0) n++; print n }' "$leases")
tkh_check_eq assigned-matches-lease-file "$in_file" "$assigned"
a=$(cmd '{ "command": "statistic-get-all" }')
tkh_check statistic-get-all "no subnet[1].total-addresses in statistic-get-all" \
  test "$(field "$a" "a['arguments']['subnet[1].total-addresses'][0][0]")" = 131070
a=$(cmd '{ "command": "statistic-reset", "arguments": { "name": "pkt4-ack-sent" } }')
tkh_check_eq statistic-reset 0 "$(field "$a" "a['result']")"
a=$(cmd '{ "command": "statistic-get", "arguments": { "name": "pkt4-ack-sent" } }')
tkh_check_eq statistic-after-reset 0 "$(field "$a" "a['arguments']['pkt4-ack-sent'][0][0]")"
a=$(cmd '{ "command": "statistic-remove", "arguments": { "name": "no-such-stat" } }')
tkh_check_eq statistic-remove-unknown 1 "$(field "$a" "a['result']")"

a=$(cmd '{ "command": "status-get" }')
tkh_check_eq status-pid "$TKH_SERVER_PID" "$(field "$a" "a['arguments']['pid']")"
tkh_check_eq status-sockets ready "$(field "$a" "a['arguments']['sockets']['status']")"
a=$(cmd '{ "command": "version-get" }')
tkh_check_eq version-get 0 "$(field "$a" "a['result']")"

a=$(cmd '{ "command": "config-get" }')
hash=$(field "$a" "a['arguments']['hash']")
tkh_check config-get "config-get has no Dhcp4 subnet" test "$(field "$a" "a['arguments']['Dhcp4']['subnet4'][0]['id']")" = 1
a=$(cmd '{ "command": "config-hash-get" }')
tkh_check_eq config-hash-get "$hash" "$(field "$a" "a['arguments']['hash']")"
field "$(cmd '{ "command": "config-get" }')" "json.dumps(a['arguments'])" > "$TKH_TMP/running.json"

# config-test with a broken config: result 1 naming the place; nothing applied.
bad=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c.pop('hash',None); c['Dhcp4']['subnet4'][0]['pools'][0]['pool']='10.0.0.1 - 10.0.0.9'; print(json.dumps({'command':'config-test','arguments':c}))" "$TKH_TMP/running.json")
a=$(cmd "$bad")
tkh_check_eq config-test-bad 1 "$(field "$a" "a['result']")"
tkh_check config-test-bad-says-where "text does not name the pool: $(field "$a" "a['text']")" \
  grep -q 'subnet4\[0\]/pools\[0\]' <<< "$(field "$a" "a['text']")"
a=$(cmd "${bad/config-test/config-set}")
tkh_check_eq config-set-bad 1 "$(field "$a" "a['result']")"
read -r sent recv <<< "$(perf 1 100)"
tkh_check served-after-bad-config-set "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
a=$(cmd '{ "command": "config-hash-get" }')
tkh_check_eq bad-config-set-changed-nothing "$hash" "$(field "$a" "a['arguments']['hash']")"

# config-set with a new lifetime: applied, answer carries the new hash.
setcmd() { # setcmd LIFETIME
  python3 -c "import json,sys; c=json.load(open(sys.argv[1])); c.pop('hash',None); c['Dhcp4']['valid-lifetime']=int(sys.argv[2]); print(json.dumps({'command':'config-set','arguments':c}))" "$TKH_TMP/running.json" "$1"
}
a=$(cmd "$(setcmd 4321)")
tkh_check_eq config-set 0 "$(field "$a" "a['result']")"
tkh_check config-set-new-hash "hash unchanged" test "$(field "$a" "a['arguments']['hash']")" != "$hash"
read -r sent recv <<< "$(perf 1 100)"
tkh_check new-lifetime-in-leases "no lease row with lifetime 4321" grep -q ',4321,' "$leases"

# The reconfiguration proof: 20 config-set commands while perfdhcp runs; nothing lost.
(for i in $(seq 1 20); do sleep 0.2; cmd "$(setcmd $((3000 + i)))" > /dev/null; done) &
setter=$!
TKH_PIDS+=("$setter")
read -r sent recv <<< "$(perf 5 500)"
wait "$setter" 2> /dev/null
a=$(cmd '{ "command": "config-get" }')
tkh_check_eq twenty-config-sets-applied 3020 "$(field "$a" "a['arguments']['Dhcp4']['valid-lifetime']")"
tkh_check no-loss-under-config-set "REQUEST-ACK sent=$sent received=$recv" \
  test "${recv:-0}" -gt 1000 -a "${recv:-0}" -eq "${sent:--1}"

# dhcp-disable: no answers, counted; dhcp-enable: answers again; max-period re-enables alone.
a=$(cmd '{ "command": "dhcp-disable" }')
tkh_check_eq dhcp-disable 0 "$(field "$a" "a['result']")"
read -r sent recv <<< "$(perf 1 50)"
tkh_check_eq disabled-no-answers 0 "${recv:-0}"
a=$(cmd '{ "command": "statistic-get", "arguments": { "name": "pkt4-service-disabled" } }')
tkh_check service-disabled-counted "pkt4-service-disabled not counted" \
  test "$(field "$a" "a['arguments']['pkt4-service-disabled'][0][0]")" -gt 0
a=$(cmd '{ "command": "status-get" }')
tkh_check_eq status-disabled True "$(field "$a" "a['arguments']['dhcp-state']['disabled-by-user']")"
cmd '{ "command": "dhcp-enable" }' > /dev/null
read -r sent recv <<< "$(perf 1 50)"
tkh_check enabled-answers "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
cmd '{ "command": "dhcp-disable", "arguments": { "max-period": 1 } }' > /dev/null
sleep 2
read -r sent recv <<< "$(perf 1 50)"
tkh_check max-period-reenables "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0

# A max-period timer dies with dhcp-enable: a later plain disable is not undone by it.
cmd '{ "command": "dhcp-disable", "arguments": { "max-period": 1 } }' > /dev/null
cmd '{ "command": "dhcp-enable" }' > /dev/null
cmd '{ "command": "dhcp-disable" }' > /dev/null
sleep 2
a=$(cmd '{ "command": "status-get" }')
tkh_check_eq stale-timer-does-not-enable True "$(field "$a" "a['arguments']['dhcp-state']['disabled-by-user']")"
cmd '{ "command": "dhcp-enable" }' > /dev/null
# Origins: a number disables, the same number as origin-id enables; unknown names are refused.
cmd '{ "command": "dhcp-disable", "arguments": { "origin": 7 } }' > /dev/null
a=$(cmd '{ "command": "status-get" }')
tkh_check_eq origin-7-disables True "$(field "$a" "a['arguments']['dhcp-state']['globally-disabled']")"
cmd '{ "command": "dhcp-enable", "arguments": { "origin-id": 7 } }' > /dev/null
a=$(cmd '{ "command": "status-get" }')
tkh_check_eq origin-id-7-enables False "$(field "$a" "a['arguments']['dhcp-state']['globally-disabled']")"
a=$(cmd '{ "command": "dhcp-disable", "arguments": { "origin": "martians" } }')
tkh_check_eq unknown-origin-refused 1 "$(field "$a" "a['result']")"

a=$(cmd '{ "command": "leases-reclaim", "arguments": { "remove": true } }')
tkh_check_eq leases-reclaim 0 "$(field "$a" "a['result']")"
a=$(cmd "{ \"command\": \"config-write\", \"arguments\": { \"filename\": \"$TKH_TMP/written.json\" } }")
tkh_check_eq config-write 0 "$(field "$a" "a['result']")"
tkh_check written-config-valid "written config rejected by -t" \
  ip netns exec "$TKH_SRV_NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$DHCP4_SERVER" -t "$TKH_TMP/written.json"
a=$(cmd '{ "command": "config-reload" }')
tkh_check_eq config-reload 0 "$(field "$a" "a['result']")"

a=$(cmd '{ "command": "shutdown", "arguments": { "exit-value": 3 } }')
tkh_check_eq shutdown-answer 0 "$(field "$a" "a['result']")"
tkh_wait_for 10 tkh_pid_dead "$TKH_SERVER_PID"
wait "$TKH_SERVER_PID" 2> /dev/null
rc=$?
TKH_SERVER_PID=""
tkh_check_eq shutdown-exit-value 3 "$rc"
tkh_check socket-removed "control socket still there after shutdown" tkh_not test -e "$sock"
if ((TKH_FAILS > 0)); then tkh_show_tail "$TKH_SERVER_LOG" 30; fi
tkh_finish
