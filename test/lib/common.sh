# shellcheck shell=bash
# Shared helpers for Takahe system tests (sourced, never executed).
#
# Every test creates its own network namespaces (named tkh-<pid>-*), starts the
# DHCPv4 server from $DHCP4_SERVER inside one of them and real clients in the
# others. All traffic stays inside those namespaces (or on their loopback).
# `tkh_init` registers a cleanup trap that kills only the processes the test
# started and deletes only the namespaces it created.
#
# Result lines (parsed by test/run-all.sh):
#   PASS: <name>
#   FAIL: <name>: <reason>
#   SKIP: <name>: <reason>
# A test script exits 0 when none of its checks failed.

TKH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TKH_REPO=$(cd "$TKH_LIB_DIR/../.." && pwd)
: "${BUILD_DIR:=$TKH_REPO/build-ci}"
: "${DHCP4_SERVER:=$BUILD_DIR/daemons/dhcp4/takahe-dhcp4}"
export BUILD_DIR DHCP4_SERVER

# The test network (RFC 5737 documentation range; it exists only inside our
# namespaces). Clients get addresses from the pool; the server is .1.
TKH_SUBNET=192.0.2.0/24
TKH_SRV_ADDR=192.0.2.1
TKH_POOL_FIRST=192.0.2.100
TKH_POOL_LAST=192.0.2.199
TKH_ROUTER=192.0.2.1
TKH_DNS1=192.0.2.53
TKH_DNS2=192.0.2.54
TKH_DOMAIN=takahe.test

TKH_PREFIX="tkh-$$-"
TKH_NAME=""          # test name (script basename without .sh)
TKH_TMP=""           # per-test temporary directory
TKH_NAMESPACES=()    # namespaces we created
TKH_PIDS=()          # background processes we started
TKH_CLEANUP_CMDS=()  # commands run first by the cleanup trap
TKH_FAILS=0
TKH_PASSES=0
TKH_SKIPS=0
TKH_SRV_NS=""
TKH_CLIENT_NS=()     # index 1..N
TKH_SERVER_PID=""
TKH_SERVER_LOG=""
TKH_LAST_PID=""

# ---------------------------------------------------------------- reporting

tkh_pass() {
  echo "PASS: $TKH_NAME/$1"
  TKH_PASSES=$((TKH_PASSES + 1))
}

tkh_fail() {
  echo "FAIL: $TKH_NAME/$1: $2"
  TKH_FAILS=$((TKH_FAILS + 1))
}

tkh_skip() {
  echo "SKIP: $TKH_NAME/$1: $2"
  TKH_SKIPS=$((TKH_SKIPS + 1))
}

tkh_log() {
  echo "# $*"
}

# tkh_check NAME REASON CMD...: PASS if CMD succeeds, else FAIL with REASON.
tkh_check() {
  local name=$1 reason=$2
  shift 2
  if "$@"; then
    tkh_pass "$name"
  else
    tkh_fail "$name" "$reason"
  fi
}

# tkh_not CMD...: succeeds when CMD fails.
tkh_not() {
  ! "$@"
}

# tkh_check_eq NAME EXPECTED ACTUAL
tkh_check_eq() {
  if [[ "$2" == "$3" ]]; then
    tkh_pass "$1"
  else
    tkh_fail "$1" "expected '$2', got '$3'"
  fi
}

# Skip the whole test (used before anything was checked) and exit 0.
tkh_skip_all() {
  tkh_skip "${1:-all}" "$2"
  exit 0
}

# Ends the test: prints a summary comment and exits 0 unless a check failed.
tkh_finish() {
  tkh_log "$TKH_NAME: $TKH_PASSES passed, $TKH_FAILS failed, $TKH_SKIPS skipped"
  if ((TKH_FAILS > 0)); then
    exit 1
  fi
  exit 0
}

# Prints the last lines of a file as comments (for failure diagnosis).
tkh_show_tail() {
  local file=$1 n=${2:-20}
  if [[ -s "$file" ]]; then
    echo "# --- last $n lines of $file"
    tail -n "$n" "$file" | sed 's/^/#   /'
  fi
}

# ------------------------------------------------------------ setup/cleanup

