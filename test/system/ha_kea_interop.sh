#!/bin/bash
# HA between Takahe and ISC Kea 2.2 (Debian's kea-dhcp4 with its libdhcp_ha.so and
# libdhcp_lease_cmds.so, kea-ctrl-agent as the peer URL). Variants (HA_INTEROP_VARIANTS,
# mode:server1-server2): here "lb:takahe-kea hs:takahe-kea"; ha_kea_interop_reverse.sh runs
# "lb:kea-takahe hs:kea-takahe" with this script (each script stays under 90 s).
# For each: the pair reaches its normal states; a perfdhcp load is answered (in
# load-balancing by both servers, each from its own pool) and every lease acked by one server
# is in the other's lease file; kill -9 of the Kea node → the Takahe node goes partner-down
# within heartbeat-delay + max-response-delay + 2 s; Kea restarts, syncs from Takahe (it then
# holds Takahe's leases) and both are normal; then the reverse (kill -9 of Takahe, Kea goes
# partner-down, Takahe restarts and syncs from Kea). No address is held by two clients.
# HA_INTEROP_OTHER=kea (or HA_IMPL=kea) replaces Takahe with Kea: a self-test of the harness.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init "${HA_INTEROP_NAME:-ha_kea_interop}"
HA_NODES=(server1 server2)
HA_HEARTBEAT_DELAY=${HA_HEARTBEAT_DELAY_INTEROP:-500}
HA_MAX_RESPONSE_DELAY=${HA_MAX_RESPONSE_DELAY_INTEROP:-1500}
HA_MAX_ACK_DELAY=500
HA_MAX_UNACKED_CLIENTS=0
OTHER=${HA_INTEROP_OTHER:-$([[ $HA_IMPL == kea ]] && echo kea || echo takahe)}
tkh_require_cmd curl python3 perfdhcp
why=$(ha_impl_missing kea)
[[ -z "$why" ]] || tkh_skip_all setup "$why"
tkh_log "Kea is paired with: $OTHER"
ha_topology 0 || tkh_skip_all setup "could not create namespaces"

# partner_down_after_kill SFX DEAD LIVE: kill -9 DEAD (server and agent), LIVE must reach
# partner-down in time; then DEAD restarts, syncs and both are normal.
partner_down_after_kill() {
  local sfx=$1 dead=$2 live=$3 t0 ms bound
  t0=$(ha_now_ms)
  ha_kill "$dead" agent
  bound=$((HA_HEARTBEAT_DELAY + HA_MAX_RESPONSE_DELAY + 2000))
  if ha_wait_state 15 "$live" partner-down; then
    ms=$(($(ha_now_ms) - t0))
    tkh_log "$(ha_impl "$live") $live partner-down $ms ms after kill -9 of $(ha_impl "$dead") $dead"
    tkh_check "partner-down-in-time-$(ha_impl "$live")-$live$sfx" "$ms ms > $bound ms" test "$ms" -le "$bound"
  else
    tkh_fail "partner-down-$(ha_impl "$live")-$live$sfx" "$live is '$HA_STATE' 15 s after $dead was killed"
    return 1
  fi
  # The survivor answers clients of both scopes (4 relayed DORAs, all acked by it).
  local m acks=0
  for m in 1 2 3 4; do
    ha_relay4 --server "${HA_ADDR[$live]}" --mac "02:00:00:0${dead: -1}:00:0$m" --timeout 1 dora |
      grep -q "^ACK .*server-id=${HA_ADDR[$live]}$" && acks=$((acks + 1))
  done
  tkh_check_eq "serves-in-partner-down-$(ha_impl "$live")-$live$sfx" 4 "$acks"
  if ha_agent_start "$dead" && ha_dhcp_start "$dead"; then
    HA_CHECK_SUFFIX=-after-$dead-restart$sfx ha_wait_normal 15 "$dead" "$live"
    ha_check_replicated "$(ha_impl "$dead")-$dead-synced-from-$(ha_impl "$live")$sfx" "$live" "$dead"
  else
    tkh_fail "restart-$dead$sfx" "$(ha_impl "$dead") $dead did not restart"
    return 1
  fi
}

variant() { # variant MODE IMPL1 IMPL2 LABEL
  local mode=$1 i1=$2 i2=$3 sfx sent recv kea_node other_node
  [[ $mode == lb ]] && HA_MODE=load-balancing || HA_MODE=hot-standby
  sfx="-$mode-$4"
  # shellcheck disable=SC2034 # read by ha_impl
  HA_IMPL_server1=$i1 HA_IMPL_server2=$i2
  if [[ -n "$(ha_impl_missing "$OTHER")" ]]; then
    tkh_skip "variant$sfx" "$(ha_impl_missing "$OTHER")"
    return
  fi
  tkh_log "variant $HA_MODE: $(ha_impls)"
  HA_CHECK_SUFFIX=$sfx
  ha_start_all || { ha_show_logs; ha_stop_all; return; }
  ha_wait_normal 15 || { ha_show_logs; ha_stop_all; return; }

  read -r sent recv <<< "$(HA_PERF_LOG=$TKH_TMP/perf$sfx.log ha_perf 2 20 20)"
  if [[ -n "${sent:-}" && "$sent" -gt 0 && "$recv" -ge $((sent * 9 / 10)) ]]; then
    tkh_pass "load-answered$sfx"
  else
    tkh_fail "load-answered$sfx" "REQUEST-ACK sent '${sent:-}' received '${recv:-}'"
  fi
  if [[ $mode == lb ]]; then
    tkh_check "server1-acked$sfx" "no lease from server1's pool" \
      test "$(ha_active_count server1 '192\.0\.2\.1[0-4][0-9] ')" -gt 0
    tkh_check "server2-acked$sfx" "no lease from server2's pool" \
      test "$(ha_active_count server2 '192\.0\.2\.1[5-9][0-9] ')" -gt 0
  fi
  # Takahe sends a Kea partner one lease4-update per lease (the primary sends in either mode).
  ha_check_update_style "update-style-server1$sfx" server1 server2
  [[ $mode == lb ]] && ha_check_update_style "update-style-server2$sfx" server2 server1
  sleep 0.5
  ha_check_replicated "leases-$i1-server1-on-$i2-server2$sfx" server1 server2
  ha_check_replicated "leases-$i2-server2-on-$i1-server1$sfx" server2 server1

  kea_node=server1 other_node=server2
  [[ $i2 == kea ]] && kea_node=server2 other_node=server1
  partner_down_after_kill "$sfx" "$kea_node" "$other_node" &&
    partner_down_after_kill "$sfx" "$other_node" "$kea_node"
  ha_check_no_duplicates "no-duplicate-addresses$sfx"
  ((TKH_FAILS == 0)) || ha_show_logs 20
  ha_stop_all
}

for v in ${HA_INTEROP_VARIANTS:-lb:takahe-kea hs:takahe-kea}; do
  mode=${v%%:*} pair=${v#*:}
  a=${pair%-*} b=${pair#*-}
  [[ $a == takahe ]] && a=$OTHER
  [[ $b == takahe ]] && b=$OTHER
  variant "$mode" "$a" "$b" "$pair"
done
tkh_finish
