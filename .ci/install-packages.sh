#!/bin/bash
# Installs the Debian 12 packages of .ci/packages.txt that are missing (as root), without
# letting their services start. Shared by .ci/run (README command 2) and tools/start.sh
# (README command 1). Does nothing when everything is installed.
set -u
cd "$(dirname "$0")/.." || exit 1

mapfile -t PACKAGES < <(sed 's/#.*//' .ci/packages.txt | tr -s ' \t' '\n' | sed '/^$/d')
missing=()
for p in "${PACKAGES[@]}"; do
  if [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2> /dev/null) != installed ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get > /dev/null; then
    echo "# .ci/run: not root or no apt-get; missing packages: ${missing[*]}" >&2
  else
    echo "# .ci/run: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Keep package installs from starting services (kea-dhcp4-server would
    # start a DHCP server): the standard policy-rc.d "action forbidden".
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own_policy=1
      trap '[[ $own_policy == 1 ]] && rm -f "$policy"' EXIT
    fi
    apt-get update -q || echo "# .ci/run: apt-get update failed" >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
      echo "# .ci/run: apt-get install failed" >&2
    if ((own_policy)); then
      rm -f "$policy"
      own_policy=0
    fi
    # If a service we just installed got started anyway, stop it.
    for p in "${missing[@]}"; do
      case $p in
        kea-*-server | kea-ctrl-agent | postgresql-* | mariadb-server)
          if command -v systemctl > /dev/null && [[ -d /run/systemd/system ]]; then
            systemctl stop "$p" > /dev/null 2>&1
          elif command -v service > /dev/null; then
            service "$p" stop > /dev/null 2>&1
          fi
          ;;
      esac
    done
  fi
fi

