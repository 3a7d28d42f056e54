#!/bin/bash
# takahe-agent with hook libraries, in front of takahe-dhcp4: the agent's test library
# (agent/tests/libagent_test_hooks.so) loaded from "hooks-libraries", its command answered by
# the agent and listed by the agent's list-commands, control_command_receive answering (skip),
# rejecting (drop) and rewriting requests before they are forwarded; config-set with a library
# that cannot be loaded (libdhcp_lease_cmds.so needs DHCP symbols the agent does not have, a
# missing file, a library whose load() fails) refused with the reason while the agent keeps its
# libraries and keeps forwarding; -t and a start with such a library fail; libraries unload on
# config-set and at shutdown. Everything runs on the loopback of a namespace this test creates.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init agent_hooks
tkh_require_cmd curl python3
tkh_require_takahe
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
LIB=${AGENT_TEST_HOOKS:-$BUILD_DIR/agent/tests/libagent_test_hooks.so}
LEASE_CMDS=${LEASE_CMDS:-$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so}
[[ -x "$AGENT" ]] || tkh_skip_all setup "takahe-agent not built: $AGENT"
[[ -f "$LIB" ]] || tkh_skip_all setup "the agent's test hook library is not built: $LIB"

tkh_ns_add TKH_SRV_NS agenthooks || tkh_skip_all setup "could not create a namespace"
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
TRACE=$TKH_TMP/hook-trace
# agent_config FILE LIBRARIES-JSON
agent_config() {
  cat > "$1" << JSON
{
  "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": $PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$sock" } },
    "hooks-libraries": $2,
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "DEBUG", "debuglevel": 10,
                   "output_options": [ { "output": "stdout" } ] } ]
  }
}
JSON
}
good_libs='[ { "library": "'"$LIB"'", "parameters": { "greeting": "kia ora", "trace-file": "'"$TRACE"'" } } ]'
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
# post JSON: prints the body of the answer.
post() {
  ip netns exec "$NS" curl -s --max-time 20 -H 'Content-Type: application/json' -d "$1" \
    "http://127.0.0.1:$PORT/"
}
# field ANSWER PYTHON-EXPR: evaluates EXPR with `a` bound to the parsed answer.
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
log_has() { grep -q "$1" "$AGENT_LOG"; }
# config_set LIBRARIES-JSON: config-set with the test's settings and these libraries.
config_set() {
  local f=$TKH_TMP/set.json
  agent_config "$f" "$1"
  post '{ "command": "config-set", "arguments": '"$(cat "$f")"' }'
}
hello_greeting() { field "$(post '{ "command": "agent-hook-hello" }')" "a[0]['arguments']['greeting']"; }

conf=$TKH_TMP/agent.json
agent_config "$conf" "$good_libs"
out=$(ip netns exec "$NS" "$AGENT" -t "$conf" 2>&1)
tkh_check config-check "takahe-agent -t rejected $conf: $out" grep -q 'is valid: .*1 hook library' <<< "$out"
agent_start "$conf" || { tkh_fail agent-start "takahe-agent did not listen on port $PORT"; tkh_finish; }
tkh_check library-loaded-logged "no AGENT_HOOKS_LOADED naming agent-hook-hello" \
  tkh_wait_for 5 log_has 'AGENT_HOOKS_LOADED.*agent-hook-hello'
tkh_check_eq library-load-traced "load" "$(cat "$TRACE" 2> /dev/null)"

# The library's command is the agent's own.
a=$(post '{ "command": "agent-hook-hello" }')
tkh_check_eq library-command-result 0 "$(field "$a" "a[0]['result']")"
tkh_check_eq library-command-greeting "kia ora" "$(field "$a" "a[0]['arguments']['greeting']")"
a=$(post '{ "command": "list-commands" }')
tkh_check library-command-listed "agent's list-commands lacks agent-hook-hello: $a" \
  test "$(field "$a" "'agent-hook-hello' in a[0]['arguments'] and 'config-set' in a[0]['arguments']")" = True
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
tkh_check library-command-not-daemons "dhcp4's list-commands: $a" \
  test "$(field "$a" "a[0]['result'] == 0 and 'agent-hook-hello' not in a[0]['arguments']")" = True

# control_command_receive: skip, drop, rewrite; ordinary forwarding unchanged.
a=$(post '{ "command": "hook-skip", "service": [ "dhcp4" ], "arguments": { "n": 7 } }')
tkh_check_eq hook-skip-text "answered by the agent hook library" "$(field "$a" "a[0]['text']")"
tkh_check_eq hook-skip-saw-request 7 "$(field "$a" "a[0]['arguments']['request']['arguments']['n']")"
tkh_check hook-skip-logged "no AGENT_COMMAND_HOOK_SKIP" tkh_wait_for 5 log_has "AGENT_COMMAND_HOOK_SKIP.*hook-skip"
a=$(post '{ "command": "hook-drop", "service": [ "dhcp4" ] }')
tkh_check_eq hook-drop-answer '1 command rejected by a hook library' "$(field "$a" "len(a), a[0]['text']" | tr -d "(),'")"
tkh_check_eq hook-drop-result 1 "$(field "$a" "a[0]['result']")"
a=$(post '{ "command": "hook-rewrite", "service": [ "dhcp4" ], "arguments": { "command": "status-get" } }')
tkh_check_eq hook-rewrite-forwarded "$TKH_SERVER_PID" "$(field "$a" "a[0]['arguments']['pid']")"
a=$(post '{ "command": "hook-rewrite", "arguments": { "command": "status-get" } }')
tkh_check_eq hook-rewrite-own "$AGENT_PID" "$(field "$a" "a[0]['arguments']['pid']")"
a=$(post '{ "command": "statistic-get", "service": [ "dhcp4" ], "arguments": { "name": "pkt4-received" } }')
tkh_check_eq forward-unchanged 0 "$(field "$a" "a[0]['result']")"

