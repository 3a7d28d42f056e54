#!/usr/bin/env bash
# UDP/IPv6 socket test between two private network namespaces joined by two veth pairs.
#
#   udp_socket6_ns_test.sh PATH/TO/udp6_echo_probe
#
# Server namespace S (links tkh6-s1, tkh6-s2) runs the probe laid out like a DHCPv6 server:
# one UdpSocket6 per link on [::]:547 bound to the link and joined to ff02::1:2 (and ff05::1:3),
# plus one bound to the unicast address 2001:db8:6::1 on tkh6-s1. Client namespace C (tkh6-c1,
# tkh6-c2) sends from port 546. Checks: multicast to ff02::1:2 out of each client link reaches
# only the server socket of the facing link, with that link's ifindex and the client's
# link-local source; the reply from the server's link-local address reaches the client's
# link-local address on port 546; unicast reaches the address-bound socket (destination tells
# unicast from multicast); ff05::1:3 is received when joined; nothing is delivered twice;
# listInterfaces() reports the link-local and global addresses `ip` shows; no ICMPv6
# unreachable. Ports 546/547 are private to the namespaces, which are deleted on exit.
# Exit 77 (skip) when not root or `ip netns` is unavailable.
set -u

probe=${1:-}
if [[ -z "$probe" || ! -x "$probe" ]]; then
  echo "FAIL: usage: $0 PATH/TO/udp6_echo_probe" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: UDP/IPv6 namespace test needs root (network namespaces)"
  exit 77
fi
if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
  echo "SKIP: 'ip netns' is not available"
  exit 77
fi

ns_s="tkh-net6-$$-s"
ns_c="tkh-net6-$$-c"
workdir=$(mktemp -d /tmp/tkh-net6-$$.XXXXXX)
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  ip netns del "$ns_s" 2>/dev/null
  ip netns del "$ns_c" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! ip netns add "$ns_s" 2>"$workdir/err"; then
  echo "SKIP: cannot create a network namespace: $(cat "$workdir/err")"
  exit 77
fi
if [[ ! -e /proc/sys/net/ipv6 ]]; then
  echo "SKIP: IPv6 is not available"
  exit 77
fi
set -e
ip netns add "$ns_c"
# No duplicate address detection: addresses are usable as soon as the links are up. It must be
# off before the links exist so their automatic link-local addresses inherit it.
for ns in "$ns_s" "$ns_c"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$ns" link set lo up
done
# The veth pairs are created inside the namespaces: the host's own links are never touched.
ip -n "$ns_s" link add tkh6-s1 type veth peer name tkh6-c1 netns "$ns_c"
ip -n "$ns_s" link add tkh6-s2 type veth peer name tkh6-c2 netns "$ns_c"
ip -n "$ns_s" addr add 2001:db8:6::1/64 dev tkh6-s1 nodad
ip -n "$ns_c" addr add 2001:db8:6::2/64 dev tkh6-c1 nodad
for l in tkh6-s1 tkh6-s2; do ip -n "$ns_s" link set "$l" up; done
for l in tkh6-c1 tkh6-c2; do ip -n "$ns_c" link set "$l" up; done
set +e

link_local() {  # link_local NS DEV -> the link's fe80:: address once it is usable
  ip -n "$1" -6 -o addr show dev "$2" scope link | grep -v tentative | awk '{ sub("/.*", "", $4); print $4; exit }'
}
ifindex() {  # ifindex NS DEV
  ip -n "$1" -o link show dev "$2" | cut -d: -f1
}
for _ in $(seq 1 50); do
  ll_s1=$(link_local "$ns_s" tkh6-s1)
  ll_s2=$(link_local "$ns_s" tkh6-s2)
  ll_c1=$(link_local "$ns_c" tkh6-c1)
  ll_c2=$(link_local "$ns_c" tkh6-c2)
  [[ -n "$ll_s1" && -n "$ll_s2" && -n "$ll_c1" && -n "$ll_c2" ]] && break
  sleep 0.1
done
if [[ -z "$ll_s1" || -z "$ll_s2" || -z "$ll_c1" || -z "$ll_c2" ]]; then
  echo "FAIL: link-local addresses did not appear"
  ip -n "$ns_s" -6 addr
  ip -n "$ns_c" -6 addr
  exit 1
fi
idx_s1=$(ifindex "$ns_s" tkh6-s1)
idx_s2=$(ifindex "$ns_s" tkh6-s2)
echo "server $ns_s: tkh6-s1 #$idx_s1 $ll_s1 2001:db8:6::1, tkh6-s2 #$idx_s2 $ll_s2"
echo "client $ns_c: tkh6-c1 $ll_c1 2001:db8:6::2, tkh6-c2 $ll_c2"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Server: answers 4 requests, then listens 500 ms more for duplicates.
timeout 30 ip netns exec "$ns_s" "$probe" serve --ifaces tkh6-s1,tkh6-s2 --port 547 --count 4 \
  --groups ff02::1:2,ff05::1:3 --unicast 2001:db8:6::1 --timeout-ms 15000 --linger-ms 500 \
  >"$workdir/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do
  grep -q '^READY' "$workdir/server.out" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if ! grep -q '^READY' "$workdir/server.out"; then
  cat "$workdir/server.out"
  fail "probe server did not start"
  exit 1
