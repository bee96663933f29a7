"""Hostile input that parses: values the database cannot hold are bad input, not internal errors."""

from __future__ import annotations

import base64

from tests.support import count_sql, graphql_response

HUGE = "9" * 30
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
ARTICLES_AFTER = "query Page($after: String) { articles(after: $after) { totalCount } }"


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


async def test_an_id_beyond_the_databases_integers_is_a_malformed_id(client):
    response = await graphql_response(client, NODE, {"id": encoded(f"Article:{HUGE}")})

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Malformed ID")


async def test_a_cursor_beyond_the_databases_integers_is_a_malformed_cursor(client):
    response = await graphql_response(client, ARTICLES_AFTER, {"after": encoded(f"offset:{HUGE}")})

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("Malformed cursor")


ORGANIZATION_BY_NAME = "query Organization($name: String!) { organization(name: $name) { name } }"


async def test_a_nul_character_in_a_variable_is_bad_input(app, client):
    with count_sql(app) as sql:
        response = await graphql_response(client, ORGANIZATION_BY_NAME, {"name": "CJTF\u0000OIR"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sql.count == 0


async def test_a_nul_character_in_a_string_literal_is_bad_input(client):
    response = await graphql_response(client, '{ organization(name: "CJTF\\u0000OIR") { name } }')

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_lone_surrogate_in_a_variable_is_bad_input(client):
    # Written by hand: JSON allows the escape, but no encoder produces it from a str.
    body = '{"query": "query Organization($name: String!) { organization(name: $name) { name } }", "variables": {"name": "\\ud800"}}'
    response = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "accept": "application/graphql-response+json"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


ARTICLES_PUBLISHED_AFTER = (
    "query Page($after: DateTime!) { articles(filter: { publishedAfter: $after }) { totalCount } }"
)


async def test_a_time_without_an_offset_is_bad_input(client):
    response = await graphql_response(
        client, ARTICLES_PUBLISHED_AFTER, {"after": "2020-01-05T12:00:00"}
    )

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "UTC offset" in error["message"]


async def test_a_time_that_leaves_the_calendar_in_utc_is_bad_input(client):
    response = await graphql_response(
        client, ARTICLES_PUBLISHED_AFTER, {"after": "0001-01-01T00:00:00+14:00"}
    )

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "out of range" in error["message"]


async def test_a_time_with_an_offset_filters_as_that_instant(client):
    response = await graphql_response(
        client, ARTICLES_PUBLISHED_AFTER, {"after": "2020-01-05T13:00:00+01:00"}
    )

    assert response.json()["data"]["articles"]["totalCount"] >= 1


async def test_an_error_quoting_a_lone_surrogate_is_still_answered(fresh_database):
    """The error names the unknown operation as sent; the response must still encode (JSON
    text carries a lone surrogate as an escape, which orjson refuses to write)."""
    response = await fresh_database.client.post(
        "/graphql",
        content=b'{"query": "query A { articles { totalCount } }", "operationName": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code < 500
    assert response.json()["errors"][0]["message"] == 'Unknown operation named "\ud800".'
