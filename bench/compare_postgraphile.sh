#!/usr/bin/env bash
# newsgraph vs PostGraphile 4 vs one hand-written SQL statement, on the headline query.
#
# Needs: a newsgraph server reading BENCH_DATABASE_URL at NEWSGRAPH_URL (any read path),
# wrk, Node 18+ and the project's .venv. Starts PostGraphile itself, on POSTGRAPHILE_PORT.
#
#   BENCH_DATABASE_URL  postgresql://postgres@127.0.0.1:5432/newsgraph_bench
#   NEWSGRAPH_URL       http://127.0.0.1:8000/graphql
#   POSTGRAPHILE_PORT   5050
#   POSTGRAPHILE_WORKERS 1      (PostGraphile's --cluster-workers; 1 means one process)
#   POSTGRAPHILE_POOL 16        (PostGraphile's --max-pool-size, per process)
#   DURATION 15  CONNECTIONS 16  THREADS 2
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
database="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/newsgraph_bench}"
newsgraph="${NEWSGRAPH_URL:-http://127.0.0.1:8000/graphql}"
port="${POSTGRAPHILE_PORT:-5050}"
workers="${POSTGRAPHILE_WORKERS:-1}"
pool="${POSTGRAPHILE_POOL:-16}"

cd "$here/postgraphile"
[ -x node_modules/.bin/postgraphile ] || npm ci --no-audit --no-fund

cluster=()
[ "$workers" -gt 1 ] && cluster=(--cluster-workers "$workers")
node_modules/.bin/postgraphile --connection "${database/postgresql+psycopg:/postgresql:}" \
  --schema public --host 127.0.0.1 --port "$port" --disable-graphiql --disable-query-log \
  --simple-collections both --max-pool-size "$pool" "${cluster[@]}" >"${TMPDIR:-/tmp}/postgraphile-bench.log" 2>&1 &
postgraphile=$!
trap 'kill "$postgraphile" 2>/dev/null || true; wait "$postgraphile" 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do
  if curl -fsS -o /dev/null 2>/dev/null -H 'Content-Type: application/json' \
      -d '{"query":"{__typename}"}' "http://127.0.0.1:$port/graphql"; then
    break
  fi
  sleep 0.5
done

# Their processes, so that the comparison also prints CPU time per request.
pids=(--postgraphile-pid "$postgraphile")
for pid in $(pgrep -f "newsgraph serve" || true); do pids+=(--newsgraph-pid "$pid"); done

cd "$root"
.venv/bin/python -m bench.compare "${pids[@]}" \
  --newsgraph "$newsgraph" \
  --postgraphile "http://127.0.0.1:$port/graphql" \
  --database-url "$database" \
  --duration "${DURATION:-15}" --connections "${CONNECTIONS:-16}" --threads "${THREADS:-2}"
