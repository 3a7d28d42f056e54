#!/bin/bash
# The configurations the DHCPv6 documentation shows must be valid: every ```json block of
# doc/dhcp6.md that is a complete {"Dhcp6": ...} file, and the shipped etc/takahe-dhcp6.conf,
# are checked with `$DHCP6_SERVER -t`. Interface names in `interfaces-config` are rewritten to
# "lo" first (keeping any "/address"), because -t insists that named interfaces exist here.
# The shipped file must also load without a single warning.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/dhcp6.sh"

tkh_init doc_examples6
tkh_require_cmd python3
tkh6_require_server

DOC=$TKH_REPO/doc/dhcp6.md
ETC=$TKH_REPO/etc/takahe-dhcp6.conf
[[ -r "$DOC" && -r "$ETC" ]] || tkh_skip_all setup "doc/dhcp6.md or etc/takahe-dhcp6.conf missing"

# extract DOC OUTDIR: writes each complete Dhcp6 example as OUTDIR/example-N.json (N = its
# position among the page's json blocks) and prints the file names.
# extract IN OUT --file: copies IN to OUT with the interface names rewritten.
extract() {
  python3 - "$@" << 'PY'
import json, re, sys
doc, out = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"^```json\n(.*?)^```", text, flags=re.S | re.M)

def strip_comments(s):
    # Kea's comment forms, outside strings: //, # and /* */.
    res, i, in_str = [], 0, False
    while i < len(s):
        c = s[i]
        if in_str:
            res.append(c)
            if c == "\\":
                res.append(s[i + 1]); i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True; res.append(c)
        elif s.startswith("//", i) or c == "#":
            while i < len(s) and s[i] != "\n":
                i += 1
            continue
        elif s.startswith("/*", i):
            i = s.index("*/", i) + 2
            continue
        else:
            res.append(c)
        i += 1
    return "".join(res)

def lo_interfaces(s):
    # Only the names inside the list: "eth1" -> "lo", "eth1/2001:db8::1" -> "lo/2001:db8::1".
    def names(m):
        return m.group(1) + re.sub(r'"(?!\*")[^"/]+((?:/[^"]*)?)"', r'"lo\1"', m.group(2))
    return re.sub(r'("interfaces"\s*:\s*\[)([^\]]*\])', names, s)

if len(sys.argv) == 4:  # rewrite one file: ... IN OUT --file
    text = open(doc, encoding="utf-8").read()
    open(out, "w", encoding="utf-8").write(lo_interfaces(text))
    sys.exit(0)

for n, block in enumerate(blocks, 1):
    try:
        value = json.loads(strip_comments(block))
    except ValueError:
        continue  # a fragment, not a whole file
    if not isinstance(value, dict) or "Dhcp6" not in value:
        continue
    name = f"{out}/example-{n}.json"
    with open(name, "w", encoding="utf-8") as f:
        f.write(lo_interfaces(block))
    print(name)
PY
}

# check NAME FILE: -t accepts FILE (its output kept in FILE.out).
check() {
  local name=$1 file=$2
  timeout 20 "$DHCP6_SERVER" -t "$file" > "$file.out" 2>&1 < /dev/null
  local rc=$?
  if ((rc == 0)); then
    tkh_pass "$name"
  else
    tkh_fail "$name" "-t exit $rc: $(grep -m1 -v '^WARN' "$file.out")"
  fi
}

mkdir -p "$TKH_TMP/ex"
mapfile -t examples < <(extract "$DOC" "$TKH_TMP/ex")
# The page has at least the minimal and the access-network examples; fewer means the
# extraction broke, which must not pass as "nothing to check".
tkh_check examples-found "only ${#examples[@]} complete Dhcp6 example(s) found in $DOC" \
  test "${#examples[@]}" -ge 2
for f in "${examples[@]}"; do
  check "doc-$(basename "$f" .json)" "$f"
done

etc=$TKH_TMP/takahe-dhcp6.conf
extract "$ETC" "$etc" --file
check etc-takahe-dhcp6.conf "$etc"
# No warning, and the valid line printed (a refused file prints no warnings either).
tkh_check etc-no-warnings "-t on the shipped configuration: $(grep -m1 -v '^Configuration.* is valid' "$etc.out")" \
  test "$(grep -c -v '^Configuration.* is valid' "$etc.out")" -eq 0 -a -s "$etc.out"

# The check must be able to fail: a broken copy of the shipped file is refused.
sed 's/"delegated-len": 56/"delegated-len": 24/' "$etc" > "$TKH_TMP/broken.conf"
refused() { ! timeout 20 "$DHCP6_SERVER" -t "$1" > /dev/null 2>&1; }
tkh_check broken-copy-refused "-t accepted delegated-len shorter than prefix-len" refused "$TKH_TMP/broken.conf"

if ((TKH_FAILS > 0)); then
  for f in "$TKH_TMP"/ex/*.out "$etc.out"; do tkh_show_tail "$f" 10; done
fi
tkh_finish
