"""A failure inside a read reaches the client masked, and the server log in full."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from db import prepared_reads
from tests.support import graphql_response, serving

ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""
SECRET = "connection to db-primary.internal:5432 as admin failed"


@pytest.fixture(params=[True, False], ids=["compiled", "resolver"])
async def broken_organizations(request, database_url):
    """A client whose database fails every statement that reads organizations."""

    def fail_on_organizations(statement: str) -> None:
        if "organizations" in statement:
            raise RuntimeError(SECRET)

    def fail(connection, cursor, statement, parameters, context, executemany):
        fail_on_organizations(statement)

    @contextmanager
    def fail_prepared(statement: str) -> Iterator[None]:
        fail_on_organizations(statement)
        yield

    async with serving(database_url, compiled_reads=request.param) as (app, client):
        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", fail)
        # Compiled reads on PostgreSQL run on the driver's connection, past engine events.
        prepared_reads.observe(engine, fail_prepared)
        yield client


async def test_an_internal_error_is_masked_for_the_client(broken_organizations):
    response = await graphql_response(broken_organizations, ARTICLE_WITH_PUBLISHER)

    body = response.json()
    assert response.status_code == 200
    (error,) = body["errors"]
    assert error["message"] == "Internal server error."
    assert error["path"] == ["article", "publisher"]
    assert "extensions" not in error
    assert SECRET not in response.text
    assert body["data"]["article"]["publisher"] is None
    assert body["data"]["article"]["headline"]  # the rest of the answer survives


async def test_an_internal_error_is_logged_with_its_details(broken_organizations, caplog):
    with caplog.at_level(logging.ERROR):
        await graphql_response(broken_organizations, ARTICLE_WITH_PUBLISHER)

    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert SECRET in logged
