"""Fuzzing: generated valid and invalid requests never get a 5xx or an internal error.

Valid queries come from schemathesis's GraphQL mode and hypothesis-graphql, built from
`schema.graphql`; invalid ones are arbitrary text, JSON and variables. All go to a real server
over a socket. Example counts are bounded to keep the suite quick (50 per test); set
NEWSGRAPH_TEST_FUZZ_EXAMPLES to raise them when hunting.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from tests.conftest import SUITE_ENVIRONMENT

SDL = (Path(__file__).parent.parent / "schema.graphql").read_text()
EXAMPLES = SUITE_ENVIRONMENT.fuzz_examples
MASKED = "Internal server error."
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Times with and without offsets, across the whole calendar: the edges have broken filters before.
OFFSETS = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]
)
CUSTOM_SCALARS = {
    "Date": st.dates().map(lambda day: nodes.String(day.isoformat())),
    "DateTime": st.datetimes(timezones=OFFSETS).map(
        lambda moment: nodes.String(moment.isoformat())
    ),
}
for name, strategy in CUSTOM_SCALARS.items():
    schemathesis.graphql.scalar(name, strategy)
schema = schemathesis.graphql.from_file(SDL)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def assert_handled(response: httpx.Response | Any) -> None:
    """No 5xx, and every error is one the server meant to send."""
    assert response.status_code < 500, response.text
    if response.status_code == 304 or not response.content:
        return
    body = response.json()
    for error in body.get("errors", []) if isinstance(body, dict) else []:
        assert error["message"] != MASKED, body
        assert "Traceback" not in error["message"]


@pytest.fixture(scope="module")
def http(live_url: str):
    with httpx.Client(base_url=live_url, timeout=30) as client:
        yield client


@schema.parametrize()
@FUZZ_SETTINGS
def test_schemathesis_generated_queries_are_answered(case, live_url):
    response = case.call(base_url=f"{live_url}/graphql")

    assert_handled(response)


@FUZZ_SETTINGS
@given(query=queries(SDL, custom_scalars=CUSTOM_SCALARS))
def test_hypothesis_graphql_queries_are_answered(http, query):
    assert_handled(http.post("/graphql", json={"query": query}))


@FUZZ_SETTINGS
@given(query=queries(SDL, custom_scalars=CUSTOM_SCALARS, mode=Mode.NEGATIVE))
def test_hypothesis_graphql_invalid_queries_are_answered(http, query):
    assert_handled(http.post("/graphql", json={"query": query}))


@FUZZ_SETTINGS
@given(query=st.text(max_size=200), variables=JSON_VALUES)
def test_arbitrary_text_and_variables_are_answered(http, query, variables):
    assert_handled(http.post("/graphql", json={"query": query, "variables": variables}))


@FUZZ_SETTINGS
@given(body=JSON_VALUES)
def test_arbitrary_json_bodies_are_answered(http, body):
    assert_handled(
        http.post(
            "/graphql", content=json.dumps(body), headers={"content-type": "application/json"}
        )
    )


@FUZZ_SETTINGS
@given(
    parameters=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions"]), st.text(max_size=50)
    )
)
def test_arbitrary_get_parameters_are_answered(http, parameters):
    assert_handled(http.get("/graphql", params=parameters, headers={"accept": "application/json"}))
