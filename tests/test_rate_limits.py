"""Rate limits: requests and query cost per minute, per key or per address, answered with 429."""

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
from newsgraph.clock import FixedClock
from tests.support import (
    BASE_URL,
    bearer,
    graphql_response,
    issue_key,
    serving,
    settings_for,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
# 15 seconds into a minute: the window ends in 45.
START = datetime(2030, 1, 1, 9, 0, 15, tzinfo=UTC)
CHEAP = "query { articles(first: 1) { totalCount } }"  # cost 2
TEN_SLUGS = "query { articles(first: 10) { edges { node { slug } } } }"  # 1 + 10 + 10 + 10
DEFAULT_PAGE = "query { articles { edges { node { slug } } } }"  # 1 + 20 + 20 + 20
# A plain list counts the list-size estimate (10) times: 1 + 2 * (1 + 1 + (1 + 10 * 1)).
PARAGRAPHS = "query { articles(first: 2) { edges { node { paragraphs { text } } } } }"


@asynccontextmanager
async def limited_app(
    database_url: str, clock: FixedClock, **limits: Any
) -> AsyncIterator[Starlette]:
    settings = settings_for(database_url, rate_limits_enabled=True, **limits)
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        yield app


def client_at(app: Starlette, address: str = "203.0.113.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def statuses(client: httpx.AsyncClient, count: int, **kwargs: Any) -> list[int]:
    return [(await graphql_response(client, CHEAP, **kwargs)).status_code for _ in range(count)]


async def test_an_anonymous_caller_over_its_request_limit_gets_429_with_the_retry_time(
    database_url,
):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_requests_per_minute=2) as app,
        client_at(app) as client,
    ):
        assert await statuses(client, 2) == [200, 200]

        refused = await graphql_response(client, CHEAP)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "45"
    assert refused.json() == {
        "errors": [
            {
                "message": "Rate limit exceeded: at most 2 requests per minute. Retry in 45 s.",
                "extensions": {"code": "RATE_LIMITED", "limit": "requests", "retryAfter": 45},
            }
        ]
    }


async def test_the_limit_resets_when_the_minute_is_over(database_url):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_requests_per_minute=1) as app,
        client_at(app) as client,
    ):
        assert await statuses(client, 2) == [200, 429]

        clock.at = START + timedelta(seconds=45)
        assert await statuses(client, 1) == [200]


async def test_each_client_address_has_its_own_budget(database_url):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_requests_per_minute=1) as app,
        client_at(app, "203.0.113.1") as first,
        client_at(app, "203.0.113.2") as second,
    ):
        assert await statuses(first, 2) == [200, 429]

        assert await statuses(second, 1) == [200]


async def test_each_key_has_its_own_budget_whatever_its_address(fresh_database):
    one = await issue_key(fresh_database.app, "partner", "one")
    other = await issue_key(fresh_database.app, "partner", "other")
    clock = FixedClock(START)
    async with (
        limited_app(fresh_database.url, clock, partner_requests_per_minute=1) as app,
        client_at(app) as client,
    ):
        assert await statuses(client, 2, headers=bearer(one.secret)) == [200, 429]

        assert await statuses(client, 1, headers=bearer(other.secret)) == [200]
        assert await statuses(client, 1) == [200]  # the address itself is not spent


async def test_query_cost_per_minute_is_limited_too(database_url):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_cost_per_minute=50) as app,
        client_at(app) as client,
    ):
        first = await graphql_response(client, TEN_SLUGS)
        second = await graphql_response(client, TEN_SLUGS)

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["errors"][0]["extensions"]["limit"] == "cost points"


@pytest.mark.parametrize(
    ("query", "cost"), [(TEN_SLUGS, 31), (DEFAULT_PAGE, 61)], ids=["first-10", "default-page"]
)
async def test_a_query_costing_more_than_a_whole_minute_is_refused_with_its_cost(
    database_url, query, cost
):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_cost_per_minute=30) as app,
        client_at(app) as client,
    ):
        refused = await graphql_response(client, query)

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_EXPENSIVE",
        "cost": cost,
        "budget": 30,
    }


async def test_a_query_costs_the_rate_limits_what_the_query_limits_measure(database_url):
    async with serving(database_url, max_cost=1) as (_, client):
        over_the_limit = await graphql_response(client, PARAGRAPHS)
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_cost_per_minute=1) as app,
        client_at(app) as client,
    ):
        over_the_budget = await graphql_response(client, PARAGRAPHS)

    measured = over_the_limit.json()["errors"][0]["extensions"]["actual"]
    charged = over_the_budget.json()["errors"][0]["extensions"]["cost"]
    assert measured == charged == 27


@pytest.mark.redis
async def test_instances_sharing_redis_share_the_count(database_url):
    prefix = f"newsgraph-test-{uuid.uuid4().hex}:"
    clock = FixedClock(START)
    limits = {
        "anonymous_requests_per_minute": 2,
        "redis_url": REDIS_URL,
        "redis_key_prefix": prefix,
    }
    async with (
        limited_app(database_url, clock, **limits) as one,
        limited_app(database_url, clock, **limits) as other,
        client_at(one) as first,
        client_at(other) as second,
    ):
        answered = await statuses(first, 1) + await statuses(second, 1) + await statuses(first, 1)

    assert answered == [200, 200, 429]


async def test_an_unreachable_redis_lets_requests_through_rather_than_failing_them(database_url):
    clock = FixedClock(START)
    limits = {"anonymous_requests_per_minute": 1, "redis_url": "redis://127.0.0.1:1/0"}
    async with limited_app(database_url, clock, **limits) as app, client_at(app) as client:
        assert await statuses(client, 2) == [200, 200]


async def test_requests_with_bad_keys_count_against_the_address(database_url):
    clock = FixedClock(START)
    async with (
        limited_app(database_url, clock, anonymous_requests_per_minute=1) as app,
        client_at(app) as client,
    ):
        answered = await statuses(client, 2, headers=bearer("ng_guessed"))

    assert answered == [401, 429]
