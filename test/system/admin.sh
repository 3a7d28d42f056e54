#!/bin/bash
# takahe-admin with kea-admin's command line on SQLite, PostgreSQL and MariaDB (servers started
# here by test/lib/db.sh, on loopback ports, stopped at the end):
#  - db-version on an empty database fails; db-init creates 3.0; db-version prints "3.0"; a
#    second db-init is refused;
#  - a 1.0 schema (hidden db-init --schema-version 1.0) holding a lease written with the backend's
#    own client is refused by lease-dump, upgraded by db-upgrade to 3.0 (lease kept, pool_id 0),
#    and a second db-upgrade has nothing to do;
#  - lease-upload of a hand-written Kea 2.2 CSV (no pool_id; repeated address, deletion row,
#    escaped text) and of a file written by takahe-dhcp4's memfile, then lease-dump gives exactly
#    the leases those files describe; uploading an address again replaces it; the dump is read
#    unchanged by Kea's kea-lfc and by takahe-lfc;
#  - a bad port, password or database name, and a missing -o target, each give one line on stderr
#    naming the option, and exit status 1; usage errors exit 1 with the usage text.
set -u
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/db.sh"

tkh_init admin
tkh_require_cmd python3
ADMIN=${TAKAHE_ADMIN:-$BUILD_DIR/tools/admin/takahe-admin}
TAKAHE_LFC=${TAKAHE_LFC:-$BUILD_DIR/tools/lfc/takahe-lfc}
[[ -x "$ADMIN" ]] || tkh_skip_all setup "takahe-admin not built: $ADMIN"
TKH_CLEANUP_CMDS+=("db_stop_all 2> /dev/null")
T=$TKH_TMP

# run NAME ARGS...: runs takahe-admin; stdout in $T/NAME.out, stderr in $T/NAME.err, status in RC.
RC=0
run() {
  local name=$1
  shift
  "$ADMIN" "$@" > "$T/$name.out" 2> "$T/$name.err" < /dev/null
  RC=$?
}
# ok NAME ARGS...: the command must succeed.
ok() {
  local name=$1
  run "$@"
  if ((RC == 0)); then
    tkh_pass "$name"
  else
    tkh_fail "$name" "exit $RC: $(head -c 400 "$T/$name.err")"
  fi
}
# one_line_error NAME FRAGMENT ARGS...: exit 1, nothing on stdout, exactly one line on stderr
# starting "takahe-admin:" and containing FRAGMENT.
one_line_error() {
  local name=$1 frag=$2
  shift 2
  run "$name" "$@"
  local lines msg
  lines=$(wc -l < "$T/$name.err")
  msg=$(cat "$T/$name.err")
  if ((RC != 1)); then
    tkh_fail "$name" "exit $RC (want 1): $msg"
  elif [[ -s "$T/$name.out" ]]; then
    tkh_fail "$name" "stdout not empty: $(head -c 200 "$T/$name.out")"
  elif ((lines != 1)) || [[ $msg != "takahe-admin: "* ]]; then
    tkh_fail "$name" "want one 'takahe-admin:' line, got $lines: $msg"
  elif [[ $msg != *"$frag"* ]]; then
    tkh_fail "$name" "message lacks '$frag': $msg"
  else
    tkh_pass "$name"
    tkh_log "$msg"
  fi
}

# expected_rows FILE...: the leases the CSV files describe (the last row of an address wins, a
# row with valid_lifetime 0 deletes it), padded to the 12 columns with defaults, by address.
expected_rows() {
  python3 - "$@" << 'PY'
import ipaddress, sys
defaults = ["", "", "", "", "", "", "0", "0", "", "0", "", "0"]
leases = {}
for f in sys.argv[1:]:
    lines = open(f).read().splitlines()
    width = len(lines[0].split(","))
    for line in lines[1:]:
        cols = line.split(",")
        cols += defaults[len(cols):]
        if cols[3] == "0":
            leases.pop(cols[0], None)
        else:
            leases[cols[0]] = ",".join(cols)
for addr in sorted(leases, key=lambda a: int(ipaddress.IPv4Address(a))):
    print(leases[addr])
PY
}
# data_rows FILE [COLUMNS]: the data rows of a CSV file (first COLUMNS columns), sorted by address.
data_rows() {
  python3 - "$1" "${2:-99}" << 'PY'
import ipaddress, sys
lines = open(sys.argv[1]).read().splitlines()[1:]
rows = [",".join(l.split(",")[:int(sys.argv[2])]) for l in lines]
rows.sort(key=lambda r: int(ipaddress.IPv4Address(r.split(",")[0])))
print("\n".join(rows))
PY
}
HEADER="address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"
HEADER22="address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"

