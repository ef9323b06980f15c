#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests, on 127.0.0.1 only, with trust authentication.
#
#   scripts/pg-test-server.sh start   # initdb (first time), start, create spode_test; prints the URL
#   scripts/pg-test-server.sh url     # postgresql://postgres@127.0.0.1:PORT/spode_test
#   scripts/pg-test-server.sh stop    # stop the server and delete its data directory
#
#   SPODE_TEST_PG_URL=$(scripts/pg-test-server.sh url) build/src/storage/spode_storage_test
#
# Environment: SPODE_PG_DIR (data directory, default $PWD/.pgtest), SPODE_PG_PORT (default
# 55432, or the next free port), SPODE_PG_BIN (default: PostgreSQL 15's bin directory).
# As root, the server runs as the `postgres` user, which owns the data directory.
# Never point SPODE_PG_DIR at anything you want to keep: `stop` deletes it.
set -euo pipefail

readonly kDatabase=spode_test
readonly kStartSeconds=30

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

pg_dir=${SPODE_PG_DIR:-$PWD/.pgtest}
pg_dir=$(realpath -m -- "$pg_dir")
data_dir=$pg_dir/data
port_file=$pg_dir/port
log_file=$pg_dir/server.log

find_bin() {
  local candidate
  for candidate in "${SPODE_PG_BIN:-}" /usr/lib/postgresql/15/bin; do
    if [[ -n "$candidate" && -x "$candidate/pg_ctl" ]]; then
      echo "$candidate"
      return
    fi
  done
  if command -v pg_ctl >/dev/null; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  die "PostgreSQL server binaries not found (looked in SPODE_PG_BIN and /usr/lib/postgresql/15/bin); run scripts/install-deps.sh"
}
bin=$(find_bin)

# Runs a PostgreSQL program as the user who owns the data directory: `postgres` when we are root
# (initdb and the server refuse to run as root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  # Bash's /dev/tcp: a successful connect means something is listening.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
  [[ -f "$data_dir/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1
}

url() {
  [[ -f "$port_file" ]] && is_running || die "no test server running in $pg_dir (run: $0 start)"
  echo "postgresql://postgres@127.0.0.1:$(cat "$port_file")/$kDatabase"
}

start() {
  if is_running; then
    url
    return
  fi
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run the server as"
  fi

  local port=${SPODE_PG_PORT:-55432}
  if [[ -z "${SPODE_PG_PORT:-}" ]]; then
    local tries=0
    while port_in_use "$port"; do
      ((++tries <= 50)) || die "no free port in 55432-55482"
      ((++port))
    done
  elif port_in_use "$port"; then
    die "port $port (SPODE_PG_PORT) is already in use"
  fi
  mkdir -p "$pg_dir"
  echo "$port" >"$port_file"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$pg_dir"
    # The postgres user must be able to reach the directory.
    local parent=$pg_dir
    while [[ "$parent" != / ]]; do
      parent=$(dirname "$parent")
      if ! runuser -u postgres -- test -x "$parent"; then
        die "the postgres user cannot enter $parent; set SPODE_PG_DIR to a directory it can reach (e.g. /tmp/spode-pgtest)"
      fi
    done
  fi

  if [[ ! -f "$data_dir/PG_VERSION" ]]; then
    rm -rf "$data_dir"
    if ! as_owner "$bin/initdb" -D "$data_dir" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1; then
      cat "$pg_dir/initdb.log" >&2
      die "initdb failed in $data_dir (log above)"
    fi
    # Loopback only; trust is safe because nothing else can connect.
    cat >"$data_dir/pg_hba.conf" <<'EOF'
# spode test server: loopback and the private socket only
local   all all              trust
host    all all 127.0.0.1/32 trust
EOF
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$data_dir/pg_hba.conf"; fi
  fi

  local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$data_dir'"
  options+=" -c fsync=on -c max_connections=50"
  if ! as_owner "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -o "$options" -w -t "$kStartSeconds" \
      start >/dev/null 2>&1; then
    tail -n 20 "$log_file" >&2 2>/dev/null || true
    die "the server did not start within ${kStartSeconds}s (log: $log_file)"
  fi

  if ! as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tA \
      -c "SELECT 1 FROM pg_database WHERE datname = '$kDatabase'" | grep -q 1; then
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres -E UTF8 "$kDatabase" ||
      die "could not create database $kDatabase"
  fi
  url
}

stop() {
  if [[ -d "$data_dir" ]] && is_running; then
    as_owner "$bin/pg_ctl" -D "$data_dir" -m fast -w -t "$kStartSeconds" stop >/dev/null ||
      die "could not stop the server in $data_dir (log: $log_file)"
  fi
  if [[ -d "$pg_dir" ]]; then
    # Only a directory this script made: refuse to delete anything else.
    if [[ -e "$pg_dir/port" || -f "$data_dir/PG_VERSION" || -f "$pg_dir/initdb.log" ]]; then
      rm -rf -- "$pg_dir"
    else
      die "$pg_dir does not look like a test server directory; not deleting it"
    fi
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
