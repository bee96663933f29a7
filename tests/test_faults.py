"""Faults: an unreachable database answers 503, a restarted one is used again, and a client
that leaves has its work cancelled."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import sync_url
from db.reads import Reader
from tests.support import bearer, graphql, graphql_response, issue_key, serving

ORGANIZATION_NAMES = "{ organizations(first: 2) { edges { node { name } } } }"
# Nothing listens on port 1: connecting fails at once, as when the server is down.
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/test"
APPLICATION_NAME = "newsgraph-fault-test"
CREATE_PERSON = """
mutation { personCreate(input: {slug: "fault-person", name: "Fault Person"}) { errors { code } } }
"""
ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""


async def test_an_unreachable_database_answers_503_with_retry_after():
    async with serving(UNREACHABLE_POSTGRES) as (_, client):
        response = await graphql_response(client, ORGANIZATION_NAMES)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "data" not in response.json()


def terminate_backends(url: str, application_name: str) -> int:
    """Kill the server processes of every connection with that application_name, as a restart
    of PostgreSQL would; returns how many there were."""
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name"
                    ),
                    {"name": application_name},
                ).all()
            )
    finally:
        engine.dispose()


async def test_the_app_recovers_when_its_connections_are_killed(backend, database_url):
    if backend != "postgres":
        pytest.skip("connections to kill are PostgreSQL's")
    url = (
        make_url(database_url)
        .update_query_dict({"application_name": APPLICATION_NAME})
        .render_as_string(hide_password=False)
    )
    async with serving(url) as (_, client):
        before = await graphql(client, ORGANIZATION_NAMES)
        killed = terminate_backends(database_url, APPLICATION_NAME)
        after = await graphql(client, ORGANIZATION_NAMES)

    assert killed >= 1
    assert after == before


async def test_a_write_that_meets_a_killed_connection_answers_503_and_its_retry_succeeds(
    backend, database_url
):
    """Without a ping before each checkout, the statement that finds a connection dead fails:
    the caller is told to retry, and the retry runs on a fresh connection."""
    if backend != "postgres":
        pytest.skip("connections to kill are PostgreSQL's")
    url = (
        make_url(database_url)
        .update_query_dict({"application_name": APPLICATION_NAME})
        .render_as_string(hide_password=False)
    )
    async with serving(url) as (app, client):
        editor = bearer((await issue_key(app, "editor", "Fault desk")).secret)
        await graphql(client, ORGANIZATION_NAMES, headers=editor)  # a pooled connection
        assert terminate_backends(database_url, APPLICATION_NAME) >= 1
        first = await graphql_response(client, CREATE_PERSON, headers=editor)
        retry = await graphql_response(client, CREATE_PERSON, headers=editor)

    assert first.status_code == 503
    assert first.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert retry.status_code == 200
    assert retry.json()["data"]["personCreate"]["errors"] == []


@pytest.fixture
def endless_id_lookups(monkeypatch):
    """Lookups by ID that never finish; records when one starts and when it is cancelled."""
    events = {"started": asyncio.Event(), "cancelled": asyncio.Event()}

    async def endless(self, model, ids):
        events["started"].set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            events["cancelled"].set()
            raise

    monkeypatch.setattr(Reader, "by_ids", endless)
    return events


async def test_a_client_that_disconnects_has_its_work_cancelled(database_url, endless_id_lookups):
    body = json.dumps({"query": ARTICLE_WITH_PUBLISHER}).encode()
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await endless_id_lookups["started"].wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"newsgraph.test")],
        "client": ("127.0.0.1", 1),
        "server": ("newsgraph.test", 80),
    }
    # The endless lookup lives on the resolver path; compiled reads run under the same watcher.
    async with serving(database_url, compiled_reads=False) as (app, _):
        # A guard against a hang, not a measurement: the app must return once the client left.
        await asyncio.wait_for(app(scope, receive, send), timeout=10)

    assert endless_id_lookups["cancelled"].is_set()
    assert sent == []  # nobody to answer
