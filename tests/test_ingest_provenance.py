"""Provenance: extracted statements carry extractor and confidence; editors mark them verified."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import bearer, graphql, issue_key

ARTICLE = """Library to open on Sundays

MILLBROOK (Valley Ledger) – The town library will open on Sundays from March.

“Weekends are when families can come, so the doors will be open,” librarian Ada Brennan said.
"""
INGEST = """mutation Ingest($source: String!) { ingestArticle(input: {source: $source}) {
  errors { message } article { statements { id confidence verified } } } }"""
STATEMENTS_ABOVE = """query Above($min: Float!) {
  statements(filter: {quotedIn: "library-to-open-on-sundays", minConfidence: $min}) { totalCount } }"""
VERIFY = """mutation Verify($id: ID!, $verified: Boolean!) { statementVerify(id: $id, verified: $verified) {
  statement { id verified } errors { field code message } } }"""
ARTICLE_ID = 'query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { id } }'


@pytest.fixture(autouse=True)
async def as_an_editor(fresh_database):
    """Ingesting and verifying are editors' work: every request here carries an editor's key."""
    issued = await issue_key(fresh_database.app, "editor")
    fresh_database.client.headers.update(bearer(issued.secret))


async def ingested_statement(client: httpx.AsyncClient) -> dict[str, Any]:
    payload = (await graphql(client, INGEST, {"source": ARTICLE}))["ingestArticle"]
    assert payload["errors"] == []
    statement: dict[str, Any] = payload["article"]["statements"][0]
    return statement


async def verify(client: httpx.AsyncClient, id: str, verified: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = (await graphql(client, VERIFY, {"id": id, "verified": verified}))[
        "statementVerify"
    ]
    return payload


async def test_an_extracted_statement_has_a_confidence_and_is_unverified(fresh_database):
    statement = await ingested_statement(fresh_database.client)

    assert 0 < statement["confidence"] < 1
    assert statement["verified"] is False


async def test_min_confidence_filters_extracted_statements(fresh_database):
    statement = await ingested_statement(fresh_database.client)
    confidence = statement["confidence"]

    above = await graphql(fresh_database.client, STATEMENTS_ABOVE, {"min": confidence + 0.01})
    at = await graphql(fresh_database.client, STATEMENTS_ABOVE, {"min": confidence})

    assert (above["statements"]["totalCount"], at["statements"]["totalCount"]) == (0, 1)


async def test_an_editor_marks_a_statement_verified(fresh_database):
    statement = await ingested_statement(fresh_database.client)

    payload = await verify(fresh_database.client, statement["id"])

    assert payload == {"statement": {"id": statement["id"], "verified": True}, "errors": []}


async def test_the_mark_can_be_taken_back(fresh_database):
    statement = await ingested_statement(fresh_database.client)
    await verify(fresh_database.client, statement["id"])

    payload = await verify(fresh_database.client, statement["id"], verified=False)

    assert payload["statement"]["verified"] is False


async def test_an_id_of_another_type_is_a_typed_error(fresh_database):
    article_id = (await graphql(fresh_database.client, ARTICLE_ID))["article"]["id"]

    payload = await verify(fresh_database.client, article_id)

    assert payload["statement"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "INVALID")]


async def test_an_unknown_statement_is_not_found(fresh_database):
    payload = await verify(fresh_database.client, "U3RhdGVtZW50Ojk5OTk5")  # Statement:99999

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("id", "NOT_FOUND")]
