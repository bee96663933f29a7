"""Compiled reads on PostgreSQL borrow a pooled connection, run their statement prepared and in
autocommit, and hand the connection back as every other query expects to find it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.applications import Starlette

from api.graphiql import HEADLINE_QUERY
from api.view import READ_PATH_HEADER
from db import prepared_reads
from tests.support import bearer, graphql_response, issue_key, serving


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite runs compiled reads through the Session: nothing is prepared")


async def pooled_connection_state(app: Starlette) -> dict[str, Any]:
    """What the app's one pooled connection looks like between requests."""
    async with app.state.engine.connect() as connection:
        pooled = await connection.get_raw_connection()
        driver = pooled.driver_connection
        cursor = await driver.execute("SELECT count(*) FROM pg_prepared_statements")
        row = await cursor.fetchone()
        return {
            "autocommit": driver.autocommit,
            "backend_pid": driver.info.backend_pid,
            "prepared_statements": row[0],
        }


async def test_a_compiled_read_returns_its_connection_ready_for_transactions(
    postgres_only: None, database_url: str
):
    async with serving(database_url, database_pool_size=1) as (
        app,
        client,
    ):
        before = await pooled_connection_state(app)
        for _ in range(3):
            response = await graphql_response(client, HEADLINE_QUERY)
            assert response.headers[READ_PATH_HEADER] == "compiled"
            assert response.json()["data"]["organization"]["name"]
        after = await pooled_connection_state(app)

    assert before["autocommit"] is False
    # The same connection, still opening transactions for the writes that come next, and
    # keeping the plan it prepared for the next request.
    assert after["backend_pid"] == before["backend_pid"]
    assert after["autocommit"] is False
    assert after["prepared_statements"] > before["prepared_statements"]


async def test_a_failed_compiled_read_discards_its_connection(
    postgres_only: None, database_url: str
):
    failures: list[str] = []

    @contextmanager
    def fail_once(statement: str) -> Iterator[None]:
        if not failures:
            failures.append(statement)
            raise ConnectionError("the connection broke mid-read")
        yield

    async with serving(database_url, database_pool_size=1) as (
        app,
        client,
    ):
        before = await pooled_connection_state(app)
        forget = prepared_reads.observe(app.state.engine.sync_engine, fail_once)
        try:
            response = await graphql_response(client, HEADLINE_QUERY)
        finally:
            forget()
        after = await pooled_connection_state(app)
        again = await graphql_response(client, HEADLINE_QUERY)

    assert failures
    # The resolver path answered instead, with the same data the next compiled read gives.
    assert response.headers[READ_PATH_HEADER] == "resolver"
    assert again.headers[READ_PATH_HEADER] == "compiled"
    assert response.json() == again.json()
    # Its state unknown, the connection was closed, and a new one opened in its place.
    assert after["backend_pid"] != before["backend_pid"]
    assert after["autocommit"] is False


async def test_a_keyed_compiled_read_needs_one_connection_at_a_time(
    postgres_only: None, database_url: str
):
    # One pooled connection and none beyond it: the key lookup's connection must be free
    # again before the compiled read borrows one, or the request waits out the pool timeout.
    async with serving(
        database_url, database_pool_size=1, database_max_overflow=0, database_pool_timeout=1
    ) as (app, client):
        key = await issue_key(app, "editor")
        response = await graphql_response(client, HEADLINE_QUERY, headers=bearer(key.secret))

    assert response.status_code == 200
    assert response.headers[READ_PATH_HEADER] == "compiled"
    assert response.json()["data"]["organization"]["name"]
