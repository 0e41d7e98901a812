#!/usr/bin/env bash
# Reproduces every figure in docs/benchmarks.md: starts a durable throwaway PostgreSQL, runs the store, order
# (application layer), projection and HTTP API benchmarks against SQLite and PostgreSQL, prints a summary table (each
# figure with its target and the machine limit measured by the `limits` group; also written to bench/results/), and
# stops the cluster.
#   bench/run.sh [--seconds 10] [--read-events 1000000] [--projection-events 1000000]
#                [--only limits,append,live,read,orders,projections,http,scale] [--backend sqlite|postgres|all]
#   scale group: N orders loaded, then the API process builds every read model from zero; its peak RSS, and every
#                dashboard query at N orders: [--scale-orders 1000000] [--scale-reuse (keep the loaded store for the next run)]
#   http group: the API as its own Release process, loaded by wrk (place-order.lua) over loopback:
#                [--http-runs 2] [--connections 64] [--wrk-threads 2] [--no-idempotency-key] [--api-env KEY=VALUE,...]
#   a run without problems removes the stores it made (schemas bench_<group>_<hhmmss>, SQLite files); --keep-data keeps
#                them (e.g. a projections run's store, for the worker: --events-schema bench_proj_<hhmmss>)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u +%Y-%m-%dT%H:%MZ)"
trap 'scripts/pg-throwaway.sh stop' EXIT
pg="$(scripts/pg-throwaway.sh start | tail -1)"
echo "postgres: $(/usr/lib/postgresql/*/bin/postgres --version | head -1), durable (fsync=on, synchronous_commit=on)"
dotnet run -c Release --project bench/EventSourcedOms.Bench -- --backend all --pg "$pg" --sqlite-dir "${TMPDIR:-/tmp}/oms-bench" "$@"
