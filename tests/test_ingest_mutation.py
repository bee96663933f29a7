"""The ingestArticle mutation: the article or typed errors, and nothing half-written."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import httpx
import pytest

from tests.support import bearer, graphql, issue_key
from tests.test_editing_races import just_before_the_first_write

SEED_TEXT = (files("newsgraph") / "seeds" / "000_05cbda2b39a8e2bf.txt").read_text(encoding="utf-8")
SEED_URL = "https://www.kurdistan24.net/en/news/e8c3eedc-7a22-4c21-bd40-8026ecbddcf8"
HTML_ARTICLE = """<html><head><meta property="og:site_name" content="Valley Ledger"></head><body>
<h1>Ferry fares frozen for winter</h1>
<p>PORTVALE (Valley Ledger) – The ferry company froze its fares on Monday.</p>
<p>&ldquo;Nobody should pay more to get to work in January,&rdquo; said Tomas Reyes.</p>
</body></html>"""

INGEST_ARTICLE = """mutation Ingest($input: IngestArticleInput!) { ingestArticle(input: $input) {
  status errors { field message code }
  article { slug headline publisher { slug } paragraphs { kind } statements { speaker { ... on Person { name } ... on Organization { name } } } }
} }"""
ARTICLE_COUNT = "query { articles { totalCount } }"


@pytest.fixture(autouse=True)
async def as_an_editor(fresh_database):
    """Ingesting and verifying are editors' work: every request here carries an editor's key."""
    issued = await issue_key(fresh_database.app, "editor")
    fresh_database.client.headers.update(bearer(issued.secret))


async def ingest(client: httpx.AsyncClient, **input_fields: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await graphql(client, INGEST_ARTICLE, {"input": input_fields}))[
        "ingestArticle"
    ]
    return payload


async def test_an_html_article_goes_in_and_comes_back(fresh_database):
    payload = await ingest(fresh_database.client, source=HTML_ARTICLE, format="HTML")

    assert payload["errors"] == []
    assert payload["status"] == "CREATED"
    article = payload["article"]
    assert article["slug"] == "ferry-fares-frozen-for-winter"
    assert article["publisher"] == {"slug": "valley-ledger"}
    assert article["statements"] == [{"speaker": {"name": "Tomas Reyes"}}]


async def test_the_seed_text_links_to_the_stored_seed_and_changes_nothing(fresh_database):
    # The seeded database already holds this article, entered by hand from the same text.
    payload = await ingest(
        fresh_database.client,
        source=SEED_TEXT,
        publisher="kurdistan-24",
        publishedAt="2020-01-05T12:00:00Z",
        url=SEED_URL,
    )

    assert payload["errors"] == []
    assert payload["status"] == "UPDATED"
    assert payload["article"]["slug"] == "us-led-coalition-suspends-anti-isis-operations"
    assert payload["article"]["publisher"] == {"slug": "kurdistan-24"}
    speakers = [s["speaker"]["name"] for s in payload["article"]["statements"]]
    assert speakers == ["Combined Joint Task Force-Operation Inherent Resolve", "NATO"]


async def test_ingesting_the_same_source_twice_reports_unchanged(fresh_database):
    await ingest(fresh_database.client, source=HTML_ARTICLE)

    payload = await ingest(fresh_database.client, source=HTML_ARTICLE)

    assert payload["status"] == "UNCHANGED"
    assert payload["article"]["slug"] == "ferry-fares-frozen-for-winter"


async def test_an_unreadable_source_is_a_typed_error_and_saves_nothing(fresh_database):
    before = await graphql(fresh_database.client, ARTICLE_COUNT)

    payload = await ingest(fresh_database.client, source="Only a headline", format="TEXT")

    assert payload["article"] is None
    assert payload["errors"] == [
        {
            "field": "source",
            "message": "no body: the source has a headline and nothing else",
            "code": "UNREADABLE",
        }
    ]
    assert await graphql(fresh_database.client, ARTICLE_COUNT) == before


async def test_bad_fields_are_each_reported(fresh_database):
    payload = await ingest(
        fresh_database.client,
        source=HTML_ARTICLE,
        publisher="Valley Ledger",
        publishedAt="2024-03-07T09:30:00",
        url="ledger.example/ferry",
    )

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("publisher", "INVALID"),
        ("publishedAt", "INVALID"),
        ("url", "INVALID"),
    ]


async def test_the_same_headline_at_another_url_is_another_article(fresh_database):
    first = await ingest(fresh_database.client, source=HTML_ARTICLE, url="https://ledger.example/a")

    second = await ingest(
        fresh_database.client, source=HTML_ARTICLE, url="https://ledger.example/b"
    )

    assert (first["status"], second["status"]) == ("CREATED", "CREATED")
    assert second["article"]["slug"] == "ferry-fares-frozen-for-winter-2"


async def test_a_new_headline_at_a_known_url_updates_that_article(fresh_database):
    await ingest(fresh_database.client, source=HTML_ARTICLE, url="https://ledger.example/a")
    retitled = HTML_ARTICLE.replace("Ferry fares frozen", "Ferry fares held")

    payload = await ingest(fresh_database.client, source=retitled, url="https://ledger.example/a")

    assert payload["status"] == "UPDATED"
    assert payload["article"]["slug"] == "ferry-fares-frozen-for-winter"
    assert payload["article"]["headline"] == "Ferry fares held for winter"


RACED_URL = "https://ledger.example/fares"


@pytest.mark.parametrize(
    ("rival_fields", "field", "taken"),
    [
        ({"url": RACED_URL}, "url", "another article with this URL"),
        ({}, "source", "another article with this headline's slug"),
    ],
    ids=["url", "slug"],
)
async def test_an_article_saved_by_a_rival_meanwhile_is_a_conflict_on_its_field(
    fresh_database, rival_fields, field, taken
):
    client = fresh_database.client
    # The outlet and the speaker are stored already: the article is the first row written.
    assert (await ingest(client, source=HTML_ARTICLE, format="HTML"))["errors"] == []
    before = (await graphql(client, ARTICLE_COUNT))["articles"]["totalCount"]
    rival_source = HTML_ARTICLE.replace("frozen for winter", "frozen until spring")
    late_source = HTML_ARTICLE.replace("frozen for winter", "frozen for the year")

    async def rival() -> None:
        source = rival_source if rival_fields else late_source
        payload = await ingest(client, source=source, format="HTML", **rival_fields)
        assert payload["errors"] == []

    with just_before_the_first_write(fresh_database.app, rival):
        payload = await ingest(client, source=late_source, format="HTML", url=RACED_URL)

    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (field, "CONFLICT")
    assert error["message"].startswith(f"{taken} was saved at the same time")
    assert payload["article"] is None
    assert (await graphql(client, ARTICLE_COUNT))["articles"]["totalCount"] == before + 1
