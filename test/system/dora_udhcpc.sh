#!/bin/bash
# busybox udhcpc: DORA with router/dns/domain, SIGUSR1 renew keeps the
# address, SIGUSR2 release is recorded by the server.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init dora_udhcpc
if command -v udhcpc > /dev/null; then
  udhcpc=(udhcpc)
elif command -v busybox > /dev/null && busybox udhcpc --help > /dev/null 2>&1; then
  udhcpc=(busybox udhcpc)
else
  tkh_skip_all setup "udhcpc not installed"
fi
tkh_require_server

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
# Long lease: the only renewal is the one SIGUSR1 asks for.
tkh_dhcp4_config "$conf" --leases "$leases" --globals '"valid-lifetime": 600'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

dir=$TKH_TMP/c1
ev=$dir/events
mkdir -p "$dir"
: > "$ev"
cat > "$dir/script.sh" << SCRIPT
#!/bin/sh
echo "reason=\$1;ip=\$ip;mask=\$subnet;routers=\$router;dns=\$dns;domain=\$domain;lease=\$lease;serverid=\$serverid" >> "$ev"
case "\$1" in
  deconfig) ip -4 addr flush dev "\$interface"; ip link set dev "\$interface" up ;;
  bound|renew) ip -4 addr replace "\$ip/24" dev "\$interface" ;;
esac
exit 0
SCRIPT
chmod 755 "$dir/script.sh"

tkh_bg "$dir/udhcpc.log" ip netns exec "${TKH_CLIENT_NS[1]}" "${udhcpc[@]}" -f -i eth0 \
  -s "$dir/script.sh" -t 5 -T 1 -A 1 -O router -O dns -O domain
pid=$TKH_LAST_PID

if ! tkh_wait_event 20 "$ev" bound; then
  tkh_fail bound "no bound event within 20 s"
  tkh_show_tail "$dir/udhcpc.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass bound
ip=$(tkh_rec_get "$ev" bound ip)
tkh_check address-in-pool "address '$ip' not in pool" tkh_in_pool "$ip"
tkh_check_eq subnet-mask 255.255.255.0 "$(tkh_rec_get "$ev" bound mask)"
tkh_check_eq router "$TKH_ROUTER" "$(tkh_rec_get "$ev" bound routers)"
tkh_check_eq dns "$TKH_DNS1 $TKH_DNS2" "$(tkh_rec_get "$ev" bound dns)"
tkh_check_eq domain "$TKH_DOMAIN" "$(tkh_rec_get "$ev" bound domain)"
tkh_check_eq lease-time 600 "$(tkh_rec_get "$ev" bound lease)"
tkh_check_eq server-id "$TKH_SRV_ADDR" "$(tkh_rec_get "$ev" bound serverid)"
tkh_check lease-file-active "no active lease for $ip" tkh_lease_active "$leases" "$ip"
rows_before=$(tkh_lease_rows "$leases" "$ip")

# SIGUSR1: renew (unicast DHCPREQUEST), same address.
kill -USR1 "$pid"
if tkh_wait_event 10 "$ev" renew; then
  tkh_pass renew
  tkh_check_eq renew-same-address "$ip" "$(tkh_rec_get "$ev" renew ip)"
  sleep 0.3
  rows_after=$(tkh_lease_rows "$leases" "$ip")
  tkh_check renew-recorded "lease rows $rows_before -> $rows_after" test "$rows_after" -gt "$rows_before"
else
  tkh_fail renew "no renew event within 10 s after SIGUSR1"
  tkh_show_tail "$dir/udhcpc.log"
fi

# SIGUSR2: release.
deconfigs=$(tkh_rec_count "$ev" deconfig)
kill -USR2 "$pid"
tkh_check release-deconfig "no deconfig event after SIGUSR2" \
  tkh_wait_event 5 "$ev" deconfig $((deconfigs + 1))
if tkh_wait_for 5 tkh_lease_released "$leases" "$ip"; then
  tkh_pass release-recorded
else
  tkh_fail release-recorded "lease $ip still active: $(tkh_lease_row "$leases" "$ip")"
  tkh_show_tail "$TKH_SERVER_LOG"
fi
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
