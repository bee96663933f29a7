"""Live updates over WebSocket (graphql-transport-ws), in one process and across two via Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from sqlalchemy import select
from starlette.applications import Starlette

from api.app import create_app
from db import models as m
from db.changes import record_change
from db.documents import save_article_document
from db.engine import unit_of_work
from db.events import ARTICLES, STATEMENTS
from newsgraph.clock import Clock
from newsgraph.document import ArticleDocument
from tests.support import BASE_URL, graphql, settings_for

PROTOCOL = "graphql-transport-ws"
ARTICLE_UPDATES = "subscription { articleUpdates { kind article { slug headline } } }"
STATEMENTS_BY_SPEAKER = """
subscription Statements($speaker: ID!) {
  statementsBySpeaker(speaker: $speaker) { summary speaker { ... on Organization { slug } } }
}
"""
ORGANIZATION_ID = "query OrganizationId($slug: String!) { organization(slug: $slug) { id } }"
# A safety net so a broken server fails the test instead of hanging it; never a measurement.
PATIENCE = 10.0


def document(slug: str, *, speaker: str | None = None) -> ArticleDocument:
    """A one-paragraph article; with `speaker`, it carries a statement by that organization."""
    text = "The Coalition said it would review its operations."
    record: dict[str, Any] = {
        "article": {
            "slug": slug,
            "headline": f"Headline {slug}",
            "published_at": datetime(2020, 2, 1, tzinfo=UTC),
            "paragraphs": [{"position": 1, "kind": "body", "text": text}],
        },
        "organizations": [
            {"slug": "cjtf-oir", "name": "CJTF-OIR", "kind": "military_coalition"},
            {"slug": "nato", "name": "NATO", "kind": "international_organization"},
        ],
    }
    if speaker is not None:
        record["statements"] = [
            {
                "speaker": {"organization": speaker},
                "medium": "written_statement",
                "reported_in": [1],
                "summary": f"{speaker} will review its operations ({slug}).",
            }
        ]
    return ArticleDocument.model_validate(record)


async def save(app: Starlette, slug: str, *, speaker: str | None = None) -> None:
    """Save through the app's own session factory, the one that announces on commit."""
    async with unit_of_work(app.state.sessions) as session:
        await save_article_document(session, document(slug, speaker=speaker))


async def until(condition: Callable[[], Any], what: str) -> None:
    """Let the server's tasks run until `condition()` holds (bounded, so a bug fails)."""
    for _ in range(1000):
        if await _holds(condition):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def _holds(condition: Callable[[], Any]) -> bool:
    result = condition()
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)


@asynccontextmanager
async def live_app(
    url: str,
    *,
    clock: Clock | None = None,
    sleeper: Callable[[float], Awaitable[None]] = asyncio.sleep,
    **settings: Any,
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings_for(url, **settings), clock=clock, sleeper=sleeper)
    # The client enters and leaves the transport (and its task group) itself.
    transport = ASGIWebSocketTransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        yield app, client


@asynccontextmanager
async def connection(
    client: httpx.AsyncClient, *, init: bool = True, headers: dict[str, str] | None = None
) -> AsyncIterator[AsyncWebSocketSession]:
    ws: AsyncWebSocketSession
    async with aconnect_ws(
        "/graphql", client, subprotocols=[PROTOCOL], headers=dict(headers or {})
    ) as ws:
        if init:
            await ws.send_json({"type": "connection_init"})
            assert (await ws.receive_json(timeout=PATIENCE)) == {"type": "connection_ack"}
        yield ws


async def subscribe(
    ws: Any, subscriber_id: str, query: str, variables: dict[str, Any] | None = None
) -> None:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    await ws.send_json({"id": subscriber_id, "type": "subscribe", "payload": payload})


async def close_code(ws: Any) -> int:
    """Read until the server closes the connection; its close code."""
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            await ws.receive_json(timeout=PATIENCE)
    return closed.value.code


# -- the protocol --------------------------------------------------------------------------


async def test_connection_init_is_acknowledged(database_url):
    async with live_app(database_url) as (_, client), connection(client, init=False) as ws:
        await ws.send_json({"type": "connection_init", "payload": {}})

        assert await ws.receive_json(timeout=PATIENCE) == {"type": "connection_ack"}


async def test_ping_is_answered_with_pong(database_url):
    async with live_app(database_url) as (_, client), connection(client) as ws:
        await ws.send_json({"type": "ping"})

        assert await ws.receive_json(timeout=PATIENCE) == {"type": "pong"}


async def test_subscribe_before_the_ack_closes_4401_unauthorized(database_url):
    async with live_app(database_url) as (_, client), connection(client, init=False) as ws:
        await subscribe(ws, "early", ARTICLE_UPDATES)

        assert await close_code(ws) == 4401


async def test_a_second_connection_init_closes_4429(database_url):
    async with live_app(database_url) as (_, client), connection(client) as ws:
        await ws.send_json({"type": "connection_init"})

        assert await close_code(ws) == 4429


async def test_an_init_payload_that_is_not_an_object_closes_4400(database_url):
    async with live_app(database_url) as (_, client), connection(client, init=False) as ws:
        await ws.send_json({"type": "connection_init", "payload": "let me in"})

        assert await close_code(ws) == 4400


