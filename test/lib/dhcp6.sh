# DHCPv6 helpers for system tests (sourced after common.sh): a topology with IPv6 on the
# server's bridge, a Kea-compatible Dhcp6 configuration, the DHCPv6 server's start, and
# dhclient -6 (addresses, and -P for prefix delegation).
#
# DHCP6_SERVER: the server to test (default: takahe-dhcp6 of BUILD_DIR; /usr/sbin/kea-dhcp6
# runs the same tests against Kea, which is how the harness itself is checked).

DHCP6_SERVER=${DHCP6_SERVER:-${BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build-ci}/daemons/dhcp6/takahe-dhcp6}
TKH6_SRV_ADDR=2001:db8:1::1
TKH6_SUBNET=2001:db8:1::/64
TKH6_POOL_FIRST=2001:db8:1::100
TKH6_POOL_LAST=2001:db8:1::1ff
TKH6_PD_PREFIX=2001:db8:8000::
TKH6_PD_LEN=48
TKH6_PD_DELEGATED=56
TKH6_DNS=2001:db8::53
TKH6_DOMAIN=example.org
# A relayed subnet: relays say link-address 2001:db8:2::1 (test/dhcp6/relay6.py).
TKH6_RELAY_LINK=2001:db8:2::1
TKH6_RELAY_SUBNET=2001:db8:2::/64
TKH6_RELAY_POOL_FIRST=2001:db8:2::100
TKH6_RELAY_POOL_LAST=2001:db8:2::1ff

tkh6_require_server() {
  if [[ ! -x "$DHCP6_SERVER" ]]; then
    tkh_skip_all setup "DHCP6_SERVER not executable: $DHCP6_SERVER"
  fi
}

# _tkh6_no_dad NS: no duplicate address detection in NS (addresses usable at once).
_tkh6_no_dad() {
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.forwarding=0 > /dev/null
}

# tkh6_topology N: as tkh_topology (server namespace $TKH_SRV_NS with bridge br0, N client
# namespaces with eth0 on it), without duplicate address detection, and br0 holding
# $TKH6_SRV_ADDR/64 besides its link-local address.
tkh6_topology() {
  local n=$1 i ns
  tkh_ns_add TKH_SRV_NS srv || return 1
  _tkh6_no_dad "$TKH_SRV_NS"
  ip -n "$TKH_SRV_NS" link add br0 type bridge || return 1
  ip -n "$TKH_SRV_NS" link set br0 up
  ip -n "$TKH_SRV_NS" -6 addr add "$TKH6_SRV_ADDR/64" dev br0 nodad
  for ((i = 1; i <= n; i++)); do
    tkh_ns_add ns "c$i" || return 1
    _tkh6_no_dad "$ns"
    TKH_CLIENT_NS[i]=$ns
    ip -n "$TKH_SRV_NS" link add "p$i" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$TKH_SRV_NS" link set "p$i" master br0
    ip -n "$TKH_SRV_NS" link set "p$i" up
    ip -n "$ns" link set eth0 up
  done
  # The bridge's link-local address appears once a port is up.
  tkh_wait_for 5 _tkh6_has_link_local "$TKH_SRV_NS" br0
}

_tkh6_has_link_local() {
  ip -n "$1" -6 addr show dev "$2" scope link 2> /dev/null | grep -q "inet6 fe80"
}

# tkh6_std_subnet: the direct subnet of br0 (pool, pd-pool, DNS and domain search).
tkh6_std_subnet() {
  cat << JSON
{ "id": 1, "subnet": "$TKH6_SUBNET", "interface": "br0",
  "pools": [ { "pool": "$TKH6_POOL_FIRST - $TKH6_POOL_LAST" } ],
  "pd-pools": [ { "prefix": "$TKH6_PD_PREFIX", "prefix-len": $TKH6_PD_LEN,
                  "delegated-len": $TKH6_PD_DELEGATED } ],
  "option-data": [ { "name": "dns-servers", "data": "$TKH6_DNS" },
                   { "name": "domain-search", "data": "$TKH6_DOMAIN" } ] }
JSON
}

# tkh6_relay_subnet: the subnet relays reach (selected by the relay's link-address).
tkh6_relay_subnet() {
  cat << JSON
{ "id": 2, "subnet": "$TKH6_RELAY_SUBNET",
  "pools": [ { "pool": "$TKH6_RELAY_POOL_FIRST - $TKH6_RELAY_POOL_LAST" } ] }
JSON
}

