#!/usr/bin/env bash
# README command 1: install what is needed, build, and start takahe-dhcp4 on its default
# (embedded, memfile) configuration from etc/. Run as root on Debian 12.
#   bash tools/start.sh          start (or restart) the server in the background
#   bash tools/start.sh stop     stop the server this script started
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
run="$top/run"
build="$top/build"

stop_server() {
  if [ -f "$run/takahe-dhcp4.started-pid" ]; then
    pid=$(cat "$run/takahe-dhcp4.started-pid")
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; sleep 1; fi
    rm -f "$run/takahe-dhcp4.started-pid"
  fi
}

if [ "${1:-}" = "stop" ]; then stop_server; echo "takahe-dhcp4 stopped"; exit 0; fi

bash "$top/.ci/install-packages.sh"
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" daemons/dhcp4/takahe-dhcp4 tools/lfc/takahe-lfc >/dev/null

# perfdhcp poses as a relay and must own the relay address it sends from: give the loopback
# interface 127.0.0.2 (already routed locally as part of 127.0.0.0/8; nothing leaves the host).
if ! ip -4 addr show dev lo | grep -q ' 127\.0\.0\.2/'; then
  ip addr add 127.0.0.2/8 dev lo && echo "added 127.0.0.2 to lo for perfdhcp"
fi

mkdir -p "$run/data" "$run/pid"
stop_server
export TAKAHE_DHCP_DATA_DIR="$run/data" TAKAHE_PIDFILE_DIR="$run/pid"
nohup "$build/daemons/dhcp4/takahe-dhcp4" -c "$top/etc/takahe-dhcp4.conf" > "$run/takahe-dhcp4.log" 2>&1 &
echo $! > "$run/takahe-dhcp4.started-pid"
sleep 1
if ! kill -0 "$(cat "$run/takahe-dhcp4.started-pid")" 2>/dev/null; then
  echo "takahe-dhcp4 failed to start; its log:" >&2
  cat "$run/takahe-dhcp4.log" >&2
  exit 1
fi
cat <<TXT
takahe-dhcp4 is running (pid $(cat "$run/takahe-dhcp4.started-pid")) on the loopback interface, UDP port 67.
  configuration: $top/etc/takahe-dhcp4.conf
  lease file:    $run/data/takahe-leases4.csv
  log:           $run/takahe-dhcp4.log
  pid file:      $run/pid/takahe-dhcp4.takahe-dhcp4.pid
Try it (perfdhcp poses as a relay at 127.0.0.2; 100 exchanges/s for 5 s):
  perfdhcp -4 -l 127.0.0.2 -r 100 -R 1000 -p 5 127.0.0.1
  tail $run/data/takahe-leases4.csv
Reload the configuration:  kill -HUP \$(cat $run/takahe-dhcp4.started-pid)
Stop:                      bash tools/start.sh stop
TXT
