"""CORS for configured frontend origins; GraphiQL and introspection can be switched off."""

from __future__ import annotations

from newsgraph.settings import Settings
from tests.support import GRAPHQL_PATH, graphql_response, serving

FRONTEND = "https://frontend.example"
ELSEWHERE = "https://elsewhere.example"
TYPENAME = "{ __typename }"
INTROSPECTION = "{ __schema { queryType { name } } }"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }


async def test_a_configured_origin_passes_the_preflight(database_url):
    async with serving(database_url, cors_origins=[FRONTEND]) as (_, client):
        response = await client.options(GRAPHQL_PATH, headers=preflight(FRONTEND))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_a_configured_origin_may_read_the_answer(database_url):
    async with serving(database_url, cors_origins=[FRONTEND]) as (_, client):
        response = await graphql_response(client, TYPENAME, headers={"origin": FRONTEND})

    assert response.headers["access-control-allow-origin"] == FRONTEND
    assert "ETag" in response.headers["access-control-expose-headers"]


async def test_another_origin_is_not_allowed(database_url):
    async with serving(database_url, cors_origins=[FRONTEND]) as (_, client):
        preflight_response = await client.options(GRAPHQL_PATH, headers=preflight(ELSEWHERE))
        response = await graphql_response(client, TYPENAME, headers={"origin": ELSEWHERE})

    assert preflight_response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_without_configured_origins_no_cors_headers_are_sent(client):
    response = await graphql_response(client, TYPENAME, headers={"origin": FRONTEND})

    assert "access-control-allow-origin" not in response.headers


def test_origins_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSGRAPH_CORS_ORIGINS", f"{FRONTEND}, {ELSEWHERE}")

    assert Settings().cors_origins == [FRONTEND, ELSEWHERE]


async def test_graphiql_switched_off_leaves_browsers_a_graphql_error(database_url):
    async with serving(database_url, graphiql=False) as (_, client):
        response = await client.get(GRAPHQL_PATH, headers={"accept": BROWSER_ACCEPT})

    assert "text/html" not in response.headers["content-type"]
    assert response.status_code == 400
