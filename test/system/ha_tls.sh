#!/bin/bash
# HA over TLS, certificates made with openssl now (ha_make_pki). Cases (HA_TLS_CASES, default
# all):
#   good        HTTPS to each peer's agent, client certificates required, one PKI: the pair
#               reaches its normal state
#   wrong-ca    server2 lives in another PKI (its certificate and trust anchor)
#   expired     server2's certificate expired in 2020
#   no-cert     HA+MT dedicated listeners (peers talk to each other's DHCP server over HTTPS,
#               "require-client-certs": true): the pair reaches its normal state; a client
#               without a certificate (curl) is refused, one with a certificate is answered
# In the wrong-ca and expired cases (max-unacked-clients 2, no clients) the pair must not reach
# its normal state, and a Takahe node must stay safe: never partner-down, never serving a scope
# its partner serves (sampled for max-response-delay + 3 s). Kea 2.2 does not: from `waiting`
# both Kea peers go partner-down after max-response-delay, clients or not (logged, not failed).
# A Takahe node must log each failure at ERROR with the peer URL (or the client's address),
# the certificate subject (when a certificate was seen) and OpenSSL's reason; for a Kea node
# the test only checks that its heartbeats fail and shows what Kea said.
# Implementations per node: HA_IMPL (kea | takahe) or HA_IMPL_server1/_server2.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"

tkh_init ha_tls
HA_NODES=(server1 server2)
HA_MAX_UNACKED_CLIENTS=2
ha_require
tkh_require_cmd openssl
tkh_log "implementations: $(ha_impls), mode $HA_MODE"
ha_topology 0 || tkh_skip_all setup "could not create namespaces"
HA_PKI=$TKH_TMP/pki
ha_make_pki "$HA_PKI" || {
  tkh_show_tail "$HA_PKI/openssl.log"
  tkh_skip_all setup "openssl could not make the test certificates"
}
HA_SCHEME=https

# safe_for MS: samples both states for MS milliseconds; FAIL (once) when a Takahe node goes
# partner-down, or when both serve one scope and one of them is Takahe. Leaves the last states
# in S1 / S2.
safe_for() {
  local end=$(($(ha_now_ms) + $1)) sc1 sc2 s takahe=0
  [[ $(ha_impl server1) == takahe || $(ha_impl server2) == takahe ]] && takahe=1
  S1="" S2=""
  while (($(ha_now_ms) < end)); do
    S1=$(ha_state server1) S2=$(ha_state server2)
    if [[ ($S1 == partner-down && $(ha_impl server1) == takahe) ||
      ($S2 == partner-down && $(ha_impl server2) == takahe) ]]; then
      tkh_fail "safe-$case" "partner-down without unanswered clients (server1 $S1, server2 $S2)"
      return 1
    fi
    ((takahe)) || { sleep 0.5; continue; }
    sc1=$(ha_scopes server1) sc2=$(ha_scopes server2)
    for s in $sc1; do
      if [[ " $sc2 " == *" $s "* ]]; then
        tkh_fail "safe-$case" "both servers serve scope $s"
        return 1
      fi
    done
    sleep 0.5
  done
  if ((takahe)); then
    tkh_pass "safe-$case"
  else
    tkh_log "safe-$case: not checked for a Kea pair (Kea: server1 $S1, server2 $S2)"
  fi
}

# logged NODE PEER REASON-REGEX [SUBJECT]: NODE's log shows the TLS failure towards PEER.
# Takahe: one ERROR line with PEER's URL, the REASON and (if given) CN=SUBJECT. Kea: any
# line naming PEER's URL with a communication failure (the line is shown).
logged() {
  local node=$1 peer=$2 reason=$3 subject=${4:-} log url line
  log=$(ha_log "$node")
  url=$(ha_url "$peer")
  if [[ $(ha_impl "$node") == kea ]]; then
    line=$(grep -F "$url" "$log" | grep -E 'FAILED|failed' | tail -n 1)
    tkh_log "kea $node said: ${line:0:300}"
    tkh_check "$node-heartbeats-fail-$case" "no failed communication with $url in $log" test -n "$line"
    return
  fi
  line=$(grep -F "$url" "$log" | grep -E 'ERROR' | grep -E "$reason" |
    { if [[ -n "$subject" ]]; then grep -E "CN ?= ?$subject"; else cat; fi; } | tail -n 1)
  tkh_log "takahe $node said: ${line:0:300}"
  tkh_check "$node-error-line-$case" "no ERROR line in $log with $url, '$reason'${subject:+ and CN=$subject}" \
    test -n "$line"
}

