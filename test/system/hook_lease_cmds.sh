#!/bin/bash
# libdhcp_lease_cmds.so and libdhcp_stat_cmds.so loaded into takahe-dhcp4 through
# "hooks-libraries", driven with curl through takahe-agent: every lease4-* command and
# stat-lease4-get with good and bad arguments, each answer checked for its result code and
# content; the lease file holds the rows the commands wrote; statistics follow; the server still
# answers DHCP (perfdhcp) afterwards; and a lease added by command survives a restart.
# Everything runs on the loopback of a namespace this test creates.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init hook_lease_cmds
tkh_require_cmd curl python3 perfdhcp
tkh_require_takahe
AGENT=${AGENT:-$BUILD_DIR/agent/takahe-agent}
LEASE_CMDS=${LEASE_CMDS:-$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so}
STAT_CMDS=${STAT_CMDS:-$BUILD_DIR/hooks-libs/stat_cmds/libdhcp_stat_cmds.so}
[[ -x "$AGENT" ]] || tkh_skip_all setup "takahe-agent not built: $AGENT"
[[ -f "$LEASE_CMDS" ]] || tkh_skip_all setup "lease_cmds hook not built: $LEASE_CMDS"
[[ -f "$STAT_CMDS" ]] || tkh_skip_all setup "stat_cmds hook not built: $STAT_CMDS"

tkh_ns_add TKH_SRV_NS hooks || tkh_skip_all setup "could not create a namespace"
NS=$TKH_SRV_NS
ip -n "$NS" addr add 127.0.0.2/8 dev lo
PORT=8000
sock=$TKH_TMP/d4.sock
leases=$TKH_TMP/leases4.csv
# Subnet 1 is served to perfdhcp (relayed from 127.0.0.2); subnet 2 only holds leases added by
# command.
subnets='[ { "id": 1, "subnet": "198.18.0.0/24", "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "pools": [ { "pool": "198.18.0.100 - 198.18.0.199", "pool-id": 5 } ] },
  { "id": 2, "subnet": "198.18.1.0/24", "valid-lifetime": 900, "min-valid-lifetime": 900,
    "max-valid-lifetime": 900, "pools": [ { "pool": "198.18.1.10 - 198.18.1.19" } ] } ]'
conf4=$TKH_TMP/dhcp4.json
tkh_dhcp4_config "$conf4" --leases "$leases" --iface lo/127.0.0.1 --socket udp --subnets "$subnets" \
  --globals "\"valid-lifetime\": 3600,
    \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" },
    \"hooks-libraries\": [ { \"library\": \"$LEASE_CMDS\" }, { \"library\": \"$STAT_CMDS\" } ]"
tkh_server_start "$conf4" || { tkh_fail server-start "takahe-dhcp4 did not start with the hooks"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket at $sock"; tkh_finish; }

tkh_agent_start "$NS" "$sock" "$PORT" || { tkh_fail agent-start "takahe-agent did not listen on port $PORT"; tkh_finish; }

# send COMMAND [ARGUMENTS-JSON]: the daemon's answer (the first of the agent's list), as JSON.
send() { tkh_agent_send "{ \"command\": \"$1\"${2:+, \"arguments\": $2} }"; }
# field ANSWER PYTHON-EXPR: evaluates EXPR with `a` bound to the parsed answer.
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }
# expect NAME RESULT COMMAND [ARGUMENTS] [TEXT-FRAGMENT]: the answer has that result code (and
# its text contains the fragment). Leaves the answer in $A.
A=""
expect() {
  local name=$1 want=$2 command=$3 args=${4:-} frag=${5:-}
  A=$(send "$command" "$args")
  local got text
  got=$(field "$A" "a['result']")
  text=$(field "$A" "a.get('text', '')")
  if [[ "$got" != "$want" ]]; then
    tkh_fail "$name" "expected result $want, got '$got': $A"
  elif [[ -n "$frag" && "$text" != *"$frag"* ]]; then
    tkh_fail "$name" "text lacks '$frag': $text"
  else
    tkh_pass "$name"
  fi
}
statv() { # statv NAME: current value of a statistic
  field "$(send statistic-get "{ \"name\": \"$1\" }")" "a['arguments']['$1'][0][0]"
}
perf() { # perf SECONDS RATE: prints "sent received" of REQUEST-ACK
  timeout 60 ip netns exec "$NS" perfdhcp -4 -g single -r "$2" -R 1000 -p "$1" -d 3 \
    -l 127.0.0.2 127.0.0.1 2>&1 | awk '/^\*\*\*Statistics for: REQUEST-ACK/ { on = 1 }
      on && /^sent packets:/ { s = $3 } on && /^received packets:/ { print s, $3; exit }'
}

