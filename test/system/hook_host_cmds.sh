#!/bin/bash
# libdhcp_host_cmds.so loaded into takahe-dhcp4: reservation-add/-get/-get-all/-get-page/
# -get-by-hostname/-get-by-id/-del sent with curl through takahe-agent, with Kea's answers, the
# consistency checks (unknown subnet, address outside the subnet, duplicates against the
# configuration file), a restart that keeps the added reservation, and a real client (dhclient)
# that then gets the reserved address, hostname and option.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init hook_host_cmds
tkh_require_cmd dhclient
tkh_require_cmd curl
tkh_require_cmd python3
tkh_require_takahe
HOOK=${HOST_CMDS_HOOK:-$BUILD_DIR/hooks-libs/host_cmds/libdhcp_host_cmds.so}
[[ -f "$HOOK" ]] || tkh_skip_all setup "hook library not built: $HOOK"

RES_MAC=00:00:5e:00:53:21    # RFC 7042 documentation MACs
CONF_MAC=00:00:5e:00:53:22
RES_IP=192.0.2.60            # outside the pool
CONF_IP=192.0.2.61
RES_HOST=added-by-command
RES_DNS=192.0.2.153

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
tkh_set_mac 1 "$RES_MAC"
conf=$TKH_TMP/dhcp4.json
sock=$TKH_TMP/ctl.sock
hosts=$TKH_TMP/hosts4.json
res='"reservations": [ { "hw-address": "'$CONF_MAC'", "ip-address": "'$CONF_IP'", "hostname": "from-config" } ]'
tkh_dhcp4_config "$conf" --subnets "[ $(tkh_std_subnet "$res") ]" \
  --globals "\"valid-lifetime\": 600,
    \"control-sockets\": [ { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" } ],
    \"hosts-database\": { \"type\": \"memfile\", \"name\": \"$hosts\" },
    \"hooks-libraries\": [ { \"library\": \"$HOOK\" } ]"
tkh_server_start "$conf" || { tkh_fail server-start "server did not start"; tkh_finish; }
tkh_pass server-start
tkh_check socket-created "no control socket at $sock" tkh_wait_for 5 test -S "$sock"
tkh_agent_start "$TKH_SRV_NS" "$sock" || { tkh_fail agent-start "takahe-agent did not start"; tkh_finish; }

# cmd JSON: sends one command to takahe-dhcp4 through the agent, prints the answer.
cmd() { tkh_agent_send "$1"; }
# field ANSWER PYTHON-EXPR: evaluates EXPR with `a` bound to the parsed answer.
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
# expect NAME RESULT JSON [TEXT-SUBSTRING]: the command's result code (and text) are as given.
expect() {
  local a
  a=$(cmd "$3")
  tkh_check_eq "$1" "$2" "$(field "$a" "a['result']")"
  if [[ -n "${4:-}" ]]; then
    tkh_check "$1-text" "text lacks '$4': $a" test "$(field "$a" "'''$4''' in a['text']")" = True
  fi
}

a=$(cmd '{ "command": "list-commands" }')
for c in reservation-add reservation-del reservation-get reservation-get-all reservation-get-by-hostname \
  reservation-get-by-id reservation-get-page; do
  tkh_check "list-commands-$c" "'$c' missing from list-commands: $a" \
    test "$(field "$a" "'$c' in a['arguments']")" = True
done

add='{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 1,
  "hw-address": "'$RES_MAC'", "ip-address": "'$RES_IP'", "hostname": "'$RES_HOST'",
  "option-data": [ { "name": "domain-name-servers", "data": "'$RES_DNS'" } ] } } }'
expect add-ok 0 "$add" "Host added."
expect add-again 1 "$add" "already exists"
expect add-no-subnet-id 1 '{ "command": "reservation-add", "arguments": { "reservation": { "hw-address": "00:00:5e:00:53:99" } } }' "subnet-id"
expect add-subnet-id-string 1 '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": "1", "hw-address": "00:00:5e:00:53:99" } } }' "must be an integer"
expect add-unknown-subnet 1 '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 42, "hw-address": "00:00:5e:00:53:99" } } }' "not configured"
expect add-outside-subnet 1 '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 1, "hw-address": "00:00:5e:00:53:99", "ip-address": "198.51.100.1" } } }' "outside subnet"
expect add-config-duplicate 1 '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 1, "hw-address": "'$CONF_MAC'" } } }' "configuration file"
expect add-address-taken 1 '{ "command": "reservation-add", "arguments": { "reservation": { "subnet-id": 1, "hw-address": "00:00:5e:00:53:99", "ip-address": "'$RES_IP'" } } }' "already reserved"
expect add-no-reservation 1 '{ "command": "reservation-add", "arguments": { } }' "reservation"

