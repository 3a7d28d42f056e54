#!/usr/bin/env bash
# README command 1: install what is needed, build, and start takahe-dhcp4 and takahe-dhcp6 on
# their default (embedded, memfile) configurations from etc/. Run as root on Debian 12.
#   bash tools/start.sh          start (or restart) the servers in the background
#   bash tools/start.sh stop     stop the servers this script started
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
run="$top/run"
build="$top/build"
daemons=(takahe-dhcp4 takahe-dhcp6)

stop_server() { # stop_server NAME
  if [ -f "$run/$1.started-pid" ]; then
    pid=$(cat "$run/$1.started-pid")
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; sleep 1; fi
    rm -f "$run/$1.started-pid"
  fi
}

if [ "${1:-}" = "stop" ]; then
  for d in "${daemons[@]}"; do stop_server "$d"; echo "$d stopped"; done
  exit 0
fi

bash "$top/.ci/install-packages.sh"
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" daemons/dhcp4/takahe-dhcp4 daemons/dhcp6/takahe-dhcp6 tools/lfc/takahe-lfc >/dev/null

# perfdhcp poses as a relay and must own the relay address it sends from: give the loopback
# interface 127.0.0.2 and fd00::2 (nothing leaves the host).
if ! ip -4 addr show dev lo | grep -q ' 127\.0\.0\.2/'; then
  ip addr add 127.0.0.2/8 dev lo && echo "added 127.0.0.2 to lo for perfdhcp"
fi
if ! ip -6 addr show dev lo | grep -q ' fd00::2/'; then
  ip -6 addr add fd00::2/128 dev lo nodad && echo "added fd00::2 to lo for perfdhcp -6"
fi

# etc/takahe-dhcp6.conf keeps its control socket in /run/takahe.
mkdir -p "$run/data" "$run/pid" /run/takahe
export TAKAHE_DHCP_DATA_DIR="$run/data" TAKAHE_PIDFILE_DIR="$run/pid"
for d in "${daemons[@]}"; do
  stop_server "$d"
  nohup "$build/daemons/${d#takahe-}/$d" -c "$top/etc/$d.conf" > "$run/$d.log" 2>&1 &
  echo $! > "$run/$d.started-pid"
done
sleep 1
for d in "${daemons[@]}"; do
  if ! kill -0 "$(cat "$run/$d.started-pid")" 2>/dev/null; then
    echo "$d failed to start; its log:" >&2
    cat "$run/$d.log" >&2
    exit 1
  fi
done
cat <<TXT
takahe-dhcp4 is running (pid $(cat "$run/takahe-dhcp4.started-pid")) on the loopback interface, UDP port 67.
  configuration: $top/etc/takahe-dhcp4.conf
  lease file:    $run/data/takahe-leases4.csv
  log:           $run/takahe-dhcp4.log
takahe-dhcp6 is running (pid $(cat "$run/takahe-dhcp6.started-pid")) on the loopback interface (::1), UDP port 547.
  configuration: $top/etc/takahe-dhcp6.conf
  lease file:    $run/data/takahe-leases6.csv
  log:           $run/takahe-dhcp6.log
  control:       echo '{"command": "status-get"}' | socat - UNIX:/run/takahe/kea6-ctrl-socket
PID files are in $run/pid.
Try them (perfdhcp poses as a relay at 127.0.0.2 / fd00::2; 100 exchanges/s for 5 s):
  perfdhcp -4 -l 127.0.0.2 -r 100 -R 1000 -p 5 127.0.0.1
  perfdhcp -6 -l fd00::2 -A1 -e address-and-prefix -r 100 -R 1000 -p 5 ::1
  tail $run/data/takahe-leases4.csv $run/data/takahe-leases6.csv
Reload a configuration:  kill -HUP \$(cat $run/takahe-dhcp6.started-pid)
Stop:                    bash tools/start.sh stop
TXT
