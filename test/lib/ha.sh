# shellcheck shell=bash
# High-availability harness for the system tests (sourced after common.sh).
#
# Topology (all in namespaces this test creates, named tkh-<pid>-*):
#   lan      a bridge br0, nothing else
#   server1  eth0 192.0.2.11/24 on br0: a DHCPv4 server + its control agent on :8000
#   server2  eth0 192.0.2.12/24           (idem)
#   backup   eth0 192.0.2.13/24           (idem, only when "backup" is in HA_NODES)
#   pf       eth0 192.0.2.9/24: perfdhcp, broadcasting as a relay (giaddr 192.0.2.9)
#   c1..cN   eth0 without address: dhclient / udhcpc (TKH_CLIENT_NS[i], as in common.sh)
# Each server node runs one implementation, chosen per node:
#   HA_IMPL_server1 / HA_IMPL_server2 / HA_IMPL_backup = kea | takahe   (default: $HA_IMPL)
#   HA_IMPL default: kea when $DHCP4_SERVER is a kea-dhcp4, else takahe.
#   kea    = kea-dhcp4 + kea-ctrl-agent, hooks from $KEA_HOOKS_DIR
#   takahe = $BUILD_DIR/daemons/dhcp4/takahe-dhcp4 + $BUILD_DIR/agent/takahe-agent, hooks
#            $BUILD_DIR/hooks-libs/{lease_cmds,ha}/libdhcp_{lease_cmds,ha}.so
# Both get the same Kea configuration (test/ha/ha-dhcp4.json.in, test/ha/ha-agent.json.in);
# only the library paths differ. The HA peer URL of a node is its agent, http://ADDR:8000/.
#
# Knobs (set before ha_node_start): HA_MODE (load-balancing | hot-standby), HA_NODES,
# HA_HEARTBEAT_DELAY, HA_MAX_RESPONSE_DELAY, HA_MAX_ACK_DELAY, HA_MAX_UNACKED_CLIENTS,
# HA_SCHEME (http | https), HA_TLS_EXTRA[node] (members added to the node's HA relationship),
# HA_AGENT_EXTRA[node] (members added to the node's agent config), HA_CURL_OPTS[node] (curl
# options for the test's own commands to that node's agent, e.g. TLS files; word-split).

HA_DIR=$TKH_REPO/test/ha
: "${KEA_HOOKS_DIR:=/usr/lib/x86_64-linux-gnu/kea/hooks}"
: "${KEA_DHCP4:=/usr/sbin/kea-dhcp4}"
: "${KEA_CTRL_AGENT:=/usr/sbin/kea-ctrl-agent}"
: "${TAKAHE_DHCP4:=$BUILD_DIR/daemons/dhcp4/takahe-dhcp4}"
: "${TAKAHE_AGENT:=${AGENT:-$BUILD_DIR/agent/takahe-agent}}"
: "${TAKAHE_LEASE_CMDS_SO:=$BUILD_DIR/hooks-libs/lease_cmds/libdhcp_lease_cmds.so}"
: "${TAKAHE_HA_SO:=$BUILD_DIR/hooks-libs/ha/libdhcp_ha.so}"
if [[ -z "${HA_IMPL:-}" ]]; then
  case $(basename "$DHCP4_SERVER") in
    kea-dhcp4) HA_IMPL=kea ;;
    *) HA_IMPL=takahe ;;
  esac
fi

