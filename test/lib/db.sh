# shellcheck shell=bash
# Throwaway PostgreSQL and MariaDB servers for tests (sourced, never executed).
#
#   . test/lib/db.sh
#   db_start_all            # or db_start_pgsql / db_start_mysql
#   ... tests read TAKAHE_TEST_PGSQL_PORT / TAKAHE_TEST_MYSQL_PORT ...
#   db_stop_all             # or db_stop_pgsql / db_stop_mysql; safe to call twice
#   DB_NETNS=ns db_start_*  # the servers run inside network namespace ns
#   db_pause_pgsql / db_resume_pgsql  # stop and restart PostgreSQL keeping data and port
#   DB_TLS_DIR=dir db_start_*  # the servers also offer TLS (see below)
#
# Each server gets a fresh data directory under $BUILD_DIR/test-db/, listens on 127.0.0.1 only
# on a free port, and has user "takahe" (password "takahe-test") owning the databases
# "takahe_test" and "takahe_test2". Nothing is a system service: the servers are children of
# this shell, stopped by their PID only, and their directories are removed when they stop.
# Waits are bounded (DB_START_TIMEOUT seconds, default 60). As root, PostgreSQL runs as the
# "postgres" user (or "nobody" if there is none: PostgreSQL refuses root) and MariaDB as root (--user=root).
# db_start_* return non-zero with a message on stderr (and the server's log tail) on failure,
# after cleaning up what they started.
#
# TLS: with DB_TLS_DIR set to a directory holding ca.crt, server.crt and server.key (as made by
# tkh_make_pki in test/lib/common.sh), the servers offer TLS with that certificate (plain TCP
# keeps working for user "takahe") and have one more user, "operator" (the CN of tkh_make_pki's
# client certificate), who must connect over TLS with a client certificate signed by ca.crt:
# PostgreSQL "hostssl ... cert" (no password), MariaDB "REQUIRE X509" (no password); "operator"
# may read the databases. The started server then also exports TAKAHE_TEST_PGSQL_TLS_DIR or
# TAKAHE_TEST_MYSQL_TLS_DIR (= DB_TLS_DIR) so tests know TLS is on. Without DB_TLS_DIR nothing
# of this happens.

DB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BUILD_DIR:=$(cd "$DB_LIB_DIR/../.." && pwd)/build-ci}"
: "${DB_START_TIMEOUT:=60}"
DB_TEST_ROOT=$BUILD_DIR/test-db
DB_USER=takahe
DB_PASSWORD=takahe-test
DB_NAMES=(takahe_test takahe_test2)
DB_TLS_USER=operator

DB_PGSQL_PID=""
DB_PGSQL_DIR=""
DB_PGSQL_PORT=""
DB_PGSQL_BIN=""
DB_MYSQL_PID=""
DB_MYSQL_DIR=""
DB_MYSQL_PORT=""
DB_MYSQL_SERVER=""
DB_MYSQL_USER_ARGS=()
DB_MYSQL_TLS_ARGS=()

db_log() {
  echo "db.sh: $*" >&2
}

# A TCP port free on 127.0.0.1 right now (the kernel picks it).
db_free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

db_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/postgres ]] && echo "$d"
  done | sort -V | tail -n 1
}

# The command prefix that runs a program as the user owning the PostgreSQL data directory
# (set by db_start_pgsql). setpriv execs without forking, so $! of a backgrounded
# "${DB_PG_RUN[@]}" postgres ... is the server's own PID.
DB_PG_RUN=()
db_as_pg_user() {
  "${DB_PG_RUN[@]}" "$@"
}