async def test_a_duplicate_subscriber_id_closes_4409(database_url):
    async with live_app(database_url) as (app, client), connection(client) as ws:
        await subscribe(ws, "same", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "first subscription listens")

        await subscribe(ws, "same", ARTICLE_UPDATES)

        assert await close_code(ws) == 4409


async def test_a_bad_speaker_id_is_an_error_message(database_url):
    async with live_app(database_url) as (_, client), connection(client) as ws:
        await subscribe(ws, "bad", STATEMENTS_BY_SPEAKER, {"speaker": "not-an-id"})

        message = await ws.receive_json(timeout=PATIENCE)

    assert message["id"] == "bad"
    assert message["type"] == "next"
    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_query_over_the_socket_is_refused_with_a_client_error(database_url):
    async with live_app(database_url) as (_, client), connection(client) as ws:
        await subscribe(ws, "query", "query Count { articles(first: 1) { totalCount } }")

        message = await ws.receive_json(timeout=PATIENCE)

    [error] = message["payload"]["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "only subscriptions" in error["message"]


# -- what is delivered ---------------------------------------------------------------------


async def test_a_published_article_is_delivered_as_next(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")

        await save(app, "live-story")

        message = await ws.receive_json(timeout=PATIENCE)
    assert message == {
        "id": "articles",
        "type": "next",
        "payload": {
            "data": {
                "articleUpdates": {
                    "kind": "PUBLISHED",
                    "article": {"slug": "live-story", "headline": "Headline live-story"},
                }
            }
        },
    }


async def test_complete_stops_the_subscription(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")

        await ws.send_json({"id": "articles", "type": "complete"})

        await until(lambda: app.state.broker.listeners(ARTICLES) == 0, "subscription stops")


async def test_an_article_the_viewer_may_not_see_yet_is_not_delivered(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")
        await save(app, "embargoed-story")
        published = await ws.receive_json(timeout=PATIENCE)
        async with unit_of_work(app.state.sessions) as session:
            article = await session.scalar(
                select(m.Article).where(m.Article.slug == "embargoed-story")
            )
            assert article is not None
            article.status = m.PublicationStatus.EMBARGOED
            article.embargoed_until = datetime(2999, 1, 1, tzinfo=UTC)
            await record_change(session, article.id, m.ChangeKind.CORRECTED)
        await save(app, "open-story")

        following = await ws.receive_json(timeout=PATIENCE)

    slugs = [
        message["payload"]["data"]["articleUpdates"]["article"]["slug"]
        for message in (published, following)
    ]
    # Its correction, made while it is under embargo again, is held back; the next story is not.
    assert slugs == ["embargoed-story", "open-story"]


async def test_statements_by_a_speaker_and_no_one_else(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        coalition = (await graphql(client, ORGANIZATION_ID, {"slug": "cjtf-oir"}))["organization"][
            "id"
        ]
        await subscribe(ws, "coalition", STATEMENTS_BY_SPEAKER, {"speaker": coalition})
        await until(lambda: app.state.broker.listeners(STATEMENTS) == 1, "subscription listens")

        await save(app, "nato-speaks", speaker="nato")
        await save(app, "coalition-speaks", speaker="cjtf-oir")

        message = await ws.receive_json(timeout=PATIENCE)
    assert message["payload"]["data"]["statementsBySpeaker"] == {
        "summary": "cjtf-oir will review its operations (coalition-speaks).",
        "speaker": {"slug": "cjtf-oir"},
    }


async def test_nothing_is_announced_when_the_transaction_rolls_back(fresh_database):
    async with live_app(fresh_database.url) as (app, client), connection(client) as ws:
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        await until(lambda: app.state.broker.listeners(ARTICLES) == 1, "subscription listens")

        with pytest.raises(RuntimeError):
            async with unit_of_work(app.state.sessions) as session:
                await save_article_document(session, document("rolled-back"))
                raise RuntimeError("the caller gives up")
        await save(app, "kept")

        message = await ws.receive_json(timeout=PATIENCE)
    assert message["payload"]["data"]["articleUpdates"]["article"]["slug"] == "kept"


# -- across processes ----------------------------------------------------------------------


async def test_two_app_instances_fan_out_through_redis(fresh_database, redis_url):
    # A channel prefix of the test's own: nobody else's events, and nobody else hears ours.
    prefix = f"newsgraph-test-{uuid.uuid4().hex[:12]}"
    settings = {"redis_url": redis_url, "redis_channel_prefix": prefix}
    async with (
        live_app(fresh_database.url, **settings) as (writer, _),
        live_app(fresh_database.url, **settings) as (reader, reader_client),
        connection(reader_client) as ws,
    ):
        await subscribe(ws, "articles", ARTICLE_UPDATES)
        # A listener registers only once its instance is subscribed in Redis.
        await until(lambda: reader.state.broker.listeners(ARTICLES) == 1, "the reader listens")

        # Written through the other instance: only Redis can carry the news across.
        await save(writer, "fanned-out")

        message = await ws.receive_json(timeout=PATIENCE)
    assert message["payload"]["data"]["articleUpdates"]["article"]["slug"] == "fanned-out"
