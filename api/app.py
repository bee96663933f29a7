"""The ASGI application: routes, and the database engine that lives as long as the app does."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from api.compiler import ReadCompiler
from api.feeds.routes import routes as feed_routes
from api.health import healthz, readyz
from api.live.broker import create_broker
from api.live.scheduler import EmbargoScheduler
from api.metrics import Metrics, MetricsMiddleware, metrics_endpoint
from api.persisted import SharedRegistry
from api.rate_limits import RateLimiter, counters_for
from api.request_log import RequestLogMiddleware, install_record_factory
from api.response_cache import ResponseCache, store_for
from api.schema import schema
from api.tracing import Tracing
from api.view import GraphQLView
from db.engine import create_app_engine, postgres_session_settings
from db.events import PUBLISHER
from db.jsonsql import json_dialect
from db.prepared_reads import ReadConnections
from db.routing import routed_sessions
from newsgraph.clock import Clock, SystemClock
from newsgraph.settings import Settings


def _middleware(settings: Settings, metrics: Metrics, tracing: Tracing | None) -> list[Middleware]:
    # Outermost first: the request id exists before anything logs, and metrics time the rest.
    middleware = [Middleware(RequestLogMiddleware), Middleware(MetricsMiddleware, metrics=metrics)]
    if tracing is not None:
        middleware.append(tracing.middleware())
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type", "If-None-Match", "X-Request-ID"],
                expose_headers=["ETag", "X-Request-ID"],
                max_age=600,
            )
        )
    return middleware


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    tracing: Tracing | None = None,
    sleeper: Callable[[float], Awaitable[None]] = asyncio.sleep,
    long_running: bool = False,
) -> Starlette:
    """The newsgraph app; `Settings()` (the NEWSGRAPH_* environment) unless given settings.

    `clock` decides what "now" is for embargoes and rate-limit windows; tests pass a
    FixedClock.
    `tracing` defaults to OTLP export when NEWSGRAPH_TRACING_ENDPOINT is set; tests pass
    their own.
    `sleeper` is how the background embargo scheduler waits between passes; tests step it.
    `long_running` tunes the process for serving (`newsgraph serve`, through `serve_app`).
    """
    settings = settings or Settings()
    if tracing is None and settings.tracing_endpoint:
        tracing = Tracing(settings)
    install_record_factory()
    metrics = Metrics()
    shared_persisted_queries = (
        SharedRegistry(
            settings.redis_url,
            settings.persisted_query_ttl,
            f"{settings.redis_key_prefix}apq:",
        )
        if settings.redis_url and settings.trusted_documents is None
        else None
    )
    response_cache = (
        ResponseCache(store_for(settings), schema._schema, settings, metrics)
        if settings.response_cache_enabled
        else None
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # On app.state rather than in lifespan state: test clients that drive the lifespan
        # themselves (httpx's ASGITransport) cannot hand lifespan state to requests.
        engine = create_app_engine(settings)
        replicas = [create_app_engine(settings, url) for url in settings.database_replica_urls]
        broker = create_broker(settings.redis_url, settings.redis_channel_prefix)
        counters = counters_for(settings)
        app.state.engine = engine
        app.state.replicas = replicas
        app.state.broker = broker
        app.state.rate_limiter = RateLimiter(counters, settings)
        app.state.sessions = routed_sessions(engine, replicas)
        # Every session the app opens hands what it announced to the broker once it commits.
        app.state.sessions.configure(info={PUBLISHER: broker.publish})
        app.state.read_compiler = (
            ReadCompiler(schema, json_dialect(engine.dialect.name), settings)
            if settings.compiled_reads
            else None
        )
        # Compiled reads on PostgreSQL run on connections of their own (db/prepared_reads.py).
        app.state.read_connections = {
            database.sync_engine: ReadConnections(
                database.sync_engine,
                settings.database_read_connections,
                timeout=settings.database_pool_timeout,
                connect_timeout=settings.database_connect_timeout,
                session_settings=postgres_session_settings(settings),
            )
            for database in (engine, *replicas)
            if database.dialect.name == "postgresql"
        }
        metrics.watch_pool(engine, app.state.read_connections.get(engine.sync_engine))
        if tracing is not None:
            for traced in (engine, *replicas):
                tracing.watch_engine(traced)
        scheduler = EmbargoScheduler(
            app.state.sessions, app.state.clock, settings.embargo_poll_seconds, sleeper
        )
        app.state.embargo_scheduler = scheduler
        scheduling = (
            asyncio.get_running_loop().create_task(scheduler.run())
            if settings.embargo_scheduler
            else None
        )
        if long_running:
            # What exists now (the schema, mappers, pools) lives as long as the process. Out
            # of the collector's sight, a full collection no longer walks all of it, which
            # paused every request in flight for up to 100 ms under load.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if scheduling is not None:
                scheduling.cancel()
                with suppress(asyncio.CancelledError):
                    await scheduling
            if tracing is not None:
                tracing.shutdown()
            metrics.watch_pool(None, None)
            for read_connections in app.state.read_connections.values():
                await read_connections.close()
            if shared_persisted_queries is not None:
                await shared_persisted_queries.close()
            if response_cache is not None:
                await response_cache.close()
            await counters.close()
            await broker.close()
            for replica in replicas:
                await replica.dispose()
            await engine.dispose()

    view = GraphQLView(schema, settings, metrics, shared_persisted_queries, response_cache)
    app = Starlette(
        middleware=_middleware(settings, metrics, tracing),
        routes=[
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *feed_routes,
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.clock = clock or SystemClock()
    return app


def serve_app() -> Starlette:
    """The app `newsgraph serve` runs in each worker, from the NEWSGRAPH_* environment."""
    return create_app(long_running=True)
