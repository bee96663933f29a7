"""Prometheus metrics: requests, latency, errors and database pool use, served at /metrics."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.engine import pool_usage
from db.prepared_reads import ReadConnections

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Paths recorded by name; anything else is "other", so scanners cannot inflate the label set.
_KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _PoolCollector(Collector):
    """Reads the connection pool, and the connections kept for compiled reads, at scrape time."""

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None
        self.read_connections: ReadConnections | None = None

    def collect(self) -> Iterable[Metric]:
        usage = pool_usage(self.engine) if self.engine is not None else None
        checked_out = GaugeMetricFamily(
            "newsgraph_db_pool_checked_out", "Database connections in use by requests."
        )
        size = GaugeMetricFamily("newsgraph_db_pool_size", "Connections the pool keeps open.")
        if usage is not None:
            checked_out.add_metric([], usage[0])
            size.add_metric([], usage[1])
        yield checked_out
        yield size
        reads = self.read_connections
        if reads is not None:
            yield GaugeMetricFamily(
                "newsgraph_db_read_connections_in_use",
                "Connections for compiled reads running a statement now.",
                value=reads.in_use,
            )
            yield GaugeMetricFamily(
                "newsgraph_db_read_connections_size",
                "Connections for compiled reads a worker may keep open.",
                value=reads.size,
            )


class Metrics:
    """One app's metrics, in a registry of its own (several apps may share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsgraph_http_requests",
            "HTTP requests answered, by method, path and status.",
            ["method", "path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "newsgraph_http_request_duration_seconds",
            "Time from receiving a request to sending the end of its answer.",
            ["method", "path"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "newsgraph_http_errors",
            "Answers with a 5xx status: the server's fault, not the client's.",
            ["path", "status"],
            registry=self.registry,
        )
        self.graphql_errors = Counter(
            "newsgraph_graphql_errors",
            "GraphQL errors returned, by extensions.code (INTERNAL for masked ones).",
            ["code"],
            registry=self.registry,
        )
        self.response_cache_lookups = Counter(
            "newsgraph_response_cache_lookups",
            "Queries looked up in the response cache, by result (hit or miss).",
            ["result"],
            registry=self.registry,
        )
        self.response_cache_stores = Counter(
            "newsgraph_response_cache_stores",
            "Answers kept in the response cache.",
            registry=self.registry,
        )
        self._pool = _PoolCollector()
        self.registry.register(self._pool)

    def watch_pool(
        self, engine: AsyncEngine | None, read_connections: ReadConnections | None
    ) -> None:
        """Report this engine's pool and compiled-read connections from now on (None: none)."""
        self._pool.engine = engine
        self._pool.read_connections = read_connections

    def record_graphql_errors(self, codes: Iterator[str]) -> None:
        for code in codes:
            self.graphql_errors.labels(code).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in _KNOWN_PATHS else "other"
        method = scope["method"] if scope["method"] in ("GET", "POST", "OPTIONS") else "other"
        # 499 (nginx's "client closed request") unless a response starts or an error escapes.
        status = 499
        started = time.perf_counter()

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        except BaseException:
            status = 500
            raise
        finally:
            self.metrics.latency.labels(method, path).observe(time.perf_counter() - started)
            self.metrics.requests.labels(method, path, str(status)).inc()
            if status >= 500:
                self.metrics.errors.labels(path, str(status)).inc()


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)