hash=$(field "$(post '{ "command": "config-hash-get" }')" "a[0]['arguments']['hash']")
calls=$(field "$(post '{ "command": "agent-hook-hello" }')" "a[0]['arguments']['calls']")
# Every request from here on passes control_command_receive of the same library instance.
expected_calls=$((calls + 2))

# Libraries the agent cannot load: refused with the reason, nothing changes.
if [[ -f "$LEASE_CMDS" ]]; then
  a=$(config_set '[ { "library": "'"$LEASE_CMDS"'" } ]')
  tkh_check_eq dhcp-library-refused 1 "$(field "$a" "a[0]['result']")"
  tkh_check dhcp-library-reason "text: $(field "$a" "a[0]['text']")" \
    grep -q 'Control-agent/hooks-libraries\[0\].*libdhcp_lease_cmds.so.*undefined symbol' <<< "$(field "$a" "a[0]['text']")"
  a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
  tkh_check_eq dhcp-library-still-forwarding 0 "$(field "$a" "a[0]['result']")"
  expected_calls=$((expected_calls + 2))
  bad=$TKH_TMP/bad.json
  agent_config "$bad" '[ { "library": "'"$LEASE_CMDS"'" } ]'
  out=$(ip netns exec "$NS" "$AGENT" -t "$bad" 2>&1)
  rc=$?
  tkh_check_eq dhcp-library-t-rc 1 "$rc"
  tkh_check dhcp-library-t-reason "-t printed: $out" grep -q 'undefined symbol' <<< "$out"
else
  tkh_skip dhcp-library "lease_cmds hook not built: $LEASE_CMDS"
fi
a=$(config_set '[ { "library": "'"$TKH_TMP"'/nothing.so" } ]')
tkh_check_eq missing-library-refused 1 "$(field "$a" "a[0]['result']")"
tkh_check missing-library-reason "text: $(field "$a" "a[0]['text']")" \
  grep -q 'nothing.so does not exist' <<< "$(field "$a" "a[0]['text']")"
a=$(post '{ "command": "agent-hook-hello" }')
tkh_check_eq refused-kept-library-state "$expected_calls" "$(field "$a" "a[0]['arguments']['calls']")"
a=$(config_set '[ { "library": "'"$LIB"'", "parameters": { "refuse-load": true } } ]')
tkh_check_eq failing-load-refused 1 "$(field "$a" "a[0]['result']")"
tkh_check failing-load-reason "text: $(field "$a" "a[0]['text']")" \
  grep -q 'load() returned 1' <<< "$(field "$a" "a[0]['text']")"
tkh_check hooks-load-fail-logged "no AGENT_HOOKS_LOAD_FAIL" tkh_wait_for 5 log_has AGENT_HOOKS_LOAD_FAIL
tkh_check_eq failing-load-previous-restored "kia ora" "$(hello_greeting)"
tkh_check_eq refused-config-kept "$hash" "$(field "$(post '{ "command": "config-hash-get" }')" "a[0]['arguments']['hash']")"
a=$(post '{ "command": "list-commands", "service": [ "dhcp4" ] }')
tkh_check_eq refused-still-forwarding 0 "$(field "$a" "a[0]['result']")"

# Replacing and removing libraries.
a=$(config_set '[ { "library": "'"$LIB"'", "parameters": { "greeting": "haere mai" } } ]')
tkh_check_eq replace-applied 0 "$(field "$a" "a[0]['result']")"
tkh_check_eq replace-new-parameters "haere mai" "$(hello_greeting)"
a=$(config_set '[ ]')
tkh_check_eq remove-applied 0 "$(field "$a" "a[0]['result']")"
a=$(post '{ "command": "agent-hook-hello" }')
tkh_check_eq remove-command-gone 2 "$(field "$a" "a[0]['result']")"
a=$(post '{ "command": "hook-drop", "service": [ "dhcp4" ] }')
tkh_check remove-no-callout "hook-drop still rejected by the agent: $a" \
  test "$(field "$a" "a[0]['text'] != 'command rejected by a hook library'")" = True
a=$(post '{ "command": "config-reload" }')
tkh_check_eq reload-applied 0 "$(field "$a" "a[0]['result']")"
tkh_check_eq reload-library-back "kia ora" "$(hello_greeting)"

# SIGTERM: the library's unload() runs before the agent exits.
kill -TERM "$AGENT_PID"
tkh_check agent-stops "agent still running after SIGTERM" tkh_wait_for 10 tkh_pid_dead "$AGENT_PID"
wait "$AGENT_PID" 2> /dev/null
tkh_check_eq agent-exit-code 0 "$?"
tkh_check_eq unload-at-shutdown "unload" "$(tail -n 1 "$TRACE")"

# A start with a library the agent cannot load fails with the reason.
if [[ -f "$LEASE_CMDS" ]]; then
  out=$(ip netns exec "$NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" timeout 10 "$AGENT" -c "$bad" 2>&1)
  rc=$?
  tkh_check_eq dhcp-library-start-rc 1 "$rc"
  tkh_check dhcp-library-start-reason "start printed: $(tail -n 3 <<< "$out")" grep -q 'undefined symbol' <<< "$out"
fi

tkh_server_stop
tkh_finish
