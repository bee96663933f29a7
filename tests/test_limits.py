"""Query limits: a document that asks too much is refused with a clear error before any SQL runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from db.reads import Reader
from tests.support import GRAPHQL_PATH, count_sql, graphql, graphql_response, serving

# Tight limits, so that small documents can cross each of them alone.
LIMITS = {
    "max_depth": 5,
    "max_aliases": 2,
    "max_tokens": 80,
    "max_directives": 2,
    "max_cost": 300,
    "max_nodes": 60,
    "max_body_bytes": 1_000,
}

DEEP = '{ article(slug: "x") { paragraphs { quotes { statement { speaker { __typename } } } } } }'
ALIASED = "{ a: __typename b: __typename c: __typename }"
LONG = "{ " + " ".join(["a"] * 80) + " }"
DIRECTED = (
    "{ __typename @skip(if: false) __typename @skip(if: false) __typename @include(if: true) }"
)
STATEMENTS_PAGE = "query Page($first: Int!) { statements(first: $first) { edges { node { issuedOn quotes { text } } } } }"
MANY_NODES = "{ persons(first: 70) { edges { node { name } } } }"
ORGANIZATION_NAMES = "{ organizations(first: 3) { edges { node { name } } } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
TYPENAME = "{ __typename }"
ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""


@pytest.fixture(scope="module")
async def limited(database_url: str) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """The shared database served with tight limits."""
    async with serving(database_url, **LIMITS) as served:
        yield served


async def rejected(served: tuple[Starlette, httpx.AsyncClient], query: str, **variables: object):
    """Send `query`; the request must fail with 400 and run no SQL. Returns the one error."""
    app, client = served
    with count_sql(app) as sql:
        response = await graphql_response(client, query, variables or None)
    assert response.status_code == 400, response.text
    assert sql.count == 0, str(sql)
    (error,) = response.json()["errors"]
    return error


async def test_a_query_nested_too_deep_is_refused_before_any_sql(limited):
    error = await rejected(limited, DEEP)

    assert error["extensions"] == {
        "code": "QUERY_LIMIT_EXCEEDED",
        "limit": "depth",
        "maximum": 5,
        "actual": 6,
    }
    assert "depth limit" in error["message"]


async def test_too_many_aliases_are_refused(limited):
    error = await rejected(limited, ALIASED)

    assert error["extensions"]["limit"] == "aliases"
    assert error["extensions"]["actual"] == 3


async def test_a_document_with_too_many_tokens_is_refused(limited):
    error = await rejected(limited, LONG)

    assert error["extensions"] == {
        "code": "QUERY_LIMIT_EXCEEDED",
        "limit": "tokens",
        "maximum": 80,
    }


async def test_too_many_directives_are_refused(limited):
    error = await rejected(limited, DIRECTED)

    assert error["extensions"]["limit"] == "directives"


async def test_a_connections_first_multiplies_the_cost_of_its_subtree(limited):
    # Each statement costs its node, issuedOn, quotes and their text: 100 of them are too many.
    error = await rejected(limited, STATEMENTS_PAGE, first=100)

    assert error["extensions"]["limit"] == "cost"
    assert error["extensions"]["actual"] > LIMITS["max_cost"]
    assert await graphql(limited[1], STATEMENTS_PAGE, {"first": 2})


async def test_a_response_with_too_many_objects_is_refused(limited):
    error = await rejected(limited, MANY_NODES)

    assert error["extensions"]["limit"] == "nodes"


async def test_a_query_within_the_limits_runs(limited):
    data = await graphql(limited[1], ORGANIZATION_NAMES)

    assert len(data["organizations"]["edges"]) == 3


async def test_a_legacy_json_client_gets_the_rejection_with_200(limited):
    _, client = limited
    response = await graphql_response(client, DEEP, headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["limit"] == "depth"


async def test_a_body_larger_than_the_limit_is_refused_with_413(limited):
    app, client = limited
    padding = " " * LIMITS["max_body_bytes"]
    with count_sql(app) as sql:
        response = await graphql_response(client, TYPENAME + padding)

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["limit"] == "bodyBytes"
    assert sql.count == 0


async def test_a_body_sent_without_content_length_is_cut_off_at_the_limit(limited):
    _, client = limited

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "padding": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    response = await client.post(
        GRAPHQL_PATH, content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


async def test_a_get_query_string_larger_than_the_limit_is_refused_with_413(limited):
    _, client = limited
    response = await client.get(
        GRAPHQL_PATH,
        params={"query": TYPENAME + " " * LIMITS["max_body_bytes"]},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 413


async def test_batched_requests_are_refused(limited):
    _, client = limited
    response = await client.post(
        GRAPHQL_PATH,
        json=[{"query": TYPENAME}, {"query": TYPENAME}],
        headers={"accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert "batches are not supported" in response.json()["errors"][0]["message"]


async def test_introspection_can_be_switched_off(database_url):
    async with serving(database_url, introspection=False) as (app, client):
        with count_sql(app) as sql:
            response = await graphql_response(client, INTROSPECTION)
        typename = await graphql(client, TYPENAME)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert sql.count == 0
    assert typename == {"__typename": "Query"}  # __typename is not introspection


async def test_a_request_running_past_the_execution_timeout_is_stopped_with_504(database_url):
    # So short that the first database round trip outlasts it.
    async with serving(database_url, execution_timeout=1e-6) as (_, client):
        response = await graphql_response(client, ORGANIZATION_NAMES)

    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


@pytest.fixture
def slow_id_lookups(monkeypatch):
    """Every lookup by ID becomes a statement that sleeps for two seconds."""

    async def sleep(self, model, ids):
        await self._session.execute(text("SELECT pg_sleep(2)"))
        return {}

    monkeypatch.setattr(Reader, "by_ids", sleep)


async def test_a_statement_running_past_the_statement_timeout_is_stopped_with_504(
    backend, database_url, slow_id_lookups
):
    if backend != "postgres":
        pytest.skip("statement_timeout is PostgreSQL's")
    # The slow lookup lives on the resolver path.
    async with serving(database_url, statement_timeout_ms=100, compiled_reads=False) as (_, client):
        response = await graphql_response(client, ARTICLE_WITH_PUBLISHER)

    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
