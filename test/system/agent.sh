#!/bin/bash
# takahe-agent in front of takahe-dhcp4, driven by curl and Debian's kea-shell: commands
# forwarded to the daemon's unix control socket and answered as lists, the agent's own
# commands, unknown services, a stopped daemon, malformed JSON, SIGHUP with a bad file, basic
# authentication (401 + WWW-Authenticate, credentials from files), and HTTPS with client
# certificates made by openssl here (a handshake without one fails and is logged).
# Everything runs on the loopback of a namespace this test creates.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init agent
tkh_require_cmd curl openssl python3
tkh_require_takahe
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
[[ -x "$AGENT" ]] || tkh_skip_all setup "takahe-agent not built: $AGENT"

tkh_ns_add TKH_SRV_NS agent || tkh_skip_all setup "could not create a namespace"
NS=$TKH_SRV_NS
PORT=8000
sock=$TKH_TMP/d4.sock
conf4=$TKH_TMP/dhcp4.json
tkh_dhcp4_config "$conf4" --iface lo/127.0.0.1 --socket udp \
  --globals "\"valid-lifetime\": 600, \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" }"
tkh_server_start "$conf4" || { tkh_fail server-start "takahe-dhcp4 did not start"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket at $sock"; tkh_finish; }

AGENT_LOG=$TKH_TMP/agent.log
AGENT_PID=""
# agent_config FILE [EXTRA JSON MEMBERS]
agent_config() {
  cat > "$1" << JSON
{
  // takahe-agent in front of the test's takahe-dhcp4
  "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": $PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$sock" } },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "INFO",
                   "output_options": [ { "output": "stdout" } ] } ]${2:+,
    $2}
  }
}
JSON
}
agent_listening() {
  ip netns exec "$NS" ss -H -l -t -n "sport = :$PORT" 2> /dev/null | grep -q LISTEN
}
agent_start() { # agent_start CONFIG
  echo "=== $(date '+%T') starting $AGENT -c $1" >> "$AGENT_LOG"
  tkh_bg "$AGENT_LOG" ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$AGENT" -c "$1"
  AGENT_PID=$TKH_LAST_PID
  if ! tkh_wait_for 10 agent_listening; then
    tkh_show_tail "$AGENT_LOG"
    return 1
  fi
}
agent_stop() { # returns the agent's exit code (SIGTERM, bounded wait)
  local rc
  kill -TERM "$AGENT_PID" 2> /dev/null
  tkh_wait_for 10 tkh_pid_dead "$AGENT_PID" || kill -KILL "$AGENT_PID" 2> /dev/null
  wait "$AGENT_PID" 2> /dev/null
  rc=$?
  AGENT_PID=""
  return $rc
}
# post JSON [CURL ARGS...]: prints the body of the answer.
post() {
  local body=$1
  shift
  ip netns exec "$NS" curl -s --max-time 20 -H 'Content-Type: application/json' -d "$body" \
    "$@" "http://127.0.0.1:$PORT/"
}
# status JSON [CURL ARGS...]: prints the HTTP status code (000 when there is none).
status() {
  local body=$1
  shift
  ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
    -H 'Content-Type: application/json' -d "$body" "$@" "http://127.0.0.1:$PORT/"
}
# field ANSWER PYTHON-EXPR: evaluates EXPR with `a` bound to the parsed answer.
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
log_has() { grep -q "$1" "$AGENT_LOG"; }

conf=$TKH_TMP/agent.json
agent_config "$conf"
ip netns exec "$NS" "$AGENT" -t "$conf" > /dev/null 2>&1
tkh_check config-check "takahe-agent -t rejected $conf" test $? -eq 0
agent_start "$conf" || { tkh_fail agent-start "takahe-agent did not listen on port $PORT"; tkh_finish; }
tkh_check pid-file "no PID file holding $AGENT_PID" \
  grep -qx "$AGENT_PID" "$TKH_TMP/run/agent.takahe-agent.pid"

# Forwarded to takahe-dhcp4: Kea's shape, a list with one answer per service.
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
tkh_check_eq forward-list-commands-result 0 "$(field "$a" "a[0]['result']")"
tkh_check forward-list-commands-daemon "statistic-get missing: $a" \
  test "$(field "$a" "len(a) == 1 and 'statistic-get' in a[0]['arguments']")" = True
