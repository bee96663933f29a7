"""Drive a running GraphQL server with wrk and print throughput and latency percentiles.

    python -m bench.load --url http://127.0.0.1:8000/graphql --duration 15 --connections 16

Four queries run one after the other, each for `--duration` seconds at the same
concurrency: the README's headline query, an article page (paragraphs and quotes), an
organization page (statements) and a search. Each is sent once first and must answer
with `data` and no `errors`; only then is it timed. Any newsgraph server works, whatever
its read path, so the same command measures the resolver path and the compiled one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.graphiql import HEADLINE_QUERY

ARTICLE_PAGE = """
query ArticlePage($slug: String!) {
  article(slug: $slug) {
    headline standfirst dateline publishedAt url
    publisher { name }
    credits { role person { name } }
    paragraphs {
      position kind text
      quotes {
        text start end
        statement { issuedOn speaker { ... on Person { name } ... on Organization { name } } }
      }
    }
    relatedArticles { headline url }
  }
}
"""

ORGANIZATION_PAGE = """
query OrganizationPage($name: String!) {
  organization(name: $name) {
    name kind description aliases
    statements(first: 20) {
      totalCount
      edges { node { issuedOn medium quotes { text paragraph { article { headline url } } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

SEARCH = """
query Search($query: String!) {
  search(query: $query, first: 20) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        kind rank
        snippet { text highlights { start end } }
        article { headline url publishedAt }
      }
    }
  }
}
"""

# Servers without full-text search still answer a search-shaped page: headlines by substring.
HEADLINE_SEARCH = """
query Search($query: String!) {
  articles(filter: { headlineContains: $query }, first: 20) {
    totalCount
    edges { node { headline url publishedAt } }
  }
}
"""

NEWEST_ARTICLE = "{ articles(first: 1) { edges { node { slug } } } }"
ROOT_FIELDS = "{ __schema { queryType { fields { name } } } }"

# wrk's Lua hook: POST the body, then print one machine-readable line of results.
_WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/graphql-response+json, application/json"
wrk.body = [==[{body}]==]
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Request:
    name: str
    query: str
    variables: dict[str, Any]

    def body(self) -> str:
        return json.dumps({"query": self.query, "variables": self.variables})


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    response_bytes: int
    failures: int

    HEADER = (
        f"{'query':<14}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'bytes':>9}{'failed':>8}"
    )

    def line(self) -> str:
        return (
            f"{self.name:<14}{self.requests_per_second:>9.1f}{self.p50_ms:>9.1f}"
            f"{self.p90_ms:>9.1f}{self.p95_ms:>9.1f}{self.p99_ms:>9.1f}{self.max_ms:>9.1f}"
            f"{self.response_bytes:>9}{self.failures:>8}"
        )


class LoadError(Exception):
    pass


def post(url: str, query: str, variables: dict[str, Any] | None = None) -> tuple[Any, int]:
    """(the answer's `data`, its size in bytes); LoadError when it has errors or no data."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
    except OSError as error:
        raise LoadError(f"{url}: {error}") from error
    answer = json.loads(raw)
    if answer.get("errors") or not answer.get("data"):
        raise LoadError(f"{url} answered with errors: {json.dumps(answer)[:500]}")
    return answer["data"], len(raw)


def representative_requests(url: str, organization: str, search: str) -> list[Request]:
    """The four requests, with arguments that exist on the server being measured."""
    newest = post(url, NEWEST_ARTICLE)[0]["articles"]["edges"]
    if not newest:
        raise LoadError("the server has no articles: load a corpus first (bench/corpus.py)")
    roots = {
        field["name"] for field in post(url, ROOT_FIELDS)[0]["__schema"]["queryType"]["fields"]
    }
    return [
        Request("headline", HEADLINE_QUERY, {}),
        Request("article", ARTICLE_PAGE, {"slug": newest[0]["node"]["slug"]}),
        Request("organization", ORGANIZATION_PAGE, {"name": organization}),
        Request("search", SEARCH if "search" in roots else HEADLINE_SEARCH, {"query": search}),
    ]


def run_wrk(
    url: str, body: str, *, duration: int, connections: int, threads: int, name: str
) -> Result:
    """`body` POSTed to `url` by wrk for `duration` seconds; the figures wrk reports."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "request.lua"
        script.write_text(_WRK_SCRIPT.replace("{body}", body))
        completed = subprocess.run(
            [
                wrk,
                f"--threads={min(threads, connections)}",
                f"--connections={connections}",
                f"--duration={duration}s",
                "--timeout=30s",
                f"--script={script}",
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if completed.returncode != 0 or not lines:
        raise LoadError(f"wrk failed: {completed.stderr or completed.stdout}")
    requests, micros, size, p50, p90, p95, p99, most, status, socket = (
        int(value) for value in lines[-1].split()[1:]
    )
    return Result(
        name=name,
        requests_per_second=requests / (micros / 1e6),
        p50_ms=p50 / 1000,
        p90_ms=p90 / 1000,
        p95_ms=p95 / 1000,
        p99_ms=p99 / 1000,
        max_ms=most / 1000,
        response_bytes=size // max(requests, 1),
        failures=status + socket,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql", help="GraphQL endpoint")
    parser.add_argument("--duration", type=int, default=15, help="seconds per query (15)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--organization", default="CJTF-OIR", help="organization page's name")
    parser.add_argument("--search", default="water", help="search words (water)")
    parser.add_argument(
        "--only", action="append", help="run only this query (repeatable): headline, article, …"
    )
    args = parser.parse_args(argv)
    try:
        requests = representative_requests(args.url, args.organization, args.search)
        print(
            f"{args.url}: {args.connections} connections, {args.duration} s per query",
            flush=True,
        )
        print(Result.HEADER, flush=True)
        for request in requests:
            if args.only and request.name not in args.only:
                continue
            post(args.url, request.query, request.variables)
            result = run_wrk(
                args.url,
                request.body(),
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                name=request.name,
            )
            print(result.line(), flush=True)
    except LoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
