"""Per-request time of one query on each read path, in process (ASGI, no sockets).

    python bench/read_paths.py [--database-url URL] [--requests N] [--query FILE]

Prints mean and p50/p95 milliseconds for the compiled path and the resolver path.
Load over real HTTP against a 100k-article corpus is bench/load.py's job; this isolates
what each path costs in Python for the same answer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import httpx

from api.app import create_app
from api.graphiql import HEADLINE_QUERY
from newsgraph.settings import Settings


async def measure(url: str, compiled: bool, query: str, requests: int) -> list[float]:
    app = create_app(Settings(database_url=url, compiled_reads=compiled))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        for _ in range(20):  # warm caches and the pool
            await client.post("/graphql", json={"query": query})
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and "errors" not in response.json()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=Settings().database_url)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--query", type=Path, help="a file holding the query (default: headline)")
    args = parser.parse_args()
    query = args.query.read_text() if args.query else HEADLINE_QUERY
    for compiled in (True, False):
        timings = sorted(asyncio.run(measure(args.database_url, compiled, query, args.requests)))
        name = "compiled" if compiled else "resolver"
        p50, p95 = timings[len(timings) // 2], timings[int(len(timings) * 0.95)]
        print(f"{name:9} mean {statistics.mean(timings):6.2f} ms  p50 {p50:6.2f}  p95 {p95:6.2f}")


if __name__ == "__main__":
    main()
