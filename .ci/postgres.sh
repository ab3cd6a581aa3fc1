#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the tests and prints the
# variables to export, or stops it:
#
#   eval "$(bash .ci/postgres.sh start)"   # sets FOOTNOTE_TEST_DATABASE_URL, FOOTNOTE_PG_DIR
#   bash .ci/postgres.sh stop "$FOOTNOTE_PG_DIR"
#
# PostgreSQL comes from Debian's packages and is installed when missing.
# initdb refuses to run as root, so the cluster belongs to the postgres user,
# lives in a temp folder, listens on 127.0.0.1 on a free port, and trusts
# local connections (it holds nothing but test data and dies with the run).
set -euo pipefail

pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  if ! pgbin >/dev/null; then
    echo "installing PostgreSQL from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
  local bin dir port
  bin=$(pgbin)
  dir=$(mktemp -d /tmp/footnote-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # A free port: ask the kernel for one (python3), else a random one; a port
  # taken meanwhile (tests start several clusters at once) means another try.
  local try started=
  for try in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
      echo $((20000 + RANDOM % 40000)))
    if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >&2; then
      started=1
      break
    fi
  done
  [ -n "$started" ] || { cat "$dir/server.log" >&2; exit 1; }
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAtc "CREATE DATABASE footnote_test" >&2
  echo "export FOOTNOTE_PG_DIR=$dir"
  echo "export FOOTNOTE_PG_BIN=$bin"
  echo "export FOOTNOTE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/footnote_test?sslmode=disable"
}

stop() {
  local dir=${1:?usage: postgres.sh stop DIR}
  local bin
  bin=$(pgbin)
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
