#!/bin/bash
# Daemon lifecycle on loopback in a private namespace: one server per PID file and per lease
# file; SIGHUP applies a good file and keeps serving on a bad one; reloads under load lose no
# exchange; malformed packets are survived; lease-file cleanup (lfc-interval) runs while
# serving and a restart finds every lease; SIGTERM exits cleanly and removes the PID file.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init lifecycle
tkh_require_cmd perfdhcp
tkh_require_cmd python3
tkh_require_takahe

tkh_ns_add TKH_SRV_NS life || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo

leases=$TKH_TMP/leases4.csv
subnet='[ { "id": 1, "subnet": "198.18.0.0/15",
    "pools": [ { "pool": "198.18.0.1 - 198.19.255.254" } ],
    "relay": { "ip-addresses": [ "127.0.0.2" ] } } ]'
write_conf() { # write_conf FILE LIFETIME [LFC-INTERVAL]
  tkh_dhcp4_config "$1" --leases "$leases" --iface lo/127.0.0.1 --socket udp \
    --subnets "$subnet" --severity INFO --globals "\"valid-lifetime\": $2"
  sed -i "s/\"lfc-interval\": 0/\"lfc-interval\": ${3:-0}/" "$1"
}
conf=$TKH_TMP/dhcp4.json
write_conf "$conf" 3600 2
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_finish
fi
tkh_pass server-start
pidfile=$TKH_TMP/run/dhcp4.takahe-dhcp4.pid
tkh_check pid-file "no PID file $pidfile with the server's pid" grep -qx "$TKH_SERVER_PID" "$pidfile"

# perf SECONDS RATE: a bounded perfdhcp run; prints "sent received" of its REQUEST-ACK exchanges.
perf() {
  local out=$TKH_TMP/perf.$RANDOM
  timeout 60 ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r "$2" -R 100000 -p "$1" -d 3 \
    -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
  awk '/^\*\*\*Statistics for: REQUEST-ACK/ { on = 1 } on && /^sent packets:/ { s = $3 }
       on && /^received packets:/ { r = $3; print s, r; exit }' "$out"
}
in_srv() { ip netns exec "$TKH_SRV_NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$@"; }

# A second instance on the same configuration file is refused (PID file).
in_srv timeout 10 "$DHCP4_SERVER" -c "$conf" > "$TKH_TMP/second.log" 2>&1
rc=$?
tkh_check second-instance-refused "second server exit code $rc" test "$rc" -ne 0 -a "$rc" -ne 124
tkh_check second-instance-says-why "no 'already running' in its output" grep -q "already running" "$TKH_TMP/second.log"
# Another configuration file naming the same lease file is refused too (lease-file lock).
cp "$conf" "$TKH_TMP/other.json"
in_srv timeout 10 "$DHCP4_SERVER" -c "$TKH_TMP/other.json" > "$TKH_TMP/third.log" 2>&1
rc=$?
tkh_check same-lease-file-refused "third server exit code $rc" test "$rc" -ne 0 -a "$rc" -ne 124
tkh_check_eq first-still-owns-pid "$TKH_SERVER_PID" "$(cat "$pidfile" 2> /dev/null)"

read -r sent recv <<< "$(perf 2 200)"
tkh_check baseline-served "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"

# SIGHUP with a changed, valid file: applied (new lifetime in the lease file), still serving.
write_conf "$conf" 1234 2
kill -HUP "$TKH_SERVER_PID"
tkh_check reload-logged "no DHCP4_RECONFIGURED in the log" \
  tkh_wait_for 10 grep -q DHCP4_RECONFIGURED "$TKH_SERVER_LOG"
read -r sent recv <<< "$(perf 1 100)"
tkh_check served-after-reload "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
tkh_check new-lifetime-used "no lease row with valid_lifetime 1234" grep -q ',1234,' "$leases"

# SIGHUP with a broken file: the running configuration stays, the log says why.
cp "$conf" "$TKH_TMP/good.json"
echo '{ "Dhcp4": { "valid-lifetime": "broken" } }' > "$conf"
kill -HUP "$TKH_SERVER_PID"
tkh_check bad-reload-logged "no DHCP4_RECONFIGURE_FAIL in the log" \
  tkh_wait_for 10 grep -q DHCP4_RECONFIGURE_FAIL "$TKH_SERVER_LOG"
read -r sent recv <<< "$(perf 1 100)"
tkh_check served-after-bad-reload "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
cp "$TKH_TMP/good.json" "$conf"

