#!/bin/bash
# dhcpcd: DORA with options, then `dhcpcd -k` releases. dhcpcd writes to /run
# and /var/lib/dhcpcd, so it runs in a private mount namespace with temporary
# folders bind-mounted over both (and its own PID namespace, so that its
# helper processes are reaped); one driver script inside that namespace
# starts dhcpcd, waits for our signal file, then runs `dhcpcd -k`.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init dora_dhcpcd
tkh_require_cmd dhcpcd
tkh_require_server

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
tkh_dhcp4_config "$conf" --leases "$leases" --globals '"valid-lifetime": 600'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start

dir=$TKH_TMP/c1
ev=$dir/events
mkdir -p "$dir/run" "$dir/lib"
: > "$ev"
cat > "$dir/dhcpcd.conf" << 'EOF2'
ipv4only
noipv6rs
noipv4ll
noarp
nogateway
option subnet_mask, routers, domain_name_servers, domain_name
EOF2
cat > "$dir/script.sh" << EOF2
#!/bin/sh
echo "reason=\$reason;ip=\$new_ip_address;mask=\$new_subnet_mask;routers=\$new_routers;dns=\$new_domain_name_servers;domain=\$new_domain_name;lease=\$new_dhcp_lease_time;serverid=\$new_dhcp_server_identifier" >> "$ev"
exit 0
EOF2
cat > "$dir/driver.sh" << EOF2
#!/bin/sh
# Runs inside: ip netns exec CLIENT unshare -m -p -f --propagation private
mount --bind "$dir/run" /run || exit 2
mount --bind "$dir/lib" /var/lib/dhcpcd || exit 2
dhcpcd -f "$dir/dhcpcd.conf" -B -d -c "$dir/script.sh" eth0 > "$dir/dhcpcd.log" 2>&1 &
pid=\$!
echo \$pid > "$dir/dhcpcd.pid"
i=0
while [ ! -e "$dir/release" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
dhcpcd -f "$dir/dhcpcd.conf" -k eth0 > "$dir/dhcpcd-k.log" 2>&1
echo "dhcpcd -k exit \$?" >> "$dir/dhcpcd-k.log"
i=0
while kill -0 \$pid 2> /dev/null && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
if kill -0 \$pid 2> /dev/null; then
  kill \$pid
  echo "dhcpcd did not exit after -k" >> "$dir/dhcpcd-k.log"
  exit 1
fi
exit 0
EOF2
chmod 755 "$dir/script.sh" "$dir/driver.sh"

tkh_bg "$dir/driver.log" ip netns exec "${TKH_CLIENT_NS[1]}" \
  unshare -m -p -f --propagation private "$dir/driver.sh"
driver=$TKH_LAST_PID

if ! tkh_wait_event 25 "$ev" BOUND; then
  tkh_fail bound "no BOUND event within 25 s"
  tkh_show_tail "$dir/dhcpcd.log"
  tkh_show_tail "$dir/driver.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass bound
ip=$(tkh_rec_get "$ev" BOUND ip)
tkh_check address-in-pool "address '$ip' not in pool" tkh_in_pool "$ip"
tkh_check_eq subnet-mask 255.255.255.0 "$(tkh_rec_get "$ev" BOUND mask)"
tkh_check_eq routers "$TKH_ROUTER" "$(tkh_rec_get "$ev" BOUND routers)"
tkh_check_eq dns "$TKH_DNS1 $TKH_DNS2" "$(tkh_rec_get "$ev" BOUND dns)"
tkh_check_eq domain "$TKH_DOMAIN" "$(tkh_rec_get "$ev" BOUND domain)"
tkh_check_eq lease-time 600 "$(tkh_rec_get "$ev" BOUND lease)"
tkh_check_eq server-id "$TKH_SRV_ADDR" "$(tkh_rec_get "$ev" BOUND serverid)"
tkh_check lease-file-active "no active lease for $ip" tkh_lease_active "$leases" "$ip"
# dhcpcd configures the address itself.
tkh_check address-configured "$ip not on the client's eth0" tkh_wait_for 5 \
  sh -c "ip -n '${TKH_CLIENT_NS[1]}' -4 addr show dev eth0 | grep -q 'inet $ip/'"

touch "$dir/release"
tkh_check driver-exit "dhcpcd -k did not stop dhcpcd: $(cat "$dir/dhcpcd-k.log" 2> /dev/null)" \
  tkh_wait_for 15 tkh_pid_dead "$driver"
if tkh_wait_for 5 tkh_lease_released "$leases" "$ip"; then
  tkh_pass release-recorded
else
  tkh_fail release-recorded "lease $ip still active: $(tkh_lease_row "$leases" "$ip")"
  tkh_show_tail "$dir/dhcpcd.log"
  tkh_show_tail "$TKH_SERVER_LOG"
fi
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"

tkh_finish
