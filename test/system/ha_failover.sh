#!/bin/bash
# HA failover, for each mode of HA_FAILOVER_MODES (default "load-balancing hot-standby"):
# a pair under a perfdhcp load whose `secs` rises (-Y 0 -y 60), kill -9 of one whole peer
# (DHCP server and agent; the secondary in load-balancing, the primary in hot-standby):
#  - the survivor reaches partner-down within heartbeat-delay + max-response-delay +
#    max-ack-delay + 2 s (load-balancing runs with max-unacked-clients 0: timers only;
#    hot-standby with 2: it also needs 3 unanswered clients, which the load provides);
#  - then it answers every client (perfdhcp >= 90 %, a new dhclient, all with its server-id);
#  - the killed peer restarts, syncs (it then holds every lease the survivor gave) and both
#    return to their normal state; no address is held by two clients at any time.
# Implementations per node: HA_IMPL (kea | takahe) or HA_IMPL_server1/_server2.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_failover
HA_NODES=(server1 server2)
ha_require
tkh_require_cmd perfdhcp dhclient
tkh_log "implementations: $(ha_impls)"
ha_topology 2 || tkh_skip_all setup "could not create namespaces"

# failover MODE KILLED SURVIVOR CLIENT-INDEX
failover() {
  local mode=$1 dead=$2 live=$3 ci=$4 sfx t0 t1 ms bound sent recv perf_pid cdir ev clients=()
  HA_MODE=$mode
  [[ $mode == load-balancing ]] && sfx=-lb || sfx=-hs
  HA_CHECK_SUFFIX=$sfx
  [[ $mode == load-balancing ]] && HA_MAX_UNACKED_CLIENTS=0 || HA_MAX_UNACKED_CLIENTS=2
  ha_start_all || { ha_show_logs; return 1; }
  ha_wait_normal 20 || { ha_show_logs; return 1; }

  # Load for 8 s with rising secs; kill -9 the peer 2 s into it.
  HA_PERF_LOG=$TKH_TMP/perf-load$sfx.log ha_perf 8 20 40 -Y 0 -y 60 > "$TKH_TMP/perf-load$sfx.out" &
  perf_pid=$!
  TKH_PIDS+=("$perf_pid")
  sleep 2
  t0=$(ha_now_ms)
  ha_kill "$dead" agent
  bound=$((HA_HEARTBEAT_DELAY + HA_MAX_RESPONSE_DELAY + HA_MAX_ACK_DELAY + 2000))
  if ha_wait_state 20 "$live" partner-down; then
    t1=$(ha_now_ms)
    ms=$((t1 - t0))
    tkh_log "$mode: $live in partner-down $ms ms after the kill (bound $bound ms)"
    tkh_check "partner-down-in-time$sfx" "$ms ms > $bound ms" test "$ms" -le "$bound"
  else
    tkh_fail "partner-down$sfx" "$live still '$HA_STATE' 20 s after $dead was killed"
    ha_show_logs
  fi
  # Hot-standby has one scope (the primary's); load-balancing one per server.
  local want="server1 server2"
  [[ $mode == hot-standby ]] && want=server1
  tkh_check_eq "survivor-serves-all-scopes$sfx" "$want" \
    "$(tr ' ' '\n' <<< "$(ha_scopes "$live")" | sort | tr '\n' ' ' | sed 's/ $//')"
  wait "$perf_pid" 2> /dev/null
  _ha_forget "$perf_pid"
  tkh_log "$mode: load across the failover, REQUEST-ACK sent/received: $(cat "$TKH_TMP/perf-load$sfx.out")"

  # Every client is now answered, by the survivor.
  read -r sent recv <<< "$(HA_PERF_LOG=$TKH_TMP/perf-after$sfx.log ha_perf 3 20 30 -b mac=00:0c:01:02:20:00)"
  if [[ -n "${sent:-}" && "$sent" -gt 0 && "$recv" -ge $((sent * 9 / 10)) ]]; then
    tkh_pass "survivor-answers-load$sfx"
  else
    tkh_fail "survivor-answers-load$sfx" "REQUEST-ACK sent '${sent:-}' received '${recv:-}'"
  fi
  cdir=$TKH_TMP/c$ci
  ev=$cdir/events
  tkh_dhclient_setup "$cdir"
  tkh_dhclient_start "$ci" "$cdir"
  if tkh_wait_event 15 "$ev" 'BOUND|REBOOT'; then
    tkh_pass "client-bound-during-failover$sfx"
    tkh_check_eq "client-served-by-survivor$sfx" "${HA_ADDR[$live]}" "$(tkh_rec_get "$ev" 'BOUND|REBOOT' serverid)"
    mapfile -t clients < <(ha_client_leases "$ci" "$cdir" dhclient | tr ' ' '\n')
  else
    tkh_fail "client-bound-during-failover$sfx" "dhclient got no lease from $live within 15 s"
  fi

  # Restart the killed peer: it syncs and both return to normal.
  t0=$(ha_now_ms)
  if ha_agent_start "$dead" && ha_dhcp_start "$dead"; then
    tkh_pass "restart$sfx"
    HA_CHECK_SUFFIX=-after-restart$sfx ha_wait_normal 20 "$dead" "$live"
    tkh_log "$mode: both normal $(($(ha_now_ms) - t0)) ms after the restart"
    ha_check_replicated "restarted-peer-synced$sfx" "$live" "$dead"
    # Updates flow again both ways.
    HA_PERF_LOG=$TKH_TMP/perf-back$sfx.log ha_perf 2 10 10 -b mac=00:0c:01:02:30:00 > /dev/null
    sleep 1
    ha_check_replicated "updates-after-restart-$live-to-$dead$sfx" "$live" "$dead"
    ha_check_replicated "updates-after-restart-$dead-to-$live$sfx" "$dead" "$live"
  else
    tkh_fail "restart$sfx" "$dead did not restart"
  fi
  ha_check_no_duplicates "no-duplicate-addresses$sfx" "${clients[@]}"
  ((TKH_FAILS == 0)) || ha_show_logs 25
  tkh_dhclient_release "$ci" "$cdir" > /dev/null 2>&1
  ha_stop_all
}

for mode in ${HA_FAILOVER_MODES:-load-balancing hot-standby}; do
  case $mode in
    load-balancing) failover load-balancing server2 server1 1 ;;
    hot-standby) failover hot-standby server1 server2 2 ;;
    *) tkh_fail "mode-$mode" "unknown mode in HA_FAILOVER_MODES" ;;
  esac
done
tkh_finish
