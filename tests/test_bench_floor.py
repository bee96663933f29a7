"""The SQL floor of bench/compare.py answers exactly what newsgraph answers (PostgreSQL only)."""

from __future__ import annotations

import pytest

from api.graphiql import HEADLINE_QUERY
from bench.compare import ORGANIZATION_NAME, floor_answer
from tests.support import graphql


async def test_the_sql_floor_builds_the_headline_querys_data(backend, database_url, client):
    if backend != "postgres":
        pytest.skip("the floor statement is PostgreSQL's JSON aggregation")

    ours = await graphql(client, HEADLINE_QUERY)

    assert floor_answer(database_url, ORGANIZATION_NAME) == ours