# ------------------------------------------------------------------------ input files
NOW=$(date +%s)
# Kea 2.2's header (no pool_id). 192.0.2.10 appears twice (the second row wins), 192.0.2.13 is
# added then deleted, hostnames and user context carry escaped commas and an ampersand, .12 is a
# declined lease without hardware address, .14 never expires.
cat > "$T/hand.csv" << EOF
$HEADER22
192.0.2.10,00:11:22:33:44:55,01:00:11:22:33:44:55,3600,$((NOW + 1000)),1,0,0,first,0,
192.0.2.11,00:11:22:33:44:66,,7200,$((NOW + 7000)),1,1,1,host&#x2cwith&#x26comma.example.org,0,{ "tag": "a&#x2cb" }
192.0.2.12,,,3600,$((NOW + 3500)),1,0,0,,1,
192.0.2.10,00:11:22:33:44:55,01:00:11:22:33:44:55,3600,$((NOW + 3600)),1,1,0,second.example.org,0,
192.0.2.13,00:11:22:33:44:77,,3600,$((NOW + 3600)),2,0,0,gone,0,
192.0.2.13,00:11:22:33:44:77,,0,$((NOW + 3600)),2,0,0,gone,0,
192.0.2.14,00:11:22:33:44:88,ff:00:01,4294967295,$((NOW + 4294967295)),2,0,0,forever,0,
203.0.113.200,0a:0b:0c:0d:0e:0f,,3600,$((NOW - 100)),3,0,0,reclaimed,2,
EOF
expected_rows "$T/hand.csv" > "$T/hand.expected"

# A lease file written by takahe-dhcp4's memfile: perfdhcp clients (relayed from 127.0.0.2) in a
# namespace of this test, pool-id 9 so the file has that column filled.
MEMFILE=""
if command -v perfdhcp > /dev/null && [[ -x "$DHCP4_SERVER" ]] && tkh_server_is_takahe &&
  tkh_ns_add TKH_SRV_NS admin; then
  ip -n "$TKH_SRV_NS" addr add 127.0.0.2/8 dev lo
  subnets='[ { "id": 7, "subnet": "198.18.0.0/24", "relay": { "ip-addresses": [ "127.0.0.2" ] },
      "pools": [ { "pool": "198.18.0.10 - 198.18.0.250", "pool-id": 9 } ] } ]'
  tkh_dhcp4_config "$T/dhcp4.json" --leases "$T/memfile.csv" --iface lo/127.0.0.1 --socket udp \
    --subnets "$subnets" --globals '"valid-lifetime": 4000'
  if tkh_server_start "$T/dhcp4.json"; then
    timeout 60 ip netns exec "$TKH_SRV_NS" perfdhcp -4 -g single -r 20 -R 30 -n 30 -d 3 \
      -l 127.0.0.2 127.0.0.1 > "$T/perf.log" 2>&1
    tkh_server_stop
    rows=$(($(wc -l < "$T/memfile.csv") - 1))
    if ((rows >= 10)) && [[ $(head -n 1 "$T/memfile.csv") == "$HEADER" ]]; then
      MEMFILE=$T/memfile.csv
      tkh_pass memfile-written
      tkh_log "takahe-dhcp4 wrote $rows rows"
    else
      tkh_fail memfile-written "takahe-dhcp4 wrote $rows lease rows (want >= 10)"
      tkh_show_tail "$T/perf.log"
    fi
  else
    tkh_fail memfile-written "takahe-dhcp4 did not start"
  fi
else
  tkh_skip memfile-written "needs perfdhcp and takahe-dhcp4 ($DHCP4_SERVER) and namespaces"
fi
if [[ -n $MEMFILE ]]; then
  expected_rows "$T/hand.csv" "$MEMFILE" > "$T/both.expected"
else
  cp "$T/hand.expected" "$T/both.expected"
fi

# ------------------------------------------------------------------------ usage errors
run usage-none
if ((RC == 1)) && grep -q "^takahe-admin: missing command" "$T/usage-none.err" &&
  grep -q "^Usage: takahe-admin COMMAND BACKEND" "$T/usage-none.err"; then
  tkh_pass usage-missing-command
else
  tkh_fail usage-missing-command "exit $RC: $(head -3 "$T/usage-none.err")"
fi
run usage-opt db-init pgsql --bogus
if ((RC == 1)) && grep -q "invalid option: '--bogus'" "$T/usage-opt.err" &&
  grep -q "^Usage:" "$T/usage-opt.err"; then
  tkh_pass usage-invalid-option
