"""Compiled reads on PostgreSQL run prepared and in autocommit on connections kept for them,
beside the pool, which other queries find as they expect it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, literal, select
from starlette.applications import Starlette

from api.graphiql import HEADLINE_QUERY
from api.view import READ_PATH_HEADER
from db import prepared_reads
from db.engine import create_app_engine
from tests.support import bearer, graphql, graphql_response, issue_key, serving, settings_for


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite runs compiled reads through the Session: nothing is prepared")


def read_connections(app: Starlette) -> prepared_reads.ReadConnections:
    connections: prepared_reads.ReadConnections = app.state.read_connections[
        app.state.engine.sync_engine
    ]
    return connections


async def state_of(connection: Any) -> dict[str, Any]:
    cursor = await connection.execute("SELECT count(*) FROM pg_prepared_statements")
    row = await cursor.fetchone()
    return {
        "autocommit": connection.autocommit,
        "backend_pid": connection.info.backend_pid,
        "prepared_statements": row[0],
    }


async def pooled_connection_state(app: Starlette) -> dict[str, Any]:
    """What the app's one pooled connection looks like between requests."""
    async with app.state.engine.connect() as connection:
        pooled = await connection.get_raw_connection()
        return await state_of(pooled.driver_connection)


async def test_compiled_reads_reuse_one_connection_and_its_plan(
    postgres_only: None, database_url: str
):
    async with serving(database_url, database_pool_size=1, database_read_connections=1) as (
        app,
        client,
    ):
        pooled_before = await pooled_connection_state(app)
        for _ in range(3):
            response = await graphql_response(client, HEADLINE_QUERY)
            assert response.headers[READ_PATH_HEADER] == "compiled"
            assert response.json()["data"]["organization"]["name"]
        [connection] = read_connections(app).idle_connections()
        reader = await state_of(connection)
        pooled_after = await pooled_connection_state(app)

    # One connection answered all three, in autocommit, with the plan it prepared once.
    assert reader["autocommit"] is True
    assert reader["prepared_statements"] >= 1
    # The pool's connection is another, untouched: still opening transactions for writes.
    assert reader["backend_pid"] != pooled_after["backend_pid"]
    assert pooled_after == pooled_before
    assert pooled_after["autocommit"] is False


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

    async with serving(database_url, database_read_connections=1) as (app, client):
        await graphql_response(client, HEADLINE_QUERY)
        [before] = read_connections(app).idle_connections()
        forget = prepared_reads.observe(app.state.engine.sync_engine, fail_once)
        try:
            response = await graphql_response(client, HEADLINE_QUERY)
        finally:
            forget()
        discarded = read_connections(app).idle_connections()
        again = await graphql_response(client, HEADLINE_QUERY)
        [after] = read_connections(app).idle_connections()

    assert failures
    # The resolver path answered instead, with the same data the next compiled read gives.
    assert response.headers[READ_PATH_HEADER] == "resolver"
    assert again.headers[READ_PATH_HEADER] == "compiled"
    assert response.json() == again.json()
    # Its state unknown, the connection was closed, and a new one opened in its place.
    assert discarded == [] and before.closed
    assert after is not before


async def test_a_keyed_compiled_read_needs_one_pooled_connection(
    postgres_only: None, database_url: str
):
    # One pooled connection and none beyond it: the key lookup's connection is back in the
    # pool before the compiled read, which runs on a connection of its own.
    async with serving(
        database_url,
        database_pool_size=1,
        database_max_overflow=0,
        database_pool_timeout=1,
        database_read_connections=1,
    ) as (app, client):
        key = await issue_key(app, "editor")
        response = await graphql_response(client, HEADLINE_QUERY, headers=bearer(key.secret))
        checked_out = app.state.engine.sync_engine.pool.checkedout()

    assert response.status_code == 200
    assert response.headers[READ_PATH_HEADER] == "compiled"
    assert response.json()["data"]["organization"]["name"]
    assert checked_out == 0


async def test_reads_waiting_for_a_busy_connection_are_answered(
    postgres_only: None, database_url: str
):
    """More concurrent reads than connections: the others wait their turn, none fails."""
    async with serving(database_url, database_read_connections=1) as (app, client):
        answers = await asyncio.gather(*(graphql(client, HEADLINE_QUERY) for _ in range(6)))
        opened = len(read_connections(app).idle_connections())

    assert all(answer == answers[0] for answer in answers)
    assert opened == 1


async def test_read_connections_stop_a_statement_at_the_statement_timeout(
    postgres_only: None, database_url: str
):
    engine = create_app_engine(settings_for(database_url))
    connections = prepared_reads.ReadConnections(
        engine.sync_engine,
        1,
        timeout=1,
        connect_timeout=3,
        session_settings={"statement_timeout": 50},
    )
    slow = prepared_reads.PreparedSelect.of(select(func.pg_sleep(1)))
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            await connections.run([slow], {})
        # The connection that timed out was closed; the next read gets a fresh one.
        assert connections.idle_connections() == []
        [rows] = await connections.run([prepared_reads.PreparedSelect.of(select(literal(1)))], {})
        assert [tuple(row) for row in rows] == [(1,)]
    finally:
        await connections.close()
        await engine.dispose()


async def shown(connection: Any, name: str) -> str:
    cursor = await connection.execute(f"SHOW {name}")
    row = await cursor.fetchone()
    return str(row[0])


@pytest.mark.parametrize(
    ("overrides", "workers"), [({}, "0"), ({"database_parallel_workers": 2}, "2")]
)
async def test_every_connection_of_the_app_sets_its_parallel_workers_and_timeout(
    postgres_only: None, database_url: str, overrides: dict[str, Any], workers: str
):
    async with serving(database_url, statement_timeout_ms=4_000, **overrides) as (app, client):
        response = await graphql_response(client, HEADLINE_QUERY)
        assert response.headers[READ_PATH_HEADER] == "compiled"
        [reader] = read_connections(app).idle_connections()
        async with app.state.engine.connect() as connection:
            pooled = (await connection.get_raw_connection()).driver_connection
            settings = [
                (
                    await shown(each, "max_parallel_workers_per_gather"),
                    await shown(each, "statement_timeout"),
                )
                for each in (reader, pooled)
            ]

    # One query per core by default: parallel workers cost more than they save under load.
    assert settings == [(workers, "4s"), (workers, "4s")]
