"""The same statement quoted by several outlets becomes one Statement with each outlet's quotes;
roles a text states are kept for people already known, and across new versions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import bearer, count_sql, graphql, issue_key

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


# The editor's key lookup, then one compiled statement for the whole answer (resolving field
# by field it would be six: the page and its count, quotes, paragraphs, articles, publishers).
WORDINGS_STATEMENTS = 2
OUTLETS = ["Valley Ledger", "Coastline Courier", "Northern Gazette", "Harbour Times"]


@pytest.fixture(autouse=True)
async def as_an_editor(fresh_database):
    """Ingesting is editors' work: every request here carries an editor's key."""
    issued = await issue_key(fresh_database.app, "editor")
    fresh_database.client.headers.update(bearer(issued.secret))


async def ingest(client: httpx.AsyncClient, source: str, url: str | None = None) -> None:
    fields = {"source": source, "publishedAt": "2024-02-07T18:00:00Z", "url": url}
    payload: dict[str, Any] = (await graphql(client, INGEST, {"input": fields}))["ingestArticle"]
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


async def test_an_outlet_updating_its_article_leaves_the_others_quote_in_place(fresh_database):
    await ingest(fresh_database.client, FIRST_OUTLET, "https://ledger.example/port")
    await ingest(fresh_database.client, SECOND_OUTLET, "https://courier.example/port")
    corrected = SECOND_OUTLET.replace("turned away from", "refused entry to")

    await ingest(fresh_database.client, corrected, "https://courier.example/port")

    statements = (await graphql(fresh_database.client, WORDINGS))["statements"]
    assert statements["totalCount"] == 1
    publishers = [
        q["paragraph"]["article"]["publisher"]["name"]
        for q in statements["edges"][0]["node"]["quotes"]
    ]
    assert publishers == ["Valley Ledger", "Coastline Courier"]


async def test_wording_variants_read_in_a_fixed_number_of_statements(fresh_database):
    for number, outlet in enumerate(OUTLETS):
        source = FIRST_OUTLET.replace("Valley Ledger", outlet).replace("Port", f"Port {number}", 1)
        await ingest(fresh_database.client, source)

    with count_sql(fresh_database.app) as recorded:
        statements = (await graphql(fresh_database.client, WORDINGS))["statements"]

    assert len(statements["edges"][0]["node"]["quotes"]) == len(OUTLETS)
    assert len(recorded.statements) == WORDINGS_STATEMENTS, recorded.statements


REOPENED = """Port reopens after repairs

PORTVALE (Valley Ledger) – The port reopened on Friday.

Mara Lind, head of the Portvale Harbour Authority, said the quay walls were safe.
"""
BOARD = """Port board meets on repairs

PORTVALE (Coastline Courier) – The port council met on Monday.

Mara Lind, chair of the Portvale Port Council, said the repairs had come in under budget.
"""
ROLES = """query Roles { person(name: "Mara Lind") {
  memberships { edges { node { role organization { name } } } } } }"""


async def roles(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    edges = (await graphql(client, ROLES))["person"]["memberships"]["edges"]
    return [(e["node"]["role"], e["node"]["organization"]["name"]) for e in edges]


async def test_a_new_version_of_an_article_keeps_the_roles_its_text_states(fresh_database):
    """A new version replaces what the old one stated; the person is known by then, and
    their role must still be read from the text, not lost with the old version's records."""
    await ingest(fresh_database.client, REOPENED, "https://ledger.example/reopen")
    before = await roles(fresh_database.client)

    corrected = REOPENED.replace("on Friday.", "on Friday morning.")
    await ingest(fresh_database.client, corrected, "https://ledger.example/reopen")

    assert before == [("head", "Portvale Harbour Authority")]
    assert await roles(fresh_database.client) == before


async def test_a_later_article_adds_a_role_of_someone_already_known(fresh_database):
    await ingest(fresh_database.client, REOPENED, "https://ledger.example/reopen")

    await ingest(fresh_database.client, BOARD, "https://courier.example/board")

    assert sorted(await roles(fresh_database.client)) == [
        ("chair", "Portvale Port Council"),
        ("head", "Portvale Harbour Authority"),
    ]
