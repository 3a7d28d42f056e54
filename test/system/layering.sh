#!/bin/bash
# Checks every #include "takahe/<lib>/..." in libs/ against the layer table of
# ../shared/design/ARCHITECTURE.md: a library may include only itself and the libraries listed
# for it below. A new edge is a design decision: add it here and in ARCHITECTURE.md together.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
declare -A allowed=(
  [util]="util"
  [cc]="util cc"
  [log]="util cc log"
  [crypto]="util crypto"
  [process]="util cc log stats crypto http hooks process"
  [http]="util cc log http"
  [db]="util cc log db"
  [stats]="util cc stats"
  [dhcp]="util dhcp"
  [net]="util net"
  [eval]="util dhcp eval"
  [hooks]="util cc log hooks"
  [dhcpsrv]="util cc log stats dhcp hooks db dhcpsrv"
  # Hook libraries see only the installed public API (takahe-hooks.pc).
  [../hooks-libs]="util cc log stats dhcp eval hooks db dhcpsrv http"
)
for dir in "$REPO"/libs/*/; do
  lib=$(basename "$dir")
  if [[ -z ${allowed[$lib]+x} ]]; then
    echo "FAIL: layering/$lib: libs/$lib is not in the layering table of $0"
    fails=$((${fails:-0} + 1))
  fi
done
fails=${fails:-0}
for lib in "${!allowed[@]}"; do
  dir=$REPO/libs/$lib
  [[ -d $dir ]] || continue
  bad=$(grep -rnoE '#include "takahe/[a-z0-9_]+/' "$dir" --include='*.h' --include='*.cc' |
    while IFS= read -r hit; do
      used=${hit##*takahe/}
      used=${used%/}
      case " ${allowed[$lib]} " in *" $used "*) ;; *) echo "${hit%%:#*} -> $used" ;; esac
    done)
  if [[ -n $bad ]]; then
    echo "FAIL: layering/$lib: includes outside its layer: $(echo "$bad" | head -5 | tr '\n' ' ')"
    fails=$((fails + 1))
  else
    echo "PASS: layering/$lib"
  fi
done
# libs/ never reach up into daemons, the agent, hook libraries or tools.
up=$(grep -rnE '#include "(daemons|agent|hooks-libs|tools)/|#include "(processor|dhcp4_server|socket_set)\.h"' \
  "$REPO/libs" --include='*.h' --include='*.cc' | head -5)
if [[ -n $up ]]; then
  echo "FAIL: layering/upward: $up"
  fails=$((fails + 1))
else
  echo "PASS: layering/upward"
fi
exit $((fails > 0))
