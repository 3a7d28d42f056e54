#!/bin/bash
# HA load-balancing pair + backup server (test/lib/ha.sh topology): two dhclient and two udhcpc
# clients and a bounded perfdhcp load (broadcast relay, so both servers see every packet). Both
# servers answer (each from its own pool; the server-id of every client's ACK matches the pool
# its address came from), the backup answers nobody, every active lease is on every peer
# (backup included), and no address is held by two clients.
# Implementations per node: HA_IMPL (kea | takahe) or HA_IMPL_server1/_server2/_backup.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_load_balancing
HA_MODE=load-balancing
HA_NODES=(server1 server2 backup)
ha_require
tkh_require_cmd perfdhcp dhclient
command -v udhcpc > /dev/null || command -v busybox > /dev/null || tkh_skip_all setup "udhcpc not installed"
tkh_log "implementations: $(ha_impls)"

ha_topology 4 || tkh_skip_all setup "could not create namespaces"
ha_start_all || { ha_show_logs; tkh_finish; }
ha_wait_normal 20 || { ha_show_logs; tkh_finish; }
tkh_check_eq scopes-server1 server1 "$(ha_scopes server1)"
tkh_check_eq scopes-server2 server2 "$(ha_scopes server2)"
tkh_check_eq scopes-backup "" "$(ha_scopes backup)"

ha_clients_and_load

clients=()
for i in 1 2 3 4; do
  ha_client_bound "$i" || continue
  kind=$HA_CLIENT_KIND re=$HA_CLIENT_RE ev=$HA_CLIENT_EV
  ip=$(tkh_rec_get "$ev" "$re" ip)
  sid=$(tkh_rec_get "$ev" "$re" serverid)
  last=${ip##*.}
  if ((last >= 100 && last <= 149)); then want=${HA_ADDR[server1]}; else want=${HA_ADDR[server2]}; fi
  tkh_check_eq "client$i-server-id-matches-pool" "$want" "$sid"
  mapfile -t -O "${#clients[@]}" clients < <(ha_client_leases "$i" "$TKH_TMP/c$i" "$kind" | tr ' ' '\n')
done

# Both servers handed out leases from their own pool (their own lease files).
n1=$(ha_active_count server1 '192\.0\.2\.1[0-4][0-9] ')
n2=$(ha_active_count server2 '192\.0\.2\.1[5-9][0-9] ')
tkh_log "active leases: server1 pool $n1, server2 pool $n2"
tkh_check server1-answered "no lease from server1's pool" test "$n1" -gt 0
tkh_check server2-answered "no lease from server2's pool" test "$n2" -gt 0
tkh_check backup-silent "a client got its lease from the backup" \
  tkh_not grep -q "serverid=${HA_ADDR[backup]}" "$TKH_TMP"/c*/events

# Every active lease is on every peer (lease updates are sent before the ACK; allow 1 s).
sleep 1
for from in server1 server2; do
  for to in server1 server2 backup; do
    [[ $from == "$to" ]] || ha_check_replicated "leases-$from-on-$to" "$from" "$to"
    [[ $from == "$to" ]] || ha_check_update_style "update-style-$from-to-$to" "$from" "$to"
  done
done
tkh_log "clients: ${clients[*]}"
ha_check_no_duplicates no-duplicate-addresses "${clients[@]}"

for n in server1 server2 backup; do
  tkh_check_eq "still-normal-$n" "$(ha_normal_state "$n")" "$(ha_state "$n")"
done
((TKH_FAILS == 0)) || ha_show_logs
tkh_finish