# listener_post NODE [CURL ARGS]: ha-heartbeat posted to NODE's dedicated HA listener from the
# pf namespace (192.0.2.9); prints the answer, fails without one.
listener_post() {
  local node=$1
  shift
  ip netns exec "$HA_PERF_NS" curl -s --max-time 5 --cacert "$HA_PKI/ca.crt" "$@" \
    -H 'Content-Type: application/json' -d '{ "command": "ha-heartbeat", "service": [ "dhcp4" ] }' \
    "$(ha_url "$node")"
}

no_cert_checks() {
  local a line
  a=$(listener_post server1 --cert "$HA_PKI/op.crt" --key "$HA_PKI/op.key")
  tkh_check listener-answers-with-cert "no answer with a client certificate: '$a'" \
    test "$(ha_field "$a" "a[0]['result'] if isinstance(a, list) else a['result']")" = 0
  a=$(listener_post server1)
  tkh_check listener-refuses-without-cert "answered without a client certificate: '$a'" test -z "$a"
  sleep 0.5
  if [[ $(ha_impl server1) == takahe ]]; then
    line=$(grep -F "$HA_PERF_ADDR" "$(ha_log server1)" | grep ERROR |
      grep -E 'certificate required|did not return a certificate' | tail -n 1)
    tkh_log "takahe server1 said: ${line:0:300}"
    tkh_check server1-error-line-no-cert "no ERROR line naming $HA_PERF_ADDR and the missing certificate" \
      test -n "$line"
  fi
  HA_CHECK_SUFFIX=-after-refused-client ha_wait_normal 2
}

for case in ${HA_TLS_CASES:-good wrong-ca expired no-cert}; do
  ha_tls_node server1 ca server1
  case $case in
    good | no-cert) ha_tls_node server2 ca server2 ;;
    wrong-ca) ha_tls_node server2 wca server2-wrong ;;
    expired) ha_tls_node server2 ca server2-expired ;;
    *)
      tkh_fail "case-$case" "unknown case in HA_TLS_CASES"
      continue
      ;;
  esac
  HA_CHECK_SUFFIX=-$case
  HA_DEDICATED=0
  if [[ $case == no-cert ]]; then
    HA_DEDICATED=1
    HA_TLS_EXTRA[server1]+=' "require-client-certs": true,'
    HA_TLS_EXTRA[server2]+=' "require-client-certs": true,'
  fi
  if ! ha_start_all; then
    ha_show_logs
    ha_stop_all
    continue
  fi
  if [[ $case == good || $case == no-cert ]]; then
    ha_wait_normal 20 || ha_show_logs
    st=$(ha_status server1)
    tkh_check_eq "partner-in-touch-$case" False "$(ha_field "$st" "a['ha-servers']['remote']['communication-interrupted']")"
    [[ $case == no-cert ]] && no_cert_checks
    ((TKH_FAILS == 0)) || ha_show_logs 10
    ha_stop_all
    continue
  fi
  safe_for $((HA_MAX_RESPONSE_DELAY + 3000))
  tkh_log "$case: server1 $S1, server2 $S2"
  tkh_check "not-normal-$case" "the pair reached its normal state with a broken TLS setup" \
    test "$S1" != "$(ha_normal_state server1)" -o "$S2" != "$(ha_normal_state server2)"
  case $case in
    wrong-ca)
      logged server1 server2 'unable to get local issuer certificate|unable to verify the first certificate|self-signed certificate in certificate chain' server2
      logged server2 server1 'unable to get local issuer certificate|unable to verify the first certificate|self-signed certificate in certificate chain' server1
      ;;
    expired)
      logged server1 server2 'certificate has expired' server2
      logged server2 server1 'certificate expired|certificate has expired'
      ;;
  esac
  ((TKH_FAILS == 0)) || ha_show_logs 10
  ha_stop_all
done
tkh_finish
