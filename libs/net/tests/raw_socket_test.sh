#!/usr/bin/env bash
# Raw socket test between two private network namespaces joined by a veth pair.
#
#   raw_socket_test.sh PATH/TO/raw_echo_probe
#
# Namespace A runs the probe as a raw server on UDP port 10067 (with its companion UDP socket);
# namespace B sends a broadcast and two unicast datagrams with the probe's send mode. Checks:
# the server sees each request with B's MAC and addresses, its raw replies (broadcast and
# unicast frames built by RawSocket4) reach B's UDP socket, it does not read its own replies,
# and A's kernel sent no ICMP port unreachable. All traffic stays inside the two namespaces,
# which are deleted on exit. Exit 77 (skip) when not root or `ip netns` is unavailable.
set -u

probe=${1:-}
if [[ -z "$probe" || ! -x "$probe" ]]; then
  echo "FAIL: usage: $0 PATH/TO/raw_echo_probe" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: raw socket test needs root (network namespaces, CAP_NET_RAW)"
  exit 77
fi
if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
  echo "SKIP: 'ip netns' is not available"
  exit 77
fi

ns_a="tkh-net-$$-a"
ns_b="tkh-net-$$-b"
workdir=$(mktemp -d /tmp/tkh-net-$$.XXXXXX)
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! ip netns add "$ns_a" 2>"$workdir/err"; then
  echo "SKIP: cannot create a network namespace: $(cat "$workdir/err")"
  exit 77
fi
set -e
ip netns add "$ns_b"
# The veth pair is created inside the namespaces: the host's own links are never touched.
ip -n "$ns_a" link add tkh-a type veth peer name tkh-b netns "$ns_b"
ip -n "$ns_a" addr add 198.51.100.1/24 dev tkh-a
ip -n "$ns_b" addr add 198.51.100.2/24 dev tkh-b
for ns in "$ns_a" "$ns_b"; do
  ip -n "$ns" link set lo up
done
ip -n "$ns_a" link set tkh-a up
ip -n "$ns_b" link set tkh-b up
mac_b=$(ip -n "$ns_b" -o link show tkh-b | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
mac_a=$(ip -n "$ns_a" -o link show tkh-a | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
set +e
echo "namespaces $ns_a ($mac_a, 198.51.100.1) <-> $ns_b ($mac_b, 198.51.100.2)"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Server: answers 3 requests, then listens 500 ms more for anything unexpected.
timeout 30 ip netns exec "$ns_a" "$probe" serve --iface tkh-a --port 10067 --count 3 \
  --timeout-ms 15000 --linger-ms 500 >"$workdir/server.out" 2>&1 &
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

send() {  # send TO FROM_PORT PAYLOAD -> prints the client's output
  timeout 15 ip netns exec "$ns_b" "$probe" send --iface tkh-b --to "$1" --port 10067 \
    --from-port "$2" --payload "$3" --timeout-ms 5000 2>&1
}

out=$(send 255.255.255.255 10068 hello-broadcast)
echo "client: $out"
[[ "$out" == "REPLY from=198.51.100.1:10067 to=255.255.255.255:10068 payload=echo:hello-broadcast" ]] ||
  fail "broadcast request: unexpected client output"

out=$(send 198.51.100.1 10068 hello-unicast)
echo "client: $out"
[[ "$out" == "REPLY from=198.51.100.1:10067 to=198.51.100.2:10068 payload=echo:hello-unicast" ]] ||
  fail "unicast request: unexpected client output"

# The reply goes to port 10067, which the server's own filter accepts: the server must not
# read its own outgoing frame back.
out=$(send 198.51.100.1 10067 hello-same-port)
echo "client: $out"
[[ "$out" == "REPLY from=198.51.100.1:10067 to=198.51.100.2:10067 payload=echo:hello-same-port" ]] ||
  fail "same-port request: unexpected client output"

wait "$server_pid"
server_rc=$?
server_pid=""
sed 's/^/server: /' "$workdir/server.out"
[[ $server_rc -eq 0 ]] || fail "probe server exited with $server_rc"

expect_line() {
  grep -qxF "$1" "$workdir/server.out" || fail "server output lacks: $1"
}
expect_line "RECV src_mac=$mac_b src=198.51.100.2:10068 dst=255.255.255.255:10067 if=tkh-a payload=hello-broadcast"
expect_line "RECV src_mac=$mac_b src=198.51.100.2:10068 dst=198.51.100.1:10067 if=tkh-a payload=hello-unicast"
expect_line "RECV src_mac=$mac_b src=198.51.100.2:10067 dst=198.51.100.1:10067 if=tkh-a payload=hello-same-port"
expect_line "SENT to=255.255.255.255:10068 mac=ff:ff:ff:ff:ff:ff"
expect_line "SENT to=198.51.100.2:10068 mac=$mac_b"
grep -q '^UNEXPECTED' "$workdir/server.out" && fail "server read a frame it should have ignored"
grep -q '^DONE answered=3 malformed=0$' "$workdir/server.out" || fail "server did not finish cleanly"

# The companion UDP socket must have kept A's kernel from answering unicasts with ICMP.
unreach=$(ip netns exec "$ns_a" awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 } else print $col["OutDestUnreachs"] }' /proc/net/snmp)
echo "ICMP destination unreachable sent by server namespace: ${unreach:-?}"
[[ "$unreach" == "0" ]] || fail "server namespace sent ICMP destination unreachable"

if [[ $failures -ne 0 ]]; then
  echo "net-raw: $failures check(s) failed"
  exit 1
fi
echo "net-raw: all checks passed"
exit 0