# ------------------------------------------------------------------ the commands are there
a=$(send list-commands)
for c in lease4-add lease4-get lease4-get-all lease4-get-page lease4-get-by-hw-address \
  lease4-get-by-client-id lease4-get-by-hostname lease4-update lease4-del lease4-wipe \
  lease4-resend-ddns stat-lease4-get; do
  tkh_check "listed-$c" "$c not in list-commands: $a" \
    test "$(field "$a" "'$c' in a['arguments']")" = True
done
# Kea registers the lease6 commands in either server; outside takahe-dhcp6 they answer result 1.
tkh_check lease6-commands-listed "lease6 commands missing from list-commands (Kea lists both): $a" \
  test "$(field "$a" "'lease6-get' in a['arguments']")" = True
r=$(send lease6-get-all)
tkh_check lease6-outside-dhcp6 "lease6-get-all in dhcp4: $r" \
  test "$(field "$r" "a['result'] == 1 and 'takahe-dhcp6' in a['text']")" = True

# ------------------------------------------------------------------ lease4-add
expect add-good 0 lease4-add '{ "ip-address": "198.18.0.150", "hw-address": "1a:1b:1c:1d:1e:1f",
  "client-id": "01:1a:1b:1c:1d:1e:1f", "hostname": "cmd.example.", "expire": 2000000000 }' \
  "Lease for address 198.18.0.150, subnet-id 1 added."
expect add-picks-subnet-2 0 lease4-add '{ "ip-address": "198.18.1.10", "hw-address": "00:00:00:00:01:10" }' \
  "subnet-id 2 added"
expect add-declined 0 lease4-add '{ "ip-address": "198.18.1.11", "hw-address": "", "state": 1,
  "user-context": { "why": "probe" } }'
expect add-duplicate 1 lease4-add '{ "ip-address": "198.18.0.150", "hw-address": "00:00:00:00:00:99" }' \
  "already exists"
expect add-no-arguments 1 lease4-add "" "needs 'arguments'"
expect add-missing-hw 1 lease4-add '{ "ip-address": "198.18.0.51" }' "missing parameter 'hw-address'"
expect add-wrong-type 1 lease4-add '{ "ip-address": 42, "hw-address": "00:00:00:00:00:01" }' \
  "'ip-address' must be a string"
expect add-unknown-subnet 1 lease4-add '{ "ip-address": "198.18.0.51", "hw-address": "00:00:00:00:00:01", "subnet-id": 7 }' \
  "no IPv4 subnet with subnet-id 7"
expect add-outside-subnet 1 lease4-add '{ "ip-address": "198.18.1.51", "hw-address": "00:00:00:00:00:01", "subnet-id": 1 }' \
  "is not in subnet 198.18.0.0/24"
expect add-no-subnet 1 lease4-add '{ "ip-address": "203.0.113.9", "hw-address": "00:00:00:00:00:01" }' \
  "no configured subnet contains 203.0.113.9"

# The rows the commands wrote are the server's own format (same columns, escaping, pool id).
tkh_check_eq csv-row-add "198.18.0.150,1a:1b:1c:1d:1e:1f,01:1a:1b:1c:1d:1e:1f,3600,2000000000,1,0,0,cmd.example.,0,,5" \
  "$(grep '^198\.18\.0\.150,' "$leases" | tail -n 1)"
tkh_check csv-row-declined "no declined row for 198.18.1.11: $(grep '^198\.18\.1\.11,' "$leases")" \
  grep -q '^198\.18\.1\.11,,,900,[0-9]*,2,0,0,,1,{"why":"probe"},0$' "$leases"
tkh_check_eq stat-assigned-1 1 "$(statv 'subnet[1].assigned-addresses')"
tkh_check_eq stat-assigned-2 2 "$(statv 'subnet[2].assigned-addresses')"
tkh_check_eq stat-declined-2 1 "$(statv 'subnet[2].declined-addresses')"
tkh_check_eq stat-declined-global 1 "$(statv declined-addresses)"

# ------------------------------------------------------------------ reads
expect get-by-address 0 lease4-get '{ "ip-address": "198.18.0.150" }' "IPv4 lease found."
tkh_check get-shape "lease JSON differs: $A" test "$(field "$A" "a['arguments'] == {
  'ip-address': '198.18.0.150', 'hw-address': '1a:1b:1c:1d:1e:1f', 'client-id': '01:1a:1b:1c:1d:1e:1f',
  'valid-lft': 3600, 'cltt': 2000000000 - 3600, 'subnet-id': 1, 'pool-id': 5, 'fqdn-fwd': False,
  'fqdn-rev': False, 'hostname': 'cmd.example.', 'state': 0}")" = True
