"""Faults: an unreachable database answers 503 at once, and a restarted one is used again."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import sync_url
from tests.support import graphql, graphql_response, serving

ORGANIZATION_NAMES = "{ organizations(first: 2) { edges { node { name } } } }"
# Nothing listens on port 1: connecting fails at once, as when the server is down.
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/test"
APPLICATION_NAME = "newsgraph-fault-test"


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
