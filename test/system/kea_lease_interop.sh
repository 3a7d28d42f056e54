#!/bin/bash
# Lease files move between takahe-dhcp4 and Kea 2.2 both ways, unchanged.
# 1. takahe serves perfdhcp clients (one with a reserved hostname that needs CSV escaping) and
#    stops; Kea (with its lease_cmds hook) loads that file and lease4-get-all returns exactly
#    the leases takahe wrote: address, hardware address, lifetime, cltt, subnet, hostname.
# 2. Kea serves more clients on that file and stops; takahe loads Kea's files and finds every
#    lease Kea reported.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init kea_lease_interop
tkh_require_cmd perfdhcp
tkh_require_cmd python3
tkh_require_cmd socat
tkh_require_takahe
KEA=${KEA_DHCP4:-/usr/sbin/kea-dhcp4}
HOOK=$(ls /usr/lib/*/kea/hooks/libdhcp_lease_cmds.so 2> /dev/null | head -1)
[[ -x "$KEA" && -n "$HOOK" ]] || tkh_skip_all setup "kea-dhcp4 with libdhcp_lease_cmds.so not installed"

tkh_ns_add TKH_SRV_NS interop || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo
leases=$TKH_TMP/leases4.csv
sock=$TKH_TMP/kea.sock
# perfdhcp's first client has MAC 00:0c:01:02:03:04; its reservation carries a hostname with a
# comma and an ampersand, which the CSV must escape as &#x2c and &#x26.
subnet='[ { "id": 7, "subnet": "198.18.0.0/15", "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "pools": [ { "pool": "198.18.0.1 - 198.19.255.254" } ],
    "reservations": [ { "hw-address": "00:0c:01:02:03:04", "hostname": "odd,name&co" } ] } ]'
tkh_dhcp4_config "$TKH_TMP/takahe.json" --leases "$leases" --iface lo/127.0.0.1 --socket udp \
  --subnets "$subnet" --severity INFO --globals '"valid-lifetime": 7000'
# The same file for Kea, plus its control socket and lease commands.
python3 - "$TKH_TMP/takahe.json" "$TKH_TMP/kea.json" "$sock" "$HOOK" << 'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
d = cfg["Dhcp4"]
d["control-socket"] = {"socket-type": "unix", "socket-name": sys.argv[3]}
d["hooks-libraries"] = [{"library": sys.argv[4]}]
json.dump(cfg, open(sys.argv[2], "w"), indent=1)
PY

perf() { # perf MAC-BASE: 300 new clients at 150/s
  timeout 60 ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r 150 -R 300 -n 300 -d 3 \
    -b "mac=$1" -l 127.0.0.2 127.0.0.1 > "$TKH_TMP/perf.$1.log" 2>&1
}
# Leases as the file says: last row per address wins, valid_lifetime 0 deletes.
file_leases() {
  python3 - "$@" << 'PY'
import csv, re, sys
rows = {}
for f in sys.argv[1:]:
    try:
        with open(f) as fh:
            r = csv.reader(fh)
            head = next(r)
            for row in r:
                d = dict(zip(head, row))
                rows[d["address"]] = d
    except FileNotFoundError:
        pass
unesc = lambda s: re.sub(r"&#x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)
for a, d in sorted(rows.items()):
    if d["valid_lifetime"] == "0":
        continue
    v = int(d["valid_lifetime"])
    print(a, d["hwaddr"], v, int(d["expire"]) - v, d["subnet_id"], unesc(d["hostname"]))
PY
}
kea_leases() {
  echo '{ "command": "lease4-get-all" }' | socat -t 5 - "UNIX-CONNECT:$sock" | python3 -c '
import json, sys
for l in sorted(json.load(sys.stdin)["arguments"]["leases"], key=lambda l: l["ip-address"]):
    print(l["ip-address"], l["hw-address"], l["valid-lft"], l["cltt"], l["subnet-id"], l.get("hostname", ""))'
}
kea_start() {
  rm -f "$sock"
  tkh_bg "$TKH_TMP/kea.log" ip netns exec "$TKH_SRV_NS" env KEA_PIDFILE_DIR="$TKH_TMP/run" \
    KEA_LOCKFILE_DIR="$TKH_TMP/run" "$KEA" -c "$TKH_TMP/kea.json"
  KEA_PID=$TKH_LAST_PID
  tkh_wait_for 15 test -S "$sock"
}

# 1. takahe writes, Kea reads.
tkh_server_start "$TKH_TMP/takahe.json" || { tkh_fail takahe-start "takahe did not start"; tkh_finish; }
perf 00:0c:01:02:03:04
tkh_server_stop TERM
file_leases "$leases" > "$TKH_TMP/takahe-wrote.txt"
n=$(wc -l < "$TKH_TMP/takahe-wrote.txt")
tkh_check takahe-wrote-leases "only $n leases in takahe's file" test "$n" -ge 250
tkh_check escaped-hostname "no escaped hostname row in the file" grep -q 'odd&#x2cname&#x26co' "$leases"
if kea_start; then
  tkh_pass kea-start
  kea_leases > "$TKH_TMP/kea-read.txt"
  tkh_check kea-reads-takahe-file "Kea's leases differ from takahe's file: $(diff "$TKH_TMP/takahe-wrote.txt" "$TKH_TMP/kea-read.txt" | head -4 | tr '\n' ' ')" \
    cmp -s "$TKH_TMP/takahe-wrote.txt" "$TKH_TMP/kea-read.txt"
  tkh_check kea-hostname "Kea did not decode the hostname" grep -q ' odd,name&co$' "$TKH_TMP/kea-read.txt"
  # 2. Kea writes (new clients), takahe reads.
  perf 00:0c:05:00:00:00
  kea_leases > "$TKH_TMP/kea-final.txt"
  kill "$KEA_PID"
  tkh_wait_for 10 tkh_pid_dead "$KEA_PID"
  m=$(wc -l < "$TKH_TMP/kea-final.txt")
  tkh_check kea-served-more "Kea holds only $m leases" test "$m" -ge $((n + 250))
  if tkh_server_start "$TKH_TMP/takahe.json"; then
    # The sockets open before the lease file is read: wait for the load to be logged.
  tkh_wait_for 10 tkh_log_count_at_least DHCP4_LEASES_LOADED 2
  loaded=$(grep -o 'DHCP4_LEASES_LOADED lease file [^:]*: [0-9]*' "$TKH_SERVER_LOG" | tail -1 | awk '{ print $NF }')
    tkh_check_eq takahe-loads-kea-files "$m" "$loaded"
    tkh_server_stop TERM
    file_leases "$leases.2" "$leases.1" "$leases" > "$TKH_TMP/takahe-view.txt"
    tkh_check same-leases-both-ways "file view differs from Kea's: $(diff "$TKH_TMP/kea-final.txt" "$TKH_TMP/takahe-view.txt" | head -4 | tr '\n' ' ')" \
      cmp -s "$TKH_TMP/kea-final.txt" "$TKH_TMP/takahe-view.txt"
  else
    tkh_fail takahe-restart "takahe did not start on Kea's lease files"
  fi
else
  tkh_fail kea-start "Kea did not start"
  tkh_show_tail "$TKH_TMP/kea.log"
fi
if ((TKH_FAILS > 0)); then tkh_show_tail "$TKH_TMP/kea.log" 20; tkh_show_tail "$TKH_SERVER_LOG" 20; fi
tkh_finish
