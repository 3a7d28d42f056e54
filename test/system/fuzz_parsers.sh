#!/bin/bash
# A short, bounded libFuzzer run of each parser that reads untrusted input: the DHCPv4 packet
# parser with the option codec (fuzz_pkt4) and the JSON/config reader (fuzz_json). Each runs
# FUZZ_SECONDS (default 20) from its seed corpus; any crash, leak or sanitizer report fails.
# Needs clang (builds build-fuzz/ with -Dfuzzing=true). Longer runs: FUZZ_SECONDS=600.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-20}
BUILD=${FUZZ_BUILD_DIR:-$REPO/build-fuzz}
name=fuzz_parsers

if ! command -v clang++ > /dev/null; then
  echo "SKIP: $name/build: clang++ not installed"
  exit 0
fi
if [[ ! -f "$BUILD/build.ninja" ]]; then
  if ! CXX=clang++ meson setup "$BUILD" "$REPO" -Dfuzzing=true -Dtests=disabled \
    -Dbuildtype=debugoptimized > /tmp/tkh-fuzz-setup.log 2>&1; then
    echo "FAIL: $name/build: meson setup failed"
    tail -20 /tmp/tkh-fuzz-setup.log
    exit 1
  fi
fi
if ! ninja -C "$BUILD" libs/dhcp/tests/fuzz_pkt4 libs/cc/fuzz_json > "$BUILD/fuzz-build.log" 2>&1; then
  echo "FAIL: $name/build: fuzz targets did not build"
  tail -20 "$BUILD/fuzz-build.log"
  exit 1
fi
echo "PASS: $name/build"

work=$(mktemp -d /tmp/tkh-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
run() { # run TARGET CORPUS
  local target=$1 corpus=$2 out="$work/$(basename "$1").log"
  mkdir -p "$work/$(basename "$target")"
  cp -r "$corpus"/. "$work/$(basename "$target")/"
  # New inputs go to the scratch copy, never into the repository's seed corpus.
  timeout $((SECONDS_EACH + 60)) "$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 \
    -timeout=10 -print_final_stats=1 "$work/$(basename "$target")" > "$out" 2>&1
  local rc=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | awk '{ print $2 }')
  if [[ $rc -eq 0 && ${runs:-0} -gt 1000 ]]; then
    echo "PASS: $name/$(basename "$target") (${runs} inputs in ${SECONDS_EACH} s)"
  else
    echo "FAIL: $name/$(basename "$target"): exit $rc after ${runs:-0} inputs"
    grep -E 'ERROR|SUMMARY|==[0-9]+==' "$out" | head -20
    fails=$((fails + 1))
  fi
}
run "$BUILD/libs/dhcp/tests/fuzz_pkt4" "$REPO/libs/dhcp/tests/corpus/pkt4"
run "$BUILD/libs/cc/fuzz_json" "$REPO/libs/cc/tests/corpus"
exit $((fails > 0))