HA_MODE=${HA_MODE:-load-balancing}
HA_NODES=(server1 server2 backup)
HA_HEARTBEAT_DELAY=${HA_HEARTBEAT_DELAY:-1000}
HA_MAX_RESPONSE_DELAY=${HA_MAX_RESPONSE_DELAY:-3000}
HA_MAX_ACK_DELAY=${HA_MAX_ACK_DELAY:-1000}
HA_MAX_UNACKED_CLIENTS=${HA_MAX_UNACKED_CLIENTS:-0}
HA_SEVERITY=${HA_SEVERITY:-INFO}
HA_SCHEME=http
HA_PORT=8000
# HA_DEDICATED=1: HA+MT with Kea's dedicated listener: peers talk to each other's DHCP server
# on ADDR:$HA_LISTENER_PORT instead of through the agents (DHCP multi-threading on).
HA_DEDICATED=${HA_DEDICATED:-0}
HA_LISTENER_PORT=8001
# HA_DIRECT=1 (Takahe only): peers talk to each other's DHCP server through its own HTTP control
# socket (Kea 3's "control-sockets" http entry) on ADDR:$HA_DIRECT_PORT, with no agent hop.
HA_DIRECT=${HA_DIRECT:-0}
HA_DIRECT_PORT=8004
HA_SUBNET=192.0.2.0/24
HA_SUBNET_EXTRA=""   # members added to the subnet, e.g. a "relay" entry
HA_POOL1="192.0.2.100 - 192.0.2.149"
HA_POOL2="192.0.2.150 - 192.0.2.199"
HA_PERF_ADDR=192.0.2.9
declare -A HA_ADDR=([server1]=192.0.2.11 [server2]=192.0.2.12 [backup]=192.0.2.13)
declare -A HA_NS=() HA_DHCP_PID=() HA_AGENT_PID=() HA_TLS_EXTRA=() HA_AGENT_EXTRA=() HA_CURL_OPTS=()
HA_LAN_NS=""
HA_PERF_NS=""
HA_STATE=""

# ------------------------------------------------------------------ implementations

# ha_impl NODE: kea | takahe for that node.
ha_impl() {
  local v="HA_IMPL_$1"
  echo "${!v:-$HA_IMPL}"
}

# ha_impls: "server1=kea server2=takahe ..." for the nodes in use (for logs and test names).
ha_impls() {
  local n out=""
  for n in "${HA_NODES[@]}"; do
    out+="$n=$(ha_impl "$n") "
  done
  echo "${out% }"
}

# ha_impl_missing IMPL: prints why IMPL cannot run here (nothing when it can).
ha_impl_missing() {
  local f
  case $1 in
    kea)
      for f in "$KEA_DHCP4" "$KEA_CTRL_AGENT"; do
        [[ -x "$f" ]] || { echo "Kea not installed: $f"; return; }
      done
      for f in libdhcp_lease_cmds.so libdhcp_ha.so; do
        [[ -f "$KEA_HOOKS_DIR/$f" ]] || { echo "Kea hook missing: $KEA_HOOKS_DIR/$f"; return; }
      done
      ;;
    takahe)
      [[ -f "$TAKAHE_HA_SO" ]] || { echo "Takahe HA hook library not built yet: $TAKAHE_HA_SO"; return; }
      for f in "$TAKAHE_DHCP4" "$TAKAHE_AGENT"; do
        [[ -x "$f" ]] || { echo "not built: $f"; return; }
      done
      [[ -f "$TAKAHE_LEASE_CMDS_SO" ]] || echo "not built: $TAKAHE_LEASE_CMDS_SO"
      ;;
    *) echo "unknown implementation '$1' (kea or takahe)" ;;
  esac
}

# ha_require: skips the whole test unless every node's implementation can run.
ha_require() {
  local n why
  tkh_require_cmd curl python3
  for n in "${HA_NODES[@]}"; do
    why=$(ha_impl_missing "$(ha_impl "$n")")
    [[ -z "$why" ]] || tkh_skip_all "setup-$n" "$why"
  done
}

_ha_bins() { # _ha_bins NODE: sets _dhcp _agent _lease_so _ha_so
  if [[ $(ha_impl "$1") == kea ]]; then
    _dhcp=$KEA_DHCP4 _agent=$KEA_CTRL_AGENT
    _lease_so=$KEA_HOOKS_DIR/libdhcp_lease_cmds.so _ha_so=$KEA_HOOKS_DIR/libdhcp_ha.so
  else
    _dhcp=$TAKAHE_DHCP4 _agent=$TAKAHE_AGENT
    _lease_so=$TAKAHE_LEASE_CMDS_SO _ha_so=$TAKAHE_HA_SO
  fi
}

# ------------------------------------------------------------------ topology

_ha_link() { # _ha_link NS IFNAME-IN-LAN [ADDR]
  ip -n "$HA_LAN_NS" link add "$2" type veth peer name eth0 netns "$1" || return 1
  ip -n "$HA_LAN_NS" link set "$2" master br0
  ip -n "$HA_LAN_NS" link set "$2" up
  [[ -z "${3:-}" ]] || ip -n "$1" addr add "$3/24" dev eth0
  ip -n "$1" link set eth0 up
}