# tkh6_dhcp6_config OUT [--leases FILE] [--globals 'JSON MEMBERS'] [--subnets 'JSON ARRAY']
#   [--interfaces 'JSON ARRAY'] [--severity INFO] [--socket PATH] [--lifetimes 'JSON MEMBERS']
# Writes a Kea 2.2 Dhcp6 configuration (logging to stdout, explicit server-id: Kea wants one in
# a fresh namespace).
tkh6_dhcp6_config() {
  local out=$1
  shift
  local leases="$TKH_TMP/leases6.csv" globals="" subnets="" interfaces='[ "br0" ]' severity=INFO
  local socket="$TKH_TMP/dhcp6.sock"
  local lifetimes='"preferred-lifetime": 300, "valid-lifetime": 600, "renew-timer": 150, "rebind-timer": 240'
  while (($#)); do
    case $1 in
      --leases) leases=$2 ;;
      --globals) globals="$2," ;;
      --subnets) subnets=$2 ;;
      --interfaces) interfaces=$2 ;;
      --severity) severity=$2 ;;
      --socket) socket=$2 ;;
      --lifetimes) lifetimes=$2 ;;
      *) echo "tkh6_dhcp6_config: unknown option $1" >&2; return 1 ;;
    esac
    shift 2
  done
  [[ -n "$subnets" ]] || subnets="[ $(tkh6_std_subnet), $(tkh6_relay_subnet) ]"
  cat > "$out" << JSON
{
  "Dhcp6": {
    "interfaces-config": { "interfaces": $interfaces },
    "control-socket": { "socket-type": "unix", "socket-name": "$socket" },
    "lease-database": { "type": "memfile", "name": "$leases", "persist": true, "lfc-interval": 0 },
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0102030405060708", "persist": false },
    "data-directory": "$TKH_TMP/run",
    $lifetimes,
    $globals
    "subnet6": $subnets,
    "loggers": [ { "name": "kea-dhcp6", "severity": "$severity",
                   "output_options": [ { "output": "stdout" } ] } ]
  }
}
JSON
}

# tkh6_server_start CONFIG: starts $DHCP6_SERVER in $TKH_SRV_NS and waits (<= 15 s) until it
# listens. Sets TKH_SERVER_PID and TKH_SERVER_LOG (tkh_server_stop stops it).
tkh6_server_start() {
  local conf=$1 i
  TKH_SERVER_LOG="$TKH_TMP/server6.log"
  echo "=== $(date '+%T') starting $DHCP6_SERVER -c $conf" >> "$TKH_SERVER_LOG"
  tkh_bg "$TKH_SERVER_LOG" ip netns exec "$TKH_SRV_NS" env \
    KEA_PIDFILE_DIR="$TKH_TMP/run" KEA_LOCKFILE_DIR="$TKH_TMP/run" \
    TAKAHE_PIDFILE_DIR="$TKH_TMP/run" TAKAHE_LOCKFILE_DIR="$TKH_TMP/run" \
    "$DHCP6_SERVER" -c "$conf"
  TKH_SERVER_PID=$TKH_LAST_PID
  for ((i = 0; i < 150; i++)); do
    if ! tkh_pid_alive "$TKH_SERVER_PID"; then
      tkh_log "DHCPv6 server exited during startup"
      tkh_show_tail "$TKH_SERVER_LOG"
      return 1
    fi
    if ip netns exec "$TKH_SRV_NS" ss -H -a -n -u -p 2> /dev/null | grep ":547 " | grep -q "pid=$TKH_SERVER_PID,"; then
      return 0
    fi
    sleep 0.1
  done
  tkh_log "DHCPv6 server not listening on port 547 after 15 s"
  tkh_show_tail "$TKH_SERVER_LOG"
  return 1
}

# tkh6_dhclient_setup DIR: dhclient.conf, an empty lease file and the -sf script; the script
# records one event line per call (reason, address, prefix, lifetimes, DNS, search list) and
# sets the address on the client's interface.
tkh6_dhclient_setup() {
  local dir=$1
  mkdir -p "$dir"
  cat > "$dir/dhclient.conf" << 'EOF'
timeout 20;
retry 1;
initial-interval 1;
request dhcp6.name-servers, dhcp6.domain-search;
EOF
  : > "$dir/dhclient.leases"
  : > "$dir/events"
  cat > "$dir/script.sh" << EOF
#!/bin/sh
echo "reason=\$reason;ip=\$new_ip6_address;plen=\$new_ip6_prefixlen;prefix=\$new_ip6_prefix;preferred=\$new_preferred_life;valid=\$new_max_life;renew=\$new_renew;rebind=\$new_rebind;dns=\$new_dhcp6_name_servers;search=\$new_dhcp6_domain_search;serverid=\$new_dhcp6_server_id;old_ip=\$old_ip6_address;old_prefix=\$old_ip6_prefix" >> "$dir/events"
case "\$reason" in
  PREINIT6) ip link set dev "\$interface" up ;;
  BOUND6|RENEW6|REBIND6|REBOOT6)
    if [ -n "\$new_ip6_address" ]; then
      ip -6 addr replace "\$new_ip6_address/128" dev "\$interface" nodad
    fi ;;
  EXPIRE6|RELEASE6|STOP6)
    if [ -n "\$old_ip6_address" ]; then
      ip -6 addr del "\$old_ip6_address/128" dev "\$interface" 2> /dev/null
    fi ;;
