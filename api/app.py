"""The ASGI application: routes, and the database engine that lives as long as the app does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.schema import schema
from api.view import GraphQLView
from db.engine import create_app_engine, session_factory
from newsgraph.clock import Clock, SystemClock
from newsgraph.settings import Settings


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _middleware(settings: Settings) -> list[Middleware]:
    middleware = []
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


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    """The newsgraph app; `Settings()` (the NEWSGRAPH_* environment) unless given settings.

    `clock` decides what "now" is for embargoes and limits; tests pass a FixedClock.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # On app.state rather than in lifespan state: test clients that drive the lifespan
        # themselves (httpx's ASGITransport) cannot hand lifespan state to requests.
        engine = create_app_engine(settings)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(
        middleware=_middleware(settings),
        routes=[
            Route("/graphql", GraphQLView(schema, settings)),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    return app
