"""Feeds per publisher, organization, person and topic, and ninjs articles, over plain HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import httpx
import jsonschema
import pytest
from sqlalchemy import select, update

from db import models as m
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG
from tests.support import count_sql
from tests.syndication_support import add_articles, feeds_app, set_article

SCHEMAS = Path(__file__).parent / "schemas"
JSON_FEED_SCHEMA = json.loads((SCHEMAS / "json-feed-1.1.schema.json").read_text())
NINJS_SCHEMA = json.loads((SCHEMAS / "ninjs-2.1.schema.json").read_text())

COALITION_ATOM = "/feeds/organizations/cjtf-oir.atom"
PUBLISHER_RSS = "/feeds/publishers/kurdistan-24.rss"
TOPIC_JSON_FEED = "/feeds/topics/legislature.json"
PERSON_NINJS = "/feeds/persons/qasim-soleimani.ninjs.json"
SEED_NINJS = f"/articles/{SEED_ARTICLE_SLUG}.ninjs.json"
SEED_HEADLINE = "US-led Coalition suspends anti-ISIS operations"


def validate(document: object, schema: dict[str, object]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(error.message for error in errors)


def entry_titles(body: bytes) -> list[str]:
    return [entry.title for entry in feedparser.parse(body).entries]


async def follow_pages(client: httpx.AsyncClient, path: str) -> list[list[str]]:
    """Every page's entry titles, following rel=next links from `path` to the end."""
    pages = []
    url: str | None = path
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        parsed = feedparser.parse(response.content)
        pages.append([entry.title for entry in parsed.entries])
        url = next((link.href for link in parsed.feed.links if link.rel == "next"), None)
        assert len(pages) < 20, "the next links never end"
    return pages


# -- formats -------------------------------------------------------------------------------


async def test_atom_feed_parses_cleanly_with_the_article_and_its_text(client):
    response = await client.get(COALITION_ATOM)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.feed.title.startswith("Articles mentioning Combined Joint Task Force")
    [entry] = parsed.entries
    assert entry.title == SEED_HEADLINE
    assert entry.published_parsed[:3] == (2020, 1, 5)
    assert "We are now fully committed" in entry.content[0].value
    assert entry.content[0].type == "text/html"
    assert entry.author == "Karzan Sulaivany"


async def test_rss_feed_parses_cleanly_as_rss_2(client):
    response = await client.get(PUBLISHER_RSS)

    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Articles published by Kurdistan 24"
    # The two "Read More" articles have no publication time: a dated feed leaves them out.
    [entry] = parsed.entries
    assert entry.title == SEED_HEADLINE
    assert entry.link.startswith("https://www.kurdistan24.net/")
    assert "WASHINGTON DC" in entry.content[0].value


async def test_json_feed_validates_against_the_json_feed_schema(client):
    response = await client.get(TOPIC_JSON_FEED)

    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = response.json()
    validate(document, JSON_FEED_SCHEMA)
    assert [item["title"] for item in document["items"]] == [SEED_HEADLINE]


async def test_ninjs_feed_is_a_composite_of_valid_ninjs_articles(client):
    document = (await client.get(PERSON_NINJS)).json()

    validate(document, NINJS_SCHEMA)
    assert document["type"] == "composite"
    [article] = document["associations"]
    assert article["headlines"][0]["value"] == SEED_HEADLINE
    assert {"name": "Qasim Soleimani", "rel": "mentioned", "literal": "qasim-soleimani"} in (
        article["people"]
    )


async def test_ninjs_article_validates_and_carries_the_full_text(client):
    response = await client.get(SEED_NINJS)

    document = response.json()
    validate(document, NINJS_SCHEMA)
    assert document["uri"] == f"http://newsgraph.test{SEED_NINJS}"
    assert document["representationtype"] == "full"
    assert document["contentcreated"] == "2020-01-05T12:00:00Z"
    [body] = document["bodies"]
    assert body["value"].startswith("<p>“We are now fully committed")


def test_the_schemas_reject_what_the_formats_forbid():
    # The schemas must be able to fail: an item without content, a ninjs field that isn't one.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1"}]},
            JSON_FEED_SCHEMA,
        )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"uri": "urn:x", "headline": "1.x style"}, NINJS_SCHEMA)


async def test_the_same_article_has_the_same_id_in_every_format(client):
    atom_id = feedparser.parse((await client.get(COALITION_ATOM)).content).entries[0].id
    rss_id = feedparser.parse((await client.get(PUBLISHER_RSS)).content).entries[0].id
    json_id = (await client.get(TOPIC_JSON_FEED)).json()["items"][0]["id"]
    ninjs_id = (await client.get(SEED_NINJS)).json()["uri"]

    assert atom_id == rss_id == json_id == ninjs_id