# tkh_init NAME: temp dir, cleanup trap, root and tool checks (skips if unmet).
tkh_init() {
  TKH_NAME=$1
  if [[ $(id -u) -ne 0 ]]; then
    tkh_skip_all setup "needs root (network namespaces)"
  fi
  local c
  for c in ip ss awk timeout unshare; do
    command -v "$c" > /dev/null || tkh_skip_all setup "missing command: $c"
  done
  TKH_TMP=$(mktemp -d "/tmp/tkh-$TKH_NAME.XXXXXX")
  chmod 755 "$TKH_TMP"
  mkdir -p "$TKH_TMP/run"
  trap tkh_cleanup EXIT
  trap 'tkh_log "interrupted"; exit 130' INT TERM
}

tkh_require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" > /dev/null || tkh_skip_all setup "missing command: $c"
  done
}

tkh_require_server() {
  if [[ ! -x "$DHCP4_SERVER" ]]; then
    tkh_skip_all setup "DHCP4_SERVER not executable: $DHCP4_SERVER"
  fi
}

# True when $DHCP4_SERVER is takahe-dhcp4 (its -V output names it), false
# for ISC Kea or anything else.
tkh_server_is_takahe() {
  timeout 10 "$DHCP4_SERVER" -V 2> /dev/null < /dev/null | grep -q takahe
}

# For checks of takahe's own behaviour (its PID file name, log message ids):
# skips the whole test when $DHCP4_SERVER is not takahe-dhcp4.
tkh_require_takahe() {
  tkh_require_server
  if ! tkh_server_is_takahe; then
    tkh_skip_all setup "checks takahe-specific behaviour; DHCP4_SERVER is $DHCP4_SERVER"
  fi
}