# ha_topology NCLIENTS: the LAN, one namespace per node of HA_NODES, the perfdhcp namespace
# and NCLIENTS client namespaces.
ha_topology() {
  local n i ns
  tkh_ns_add HA_LAN_NS lan || return 1
  ip -n "$HA_LAN_NS" link add br0 type bridge || return 1
  ip -n "$HA_LAN_NS" link set br0 up
  for n in "${HA_NODES[@]}"; do
    tkh_ns_add ns "$n" || return 1
    HA_NS[$n]=$ns
    _ha_link "$ns" "p-$n" "${HA_ADDR[$n]}" || return 1
  done
  tkh_ns_add HA_PERF_NS pf || return 1
  _ha_link "$HA_PERF_NS" p-pf "$HA_PERF_ADDR" || return 1
  for ((i = 1; i <= $1; i++)); do
    tkh_ns_add ns "c$i" || return 1
    TKH_CLIENT_NS[i]=$ns
    _ha_link "$ns" "p-c$i" || return 1
  done
}

# ------------------------------------------------------------------ configuration

ha_role() { # ha_role NODE
  case $1 in
    server1) echo primary ;;
    backup) echo backup ;;
    *) [[ $HA_MODE == hot-standby ]] && echo standby || echo secondary ;;
  esac
}

# ha_url NODE: NODE's peer URL (its agent, or its own listener with HA_DEDICATED=1).
ha_url() {
  if ((HA_DEDICATED)); then
    echo "$HA_SCHEME://${HA_ADDR[$1]}:$HA_LISTENER_PORT/"
  elif ((HA_DIRECT)); then
    echo "$HA_SCHEME://${HA_ADDR[$1]}:$HA_DIRECT_PORT/"
  else
    echo "$HA_SCHEME://${HA_ADDR[$1]}:$HA_PORT/"
  fi
}

# ha_agent_url NODE: NODE's agent URL (the test's own commands always go there).
ha_agent_url() { echo "$HA_SCHEME://${HA_ADDR[$1]}:$HA_PORT/"; }

_ha_peers() {
  local n sep=""
  for n in "${HA_NODES[@]}"; do
    printf '%s{ "name": "%s", "url": "%s", "role": "%s", "auto-failover": true }' \
      "$sep" "$n" "$(ha_url "$n")" "$(ha_role "$n")"
    sep=",
              "
  done
}

_ha_pools() {
  if [[ $HA_MODE == load-balancing ]]; then
    printf '{ "pool": "%s", "client-class": "HA_server1" },\n        { "pool": "%s", "client-class": "HA_server2" }' \
      "$HA_POOL1" "$HA_POOL2"
  else
    printf '{ "pool": "%s - %s" }' "${HA_POOL1%% *}" "${HA_POOL2##* }"
  fi
}

ha_dir() { echo "$TKH_TMP/$1"; }
ha_leases() { echo "$TKH_TMP/$1/leases4.csv"; }
ha_log() { echo "$TKH_TMP/$1/dhcp4.log"; }
ha_agent_log() { echo "$TKH_TMP/$1/agent.log"; }

