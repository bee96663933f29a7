"""newsgraph against PostGraphile and against the SQL floor, on the headline query.

Run through `bench/compare_postgraphile.sh`, which starts PostGraphile; by hand:

    python -m bench.compare --newsgraph http://127.0.0.1:8000/graphql \
        --postgraphile http://127.0.0.1:5050/graphql \
        --database-url postgresql://postgres@127.0.0.1:5432/newsgraph_bench

Each server answers the same question (the Coalition's ten newest statements, their quotes
with paragraph and article, and the related reading) at the same concurrency under wrk.
The floor is that answer built by PostgreSQL in one hand-written statement
(`headline_floor.sql`), fetched with psycopg by as many threads as there are connections;
before timing, its JSON is checked to equal newsgraph's `data`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from api.graphiql import HEADLINE_QUERY
from bench.cpu import CpuMeter
from bench.load import LoadError, Result, post, run_wrk
from newsgraph.names import normalize_name

ORGANIZATION_NAME = "CJTF-OIR"
FLOOR_SQL = (Path(__file__).with_name("headline_floor.sql")).read_text()

# PostGraphile's own names for the same walk. It has no statement → articles relation, so
# each quote's article carries its related reading instead; the answer is about as large.
POSTGRAPHILE_HEADLINE = """
query CoalitionStatements($slug: String!) {
  organizationBySlug(slug: $slug) {
    name
    organizationAliasesByOrganizationIdList(orderBy: [POSITION_ASC, ID_ASC]) { alias }
    statementsBySpeakerOrganizationId(first: 10, orderBy: [ISSUED_ON_DESC, ID_DESC]) {
      totalCount
      edges { node {
        issuedOn
        quotesByStatementIdList(orderBy: [ID_ASC]) {
          text
          paragraphByParagraphId {
            position text
            articleByArticleId {
              headline
              articleLinksByFromArticleIdList(orderBy: [POSITION_ASC]) {
                articleByToArticleId { headline url }
              }
            }
          }
        }
      } }
    }
  }
}
"""

SLUG_OF = "query Slug($name: String!) { organization(name: $name) { slug } }"


def conninfo(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def floor_answer(database_url: str, name: str) -> Any:
    with psycopg.connect(conninfo(database_url)) as connection:
        row = connection.execute(FLOOR_SQL, {"name": normalize_name(name)}).fetchone()
    assert row is not None
    return json.loads(row[0])


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_floor(
    database_url: str, name: str, *, duration: int, connections: int, meter: CpuMeter
) -> Result:
    """The floor statement, run back to back on `connections` connections for `duration` s.

    The connections open before `meter` starts, so it sees their backends' whole run.
    """
    latencies: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    parameters = {"name": normalize_name(name)}
    opened = [psycopg.connect(conninfo(database_url)) for _ in range(connections)]

    def client(connection: psycopg.Connection[Any], deadline: float) -> None:
        mine: list[float] = []
        size = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            row = connection.execute(FLOOR_SQL, parameters, prepare=True).fetchone()
            mine.append(time.perf_counter() - started)
            size = len(row[0]) if row else 0
        with lock:
            latencies.extend(mine)
            sizes.append(size)

    try:
        with meter:
            started = time.monotonic()
            deadline = started + duration
            threads = [threading.Thread(target=client, args=(c, deadline)) for c in opened]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
    finally:
        for connection in opened:
            connection.close()
    ordered = sorted(latencies)
    return Result(
        name="SQL floor",
        requests_per_second=len(ordered) / elapsed,
        p50_ms=_percentile(ordered, 0.50) * 1000,
        p90_ms=_percentile(ordered, 0.90) * 1000,
        p95_ms=_percentile(ordered, 0.95) * 1000,
        p99_ms=_percentile(ordered, 0.99) * 1000,
        max_ms=ordered[-1] * 1000,
        response_bytes=max(sizes, default=0),
        failures=0,
    )


def _requests(result: Result, duration: int) -> float:
    return result.requests_per_second * duration


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--newsgraph", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--postgraphile", default="http://127.0.0.1:5050/graphql")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/newsgraph_bench",
        help="the database both servers read, for the SQL floor",
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per run (15)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--newsgraph-pid",
        type=int,
        action="append",
        default=[],
        help="newsgraph's server process, to count its CPU per request (repeatable)",
    )
    parser.add_argument(
        "--postgraphile-pid",
        type=int,
        action="append",
        default=[],
        help="PostGraphile's process, to count its CPU per request (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        ours, _ = post(args.newsgraph, HEADLINE_QUERY)
        floor = floor_answer(args.database_url, ORGANIZATION_NAME)
        if floor != ours:
            raise LoadError("the SQL floor's answer differs from newsgraph's: not comparable")
        print("The SQL floor's answer equals newsgraph's data.", flush=True)
        organization = post(args.newsgraph, SLUG_OF, {"name": ORGANIZATION_NAME})[0]
        theirs = {"slug": organization["organization"]["slug"]}
        post(args.postgraphile, POSTGRAPHILE_HEADLINE, theirs)
        load = {"duration": args.duration, "connections": args.connections}
        print(f"{args.connections} connections, {args.duration} s each", flush=True)
        print(Result.HEADER, flush=True)
        database = make_url(args.database_url).database or ""
        costs: list[str] = []
        with CpuMeter(set(args.newsgraph_pid), database) as meter:
            newsgraph = run_wrk(
                args.newsgraph,
                json.dumps({"query": HEADLINE_QUERY}),
                threads=args.threads,
                name="newsgraph",
                **load,
            )
        print(newsgraph.line(), flush=True)
        costs.append(f"newsgraph     {meter.per_request(_requests(newsgraph, args.duration))}")
        with CpuMeter(set(args.postgraphile_pid), database) as meter:
            postgraphile = run_wrk(
                args.postgraphile,
                json.dumps({"query": POSTGRAPHILE_HEADLINE, "variables": theirs}),
                threads=args.threads,
                name="PostGraphile",
                **load,
            )
        print(postgraphile.line(), flush=True)
        costs.append(f"PostGraphile  {meter.per_request(_requests(postgraphile, args.duration))}")
        # The floor's client is this process: its psycopg threads count as the server.
        meter = CpuMeter({os.getpid()}, database)
        floor_result = run_floor(args.database_url, ORGANIZATION_NAME, meter=meter, **load)
        print(floor_result.line(), flush=True)
        costs.append(f"SQL floor     {meter.per_request(_requests(floor_result, args.duration))}")
        if args.newsgraph_pid or args.postgraphile_pid:
            print()
            print("\n".join(costs))
    except (LoadError, psycopg.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print(
        "newsgraph / PostGraphile throughput: "
        f"{newsgraph.requests_per_second / postgraphile.requests_per_second:.2f}"
    )
    print(f"newsgraph / PostGraphile p95:        {newsgraph.p95_ms / postgraphile.p95_ms:.2f}")
    print(f"newsgraph / SQL floor p50 latency:   {newsgraph.p50_ms / floor_result.p50_ms:.2f}")
    print(f"newsgraph / SQL floor p95 latency:   {newsgraph.p95_ms / floor_result.p95_ms:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