# db_wait SECONDS PID CMD... : runs CMD until it succeeds, the PID dies, or time runs out.
db_wait() {
  local limit=$1 pid=$2
  shift 2
  local deadline=$((SECONDS + limit))
  while ((SECONDS < deadline)); do
    if "$@" > /dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$pid" 2> /dev/null; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

# db_kill PID SIGNAL : signal, wait up to 30 s, then SIGKILL. Only for PIDs this file started.
db_kill() {
  local pid=$1 sig=$2 i
  [[ -n $pid ]] || return 0
  kill "-$sig" "$pid" 2> /dev/null || return 0
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2> /dev/null; then
    db_log "PID $pid did not stop on SIG$sig within 30 s; killing it"
    kill -KILL "$pid" 2> /dev/null
  fi
  wait "$pid" 2> /dev/null
  return 0
}

# DB_NETNS, when set, names a network namespace the servers run in (its loopback is then the
# 127.0.0.1 they listen on). Sets the array DB_NS_PREFIX that runs a command there.
DB_NS_PREFIX=()
db_ns_prefix() {
  DB_NS_PREFIX=()
  if [[ -n ${DB_NETNS:-} ]]; then
    DB_NS_PREFIX=(ip netns exec "$DB_NETNS")
  fi
}

# db_tls_check: DB_TLS_DIR holds the three files the servers need.
db_tls_check() {
  local f
  for f in ca.crt server.crt server.key; do
    if [[ ! -r $DB_TLS_DIR/$f ]]; then
      db_log "DB_TLS_DIR=$DB_TLS_DIR has no readable $f (make them with tkh_make_pki)"
      return 1
    fi
  done
}

db_show_log() {
  [[ -f $1 ]] && tail -n 20 "$1" | sed 's/^/db.sh:   /' >&2
}

# ------------------------------------------------------------------------------ PostgreSQL
db_start_pgsql() {
  [[ -z $DB_PGSQL_PID ]] || return 0
  local bin
  bin=$(db_pg_bin)
  if [[ -z $bin ]]; then
    db_log "PostgreSQL not found under /usr/lib/postgresql/*/bin (apt install postgresql-15)"
    return 1
  fi
  DB_PG_RUN=()
  local os_user=postgres
  if ((EUID == 0)); then
    id "$os_user" > /dev/null 2>&1 || os_user=nobody
    DB_PG_RUN=(setpriv --reuid="$os_user" --regid="$(id -g "$os_user")" --clear-groups --reset-env --)
  fi
  mkdir -p "$DB_TEST_ROOT" || return 1
  DB_PGSQL_DIR=$(mktemp -d "$DB_TEST_ROOT/pgsql.XXXXXX") || return 1
  local dir=$DB_PGSQL_DIR port
  port=$(db_free_port) || {
    db_stop_pgsql
    return 1
  }
  printf '%s\n' "$DB_PASSWORD" > "$dir/pwfile"
  mkdir "$dir/run"
  if ((EUID == 0)); then
    chown -R "$os_user:$(id -g "$os_user")" "$dir"
  fi
  # Password (scram) on TCP, trust on the private UNIX socket used below to create the users.
  if ! db_as_pg_user "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --no-locale --no-sync > "$dir/initdb.log" 2>&1; then
    db_log "PostgreSQL initdb failed"
    db_show_log "$dir/initdb.log"
    db_stop_pgsql
    return 1
  fi
  if [[ -n ${DB_TLS_DIR:-} ]] && ! _db_pg_tls "$os_user"; then
    db_stop_pgsql
    return 1
  fi
  DB_PGSQL_BIN=$bin
  DB_PGSQL_PORT=$port
  if ! _db_pg_launch; then
    db_stop_pgsql
    return 1
  fi
  # One -c per statement: CREATE DATABASE cannot run in the transaction of a multi-statement -c.
  local args=(-c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'") name
  for name in "${DB_NAMES[@]}"; do
    args+=(-c "CREATE DATABASE $name OWNER $DB_USER")
  done
  if [[ -n ${DB_TLS_DIR:-} ]]; then
    args+=(-c "CREATE ROLE $DB_TLS_USER LOGIN")
  fi
  if ! db_as_pg_user "$bin/psql" -h "$dir/run" -p "$port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -q "${args[@]}" > "$dir/setup.log" 2>&1; then
    db_log "PostgreSQL: creating user $DB_USER and databases failed"
    db_show_log "$dir/setup.log"
    db_stop_pgsql
    return 1
  fi
  export TAKAHE_TEST_PGSQL_PORT=$port
  if [[ -n ${DB_TLS_DIR:-} ]]; then
    export TAKAHE_TEST_PGSQL_TLS_DIR=$DB_TLS_DIR
  fi
  db_log "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port (PID $DB_PGSQL_PID, $dir)"
}

# _db_pg_tls OS_USER: TLS on in the new cluster of $DB_PGSQL_DIR with the files of $DB_TLS_DIR
# (copied: the key must belong to the server's user, mode 0600), and user $DB_TLS_USER allowed
# over TLS with a client certificate only. Plain TCP stays as initdb made it for everyone else.
_db_pg_tls() {
  local os_user=$1 dir=$DB_PGSQL_DIR
  db_tls_check || return 1
  mkdir "$dir/tls" && cp "$DB_TLS_DIR/ca.crt" "$DB_TLS_DIR/server.crt" "$DB_TLS_DIR/server.key" \
    "$dir/tls/" && chmod 600 "$dir/tls/server.key" || return 1
  if ((EUID == 0)); then
    chown -R "$os_user:$(id -g "$os_user")" "$dir/tls" || return 1
  fi
  printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\nssl_ca_file = '%s'\n" \
    "$dir/tls/server.crt" "$dir/tls/server.key" "$dir/tls/ca.crt" >> "$dir/data/postgresql.conf" ||
    return 1
  # The first matching line wins: these two go before initdb's.
  local hba=$dir/data/pg_hba.conf
  {
    printf 'hostssl all %s 127.0.0.1/32 cert\n' "$DB_TLS_USER"
    printf 'host all %s 127.0.0.1/32 reject\n' "$DB_TLS_USER"
    cat "$hba"
  } > "$hba.new" && mv "$hba.new" "$hba" || return 1
  if ((EUID == 0)); then
    chown "$os_user:$(id -g "$os_user")" "$hba"
  fi
}

# Runs the PostgreSQL server of $DB_PGSQL_DIR on $DB_PGSQL_PORT (inside $DB_NETNS when set) and
# waits until it answers.
_db_pg_launch() {
  local dir=$DB_PGSQL_DIR port=$DB_PGSQL_PORT bin=$DB_PGSQL_BIN
  db_ns_prefix
  "${DB_NS_PREFIX[@]}" "${DB_PG_RUN[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir/run" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=100 -c shared_buffers=32MB \
    >> "$dir/server.log" 2>&1 &
  DB_PGSQL_PID=$!
  if ! db_wait "$DB_START_TIMEOUT" "$DB_PGSQL_PID" \
    db_as_pg_user "$bin/psql" -h "$dir/run" -p "$port" -U postgres -d postgres -Atc 'SELECT 1'; then
    db_log "PostgreSQL did not start on 127.0.0.1:$port within $DB_START_TIMEOUT s"
    db_show_log "$dir/server.log"
    return 1
  fi
}

# db_pause_pgsql / db_resume_pgsql: stops the running PostgreSQL server keeping its data, then
# starts it again on the same port (tests of a database that goes away and comes back).
db_pause_pgsql() {
  [[ -n $DB_PGSQL_PID ]] || return 1
  db_kill "$DB_PGSQL_PID" INT
  DB_PGSQL_PID=""
}

db_resume_pgsql() {
  [[ -z $DB_PGSQL_PID && -n $DB_PGSQL_DIR ]] || return 1
  _db_pg_launch
}

db_stop_pgsql() {
  if [[ -n $DB_PGSQL_PID ]]; then
    # SIGINT: PostgreSQL's fast shutdown (rolls back open transactions, disconnects clients).
    db_kill "$DB_PGSQL_PID" INT
  fi
  DB_PGSQL_PID=""
  if [[ -n $DB_PGSQL_DIR && -d $DB_PGSQL_DIR ]]; then
    rm -rf "$DB_PGSQL_DIR"
  fi
  DB_PGSQL_DIR=""
  unset TAKAHE_TEST_PGSQL_PORT TAKAHE_TEST_PGSQL_TLS_DIR
  return 0
}

# ------------------------------------------------------------------------- MySQL / MariaDB
db_start_mysql() {
  [[ -z $DB_MYSQL_PID ]] || return 0
  local server
  server=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2> /dev/null)
  if [[ -z $server ]] || ! command -v mariadb-install-db > /dev/null; then
    db_log "MariaDB not found (apt install mariadb-server)"
    return 1
  fi
  mkdir -p "$DB_TEST_ROOT" || return 1
  DB_MYSQL_DIR=$(mktemp -d "$DB_TEST_ROOT/mysql.XXXXXX") || return 1
  local dir=$DB_MYSQL_DIR port user_args=()
  port=$(db_free_port) || {
    db_stop_mysql
    return 1
  }
  if ((EUID == 0)); then
    user_args=(--user=root)
  fi
  if ! mariadb-install-db --no-defaults --datadir="$dir/data" "${user_args[@]}" \
    --auth-root-authentication-method=normal --skip-test-db > "$dir/install.log" 2>&1; then
    db_log "mariadb-install-db failed"
    db_show_log "$dir/install.log"
    db_stop_mysql
    return 1
  fi
  DB_MYSQL_SERVER=$server
  DB_MYSQL_PORT=$port
  DB_MYSQL_USER_ARGS=("${user_args[@]}")
  DB_MYSQL_TLS_ARGS=()
  if [[ -n ${DB_TLS_DIR:-} ]]; then
    if ! db_tls_check; then
      db_stop_mysql
      return 1
    fi
    DB_MYSQL_TLS_ARGS=(--ssl-ca="$DB_TLS_DIR/ca.crt" --ssl-cert="$DB_TLS_DIR/server.crt"
      --ssl-key="$DB_TLS_DIR/server.key")
  fi
  if ! _db_my_launch; then
    db_stop_mysql
    return 1
  fi
  local sql="" name
  sql+="CREATE USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';"
  sql+="CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';"
  for name in "${DB_NAMES[@]}"; do
    sql+="CREATE DATABASE $name;"
    sql+="GRANT ALL PRIVILEGES ON $name.* TO '$DB_USER'@'%';"
    sql+="GRANT ALL PRIVILEGES ON $name.* TO '$DB_USER'@'localhost';"
  done
  if [[ -n ${DB_TLS_DIR:-} ]]; then
    sql+="CREATE USER '$DB_TLS_USER'@'%' REQUIRE X509;"
    for name in "${DB_NAMES[@]}"; do
      sql+="GRANT SELECT ON $name.* TO '$DB_TLS_USER'@'%';"
    done
  fi
  if ! mariadb --no-defaults -S "$dir/mysql.sock" -u root -e "$sql" > "$dir/setup.log" 2>&1; then
    db_log "MariaDB: creating user $DB_USER and databases failed"
    db_show_log "$dir/setup.log"
    db_stop_mysql
    return 1
  fi
  export TAKAHE_TEST_MYSQL_PORT=$port
  if [[ -n ${DB_TLS_DIR:-} ]]; then
    export TAKAHE_TEST_MYSQL_TLS_DIR=$DB_TLS_DIR
  fi
  db_log "MariaDB $("$server" --version | awk '{ print $3 }') on 127.0.0.1:$port (PID $DB_MYSQL_PID, $dir)"
}

# Runs the MariaDB server of $DB_MYSQL_DIR on $DB_MYSQL_PORT (inside $DB_NETNS when set) and
# waits until it answers.
_db_my_launch() {
  local dir=$DB_MYSQL_DIR port=$DB_MYSQL_PORT server=$DB_MYSQL_SERVER
  db_ns_prefix
  "${DB_NS_PREFIX[@]}" "$server" --no-defaults --datadir="$dir/data" "${DB_MYSQL_USER_ARGS[@]}" --port="$port" \
    --bind-address=127.0.0.1 --socket="$dir/mysql.sock" --pid-file="$dir/mysql.pid" \
    --log-error="$dir/server.log" --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
    --innodb-flush-log-at-trx-commit=2 --max-connections=200 --skip-name-resolve \
    "${DB_MYSQL_TLS_ARGS[@]}" \
    >> "$dir/stdout.log" 2>&1 &
  DB_MYSQL_PID=$!
  if ! db_wait "$DB_START_TIMEOUT" "$DB_MYSQL_PID" \
    mariadb --no-defaults -S "$dir/mysql.sock" -u root -e 'SELECT 1'; then
    db_log "MariaDB did not start on 127.0.0.1:$port within $DB_START_TIMEOUT s"
    db_show_log "$dir/server.log"
    return 1
  fi
}

# db_pause_mysql / db_resume_mysql: as db_pause_pgsql / db_resume_pgsql, for MariaDB.
db_pause_mysql() {
  [[ -n $DB_MYSQL_PID ]] || return 1
  db_kill "$DB_MYSQL_PID" TERM
  DB_MYSQL_PID=""
}

db_resume_mysql() {
  [[ -z $DB_MYSQL_PID && -n $DB_MYSQL_DIR ]] || return 1
  _db_my_launch
}

db_stop_mysql() {
  if [[ -n $DB_MYSQL_PID ]]; then
    db_kill "$DB_MYSQL_PID" TERM
  fi
  DB_MYSQL_PID=""
  if [[ -n $DB_MYSQL_DIR && -d $DB_MYSQL_DIR ]]; then
    rm -rf "$DB_MYSQL_DIR"
  fi
  DB_MYSQL_DIR=""
  DB_MYSQL_TLS_ARGS=()
  unset TAKAHE_TEST_MYSQL_PORT TAKAHE_TEST_MYSQL_TLS_DIR
  return 0
}

# ------------------------------------------------------------------------------------ both
# Starts both. Non-zero if either failed; the one that
# started is left running so its tests can run (db_stop_all stops it).
db_start_all() {
  local rc=0
  db_start_pgsql || rc=1
  db_start_mysql || rc=1
  return $rc
}

db_stop_all() {
  db_stop_pgsql
  db_stop_mysql
  rmdir "$DB_TEST_ROOT" 2> /dev/null
  return 0
}

# ------------------------------------------------------------------ per-backend helpers
# For system tests that run a daemon on each backend in turn, with the database
# "takahe_test2" (PostgreSQL, MariaDB) or the SQLite file SQLITE-FILE; commands run in
# $DB_NETNS when it is set.

_db_in_ns() { if [[ -n ${DB_NETNS:-} ]]; then ip netns exec "$DB_NETNS" "$@"; else "$@"; fi; }

# db_empty BACKEND SQLITE-FILE: drops every table (sqlite: removes the file).
db_empty() {
  case $1 in
    sqlite) rm -f "$2" "$2"-* ;;
    postgresql)
      _db_in_ns env PGPASSWORD="$DB_PASSWORD" psql -q -h 127.0.0.1 -p "$TAKAHE_TEST_PGSQL_PORT" -U "$DB_USER" \
        -d takahe_test2 -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null 2>&1 ;;
    mysql)
      _db_in_ns mariadb -h 127.0.0.1 -P "$TAKAHE_TEST_MYSQL_PORT" -u "$DB_USER" -p"$DB_PASSWORD" \
        -e 'DROP DATABASE IF EXISTS takahe_test2; CREATE DATABASE takahe_test2;' > /dev/null 2>&1 ;;
  esac
}

