#!/bin/bash
# Takahe's whole test suite: build, unit tests, other meson suites, system
# tests. The last line is "N passed, M failed, K skipped"; the exit code is
# non-zero if anything failed (a failed build counts as a failure).
#
# Usage: test/run-all.sh [--quick] [--build-dir DIR] [--no-build] [-j N]
#   --quick       skip the system tests (test/system/*.sh)
#   --build-dir   build directory (default: $BUILD_DIR or <repo>/build-ci)
#   --no-build    use the build directory as it is (no meson setup / ninja)
#   -j N          parallel build and meson test jobs (default: nproc)
# Environment:
#   DHCP4_SERVER  server binary for the system tests
#                 (default: <build dir>/daemons/dhcp4/takahe-dhcp4; e.g.
#                 DHCP4_SERVER=/usr/sbin/kea-dhcp4 to run them against Kea)
#   DHCP6_SERVER  DHCPv6 server for the dhcp6_* and perfdhcp6_* system tests
#                 (default: <build dir>/daemons/dhcp6/takahe-dhcp6; they skip while it is
#                 missing; DHCP6_SERVER=/usr/sbin/kea-dhcp6 runs them against Kea)
#   SYSTEM_TEST_TIMEOUT  seconds allowed per system test script (default 300)
#
# Counting (see doc/testing.md):
#   unit suite   each Catch2 TEST_CASE counts once: the Catch2 binaries of
#                the suite (found from `meson introspect --tests`) run with
#                `meson test --suite unit --test-args='-r xml' NAMES`, then
#                test/lib/meson_results.py reads the XML each binary printed
#                (from meson's JSON log). Other unit tests count once each.
#   db suite     counted like the unit suite; its tests need the PostgreSQL
#                and MariaDB servers that test/lib/db.sh starts before the
#                meson tests (throwaway, under $BUILD_DIR/test-db) and stops
#                at the end, also on failure or interruption.
#   other suites each meson test counts once (exit 77 = skipped).
#   system       each PASS:/FAIL:/SKIP: line a script prints counts once; a
#                script that exits non-zero without a FAIL line, or prints
#                no result at all, counts one failure.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
DO_BUILD=1
JOBS=$(nproc 2> /dev/null || echo 2)
BUILD_DIR=${BUILD_DIR:-$REPO/build-ci}

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --no-build) DO_BUILD=0 ;;
    --build-dir)
      BUILD_DIR=$2
      shift
      ;;
    -j)
      JOBS=$2
      shift
      ;;
    -j*) JOBS=${1#-j} ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *)
      echo "run-all.sh: unknown option: $1" >&2
      exit 2
      ;;
  esac
  shift
done
case $BUILD_DIR in
  /*) ;;
  *) BUILD_DIR=$PWD/$BUILD_DIR ;;
esac
export BUILD_DIR
export DHCP4_SERVER=${DHCP4_SERVER:-$BUILD_DIR/daemons/dhcp4/takahe-dhcp4}
export DHCP6_SERVER=${DHCP6_SERVER:-$BUILD_DIR/daemons/dhcp6/takahe-dhcp6}
SYSTEM_TEST_TIMEOUT=${SYSTEM_TEST_TIMEOUT:-300}

PASSED=0
FAILED=0
SKIPPED=0
START=$(date +%s)
LOGDIR=$(mktemp -d /tmp/takahe-run-all.XXXXXX)
# shellcheck disable=SC1091 # sourced by path; checked on its own
. "$REPO/test/lib/db.sh"
trap 'db_stop_all; rm -rf "$LOGDIR"' EXIT
trap 'exit 130' INT TERM

section() {
  echo
  echo "=== $* ($(($(date +%s) - START)) s)"
}

# add P F S
add() {
  PASSED=$((PASSED + $1))
  FAILED=$((FAILED + $2))
  SKIPPED=$((SKIPPED + $3))
}

show_tail() {
  tail -n "${2:-40}" "$1" | sed 's/^/#   /'
}

# ------------------------------------------------------------------ build
BUILD_OK=1
if ((DO_BUILD)); then
  section "build ($BUILD_DIR)"
  if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    setup_args=(-Dtests=enabled)
    if [[ -f "$BUILD_DIR/meson-private/coredata.dat" ]]; then
      setup_args+=(--wipe)
    fi
    if ! meson setup "${setup_args[@]}" "$BUILD_DIR" "$REPO" > "$LOGDIR/setup.log" 2>&1; then
      echo "FAIL: build/meson-setup: meson setup failed"
      show_tail "$LOGDIR/setup.log"
      BUILD_OK=0
    fi
  fi
  if ((BUILD_OK)); then
    if ninja -C "$BUILD_DIR" -j "$JOBS" > "$LOGDIR/build.log" 2>&1; then
      echo "# build ok: $(tail -n 1 "$LOGDIR/build.log")"
    else
      echo "FAIL: build/ninja: compilation failed"
      if grep -q -E 'error:|FAILED:|ERROR:' "$LOGDIR/build.log"; then
        grep -E -A3 'error:|FAILED:|ERROR:' "$LOGDIR/build.log" | head -n 80 | sed 's/^/#   /'
      else
        show_tail "$LOGDIR/build.log" 30
      fi
      BUILD_OK=0
    fi
  fi
  if ((!BUILD_OK)); then
    add 0 1 0
  fi
elif [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  echo "FAIL: build: --no-build given but $BUILD_DIR is not a configured build directory"
  BUILD_OK=0
  add 0 1 0
fi

# ------------------------------------------------------------ meson tests
# run_meson LOGBASE RESULT-ARGS MESON-TEST-ARGS...
run_meson() {
  local logbase=$1 mode=$2
  shift 2
  local json="$BUILD_DIR/meson-logs/$logbase.json"
  rm -f "$json"
  meson test -C "$BUILD_DIR" --no-rebuild --num-processes "$JOBS" \
    --timeout-multiplier 4 --logbase "$logbase" "$@" > "$LOGDIR/$logbase.out" 2>&1
  local rc=$?
  # shellcheck disable=SC2086 # $mode is empty or --catch2
  python3 "$REPO/test/lib/meson_results.py" "$json" $mode > "$LOGDIR/$logbase.res"
  grep -v '^TOTAL: ' "$LOGDIR/$logbase.res"
  local total
  total=$(sed -n 's/^TOTAL: //p' "$LOGDIR/$logbase.res")
  if [[ -z "$total" ]]; then
    echo "FAIL: $logbase: could not read the meson test log"
    add 0 1 0
    return
  fi
  # shellcheck disable=SC2086
  add $total
  # meson test failing without a counted failure (e.g. it could not start).
  if ((rc != 0)) && [[ $(echo "$total" | awk '{ print $2 }') == 0 ]]; then
    echo "FAIL: $logbase: meson test exited $rc"
    show_tail "$LOGDIR/$logbase.out" 20
    add 0 1 0
  fi
}

# run_suite SUITE: each Catch2 test case of the suite counts once.
run_suite() {
  local suite=$1
  # Only Catch2 binaries get `-r xml`; other tests of the suite (e.g. a
  # corpus replay driver) run with their own arguments and count once.
  meson introspect "$BUILD_DIR" --tests > "$LOGDIR/tests.json" 2> "$LOGDIR/introspect.err"
  python3 "$REPO/test/lib/meson_results.py" --classify "$LOGDIR/tests.json" "$suite" \
    > "$LOGDIR/$suite-kinds" 2>> "$LOGDIR/introspect.err"
  mapfile -t catch2_tests < <(sed -n 's/^catch2 //p' "$LOGDIR/$suite-kinds")
  mapfile -t plain_tests < <(sed -n 's/^plain //p' "$LOGDIR/$suite-kinds")
  if [[ -s "$LOGDIR/introspect.err" ]]; then
    echo "FAIL: $suite: could not list the meson tests"
    show_tail "$LOGDIR/introspect.err" 10
    add 0 1 0
  fi
  if ((${#catch2_tests[@]})); then
    run_meson "$suite" --catch2 --suite "$suite" "--test-args=-r xml" "${catch2_tests[@]}"
  fi
  if ((${#plain_tests[@]})); then
    run_meson "$suite-plain" "" --suite "$suite" "${plain_tests[@]}"
  fi
  if ((${#catch2_tests[@]} + ${#plain_tests[@]} == 0)); then
    echo "# no $suite tests registered"
  fi
}

if ((BUILD_OK)); then
  section "unit tests (Catch2 test cases)"
  run_suite unit
  section "database servers"
  # The servers offer TLS (and require it of a certificate user) so the TLS tests run too.
  mkdir -p "$LOGDIR/db-pki"
  (TKH_TMP=$LOGDIR; . "$REPO/test/lib/common.sh"; tkh_make_pki "$LOGDIR/db-pki") > "$LOGDIR/db-pki.log" 2>&1 ||
    echo "FAIL: db/pki: openssl could not make the test certificates"
  if ! DB_TLS_DIR=$LOGDIR/db-pki db_start_all 2> "$LOGDIR/db-start.log"; then
    echo "FAIL: db/start: could not start the test database servers"
    show_tail "$LOGDIR/db-start.log" 30
    add 0 1 0
  else
    sed 's/^/# /' "$LOGDIR/db-start.log"
  fi
  section "database tests (Catch2 test cases)"
  run_suite db
  section "other meson tests"
  run_meson other "" --no-suite unit --no-suite db
fi

# ----------------------------------------------------------- system tests
if ((QUICK)); then
  section "system tests skipped (--quick)"
else
  section "system tests (DHCP4_SERVER=$DHCP4_SERVER)"
  for script in "$REPO"/test/system/*.sh; do
    [[ -e "$script" ]] || continue
    name=$(basename "$script" .sh)
    if [[ ! -x "$DHCP4_SERVER" ]]; then
      echo "SKIP: $name: DHCP4_SERVER not executable ($DHCP4_SERVER)"
      add 0 0 1
      continue
    fi
    log="$LOGDIR/system-$name.log"
    t0=$(date +%s)
    timeout -k 15 "$SYSTEM_TEST_TIMEOUT" bash "$script" > "$log" 2>&1 < /dev/null
    rc=$?
    cat "$log"
    p=$(grep -c '^PASS: ' "$log")
    f=$(grep -c '^FAIL: ' "$log")
    s=$(grep -c '^SKIP: ' "$log")
    if ((rc == 124 || rc == 137)); then
      echo "FAIL: $name: timed out after $SYSTEM_TEST_TIMEOUT s"
      f=$((f + 1))
    elif ((rc != 0 && f == 0)); then
      echo "FAIL: $name: exited $rc without a FAIL line"
      f=$((f + 1))
    elif ((p + f + s == 0)); then
      echo "FAIL: $name: printed no result"
      f=$((f + 1))
    fi
    echo "# [run-all] $name: $p passed, $f failed, $s skipped in $(($(date +%s) - t0)) s"
    add "$p" "$f" "$s"
  done
fi

db_stop_all
section "done"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
if ((FAILED > 0)); then
  exit 1
fi
exit 0
