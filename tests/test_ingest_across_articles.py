"""The same statement quoted by several outlets becomes one Statement with each outlet's quotes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import graphql

FIRST_OUTLET = """Port closes to cargo after storm damage

PORTVALE (Valley Ledger) – The port stopped taking cargo ships on Tuesday.

“All cargo operations are currently suspended while engineers inspect the damaged quay walls,” the Portvale Harbour Authority said on Tuesday.
"""
SECOND_OUTLET = """Storm shuts Portvale port to cargo

PORTVALE (Coastline Courier) – Cargo ships were turned away from Portvale on Tuesday.

“All cargo operations are temporarily suspended while engineers inspect the damaged quay walls,” the Portvale Harbour Authority said.
"""
UNRELATED = """Harbour authority opens new ferry pier

PORTVALE (Coastline Courier) – A pier for ferries opened on Tuesday.

“The new pier doubles the number of ferries we can berth at once,” the Portvale Harbour Authority said.
"""
INGEST = """mutation Ingest($input: IngestArticleInput!) {
  ingestArticle(input: $input) { errors { message } article { slug } } }"""
WORDINGS = """query Wordings { statements(filter: {speakerOrganization: "portvale-harbour-authority"}) {
  totalCount
  edges { node { quotes { text paragraph { article { publisher { name } } } } } }
} }"""


async def ingest(client: httpx.AsyncClient, source: str) -> None:
    payload: dict[str, Any] = (
        await graphql(
            client, INGEST, {"input": {"source": source, "publishedAt": "2024-02-07T18:00:00Z"}}
        )
    )["ingestArticle"]
    assert payload["errors"] == []


async def test_two_outlets_quoting_the_same_words_share_one_statement(fresh_database):
    await ingest(fresh_database.client, FIRST_OUTLET)

    await ingest(fresh_database.client, SECOND_OUTLET)

    statements = (await graphql(fresh_database.client, WORDINGS))["statements"]
    assert statements["totalCount"] == 1
    quotes = statements["edges"][0]["node"]["quotes"]
    assert [(q["paragraph"]["article"]["publisher"]["name"], q["text"][:40]) for q in quotes] == [
        ("Valley Ledger", "All cargo operations are currently suspe"),
        ("Coastline Courier", "All cargo operations are temporarily sus"),
    ]


async def test_other_words_from_the_same_speaker_are_another_statement(fresh_database):
    await ingest(fresh_database.client, FIRST_OUTLET)

    await ingest(fresh_database.client, UNRELATED)

    statements = (await graphql(fresh_database.client, WORDINGS))["statements"]
    assert statements["totalCount"] == 2
