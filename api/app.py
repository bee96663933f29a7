"""The ASGI application: routes, and the database engine that lives as long as the app does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute

from api.compiler import ReadCompiler
from api.feeds.routes import routes as feed_routes
from api.limits import RateLimiter, counters_for
from api.live.broker import create_broker
from api.schema import schema
from api.view import GraphQLView
from db.engine import create_app_engine, session_factory
from db.events import PUBLISHER
from db.jsonsql import json_dialect
from newsgraph.clock import Clock, SystemClock
from newsgraph.settings import Settings


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    """The newsgraph app; `Settings()` (the NEWSGRAPH_* environment) unless given settings.

    `clock` decides what "now" is for embargoes and rate-limit windows; tests pass a
    FixedClock.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # On app.state rather than in lifespan state: test clients that drive the lifespan
        # themselves (httpx's ASGITransport) cannot hand lifespan state to requests.
        engine = create_app_engine(settings)
        broker = create_broker(settings.redis_url, settings.redis_channel_prefix)
        app.state.engine = engine
        app.state.broker = broker
        # Every session the app opens hands what it announced to the broker once it commits.
        app.state.sessions = session_factory(engine)
        app.state.read_compiler = (
            ReadCompiler(schema, json_dialect(engine.dialect.name), settings)
            if settings.compiled_reads
            else None
        )
        app.state.sessions.configure(info={PUBLISHER: broker.publish})
        counters = counters_for(settings)
        app.state.rate_limiter = RateLimiter(counters, settings)
        try:
            yield
        finally:
            await counters.close()
            await broker.close()
            await engine.dispose()

    view = GraphQLView(schema, settings)
    app = Starlette(
        routes=[
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz, methods=["GET"]),
            *feed_routes,
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    return app