else
  tkh_fail usage-invalid-option "exit $RC: $(head -3 "$T/usage-opt.err")"
fi
run usage-port db-version pgsql -P 70000
if ((RC == 1)) && grep -q "'70000' is not a port number" "$T/usage-port.err"; then
  tkh_pass usage-bad-port-number
else
  tkh_fail usage-bad-port-number "exit $RC: $(head -3 "$T/usage-port.err")"
fi
run version -v
tkh_check version "takahe-admin -v printed '$(cat "$T/version.out")'" \
  grep -qE '^[0-9]+\.[0-9]+' "$T/version.out"

# ------------------------------------------------------------------------ per backend
# backend_suite NAME BACKEND "CONNECTION ARGS for db 1" "CONNECTION ARGS for db 2" SQL-CLIENT
# SQL-CLIENT: a function name that runs SQL on the second database (for the 1.0 lease).
backend_suite() {
  local b=$1 backend=$2 sql2=$5
  local -a c1 c2
  read -r -a c1 <<< "$3"
  read -r -a c2 <<< "$4"

  one_line_error "$b/version-no-schema" "db-init" db-version "$backend" "${c1[@]}"
  ok "$b/db-init" db-init "$backend" "${c1[@]}"
  ok "$b/db-version" db-version "$backend" "${c1[@]}"
  tkh_check_eq "$b/db-version-3.0" "3.0" "$(cat "$T/$b/db-version.out")"
  one_line_error "$b/db-init-again" "already has a schema" db-init "$backend" "${c1[@]}"

  # The previous schema version, with one lease in it, upgraded.
  ok "$b/db-init-1.0" db-init "$backend" "${c2[@]}" --schema-version 1.0
  ok "$b/db-version-old" db-version "$backend" "${c2[@]}"
  tkh_check_eq "$b/db-version-1.0" "1.0" "$(cat "$T/$b/db-version-old.out")"
  local addr=$((192 << 24 | 2 << 8 | 201)) old_expire=$((NOW + 3600))
  if "$sql2" "INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id,
      fqdn_fwd, fqdn_rev, hostname, state, user_context) VALUES ($addr, $(blob 0a0b0c0d0e0f),
      $(blob ''), 3600, $old_expire, 5, 0, 0, 'old-host', 0, '')" > "$T/$b/sql.log" 2>&1; then
    tkh_pass "$b/lease-in-1.0"
  else
    tkh_fail "$b/lease-in-1.0" "$(head -c 300 "$T/$b/sql.log")"
  fi
  one_line_error "$b/dump-needs-upgrade" "db-upgrade" lease-dump "$backend" "${c2[@]}" -4 \
    -o "$T/$b/never.csv"
  tkh_check "$b/dump-refused-no-file" "a refused dump left a file" test ! -e "$T/$b/never.csv"
  ok "$b/db-upgrade" db-upgrade "$backend" "${c2[@]}"
  tkh_check "$b/db-upgrade-says" "db-upgrade printed: $(cat "$T/$b/db-upgrade.out")" \
    grep -q "from 1.0 to 3.0" "$T/$b/db-upgrade.out"
  ok "$b/db-version-upgraded" db-version "$backend" "${c2[@]}"
  tkh_check_eq "$b/db-version-after-upgrade" "3.0" "$(cat "$T/$b/db-version-upgraded.out")"
  ok "$b/db-upgrade-again" db-upgrade "$backend" "${c2[@]}"
  tkh_check "$b/db-upgrade-nothing" "second db-upgrade printed: $(cat "$T/$b/db-upgrade-again.out")" \
    grep -q "nothing to upgrade" "$T/$b/db-upgrade-again.out"
  ok "$b/dump-upgraded" lease-dump "$backend" "${c2[@]}" -4 -o "$T/$b/upgraded.csv"
  tkh_check_eq "$b/upgrade-kept-lease" \
    "192.0.2.201,0a:0b:0c:0d:0e:0f,,3600,$old_expire,5,0,0,old-host,0,,0" \
    "$(data_rows "$T/$b/upgraded.csv")"

  # Leases from a hand-written Kea 2.2 file.
  ok "$b/upload-hand" lease-upload "$backend" "${c1[@]}" -4 -i "$T/hand.csv"
  tkh_check "$b/upload-hand-count" "lease-upload said: $(cat "$T/$b/upload-hand.out")" \
    grep -q "uploaded 5 lease4 rows .*(5 added, 0 replaced)" "$T/$b/upload-hand.out"
  ok "$b/dump-hand" lease-dump "$backend" "${c1[@]}" -4 -o "$T/$b/hand-dump.csv"
  tkh_check_eq "$b/dump-header" "$HEADER" "$(head -n 1 "$T/$b/hand-dump.csv")"
  tkh_check_eq "$b/dump-hand-rows" "$(cat "$T/hand.expected")" "$(data_rows "$T/$b/hand-dump.csv")"

  # ... then takahe-dhcp4's memfile file on top.
  if [[ -n $MEMFILE ]]; then
    ok "$b/upload-memfile" lease-upload "$backend" "${c1[@]}" -4 -i "$MEMFILE"
  fi
  one_line_error "$b/dump-exists" "-y" lease-dump "$backend" "${c1[@]}" -4 -o "$T/$b/hand-dump.csv"
  ok "$b/dump-both" lease-dump "$backend" "${c1[@]}" -4 -o "$T/$b/hand-dump.csv" -y
  tkh_check_eq "$b/dump-both-rows" "$(cat "$T/both.expected")" "$(data_rows "$T/$b/hand-dump.csv")"

  # An address that exists is replaced.
  printf '%s\n%s\n' "$HEADER" \
    "192.0.2.11,00:11:22:33:44:99,,900,$((NOW + 900)),4,0,1,replaced,0,,3" > "$T/$b/replace.csv"
  ok "$b/upload-replace" lease-upload "$backend" "${c1[@]}" -4 -i "$T/$b/replace.csv"
  tkh_check "$b/upload-replace-count" "lease-upload said: $(cat "$T/$b/upload-replace.out")" \
    grep -q "(0 added, 1 replaced)" "$T/$b/upload-replace.out"
  ok "$b/dump-replaced" lease-dump "$backend" "${c1[@]}" -4 -o "$T/$b/replaced.csv"
  tkh_check_eq "$b/dump-replaced-row" \
    "192.0.2.11,00:11:22:33:44:99,,900,$((NOW + 900)),4,0,1,replaced,0,,3" \
    "$(grep '^192\.0\.2\.11,' "$T/$b/replaced.csv")"
  tkh_check_eq "$b/dump-replaced-count" "$(wc -l < "$T/$b/hand-dump.csv")" \
    "$(wc -l < "$T/$b/replaced.csv")"

  # The dump is a lease file: Kea 2.2's kea-lfc and takahe-lfc read every row of it back (given
  # as the journal to compact; the result replaces the missing previous file).
  if command -v kea-lfc > /dev/null; then
    local k=$T/$b/kea-lfc
    mkdir -p "$k"
    cp "$T/$b/replaced.csv" "$k/in.csv"
    kea-lfc -4 -x "$k/prev.csv" -i "$k/in.csv" -o "$k/out.csv" -f "$k/fin.csv" -p "$k/pid" \
      -c ignored > "$k/log" 2>&1
    # Kea 2.2 writes its own header (no pool_id): the file really went through Kea.
    tkh_check_eq "$b/kea-lfc-header" "$HEADER22" "$(head -n 1 "$k/prev.csv" 2> /dev/null)"
    tkh_check_eq "$b/kea-lfc-reads-dump" "$(data_rows "$T/$b/replaced.csv" 11)" \
      "$(data_rows "$k/prev.csv" 11 2> /dev/null)"
  else
    tkh_skip "$b/kea-lfc-reads-dump" "kea-lfc not installed"
  fi
  if [[ -x $TAKAHE_LFC ]]; then
    local l=$T/$b/lfc
    mkdir -p "$l"
    cp "$T/$b/replaced.csv" "$l/in.csv"
    "$TAKAHE_LFC" -4 -x "$l/prev.csv" -i "$l/in.csv" -o "$l/out.csv" -f "$l/fin.csv" \
      -p "$l/pid" > "$l/log" 2>&1
    tkh_check_eq "$b/takahe-lfc-reads-dump" "$(data_rows "$T/$b/replaced.csv")" \
      "$(data_rows "$l/prev.csv" 2> /dev/null)"
  else
    tkh_skip "$b/takahe-lfc-reads-dump" "takahe-lfc not built: $TAKAHE_LFC"
  fi

  one_line_error "$b/upload-missing-file" "-i" lease-upload "$backend" "${c1[@]}" -4 \
    -i "$T/no-such.csv"
  run "$b/dump-needs-4" lease-dump "$backend" "${c1[@]}" -o "$T/x.csv"
  if ((RC == 1)) && grep -q "^takahe-admin: lease-dump: the lease type is missing: add -4" \
    "$T/$b/dump-needs-4.err" && grep -q "^Usage:" "$T/$b/dump-needs-4.err"; then
    tkh_pass "$b/dump-needs-4"
  else
    tkh_fail "$b/dump-needs-4" "exit $RC: $(head -n 2 "$T/$b/dump-needs-4.err")"
  fi
  one_line_error "$b/dump-bad-dir" "-o" lease-dump "$backend" "${c1[@]}" -4 \
    -o "$T/no-such-dir/x.csv"
}

