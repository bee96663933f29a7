"""The public sees published articles only: drafts and unexpired embargoes stay hidden everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from api.app import create_app
from db import models as m
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import FixedClock
from tests.support import client_for, graphql, settings_for

NATO_ARTICLE = "nato-suspends-training-in-iraq-following-qasim-soleimani-killing-spokesperson"
EMBARGO_ENDS = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)

ARTICLES = """query { articles { totalCount edges { node { id slug } } } }"""
RELATED = """
query($slug: String!) { article(slug: $slug) { relatedArticles { slug } relatedLinks { anchorText } } }
"""
ARTICLE = """query($slug: String!) { article(slug: $slug) { slug } }"""
NODE = """query($id: ID!) { node(id: $id) { id } }"""
PUBLISHED = """query { organization(slug: "kurdistan-24") { publishedArticles { totalCount edges { node { slug } } } } }"""


@pytest.fixture
async def nato_article_id(fresh_database) -> str:
    data = await graphql(
        fresh_database.client, ARTICLE.replace("slug }", "id }"), {"slug": NATO_ARTICLE}
    )
    article_id: str = data["article"]["id"]
    return article_id


async def set_status(database, status, embargoed_until=None) -> None:
    sessions = session_factory(database.app.state.engine)
    async with unit_of_work(sessions) as session:
        await session.execute(
            update(m.Article)
            .where(m.Article.slug == NATO_ARTICLE)
            .values(status=status, embargoed_until=embargoed_until)
        )


async def hidden_everywhere(client, article_id) -> bool:
    listed = [
        edge["node"]["slug"] for edge in (await graphql(client, ARTICLES))["articles"]["edges"]
    ]
    related = (await graphql(client, RELATED, {"slug": SEED_ARTICLE_SLUG}))["article"]
    by_slug = (await graphql(client, ARTICLE, {"slug": NATO_ARTICLE}))["article"]
    by_id = (await graphql(client, NODE, {"id": article_id}))["node"]
    published = (await graphql(client, PUBLISHED))["organization"]["publishedArticles"]
    checks = [
        NATO_ARTICLE not in listed,
        [a["slug"] for a in related["relatedArticles"]].count(NATO_ARTICLE) == 0,
        len(related["relatedLinks"]) == 1,
        by_slug is None,
        by_id is None,
        published["totalCount"] == len(published["edges"]) == 2,
    ]
    if all(checks):
        return True
    assert not any(checks), f"partly hidden: {checks}"
    return False


async def test_a_published_article_is_visible_everywhere(fresh_database, nato_article_id):
    assert not await hidden_everywhere(fresh_database.client, nato_article_id)


async def test_a_draft_is_hidden_on_every_path(fresh_database, nato_article_id):
    await set_status(fresh_database, m.PublicationStatus.DRAFT)

    assert await hidden_everywhere(fresh_database.client, nato_article_id)


async def test_a_withdrawn_article_is_hidden(fresh_database, nato_article_id):
    await set_status(fresh_database, m.PublicationStatus.WITHDRAWN)

    assert await hidden_everywhere(fresh_database.client, nato_article_id)


@pytest.mark.parametrize(
    ("now", "hidden"),
    [(datetime(2029, 12, 31, 23, 59, tzinfo=UTC), True), (EMBARGO_ENDS, False)],
    ids=["before-the-embargo-lifts", "once-it-lifts"],
)
async def test_an_embargoed_article_appears_when_its_embargo_lifts(
    fresh_database, nato_article_id, now, hidden
):
    await set_status(fresh_database, m.PublicationStatus.EMBARGOED, EMBARGO_ENDS)
    app = create_app(settings_for(fresh_database.url), clock=FixedClock(now))

    async with app.router.lifespan_context(app), client_for(app) as client:
        assert await hidden_everywhere(client, nato_article_id) is hidden


async def test_an_embargo_lifts_between_two_identical_requests_to_one_app(
    fresh_database, nato_article_id
):
    await set_status(fresh_database, m.PublicationStatus.EMBARGOED, EMBARGO_ENDS)
    clock = FixedClock(datetime(2029, 12, 31, 23, 59, tzinfo=UTC))
    app = create_app(settings_for(fresh_database.url), clock=clock)

    async with app.router.lifespan_context(app), client_for(app) as client:
        before = await graphql(client, ARTICLE, {"slug": NATO_ARTICLE})
        clock.at = EMBARGO_ENDS  # the same query again: a cached plan must see the new time
        after = await graphql(client, ARTICLE, {"slug": NATO_ARTICLE})

    assert before["article"] is None
    assert after["article"] == {"slug": NATO_ARTICLE}
