"""Full-text search finds headlines, paragraphs and quotes, ranked, with located highlights."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update

from db import models as m
from db.engine import session_factory, unit_of_work
from tests.support import count_sql, graphql, graphql_response

SEARCH = """
query Search($query: String!, $first: Int, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    edges { node {
      kind rank
      snippet { text highlights { start end } }
      article { slug headline }
      paragraph { position text }
      quote { text }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SEED_SLUG = "us-led-coalition-suspends-anti-isis-operations"


def hits(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data["search"]["edges"]]


async def test_search_finds_a_headline_and_ranks_it_first(client):
    data = await graphql(client, SEARCH, {"query": "suspends anti-ISIS operations"})

    first = hits(data)[0]
    assert first["kind"] == "HEADLINE"
    assert first["article"]["slug"] == SEED_SLUG
    assert first["paragraph"] is None


async def test_search_finds_quotes_with_their_paragraph(client):
    data = await graphql(client, SEARCH, {"query": "Iraqi bases", "first": 100})

    quotes = [hit for hit in hits(data) if hit["kind"] == "QUOTE"]
    assert quotes
    for hit in quotes:
        assert hit["quote"]["text"] in hit["paragraph"]["text"]


async def test_search_matches_stemmed_words(client):
    data = await graphql(client, SEARCH, {"query": "suspending"})

    assert any(hit["kind"] == "HEADLINE" for hit in hits(data))  # the headline says "suspends"


async def test_every_highlight_locates_a_matched_word_in_the_snippet(client):
    data = await graphql(client, SEARCH, {"query": "coalition troops", "first": 100})

    assert hits(data)
    for hit in hits(data):
        text = hit["snippet"]["text"]
        assert hit["snippet"]["highlights"]
        for span in hit["snippet"]["highlights"]:
            assert text[span["start"] : span["end"]].lower() in {"coalition", "troops"}


async def test_hits_come_most_relevant_first(client):
    data = await graphql(client, SEARCH, {"query": "coalition", "first": 100})

    ranks = [hit["rank"] for hit in hits(data)]
    assert ranks == sorted(ranks, reverse=True)


async def test_search_pages_with_cursors_through_every_hit(client):
    everything = await graphql(client, SEARCH, {"query": "coalition", "first": 100})
    first_page = await graphql(client, SEARCH, {"query": "coalition", "first": 3})
    after = first_page["search"]["pageInfo"]["endCursor"]
    second_page = await graphql(client, SEARCH, {"query": "coalition", "first": 3, "after": after})

    assert first_page["search"]["pageInfo"]["hasNextPage"]
    assert hits(first_page) + hits(second_page) == hits(everything)[:6]
    assert everything["search"]["totalCount"] == len(hits(everything))


async def test_operators_and_punctuation_are_only_spaces(client):
    data = await graphql(client, SEARCH, {"query": 'coalition" OR NEAR( headline: *'})

    assert data["search"]["totalCount"] == 0  # "headline" and "near" appear nowhere


async def test_a_query_without_words_is_a_client_error(client):
    response = await graphql_response(client, SEARCH, {"query": " ?! "})

    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "query"}


async def test_an_overlong_query_is_a_client_error(client):
    response = await graphql_response(client, SEARCH, {"query": "word " * 100})

    (error,) = response.json()["errors"]
    assert error["extensions"]["argument"] == "query"


async def test_a_search_page_costs_a_fixed_number_of_statements(app, client):
    with count_sql(app) as statements:
        await graphql(client, SEARCH, {"query": "coalition", "first": 20})

    # hits, count, then articles, paragraphs and quotes by id, each batched once.
    assert statements.count == 5, str(statements)


async def test_unpublished_articles_are_not_found(fresh_database):
    async with unit_of_work(session_factory(fresh_database.app.state.engine)) as session:
        await session.execute(
            update(m.Article)
            .where(m.Article.slug == SEED_SLUG)
            .values(status=m.PublicationStatus.DRAFT)
        )

    data = await graphql(fresh_database.client, SEARCH, {"query": "coalition"})

    assert data["search"]["totalCount"] == 0


async def test_an_edited_headline_is_found_by_its_new_words(fresh_database):
    async with unit_of_work(session_factory(fresh_database.app.state.engine)) as session:
        await session.execute(
            update(m.Article).where(m.Article.slug == SEED_SLUG).values(headline="Zyzzyva rising")
        )

    found = await graphql(fresh_database.client, SEARCH, {"query": "zyzzyva"})
    gone = await graphql(fresh_database.client, SEARCH, {"query": "suspends operations"})

    assert [hit["kind"] for hit in hits(found)] == ["HEADLINE"]
    assert "HEADLINE" not in {hit["kind"] for hit in hits(gone)}


async def test_a_deleted_article_leaves_nothing_to_find(fresh_database):
    async with unit_of_work(session_factory(fresh_database.app.state.engine)) as session:
        await session.execute(delete(m.Article))

    data = await graphql(fresh_database.client, SEARCH, {"query": "coalition"})

    assert data["search"]["totalCount"] == 0


async def test_a_page_is_ranked_among_a_bounded_number_of_matches(client, monkeypatch):
    monkeypatch.setattr("db.search.RANKED_CANDIDATES", 1)

    data = await graphql(client, SEARCH, {"query": "coalition", "first": 100})

    # One candidate per kind on PostgreSQL, three index entries on SQLite; the count is exact.
    assert len(hits(data)) == 3
    assert data["search"]["totalCount"] > 3
