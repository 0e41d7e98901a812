#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from the installed binaries, for benchmarks and manual runs (the test suite starts
# its own). Durable by default (fsync and synchronous_commit on), like a real deployment, and with WAL compression
# (wal_compression=lz4) as docs/operations.md recommends.
#   scripts/pg-throwaway.sh start   -> prints the Npgsql connection string on its last line
#   scripts/pg-throwaway.sh stop    -> stops it and deletes its folder
# Environment: PGT_DIR (/tmp/oms-pg), PGT_PORT (55433), PGT_FAST=1 (fsync off: only for quick experiments)
set -euo pipefail
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
DIR="${PGT_DIR:-/tmp/oms-pg}"
PORT="${PGT_PORT:-55433}"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start() {
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U oms --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; exit 1; }
  local opts="-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c max_connections=300 -c shared_buffers=1GB -c max_wal_size=4GB -c wal_compression=lz4"
  [ "${PGT_FAST:-0}" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 -o "$opts" start >/dev/null || { cat "$DIR/server.log"; exit 1; }
  echo "Host=127.0.0.1;Port=$PORT;Username=oms;Database=postgres"
}

stop() {
  [ -d "$DIR/data" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}

case "${1:-}" in start) start ;; stop) stop ;; *) echo "usage: $0 start|stop" >&2; exit 2 ;; esac