esac
exit 0
EOF
  chmod 755 "$dir/script.sh"
}

_tkh6_dhclient_cmd() {
  TKH_CMD=(ip netns exec "${TKH_CLIENT_NS[$1]}" dhclient -6 -cf "$2/dhclient.conf"
    -lf "$2/dhclient.leases" -pf "$2/dhclient.pid" -sf "$2/script.sh")
}

# tkh6_dhclient_start I DIR [EXTRA ARGS, e.g. -P]: dhclient -6 -d in client I's namespace in
# the background (log DIR/dhclient.log). Sets TKH_LAST_PID.
tkh6_dhclient_start() {
  local i=$1 dir=$2
  shift 2
  _tkh6_dhclient_cmd "$i" "$dir"
  tkh_bg "$dir/dhclient.log" "${TKH_CMD[@]}" -d -v "$@" eth0
}

# tkh6_dhclient_release I DIR [EXTRA ARGS]: dhclient -6 -r with the same files (stops the
# running dhclient and sends RELEASE).
tkh6_dhclient_release() {
  local i=$1 dir=$2
  shift 2
  _tkh6_dhclient_cmd "$i" "$dir"
  timeout 20 "${TKH_CMD[@]}" -r -v "$@" eth0 >> "$dir/dhclient.log" 2>&1 < /dev/null
}

# tkh6_lease_row FILE ADDR [TYPE]: the last lease6 CSV row for ADDR (TYPE 0 = IA_NA, 2 = IA_PD;
# any when absent) as "valid_lifetime expire state lease_type prefix_len duid", columns found
# by header name.
tkh6_lease_row() {
  local file=$1 addr=$2 type=${3:-}
  [[ -r "$file" ]] || return 1
  awk -F, -v a="$addr" -v t="$type" '
    $1 == "address" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == a && (t == "" || $col["lease_type"] == t) { row = $0 }
    END {
      if (row == "") exit 1
      n = split(row, f, ",")
      st = ("state" in col) ? f[col["state"]] : 0
      print f[col["valid_lifetime"]], f[col["expire"]], st, f[col["lease_type"]], f[col["prefix_len"]], f[col["duid"]]
    }' "$file"
}

# True when the last row for ADDR is an active lease (lifetime > 0, state 0, not expired).
tkh6_lease_active() {
  local row vl exp st now
  row=$(tkh6_lease_row "$@") || return 1
  read -r vl exp st _ <<< "$row"
  now=$(date +%s)
  [[ "$vl" -gt 0 && "$st" == 0 && "$exp" -gt "$now" ]]
}

# True when the last row for ADDR shows it gone (valid lifetime 0, released or reclaimed).
tkh6_lease_released() {
  local row vl st
  row=$(tkh6_lease_row "$@") || return 1
  read -r vl _ st _ <<< "$row"
  [[ "$vl" == 0 || "$st" == 2 || "$st" == 3 ]]
}

# tkh6_in_range ADDR FIRST LAST: ADDR lies between FIRST and LAST (IPv6, inclusive).
tkh6_in_range() {
  python3 - "$@" << 'PY'
import ipaddress, sys
a, f, l = (ipaddress.IPv6Address(x) for x in sys.argv[1:4])
sys.exit(0 if f <= a <= l else 1)
PY
}

# tkh6_prefix_in PREFIX/LEN POOL_PREFIX POOL_LEN DELEGATED_LEN: the delegated prefix has the
# delegated length and lies inside the pd-pool.
tkh6_prefix_in() {
  python3 - "$@" << 'PY'
import ipaddress, sys
p = ipaddress.IPv6Network(sys.argv[1], strict=True)
pool = ipaddress.IPv6Network(f"{sys.argv[2]}/{sys.argv[3]}")
sys.exit(0 if p.prefixlen == int(sys.argv[4]) and p.subnet_of(pool) else 1)
PY
}
