#!/bin/bash
# Configuration checking: `-t FILE` accepts a good config and rejects bad
# ones (syntax error, pool outside its subnet, wrong type, missing
# interface); starting with a bad config fails instead of serving.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init config_check
tkh_require_server

tkh_topology 0 || tkh_skip_all setup "could not create namespaces"
srv() {
  timeout 20 ip netns exec "$TKH_SRV_NS" env KEA_PIDFILE_DIR="$TKH_TMP/run" \
    KEA_LOCKFILE_DIR="$TKH_TMP/run" TAKAHE_PIDFILE_DIR="$TKH_TMP/run" \
    TAKAHE_LOCKFILE_DIR="$TKH_TMP/run" "$DHCP4_SERVER" "$@" >> "$TKH_TMP/check.log" 2>&1 < /dev/null
}

good=$TKH_TMP/good.json
tkh_dhcp4_config "$good"
tkh_check test-good "-t rejected a valid config" srv -t "$good"

syntax=$TKH_TMP/syntax.json
head -n 5 "$good" > "$syntax"
tkh_check test-syntax-error "-t accepted a truncated file" tkh_not srv -t "$syntax"

outside=$TKH_TMP/outside.json
tkh_dhcp4_config "$outside" --subnets '[ { "id": 1, "subnet": "192.0.2.0/24",
  "pools": [ { "pool": "198.51.100.10 - 198.51.100.20" } ] } ]'
tkh_check test-pool-outside-subnet "-t accepted a pool outside its subnet" tkh_not srv -t "$outside"

badtype=$TKH_TMP/badtype.json
tkh_dhcp4_config "$badtype" --globals '"valid-lifetime": "forever"'
tkh_check test-bad-type "-t accepted a string lifetime" tkh_not srv -t "$badtype"

# Like Kea, -t checks that the listed interfaces exist.
noiface=$TKH_TMP/noiface.json
tkh_dhcp4_config "$noiface" --iface tkh-missing0
tkh_check test-missing-interface "-t accepted an interface that does not exist" tkh_not srv -t "$noiface"

# Started with a bad config, the server exits with an error.
srv -c "$outside"
rc=$?
tkh_check start-bad-config-fails "server exit code $rc (124 = still running after 20 s)" \
  test "$rc" -ne 0 -a "$rc" -ne 124
if ((TKH_FAILS > 0)); then
  tkh_show_tail "$TKH_TMP/check.log" 30
fi

tkh_finish
