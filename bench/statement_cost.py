"""PostgreSQL's CPU per answer: the compiled headline statement against the SQL floor's.

    python -m bench.statement_cost \
        --database-url postgresql://postgres@127.0.0.1:5432/newsgraph_bench

Each statement runs back to back on one connection, prepared as the server prepares it,
while `bench.cpu.CpuMeter` reads the database's backends from /proc. No HTTP, no Python
server and no other client are in the figure: only what the database spends on each
answer, which moves much less than latency on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import RawCursor
from sqlalchemy.engine import make_url

from api.compiler import ReadCompiler, parameters
from api.graphiql import HEADLINE_QUERY
from api.schema import schema
from bench.compare import FLOOR_SQL, ORGANIZATION_NAME, conninfo
from bench.cpu import CpuMeter
from db.jsonsql import json_dialect
from db.visibility import Role, Viewer
from newsgraph.names import normalize_name
from newsgraph.settings import Settings


def compiled_headline(database_url: str) -> tuple[str, list[Any]]:
    """The headline query's statement and values, as the compiled read path runs them."""
    compiler = ReadCompiler(schema, json_dialect("postgresql"), Settings(database_url=database_url))
    viewer = Viewer(role=Role.PUBLIC, now=datetime.now(UTC))
    roots = compiler.compile(HEADLINE_QUERY, None, None, viewer)
    assert roots is not None and len(roots) == 1 and roots[0].prepared is not None
    prepared = roots[0].prepared
    return prepared.sql, prepared.values(parameters(viewer))


def _measure(
    connection: psycopg.Connection[Any], database: str, sql: str, values: Any, runs: int
) -> tuple[float, float]:
    """Milliseconds of wall time and of backend CPU per execution."""
    cursor = RawCursor(connection) if isinstance(values, list) else connection.cursor()
    for _ in range(20):  # past the custom plans, onto the generic one the server keeps
        cursor.execute(sql, values, prepare=True, binary=True)
        cursor.fetchall()
    with CpuMeter(set(), database) as meter:
        started = time.perf_counter()
        for _ in range(runs):
            cursor.execute(sql, values, prepare=True, binary=True)
            cursor.fetchall()
        elapsed = time.perf_counter() - started
    return elapsed / runs * 1000, meter.database_seconds / runs * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/newsgraph_bench"
    )
    parser.add_argument("--runs", type=int, default=3000, help="executions per statement")
    parser.add_argument("--rounds", type=int, default=2, help="times each is measured")
    args = parser.parse_args(argv)
    url = make_url(args.database_url)
    database = url.database or ""
    compiled = compiled_headline(args.database_url)
    floor = (FLOOR_SQL, {"name": normalize_name(ORGANIZATION_NAME)})
    print(f"{'statement':12} {'wall ms':>8} {'backend CPU ms':>15}")
    with psycopg.connect(conninfo(args.database_url), autocommit=True) as connection:
        for _ in range(args.rounds):
            for name, (sql, values) in (("compiled", compiled), ("SQL floor", floor)):
                wall, cpu = _measure(connection, database, sql, values, args.runs)
                print(f"{name:12} {wall:8.3f} {cpu:15.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
