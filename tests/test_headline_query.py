"""The headline query answers with the founding article's statement, quotes and related reading."""

from __future__ import annotations

import re
from importlib import resources

from api.graphiql import HEADLINE_QUERY
from tests.support import graphql

SEED_TEXT = (resources.files("newsgraph") / "seeds" / "000_05cbda2b39a8e2bf.txt").read_text()
SEED_PARAGRAPHS = [block for block in SEED_TEXT.split("\n\n") if block.strip()]
# The raw text's first block is the headline; the article's paragraphs are the rest.
SEED_HEADLINE, ARTICLE_PARAGRAPHS = SEED_PARAGRAPHS[0], SEED_PARAGRAPHS[1:]


def quoted_passages() -> list[tuple[int, str]]:
    """(paragraph position, words between the marks) for every curly-quoted passage, in order."""
    return [
        (position, match.group(1))
        for position, text in enumerate(ARTICLE_PARAGRAPHS, start=1)
        for match in re.finditer(r"\u201c([^\u201d]*)\u201d", text)
    ]


def read_more_headlines() -> list[str]:
    return [
        re.sub(r"^Read [Mm]ore:\s*", "", text)
        for text in ARTICLE_PARAGRAPHS
        if re.match(r"^Read [Mm]ore:", text)
    ]


async def test_headline_query_finds_the_coalition_by_its_alias(client):
    data = await graphql(client, HEADLINE_QUERY)

    coalition = data["organization"]
    assert coalition["name"] == "Combined Joint Task Force-Operation Inherent Resolve"
    assert {"CJTF-OIR", "the US-led Coalition", "the Coalition"} <= set(coalition["aliases"])


async def test_headline_query_returns_every_quoted_passage_with_its_paragraph(client):
    data = await graphql(client, HEADLINE_QUERY)

    statements = data["organization"]["statements"]
    assert statements["totalCount"] == 1
    (edge,) = statements["edges"]
    statement = edge["node"]
    assert statement["issuedOn"] == "2020-01-05"
    answered = [(quote["paragraph"]["position"], quote["text"]) for quote in statement["quotes"]]
    assert answered == quoted_passages()
    for quote in statement["quotes"]:
        paragraph = quote["paragraph"]
        assert paragraph["text"] == ARTICLE_PARAGRAPHS[paragraph["position"] - 1]
        assert quote["text"] in paragraph["text"]
        assert paragraph["article"]["headline"] == SEED_HEADLINE


async def test_headline_query_returns_the_quoting_article_and_its_related_reading(client):
    data = await graphql(client, HEADLINE_QUERY)

    (edge,) = data["organization"]["statements"]["edges"]
    (article,) = edge["node"]["articles"]
    assert article["headline"] == SEED_HEADLINE
    related = article["relatedArticles"]
    assert [item["headline"] for item in related] == read_more_headlines()
    assert len(related) == 2
    assert all(item["url"] is None for item in related)  # the seed gives no URL for them
