"""Rights: partners get an article's text only where they may republish it; the public reads it."""

from __future__ import annotations

from sqlalchemy import update

from db import models as m
from db.documents import save_article_document
from db.engine import session_factory, unit_of_work
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.document import ArticleDocument
from tests.support import bearer, graphql, issue_key

ARTICLE = """
query($slug: String!) {
  article(slug: $slug) {
    headline standfirst url fullText
    rights { copyrightHolder licence partnersMayRepublish }
    paragraphs { id text }
    quotes { text }
    mentions { text }
  }
}
"""
PARAGRAPH_NODE = """query($id: ID!) { node(id: $id) { id } }"""
STATEMENTS = """query { statements { totalCount } organization(slug: "cjtf-oir") { id } }"""
ARTICLE_WITH_RIGHTS: dict[str, object] = {
    "article": {
        "slug": "licensed-report",
        "headline": "A licensed report",
        "rights": {
            "copyright_holder": "Example News Ltd",
            "licence": "CC-BY-4.0",
            "partners_may_republish": True,
        },
        "paragraphs": [{"position": 1, "kind": "body", "text": "Some text."}],
    }
}


async def allow_partners(database, allowed: bool) -> None:
    async with unit_of_work(session_factory(database.app.state.engine)) as session:
        await session.execute(
            update(m.Article)
            .where(m.Article.slug == SEED_ARTICLE_SLUG)
            .values(partners_may_republish=allowed, copyright_holder="Kurdistan 24")
        )


async def test_a_partner_gets_only_headline_standfirst_and_link_without_republishing_rights(
    fresh_database,
):
    await allow_partners(fresh_database, False)
    partner = await issue_key(fresh_database.app, "partner")

    article = (
        await graphql(
            fresh_database.client,
            ARTICLE,
            {"slug": SEED_ARTICLE_SLUG},
            headers=bearer(partner.secret),
        )
    )["article"]

    assert article["headline"] == "US-led Coalition suspends anti-ISIS operations"
    assert article["standfirst"] and article["url"]
    assert article["fullText"] is False
    assert article["rights"] == {
        "copyrightHolder": "Kurdistan 24",
        "licence": None,
        "partnersMayRepublish": False,
    }
    assert (article["paragraphs"], article["quotes"], article["mentions"]) == ([], [], [])


async def test_a_partner_gets_the_full_text_where_it_may_republish(fresh_database):
    await allow_partners(fresh_database, True)
    partner = await issue_key(fresh_database.app, "partner")

    article = (
        await graphql(
            fresh_database.client,
            ARTICLE,
            {"slug": SEED_ARTICLE_SLUG},
            headers=bearer(partner.secret),
        )
    )["article"]

    assert article["fullText"] is True
    assert len(article["paragraphs"]) == 17
    assert len(article["quotes"]) == 9


async def test_the_public_reads_the_full_text_whatever_the_partner_rights(fresh_database):
    await allow_partners(fresh_database, False)

    article = (await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG}))[
        "article"
    ]

    assert article["fullText"] is True
    assert len(article["paragraphs"]) == 17


async def test_a_partner_cannot_fetch_a_withheld_paragraph_by_id(fresh_database):
    await allow_partners(fresh_database, True)
    partner = await issue_key(fresh_database.app, "partner")
    headers = bearer(partner.secret)
    article = (
        await graphql(fresh_database.client, ARTICLE, {"slug": SEED_ARTICLE_SLUG}, headers=headers)
    )["article"]
    paragraph_id = article["paragraphs"][0]["id"]

    await allow_partners(fresh_database, False)
    node = (
        await graphql(fresh_database.client, PARAGRAPH_NODE, {"id": paragraph_id}, headers=headers)
    )["node"]

    assert node is None


async def test_statements_known_only_from_withheld_text_are_withheld_too(fresh_database):
    await allow_partners(fresh_database, False)
    partner = await issue_key(fresh_database.app, "partner")

    data = await graphql(fresh_database.client, STATEMENTS, headers=bearer(partner.secret))

    assert data == {"statements": {"totalCount": 0}, "organization": None}


async def test_an_article_document_carries_its_rights(fresh_database):
    async with unit_of_work(session_factory(fresh_database.app.state.engine)) as session:
        await save_article_document(session, ArticleDocument.model_validate(ARTICLE_WITH_RIGHTS))

    article = (await graphql(fresh_database.client, ARTICLE, {"slug": "licensed-report"}))[
        "article"
    ]

    assert article["rights"] == {
        "copyrightHolder": "Example News Ltd",
        "licence": "CC-BY-4.0",
        "partnersMayRepublish": True,
    }
