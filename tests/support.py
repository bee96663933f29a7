"""What tests share: talking GraphQL to the app over HTTP, and counting the SQL it runs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from api.app import create_app
from db import keys, prepared_reads
from db import models as m
from db.engine import session_factory
from newsgraph.settings import Settings

GRAPHQL_PATH = "/graphql"
BASE_URL = "http://newsgraph.test"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# What the GraphQL-over-HTTP specification recommends a client send.
DEFAULT_ACCEPT = f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9"


@dataclass(frozen=True)
class FreshDatabase:
    """A migrated, seeded database of one test's own, with an app and a client serving it."""

    url: str
    app: Starlette
    client: httpx.AsyncClient


def settings_for(url: str, **overrides: Any) -> Settings:
    """Settings for a test app: rate limits off, since a suite sends hundreds of requests a
    minute from one address; the response cache off, so that every request runs the query
    it sends (SQL counts, both read paths); the background embargo scheduler off (its
    statements would land in `count_sql` blocks). Their own tests turn them on: the
    scheduler's with a sleeper they step, or by calling `announce_due` themselves."""
    return Settings(
        **{
            "database_url": url,
            "rate_limits_enabled": False,
            "response_cache_enabled": False,
            "embargo_scheduler": False,
            **overrides,
        }
    )


def client_for(app: Starlette) -> httpx.AsyncClient:
    """An HTTP client for `app`, through ASGI: no sockets, but every byte a real client sees."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


@asynccontextmanager
async def serving(url: str, **settings: Any) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """An app for the database at `url` (other settings as given), lifespan running; a client."""
    app = create_app(settings_for(url, **settings))
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield app, client


# The shared database's clients (conftest's `client`), each with its twin: an app over the
# same database that answers with the resolver path only. Every request a test sends to a
# shared client goes to its twin too, and both must answer byte for byte alike.
_RESOLVER_TWINS: dict[int, httpx.AsyncClient] = {}


@asynccontextmanager
async def resolver_twin(client: httpx.AsyncClient, database_url: str) -> AsyncIterator[None]:
    """While inside, what `graphql_response` sends to `client` is checked against the
    resolver path's answer over `database_url`."""
    async with serving(database_url, compiled_reads=False) as (_, twin):
        _RESOLVER_TWINS[id(client)] = twin
        try:
            yield
        finally:
            del _RESOLVER_TWINS[id(client)]


async def graphql_response(
    client: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST one GraphQL request and return the HTTP response as it came."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = dict(variables)
    request_headers = httpx.Headers({"Accept": DEFAULT_ACCEPT})
    request_headers.update(headers or {})
    response = await client.post(GRAPHQL_PATH, json=payload, headers=request_headers)
    twin = _RESOLVER_TWINS.get(id(client))
    if twin is not None:
        resolved = await twin.post(GRAPHQL_PATH, json=payload, headers=request_headers)
        assert (response.status_code, response.content) == (
            resolved.status_code,
            resolved.content,
        ), f"the compiled read path answers otherwise than the resolvers:\n{query}\n{variables}"
    return response


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """POST one GraphQL request that must succeed, and return its `data`."""
    response = await graphql_response(client, query, variables, headers=headers)
    assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


_TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT)\b", re.IGNORECASE
)


@dataclass
class SQLStatements:
    """The statements run inside a `count_sql` block, transaction control left out."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{number}. {sql}" for number, sql in enumerate(self.statements, 1))


@contextmanager
def count_sql(app: Starlette) -> Iterator[SQLStatements]:
    """Record every SQL statement the app's engine executes while the block runs."""
    recorded = SQLStatements()
    engine = app.state.engine.sync_engine

    def record(
        connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if not _TRANSACTION_CONTROL.match(statement):
            recorded.statements.append(statement)

    @contextmanager
    def record_prepared(statement: str) -> Iterator[None]:
        recorded.statements.append(statement)
        yield

    event.listen(engine, "before_cursor_execute", record)
    # Compiled reads on PostgreSQL run on the driver's connection, past the engine's events.
    forget = prepared_reads.observe(engine, record_prepared)
    try:
        yield recorded
    finally:
        forget()
        event.remove(engine, "before_cursor_execute", record)


async def issue_key(app: Starlette, role: str, name: str = "test key") -> keys.IssuedKey:
    """A new API key in the app's database, issued the way `newsgraph keys create` does."""
    return await keys.create_key(session_factory(app.state.engine), name, m.KeyRole(role))


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