# ha_gen_configs NODE: writes NODE's dhcp4.json and agent.json from the templates.
ha_gen_configs() {
  local node=$1 dir t _dhcp _agent _lease_so _ha_so
  dir=$(ha_dir "$node")
  mkdir -p "$dir/run"
  _ha_bins "$node"
  t=$(< "$HA_DIR/ha-dhcp4.json.in")
  t=${t//@SOCKET@/$dir/d4.sock}
  t=${t//@LEASES@/$dir/leases4.csv}
  t=${t//@LEASE_CMDS_SO@/$_lease_so}
  t=${t//@HA_SO@/$_ha_so}
  t=${t//@THIS@/$node}
  t=${t//@MODE@/$HA_MODE}
  t=${t//@HEARTBEAT_DELAY@/$HA_HEARTBEAT_DELAY}
  t=${t//@MAX_RESPONSE_DELAY@/$HA_MAX_RESPONSE_DELAY}
  t=${t//@MAX_ACK_DELAY@/$HA_MAX_ACK_DELAY}
  t=${t//@MAX_UNACKED_CLIENTS@/$HA_MAX_UNACKED_CLIENTS}
  local extra=${HA_TLS_EXTRA[$node]:-} mt='{ "enable-multi-threading": false }'
  if ((HA_DEDICATED)); then
    mt='{ "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 }'
    extra+='
            "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true,
                                 "http-listener-threads": 1, "http-client-threads": 1 },'
  fi
  local control=""
  if ((HA_DIRECT)); then
    control='
    "control-sockets": [ { "socket-type": "http", "socket-address": "'${HA_ADDR[$node]}'",
                           "socket-port": '$HA_DIRECT_PORT' } ],'
  fi
  t=${t//@CONTROL_EXTRA@/$control}
  t=${t//@HA_EXTRA@/$extra}
  t=${t//@DHCP_MT@/$mt}
  t=${t//@PEERS@/$(_ha_peers)}
  t=${t//@POOLS@/$(_ha_pools)}
  t=${t//@SUBNET@/$HA_SUBNET}
  t=${t//@SUBNET_EXTRA@/$HA_SUBNET_EXTRA}
  t=${t//@SEVERITY@/$HA_SEVERITY}
  printf '%s\n' "$t" > "$dir/dhcp4.json"
  t=$(< "$HA_DIR/ha-agent.json.in")
  t=${t//@HTTP_HOST@/${HA_ADDR[$node]}}
  t=${t//@HTTP_PORT@/$HA_PORT}
  t=${t//@AGENT_EXTRA@/${HA_AGENT_EXTRA[$node]:-}}
  t=${t//@SOCKET@/$dir/d4.sock}
  printf '%s\n' "$t" > "$dir/agent.json"
}

# ------------------------------------------------------------------ processes

_ha_forget() { # removes PID from the cleanup list (it was killed and reaped here)
  local i
  for i in "${!TKH_PIDS[@]}"; do
    [[ "${TKH_PIDS[i]}" != "$1" ]] || unset 'TKH_PIDS[i]'
  done
}

_ha_run() { # _ha_run NODE LOG CMD...: in NODE's namespace with the pid/lock dirs set
  local node=$1 log=$2 dir
  shift 2
  dir=$(ha_dir "$node")
  tkh_bg "$log" ip netns exec "${HA_NS[$node]}" env KEA_PIDFILE_DIR="$dir/run" \
    KEA_LOCKFILE_DIR="$dir/run" TAKAHE_PIDFILE_DIR="$dir/run" TAKAHE_LOCKFILE_DIR="$dir/run" "$@"
}

_ha_agent_up() {
  ip netns exec "${HA_NS[$1]}" ss -H -l -t -n "sport = :$HA_PORT" 2> /dev/null | grep -q LISTEN
}

_ha_dhcp_up() {
  tkh_server_listening "${HA_NS[$1]}" "${HA_DHCP_PID[$1]}" && test -S "$(ha_dir "$1")/d4.sock"
}

# ha_agent_start NODE: starts NODE's control agent (Kea CA or takahe-agent) on ADDR:8000.
ha_agent_start() {
  local node=$1 _dhcp _agent _lease_so _ha_so log
  _ha_bins "$node"
  log=$(ha_agent_log "$node")
  echo "=== $(date '+%T.%N') starting $_agent" >> "$log"
  _ha_run "$node" "$log" "$_agent" -c "$(ha_dir "$node")/agent.json"
  HA_AGENT_PID[$node]=$TKH_LAST_PID
  if ! tkh_wait_for 10 _ha_agent_up "$node"; then
    tkh_log "$node: agent not listening on :$HA_PORT"
    tkh_show_tail "$log"
    return 1
  fi
}

# ha_dhcp_start NODE: starts NODE's DHCPv4 server; waits (<= 15 s) for its sockets.
ha_dhcp_start() {
  local node=$1 _dhcp _agent _lease_so _ha_so log
  _ha_bins "$node"
  log=$(ha_log "$node")
  echo "=== $(date '+%T.%N') starting $_dhcp" >> "$log"
  _ha_run "$node" "$log" "$_dhcp" -c "$(ha_dir "$node")/dhcp4.json"
  HA_DHCP_PID[$node]=$TKH_LAST_PID
  local i
  for ((i = 0; i < 150; i++)); do
    if ! tkh_pid_alive "${HA_DHCP_PID[$node]}"; then
      tkh_log "$node: DHCP server exited during start-up"
      tkh_show_tail "$log"
      return 1
    fi
    _ha_dhcp_up "$node" && return 0
    sleep 0.1
  done
  tkh_log "$node: DHCP server not listening after 15 s"
  tkh_show_tail "$log"
  return 1
}

# ha_node_start NODE: configs, agent, DHCP server.
ha_node_start() {
  ha_gen_configs "$1" && ha_agent_start "$1" && ha_dhcp_start "$1"
}

# ha_start_all: starts every node of HA_NODES (FAIL line and return 1 on the first failure).
ha_start_all() {
  local n
  for n in "${HA_NODES[@]}"; do
    if ! ha_node_start "$n"; then
      tkh_fail "start-$n" "$(ha_impl "$n") $n did not start"
      return 1
    fi
  done
}

# ha_kill NODE [agent]: kill -9 of NODE's DHCP server (and its agent with "agent").
ha_kill() {
  local node=$1 pid
  pid=${HA_DHCP_PID[$node]:-}
  if [[ -n "$pid" ]]; then
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    _ha_forget "$pid"
    HA_DHCP_PID[$node]=""
  fi
  if [[ "${2:-}" == agent && -n "${HA_AGENT_PID[$node]:-}" ]]; then
    pid=${HA_AGENT_PID[$node]}
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    _ha_forget "$pid"
    HA_AGENT_PID[$node]=""
  fi
  echo "=== $(date '+%T.%N') killed (SIGKILL)" >> "$(ha_log "$node")"
}

# ha_stop_all: stops every node's DHCP server and agent (SIGTERM, then SIGKILL) and removes
# their lease files and sockets (logs are kept, appended), for a fresh start in the same
# topology.
ha_stop_all() {
  local n pid
  for n in "${HA_NODES[@]}"; do
    for pid in "${HA_DHCP_PID[$n]:-}" "${HA_AGENT_PID[$n]:-}"; do
      [[ -n "$pid" ]] || continue
      tkh_kill "$pid" 5
      _ha_forget "$pid"
    done
    HA_DHCP_PID[$n]="" HA_AGENT_PID[$n]=""
    rm -f "$(ha_dir "$n")"/leases4.csv* "$(ha_dir "$n")/d4.sock"
    echo "=== $(date '+%T.%N') stopped" >> "$(ha_log "$n")"
  done
}

# ------------------------------------------------------------------ commands and states

# ha_cmd NODE JSON: posts JSON (service dhcp4 added when absent) to NODE's agent; prints the
# first element of the answer list as JSON (nothing on a transport error).
ha_cmd() {
  local node=$1 body
  body=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.setdefault("service", ["dhcp4"]); print(json.dumps(d))' "$2") || return 1
  # shellcheck disable=SC2086 # HA_CURL_OPTS holds several options
  ip netns exec "${HA_NS[$node]}" curl -s --max-time 10 ${HA_CURL_OPTS[$node]:-} \
    -H 'Content-Type: application/json' -d "$body" "$(ha_agent_url "$node")" |
    python3 -c 'import json,sys; a=json.load(sys.stdin); print(json.dumps(a[0] if isinstance(a, list) else a))' 2> /dev/null
}

# ha_field JSON PYTHON-EXPR: EXPR evaluated with `a` bound to the parsed JSON.
ha_field() {
  python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null
}

# ha_state NODE: NODE's HA state from its ha-heartbeat answer ("unavailable" if none).
ha_state() {
  local a s
  a=$(ha_cmd "$1" '{ "command": "ha-heartbeat" }')
  s=$(ha_field "$a" "a['arguments']['state'] if a.get('result') == 0 else 'unavailable'")
  echo "${s:-unavailable}"
}

# ha_scopes NODE: NODE's served scopes, space separated, from ha-heartbeat.
ha_scopes() {
  ha_field "$(ha_cmd "$1" '{ "command": "ha-heartbeat" }')" "' '.join(a['arguments']['scopes'])"
}

# ha_status NODE: status-get's high-availability[0] as JSON.
ha_status() {
  ha_field "$(ha_cmd "$1" '{ "command": "status-get" }')" "json.dumps(a['arguments']['high-availability'][0])"
}

_ha_state_in() { # NODE STATE...
  local node=$1
  shift
  HA_STATE=$(ha_state "$node")
  local s
  for s in "$@"; do
    [[ "$HA_STATE" == "$s" ]] && return 0
  done
  return 1
}

# ha_wait_state TIMEOUT_S NODE STATE...: waits until NODE is in one of the STATEs; the last
# state seen is left in HA_STATE.
ha_wait_state() {
  local timeout=$1 node=$2 end
  shift 2
  end=$(($(ha_now_ms) + timeout * 1000))
  while :; do
    _ha_state_in "$node" "$@" && return 0
    (($(ha_now_ms) < end)) || return 1
    sleep 0.2
  done
}

ha_now_ms() { date +%s%3N; }

ha_normal_state() { # the state of a healthy NODE in the current mode
  if [[ $1 == backup ]]; then
    echo backup
  else
    echo "$HA_MODE"
  fi
}

# ha_wait_normal TIMEOUT_S [NODE...]: every NODE (default: all) in its normal state; one
# PASS/FAIL line per node named normal-NODE[-SUFFIX] (SUFFIX from HA_CHECK_SUFFIX).
ha_wait_normal() {
  local timeout=$1 n rc=0
  shift
  local nodes=("$@")
  ((${#nodes[@]})) || nodes=("${HA_NODES[@]}")
  for n in "${nodes[@]}"; do
    if ha_wait_state "$timeout" "$n" "$(ha_normal_state "$n")"; then
      tkh_pass "normal-$n${HA_CHECK_SUFFIX:-}"
    else
      tkh_fail "normal-$n${HA_CHECK_SUFFIX:-}" "$(ha_impl "$n") $n is '$HA_STATE', not '$(ha_normal_state "$n")' after ${timeout} s"
      rc=1
    fi
  done
  return $rc
}

# ha_show_logs [N]: tails of every node's logs (for diagnosis after a failure).
# shellcheck disable=SC2120 # N is optional
ha_show_logs() {
  local n
  for n in "${HA_NODES[@]}"; do
    tkh_show_tail "$(ha_log "$n")" "${1:-15}"
  done
}

# ------------------------------------------------------------------ clients and load

# ha_perf SECONDS RATE CLIENTS [EXTRA PERFDHCP ARGS]: perfdhcp from the pf namespace,
# broadcasting as relay 192.0.2.9 (both servers see every packet). Prints
# "sent received" of the REQUEST-ACK exchanges; full output in $HA_PERF_LOG
# (default $TKH_TMP/perf.log).
ha_perf() {
  local secs=$1 rate=$2 clients=$3 log=${HA_PERF_LOG:-$TKH_TMP/perf.log}
  shift 3
  timeout $((secs + 30)) ip netns exec "$HA_PERF_NS" perfdhcp -4 -g single -l eth0 \
    -r "$rate" -R "$clients" -p "$secs" -d 2 -W 1 "$@" > "$log" 2>&1
  awk '/^\*\*\*Statistics for: REQUEST-ACK/ { on = 1 }
       on && /^sent packets:/ { s = $3 } on && /^received packets:/ { print s, $3; exit }' "$log"
}

# ha_clients_and_load: real clients (dhclient in c1, c2; udhcpc in c3, c4), then a bounded
# perfdhcp load (60 clients, 3 s at 30 exchanges/s) of which 90 % must be ACKed (check
# perfdhcp-answered).
ha_clients_and_load() {
  local i sent recv
  for i in 1 2; do
    tkh_dhclient_setup "$TKH_TMP/c$i"
    tkh_dhclient_start "$i" "$TKH_TMP/c$i"
  done
  for i in 3 4; do
    ha_udhcpc_start "$i" "$TKH_TMP/c$i"
  done
  read -r sent recv <<< "$(ha_perf 3 30 60)"
  tkh_log "perfdhcp REQUEST-ACK: sent ${sent:-?} received ${recv:-?}"
  if [[ -n "${sent:-}" && "$sent" -gt 0 && "$recv" -ge $((sent * 9 / 10)) ]]; then
    tkh_pass perfdhcp-answered
  else
    tkh_fail perfdhcp-answered "REQUEST-ACK sent '${sent:-}' received '${recv:-}'"
    tkh_show_tail "$TKH_TMP/perf.log" 30
  fi
}

# ha_client_bound I: waits (<= 20 s) for a lease of client I of ha_clients_and_load (check
# clientI-bound). Sets HA_CLIENT_KIND (dhclient|udhcpc), HA_CLIENT_RE (the event of a lease)
# and HA_CLIENT_EV (its events file) for the caller's own checks; 1 when there is no lease.
ha_client_bound() {
  local i=$1
  HA_CLIENT_KIND=dhclient HA_CLIENT_RE='BOUND|REBOOT'
  ((i > 2)) && HA_CLIENT_KIND=udhcpc HA_CLIENT_RE=bound
  HA_CLIENT_EV=$TKH_TMP/c$i/events
  if ! tkh_wait_event 20 "$HA_CLIENT_EV" "$HA_CLIENT_RE"; then
    tkh_fail "client$i-bound" "$HA_CLIENT_KIND in c$i got no lease within 20 s"
    tkh_show_tail "$TKH_TMP/c$i/$HA_CLIENT_KIND.log"
    return 1
  fi
  tkh_pass "client$i-bound"
}

# ha_udhcpc_start I DIR: busybox udhcpc in client I (events in DIR/events: reason=bound;ip=...;
# serverid=...). Sets TKH_LAST_PID.
ha_udhcpc_start() {
  local i=$1 dir=$2 bin=(udhcpc)
  command -v udhcpc > /dev/null || bin=(busybox udhcpc)
  mkdir -p "$dir"
  : > "$dir/events"
  cat > "$dir/script.sh" << SCRIPT
#!/bin/sh
echo "reason=\$1;ip=\$ip;lease=\$lease;serverid=\$serverid" >> "$dir/events"
case "\$1" in
  deconfig) ip -4 addr flush dev "\$interface"; ip link set dev "\$interface" up ;;
  bound|renew) ip -4 addr replace "\$ip/24" dev "\$interface" ;;
esac
exit 0
SCRIPT
  chmod 755 "$dir/script.sh"
  tkh_bg "$dir/udhcpc.log" ip netns exec "${TKH_CLIENT_NS[$i]}" "${bin[@]}" -f -i eth0 \
    -s "$dir/script.sh" -t 20 -T 1 -A 1
}

# ha_relay4 ARGS...: test/ha/relay4.py from the pf namespace as relay 192.0.2.9
# (e.g. ha_relay4 --server 192.0.2.12 --mac 02:00:00:00:00:01 --secs 5 dora).
ha_relay4() {
  ip netns exec "$HA_PERF_NS" python3 "$HA_DIR/relay4.py" --relay "$HA_PERF_ADDR" "$@"
}

# ------------------------------------------------------------------ lease checks

# ha_active_count NODE [REGEX]: active leases in NODE's lease file (addresses matching REGEX).
ha_active_count() {
  python3 "$HA_DIR/ha_leases.py" active "$(ha_leases "$1")" | grep -c -E "^${2:-.}"
}

# ha_check_replicated NAME FROM TO: every active lease of FROM's file is in TO's file.
ha_check_replicated() {
  local out n
  out=$(python3 "$HA_DIR/ha_leases.py" compare "$(ha_leases "$2")" "$(ha_leases "$3")")
  n=$(head -n 1 <<< "$out")
  if [[ "$n" == 0 ]]; then
    tkh_pass "$1"
  else
    tkh_fail "$1" "$n active lease(s) of $2 missing on $3: $(tail -n +2 <<< "$out" | tr '\n' ';')"
  fi
}

# ha_check_update_style NAME FROM TO: a Takahe FROM sends its lease updates to TO in
# lease4-bulk-apply batches when TO is Takahe, and one by one when TO is Kea (its log says which
# once it asked TO's list-commands). Nothing to check when FROM is Kea.
ha_check_update_style() {
  local name=$1 from=$2 to=$3 want
  [[ $(ha_impl "$from") == takahe ]] || return 0
  want=HA_LEASE_UPDATES_BATCHED
  [[ $(ha_impl "$to") == kea ]] && want=HA_LEASE_UPDATES_SINGLE
  if grep -q "$want HA peer $to " "$(ha_log "$from")"; then
    tkh_pass "$name"
  else
    tkh_fail "$name" "$from ($(ha_impl "$from")) did not log $want for $to ($(ha_impl "$to"))"
  fi
}

# ha_check_no_duplicates NAME [--client MAC=IP]...: no address held by two clients at any time
# across every node's lease file, and the clients' own views agree with the files.
ha_check_no_duplicates() {
  local name=$1 n files=() out
  shift
  for n in "${HA_NODES[@]}"; do
    [[ -f "$(ha_leases "$n")" ]] && files+=("$(ha_leases "$n")")
  done
  if out=$(python3 "$HA_DIR/ha_leases.py" check "$@" "${files[@]}"); then
    tkh_pass "$name"
    tkh_log "$name: $out"
  else
    tkh_fail "$name" "$(head -n 5 <<< "$out" | tr '\n' ';')"
  fi
}

# ha_client_leases I DIR KIND: "--client MAC=IP" for client I's last bound address
# (KIND dhclient or udhcpc); nothing if it never bound.
ha_client_leases() {
  local ip re
  [[ $3 == dhclient ]] && re='BOUND|RENEW|REBIND|REBOOT' || re='bound|renew'
  ip=$(tkh_rec_get "$2/events" "$re" ip) || return 0
  [[ -n "$ip" ]] && echo "--client $(tkh_mac_of "$1")=$ip"
}

# ------------------------------------------------------------------ TLS

# ha_make_pki DIR: certificates made now with openssl (log in DIR/openssl.log):
#   ca.crt/.key          "Takahe HA test CA"
#   server1, server2     .crt/.key signed by it, CN=serverN, SAN IP = the node's address,
#                        usable as TLS server (agent) and client (HA peer) certificates
#   op                   an operator client certificate (the test's own curl)
#   server2-expired.crt  server2's key, signed by the CA, valid 2020-01-01..02 only
#   wca.crt/.key         a second, unrelated CA "Wrong HA test CA", with server2-wrong and
#                        op-wrong signed by it
ha_make_pki() {
  local dir=$1
  mkdir -p "$dir"
  (
    cd "$dir" || exit 1
    set -e
    for ca in ca:"Takahe HA test CA" wca:"Wrong HA test CA"; do
      openssl req -x509 -newkey rsa:2048 -nodes -keyout "${ca%%:*}.key" -out "${ca%%:*}.crt" \
        -days 2 -subj "/CN=${ca#*:}"
    done
    leaf() { # leaf NAME CA CN SAN-IP
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$3"
      {
        [[ -z "$4" ]] || echo "subjectAltName = IP:$4"
        echo "extendedKeyUsage = serverAuth, clientAuth"
      } > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.crt"
    }
    leaf server1 ca server1 "${HA_ADDR[server1]}"
    leaf server2 ca server2 "${HA_ADDR[server2]}"
    leaf op ca operator ""
    leaf server2-wrong wca server2 "${HA_ADDR[server2]}"
    leaf op-wrong wca operator ""
    # An expired certificate needs explicit dates: `openssl ca` takes them.
    mkdir -p ca-db
    : > ca-db/index.txt
    echo 1000 > ca-db/serial
    cat > ca-db/ca.cnf << CNF
[ ca ]
default_ca = tca
[ tca ]
database = $dir/ca-db/index.txt
new_certs_dir = $dir/ca-db
serial = $dir/ca-db/serial
default_md = sha256
policy = pol
copy_extensions = none
[ pol ]
commonName = supplied
CNF
    openssl ca -batch -config ca-db/ca.cnf -cert ca.crt -keyfile ca.key -in server2.csr \
      -out server2-expired.crt -startdate 20200101000000Z -enddate 20200102000000Z \
      -extfile server2.ext -notext
  ) > "$dir/openssl.log" 2>&1
}

# ha_tls_node NODE CA CERT: NODE's agent serves HTTPS with CERT (from the PKI in $HA_PKI) and
# requires client certificates signed by CA; NODE's HA relationship trusts CA and presents
# CERT to its partners (Kea 2.2 wants trust-anchor, cert-file and key-file all or none). The
# test's own curl to NODE's agent presents an operator certificate of CA (and does not verify
# the agent's certificate, which may be the expired one).
ha_tls_node() {
  local node=$1 ca=$HA_PKI/$2.crt cert=$HA_PKI/$3.crt key=$HA_PKI/${3%-expired}.key
  HA_AGENT_EXTRA[$node]="\"trust-anchor\": \"$ca\", \"cert-file\": \"$cert\", \"key-file\": \"$key\", \"cert-required\": true,"
  HA_TLS_EXTRA[$node]="\"trust-anchor\": \"$ca\", \"cert-file\": \"$cert\", \"key-file\": \"$key\","
  local op="op"
  [[ $2 != wca ]] || op="op-wrong"
  HA_CURL_OPTS[$node]="-k --cert $HA_PKI/$op.crt --key $HA_PKI/$op.key"
}
