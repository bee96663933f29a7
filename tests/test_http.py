"""GraphQL over HTTP as its draft specification says: media types, status codes, GraphiQL."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.graphiql import HEADLINE_QUERY
from tests.support import (
    GRAPHQL_PATH,
    client_for,
    graphql,
    graphql_response,
    serving,
    settings_for,
)

TYPENAME = "{ __typename }"
UNPARSEABLE = "{ __typename"
INVALID = "{ noSuchField }"
MUTATION = "mutation { __typename }"
TWO_OPERATIONS = "query First { __typename } query Second { __typename }"
COALITION_NAME = 'query Coalition { organization(name: "CJTF-OIR") { name } }'

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
JSON = "application/json; charset=utf-8"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def post(
    client: httpx.AsyncClient, body: Any, *, accept: str | None = None, **headers: str
) -> httpx.Response:
    if accept is not None:
        headers["accept"] = accept
    return await client.post(GRAPHQL_PATH, content=json.dumps(body), headers=headers or None)


async def post_json(
    client: httpx.AsyncClient, body: Any, accept: str = "application/graphql-response+json"
) -> httpx.Response:
    return await post(client, body, accept=accept, **{"content-type": "application/json"})


def assert_request_error(response: httpx.Response, status_code: int, content_type: str) -> str:
    """The response is a GraphQL body with one error and no data entry; returns its message."""
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == content_type
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"]
    assert "Traceback" not in response.text
    message: str = error["message"]
    return message


# Content negotiation


async def test_a_query_answers_with_the_media_type_the_client_prefers(
    client: httpx.AsyncClient,
) -> None:
    response = await graphql_response(client, TYPENAME)

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_legacy_client_asking_for_json_gets_json(client: httpx.AsyncClient) -> None:
    response = await graphql_response(client, TYPENAME, headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_wildcard_accept_gets_json(client: httpx.AsyncClient) -> None:
    response = await graphql_response(client, TYPENAME, headers={"accept": "*/*"})

    assert response.headers["content-type"] == JSON


async def test_a_missing_accept_gets_the_specifications_media_type(
    client: httpx.AsyncClient,
) -> None:
    request = client.build_request("POST", GRAPHQL_PATH, json={"query": TYPENAME})
    del request.headers["accept"]

    response = await client.send(request)

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/json;q=1, application/graphql-response+json;q=0.5", JSON),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
        ("text/html, application/*;q=0.2", JSON),
        ("application/graphql-response+json;q=0, */*", JSON),
    ],
)
async def test_quality_values_and_wildcards_choose_the_media_type(
    client: httpx.AsyncClient, accept: str, content_type: str
) -> None:
    response = await graphql_response(client, TYPENAME, headers={"accept": accept})

    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


@pytest.mark.parametrize("accept", ["text/plain", "application/xml", "application/json;q=0"])
async def test_an_accept_naming_no_json_media_type_is_406(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await graphql_response(client, TYPENAME, headers={"accept": accept})

    message = assert_request_error(response, 406, JSON)
    assert "application/graphql-response+json" in message


# GET


async def test_get_runs_a_query_from_the_url(client: httpx.AsyncClient) -> None:
    response = await client.get(
        GRAPHQL_PATH,
        params={
            "query": "query Q($name: String!) { organization(name: $name) { name } }",
            "variables": json.dumps({"name": "CJTF-OIR"}),
        },
        headers={"accept": "application/graphql-response+json"},
    )

    assert response.status_code == 200
    assert response.json()["data"]["organization"]["name"]


async def test_get_refuses_a_mutation_with_405_before_running_it(client: httpx.AsyncClient) -> None:
    response = await client.get(
        GRAPHQL_PATH, params={"query": MUTATION}, headers={"accept": "application/json"}
    )

    message = assert_request_error(response, 405, JSON)
    assert response.headers["allow"] == "POST"
    assert "POST" in message


async def test_get_with_variables_that_are_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(GRAPHQL_PATH, params={"query": TYPENAME, "variables": "{not json"})

    message = assert_request_error(response, 400, JSON)
    assert "variables" in message


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
async def test_methods_other_than_get_and_post_are_405(
    client: httpx.AsyncClient, method: str
) -> None:
    response = await client.request(method, GRAPHQL_PATH)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert response.json()["errors"][0]["message"] == (
            f"GraphQL requests use GET or POST, not {method}."
        )


# POST: requests that are not well-formed GraphQL-over-HTTP requests


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await post(client, {"query": TYPENAME}, accept="application/json", **headers)

    message = assert_request_error(response, 415, JSON)
    assert "application/json" in message


async def test_a_charset_other_than_utf8_is_415(client: httpx.AsyncClient) -> None:
    response = await post(
        client, {"query": TYPENAME}, **{"content-type": "application/json; charset=latin-1"}
    )

    assert_request_error(response, 415, JSON)


async def test_a_utf8_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await post(
        client,
        {"query": TYPENAME},
        accept="application/graphql-response+json",
        **{"content-type": "application/json; charset=UTF-8"},
    )

    assert response.status_code == 200


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
async def test_unparseable_json_is_400_whatever_the_media_type(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.post(
        GRAPHQL_PATH,
        content=b'{"query":',
        headers={"content-type": "application/json", "accept": accept},
    )

    message = assert_request_error(response, 400, f"{accept}; charset=utf-8")
    assert message == "The request body is not valid JSON."


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ({}, "Missing `query`"),
        ({"qeury": TYPENAME}, "Missing `query`"),
        ({"query": ""}, "Missing `query`"),
        ({"query": 7}, "`query` must be a string"),
        ({"query": {"document": TYPENAME}}, "`query` must be a string"),
        ({"query": TYPENAME, "variables": [7]}, "`variables` must be a JSON object"),
        ({"query": TYPENAME, "variables": "{}"}, "`variables` must be a JSON object"),
        ({"query": TYPENAME, "operationName": 1}, "`operationName` must be a string"),
        ({"query": TYPENAME, "extensions": True}, "`extensions` must be a JSON object"),
        ([{"query": TYPENAME}], "must be a JSON object"),
        ("query", "must be a JSON object"),
    ],
)
@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
async def test_invalid_parameters_are_400_whatever_the_media_type(
    client: httpx.AsyncClient, body: Any, complaint: str, accept: str
) -> None:
    response = await post_json(client, body, accept=accept)

    assert complaint in assert_request_error(response, 400, f"{accept}; charset=utf-8")


async def test_null_optional_parameters_are_the_same_as_none(client: httpx.AsyncClient) -> None:
    body = {"query": TYPENAME, "variables": None, "operationName": None, "extensions": None}

    response = await post_json(client, body)

    assert response.json() == {"data": {"__typename": "Query"}}


# POST: well-formed requests whose GraphQL is not executable


@pytest.mark.parametrize(
    ("query", "variables", "complaint"),
    [
        (UNPARSEABLE, None, "Syntax Error"),
        (INVALID, None, "Cannot query field 'noSuchField'"),
        (COALITION_NAME.replace("Coalition {", "Coalition($name: String!) {"), None, "$name"),
        ("query Q($name: String!) { organization(name: $name) { name } }", {"name": 7}, "$name"),
    ],
    ids=["unparseable", "invalid", "missing-variable", "variable-of-wrong-type"],
)
async def test_graphql_request_errors_are_400_with_the_specifications_media_type(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, complaint: str
) -> None:
    response = await graphql_response(client, query, variables)

    assert complaint in assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON)


@pytest.mark.parametrize("query", [UNPARSEABLE, INVALID])
async def test_graphql_request_errors_are_200_for_legacy_json_clients(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await graphql_response(client, query, headers={"accept": "application/json"})

    assert_request_error(response, 200, JSON)


async def test_an_operation_that_cannot_be_chosen_is_a_request_error(
    client: httpx.AsyncClient,
) -> None:
    response = await graphql_response(client, TWO_OPERATIONS)

    assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON)


async def test_an_unknown_operation_name_is_a_request_error(client: httpx.AsyncClient) -> None:
    response = await post_json(client, {"query": TWO_OPERATIONS, "operationName": "Third"})

    assert "Third" in assert_request_error(response, 400, GRAPHQL_RESPONSE_JSON)


async def test_the_operation_name_picks_one_of_several(client: httpx.AsyncClient) -> None:
    response = await post_json(client, {"query": TWO_OPERATIONS, "operationName": "Second"})

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_mutation_document_over_post_is_not_refused_for_its_method(
    client: httpx.AsyncClient,
) -> None:
    response = await graphql_response(client, MUTATION)

    # The schema decides (it may have no mutations yet); the method never does.
    assert response.status_code != 405


# The request's session


async def test_each_request_returns_its_connection_to_the_pool(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    data = await graphql(client, HEADLINE_QUERY)

    assert data["organization"] is not None
    assert app.state.engine.sync_engine.pool.checkedout() == 0


# Failures inside the app


async def test_an_internal_failure_is_a_500_graphql_body_without_internals(
    database_url: str,
) -> None:
    # The lifespan never runs, so the view finds no session factory: a bug of the app's own.
    broken = create_app(settings_for(database_url))

    async with client_for(broken) as client:
        response = await graphql_response(client, TYPENAME)

    assert response.status_code == 500
    assert response.json() == {"errors": [{"message": "Internal server error."}]}


# GraphiQL and the health check


async def test_a_browser_gets_graphiql_opened_on_the_headline_query(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(GRAPHQL_PATH, headers={"accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "graphiql" in response.text.lower()
    assert json.dumps(HEADLINE_QUERY) in response.text


async def test_a_browser_asking_with_a_query_gets_the_result_not_graphiql(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        GRAPHQL_PATH, params={"query": TYPENAME}, headers={"accept": BROWSER_ACCEPT}
    )

    assert response.headers["content-type"] == JSON
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_get_without_query_from_a_non_browser_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get(GRAPHQL_PATH, headers={"accept": "*/*"})

    assert "Missing `query`" in assert_request_error(response, 400, JSON)


async def test_graphiql_is_not_served_when_settings_turn_it_off(database_url: str) -> None:
    async with serving(database_url, graphiql=False) as (_, client):
        response = await client.get(GRAPHQL_PATH, headers={"accept": BROWSER_ACCEPT})

    assert response.headers["content-type"] == JSON
    assert_request_error(response, 400, JSON)


async def test_healthz_says_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.text == "ok"
