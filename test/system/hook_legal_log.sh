#!/bin/bash
# Forensic logging (libdhcp_legal_log.so) with ISC dhclient: DORA, a RENEW and a
# RELEASE each leave one line in the legal log, in Kea's wording, and the
# assignment line is on disk by the time the client is bound.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init hook_legal_log
tkh_require_cmd dhclient
tkh_require_takahe

LEGAL_LIB=${LEGAL_LIB:-$BUILD_DIR/hooks-libs/legal_log/libdhcp_legal_log.so}
[[ -f "$LEGAL_LIB" ]] || tkh_skip_all setup "hook library not built: $LEGAL_LIB"

tkh_topology 1 || tkh_skip_all setup "could not create namespaces"
legal=$TKH_TMP/legal
mkdir -p "$legal"
conf=$TKH_TMP/dhcp4.json
leases=$TKH_TMP/leases4.csv
tkh_dhcp4_config "$conf" --leases "$leases" \
  --globals '"valid-lifetime": 8, "renew-timer": 2, "rebind-timer": 5,
    "hooks-libraries": [ { "library": "'"$LEGAL_LIB"'",
      "parameters": { "path": "'"$legal"'", "base-name": "legal4" } } ]'
if ! tkh_server_start "$conf"; then
  tkh_fail server-start "server did not start listening"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass server-start

# The one legal log file (created on the first entry).
legal_file() {
  local f
  for f in "$legal"/legal4.*.txt; do
    [[ -f "$f" ]] && echo "$f" && return 0
  done
  return 1
}

# legal_has REGEX: true if some line of the legal log matches REGEX (ERE).
legal_has() {
  local f
  f=$(legal_file) || return 1
  grep -Eq -- "$1" "$f"
}

stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Za-z0-9+-]+ '

dir=$TKH_TMP/c1
ev=$dir/events
tkh_dhclient_setup "$dir"
tkh_dhclient_start 1 "$dir"
dhclient_pid=$TKH_LAST_PID

if ! tkh_wait_event 20 "$ev" BOUND; then
  tkh_fail bound "no BOUND event within 20 s"
  tkh_show_tail "$dir/dhclient.log"
  tkh_show_tail "$TKH_SERVER_LOG"
  tkh_finish
fi
tkh_pass bound
ip=$(tkh_rec_get "$ev" BOUND ip)
mac=$(tkh_mac_of 1)
ip_re=${ip//./\\.}
device="a device with hardware address: hwtype=1 $mac"

# Written and synced before the ACK left: no waiting here.
file=$(legal_file)
name_ok() { [[ "$(basename "$1")" =~ ^legal4\.[0-9]{8}\.txt$ ]]; }
tkh_check legal-file-name "no legal4.CCYYMMDD.txt in $legal: $(ls "$legal")" name_ok "${file:-none}"
tkh_check assigned-line "no assignment line for $ip: $(cat "$file" 2> /dev/null)" \
  legal_has "${stamp}Address: $ip_re has been assigned for 0 hrs 0 mins 8 secs to $device\$"

# renew-timer 2 s: dhclient unicasts a REQUEST with ciaddr set.
if tkh_wait_event 15 "$ev" RENEW; then
  tkh_pass renew
  tkh_check renewed-line "no renewal line for $ip: $(cat "$file" 2> /dev/null)" \
    tkh_wait_for 3 legal_has "${stamp}Address: $ip_re has been renewed for 0 hrs 0 mins 8 secs to $device\$"
else
  tkh_fail renew "no RENEW event within 15 s"
  tkh_show_tail "$dir/dhclient.log"
fi

tkh_dhclient_release 1 "$dir"
tkh_check release-event "no RELEASE event" tkh_wait_event 5 "$ev" RELEASE
tkh_check client-stopped "dhclient still running after -r" tkh_wait_for 5 tkh_pid_dead "$dhclient_pid"
tkh_check released-line "no release line for $ip: $(cat "$file" 2> /dev/null)" \
  tkh_wait_for 5 legal_has "${stamp}Address: $ip_re has been released from $device\$"

# Every line is one of the three events for this client, and there is exactly
# one assignment and one release.
tkh_check_eq assigned-count 1 "$(grep -c 'has been assigned' "$file")"
tkh_check_eq released-count 1 "$(grep -c 'has been released' "$file")"
tkh_check_eq foreign-lines 0 "$(grep -Evc "Address: $ip_re has been (assigned|renewed|released) " "$file")"
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
tkh_show_tail "$file" 5

tkh_finish