blob() { # blob HEX: a binary literal in the current backend's SQL ($BLOB_STYLE)
  case $BLOB_STYLE in
    pg) echo "'\\x$1'::bytea" ;;
    *) echo "X'$1'" ;;
  esac
}

# ------------------------------------------------------------------------ SQLite
mkdir -p "$T/sqlite"
BLOB_STYLE=x
sqlite_sql() { sqlite3 "$T/sqlite/two.db" "$1"; }
if command -v sqlite3 > /dev/null; then
  backend_suite sqlite sqlite "-n $T/sqlite/one.db" "-n $T/sqlite/two.db" sqlite_sql
else
  tkh_skip sqlite "sqlite3 command missing"
fi
one_line_error sqlite/bad-name "-n" db-init sqlite -n "$T/no-such-dir/x.db"

# ------------------------------------------------------------------------ PostgreSQL, MariaDB
db_start_pgsql 2> "$T/pgsql-start.log"
if [[ -n ${TAKAHE_TEST_PGSQL_PORT:-} ]]; then
  P=$TAKAHE_TEST_PGSQL_PORT
  mkdir -p "$T/pgsql"
  BLOB_STYLE=pg
  pg_sql() {
    PGPASSWORD=takahe-test psql -h 127.0.0.1 -p "$P" -U takahe -d takahe_test2 \
      -v ON_ERROR_STOP=1 -qc "$1"
  }
  base="-u takahe -p takahe-test -h 127.0.0.1 -P $P"
  backend_suite pgsql pgsql "$base -n takahe_test" "$base -n takahe_test2" pg_sql
  free=$(db_free_port)
  one_line_error pgsql/bad-port "(check -h and -P)" db-version pgsql -u takahe -p takahe-test \
    -h 127.0.0.1 -P "$free" -n takahe_test
  one_line_error pgsql/bad-password "(check -u and -p)" db-version pgsql -u takahe -p wrong \
    -h 127.0.0.1 -P "$P" -n takahe_test
  one_line_error pgsql/bad-name "(check -n)" db-version pgsql -u takahe -p takahe-test \
    -h 127.0.0.1 -P "$P" -n no_such_db
  # The alias and KEA_ADMIN_DB_PASSWORD (no -p) work too.
  KEA_ADMIN_DB_PASSWORD=takahe-test "$ADMIN" db-version postgresql -u takahe -h 127.0.0.1 \
    -P "$P" -n takahe_test > "$T/pgsql/env.out" 2>&1
  tkh_check_eq pgsql/alias-and-env-password "3.0" "$(cat "$T/pgsql/env.out")"
  db_stop_pgsql