a=$(cmd '{ "command": "reservation-get", "arguments": { "subnet-id": 1, "identifier-type": "hw-address", "identifier": "'$RES_MAC'" } }')
tkh_check_eq get-result 0 "$(field "$a" "a['result']")"
tkh_check_eq get-address "$RES_IP" "$(field "$a" "a['arguments']['ip-address']")"
tkh_check_eq get-hostname "$RES_HOST" "$(field "$a" "a['arguments']['hostname']")"
tkh_check_eq get-option "domain-name-servers $RES_DNS" \
  "$(field "$a" "a['arguments']['option-data'][0]['name'] + ' ' + a['arguments']['option-data'][0]['data']")"
expect get-missing 3 '{ "command": "reservation-get", "arguments": { "subnet-id": 1, "ip-address": "192.0.2.70" } }' "Host not found."
a=$(cmd '{ "command": "reservation-get-all", "arguments": { "subnet-id": 1 } }')
tkh_check_eq get-all-text "2 IPv4 host(s) found." "$(field "$a" "a['text']")"
a=$(cmd '{ "command": "reservation-get-page", "arguments": { "subnet-id": 1, "limit": 1 } }')
tkh_check_eq get-page-count 1 "$(field "$a" "a['arguments']['count']")"
tkh_check get-page-next "no next map: $a" test "$(field "$a" "'from' in a['arguments']['next']")" = True
a=$(cmd '{ "command": "reservation-get-by-hostname", "arguments": { "hostname": "ADDED-BY-COMMAND" } }')
tkh_check_eq get-by-hostname "$RES_MAC" "$(field "$a" "a['arguments']['hosts'][0]['hw-address']")"
a=$(cmd '{ "command": "reservation-get-by-id", "arguments": { "identifier-type": "hw-address", "identifier": "'$RES_MAC'" } }')
tkh_check_eq get-by-id-subnet 1 "$(field "$a" "a['arguments']['hosts'][0]['subnet-id']")"
expect del-config 1 '{ "command": "reservation-del", "arguments": { "subnet-id": 1, "ip-address": "'$CONF_IP'" } }' "configuration file"
expect del-missing 3 '{ "command": "reservation-del", "arguments": { "subnet-id": 1, "ip-address": "192.0.2.70" } }' "not found"

# A restart keeps the reservation added by command.
tkh_check server-stopped "server did not stop on SIGTERM" tkh_server_stop
tkh_server_start "$conf" || { tkh_fail server-restart "server did not start again"; tkh_finish; }
tkh_wait_for 5 test -S "$sock"
a=$(cmd '{ "command": "reservation-get", "arguments": { "subnet-id": 1, "ip-address": "'$RES_IP'" } }')
tkh_check_eq persisted-after-restart "$RES_MAC" "$(field "$a" "a['arguments']['hw-address']")"

# The client with the reserved MAC gets what the command reserved.
tkh_dhclient_setup "$TKH_TMP/c1"
tkh_dhclient_start 1 "$TKH_TMP/c1"
ev=$TKH_TMP/c1/events
if tkh_wait_event 20 "$ev" BOUND; then
  tkh_pass reserved-bound
  tkh_check_eq reserved-address "$RES_IP" "$(tkh_rec_get "$ev" BOUND ip)"
  tkh_check_eq reserved-hostname "$RES_HOST" "$(tkh_rec_get "$ev" BOUND hostname)"
  tkh_check_eq reserved-option-dns "$RES_DNS" "$(tkh_rec_get "$ev" BOUND dns)"
else
  tkh_fail reserved-bound "no BOUND event for the reserved client"
  tkh_show_tail "$TKH_TMP/c1/dhclient.log"
fi

# Deleted by command: gone, also after a restart.
expect del-ok 0 '{ "command": "reservation-del", "arguments": { "subnet-id": 1, "identifier-type": "hw-address", "identifier": "'$RES_MAC'" } }' "Host deleted."
tkh_server_stop
tkh_server_start "$conf" || { tkh_fail server-restart-2 "server did not start again"; tkh_finish; }
tkh_wait_for 5 test -S "$sock"
expect deleted-after-restart 3 '{ "command": "reservation-get", "arguments": { "subnet-id": 1, "ip-address": "'$RES_IP'" } }'
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
