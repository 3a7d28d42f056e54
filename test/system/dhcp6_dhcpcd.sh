#!/bin/bash
# dhcpcd over DHCPv6: one exchange asks for an address (IA_NA) and a prefix (IA_PD) together;
# both come from the configured pools and are in the lease file; `dhcpcd -k` releases both.
# dhcpcd runs in private mount and PID namespaces with its /run and /var/lib/dhcpcd on
# temporary folders (see dora_dhcpcd.sh). DHCP6_SERVER=/usr/sbin/kea-dhcp6 runs it against Kea.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"

tkh_init dhcp6_dhcpcd
tkh_require_cmd dhcpcd python3
tkh6_require_server

tkh6_topology 1 || tkh_skip_all setup "could not create namespaces"
conf=$TKH_TMP/dhcp6.json
leases=$TKH_TMP/leases6.csv
tkh6_dhcp6_config "$conf" --leases "$leases"
if ! tkh6_server_start "$conf"; then
  tkh_fail server-start "the DHCPv6 server did not start listening"
  tkh_finish
fi
tkh_pass server-start

dir=$TKH_TMP/c1
ev=$dir/events
mkdir -p "$dir/run" "$dir/lib"
: > "$ev"
# No router advertisements here: noipv6rs makes dhcpcd start DHCPv6 by itself.
cat > "$dir/dhcpcd.conf" << 'EOF2'
ipv6only
noipv6rs
nogateway
duid
option dhcp6_name_servers, dhcp6_domain_search
interface eth0
  ia_na 1
  ia_pd 2
EOF2
cat > "$dir/script.sh" << EOF2
#!/bin/sh
echo "reason=\$reason;ip=\$new_dhcp6_ia_na1_ia_addr1;prefix=\$new_dhcp6_ia_pd1_prefix1;plen=\$new_dhcp6_ia_pd1_prefix1_length;dns=\$new_dhcp6_name_servers;search=\$new_dhcp6_domain_search" >> "$ev"
exit 0
EOF2
cat > "$dir/driver.sh" << EOF2
#!/bin/sh
# Runs inside: ip netns exec CLIENT unshare -m -p -f --propagation private
mount --bind "$dir/run" /run || exit 2
mount --bind "$dir/lib" /var/lib/dhcpcd || exit 2
dhcpcd -6 -f "$dir/dhcpcd.conf" -B -d -c "$dir/script.sh" eth0 > "$dir/dhcpcd.log" 2>&1 &
pid=\$!
i=0
while [ ! -e "$dir/release" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
dhcpcd -6 -f "$dir/dhcpcd.conf" -k eth0 > "$dir/dhcpcd-k.log" 2>&1
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

# dhcpcd reports DHCPv6 results with reason BOUND6 (or REBOOT6 from a saved lease).
if ! tkh_wait_for 25 sh -c "grep -q 'reason=\(BOUND6\|REBOOT6\);ip=[0-9a-f]' '$ev'"; then
  tkh_fail bound "no BOUND6 event with an address within 25 s"
  tkh_show_tail "$dir/dhcpcd.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  touch "$dir/release"
  tkh_finish
fi
tkh_pass bound
ip=$(tkh_rec_get "$ev" 'BOUND6|REBOOT6' ip)
prefix=$(tkh_rec_get "$ev" 'BOUND6|REBOOT6' prefix)
plen=$(tkh_rec_get "$ev" 'BOUND6|REBOOT6' plen)
tkh_check na-in-pool "address '$ip' not in $TKH6_POOL_FIRST-$TKH6_POOL_LAST" \
  tkh6_in_range "$ip" "$TKH6_POOL_FIRST" "$TKH6_POOL_LAST"
tkh_check pd-in-pool "prefix '$prefix/$plen' not a /$TKH6_PD_DELEGATED of $TKH6_PD_PREFIX/$TKH6_PD_LEN" \
  tkh6_prefix_in "$prefix/$plen" "$TKH6_PD_PREFIX" "$TKH6_PD_LEN" "$TKH6_PD_DELEGATED"
tkh_check_eq dns "$TKH6_DNS" "$(tkh_rec_get "$ev" 'BOUND6|REBOOT6' dns)"
tkh_check_eq search "$TKH6_DOMAIN" "$(tkh_rec_get "$ev" 'BOUND6|REBOOT6' search)"
tkh_check na-lease-file "no active IA_NA row for $ip" tkh_wait_for 3 tkh6_lease_active "$leases" "$ip" 0
tkh_check pd-lease-file "no active IA_PD row for $prefix" tkh_wait_for 3 tkh6_lease_active "$leases" "$prefix" 2

touch "$dir/release"
tkh_check driver-exit "dhcpcd -k did not stop dhcpcd: $(cat "$dir/dhcpcd-k.log" 2> /dev/null)" \
  tkh_wait_for 15 tkh_pid_dead "$driver"
tkh_check na-release-recorded "address $ip still active" tkh_wait_for 5 tkh6_lease_released "$leases" "$ip" 0
tkh_check pd-release-recorded "prefix $prefix still active" tkh_wait_for 5 tkh6_lease_released "$leases" "$prefix" 2
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
((TKH_FAILS == 0)) || { tkh_show_tail "$dir/dhcpcd.log"; tkh_show_tail "$TKH_SERVER_LOG"; }
tkh_finish