else
  tkh_fail pgsql/start "PostgreSQL did not start: $(tail -n 3 "$T/pgsql-start.log" | tr '\n' ' ')"
fi

db_start_mysql 2> "$T/mysql-start.log"
if [[ -n ${TAKAHE_TEST_MYSQL_PORT:-} ]]; then
  M=$TAKAHE_TEST_MYSQL_PORT
  mkdir -p "$T/mysql"
  BLOB_STYLE=x
  my_sql() {
    mariadb --no-defaults -h 127.0.0.1 -P "$M" -u takahe -ptakahe-test takahe_test2 -e "$1"
  }
  base="-u takahe -p takahe-test -h 127.0.0.1 -P $M"
  backend_suite mysql mysql "$base -n takahe_test" "$base -n takahe_test2" my_sql
  free=$(db_free_port)
  one_line_error mysql/bad-port "(check -h and -P)" db-version mysql -u takahe -p takahe-test \
    -h 127.0.0.1 -P "$free" -n takahe_test
  one_line_error mysql/bad-password "(check -u and -p)" db-version mysql -u takahe -p wrong \
    -h 127.0.0.1 -P "$M" -n takahe_test
  one_line_error mysql/bad-name "(check -n" db-version mysql -u takahe -p takahe-test \
    -h 127.0.0.1 -P "$M" -n no_such_db
  db_stop_mysql
else
  tkh_fail mysql/start "MariaDB did not start: $(tail -n 3 "$T/mysql-start.log" | tr '\n' ' ')"
fi

tkh_finish