# True if PID runs (a zombie child awaiting `wait` counts as dead).
tkh_pid_alive() {
  local pid=$1 state
  [[ -n "$pid" && -r /proc/$pid/stat ]] || return 1
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2> /dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# tkh_kill PID [TIMEOUT_S]: SIGTERM, wait (bounded), SIGKILL, reap.
tkh_kill() {
  local pid=$1 timeout=${2:-5}
  [[ -n "$pid" ]] || return 0
  if tkh_pid_alive "$pid"; then
    kill -TERM "$pid" 2> /dev/null
    tkh_wait_for "$timeout" tkh_pid_dead "$pid" || kill -KILL "$pid" 2> /dev/null
  fi
  wait "$pid" 2> /dev/null
  return 0
}

tkh_pid_dead() {
  ! tkh_pid_alive "$1"
}

tkh_cleanup() {
  local rc=$? pid ns p pids i c
  trap - EXIT INT TERM
  # Extra cleanup a test registered (e.g. stopping test databases it started), first.
  for c in "${TKH_CLEANUP_CMDS[@]}"; do
    eval "$c"
  done
  for pid in "${TKH_PIDS[@]}"; do
    tkh_kill "$pid" 3
  done
  for ns in "${TKH_NAMESPACES[@]}"; do
    # Anything still running inside a namespace we created was started by
    # this test (e.g. dhcpcd's privilege-separation helpers).
    for ((i = 0; i < 30; i++)); do
      pids=$(ip netns pids "$ns" 2> /dev/null)
      [[ -n "$pids" ]] || break
      for p in $pids; do
        kill -KILL "$p" 2> /dev/null
      done
      sleep 0.1
    done
    ip netns del "$ns" 2> /dev/null
  done
  if [[ -n "$TKH_TMP" && -d "$TKH_TMP" ]]; then
    if ((TKH_FAILS > 0)) || [[ -n "${TKH_KEEP_TMP:-}" ]]; then
      echo "# kept $TKH_TMP for inspection"
    else
      rm -rf "$TKH_TMP"
    fi
  fi
  exit "$rc"
}

# tkh_wait_for TIMEOUT_S CMD...: polls CMD every 0.1 s; 0 once it succeeds.
tkh_wait_for() {
  local timeout=$1
  shift
  local i max=$((timeout * 10))
  for ((i = 0; i <= max; i++)); do
    if "$@"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# tkh_log_count_at_least ID N: the server log holds at least N lines with
# message ID ID (re-read at every call, for tkh_wait_for).
tkh_log_count_at_least() {
  test "$(grep -c "$1" "$TKH_SERVER_LOG" 2> /dev/null)" -ge "$2"
}

# tkh_make_pki DIR: a test CA (ca.crt), a server certificate for 127.0.0.1 (server.crt/.key)
# and a client certificate (client.crt/.key), made with openssl now; log in $TKH_TMP/openssl.log.
tkh_make_pki() {
  local dir=$1
  mkdir -p "$dir"
  (
    cd "$dir" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
      -subj "/CN=Takahe test CA" &&
      openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
      printf 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n' > server.ext &&
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.crt &&
      openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=operator" &&
      printf 'extendedKeyUsage = clientAuth\n' > client.ext &&
      openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile client.ext -out client.crt
  ) > "$TKH_TMP/openssl.log" 2>&1
}

# tkh_bg LOG CMD...: starts CMD in the background, remembers its PID in
# TKH_LAST_PID and in the cleanup list.
tkh_bg() {
  local log=$1
  shift
  "$@" >> "$log" 2>&1 < /dev/null &
  TKH_LAST_PID=$!
  TKH_PIDS+=("$TKH_LAST_PID")
}

# ----------------------------------------------------------------- netns

# tkh_ns_add VAR SHORT: creates namespace tkh-<pid>-SHORT with lo up, adds it
# to the cleanup list and stores its name in VAR. (It sets a variable rather
# than printing the name: in $(...) the cleanup list would be lost.)
tkh_ns_add() {
  local -n _tkh_var=$1
  local _tkh_ns="${TKH_PREFIX}$2"
  ip netns add "$_tkh_ns" || return 1
  TKH_NAMESPACES+=("$_tkh_ns")
  ip -n "$_tkh_ns" link set lo up
  _tkh_var=$_tkh_ns
}

# tkh_topology N: server namespace $TKH_SRV_NS with bridge br0 holding
# $TKH_SRV_ADDR/24, and N client namespaces ${TKH_CLIENT_NS[i]} (i = 1..N),
# each with interface eth0 joined to br0 by a veth pair.
tkh_topology() {
  local n=$1 i ns
  tkh_ns_add TKH_SRV_NS srv || return 1
  ip -n "$TKH_SRV_NS" link add br0 type bridge || return 1
  ip -n "$TKH_SRV_NS" addr add "$TKH_SRV_ADDR/24" dev br0
  ip -n "$TKH_SRV_NS" link set br0 up
  for ((i = 1; i <= n; i++)); do
    tkh_ns_add ns "c$i" || return 1
    TKH_CLIENT_NS[i]=$ns
    ip -n "$TKH_SRV_NS" link add "p$i" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$TKH_SRV_NS" link set "p$i" master br0
    ip -n "$TKH_SRV_NS" link set "p$i" up
    ip -n "$ns" link set eth0 up
  done
}

# tkh_set_mac I MAC: sets the MAC of client I's eth0.
tkh_set_mac() {
  ip -n "${TKH_CLIENT_NS[$1]}" link set eth0 address "$2"
}

tkh_mac_of() {
  ip -n "${TKH_CLIENT_NS[$1]}" -o link show eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }'
}

# ---------------------------------------------------------------- server

# Standard subnet with options; extra members (JSON, without braces) are
# appended to the subnet object, e.g. '"reservations": [...]'.
# shellcheck disable=SC2120
tkh_std_subnet() {
  local extra=${1:-}
  printf '{ "id": 1, "subnet": "%s",\n' "$TKH_SUBNET"
  printf '  "pools": [ { "pool": "%s - %s" } ],\n' "$TKH_POOL_FIRST" "$TKH_POOL_LAST"
  printf '  "option-data": [\n'
  printf '    { "name": "routers", "data": "%s" },\n' "$TKH_ROUTER"
  printf '    { "name": "domain-name-servers", "data": "%s, %s" },\n' "$TKH_DNS1" "$TKH_DNS2"
  printf '    { "name": "domain-name", "data": "%s" } ]' "$TKH_DOMAIN"
  if [[ -n "$extra" ]]; then
    printf ',\n  %s' "$extra"
  fi
  printf ' }'
}

# tkh_dhcp4_config OUT [--iface IFACE] [--socket raw|udp] [--leases FILE]
#   [--persist true|false] [--globals 'JSON MEMBERS'] [--subnets 'JSON ARRAY']
#   [--severity INFO] [--mt true|false] [--loggers 'JSON ARRAY'] [--lease-db 'JSON MAP']
# Writes a Kea-compatible Dhcp4 configuration (logging to stdout).
tkh_dhcp4_config() {
  local out=$1
  shift
  local iface=br0 socket=raw leases="$TKH_TMP/leases4.csv" persist=true
  local globals='"valid-lifetime": 600' subnets severity=INFO mt=false
  local loggers="" lease_db=""
  # shellcheck disable=SC2119
  subnets="[ $(tkh_std_subnet) ]"
  while (($#)); do
    case $1 in
      --iface) iface=$2 ;;
      --socket) socket=$2 ;;
      --leases) leases=$2 ;;
      --persist) persist=$2 ;;
      --globals) globals=$2 ;;
      --subnets) subnets=$2 ;;
      --severity) severity=$2 ;;
      --mt) mt=$2 ;;
      --loggers) loggers=$2 ;;
      --lease-db) lease_db=$2 ;;  # a whole lease-database map (SQL backends)
      *)
        echo "tkh_dhcp4_config: unknown option $1" >&2
        return 1
        ;;
    esac
    shift 2
  done
  if [[ -z "$lease_db" ]]; then
    lease_db='{ "type": "memfile", "name": "'$leases'", "persist": '$persist', "lfc-interval": 0 }'
  fi
  if [[ -z "$loggers" ]]; then
    loggers='[ { "name": "kea-dhcp4", "severity": "'$severity'",
                   "output_options": [ { "output": "stdout" } ] } ]'
  fi
  cat > "$out" << EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$iface" ], "dhcp-socket-type": "$socket" },
    "lease-database": $lease_db,
    "multi-threading": { "enable-multi-threading": $mt },
    $globals,
    "subnet4": $subnets,
    "loggers": $loggers
  }
}
EOF
}