a=$(post '{ "command": "statistic-get", "service": [ "dhcp4" ], "arguments": { "name": "pkt4-received" } }')
tkh_check_eq forward-statistic-get 0 "$(field "$a" "a[0]['result']")"
tkh_check forward-statistic-get-value "no pkt4-received samples: $a" \
  test "$(field "$a" "isinstance(a[0]['arguments']['pkt4-received'][0][0], int)")" = True
a=$(post '{ "command": "status-get", "service": [ "dhcp4" ] }')
tkh_check_eq forward-status-get-daemon-pid "$TKH_SERVER_PID" "$(field "$a" "a[0]['arguments']['pid']")"

# The agent's own commands.
a=$(post '{ "command": "status-get" }')
tkh_check_eq own-status-get "$AGENT_PID" "$(field "$a" "a[0]['arguments']['pid']")"
a=$(post '{ "command": "list-commands" }')
tkh_check own-list-commands "agent's list lacks config-reload or has statistic-get: $a" \
  test "$(field "$a" "'config-reload' in a[0]['arguments'] and 'statistic-get' not in a[0]['arguments']")" = True
a=$(post '{ "command": "config-get" }')
tkh_check_eq own-config-get "$PORT" "$(field "$a" "a[0]['arguments']['Control-agent']['http-port']")"

# Errors.
a=$(post '{ "command": "list-commands", "service": [ "dhcp6" ] }')
tkh_check_eq unknown-service-result 1 "$(field "$a" "a[0]['result']")"
tkh_check_eq unknown-service-text "forwarding socket is not configured for the server type dhcp6" \
  "$(field "$a" "a[0]['text']")"
tkh_check_eq malformed-json-400 400 "$(status '{ "command": "list-commands"')"
tkh_check_eq wrong-method-405 405 "$(ip netns exec "$NS" curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$PORT/")"

# A third-party client: Debian's kea-shell (Kea 2.2).
if command -v kea-shell > /dev/null; then
  out=$(ip netns exec "$NS" timeout 30 kea-shell --host 127.0.0.1 --port $PORT --service dhcp4 \
    list-commands < /dev/null 2>&1)
  tkh_check kea-shell-forward "kea-shell printed: $out" \
    test "$(field "$out" "a[0]['result'] == 0 and 'statistic-get' in a[0]['arguments']")" = True
  out=$(ip netns exec "$NS" timeout 30 kea-shell --host 127.0.0.1 --port $PORT status-get < /dev/null 2>&1)
  tkh_check_eq kea-shell-own "$AGENT_PID" "$(field "$out" "a[0]['arguments']['pid']")"
else
  tkh_skip kea-shell "kea-shell not installed (package kea-ctrl-agent)"
fi

# SIGHUP with a broken file: the running configuration stays.
cp "$conf" "$conf.good"
printf '{ "Control-agent": { "http-port": "not a number" } }\n' > "$conf"
kill -HUP "$AGENT_PID"
tkh_check sighup-bad-file-logged "no AGENT_RECONFIGURE_FAIL" tkh_wait_for 5 log_has AGENT_RECONFIGURE_FAIL
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
tkh_check_eq sighup-bad-file-still-serving 0 "$(field "$a" "a[0]['result']")"
cp "$conf.good" "$conf"

# The daemon stops: the agent answers for it.
tkh_server_stop
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
tkh_check_eq daemon-down-result 1 "$(field "$a" "a[0]['result']")"
tkh_check daemon-down-text "text: $(field "$a" "a[0]['text']")" \
  grep -q '^unable to forward command to the dhcp4 service: ' <<< "$(field "$a" "a[0]['text']")"
a=$(post '{ "command": "status-get" }')
tkh_check_eq daemon-down-agent-answers 0 "$(field "$a" "a[0]['result']")"
tkh_server_start "$conf4" || { tkh_fail server-restart "takahe-dhcp4 did not restart"; tkh_finish; }
tkh_wait_for 5 test -S "$sock"

# Basic authentication, the password read from a file in `directory`; applied by SIGHUP.
mkdir -p "$TKH_TMP/auth"
printf 'secret\n' > "$TKH_TMP/auth/admin.password"
agent_config "$conf" '"authentication": { "type": "basic", "realm": "takahe-test",
    "directory": "'"$TKH_TMP/auth"'",
    "clients": [ { "user": "admin", "password-file": "admin.password" } ] }'
kill -HUP "$AGENT_PID"
unauthorized() { test "$(status '{ "command": "status-get" }')" = 401; }
tkh_check auth-applied "no 401 after SIGHUP" tkh_wait_for 5 unauthorized
headers=$(ip netns exec "$NS" curl -s -i --max-time 20 -H 'Content-Type: application/json' \
  -d '{ "command": "status-get" }' "http://127.0.0.1:$PORT/")