# db_query BACKEND SQLITE-FILE SQL: prints the result rows (tab-separated, no header).
db_query() {
  case $1 in
    sqlite) sqlite3 -separator $'\t' "$2" "$3" 2> /dev/null ;;
    postgresql)
      _db_in_ns env PGPASSWORD="$DB_PASSWORD" psql -tA -F $'\t' -h 127.0.0.1 -p "$TAKAHE_TEST_PGSQL_PORT" \
        -U "$DB_USER" -d takahe_test2 -c "$3" 2> /dev/null ;;
    mysql)
      _db_in_ns mariadb -N -h 127.0.0.1 -P "$TAKAHE_TEST_MYSQL_PORT" -u "$DB_USER" -p"$DB_PASSWORD" takahe_test2 \
        -e "$3" 2> /dev/null ;;
  esac
}

# db_admin_args BACKEND SQLITE-FILE: takahe-admin's (kea-admin's) connection options.
db_admin_args() {
  case $1 in
    sqlite) echo "sqlite -n $2" ;;
    postgresql) echo "pgsql -h 127.0.0.1 -P $TAKAHE_TEST_PGSQL_PORT -u $DB_USER -p $DB_PASSWORD -n takahe_test2" ;;
    mysql) echo "mysql -h 127.0.0.1 -P $TAKAHE_TEST_MYSQL_PORT -u $DB_USER -p $DB_PASSWORD -n takahe_test2" ;;
  esac
}

# db_json BACKEND SQLITE-FILE [PORT] [MORE-MEMBERS]: a Kea lease-database / hosts-database map.
db_json() {
  local more=${4:+, $4}
  case $1 in
    sqlite) echo "{ \"type\": \"sqlite\", \"name\": \"$2\"$more }" ;;
    postgresql) echo "{ \"type\": \"postgresql\", \"name\": \"takahe_test2\", \"host\": \"127.0.0.1\",
      \"port\": ${3:-$TAKAHE_TEST_PGSQL_PORT}, \"user\": \"$DB_USER\", \"password\": \"$DB_PASSWORD\"$more }" ;;
    mysql) echo "{ \"type\": \"mysql\", \"name\": \"takahe_test2\", \"host\": \"127.0.0.1\",
      \"port\": ${3:-$TAKAHE_TEST_MYSQL_PORT}, \"user\": \"$DB_USER\", \"password\": \"$DB_PASSWORD\"$more }" ;;
  esac
}
