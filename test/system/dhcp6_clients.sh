#!/bin/bash
# DHCPv6 with real clients in network namespaces: dhclient -6 gets an address (DNS servers and
# search list checked), renews it under short timers and releases it; dhclient -6 -P gets a
# delegated prefix from the pd-pool and releases it; a relayed client (test/dhcp6/relay6.py,
# one and two RELAY-FORW layers) gets an address of the subnet its relay's link-address names,
# with the interface-id echoed. The lease file records each lease and its release.
# DHCP6_SERVER=/usr/sbin/kea-dhcp6 runs the same checks against Kea 2.2.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"

tkh_init dhcp6_clients
tkh_require_cmd dhclient python3
tkh6_require_server

tkh6_topology 3 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp6.json
leases=$TKH_TMP/leases6.csv
# "br0/ADDR": multicast on br0 and unicast to ADDR, where the relay sends.
tkh6_dhcp6_config "$conf" --leases "$leases" --interfaces "[ \"br0/$TKH6_SRV_ADDR\" ]" \
  --lifetimes '"renew-timer": 2, "rebind-timer": 4, "preferred-lifetime": 6, "valid-lifetime": 10'
if ! tkh6_server_start "$conf"; then
  tkh_fail server-start "the DHCPv6 server did not start listening"
  tkh_finish
fi
tkh_pass server-start

# --- addresses: dhclient -6 ---------------------------------------------------------------
d1=$TKH_TMP/c1
tkh6_dhclient_setup "$d1"
tkh6_dhclient_start 1 "$d1"
pid1=$TKH_LAST_PID
if tkh_wait_event 20 "$d1/events" BOUND6; then
  tkh_pass na-bound
  ip=$(tkh_rec_get "$d1/events" BOUND6 ip)
  tkh_check na-in-pool "address '$ip' not in $TKH6_POOL_FIRST-$TKH6_POOL_LAST" \
    tkh6_in_range "$ip" "$TKH6_POOL_FIRST" "$TKH6_POOL_LAST"
  tkh_check_eq na-dns "$TKH6_DNS" "$(tkh_rec_get "$d1/events" BOUND6 dns)"
  tkh_check_eq na-search "$TKH6_DOMAIN." "$(tkh_rec_get "$d1/events" BOUND6 search)"
  tkh_check_eq na-valid 10 "$(tkh_rec_get "$d1/events" BOUND6 valid)"
  tkh_check_eq na-preferred 6 "$(tkh_rec_get "$d1/events" BOUND6 preferred)"
  tkh_check na-lease-file "no active IA_NA row for $ip" tkh_wait_for 3 tkh6_lease_active "$leases" "$ip" 0
  if tkh_wait_event 15 "$d1/events" RENEW6; then
    tkh_pass na-renew
    tkh_check_eq na-renew-same-address "$ip" "$(tkh_rec_get "$d1/events" RENEW6 ip)"
  else
    tkh_fail na-renew "no RENEW6 event within 15 s"
    tkh_show_tail "$d1/dhclient.log"
  fi
  tkh6_dhclient_release 1 "$d1"
  tkh_check na-client-stopped "dhclient still running after -r" tkh_wait_for 5 tkh_pid_dead "$pid1"
  tkh_check na-release-recorded "lease $ip still active: $(tkh6_lease_row "$leases" "$ip" 0)" \
    tkh_wait_for 5 tkh6_lease_released "$leases" "$ip" 0
else
  tkh_fail na-bound "no BOUND6 event within 20 s"
  tkh_show_tail "$d1/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
fi

# --- prefix delegation: dhclient -6 -P ----------------------------------------------------
d2=$TKH_TMP/c2
tkh6_dhclient_setup "$d2"
tkh6_dhclient_start 2 "$d2" -P
pid2=$TKH_LAST_PID
if tkh_wait_event 20 "$d2/events" BOUND6; then
  tkh_pass pd-bound
  prefix=$(tkh_rec_get "$d2/events" BOUND6 prefix)
  tkh_check pd-in-pool "prefix '$prefix' not a /$TKH6_PD_DELEGATED of $TKH6_PD_PREFIX/$TKH6_PD_LEN" \
    tkh6_prefix_in "$prefix" "$TKH6_PD_PREFIX" "$TKH6_PD_LEN" "$TKH6_PD_DELEGATED"
  tkh_check pd-lease-file "no active IA_PD row for ${prefix%/*}" \
    tkh_wait_for 3 tkh6_lease_active "$leases" "${prefix%/*}" 2
  tkh_check_eq pd-lease-length "$TKH6_PD_DELEGATED" \
    "$(tkh6_lease_row "$leases" "${prefix%/*}" 2 | awk '{ print $5 }')"
  tkh6_dhclient_release 2 "$d2" -P
  tkh_check pd-client-stopped "dhclient -P still running after -r" tkh_wait_for 5 tkh_pid_dead "$pid2"
  tkh_check pd-release-recorded "prefix ${prefix%/*} still active" \
    tkh_wait_for 5 tkh6_lease_released "$leases" "${prefix%/*}" 2
else
  tkh_fail pd-bound "no BOUND6 event for a prefix within 20 s"
  tkh_show_tail "$d2/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
fi

# --- a relayed client ---------------------------------------------------------------------
relay_ns=${TKH_CLIENT_NS[3]}
ip -n "$relay_ns" -6 addr add 2001:db8:1::99/64 dev eth0 nodad
for variant in single nested; do
  args=(--server "$TKH6_SRV_ADDR" --bind 2001:db8:1::99 --link "$TKH6_RELAY_LINK" --release)
  [[ $variant == nested ]] && args+=(--nested)
  out=$(ip netns exec "$relay_ns" timeout 30 python3 "$(dirname "$0")/../dhcp6/relay6.py" "${args[@]}")
  tkh_log "relay6 ($variant): $(tr '\n' ' ' <<< "$out")"
  got=$(sed -n 's/^reply=//p' <<< "$out")
  if [[ -z "$got" ]]; then
    tkh_fail "relay-$variant-address" "the relayed client got no address ($(tr '\n' ' ' <<< "$out"))"
    continue
  fi
  tkh_check "relay-$variant-address" "relayed client got '$got', not an address of $TKH6_RELAY_SUBNET" \
    tkh6_in_range "$got" "$TKH6_RELAY_POOL_FIRST" "$TKH6_RELAY_POOL_LAST"
  tkh_check_eq "relay-$variant-advertised-same" "$(sed -n 's/^advertise=//p' <<< "$out")" "$got"
  tkh_check_eq "relay-$variant-interface-id-echoed" "$(printf 'relay-port-7' | od -An -tx1 | tr -d ' \n')" \
    "$(sed -n 's/^interface_id=//p' <<< "$out")"
  tkh_check_eq "relay-$variant-layers" "$([[ $variant == nested ]] && echo 2 || echo 1)" \
    "$(sed -n 's/^hops=//p' <<< "$out")"
  tkh_check_eq "relay-$variant-released" 0 "$(sed -n 's/^released=//p' <<< "$out")"
  tkh_check "relay-$variant-release-recorded" "lease $got still active" \
    tkh_wait_for 5 tkh6_lease_released "$leases" "$got" 0
done

tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
((TKH_FAILS == 0)) || tkh_show_tail "$TKH_SERVER_LOG"
tkh_finish