tkh_check auth-www-authenticate "no WWW-Authenticate header: $headers" \
  grep -qi '^WWW-Authenticate: Basic realm="takahe-test"' <<< "$headers"
tkh_check_eq auth-wrong-password 401 "$(status '{ "command": "status-get" }' -u admin:wrong)"
tkh_check_eq auth-right-password 200 "$(status '{ "command": "status-get" }' -u admin:secret)"
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }' -u admin:secret)
tkh_check_eq auth-forward 0 "$(field "$a" "a[0]['result']")"
if command -v kea-shell > /dev/null; then
  out=$(ip netns exec "$NS" timeout 30 kea-shell --host 127.0.0.1 --port $PORT --service dhcp4 \
    --auth-user admin --auth-password secret list-commands < /dev/null 2>&1)
  tkh_check kea-shell-auth "kea-shell printed: $out" \
    test "$(field "$out" "a[0]['result']")" = 0
fi
tkh_check agent-stops-cleanly "SIGTERM exit code not 0" agent_stop
tkh_check pid-file-removed "PID file left behind" test ! -e "$TKH_TMP/run/agent.takahe-agent.pid"

# HTTPS with client certificates (CA, server with IP SAN 127.0.0.1, client), made now.
pki=$TKH_TMP/pki
tkh_make_pki "$pki" || { tkh_fail pki "openssl failed"; tkh_show_tail "$TKH_TMP/openssl.log"; tkh_finish; }
agent_config "$conf" '"trust-anchor": "'"$pki/ca.crt"'", "cert-file": "'"$pki/server.crt"'",
    "key-file": "'"$pki/server.key"'", "cert-required": true'
agent_start "$conf" || { tkh_fail tls-agent-start "takahe-agent with TLS did not start"; tkh_finish; }
https() { # https JSON [CURL ARGS...]: prints the body
  local body=$1
  shift
  ip netns exec "$NS" curl -s --max-time 20 -H 'Content-Type: application/json' -d "$body" \
    --cacert "$pki/ca.crt" "$@" "https://127.0.0.1:$PORT/"
}
a=$(https '{ "command": "list-commands", "service": [ "dhcp4" ] }' --cert "$pki/client.crt" --key "$pki/client.key")
tkh_check_eq tls-client-cert-forward 0 "$(field "$a" "a[0]['result']")"
a=$(https '{ "command": "status-get" }' --cert "$pki/client.crt" --key "$pki/client.key")
tkh_check_eq tls-client-cert-own "$AGENT_PID" "$(field "$a" "a[0]['arguments']['pid']")"
https '{ "command": "status-get" }' > /dev/null
tkh_check tls-no-client-cert-refused "curl without a client certificate got an answer" test $? -ne 0
tkh_check tls-handshake-failure-logged "no HTTP_TLS_HANDSHAKE_FAILED naming 127.0.0.1" \
  tkh_wait_for 5 log_has 'HTTP_TLS_HANDSHAKE_FAILED.*127\.0\.0\.1:[0-9]'
ip netns exec "$NS" curl -s --max-time 20 -o /dev/null -H 'Content-Type: application/json' \
  -d '{ "command": "status-get" }' "http://127.0.0.1:$PORT/"
tkh_check tls-plain-http-refused "plain HTTP got an answer from the HTTPS listener" test $? -ne 0
if command -v kea-shell > /dev/null; then
  out=$(ip netns exec "$NS" timeout 30 kea-shell --host 127.0.0.1 --port $PORT --service dhcp4 \
    --ca "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key" list-commands < /dev/null 2>&1)
  tkh_check kea-shell-tls "kea-shell printed: $out" test "$(field "$out" "a[0]['result']")" = 0
fi

# shutdown over HTTPS: the answer arrives, then the agent exits with the given value.
a=$(https '{ "command": "shutdown", "arguments": { "exit-value": 0 } }' --cert "$pki/client.crt" --key "$pki/client.key")
tkh_check_eq shutdown-answer 0 "$(field "$a" "a[0]['result']")"
tkh_check shutdown-exits "agent still running after shutdown" tkh_wait_for 10 tkh_pid_dead "$AGENT_PID"
wait "$AGENT_PID" 2> /dev/null
tkh_check_eq shutdown-exit-code 0 "$?"

tkh_server_stop
tkh_finish
