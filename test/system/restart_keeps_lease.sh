#!/bin/bash
# Leases survive a server restart: client A gets an address, the server is
# stopped with SIGTERM and restarted on the same lease file; a new client B
# must not get A's address (pool of two), and A's INIT-REBOOT request for its
# old address must be ACKed (dhclient reason REBOOT, same address).
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init restart_keeps_lease
tkh_require_cmd dhclient
tkh_require_server

# shellcheck disable=SC2034 # read by tkh_std_subnet and tkh_in_pool
TKH_POOL_FIRST=192.0.2.100 TKH_POOL_LAST=192.0.2.101
tkh_topology 2 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
tkh_dhcp4_config "$conf" --leases "$leases" --globals '"valid-lifetime": 600'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

dirA=$TKH_TMP/c1
dirB=$TKH_TMP/c2
tkh_dhclient_setup "$dirA"
tkh_dhclient_setup "$dirB"
tkh_dhclient_start 1 "$dirA"
pidA=$TKH_LAST_PID
if ! tkh_wait_event 20 "$dirA/events" BOUND; then
  tkh_fail a-bound "client A got no lease"
  tkh_show_tail "$dirA/dhclient.log"
  tkh_finish
fi
ipA=$(tkh_rec_get "$dirA/events" BOUND ip)
tkh_check a-bound "address '$ipA' not in pool" tkh_in_pool "$ipA"

# Stop client A without a release (SIGTERM), then the server.
tkh_kill "$pidA"
tkh_check a-lease-still-active "lease $ipA not active before restart" tkh_lease_active "$leases" "$ipA"
rows_before=$(tkh_lines "$leases")
tkh_check server-sigterm "server did not exit within 10 s of SIGTERM" tkh_server_stop TERM
tkh_check lease-file-kept "lease file lost or shrunk" test -s "$leases" -a "$(tkh_lines "$leases")" -ge "$rows_before"

if ! tkh_server_start "$conf"; then
  tkh_fail server-restart "server did not restart"
  tkh_finish
fi
tkh_pass server-restart

# Client B: the only free address is the other one.
tkh_dhclient_start 2 "$dirB"
if tkh_wait_event 20 "$dirB/events" BOUND; then
  ipB=$(tkh_rec_get "$dirB/events" BOUND ip)
  tkh_check b-other-address "client B got '$ipB' (A holds $ipA)" \
    test "$ipB" != "$ipA" -a -n "$ipB"
  tkh_check b-in-pool "address '$ipB' not in pool" tkh_in_pool "$ipB"
else
  tkh_fail b-other-address "client B got no lease"
  tkh_show_tail "$dirB/dhclient.log"
fi

# Client A again: INIT-REBOOT with its lease file asks for the old address.
tkh_dhclient_start 1 "$dirA"
if tkh_wait_event 20 "$dirA/events" 'REBOOT|BOUND' 2; then
  reason=$(tail -n 20 "$dirA/events" | awk -F';' '$1 ~ /^reason=(REBOOT|BOUND)$/ { r = substr($1, 8) } END { print r }')
  tkh_check_eq a-reboot-acked REBOOT "$reason"
  tkh_check_eq a-same-address "$ipA" "$(tkh_rec_get "$dirA/events" 'REBOOT|BOUND' ip)"
else
  tkh_fail a-reboot-acked "client A got no lease after the restart"
  tkh_show_tail "$dirA/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
fi
tkh_check a-lease-active "lease $ipA not active after restart" tkh_lease_active "$leases" "$ipA"
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