expect get-by-hw-identifier 0 lease4-get '{ "identifier-type": "hw-address", "identifier": "1a:1b:1c:1d:1e:1f", "subnet-id": 1 }'
expect get-by-cid-identifier 0 lease4-get '{ "identifier-type": "client-id", "identifier": "01:1a:1b:1c:1d:1e:1f", "subnet-id": 1 }'
expect get-not-found 3 lease4-get '{ "ip-address": "198.18.0.99" }' "not found"
expect get-bad-address 1 lease4-get '{ "ip-address": "198.18.0.999" }' "not an IPv4 address"
expect get-duid 1 lease4-get '{ "identifier-type": "duid", "identifier": "00:01", "subnet-id": 1 }' "DHCPv6"
expect get-all 0 lease4-get-all "" "3 IPv4 lease(s) found."
expect get-all-subnet-2 0 lease4-get-all '{ "subnets": [ 2 ] }' "2 IPv4 lease(s) found."
expect get-all-bad 1 lease4-get-all '{ "subnets": "2" }' "'subnets' must be a list"
expect get-page-1 0 lease4-get-page '{ "from": "start", "limit": 2 }' "2 IPv4 lease(s) found."
last=$(field "$A" "a['arguments']['leases'][-1]['ip-address']")
tkh_check_eq get-page-1-last 198.18.1.10 "$last"
expect get-page-2 0 lease4-get-page "{ \"from\": \"$last\", \"limit\": 2 }" "1 IPv4 lease(s) found."
expect get-page-end 3 lease4-get-page '{ "from": "198.18.1.11", "limit": 2 }'
expect get-page-limit-0 1 lease4-get-page '{ "from": "start", "limit": 0 }' "'limit'"
expect get-page-bad-from 1 lease4-get-page '{ "from": "first", "limit": 2 }' "'from'"
expect by-hw 0 lease4-get-by-hw-address '{ "hw-address": "1a:1b:1c:1d:1e:1f" }' "1 IPv4 lease(s) found."
expect by-hw-none 3 lease4-get-by-hw-address '{ "hw-address": "0a:0b:0c:0d:0e:0f" }'
expect by-hw-bad 1 lease4-get-by-hw-address '{ "hw-address": "not-a-mac" }' "not a hardware address"
expect by-cid 0 lease4-get-by-client-id '{ "client-id": "01:1a:1b:1c:1d:1e:1f" }'
expect by-cid-missing 1 lease4-get-by-client-id '{ }' "missing parameter 'client-id'"
expect by-hostname 0 lease4-get-by-hostname '{ "hostname": "CMD.example." }'
expect by-hostname-none 3 lease4-get-by-hostname '{ "hostname": "nobody.example." }'
expect by-hostname-empty 1 lease4-get-by-hostname '{ "hostname": "" }' "empty"

# ------------------------------------------------------------------ lease4-update
expect update-good 0 lease4-update '{ "ip-address": "198.18.1.10", "hw-address": "00:00:00:00:01:10",
  "hostname": "renamed.example.", "valid-lft": 900, "expire": 2000000900 }' "IPv4 lease updated."
tkh_check_eq csv-row-update "198.18.1.10,00:00:00:00:01:10,,900,2000000900,2,0,0,renamed.example.,0,,0" \
  "$(grep '^198\.18\.1\.10,' "$leases" | tail -n 1)"
expect update-missing 1 lease4-update '{ "ip-address": "198.18.1.12", "hw-address": "00:00:00:00:01:12" }' "force-create"
expect update-force-create 0 lease4-update '{ "ip-address": "198.18.1.12", "hw-address": "00:00:00:00:01:12",
  "force-create": true }' "IPv4 lease added."
expect update-outside 1 lease4-update '{ "ip-address": "198.18.1.12", "hw-address": "00:00:00:00:01:12",
  "subnet-id": 1 }' "is not in subnet"
expect update-bad-state 1 lease4-update '{ "ip-address": "198.18.1.12", "hw-address": "00:00:00:00:01:12",
  "state": 9 }' "not a DHCPv4 lease state"
tkh_check_eq stat-assigned-2-after-update 3 "$(statv 'subnet[2].assigned-addresses')"

# ------------------------------------------------------------------ stat-lease4-get
expect stat-lease4-all 0 stat-lease4-get "" "stat-lease4-get[all subnets]: 2 rows found"
tkh_check stat-lease4-rows "rows differ: $A" test "$(field "$A" \
  "[r[0:2] + r[3:] for r in a['arguments']['result-set']['rows']] == [[1, 100, 1, 0], [2, 10, 3, 1]]")" = True
tkh_check stat-lease4-columns "columns differ: $A" test "$(field "$A" "a['arguments']['result-set']['columns'] ==
  ['subnet-id', 'total-addresses', 'cumulative-assigned-addresses', 'assigned-addresses', 'declined-addresses']")" = True
