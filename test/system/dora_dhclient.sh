#!/bin/bash
# ISC dhclient: DORA with all options checked, a RENEW under short timers and
# a RELEASE that the server records in its lease file.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init dora_dhclient
tkh_require_cmd dhclient
tkh_require_server

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
tkh_dhcp4_config "$conf" --leases "$leases" \
  --globals '"valid-lifetime": 8, "renew-timer": 2, "rebind-timer": 5'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

dir=$TKH_TMP/c1
ev=$dir/events
tkh_dhclient_setup "$dir"
tkh_dhclient_start 1 "$dir"
dhclient_pid=$TKH_LAST_PID

if ! tkh_wait_event 20 "$ev" BOUND; then
  tkh_fail bound "no BOUND event within 20 s"
  tkh_show_tail "$dir/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass bound

ip=$(tkh_rec_get "$ev" BOUND ip)
tkh_check address-in-pool "address '$ip' not in $TKH_POOL_FIRST-$TKH_POOL_LAST" tkh_in_pool "$ip"
tkh_check_eq subnet-mask 255.255.255.0 "$(tkh_rec_get "$ev" BOUND mask)"
tkh_check_eq routers "$TKH_ROUTER" "$(tkh_rec_get "$ev" BOUND routers)"
tkh_check_eq dns "$TKH_DNS1 $TKH_DNS2" "$(tkh_rec_get "$ev" BOUND dns)"
tkh_check_eq domain "$TKH_DOMAIN" "$(tkh_rec_get "$ev" BOUND domain)"
tkh_check_eq lease-time 8 "$(tkh_rec_get "$ev" BOUND lease)"
tkh_check_eq server-id "$TKH_SRV_ADDR" "$(tkh_rec_get "$ev" BOUND serverid)"

mac=$(tkh_mac_of 1)
row=$(tkh_lease_row "$leases" "$ip")
tkh_check lease-file-active "no active lease row for $ip (row: '$row')" tkh_lease_active "$leases" "$ip"
tkh_check_eq lease-file-hwaddr "$mac" "$(echo "$row" | awk '{ print $4 }')"
rows_before=$(tkh_lease_rows "$leases" "$ip")
expire_before=$(echo "$row" | awk '{ print $2 }')

# renew-timer 2 s: dhclient unicasts a DHCPREQUEST and gets the same address.
if tkh_wait_event 15 "$ev" RENEW; then
  tkh_pass renew
  tkh_check_eq renew-same-address "$ip" "$(tkh_rec_get "$ev" RENEW ip)"
  sleep 0.3
  rows_after=$(tkh_lease_rows "$leases" "$ip")
  expire_after=$(tkh_lease_row "$leases" "$ip" | awk '{ print $2 }')
  tkh_check renew-recorded "lease file rows $rows_before -> $rows_after, expire $expire_before -> $expire_after" \
    test "$rows_after" -gt "$rows_before" -a "$expire_after" -gt "$expire_before"
else
  tkh_fail renew "no RENEW event within 15 s"
  tkh_show_tail "$dir/dhclient.log"
fi

# dhclient -r stops the running client and sends DHCPRELEASE.
tkh_dhclient_release 1 "$dir"
tkh_check release-event "no RELEASE event" tkh_wait_event 5 "$ev" RELEASE
tkh_check client-stopped "dhclient still running after -r" tkh_wait_for 5 tkh_pid_dead "$dhclient_pid"
if tkh_wait_for 5 tkh_lease_released "$leases" "$ip"; then
  tkh_pass release-recorded
else
  tkh_fail release-recorded "lease $ip still active: $(tkh_lease_row "$leases" "$ip")"
  tkh_show_tail "$TKH_SERVER_LOG"
fi
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
