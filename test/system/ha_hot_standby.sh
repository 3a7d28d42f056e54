#!/bin/bash
# HA hot-standby pair + backup server (test/lib/ha.sh topology): two dhclient and two udhcpc
# clients and a bounded perfdhcp load. Only the primary answers (server-id of every ACK), the
# standby and the backup hold every lease the primary gave, and no address is held by two
# clients. Implementations per node: HA_IMPL (kea | takahe) or HA_IMPL_server1/_server2/_backup.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_hot_standby
HA_MODE=hot-standby
HA_NODES=(server1 server2 backup)
ha_require
tkh_require_cmd perfdhcp dhclient
command -v udhcpc > /dev/null || command -v busybox > /dev/null || tkh_skip_all setup "udhcpc not installed"
tkh_log "implementations: $(ha_impls)"

ha_topology 4 || tkh_skip_all setup "could not create namespaces"
ha_start_all || { ha_show_logs; tkh_finish; }
ha_wait_normal 20 || { ha_show_logs; tkh_finish; }
tkh_check_eq scopes-primary server1 "$(ha_scopes server1)"
tkh_check_eq scopes-standby "" "$(ha_scopes server2)"
tkh_check_eq scopes-backup "" "$(ha_scopes backup)"
st=$(ha_status server2)
tkh_check_eq status-get-standby-role standby "$(ha_field "$st" "a['ha-servers']['local']['role']")"
tkh_check_eq status-get-standby-sees-primary hot-standby "$(ha_field "$st" "a['ha-servers']['remote']['last-state']")"

ha_clients_and_load

clients=()
for i in 1 2 3 4; do
  ha_client_bound "$i" || continue
  kind=$HA_CLIENT_KIND re=$HA_CLIENT_RE ev=$HA_CLIENT_EV
  tkh_check_eq "client$i-from-primary" "${HA_ADDR[server1]}" "$(tkh_rec_get "$ev" "$re" serverid)"
  mapfile -t -O "${#clients[@]}" clients < <(ha_client_leases "$i" "$TKH_TMP/c$i" "$kind" | tr ' ' '\n')
done

sleep 1
n1=$(ha_active_count server1)
tkh_log "active leases on the primary: $n1"
tkh_check primary-answered "the primary holds no lease" test "$n1" -ge 60
ha_check_replicated leases-on-standby server1 server2
ha_check_replicated leases-on-backup server1 backup
# The standby gave nothing itself: it holds no lease the primary lacks.
ha_check_replicated standby-gave-nothing server2 server1
ha_check_update_style updates-style-to-standby server1 server2
ha_check_update_style updates-style-to-backup server1 backup
tkh_log "clients: ${clients[*]}"
ha_check_no_duplicates no-duplicate-addresses "${clients[@]}"

for n in server1 server2 backup; do
  tkh_check_eq "still-normal-$n" "$(ha_normal_state "$n")" "$(ha_state "$n")"
done
((TKH_FAILS == 0)) || ha_show_logs
tkh_finish
