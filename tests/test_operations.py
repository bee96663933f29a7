"""Operations: health and readiness probes, Prometheus metrics, request ids and JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.graphiql import HEADLINE_QUERY
from api.request_log import JSONFormatter
from db.reads import Reader
from newsgraph.settings import Settings
from tests.live import free_port, live_server
from tests.support import GRAPHQL_PATH, graphql, graphql_response, serving

TYPENAME = "{ __typename }"
ORGANIZATION_NAMES = "{ organizations(first: 2) { edges { node { name } } } }"
INVALID = "{ noSuchField }"
ARTICLE_WITH_PUBLISHER = """
query { article(slug: "us-led-coalition-suspends-anti-isis-operations") { headline publisher { name } } }
"""
# Nothing listens on port 1: connecting fails at once.
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/test"


async def test_healthz_answers_while_the_process_runs(client):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.text == "ok"


async def test_readyz_answers_200_when_the_database_does(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok"}


async def test_readyz_answers_503_when_the_database_is_unreachable():
    async with serving(UNREACHABLE_POSTGRES) as (_, client):
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_metrics_count_requests_by_path_and_status(client):
    await graphql(client, TYPENAME)

    metrics = (await client.get("/metrics")).text

    assert 'newsgraph_http_requests_total{method="POST",path="/graphql",status="200"}' in metrics
    assert (
        'newsgraph_http_request_duration_seconds_bucket{le="0.005",method="POST",path="/graphql"}'
        in metrics
    )


async def test_metrics_report_the_connection_pool(client, backend):
    await graphql_response(client, HEADLINE_QUERY)  # a compiled read

    metrics = (await client.get("/metrics")).text

    assert "newsgraph_db_pool_checked_out " in metrics
    assert "newsgraph_db_pool_size " in metrics
    # Compiled reads on PostgreSQL have connections of their own, all free again by now.
    reads = "newsgraph_db_read_connections_size 6.0" in metrics
    assert reads == (backend == "postgres")
    assert ("newsgraph_db_read_connections_in_use 0.0" in metrics) == reads


async def test_metrics_count_graphql_errors_by_code(client):
    await graphql_response(client, INVALID)

    metrics = (await client.get("/metrics")).text

    assert 'newsgraph_graphql_errors_total{code="BAD_REQUEST"}' in metrics


async def test_unknown_paths_share_one_label(client):
    await client.get("/wp-admin/setup.php")

    metrics = (await client.get("/metrics")).text

    assert "wp-admin" not in metrics
    assert 'path="other",status="404"' in metrics


async def test_a_clients_request_id_is_echoed(client):
    response = await graphql_response(client, TYPENAME, headers={"x-request-id": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"


async def test_a_request_without_an_id_gets_one(client):
    first = await graphql_response(client, TYPENAME)
    second = await graphql_response(client, TYPENAME)

    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_request_id_that_is_not_an_id_is_replaced(client):
    response = await graphql_response(client, TYPENAME, headers={"x-request-id": "a b\tc"})

    assert response.headers["x-request-id"] != "a b\tc"


async def test_the_access_log_is_one_json_object_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="newsgraph.access"):
        # Straight to the app: graphql_response would also ask the shared client's twin.
        await client.post(
            GRAPHQL_PATH, json={"query": TYPENAME}, headers={"x-request-id": "access-1"}
        )

    (record,) = [r for r in caplog.records if r.name == "newsgraph.access"]
    entry = json.loads(JSONFormatter().format(record))
    assert entry["request_id"] == "access-1"
    assert entry["method"] == "POST"
    assert entry["path"] == "/graphql"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0


@pytest.fixture
def broken_id_lookups(monkeypatch):
    async def fail(self, model, ids):
        raise RuntimeError("boom")

    monkeypatch.setattr(Reader, "by_ids", fail)


async def test_an_error_logged_during_a_request_carries_its_id(
    database_url, broken_id_lookups, caplog
):
    # The broken lookup lives on the resolver path.
    async with serving(database_url, compiled_reads=False) as (_, client):
        with caplog.at_level(logging.ERROR):
            await graphql_response(
                client, ARTICLE_WITH_PUBLISHER, headers={"x-request-id": "err-7"}
            )

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert all(json.loads(JSONFormatter().format(r))["request_id"] == "err-7" for r in errors)


def test_sigterm_shuts_the_server_down_cleanly(tmp_path):
    log = tmp_path / "server.log"
    with live_server(f"sqlite:///{tmp_path / 'db.sqlite'}", log, log_level="info") as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
    # Leaving the block sent SIGTERM and waited for the process to exit.

    messages = [json.loads(line)["message"] for line in log.read_text().splitlines()]
    assert "Application shutdown complete." in messages
    assert any(message.startswith("Finished server process") for message in messages)


@pytest.fixture
def slow_id_lookups(monkeypatch):
    """Lookups by ID that take a second; `started` is set when one begins."""
    started = asyncio.Event()

    async def slow(self, model, ids):
        started.set()
        await asyncio.sleep(1)
        return {}

    monkeypatch.setattr(Reader, "by_ids", slow)
    return started


async def test_a_request_in_flight_finishes_when_the_server_shuts_down(
    database_url, slow_id_lookups
):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(database_url=database_url, compiled_reads=False)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=10,
        )
    )
    serving_task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        in_flight = asyncio.create_task(
            graphql_response(client, ARTICLE_WITH_PUBLISHER, headers={"x-request-id": "last"})
        )
        await slow_id_lookups.wait()
        server.should_exit = True  # what SIGTERM does
        response = await in_flight
    await serving_task

    assert response.status_code == 200
    assert response.json()["data"]["article"]["headline"]
