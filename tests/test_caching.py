"""GET queries are cacheable: Cache-Control and ETag on public answers, 304 when unchanged."""

from __future__ import annotations

import httpx

from tests.support import GRAPHQL_PATH

ORGANIZATION_NAMES = "{ organizations(first: 2) { edges { node { name } } } }"
INVALID = "{ noSuchField }"
ACCEPT = {"accept": "application/graphql-response+json"}


async def get(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.get(GRAPHQL_PATH, params={"query": query}, headers={**ACCEPT, **headers})


async def test_a_public_get_answer_is_cacheable_with_an_etag(client):
    response = await get(client, ORGANIZATION_NAMES)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('"')
    assert response.headers["vary"] == "Accept"


async def test_the_same_answer_gets_the_same_etag(client):
    first = await get(client, ORGANIZATION_NAMES)
    second = await get(client, ORGANIZATION_NAMES)

    assert first.headers["etag"] == second.headers["etag"]


async def test_a_client_holding_the_current_answer_gets_304_without_a_body(client):
    tag = (await get(client, ORGANIZATION_NAMES)).headers["etag"]

    response = await get(client, ORGANIZATION_NAMES, **{"if-none-match": tag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == tag


async def test_a_stale_etag_gets_the_full_answer(client):
    response = await get(client, ORGANIZATION_NAMES, **{"if-none-match": '"stale"'})

    assert response.status_code == 200
    assert response.json()["data"]["organizations"]["edges"]


async def test_an_answer_with_errors_is_not_stored(client):
    response = await get(client, INVALID)

    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_post_answers_carry_no_etag(client):
    response = await client.post(GRAPHQL_PATH, json={"query": ORGANIZATION_NAMES}, headers=ACCEPT)

    assert response.status_code == 200
    assert "etag" not in response.headers
