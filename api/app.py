"""The ASGI application: routes, and the database engine that lives as long as the app does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.limits import RateLimiter, counters_for
from api.schema import schema
from api.view import GraphQLView
from db.engine import create_app_engine, session_factory
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
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        counters = counters_for(settings)
        app.state.rate_limiter = RateLimiter(counters, settings)
        try:
            yield
        finally:
            await counters.close()
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLView(schema, settings)),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    return app
