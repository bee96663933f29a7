"""The load script's queries stay valid against the schema and answer on the seeded database."""

from __future__ import annotations

from bench.load import ARTICLE_PAGE, HEADLINE_SEARCH, ORGANIZATION_PAGE, SEARCH
from tests.support import graphql

SEED_SLUG = "us-led-coalition-suspends-anti-isis-operations"


async def test_the_article_page_returns_paragraphs_with_their_quotes(client):
    data = await graphql(client, ARTICLE_PAGE, {"slug": SEED_SLUG})

    paragraphs = data["article"]["paragraphs"]
    assert any(paragraph["quotes"] for paragraph in paragraphs)


async def test_the_organization_page_returns_statements(client):
    data = await graphql(client, ORGANIZATION_PAGE, {"name": "the Coalition"})

    assert data["organization"]["statements"]["totalCount"] >= 1


async def test_the_headline_search_finds_articles_by_headline_words(client):
    data = await graphql(client, HEADLINE_SEARCH, {"query": "coalition"})

    assert data["articles"]["totalCount"] >= 1


async def test_the_search_finds_ranked_hits_with_snippets(client):
    data = await graphql(client, SEARCH, {"query": "coalition"})

    assert data["search"]["edges"][0]["node"]["snippet"]["highlights"]
