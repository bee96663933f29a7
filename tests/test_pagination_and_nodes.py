"""Cursor pagination, global IDs and argument validation on the root lists."""

from __future__ import annotations

import pytest

from tests.support import graphql, graphql_response

ARTICLES_PAGE = """
query Articles($first: Int, $after: String) {
  articles(first: $first, after: $after) {
    totalCount
    edges { cursor node { id slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
NODE = """query Node($id: ID!) { node(id: $id) { __typename id ... on Article { slug } } }"""
NODES = """query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Organization { slug } } }"""
ORGANIZATION_ID = """query { organization(slug: "nato") { id } }"""
ARTICLES_BETWEEN = """
query Between($after: DateTime, $before: DateTime) {
  articles(filter: {publishedAfter: $after, publishedBefore: $before}) { totalCount }
}
"""


async def all_articles(client) -> list[dict[str, str]]:
    data = await graphql(client, ARTICLES_PAGE, {"first": 100})
    return [edge["node"] for edge in data["articles"]["edges"]]


async def test_paging_one_by_one_visits_every_article_once(client):
    everything = await all_articles(client)
    seen, after, pages = [], None, 0

    while True:
        data = await graphql(client, ARTICLES_PAGE, {"first": 1, "after": after})
        connection = data["articles"]
        seen += [edge["node"] for edge in connection["edges"]]
        pages += 1
        assert connection["totalCount"] == len(everything)
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == everything
    assert pages == len(everything) >= 3  # the seed article and its two related articles


async def test_first_defaults_to_twenty_and_zero_returns_no_edges(client):
    data = await graphql(client, ARTICLES_PAGE, {"first": 0})

    assert data["articles"]["edges"] == []
    assert data["articles"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_first_outside_zero_to_one_hundred_is_rejected(client, first):
    response = await graphql_response(client, ARTICLES_PAGE, {"first": first})

    (error,) = response.json()["errors"]
    assert "`first` must be between 0 and 100" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_malformed_cursor_is_rejected(client):
    response = await graphql_response(client, ARTICLES_PAGE, {"after": "not-a-cursor"})

    (error,) = response.json()["errors"]
    assert "Malformed cursor" in error["message"]


async def test_node_returns_each_article_by_its_id(client):
    for article in await all_articles(client):
        data = await graphql(client, NODE, {"id": article["id"]})

        assert data["node"] == {"__typename": "Article", **article}


async def test_nodes_keeps_the_order_asked_and_nulls_the_missing(client):
    nato = (await graphql(client, ORGANIZATION_ID))["organization"]["id"]
    missing = "T3JnYW5pemF0aW9uOjk5OTk5OTk="  # Organization:9999999

    data = await graphql(client, NODES, {"ids": [missing, nato]})

    assert data["nodes"] == [None, {"id": nato, "slug": "nato"}]


@pytest.mark.parametrize("bad_id", ["%%%", "QXJ0aWNsZTp4", "Tm9TdWNoVHlwZTox"])
async def test_malformed_or_unknown_type_ids_are_client_errors(client, bad_id):
    response = await graphql_response(client, NODE, {"id": bad_id})

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad_id in error["message"]


async def test_an_impossible_date_range_is_rejected(client):
    variables = {"after": "2020-02-01T00:00:00Z", "before": "2020-01-01T00:00:00Z"}

    response = await graphql_response(client, ARTICLES_BETWEEN, variables)

    (error,) = response.json()["errors"]
    assert "`publishedAfter` must be earlier than `publishedBefore`" in error["message"]


async def test_an_impossible_date_is_rejected(client):
    response = await graphql_response(client, ARTICLES_BETWEEN, {"after": "2020-13-45T00:00:00Z"})

    assert response.json()["errors"]
    assert response.json().get("data") is None


async def test_date_range_filters_by_publication_time(client):
    inside = {"after": "2020-01-05T00:00:00Z", "before": "2020-01-06T00:00:00Z"}
    outside = {"after": "2021-01-01T00:00:00Z", "before": "2022-01-01T00:00:00Z"}

    assert (await graphql(client, ARTICLES_BETWEEN, inside))["articles"]["totalCount"] == 1
    assert (await graphql(client, ARTICLES_BETWEEN, outside))["articles"]["totalCount"] == 0


PARTS_OF_THE_SEED = """
query {
  article(slug: "us-led-coalition-suspends-anti-isis-operations") {
    credits { id role }
    relatedLinks { id anchorText }
    mentions { id text }
    votes { positions { id option } }
  }
}
"""
PART = """
query Part($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Credit { role }
    ... on RelatedLink { anchorText }
    ... on Mention { text }
    ... on VotePosition { option }
  }
}
"""


async def test_credits_links_mentions_and_vote_positions_are_nodes(client):
    seed = (await graphql(client, PARTS_OF_THE_SEED))["article"]
    parts = [
        *(("Credit", part) for part in seed["credits"]),
        *(("RelatedLink", part) for part in seed["relatedLinks"]),
        *(("Mention", part) for part in seed["mentions"][:3]),
        *(("VotePosition", part) for vote in seed["votes"] for part in vote["positions"]),
    ]

    found = [(await graphql(client, PART, {"id": part["id"]}))["node"] for _, part in parts]

    assert found == [{"__typename": type_name, **part} for type_name, part in parts]
    assert {type_name for type_name, _ in parts} == {
        "Credit",
        "RelatedLink",
        "Mention",
        "VotePosition",
    }