# -- paths that name nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/feeds/organizations/no-such-organization.atom", 404, "UNKNOWN_SUBJECT"),
        ("/feeds/topics/weather.atom", 404, "UNKNOWN_SUBJECT"),
        ("/feeds/planets/mars.atom", 404, "UNKNOWN_FEED"),
        ("/feeds/organizations/cjtf-oir.html", 404, "UNKNOWN_FORMAT"),
        ("/feeds/organizations/cjtf-oir", 404, "UNKNOWN_FORMAT"),
        ("/articles/no-such-article.ninjs.json", 404, "UNKNOWN_ARTICLE"),
        (f"/articles/{SEED_ARTICLE_SLUG}.xml", 404, "UNKNOWN_FORMAT"),
        (f"{COALITION_ATOM}?after=not-a-cursor", 400, "BAD_CURSOR"),
    ],
)
async def test_bad_paths_get_a_problem_document(client, path, status, code):
    response = await client.get(path)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


# -- conditional requests ------------------------------------------------------------------


async def test_if_none_match_with_the_current_etag_is_answered_304(client):
    first = await client.get(COALITION_ATOM)

    again = await client.get(COALITION_ATOM, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_if_none_match_with_another_etag_gets_the_feed(client):
    response = await client.get(COALITION_ATOM, headers={"If-None-Match": '"something-else"'})

    assert response.status_code == 200
    assert entry_titles(response.content) == [SEED_HEADLINE]


async def test_each_format_has_its_own_etag(client):
    atom = await client.get("/feeds/organizations/cjtf-oir.atom")
    rss = await client.get("/feeds/organizations/cjtf-oir.rss")

    assert atom.headers["etag"] != rss.headers["etag"]


async def test_if_modified_since_last_modified_is_answered_304(client):
    first = await client.get(SEED_NINJS)

    again = await client.get(
        SEED_NINJS, headers={"If-Modified-Since": first.headers["last-modified"]}
    )

    assert again.status_code == 304


async def test_if_modified_since_an_earlier_date_gets_the_document(client):
    response = await client.get(
        SEED_NINJS, headers={"If-Modified-Since": "Sun, 05 Jan 2020 12:00:00 GMT"}
    )

    assert response.status_code == 200


async def test_if_none_match_wins_over_if_modified_since(client):
    first = await client.get(COALITION_ATOM)

    response = await client.get(
        COALITION_ATOM,
        headers={"If-None-Match": '"stale"', "If-Modified-Since": first.headers["last-modified"]},
    )

    assert response.status_code == 200


async def test_a_withdrawal_makes_the_old_validators_stale(fresh_database):
    app, client = fresh_database.app, fresh_database.client
    await add_articles(app, 1)
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        # Every row last changed long ago, so the withdrawal is a later second.
        for model in (m.Article, m.Organization):
            await session.execute(update(model).values(updated_at=datetime(2020, 2, 1, tzinfo=UTC)))
    before = await client.get(COALITION_ATOM)

    await set_article(app, "coalition-day-1", status=m.PublicationStatus.WITHDRAWN)

    by_tag = await client.get(COALITION_ATOM, headers={"If-None-Match": before.headers["etag"]})
    by_date = await client.get(
        COALITION_ATOM, headers={"If-Modified-Since": before.headers["last-modified"]}
    )
    assert before.headers["last-modified"] == "Sat, 01 Feb 2020 00:00:00 GMT"
    assert by_tag.status_code == 200
    assert entry_titles(by_tag.content) == [SEED_HEADLINE]
    # The withdrawn article left the feed, but its updated_at still counts.
    assert by_date.status_code == 200
    assert by_date.headers["last-modified"] != before.headers["last-modified"]


# -- paging --------------------------------------------------------------------------------


async def test_pages_follow_next_links_newest_first_without_gaps_or_repeats(fresh_database):
    newest_first = await add_articles(fresh_database.app, 5)
    async with feeds_app(fresh_database.url, feed_page_size=2) as (_, client):
        pages = await follow_pages(client, COALITION_ATOM)

    assert [len(page) for page in pages] == [2, 2, 2]
    assert [title for page in pages for title in page] == [
        *(f"Headline {slug}" for slug in newest_first),
        SEED_HEADLINE,
    ]


async def test_an_exactly_full_last_page_has_no_next_link(fresh_database):
    await add_articles(fresh_database.app, 3)
    async with feeds_app(fresh_database.url, feed_page_size=2) as (_, client):
        pages = await follow_pages(client, "/feeds/publishers/kurdistan-24.rss")

    assert [len(page) for page in pages] == [2, 2]


async def test_json_feed_pages_through_next_url(fresh_database):
    await add_articles(fresh_database.app, 2)
    async with feeds_app(fresh_database.url, feed_page_size=2) as (_, client):
        first = (await client.get("/feeds/organizations/cjtf-oir.json")).json()
        second = (await client.get(first["next_url"])).json()

    validate(second, JSON_FEED_SCHEMA)
    assert [item["title"] for item in second["items"]] == [SEED_HEADLINE]
    assert "next_url" not in second


async def test_link_header_carries_the_paging_links(fresh_database):
    await add_articles(fresh_database.app, 2)
    async with feeds_app(fresh_database.url, feed_page_size=2) as (_, client):
        response = await client.get("/feeds/organizations/cjtf-oir.ninjs.json")

    assert set(response.links) == {"self", "first", "next"}


async def test_a_page_of_any_size_costs_the_same_statements(fresh_database):
    await add_articles(fresh_database.app, 6)
    app = fresh_database.app
    with count_sql(app) as one_article:
        await fresh_database.client.get("/feeds/persons/qasim-soleimani.atom")
    with count_sql(app) as seven_articles:
        await fresh_database.client.get(COALITION_ATOM)

    coalition = await fresh_database.client.get(COALITION_ATOM)
    assert len(feedparser.parse(coalition.content).entries) == 7
    # subject, page, paragraphs, publishers, credits, mentioned persons and organizations,
    # last modified
    assert one_article.count == seven_articles.count == 8, str(seven_articles)


async def test_public_url_setting_sets_the_address_in_links_and_ids(fresh_database):
    async with feeds_app(fresh_database.url, public_url="https://news.example/") as (_, client):
        parsed = feedparser.parse((await client.get(COALITION_ATOM)).content)

    assert parsed.feed.id == f"https://news.example{COALITION_ATOM}"
    assert parsed.entries[0].id == f"https://news.example{SEED_NINJS}"


# -- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [m.PublicationStatus.DRAFT, m.PublicationStatus.WITHDRAWN])
async def test_unpublished_articles_are_in_no_feed_and_have_no_ninjs(fresh_database, status):
    await add_articles(fresh_database.app, 1)
    await set_article(fresh_database.app, "coalition-day-1", status=status)

    client = fresh_database.client
    assert entry_titles((await client.get(COALITION_ATOM)).content) == [SEED_HEADLINE]
    assert (await client.get("/articles/coalition-day-1.ninjs.json")).status_code == 404


async def test_an_embargoed_article_appears_when_the_embargo_lifts(fresh_database):
    await add_articles(fresh_database.app, 1)
    lifts = datetime(2030, 1, 1, tzinfo=UTC)
    await set_article(
        fresh_database.app,
        "coalition-day-1",
        status=m.PublicationStatus.EMBARGOED,
        embargoed_until=lifts,
    )

    async with feeds_app(fresh_database.url, now=lifts - timedelta(seconds=1)) as (_, client):
        before = await client.get(COALITION_ATOM)
    async with feeds_app(fresh_database.url, now=lifts) as (_, client):
        after = await client.get(COALITION_ATOM, headers={"If-None-Match": before.headers["etag"]})

    assert entry_titles(before.content) == [SEED_HEADLINE]
    assert after.status_code == 200
    assert entry_titles(after.content) == ["Headline coalition-day-1", SEED_HEADLINE]
    # The embargo's end is when the feed changed, though the row did not.
    assert after.headers["last-modified"] == format_datetime(lifts, usegmt=True)


async def test_feed_reads_leave_the_database_as_it_was(fresh_database):
    sessions = session_factory(fresh_database.app.state.engine)
    async with sessions() as session:
        before = (await session.scalars(select(m.Article.updated_at).order_by(m.Article.id))).all()

    await fresh_database.client.get(COALITION_ATOM)

    async with sessions() as session:
        after = (await session.scalars(select(m.Article.updated_at).order_by(m.Article.id))).all()
    assert before == after


async def test_an_empty_feed_keeps_its_etag(client):
    first = await client.get("/feeds/topics/court.atom")

    again = await client.get(
        "/feeds/topics/court.atom", headers={"If-None-Match": first.headers["etag"]}
    )

    assert feedparser.parse(first.content).entries == []
    assert again.status_code == 304
