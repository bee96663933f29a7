"""Editing what a published article shows (its quotes, credits, reports, and the statements,
votes and memberships it quotes, reports or states) logs a correction, so partners
mirroring the change feed follow it."""

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
  article(slug: $slug) { id paragraphs { id quotes { id statement { id } } } votes { id } }
  person(slug: "qasim-soleimani") { id memberships { edges { node { id } } } }
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
STATEMENT_UPDATE = """
mutation($id: ID!) {
  statementUpdate(id: $id, input: {summary: "Corrected summary"}) { errors { code } }
}
"""
STATEMENT_DELETE = """mutation($id: ID!) { statementDelete(id: $id) { errors { code } } }"""
VOTE_UPDATE = """
mutation($id: ID!) { voteUpdate(id: $id, input: {heldOnText: "on Sunday"}) { errors { code } } }
"""
VOTE_POSITION_CREATE = """
mutation($vote: ID!) {
  votePositionCreate(input: {voteId: $vote, groupName: "Independents", option: ABSTAIN}) {
    errors { code }
  }
}
"""
MEMBERSHIP_UPDATE = """
mutation($id: ID!) { membershipUpdate(id: $id, input: {role: "commander"}) { errors { code } } }
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


EDITS = [
    "quote deleted",
    "credit added",
    "report added",
    "statement corrected",
    "statement deleted",
    "vote corrected",
    "vote position added",
    "membership corrected",
]


@pytest.mark.parametrize("edit", EDITS)
async def test_an_edit_to_what_a_published_article_shows_is_a_correction(fresh_database, edit):
    """Statements, votes and memberships are facts of their own, but the article that quotes
    or reports them (or states the membership) shows them: a mirror must hear of the change."""
    client, app = fresh_database.client, fresh_database.app
    editor = bearer((await issue_key(app, "editor", "Desk")).secret)
    seed = await graphql(client, SEED, {"slug": SEED_ARTICLE_SLUG}, headers=editor)
    quoting = next(p for p in seed["article"]["paragraphs"] if p["quotes"])
    quote = quoting["quotes"][0]
    statement = quote["statement"]["id"]
    vote = seed["article"]["votes"][0]["id"]
    membership = seed["person"]["memberships"]["edges"][0]["node"]["id"]
    mutations: dict[str, tuple[str, dict[str, Any]]] = {
        "quote deleted": (QUOTE_DELETE, {"id": quote["id"]}),
        "credit added": (
            CREDIT_CREATE,
            {"article": seed["article"]["id"], "person": seed["person"]["id"]},
        ),
        "report added": (
            REPORT_SET,
            {"statement": statement, "paragraph": seed["article"]["paragraphs"][0]["id"]},
        ),
        "statement corrected": (STATEMENT_UPDATE, {"id": statement}),
        "statement deleted": (STATEMENT_DELETE, {"id": statement}),
        "vote corrected": (VOTE_UPDATE, {"id": vote}),
        "vote position added": (VOTE_POSITION_CREATE, {"vote": vote}),
        "membership corrected": (MEMBERSHIP_UPDATE, {"id": membership}),
    }
    query, variables = mutations[edit]
    before = await corrections(app)

    answer = await graphql(client, query, variables, headers=editor)

    assert next(iter(answer.values()))["errors"] == []
    assert await corrections(app) == before + 1