# True when the server process owns a UDP or packet socket in its namespace.
tkh_server_listening() {
  local ns=$1 pid=$2
  ip netns exec "$ns" ss -H -a -n -u -0 -p 2> /dev/null | grep -q "pid=$pid,"
}

# tkh_server_start CONFIG [SERVER ARGS...]: starts $DHCP4_SERVER in
# $TKH_SRV_NS and waits (<= 15 s) until it listens. Sets TKH_SERVER_PID.
tkh_server_start() {
  local conf=$1
  shift
  TKH_SERVER_LOG="$TKH_TMP/server.log"
  echo "=== $(date '+%T') starting $DHCP4_SERVER -c $conf $*" >> "$TKH_SERVER_LOG"
  tkh_bg "$TKH_SERVER_LOG" ip netns exec "$TKH_SRV_NS" env \
    KEA_PIDFILE_DIR="$TKH_TMP/run" KEA_LOCKFILE_DIR="$TKH_TMP/run" \
    TAKAHE_PIDFILE_DIR="$TKH_TMP/run" TAKAHE_LOCKFILE_DIR="$TKH_TMP/run" \
    "$DHCP4_SERVER" -c "$conf" "$@"
  TKH_SERVER_PID=$TKH_LAST_PID
  local i
  for ((i = 0; i < 150; i++)); do
    if ! tkh_pid_alive "$TKH_SERVER_PID"; then
      tkh_log "server exited during startup"
      tkh_show_tail "$TKH_SERVER_LOG"
      return 1
    fi
    if tkh_server_listening "$TKH_SRV_NS" "$TKH_SERVER_PID"; then
      return 0
    fi
    sleep 0.1
  done
  tkh_log "server not listening after 15 s"
  tkh_show_tail "$TKH_SERVER_LOG"
  return 1
}

# tkh_server_stop [SIGNAL]: stops the server (default SIGTERM), waits <= 10 s,
# then SIGKILL. Returns 0 if it exited on its own after the signal.
tkh_server_stop() {
  local sig=${1:-TERM} pid=$TKH_SERVER_PID rc=0
  [[ -n "$pid" ]] || return 0
  if tkh_pid_alive "$pid"; then
    kill "-$sig" "$pid" 2> /dev/null
    if ! tkh_wait_for 10 tkh_pid_dead "$pid"; then
      kill -KILL "$pid" 2> /dev/null
      rc=1
    fi
  fi
  wait "$pid" 2> /dev/null
  TKH_SERVER_PID=""
  return $rc
}

# -------------------------------------------------------------- lease file

