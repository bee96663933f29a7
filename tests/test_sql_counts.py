"""Nested queries issue a fixed number of SQL statements, whatever the page size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.graphiql import HEADLINE_QUERY
from db.documents import save_article_document
from db.engine import session_factory, unit_of_work
from db.models import OrganizationKind, ParagraphKind, StatementMedium
from newsgraph.document import (
    ArticleDocument,
    ArticleRecord,
    OrganizationRecord,
    ParagraphRecord,
    QuoteRecord,
    SpeakerRecord,
    StatementRecord,
)
from tests.support import count_sql, graphql, serving

ARTICLE_PAGE = """
query ArticlePage($first: Int!) {
  articles(first: $first) {
    totalCount
    edges { node {
      headline
      publisher { name }
      paragraphs {
        position text
        quotes { text start end statement { issuedOn speaker { ... on Organization { name } } } }
      }
    } }
  }
}
"""
# Resolving field by field, one statement per relation the page touches: the page, its
# count, publishers, paragraphs, quotes, statements and speakers.
ARTICLE_PAGE_STATEMENTS = 7
# The organization, its aliases, the statements window and its count, their quotes and
# articles, the quotes' paragraphs and those paragraphs' articles, related articles.
HEADLINE_QUERY_STATEMENTS = 9
# The compiled read path: one statement per root field, whatever the nesting.
COMPILED_STATEMENTS = 1
PARAGRAPHS_PER_ARTICLE = 3


def synthetic_article(number: int) -> ArticleDocument:
    """An article whose every paragraph quotes the ministry's statement of that day."""
    paragraphs = [
        ParagraphRecord(
            position=position,
            kind=ParagraphKind.BODY,
            text=f"\u201cMeasure {number}.{position} takes effect,\u201d the ministry said.",
        )
        for position in range(1, PARAGRAPHS_PER_ARTICLE + 1)
    ]
    published_at = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=number)
    return ArticleDocument(
        article=ArticleRecord(
            slug=f"ministry-measures-{number}",
            headline=f"Ministry announces measures, part {number}",
            publisher="daily-test",
            published_at=published_at,
            paragraphs=paragraphs,
        ),
        organizations=[
            OrganizationRecord(
                slug="daily-test", name="The Daily Test", kind=OrganizationKind.NEWS_OUTLET
            ),
            OrganizationRecord(
                slug="ministry", name="Ministry of Tests", kind=OrganizationKind.GOVERNMENT_BODY
            ),
        ],
        statements=[
            StatementRecord(
                speaker=SpeakerRecord(organization="ministry"),
                issued_on=published_at.date(),
                medium=StatementMedium.SPEECH,
                quotes=[
                    QuoteRecord(paragraph=p.position, text=p.text[1 : p.text.index(",\u201d") + 1])
                    for p in paragraphs
                ],
            )
        ],
    )


@pytest.fixture
async def hundred_and_twenty_articles(fresh_database):
    sessions = session_factory(fresh_database.app.state.engine)
    async with unit_of_work(sessions) as session:
        for number in range(120):
            await save_article_document(session, synthetic_article(number))
    return fresh_database


@pytest.mark.parametrize(
    ("compiled", "statements"),
    [(True, COMPILED_STATEMENTS), (False, HEADLINE_QUERY_STATEMENTS)],
    ids=["compiled", "resolver"],
)
async def test_headline_query_runs_a_fixed_number_of_statements(database_url, compiled, statements):
    async with serving(database_url, compiled_reads=compiled) as (app, client):
        with count_sql(app) as sql:
            await graphql(client, HEADLINE_QUERY)

    assert sql.count == statements, str(sql)


@pytest.mark.parametrize(
    ("compiled", "statements"),
    [(True, COMPILED_STATEMENTS), (False, ARTICLE_PAGE_STATEMENTS)],
    ids=["compiled", "resolver"],
)
@pytest.mark.parametrize("first", [10, 100])
async def test_article_page_statement_count_does_not_grow_with_page_size(
    hundred_and_twenty_articles, first, compiled, statements
):
    async with serving(hundred_and_twenty_articles.url, compiled_reads=compiled) as (app, client):
        with count_sql(app) as sql:
            data = await graphql(client, ARTICLE_PAGE, {"first": first})

    edges = data["articles"]["edges"]
    assert len(edges) == first
    assert all(len(edge["node"]["paragraphs"]) == PARAGRAPHS_PER_ARTICLE for edge in edges[:-1])
    quotes = [q for e in edges for p in e["node"]["paragraphs"] for q in p["quotes"]]
    assert len(quotes) >= first * PARAGRAPHS_PER_ARTICLE - PARAGRAPHS_PER_ARTICLE
    assert sql.count == statements, str(sql)