# SIGHUP with interfaces that cannot all be opened under service-sockets-require-all: refused,
# and the sockets in use before are still answering.
fails_before=$(grep -c DHCP4_RECONFIGURE_FAIL "$TKH_SERVER_LOG")
sed 's|"interfaces": \[ "lo/127.0.0.1" \]|"interfaces": [ "lo/127.0.0.1", "tkh-missing0" ], "service-sockets-require-all": true|' \
  "$TKH_TMP/good.json" > "$conf"
tkh_check require-all-config-written "config edit failed" grep -q tkh-missing0 "$conf"
kill -HUP "$TKH_SERVER_PID"
tkh_check require-all-reload-refused "no new DHCP4_RECONFIGURE_FAIL" \
  tkh_wait_for 10 tkh_log_count_at_least DHCP4_RECONFIGURE_FAIL $((fails_before + 1))
read -r sent recv <<< "$(perf 1 100)"
tkh_check served-after-refused-sockets "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"
cp "$TKH_TMP/good.json" "$conf"

# Twenty reloads while perfdhcp runs: no exchange is lost.
(for i in $(seq 1 20); do sleep 0.2; kill -HUP "$TKH_SERVER_PID" 2> /dev/null; done) &
hup_pid=$!
TKH_PIDS+=("$hup_pid")
read -r sent recv <<< "$(perf 5 500)"
wait "$hup_pid" 2> /dev/null
reloads=$(grep -c DHCP4_RECONFIGURED "$TKH_SERVER_LOG")
tkh_check reloads-happened "only $reloads reloads logged" test "$reloads" -ge 20
tkh_check no-loss-under-reload "REQUEST-ACK sent=$sent received=$recv" \
  test "${recv:-0}" -gt 1000 -a "${recv:-0}" -eq "${sent:--1}"

# Malformed datagrams: truncated, oversized, garbage options. The server survives them.
ip netns exec "$TKH_SRV_NS" python3 - << 'PY'
import os, random, socket
random.seed(7)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 0))
good = bytearray(300); good[0] = 1; good[1] = 1; good[2] = 6; good[236:240] = b"\x63\x82\x53\x63"
cases = [b"", b"\x01", bytes(100), bytes(good[:240]) + b"\x35\x05\x01", bytes(good[:240]) + b"\x37\xff",
         bytes(good) + bytes(60000)]
for _ in range(300):
    b = bytearray(good); b[240:] = os.urandom(60)
    cases.append(bytes(b[:random.randint(0, len(b))]))
for c in cases:
    s.sendto(c, ("127.0.0.1", 67))
PY
sleep 0.5
tkh_check survives-malformed "server died after malformed packets" tkh_pid_alive "$TKH_SERVER_PID"
read -r sent recv <<< "$(perf 1 100)"
tkh_check served-after-malformed "REQUEST-ACK sent=$sent received=$recv" test "${recv:-0}" -gt 0 -a "${recv:-0}" -eq "${sent:--1}"

# Lease-file cleanup ran (lfc-interval 2 s) while serving: <file>.2 holds compacted leases.
tkh_check lfc-ran "no $leases.2 after the cleanup interval" tkh_wait_for 10 test -s "$leases.2"
active_before=$(cat "$leases.2" "$leases.1" "$leases" 2> /dev/null | awk -F, '$1 ~ /^198\./ { last[$1] = $4 } END { n = 0; for (a in last) if (last[a] != 0) n++; print n }')

# SIGTERM: clean exit, PID file removed; a restart loads every lease.
tkh_server_stop TERM
rc=$?
tkh_check_eq sigterm-clean-exit 0 "$rc"
tkh_check pid-file-removed "PID file still there" tkh_not test -e "$pidfile"
write_conf "$conf" 1234 0
if tkh_server_start "$conf"; then
  # The sockets open before the lease file is read: wait for the load to be logged.
  tkh_wait_for 10 tkh_log_count_at_least DHCP4_LEASES_LOADED 2
  loaded=$(grep -o 'DHCP4_LEASES_LOADED lease file [^:]*: [0-9]*' "$TKH_SERVER_LOG" | tail -1 | awk '{ print $NF }')
  tkh_check restart-loads-leases "only '${loaded:-none}' leases loaded" test "${loaded:-0}" -gt 1000
  tkh_check_eq restart-loads-all-leases "$active_before" "$loaded"
else
  tkh_fail restart "server did not restart"
fi
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then tkh_show_tail "$TKH_SERVER_LOG" 40; fi
tkh_finish
