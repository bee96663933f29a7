"""The change feed: every publication, correction and withdrawal since a cursor, for mirrors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from db import models as m
from db.changes import UnknownArticle, record_change
from db.documents import save_article_document
from db.engine import session_factory, unit_of_work
from db.keys import revoke_key
from db.seed import SEED_ARTICLE_SLUG, seed_document
from tests.support import bearer, count_sql, issue_key
from tests.syndication_support import extra_article, feeds_app, set_article

CHANGES = "/changes"
ARTICLE_SLUGS = """
query VisibleArticles { articles(first: 100) { edges { node { slug publishedAt } } } }
"""


def later(minutes: float = 1) -> datetime:
    """A moment safely after every change the test has recorded so far."""
    return datetime.now(UTC) + timedelta(minutes=minutes)


@asynccontextmanager
async def partner_feed(url: str, **options: Any) -> AsyncIterator[tuple[Any, Any]]:
    """`feeds_app`, with a client that reads as a partner: the change feed is for partners."""
    async with feeds_app(url, **options) as (app, client):
        client.headers.update(bearer((await issue_key(app, "partner")).secret))
        yield app, client


async def record(app, slug: str, kind: m.ChangeKind, at: datetime | None = None) -> None:
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        article_id = await session.scalar(select(m.Article.id).where(m.Article.slug == slug))
        assert article_id is not None
        await record_change(session, article_id, kind, at=at)


async def save(app, slug: str) -> None:
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        await save_article_document(session, extra_article(slug, datetime(2020, 2, 1, tzinfo=UTC)))


async def read_all(client, url: str = CHANGES) -> tuple[list[dict[str, Any]], str]:
    """Every entry from `url` on, following `next` while there is more; and the last `next`."""
    entries: list[dict[str, Any]] = []
    while True:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        entries.extend(body["changes"])
        url = body["next"]
        if not body["has_more"]:
            return entries, url


def kinds_by_slug(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(entry["article"]["slug"], entry["kind"]) for entry in entries]


async def test_a_saved_document_is_a_publication_in_the_change_feed(fresh_database):
    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        entries, _ = await read_all(client)

    assert kinds_by_slug(entries) == [(SEED_ARTICLE_SLUG, "published")]
    [entry] = entries
    assert (
        entry["article"]["uri"] == f"http://newsgraph.test/articles/{SEED_ARTICLE_SLUG}.ninjs.json"
    )
    assert entry["article"]["id"]


async def test_saving_the_same_document_again_records_nothing(fresh_database):
    sessions = session_factory(fresh_database.app.state.engine)
    async with unit_of_work(sessions) as session:
        await save_article_document(session, seed_document())

    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        entries, _ = await read_all(client)
    assert len(entries) == 1


async def test_entries_younger_than_the_settle_time_wait(fresh_database):
    await save(fresh_database.app, "fresh-news")

    async with partner_feed(fresh_database.url, now=datetime.now(UTC)) as (_, client):
        entries, _ = await read_all(client)
    async with partner_feed(
        fresh_database.url, now=datetime.now(UTC), change_feed_settle_seconds=0
    ) as (_, client):
        unsettled, _ = await read_all(client)

    assert "fresh-news" not in [slug for slug, _ in kinds_by_slug(entries)]
    assert "fresh-news" in [slug for slug, _ in kinds_by_slug(unsettled)]


async def test_polling_next_returns_only_what_happened_since(fresh_database):
    app = fresh_database.app
    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        _, next_url = await read_all(client)
        nothing_new, same_url = await read_all(client, next_url)
    await save(app, "second-story")
    await record(app, SEED_ARTICLE_SLUG, m.ChangeKind.CORRECTED)
    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        since, _ = await read_all(client, next_url)

    assert nothing_new == []
    assert same_url == next_url
    assert kinds_by_slug(since) == [
        ("second-story", "published"),
        (SEED_ARTICLE_SLUG, "corrected"),
    ]


async def test_limit_pages_the_feed_in_order(fresh_database):
    for slug in ("story-a", "story-b", "story-c"):
        await save(fresh_database.app, slug)

    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        entries, _ = await read_all(client, f"{CHANGES}?limit=1")

    assert [slug for slug, _ in kinds_by_slug(entries)] == [
        SEED_ARTICLE_SLUG,
        "story-a",
        "story-b",
        "story-c",
    ]


async def test_an_embargoed_publication_waits_for_the_embargo_and_is_not_skipped(fresh_database):
    app = fresh_database.app
    lifts = later(60)
    await save(app, "embargoed-story")
    await set_article(
        app, "embargoed-story", status=m.PublicationStatus.EMBARGOED, embargoed_until=lifts
    )
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        # Its publication, recorded while under embargo, replaces the save's.
        await session.execute(
            delete(m.ArticleChange).where(m.ArticleChange.article_slug == "embargoed-story")
        )
    await record(app, "embargoed-story", m.ChangeKind.PUBLISHED)
    await save(app, "open-story")

    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        before, cursor_url = await read_all(client)
    async with partner_feed(fresh_database.url, now=lifts + timedelta(minutes=1)) as (_, client):
        after, _ = await read_all(client, cursor_url)

    # The partner read past open-story, recorded after it, and still gets it.
    assert [slug for slug, _ in kinds_by_slug(before)] == [SEED_ARTICLE_SLUG, "open-story"]
    assert kinds_by_slug(after) == [("embargoed-story", "published")]


async def test_a_deleted_article_stays_in_the_feed_by_slug(fresh_database):
    app = fresh_database.app
    await record(app, SEED_ARTICLE_SLUG, m.ChangeKind.DELETED)
    sessions = session_factory(app.state.engine)
    async with unit_of_work(sessions) as session:
        await session.execute(delete(m.Article).where(m.Article.slug == SEED_ARTICLE_SLUG))

    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        entries, _ = await read_all(client)

    assert kinds_by_slug(entries) == [
        (SEED_ARTICLE_SLUG, "published"),
        (SEED_ARTICLE_SLUG, "deleted"),
    ]
    assert "id" not in entries[-1]["article"]


async def test_replaying_the_feed_mirrors_exactly_the_published_articles(fresh_database):
    app = fresh_database.app
    for slug in ("story-a", "story-b", "story-c"):
        await save(app, slug)
    # Logged before the status changes, as the editor mutations do: it was public then.
    await record(app, "story-b", m.ChangeKind.WITHDRAWN)
    await set_article(app, "story-b", status=m.PublicationStatus.WITHDRAWN)
    await record(app, "story-a", m.ChangeKind.CORRECTED)

    async with partner_feed(fresh_database.url, now=later()) as (_, client):
        entries, _ = await read_all(client)
        mirror: set[str] = set()
        for slug, kind in kinds_by_slug(entries):
            if kind in ("published", "corrected"):
                mirror.add(slug)
            else:
                mirror.discard(slug)
        response = await client.post("/graphql", json={"query": ARTICLE_SLUGS})
    published = {
        edge["node"]["slug"]
        for edge in response.json()["data"]["articles"]["edges"]
        if edge["node"]["publishedAt"] is not None  # headline-only articles are not syndicated
    }

    assert mirror == published == {SEED_ARTICLE_SLUG, "story-a", "story-c"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("after=garbage", "BAD_CURSOR"),
        ("limit=0", "BAD_LIMIT"),
        ("limit=101", "BAD_LIMIT"),
        ("limit=x", "BAD_LIMIT"),
    ],
)
async def test_bad_parameters_get_a_problem_document(fresh_database, query, code):
    partner = await issue_key(fresh_database.app, "partner")

    response = await fresh_database.client.get(f"{CHANGES}?{query}", headers=bearer(partner.secret))

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_record_change_refuses_an_unknown_article(fresh_database):
    sessions = session_factory(fresh_database.app.state.engine)
    with pytest.raises(UnknownArticle):
        async with unit_of_work(sessions) as session:
            await record_change(session, 999_999, m.ChangeKind.CORRECTED)


async def test_a_page_of_changes_is_one_statement_after_the_key_lookup(fresh_database):
    for slug in ("story-a", "story-b"):
        await save(fresh_database.app, slug)

    async with partner_feed(fresh_database.url, now=later()) as (app, client):
        with count_sql(app) as statements:
            response = await client.get(CHANGES)

    assert len(response.json()["changes"]) == 3
    assert statements.count == 2, str(statements)  # the API key's lookup, then the page


# -- who reads it ---------------------------------------------------------------------------


async def test_the_public_is_asked_for_a_key(client):
    response = await client.get(CHANGES)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="newsgraph"'
    problem = response.json()
    assert problem["code"] == "UNAUTHENTICATED"
    assert "partners and editors" in problem["detail"]


async def test_the_public_is_asked_for_a_key_before_its_parameters_are_read(client):
    response = await client.get(f"{CHANGES}?after=garbage")

    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize("role", ["partner", "editor"])
async def test_partners_and_editors_read_the_same_feed(fresh_database, role):
    issued = await issue_key(fresh_database.app, role)

    async with feeds_app(fresh_database.url, now=later()) as (_, client):
        client.headers.update(bearer(issued.secret))
        entries, _ = await read_all(client)

    assert kinds_by_slug(entries) == [(SEED_ARTICLE_SLUG, "published")]


async def test_a_revoked_key_reads_nothing(fresh_database):
    issued = await issue_key(fresh_database.app, "partner")
    await revoke_key(session_factory(fresh_database.app.state.engine), issued.id, later())

    response = await fresh_database.client.get(CHANGES, headers=bearer(issued.secret))

    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")
