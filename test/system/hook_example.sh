#!/bin/bash
# The example hook library built out of tree, as a third party would: Takahe installed into a
# DESTDIR, hooks-libs/example copied elsewhere without its meson.build and built with its
# Makefile against the installed headers (pkg-config takahe-hooks), loaded into takahe-dhcp4,
# and fed DISCOVERs by perfdhcp on loopback. Its command (example-stats) and its log file must
# count exactly the DISCOVERs perfdhcp sent; `make install` puts it into pkg-config's hooksdir.
set -u
. "$(dirname "$0")/../lib/common.sh"

tkh_init hook_example
tkh_require_cmd meson make pkg-config perfdhcp socat python3
tkh_require_takahe
command -v "${CXX:-g++}" > /dev/null || tkh_skip_all setup "no C++ compiler (${CXX:-g++})"

DEST=$TKH_TMP/inst
# The whole tree as `meson install` puts it. A partly built tree (a developer's build dir)
# cannot install everything: then the development files (headers, takahe-hooks.pc) alone,
# which is all a hook library needs.
if DESTDIR=$DEST meson install -C "$BUILD_DIR" --no-rebuild > "$TKH_TMP/install.log" 2>&1; then
  tkh_pass meson-install
elif DESTDIR=$DEST meson install -C "$BUILD_DIR" --no-rebuild --tags devel > "$TKH_TMP/install-devel.log" 2>&1; then
  tkh_log "full install failed ($(grep -m1 ERROR "$TKH_TMP/install.log")): installed the devel tag only"
  tkh_pass meson-install-devel
else
  tkh_fail meson-install "meson install failed"
  tkh_show_tail "$TKH_TMP/install.log"
  tkh_finish
fi
pc=$(find "$DEST" -name takahe-hooks.pc -print -quit)
[[ -n "$pc" ]] || { tkh_fail pc-installed "no takahe-hooks.pc under $DEST"; tkh_finish; }
tkh_pass pc-installed
export PKG_CONFIG_PATH=${pc%/*} PKG_CONFIG_SYSROOT_DIR=$DEST
cflags=$(pkg-config --cflags takahe-hooks)
tkh_log "pkg-config --cflags takahe-hooks: $cflags"
# The flags point into the DESTDIR, not into the source tree.
tkh_check pc-cflags-in-destdir "cflags '$cflags'" grep -q -- "-I$DEST/" <<< "$cflags"
tkh_check pc-cflags-not-source "cflags name the source tree: '$cflags'" tkh_not grep -q -- "$TKH_REPO" <<< "$cflags"
tkh_check headers-installed "no takahe/hooks/hooks.h under $DEST" \
  test -n "$(find "$DEST" -path '*/takahe/hooks/hooks.h' -print -quit)"

src=$TKH_TMP/example-src
mkdir -p "$src"
cp "$TKH_REPO/hooks-libs/example/example.cc" "$TKH_REPO/hooks-libs/example/Makefile" "$src/"
if make -C "$src" > "$TKH_TMP/make.log" 2>&1; then
  tkh_pass make
else
  tkh_fail make "the example did not build out of tree"
  tkh_show_tail "$TKH_TMP/make.log" 30
  tkh_finish
fi
LIB=$src/libdhcp_example.so
tkh_check built-library "no $LIB" test -f "$LIB"
# Built against headers only: every takahe symbol is left for the server to provide.
tkh_check undefined-takahe-symbols "no undefined takahe symbols in $LIB" \
  grep -q takahe <<< "$(nm -D --undefined-only -C "$LIB" 2> /dev/null)"

# make install: into the hooksdir that pkg-config names, under DESTDIR (without the sysroot,
# which pkgconf also puts in front of variables): the hooks directory of the installed tree.
hooksdir=$(PKG_CONFIG_SYSROOT_DIR='' pkg-config --variable=hooksdir takahe-hooks)
tkh_log "pkg-config hooksdir: $hooksdir"
tkh_check_eq hooksdir-beside-libdir "${pc%/pkgconfig/takahe-hooks.pc}/takahe/hooks" "$DEST$hooksdir"
PKG_CONFIG_SYSROOT_DIR='' make -C "$src" install DESTDIR="$DEST" > "$TKH_TMP/make-install.log" 2>&1
tkh_check_eq make-install-exit 0 "$?"
installed=$(find "$DEST" -name libdhcp_example.so -print -quit)
tkh_check_eq make-install-path "$DEST$hooksdir/libdhcp_example.so" "$installed"
tkh_check make-install-same-file "installed copy differs from the build" cmp -s "$LIB" "${installed:-/nonexistent}"
# The server finds it there by its bare name (TAKAHE_HOOKS_PATH stands in for the compiled-in
# hooks directory, which is not under DESTDIR).
export TAKAHE_HOOKS_PATH=$DEST$hooksdir
LIB=libdhcp_example.so

# ------------------------------------------------------------------ loaded into the server
tkh_ns_add TKH_SRV_NS ex || tkh_skip_all setup "could not create a namespace"
ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo
conf=$TKH_TMP/dhcp4.json
sock=$TKH_TMP/ctl.sock
exlog=$TKH_TMP/discovers.log
subnet='[ { "id": 1, "subnet": "198.18.0.0/15", "relay": { "ip-addresses": [ "127.0.0.2" ] },
    "pools": [ { "pool": "198.18.0.1 - 198.19.255.254" } ] } ]'
