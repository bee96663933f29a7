"""The response cache: identical queries answered again without running them, never stale."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.response_cache import CACHE_HEADER
from api.view import READ_PATH_HEADER
from db.seed import SEED_ARTICLE_SLUG
from newsgraph.clock import Clock, FixedClock
from tests.support import (
    GRAPHQL_PATH,
    bearer,
    client_for,
    count_sql,
    graphql,
    graphql_response,
    issue_key,
    settings_for,
)
from tests.test_ingest_cli import GOOD_ARTICLE, ingest

NOW = datetime(2030, 1, 1, 9, 0, 15, tzinfo=UTC)
ARTICLE_COUNT = "query { articles { totalCount } }"
HEADLINES = "query { articles(first: 5) { edges { node { slug headline } } } }"
ARTICLE_TEXT = """
query($slug: String!) { article(slug: $slug) { headline paragraphs { text } } }
"""
ORGANIZATIONS = (
    "query Names($first: Int) { organizations(first: $first) { edges { node { name } } } }"
)
CREATE_ARTICLE = """
mutation($input: ArticleCreateInput!) { articleCreate(input: $input) { article { id } errors { code } } }
"""
PUBLISH = """
mutation($id: ID!, $until: DateTime) {
  articlePublish(id: $id, embargoedUntil: $until) { article { status } errors { code } }
}
"""
UPDATE_ARTICLE = """
mutation($id: ID!, $input: ArticleUpdateInput!) {
  articleUpdate(id: $id, input: $input) { article { headline } errors { code } }
}
"""
ARTICLE_ID = "query($slug: String!) { article(slug: $slug) { id } }"
TOO_LARGE_PAGE = "query { articles(first: 1000) { totalCount } }"
UNKNOWN_FIELD = "query { noSuchField }"


@asynccontextmanager
async def cached_app(
    url: str, clock: Clock | None = None, **settings: Any
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """An app over `url` with the response cache on, lifespan running, and a client for it."""
    app = create_app(settings_for(url, **{"response_cache_enabled": True, **settings}), clock=clock)
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield app, client


async def editor_headers(app: Starlette) -> dict[str, str]:
    return bearer((await issue_key(app, "editor")).secret)


async def article_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    data = await graphql(client, ARTICLE_ID, {"slug": SEED_ARTICLE_SLUG}, headers=headers)
    identifier: str = data["article"]["id"]
    return identifier


async def send(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[str | None, Any]:
    """The cache's verdict on one request that must succeed, and the request's `data`."""
    response = await graphql_response(client, query, variables, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return response.headers.get(CACHE_HEADER), body["data"]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolver"])
async def test_an_identical_query_is_answered_from_the_cache_with_one_statement(
    database_url, compiled
):
    async with cached_app(database_url, compiled_reads=compiled) as (app, client):
        first = await graphql_response(client, HEADLINES)
        with count_sql(app) as sql:
            second = await graphql_response(client, HEADLINES)

    assert first.headers[CACHE_HEADER] == "miss"
    assert second.headers[CACHE_HEADER] == "hit"
    assert second.content == first.content
    assert second.headers[READ_PATH_HEADER] == first.headers[READ_PATH_HEADER]
    assert first.headers[READ_PATH_HEADER] == ("compiled" if compiled else "resolver")
    # The data version (and next embargo lift): the only statement a hit runs.
    assert sql.count == 1, str(sql)


async def test_spacing_and_comments_do_not_make_a_query_different(database_url):
    async with cached_app(database_url) as (_, client):
        await send(client, HEADLINES)

        verdict, _ = await send(client, "# the newest\n" + HEADLINES.replace(" ", "\n  "))

    assert verdict == "hit"


async def test_other_variables_are_another_query(database_url):
    async with cached_app(database_url) as (_, client):
        one = await send(client, ORGANIZATIONS, {"first": 1})
        two = await send(client, ORGANIZATIONS, {"first": 2})
        one_again = await send(client, ORGANIZATIONS, {"first": 1})

    assert (one[0], two[0], one_again[0]) == ("miss", "miss", "hit")
    assert len(one[1]["organizations"]["edges"]) == 1
    assert len(two[1]["organizations"]["edges"]) == 2


async def test_a_mutation_makes_the_next_query_miss_and_see_it(fresh_database):
    async with cached_app(fresh_database.url) as (app, client):
        editor = await editor_headers(app)
        identifier = await article_id(client, editor)
        await send(client, HEADLINES)
        assert (await send(client, HEADLINES))[0] == "hit"

        response = await graphql_response(
            client,
            UPDATE_ARTICLE,
            {"id": identifier, "input": {"headline": "A corrected headline"}},
            headers=editor,
        )
        verdict, data = await send(client, HEADLINES)

    assert CACHE_HEADER not in response.headers  # mutations are never cached
    assert verdict == "miss"
    assert data["articles"]["edges"][0]["node"]["headline"] == "A corrected headline"


async def test_a_mutation_that_writes_nothing_leaves_the_answers_current(fresh_database):
    async with cached_app(fresh_database.url) as (app, client):
        editor = await editor_headers(app)
        await send(client, HEADLINES)
        taken = {"input": {"slug": SEED_ARTICLE_SLUG, "headline": "A second article"}}

        refused = await graphql(client, CREATE_ARTICLE, taken, headers=editor)
        verdict, _ = await send(client, HEADLINES)

    assert refused["articleCreate"]["errors"] == [{"code": "CONFLICT"}]
    assert verdict == "hit"


async def test_a_write_by_another_process_makes_the_next_query_miss(fresh_database):
    async with cached_app(fresh_database.url) as (_, client):
        _, before = await send(client, ARTICLE_COUNT)
        assert (await send(client, ARTICLE_COUNT))[0] == "hit"

        completed = ingest("-", database_url=fresh_database.url, stdin=GOOD_ARTICLE)
        assert completed.returncode == 0, completed.stderr
        verdict, after = await send(client, ARTICLE_COUNT)

    assert verdict == "miss"
    assert after["articles"]["totalCount"] == before["articles"]["totalCount"] + 1


async def test_an_answer_is_not_served_past_the_next_embargo_lift(fresh_database):
    lift = NOW + timedelta(hours=1)
    clock = FixedClock(NOW)
    async with cached_app(fresh_database.url, clock) as (app, client):
        editor = await editor_headers(app)
        created = await graphql(
            client,
            CREATE_ARTICLE,
            {"input": {"slug": "embargoed-report", "headline": "An embargoed report"}},
            headers=editor,
        )
        publish = {"id": created["articleCreate"]["article"]["id"], "until": lift.isoformat()}
        published = await graphql(client, PUBLISH, publish, headers=editor)
        assert published["articlePublish"]["article"]["status"] == "EMBARGOED"

        _, before = await send(client, HEADLINES)
        clock.at = lift - timedelta(seconds=1)
        verdict_before_lift, _ = await send(client, HEADLINES)
        clock.at = lift
        verdict_at_lift, after = await send(client, HEADLINES)

    slugs = [[edge["node"]["slug"] for edge in d["articles"]["edges"]] for d in (before, after)]
    assert "embargoed-report" not in slugs[0]
    assert verdict_before_lift == "hit"
    assert verdict_at_lift == "miss"
    assert "embargoed-report" in slugs[1]


async def test_roles_never_share_answers_and_partners_get_only_what_their_rights_allow(
    fresh_database,
):
    async with cached_app(fresh_database.url) as (app, client):
        editor = await editor_headers(app)
        identifier = await article_id(client, editor)
        await graphql(
            client,
            UPDATE_ARTICLE,
            {"id": identifier, "input": {"partnersMayRepublish": False}},
            headers=editor,
        )
        partner = bearer((await issue_key(app, "partner", "one")).secret)
        other_partner = bearer((await issue_key(app, "partner", "other")).secret)
        slug = {"slug": SEED_ARTICLE_SLUG}

        public = [await send(client, ARTICLE_TEXT, slug) for _ in range(2)]
        partners = [
            await send(client, ARTICLE_TEXT, slug, partner),
            await send(client, ARTICLE_TEXT, slug, other_partner),
        ]
        editors = [await send(client, ARTICLE_TEXT, slug, editor) for _ in range(2)]

    assert [verdict for verdict, _ in public] == ["miss", "hit"]
    assert public[0][1]["article"]["paragraphs"]
    # Partners may not republish this article: they get its headline and no text.
    assert [verdict for verdict, _ in partners] == ["miss", "hit"]
    assert partners[0][1]["article"]["paragraphs"] == []
    assert partners[1][1] == partners[0][1]
    assert [verdict for verdict, _ in editors] == ["miss", "hit"]
    assert editors[0][1]["article"]["paragraphs"] == public[0][1]["article"]["paragraphs"]


@pytest.mark.parametrize("query", [TOO_LARGE_PAGE, UNKNOWN_FIELD], ids=["field", "validation"])
async def test_answers_with_errors_are_not_kept(database_url, query):
    async with cached_app(database_url) as (_, client):
        first = await graphql_response(client, query)
        second = await graphql_response(client, query)

    assert first.json()["errors"]
    assert second.json() == first.json()
    assert CACHE_HEADER not in first.headers
    assert CACHE_HEADER not in second.headers


async def test_a_hit_is_charged_against_the_rate_limits_like_any_request(database_url):
    clock = FixedClock(NOW)
    limits = {"rate_limits_enabled": True, "anonymous_requests_per_minute": 2}
    async with cached_app(database_url, clock, **limits) as (_, client):
        answers = [await graphql_response(client, HEADLINES) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert [answer.headers.get(CACHE_HEADER) for answer in answers] == ["miss", "hit", None]


async def test_a_hit_costs_the_queries_cost_too(database_url):
    clock = FixedClock(NOW)
    # HEADLINES costs 1 + 5 * (1 + 1 + 2) = 21: two of them exceed 40.
    limits = {"rate_limits_enabled": True, "anonymous_cost_per_minute": 40}
    async with cached_app(database_url, clock, **limits) as (_, client):
        answers = [await graphql_response(client, HEADLINES) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 429]
    assert answers[1].json()["errors"][0]["extensions"]["limit"] == "cost points"


async def test_a_get_hit_carries_the_same_etag(database_url):
    async with cached_app(database_url) as (_, client):
        answers = [
            await client.get(
                GRAPHQL_PATH,
                params={"query": HEADLINES},
                headers={"accept": "application/graphql-response+json"},
            )
            for _ in range(2)
        ]

    assert [answer.headers[CACHE_HEADER] for answer in answers] == ["miss", "hit"]
    assert answers[0].headers["etag"] == answers[1].headers["etag"]
    assert answers[1].headers["cache-control"] == "public, max-age=60"


async def test_hits_and_misses_are_counted_in_the_metrics(database_url):
    async with cached_app(database_url) as (_, client):
        for _ in range(3):
            await send(client, HEADLINES)
        metrics = (await client.get("/metrics")).text

    assert 'newsgraph_response_cache_lookups_total{result="miss"} 1.0' in metrics
    assert 'newsgraph_response_cache_lookups_total{result="hit"} 2.0' in metrics
    assert "newsgraph_response_cache_stores_total 1.0" in metrics


async def test_answers_larger_than_an_entry_may_be_are_not_kept(database_url):
    async with cached_app(database_url, response_cache_max_entry_bytes=10) as (_, client):
        verdicts = [(await send(client, HEADLINES))[0] for _ in range(2)]

    assert verdicts == ["miss", "miss"]


async def test_the_cache_can_be_switched_off(database_url):
    async with cached_app(database_url, response_cache_enabled=False) as (app, client):
        await send(client, HEADLINES)
        with count_sql(app) as sql:
            verdict, _ = await send(client, HEADLINES)

    assert verdict is None
    assert sql.count == 1  # the query itself, on the compiled path


@pytest.mark.redis
async def test_instances_sharing_redis_share_answers_and_never_serve_stale_ones(
    fresh_database, redis_url
):
    shared = {"redis_url": redis_url, "redis_key_prefix": f"newsgraph-test-{uuid.uuid4().hex}:"}
    async with (
        cached_app(fresh_database.url, **shared) as (app, one),
        cached_app(fresh_database.url, **shared) as (_, other),
    ):
        editor = await editor_headers(app)
        identifier = await article_id(one, editor)
        first = await send(one, HEADLINES)
        from_the_other = await send(other, HEADLINES)

        await graphql(
            other,
            UPDATE_ARTICLE,
            {"id": identifier, "input": {"headline": "Corrected on the other instance"}},
            headers=editor,
        )
        after_write = await send(one, HEADLINES)
        after_write_other = await send(other, HEADLINES)

    assert (first[0], from_the_other[0]) == ("miss", "hit")
    assert from_the_other[1] == first[1]
    assert (after_write[0], after_write_other[0]) == ("miss", "hit")
    headline = after_write[1]["articles"]["edges"][0]["node"]["headline"]
    assert headline == "Corrected on the other instance"


async def test_an_unreachable_redis_answers_every_query_uncached(database_url):
    async with cached_app(database_url, redis_url="redis://127.0.0.1:1/0") as (_, client):
        answers = [await send(client, HEADLINES) for _ in range(2)]

    assert [verdict for verdict, _ in answers] == ["miss", "miss"]
    assert answers[0][1] == answers[1][1]
