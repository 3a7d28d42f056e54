#!/bin/bash
# Host reservation by hw-address: the client with the reserved MAC gets its
# reserved address, hostname and option; another client gets a pool address
# with the subnet's options.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init reservation
tkh_require_cmd dhclient
tkh_require_server

RES_MAC=00:00:5e:00:53:01   # RFC 7042 documentation MACs
OTHER_MAC=00:00:5e:00:53:02
RES_IP=192.0.2.50            # outside the pool
RES_HOST=resv-one
RES_DNS=192.0.2.153

tkh_topology 2 || tkh_skip_all setup "could not create namespaces"
tkh_set_mac 1 "$RES_MAC"
tkh_set_mac 2 "$OTHER_MAC"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
res='"reservations": [ { "hw-address": "'$RES_MAC'", "ip-address": "'$RES_IP'",
    "hostname": "'$RES_HOST'",
    "option-data": [ { "name": "domain-name-servers", "data": "'$RES_DNS'" } ] } ]'
tkh_dhcp4_config "$conf" --leases "$leases" --subnets "[ $(tkh_std_subnet "$res") ]"
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

for i in 1 2; do
  tkh_dhclient_setup "$TKH_TMP/c$i"
  tkh_dhclient_start "$i" "$TKH_TMP/c$i"
done

ev1=$TKH_TMP/c1/events
ev2=$TKH_TMP/c2/events
if tkh_wait_event 20 "$ev1" BOUND; then
  tkh_pass reserved-bound
  tkh_check_eq reserved-address "$RES_IP" "$(tkh_rec_get "$ev1" BOUND ip)"
  tkh_check_eq reserved-hostname "$RES_HOST" "$(tkh_rec_get "$ev1" BOUND hostname)"
  tkh_check_eq reserved-option-dns "$RES_DNS" "$(tkh_rec_get "$ev1" BOUND dns)"
  # Options not overridden by the reservation come from the subnet.
  tkh_check_eq reserved-subnet-router "$TKH_ROUTER" "$(tkh_rec_get "$ev1" BOUND routers)"
  tkh_check_eq reserved-lease-hwaddr "$RES_MAC" "$(tkh_lease_row "$leases" "$RES_IP" | awk '{ print $4 }')"
else
  tkh_fail reserved-bound "no BOUND event for the reserved client"
  tkh_show_tail "$TKH_TMP/c1/dhclient.log"
fi

if tkh_wait_event 20 "$ev2" BOUND; then
  tkh_pass other-bound
  ip2=$(tkh_rec_get "$ev2" BOUND ip)
  tkh_check other-address-in-pool "address '$ip2' not in pool" tkh_in_pool "$ip2"
  tkh_check_eq other-dns "$TKH_DNS1 $TKH_DNS2" "$(tkh_rec_get "$ev2" BOUND dns)"
  tkh_check_eq other-no-hostname "" "$(tkh_rec_get "$ev2" BOUND hostname)"
  tkh_check_eq other-lease-hwaddr "$OTHER_MAC" "$(tkh_lease_row "$leases" "$ip2" | awk '{ print $4 }')"
else
  tkh_fail other-bound "no BOUND event for the unreserved client"
  tkh_show_tail "$TKH_TMP/c2/dhclient.log"
fi
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