fi

send() {  # send IFACE TO PAYLOAD -> prints the client's output
  timeout 15 ip netns exec "$ns_c" "$probe" send --iface "$1" --to "$2" --port 547 \
    --from-port 546 --payload "$3" --timeout-ms 5000 2>&1
}
expect_client() {  # expect_client WHAT EXPECTED ACTUAL
  echo "client: $3"
  [[ "$3" == "$2" ]] || fail "$1: expected client output: $2"
}

expect_client "multicast via tkh6-c1" \
  "REPLY from=[$ll_s1]:547 to=[$ll_c1]:546 if=tkh6-c1 payload=echo:solicit-1" \
  "$(send tkh6-c1 ff02::1:2 solicit-1)"
expect_client "multicast via tkh6-c2" \
  "REPLY from=[$ll_s2]:547 to=[$ll_c2]:546 if=tkh6-c2 payload=echo:solicit-2" \
  "$(send tkh6-c2 ff02::1:2 solicit-2)"
expect_client "unicast to 2001:db8:6::1" \
  "REPLY from=[2001:db8:6::1]:547 to=[2001:db8:6::2]:546 if=tkh6-c1 payload=echo:renew-unicast" \
  "$(send tkh6-c1 2001:db8:6::1 renew-unicast)"
# A group the server's sockets did not join is not delivered to them, even one the kernel
# itself is a member of on every link (all-nodes ff02::1, IPV6_MULTICAST_ALL off): no RECV, and
# the client times out.
out=$(timeout 15 ip netns exec "$ns_c" "$probe" send --iface tkh6-c1 --to ff02::1 --port 547 \
  --from-port 546 --payload not-joined --timeout-ms 700 2>&1)
echo "client (group not joined): $out"
[[ "$out" == "TIMEOUT no reply" ]] || fail "a datagram to a group that was not joined was answered"

# Site scope: the client's kernel picks its global address as source (RFC 6724 scope rule),
# so the reply goes to that global address and leaves from the server's.
expect_client "site-scope multicast ff05::1:3" \
  "REPLY from=[2001:db8:6::1]:547 to=[2001:db8:6::2]:546 if=tkh6-c1 payload=echo:site" \
  "$(send tkh6-c1 ff05::1:3 site)"

wait "$server_pid"
server_rc=$?
server_pid=""
sed 's/^/server: /' "$workdir/server.out"
[[ $server_rc -eq 0 ]] || fail "probe server exited with $server_rc"

expect_line() {
  grep -qxF "$1" "$workdir/server.out" || fail "server output lacks: $1"
}
# listInterfaces() agrees with `ip` on link-local and global addresses and prefix lengths.
expect_line "IFACE name=tkh6-s1 index=$idx_s1 ll=$ll_s1 global=2001:db8:6::1/64"
expect_line "IFACE name=tkh6-s2 index=$idx_s2 ll=$ll_s2 global="
expect_line "RECV src=[$ll_c1]:546 dst=ff02::1:2 if=tkh6-s1 ifindex=$idx_s1 mcast=1 payload=solicit-1 via=udp6 [::]:547 device tkh6-s1"
expect_line "RECV src=[$ll_c2]:546 dst=ff02::1:2 if=tkh6-s2 ifindex=$idx_s2 mcast=1 payload=solicit-2 via=udp6 [::]:547 device tkh6-s2"
expect_line "RECV src=[2001:db8:6::2]:546 dst=2001:db8:6::1 if=tkh6-s1 ifindex=$idx_s1 mcast=0 payload=renew-unicast via=udp6 [2001:db8:6::1]:547 device tkh6-s1"
expect_line "RECV src=[2001:db8:6::2]:546 dst=ff05::1:3 if=tkh6-s1 ifindex=$idx_s1 mcast=1 payload=site via=udp6 [::]:547 device tkh6-s1"
[[ $(grep -c '^RECV' "$workdir/server.out") -eq 4 ]] || fail "server did not receive exactly 4 datagrams"
grep -q '^UNEXPECTED' "$workdir/server.out" && fail "a datagram was delivered twice"
grep -q '^DONE answered=4 malformed=0 truncated=0$' "$workdir/server.out" ||
  fail "server did not finish cleanly"

unreach=$(ip netns exec "$ns_s" awk '$1 == "Icmp6OutDestUnreachs" { print $2 }' /proc/net/snmp6)
echo "ICMPv6 destination unreachable sent by server namespace: ${unreach:-?}"
[[ "$unreach" == "0" ]] || fail "server namespace sent ICMPv6 destination unreachable"

if [[ $failures -ne 0 ]]; then
  echo "net-udp6: $failures check(s) failed"
  exit 1
fi
echo "net-udp6: all checks passed"
exit 0
