"""The SQL floor of bench/compare.py answers exactly what newsgraph answers, and
bench/statement_cost.py times the statement the server runs (PostgreSQL only)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import RawCursor

from api.graphiql import HEADLINE_QUERY
from bench import statement_cost
from bench.compare import ORGANIZATION_NAME, conninfo, floor_answer
from bench.statement_cost import compiled_headline
from tests.support import graphql, graphql_response


async def test_the_sql_floor_builds_the_headline_querys_data(backend, database_url, client):
    if backend != "postgres":
        pytest.skip("the floor statement is PostgreSQL's JSON aggregation")

    ours = await graphql(client, HEADLINE_QUERY)

    assert floor_answer(database_url, ORGANIZATION_NAME) == ours


async def test_statement_cost_times_the_statement_the_server_runs(backend, database_url, client):
    if backend != "postgres":
        pytest.skip("the statement is timed against PostgreSQL's backends")

    response = await graphql_response(client, HEADLINE_QUERY)
    sql, values = compiled_headline(database_url)
    with psycopg.connect(conninfo(database_url)) as connection:
        row = RawCursor(connection).execute(sql, values, binary=True).fetchone()

    # The statement writes the answer's JSON text, which the response carries as it is.
    assert row is not None
    assert response.content == b'{"data":{"organization":' + row[0] + b"}}"


def test_statement_cost_prints_each_statements_cost(backend, database_url, capsys):
    if backend != "postgres":
        pytest.skip("the statement is timed against PostgreSQL's backends")

    assert (
        statement_cost.main(["--database-url", database_url, "--runs", "3", "--rounds", "1"]) == 0
    )

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["statement", "compiled", "SQL"]
    assert all(float(figure) >= 0 for figure in lines[1].split()[1:])
