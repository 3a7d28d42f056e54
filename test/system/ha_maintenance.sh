#!/bin/bash
# HA maintenance (mode HA_MODE, default load-balancing): ha-maintenance-start sent to server1
# puts it in partner-in-maintenance (serving every scope) and server2 in in-maintenance
# (serving nothing): every client is answered, all by server1 (perfdhcp gets an ACK for every
# REQUEST, relay4.py DORAs are answered by server1 and not by server2, a dhclient binds to
# server1). ha-maintenance-cancel returns both to normal and server2 serves again. Wrong-state
# requests get result 1. No address is held by two clients.
# Implementations per node: HA_IMPL (kea | takahe) or HA_IMPL_server1/_server2.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_maintenance
HA_NODES=(server1 server2)
ha_require
tkh_require_cmd perfdhcp dhclient
tkh_log "implementations: $(ha_impls), mode $HA_MODE"
ha_topology 1 || tkh_skip_all setup "could not create namespaces"
ha_start_all || { ha_show_logs; tkh_finish; }
ha_wait_normal 20 || { ha_show_logs; tkh_finish; }

# expect NAME RESULT NODE COMMAND: COMMAND sent to NODE answers RESULT (answer logged).
expect() {
  local a
  a=$(ha_cmd "$3" "{ \"command\": \"$4\" }")
  tkh_log "$3 $4 -> $a"
  tkh_check_eq "$1" "$2" "$(ha_field "$a" "a['result']")"
}

expect cancel-without-maintenance 1 server1 ha-maintenance-cancel
expect maintenance-start 0 server1 ha-maintenance-start
if ha_wait_state 3 server1 partner-in-maintenance; then
  tkh_pass server1-partner-in-maintenance
else
  tkh_fail server1-partner-in-maintenance "server1 is '$HA_STATE'"
fi
if ha_wait_state 3 server2 in-maintenance; then
  tkh_pass server2-in-maintenance
else
  tkh_fail server2-in-maintenance "server2 is '$HA_STATE'"
fi
want="server1 server2"
[[ $HA_MODE == hot-standby ]] && want=server1
tkh_check_eq maintenance-scopes-server1 "$want" "$(ha_scopes server1)"
tkh_check_eq maintenance-scopes-server2 "" "$(ha_scopes server2)"

# Every client answered, by server1 only.
read -r sent recv <<< "$(ha_perf 3 20 30)"
tkh_log "perfdhcp in maintenance: REQUEST-ACK sent ${sent:-?} received ${recv:-?}"
if [[ -n "${sent:-}" && "$sent" -gt 0 && "$recv" == "$sent" ]]; then
  tkh_pass maintenance-all-answered
else
  tkh_fail maintenance-all-answered "REQUEST-ACK sent '${sent:-}' received '${recv:-}'"
fi
ok1=0 ok2=0
for m in 01 02 03 04 05 06; do
  ha_relay4 --server "${HA_ADDR[server1]}" --mac "02:00:00:00:10:$m" --timeout 1 dora > /dev/null && ok1=$((ok1 + 1))
  ha_relay4 --server "${HA_ADDR[server2]}" --mac "02:00:00:00:11:$m" --timeout 1 dora > /dev/null && ok2=$((ok2 + 1))
done
tkh_check_eq maintenance-server1-answers-all 6 "$ok1"
tkh_check_eq maintenance-server2-answers-none 0 "$ok2"
tkh_dhclient_setup "$TKH_TMP/c1"
tkh_dhclient_start 1 "$TKH_TMP/c1"
clients=()
if tkh_wait_event 15 "$TKH_TMP/c1/events" 'BOUND|REBOOT'; then
  tkh_check_eq maintenance-dhclient-from-server1 "${HA_ADDR[server1]}" "$(tkh_rec_get "$TKH_TMP/c1/events" 'BOUND|REBOOT' serverid)"
  mapfile -t clients < <(ha_client_leases 1 "$TKH_TMP/c1" dhclient | tr ' ' '\n')
else
  tkh_fail maintenance-dhclient-bound "dhclient got no lease within 15 s"
fi
tkh_check_eq notify-cancel-wrong-state 1 \
  "$(ha_field "$(ha_cmd server1 '{ "command": "ha-maintenance-notify", "arguments": { "cancel": true } }')" "a['result']")"

# Cancel: both back to normal, server2 serves again.
expect maintenance-cancel 0 server1 ha-maintenance-cancel
HA_CHECK_SUFFIX=-after-cancel ha_wait_normal 5
if [[ $HA_MODE == load-balancing ]]; then
  ok2=0
  for m in 01 02 03 04 05 06 07 08; do
    ha_relay4 --server "${HA_ADDR[server2]}" --mac "02:00:00:00:12:$m" --timeout 1 dora > /dev/null && ok2=$((ok2 + 1))
  done
  tkh_log "after cancel: server2 answered $ok2 of 8 relayed DORAs (its scope only)"
  tkh_check server2-serves-after-cancel "server2 answered none of 8 clients" test "$ok2" -gt 0
  tkh_check server2-serves-its-scope-only "server2 answered all 8 clients" test "$ok2" -lt 8
fi
sleep 1
ha_check_replicated leases-server1-on-server2 server1 server2
ha_check_no_duplicates no-duplicate-addresses "${clients[@]}"
((TKH_FAILS == 0)) || ha_show_logs 25
tkh_finish
