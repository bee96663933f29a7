"""A membership is supported by every article that states it: it lasts while one does, and
shows to whoever may read one of them (or to everyone, when an editor entered it)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import bearer, graphql, issue_key

LEDGER = """Port reopens after repairs

PORTVALE (Valley Ledger) – The port reopened on Friday.

Mara Lind, head of the Portvale Harbour Authority, said the quay walls were safe.
"""
COURIER = """Quay walls pass inspection

PORTVALE (Coastline Courier) – Inspectors signed off the quay walls on Thursday.

Mara Lind, head of the Portvale Harbour Authority, said ships could dock again.
"""
LEDGER_URL = "https://ledger.example/reopen"
COURIER_URL = "https://courier.example/quay"
# The Ledger's new version no longer names her role.
LEDGER_WITHOUT_ROLE = LEDGER.replace(", head of the Portvale Harbour Authority,", "")

INGEST = """mutation Ingest($input: IngestArticleInput!) {
  ingestArticle(input: $input) { errors { message } article { id } } }"""
MEMBERSHIPS = """query Memberships { person(slug: "mara-lind") {
  memberships { edges { node { role source { url } sources { url } } } } } }"""
UNPUBLISH = """mutation($id: ID!) { articleUnpublish(id: $id) { errors { code } } }"""
DELETE_ARTICLE = """mutation($id: ID!) { articleDelete(id: $id) { errors { code } } }"""
UPDATE_ARTICLE = """
mutation($id: ID!, $input: ArticleUpdateInput!) { articleUpdate(id: $id, input: $input) { errors { code } } }
"""
PERSON_ID = """query { person(slug: "mara-lind") { id } }"""
ORGANIZATION_ID = """query { organization(slug: "portvale-harbour-authority") { id } }"""
CREATE_MEMBERSHIP = """mutation($input: MembershipCreateInput!) {
  membershipCreate(input: $input) { membership { id } errors { code } } }"""


@pytest.fixture
async def editor(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "editor", "Desk")).secret)


@pytest.fixture
async def partner(fresh_database) -> dict[str, str]:
    return bearer((await issue_key(fresh_database.app, "partner", "Outlet")).secret)


async def ingest(client: httpx.AsyncClient, editor: dict[str, str], source: str, url: str) -> str:
    fields = {"source": source, "publishedAt": "2024-02-07T18:00:00Z", "url": url}
    data = await graphql(client, INGEST, {"input": fields}, headers=editor)
    payload: dict[str, Any] = data["ingestArticle"]
    assert payload["errors"] == []
    return str(payload["article"]["id"])


async def ok(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], editor: dict[str, str]
) -> None:
    data = await graphql(client, query, variables, headers=editor)
    assert all(value["errors"] == [] for value in data.values()), data


async def memberships(
    client: httpx.AsyncClient, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    person = (await graphql(client, MEMBERSHIPS, headers=headers))["person"]
    return [] if person is None else [edge["node"] for edge in person["memberships"]["edges"]]


def stated_by(*urls: str) -> dict[str, Any]:
    """The one membership the texts state, with the articles stating it."""
    return {
        "role": "head",
        "source": {"url": urls[0]} if urls else None,
        "sources": [{"url": url} for url in urls],
    }


async def test_two_articles_stating_a_membership_share_one_with_two_sources(fresh_database, editor):
    client = fresh_database.client
    await ingest(client, editor, LEDGER, LEDGER_URL)

    await ingest(client, editor, COURIER, COURIER_URL)

    assert await memberships(client) == [stated_by(LEDGER_URL, COURIER_URL)]


async def test_a_new_version_without_the_membership_leaves_the_other_articles(
    fresh_database, editor
):
    client = fresh_database.client
    await ingest(client, editor, LEDGER, LEDGER_URL)
    await ingest(client, editor, COURIER, COURIER_URL)

    await ingest(client, editor, LEDGER_WITHOUT_ROLE, LEDGER_URL)

    assert await memberships(client) == [stated_by(COURIER_URL)]


async def test_deleting_one_stating_article_leaves_the_other(fresh_database, editor):
    client = fresh_database.client
    ledger = await ingest(client, editor, LEDGER, LEDGER_URL)
    await ingest(client, editor, COURIER, COURIER_URL)

    await ok(client, DELETE_ARTICLE, {"id": ledger}, editor)

    assert await memberships(client) == [stated_by(COURIER_URL)]


async def test_deleting_the_only_stating_article_deletes_the_membership(fresh_database, editor):
    client = fresh_database.client
    ledger = await ingest(client, editor, LEDGER, LEDGER_URL)
    await ingest(client, editor, COURIER.replace("Mara Lind", "Ines Moor"), COURIER_URL)

    await ok(client, DELETE_ARTICLE, {"id": ledger}, editor)

    # Not turned into an editor's fact that everyone sees: gone, for editors too.
    assert await memberships(client) == []
    assert await memberships(client, editor) == []


async def test_a_new_version_without_the_only_statement_deletes_the_membership(
    fresh_database, editor
):
    client = fresh_database.client
    await ingest(client, editor, LEDGER, LEDGER_URL)

    await ingest(client, editor, LEDGER_WITHOUT_ROLE, LEDGER_URL)

    assert await memberships(client, editor) == []


async def test_a_published_article_shows_what_a_withdrawn_one_also_states(fresh_database, editor):
    client = fresh_database.client
    ledger = await ingest(client, editor, LEDGER, LEDGER_URL)
    courier = await ingest(client, editor, COURIER, COURIER_URL)

    await ok(client, UNPUBLISH, {"id": ledger}, editor)

    # The public sees it through the Courier, and only the Courier as its source.
    assert await memberships(client) == [stated_by(COURIER_URL)]
    await ok(client, UNPUBLISH, {"id": courier}, editor)
    assert await memberships(client) == []
    assert await memberships(client, editor) == [stated_by(LEDGER_URL, COURIER_URL)]


async def test_partners_see_a_membership_through_an_article_they_may_republish(
    fresh_database, editor, partner
):
    client = fresh_database.client
    await ingest(client, editor, LEDGER, LEDGER_URL)
    courier = await ingest(client, editor, COURIER, COURIER_URL)
    assert await memberships(client, partner) == []

    await ok(
        client, UPDATE_ARTICLE, {"id": courier, "input": {"partnersMayRepublish": True}}, editor
    )

    # Both articles are published, so both are its sources; one is enough to show it.
    assert await memberships(client, partner) == [stated_by(LEDGER_URL, COURIER_URL)]


async def test_an_editors_membership_outlives_the_articles_that_state_it(fresh_database, editor):
    client = fresh_database.client
    ledger = await ingest(client, editor, LEDGER.replace("head of", "chair of"), LEDGER_URL)
    person = (await graphql(client, PERSON_ID))["person"]["id"]
    organization = (await graphql(client, ORGANIZATION_ID))["organization"]["id"]
    created = {"personId": person, "organizationId": organization, "role": "head"}
    await ok(client, CREATE_MEMBERSHIP, {"input": created}, editor)
    # An article that states the editor's fact becomes a source of it.
    await ingest(client, editor, COURIER, COURIER_URL)
    assert stated_by(COURIER_URL) in await memberships(client)

    await ok(client, DELETE_ARTICLE, {"id": ledger}, editor)
    await ingest(
        client, editor, COURIER.replace("Mara Lind, head", "Mara Lind, chair"), COURIER_URL
    )

    assert await memberships(client) == [
        {"role": "head", "source": None, "sources": []},
        stated_by(COURIER_URL) | {"role": "chair"},
    ]
