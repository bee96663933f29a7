"""OpenTelemetry tracing, when configured: a span per request, a child span per SQL statement."""

from __future__ import annotations

import sys

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from api.app import create_app
from api.tracing import Tracing, TracingUnavailable
from newsgraph.settings import Settings
from tests.support import client_for, graphql, graphql_response

ORGANIZATION_NAMES = "{ organizations(first: 2) { edges { node { name } } } }"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
async def traced(database_url):
    """An app tracing into memory, its client and the exporter holding its spans."""
    settings = Settings(database_url=database_url)
    exporter = InMemorySpanExporter()
    app = create_app(settings, tracing=Tracing(settings, exporter=exporter))
    async with app.router.lifespan_context(app), client_for(app) as client:
        yield client, exporter


async def test_a_request_is_traced_with_its_sql_statements_as_children(traced):
    client, exporter = traced

    await graphql(client, ORGANIZATION_NAMES)

    spans = exporter.get_finished_spans()
    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    statements = [span for span in spans if span.attributes.get("db.statement")]
    assert statements
    assert all(span.parent.span_id == server.context.span_id for span in statements)
    assert all(span.kind is SpanKind.CLIENT for span in statements)


async def test_a_callers_traceparent_is_continued(traced):
    client, exporter = traced

    await graphql_response(client, ORGANIZATION_NAMES, headers={"traceparent": TRACEPARENT})

    assert {format(span.context.trace_id, "032x") for span in exporter.get_finished_spans()} == {
        TRACE_ID
    }


async def test_probes_are_not_traced(traced):
    client, exporter = traced

    await client.get("/healthz")

    assert exporter.get_finished_spans() == ()


def test_tracing_is_off_unless_configured(database_url):
    app = create_app(Settings(database_url=database_url))

    assert not any("OpenTelemetry" in str(middleware.cls) for middleware in app.user_middleware)


def test_tracing_configured_without_opentelemetry_installed_stops_the_app(monkeypatch):
    # A None entry in sys.modules makes the import fail, as if the package were missing.
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)

    with pytest.raises(TracingUnavailable, match=r"pip install 'newsgraph\[tracing\]'"):
        create_app(Settings(tracing_endpoint="http://collector:4318/v1/traces"))