write_conf() { # write_conf OUT PARAMETERS
  tkh_dhcp4_config "$1" --leases "$TKH_TMP/leases4.csv" --iface lo/127.0.0.1 --socket udp \
    --subnets "$subnet" --severity INFO \
    --globals "\"valid-lifetime\": 3600, \"control-socket\": { \"socket-type\": \"unix\", \"socket-name\": \"$sock\" },
      \"hooks-libraries\": [ { \"library\": \"$LIB\", \"parameters\": $2 } ]"
}
cmd() { printf '%s' "$1" | timeout 20 socat -t 15 - "UNIX-CONNECT:$sock"; }
field() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($2)" "$1" 2> /dev/null; }

# Without its required parameter the library refuses to load, and says why.
write_conf "$conf" '{}'
out=$("$DHCP4_SERVER" -t "$conf" 2>&1)
rc=$?
tkh_log "config check without log-file: $(tail -n 1 <<< "$out")"
# -t only opens the library (load() is not called): it must accept the file.
tkh_check_eq config-check-opens-library 0 "$rc"

write_conf "$conf" "{ \"log-file\": \"$exlog\" }"
tkh_server_start "$conf" || { tkh_fail server-start "server did not start with the example"; tkh_finish; }
tkh_pass server-start
tkh_wait_for 5 test -S "$sock" || { tkh_fail control-socket "no control socket at $sock"; tkh_finish; }
tkh_check loaded-logged "no HOOKS_LIBRARY_LOADED for libdhcp_example.so" \
  grep -q "HOOKS_LIBRARY_LOADED.*libdhcp_example.so" "$TKH_SERVER_LOG"
# (`ip netns exec` execs the server: the PID we started is takahe-dhcp4's.)
tkh_check loaded-from-hooksdir "$TAKAHE_HOOKS_PATH/libdhcp_example.so is not mapped in the server" \
  grep -q " $TAKAHE_HOOKS_PATH/libdhcp_example.so\$" "/proc/$TKH_SERVER_PID/maps"
a=$(cmd '{ "command": "example-stats" }')
tkh_check_eq stats-before 0 "$(field "$a" "len(a['arguments']['subnets'])")"

# DISCOVER-OFFER only (-i) for 2 s (-p) at 50/s, from up to 1000 simulated clients; bounded
# by -p and timeout.
out=$TKH_TMP/perfdhcp.out
timeout 40 ip netns exec "$TKH_SRV_NS" perfdhcp -4 -i -r 50 -R 1000 -p 2 -d 2 \
  -l 127.0.0.2 127.0.0.1 > "$out" 2>&1
tkh_check_eq perfdhcp-exit 0 "$?"
sent=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/ { on = 1 } on && /^sent packets:/ { print $3; exit }' "$out")
recv=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/ { on = 1 } on && /^received packets:/ { print $3; exit }' "$out")
tkh_log "perfdhcp: $sent DISCOVERs sent, $recv OFFERs received"
tkh_check discovers-sent "perfdhcp sent '${sent:-none}' DISCOVERs" test "${sent:-0}" -ge 50
tkh_check_eq all-offered "$sent" "$recv"

a=$(cmd '{ "command": "example-stats" }')
tkh_log "example-stats: $a"
tkh_check_eq stats-result 0 "$(field "$a" "a['result']")"
tkh_check_eq stats-text "1 subnet(s) counted" "$(field "$a" "a['text']")"
tkh_check_eq stats-subnet-id 1 "$(field "$a" "a['arguments']['subnets'][0]['subnet-id']")"
tkh_check_eq stats-discovers "$sent" "$(field "$a" "a['arguments']['subnets'][0]['discovers']")"
tkh_check_eq log-lines "$sent" "$(tkh_lines "$exlog")"
tkh_check_eq log-line-format 0 \
  "$(grep -Evc '^DHCPDISCOVER from ([0-9a-f]{2}:){5}[0-9a-f]{2} in subnet 1$' "$exlog")"
tkh_check_eq log-distinct-clients "$sent" "$(awk '{ print $3 }' "$exlog" | sort -u | wc -l)"
a=$(cmd '{ "command": "list-commands" }')
tkh_check_eq list-commands-example True "$(field "$a" "'example-stats' in a['arguments']")"

# config-set without the parameter: refused with the library's own text; the example is loaded
# again (as a fresh load: its counts start over) and answers.
a=$(cmd "{ \"command\": \"config-set\", \"arguments\": $(write_conf /dev/stdout '{}') }")
text=$(field "$a" "a['text']")
tkh_log "config-set without log-file: $text"
tkh_check_eq no-log-file-refused 1 "$(field "$a" "a['result']")"
tkh_check no-log-file-text "text: $text" grep -q "parameter 'log-file' (a file name) is required" <<< "$text"
a=$(cmd '{ "command": "example-stats" }')
tkh_check_eq example-still-loaded 0 "$(field "$a" "a['result']")"
tkh_check server-alive "server died" tkh_pid_alive "$TKH_SERVER_PID"
if ((TKH_FAILS > 0)); then
  tkh_show_tail "$out" 40
  tkh_show_tail "$TKH_SERVER_LOG"
fi

tkh_finish
