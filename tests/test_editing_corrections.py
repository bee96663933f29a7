"""Editing what a published article shows (its quotes, credits, reports) logs a correction,
so partners mirroring the change feed follow it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from db import models as m
from db.engine import session_factory
from db.seed import SEED_ARTICLE_SLUG
from tests.support import bearer, graphql, issue_key

SEED = """
query($slug: String!) {
  article(slug: $slug) { id paragraphs { id quotes { id statement { id } } } }
  person(slug: "qasim-soleimani") { id }
}
"""
QUOTE_DELETE = """mutation($id: ID!) { quoteDelete(id: $id) { errors { code } } }"""
CREDIT_CREATE = """
mutation($article: ID!, $person: ID!) {
  creditCreate(input: {articleId: $article, personId: $person, role: CONTRIBUTOR}) {
    errors { code }
  }
}
"""
REPORT_SET = """
mutation($statement: ID!, $paragraph: ID!) {
  statementReportSet(id: $statement, paragraphId: $paragraph, reports: true) {
    errors { code }
  }
}
"""


async def corrections(app) -> int:
    async with session_factory(app.state.engine)() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(m.ArticleChange)
            .join(m.Article, m.Article.id == m.ArticleChange.article_id)
            .where(
                m.Article.slug == SEED_ARTICLE_SLUG,
                m.ArticleChange.kind == m.ChangeKind.CORRECTED,
            )
        )
        assert count is not None
        return count


@pytest.mark.parametrize("edit", ["quote deleted", "credit added", "report added"])
async def test_an_edit_to_what_a_published_article_shows_is_a_correction(fresh_database, edit):
    client, app = fresh_database.client, fresh_database.app
    editor = bearer((await issue_key(app, "editor", "Desk")).secret)
    seed = await graphql(client, SEED, {"slug": SEED_ARTICLE_SLUG}, headers=editor)
    quoting = next(p for p in seed["article"]["paragraphs"] if p["quotes"])
    quote = quoting["quotes"][0]
    mutations: dict[str, tuple[str, dict[str, Any]]] = {
        "quote deleted": (QUOTE_DELETE, {"id": quote["id"]}),
        "credit added": (
            CREDIT_CREATE,
            {"article": seed["article"]["id"], "person": seed["person"]["id"]},
        ),
        "report added": (
            REPORT_SET,
            {
                "statement": quote["statement"]["id"],
                "paragraph": seed["article"]["paragraphs"][0]["id"],
            },
        ),
    }
    query, variables = mutations[edit]
    before = await corrections(app)

    answer = await graphql(client, query, variables, headers=editor)

    assert next(iter(answer.values()))["errors"] == []
    assert await corrections(app) == before + 1
