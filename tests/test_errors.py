"""A failure inside a resolver reaches the client masked, and the server log in full."""

from __future__ import annotations

import logging

import pytest

from db.reads import Reader
from tests.support import graphql_response

ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""
SECRET = "connection to db-primary.internal:5432 as admin failed"


@pytest.fixture
def broken_id_lookups(monkeypatch):
    async def fail(self, model, ids):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(Reader, "by_ids", fail)


async def test_an_internal_error_is_masked_for_the_client(client, broken_id_lookups):
    response = await graphql_response(client, ARTICLE_WITH_PUBLISHER)

    body = response.json()
    assert response.status_code == 200
    (error,) = body["errors"]
    assert error["message"] == "Internal server error."
    assert error["path"] == ["article", "publisher"]
    assert "extensions" not in error
    assert SECRET not in response.text
    assert body["data"]["article"]["publisher"] is None
    assert body["data"]["article"]["headline"]  # the rest of the answer survives


async def test_an_internal_error_is_logged_with_its_details(client, broken_id_lookups, caplog):
    with caplog.at_level(logging.ERROR):
        await graphql_response(client, ARTICLE_WITH_PUBLISHER)

    assert any(
        SECRET in record.getMessage() or SECRET in str(record.exc_info) for record in caplog.records
    )