# tkh_lease_row FILE ADDR: prints the last CSV row for ADDR as
# "valid_lifetime expire state hwaddr" (columns located by header name).
tkh_lease_row() {
  local file=$1 addr=$2
  [[ -r "$file" ]] || return 1
  awk -F, -v a="$addr" '
    $1 == "address" { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == a { row = $0 }
    END {
      if (row == "") exit 1
      n = split(row, f, ",")
      st = ("state" in col) ? f[col["state"]] : 0
      print f[col["valid_lifetime"]], f[col["expire"]], st, f[col["hwaddr"]]
    }' "$file"
}

# True if the last row for ADDR describes an active lease (lifetime > 0,
# state default, not expired).
tkh_lease_active() {
  local row vl exp st now
  row=$(tkh_lease_row "$1" "$2") || return 1
  read -r vl exp st _ <<< "$row"
  now=$(date +%s)
  [[ "$vl" -gt 0 && "$st" == 0 && "$exp" -gt "$now" ]]
}

# True if the last row for ADDR shows the lease gone: deleted (valid
# lifetime 0), released (state 3) or expired-reclaimed (state 2).
tkh_lease_released() {
  local row vl st
  row=$(tkh_lease_row "$1" "$2") || return 1
  read -r vl _ st _ <<< "$row"
  [[ "$vl" == 0 || "$st" == 2 || "$st" == 3 ]]
}

# Number of lines in FILE (0 if missing).
tkh_lines() {
  if [[ -r "$1" ]]; then
    wc -l < "$1"
  else
    echo 0
  fi
}

# Number of rows for ADDR in FILE.
tkh_lease_rows() {
  awk -F, -v a="$2" '$1 == a { n++ } END { print n + 0 }' "$1" 2> /dev/null
}

# ------------------------------------------------------------ event records
# Client scripts append one line per event: key=value fields separated by ';'
# (first field reason=...).

# tkh_rec_count FILE REGEX: number of events whose reason matches ^(REGEX)$.
tkh_rec_count() {
  awk -F';' -v re="^($2)\$" '{ split($1, kv, "="); if (kv[2] ~ re) n++ } END { print n + 0 }' "$1" 2> /dev/null
}

# tkh_rec_get FILE REGEX KEY: KEY's value in the last event matching REGEX.
tkh_rec_get() {
  awk -F';' -v re="^($2)\$" -v k="$3" '
    { split($1, kv, "="); if (kv[2] !~ re) next
      v = ""
      for (i = 1; i <= NF; i++) { p = index($i, "="); if (substr($i, 1, p - 1) == k) v = substr($i, p + 1) }
      last = v; found = 1 }
    END { if (!found) exit 1; print last }' "$1" 2> /dev/null
}

# tkh_wait_event TIMEOUT FILE REGEX [MIN_COUNT]: waits for the count of
# matching events to reach MIN_COUNT (default 1).
tkh_wait_event() {
  local timeout=$1 file=$2 re=$3 min=${4:-1}
  tkh_wait_for "$timeout" _tkh_rec_at_least "$file" "$re" "$min"
}

_tkh_rec_at_least() {
  (($(tkh_rec_count "$1" "$2") >= $3))
}

# True if ADDR is inside the standard pool.
tkh_in_pool() {
  local a=$1 last
  [[ "$a" =~ ^192\.0\.2\.([0-9]+)$ ]] || return 1
  last=${BASH_REMATCH[1]}
  ((last >= ${TKH_POOL_FIRST##*.} && last <= ${TKH_POOL_LAST##*.}))
}

# --------------------------------------------------------------- dhclient

# tkh_dhclient_setup DIR: writes dhclient.conf, an empty lease file and the
# -sf script (records events to DIR/events, sets only the address on the
# client's own interface).
tkh_dhclient_setup() {
  local dir=$1
  mkdir -p "$dir"
  cat > "$dir/dhclient.conf" << 'EOF'
timeout 20;
retry 1;
initial-interval 1;
request subnet-mask, routers, domain-name-servers, domain-name, host-name,
        dhcp-lease-time, dhcp-renewal-time, dhcp-rebinding-time;
EOF
  : > "$dir/dhclient.leases"
  : > "$dir/events"
  cat > "$dir/script.sh" << EOF
#!/bin/sh
echo "reason=\$reason;ip=\$new_ip_address;mask=\$new_subnet_mask;routers=\$new_routers;dns=\$new_domain_name_servers;domain=\$new_domain_name;lease=\$new_dhcp_lease_time;serverid=\$new_dhcp_server_identifier;hostname=\$new_host_name;old_ip=\$old_ip_address" >> "$dir/events"
case "\$reason" in
  PREINIT) ip link set dev "\$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    if [ -n "\$old_ip_address" ] && [ "\$old_ip_address" != "\$new_ip_address" ]; then
      ip -4 addr flush dev "\$interface"
    fi
    ip -4 addr replace "\$new_ip_address/24" dev "\$interface" ;;
  EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev "\$interface" ;;
esac
exit 0
EOF
  chmod 755 "$dir/script.sh"
}

# _tkh_dhclient_cmd I DIR: sets array TKH_CMD to the dhclient command line
# (in client I's namespace, with the files of DIR).
_tkh_dhclient_cmd() {
  TKH_CMD=(ip netns exec "${TKH_CLIENT_NS[$1]}" dhclient -4 -cf "$2/dhclient.conf"
    -lf "$2/dhclient.leases" -pf "$2/dhclient.pid" -sf "$2/script.sh")
}

# tkh_dhclient_start I DIR [EXTRA ARGS]: runs dhclient -d in client I's
# namespace in the background (log DIR/dhclient.log). Sets TKH_LAST_PID.
tkh_dhclient_start() {
  local i=$1 dir=$2
  shift 2
  _tkh_dhclient_cmd "$i" "$dir"
  tkh_bg "$dir/dhclient.log" "${TKH_CMD[@]}" -d -v "$@" eth0
}

# tkh_dhclient_release I DIR: dhclient -r with the same files (stops the
# running dhclient named in the pid file and sends DHCPRELEASE).
tkh_dhclient_release() {
  _tkh_dhclient_cmd "$1" "$2"
  timeout 20 "${TKH_CMD[@]}" -r -v eth0 >> "$2/dhclient.log" 2>&1 < /dev/null
}

# ------------------------------------------------------------------ takahe-agent
# tkh_agent_start NS DHCP4_SOCKET [PORT]: starts takahe-agent inside namespace NS on
# 127.0.0.1:PORT (8000), forwarding service "dhcp4" to the unix socket DHCP4_SOCKET. Sets
# TKH_AGENT_NS, TKH_AGENT_PORT and TKH_AGENT_LOG; returns 1 (log shown) if it does not listen.
tkh_agent_start() {
  TKH_AGENT_NS=$1
  TKH_AGENT_PORT=${3:-8000}
  TKH_AGENT_LOG=$TKH_TMP/agent.log
  local agent=${AGENT:-$BUILD_DIR/agent/takahe-agent}
  cat > "$TKH_TMP/agent.json" << JSON
{
  "Control-agent": {
    "http-host": "127.0.0.1",
    "http-port": $TKH_AGENT_PORT,
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "$2" } },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "INFO",
                   "output_options": [ { "output": "stdout" } ] } ]
  }
}
JSON
  mkdir -p "$TKH_TMP/run"
  tkh_bg "$TKH_AGENT_LOG" ip netns exec "$TKH_AGENT_NS" env TAKAHE_PIDFILE_DIR="$TKH_TMP/run" "$agent" \
    -c "$TKH_TMP/agent.json"
  if ! tkh_wait_for 10 _tkh_agent_listening; then
    tkh_show_tail "$TKH_AGENT_LOG"
    return 1
  fi
}

_tkh_agent_listening() {
  ip netns exec "$TKH_AGENT_NS" ss -H -l -t -n "sport = :$TKH_AGENT_PORT" 2> /dev/null | grep -q LISTEN
}

# tkh_agent_send JSON: posts the command to the agent, with "service": ["dhcp4"] added when it
# names no service, and prints the daemon's answer (the first of the agent's list) as JSON.
tkh_agent_send() {
  local body
  body=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.setdefault("service", ["dhcp4"]); print(json.dumps(d))' "$1") || return 1
  ip netns exec "$TKH_AGENT_NS" curl -s --max-time 20 -H 'Content-Type: application/json' -d "$body" \
    "http://127.0.0.1:$TKH_AGENT_PORT/" |
    python3 -c 'import json,sys; a=json.load(sys.stdin); print(json.dumps(a[0] if isinstance(a, list) else a))' 2> /dev/null
}
