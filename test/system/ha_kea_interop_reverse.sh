#!/bin/bash
# HA between a Kea 2.2 server1 and a Takahe server2, load-balancing and hot-standby: the
# checks of ha_kea_interop.sh (normal states, lease updates both ways, kill -9 of each side,
# partner-down, restart and sync) with the roles swapped.
# With Kea on both sides (HA_IMPL=kea) it would repeat ha_kea_interop.sh: skipped.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ha.sh"
if [[ "${HA_INTEROP_OTHER:-$([[ $HA_IMPL == kea ]] && echo kea || echo takahe)}" == kea ]]; then
  TKH_NAME=ha_kea_interop_reverse
  tkh_skip_all all "Kea on both sides: the same test as ha_kea_interop.sh"
fi
HA_INTEROP_NAME=ha_kea_interop_reverse \
  HA_INTEROP_VARIANTS=${HA_INTEROP_VARIANTS:-lb:kea-takahe hs:kea-takahe} \
  exec "$(dirname "$0")/ha_kea_interop.sh"