expect stat-lease4-one 0 stat-lease4-get '{ "subnet-id": 2 }' "stat-lease4-get[subnet-id=2]: 1 rows found"
expect stat-lease4-range 0 stat-lease4-get '{ "subnet-range": { "first-subnet-id": 1, "last-subnet-id": 5 } }' \
  "[subnets 1 through 5]: 2 rows found"
expect stat-lease4-unknown 3 stat-lease4-get '{ "subnet-id": 9 }' "no matching data"
expect stat-lease4-bad 1 stat-lease4-get '{ "subnet-id": "2" }' "'subnet-id' must be an integer"

# ------------------------------------------------------------------ resend-ddns, del, wipe
expect resend-ddns 1 lease4-resend-ddns '{ "ip-address": "198.18.0.150" }' "DDNS updating is not enabled"
expect resend-ddns-bad 1 lease4-resend-ddns '{ }' "'ip-address'"
expect del-good 0 lease4-del '{ "ip-address": "198.18.1.12" }' "IPv4 lease deleted."
tkh_check csv-row-del "no deletion row for 198.18.1.12: $(grep '^198\.18\.1\.12,' "$leases")" \
  test "$(tkh_lease_row "$leases" 198.18.1.12 | cut -d' ' -f1)" = 0
expect del-again 3 lease4-del '{ "ip-address": "198.18.1.12" }' "not found"
expect del-by-identifier-bad 1 lease4-del '{ "identifier-type": "hw-address", "identifier": "00:00:00:00:01:10" }' \
  "subnet-id"
tkh_check_eq stat-assigned-2-after-del 2 "$(statv 'subnet[2].assigned-addresses')"
expect wipe-bad 1 lease4-wipe '{ "subnet-id": "two" }' "must be an integer"
expect wipe-subnet-2 0 lease4-wipe '{ "subnet-id": 2 }' "Deleted 2 IPv4 lease(s) from subnet(s) 2"
expect wipe-empty 3 lease4-wipe '{ "subnet-id": 2 }'
tkh_check_eq stat-assigned-2-after-wipe 0 "$(statv 'subnet[2].assigned-addresses')"
tkh_check_eq stat-declined-after-wipe 0 "$(statv declined-addresses)"

# ------------------------------------------------------------------ DHCP still served
# 60 clients from the start of the pool: they must get every address but the command's.
read -r sent got <<< "$(perf 3 20)"
tkh_check perfdhcp-after-commands "perfdhcp REQUEST-ACK: sent '${sent:-}' received '${got:-}'" \
  test "${got:-0}" -gt 0 -a "${got:-0}" = "${sent:-x}"
tkh_check perfdhcp-lease-kept-command-lease "the command's lease 198.18.0.150 was given to another client" \
  test "$(field "$(send lease4-get '{ "ip-address": "198.18.0.150" }')" "a['arguments']['hw-address']")" = 1a:1b:1c:1d:1e:1f
a=$(send lease4-get-all '{ "subnets": [ 1 ] }')
tkh_check perfdhcp-leases-visible "perfdhcp leases not listed by lease4-get-all: $a" \
  test "$(field "$a" "len(a['arguments']['leases']) > 1")" = True

# ------------------------------------------------------------------ survives a restart
expect add-before-restart 0 lease4-add '{ "ip-address": "198.18.1.15", "hw-address": "00:00:00:00:01:15",
  "expire": 2000000000, "hostname": "kept.example." }'
tkh_check server-stop "takahe-dhcp4 did not stop on SIGTERM" tkh_server_stop
tkh_server_start "$conf4" || { tkh_fail server-restart "takahe-dhcp4 did not restart"; tkh_finish; }
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket-restart "no control socket after restart"; tkh_finish; }
tkh_wait_for 10 sh -c "ip netns exec '$NS' curl -s --max-time 5 -H 'Content-Type: application/json' \
  -d '{\"command\":\"version-get\",\"service\":[\"dhcp4\"]}' http://127.0.0.1:$PORT/ | grep -q '\"result\": *0'"
expect restart-lease-kept 0 lease4-get '{ "ip-address": "198.18.1.15" }'
tkh_check restart-lease-fields "lease changed across the restart: $A" test "$(field "$A" \
  "(a['arguments']['hostname'], a['arguments']['cltt'] + a['arguments']['valid-lft'], a['arguments']['subnet-id'])
   == ('kept.example.', 2000000000, 2)")" = True
expect restart-deleted-stays-deleted 3 lease4-get '{ "ip-address": "198.18.1.12" }'
tkh_check_eq restart-stat-assigned-2 1 "$(statv 'subnet[2].assigned-addresses')"

tkh_finish
