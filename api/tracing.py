"""OpenTelemetry tracing, when configured: a span per request and per SQL statement.

OpenTelemetry is an optional dependency (`pip install 'newsgraph[tracing]'`); nothing here
imports it unless NEWSGRAPH_TRACING_ENDPOINT is set or a test asks for tracing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from db import prepared_reads
from newsgraph.settings import Settings

# Probes and scrapes every few seconds would drown the traces that matter.
_UNTRACED_PATHS = "healthz,readyz,metrics"
_STATEMENT_CHARACTERS = 2000


class TracingUnavailable(RuntimeError):
    """Tracing is configured but OpenTelemetry is not installed."""


class Tracing:
    """One app's tracer provider, exporting to OTLP/HTTP (or to `exporter`, in tests)."""

    def __init__(self, settings: Settings, exporter: Any = None) -> None:
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        except ImportError as error:
            raise TracingUnavailable(
                "NEWSGRAPH_TRACING_ENDPOINT is set but OpenTelemetry is not installed: "
                "pip install 'newsgraph[tracing]'."
            ) from error
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": settings.tracing_service_name})
        )
        if exporter is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            self.provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.tracing_endpoint))
            )
        else:
            self.provider.add_span_processor(SimpleSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("newsgraph")

    def middleware(self) -> Middleware:
        """A server span per HTTP request, continuing the caller's `traceparent`."""
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        return Middleware(
            OpenTelemetryMiddleware,
            tracer_provider=self.provider,
            excluded_urls=_UNTRACED_PATHS,
        )

    def watch_engine(self, engine: AsyncEngine) -> None:
        """A client span per SQL statement a request runs, under the request's span."""
        from opentelemetry.trace import SpanKind, Status, StatusCode, get_current_span

        sync_engine = engine.sync_engine
        system = sync_engine.dialect.name

        def client_span(statement: str) -> Any | None:
            if not get_current_span().get_span_context().is_valid:
                # Outside any request (the embargo scheduler's poll, every second): no trace.
                return None
            return self.tracer.start_span(
                statement.split(None, 1)[0].upper() if statement.strip() else "SQL",
                kind=SpanKind.CLIENT,
                attributes={
                    "db.system": system,
                    "db.statement": statement[:_STATEMENT_CHARACTERS],
                },
            )

        def before(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
            span = client_span(statement)
            if span is not None:
                args[-2]._newsgraph_span = span

        def after(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
            span = getattr(args[-2], "_newsgraph_span", None)
            if span is not None:
                span.end()

        def failed(exception_context: Any) -> None:
            span = getattr(exception_context.execution_context, "_newsgraph_span", None)
            if span is not None:
                span.set_status(
                    Status(StatusCode.ERROR, type(exception_context.original_exception).__name__)
                )
                span.end()

        @contextmanager
        def prepared_read(statement: str) -> Iterator[None]:
            # Compiled reads run on the driver's connection, past the engine's events.
            span = client_span(statement)
            if span is None:
                yield
                return
            try:
                yield
            except BaseException as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                raise
            finally:
                span.end()

        prepared_reads.observe(sync_engine, prepared_read)
        event.listen(sync_engine, "before_cursor_execute", before)
        event.listen(sync_engine, "after_cursor_execute", after)
        event.listen(sync_engine, "handle_error", failed)

    def shutdown(self) -> None:
        """Export what is buffered; called when the app stops."""
        self.provider.shutdown()
