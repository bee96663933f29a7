"""GraphQL over HTTP as the GraphQL-over-HTTP draft specifies it, on Strawberry's ASGI view.

Strawberry's stock view ignores `Accept`, answers request errors with 200 or a plain-text
400, and refuses GET mutations with 400; this one negotiates the response media type,
uses the status codes the specification asks for, and always answers with a GraphQL JSON
body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from graphql import OperationType as DocumentOperationType
from graphql.utilities import get_operation_ast
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import process_result
from strawberry.schema import Schema
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import caching
from api import query_limits as limits
from api.compiler import ReadCompiler, parameters
from api.context import RequestContext
from api.disconnects import ClientDisconnected, cancelled_on_disconnect
from api.errors import MASKED_MESSAGE, ClientError
from api.graphiql import render_graphiql
from api.live.context import LiveContext
from api.metrics import Metrics
from api.persisted import (
    PersistedQueries,
    PersistedQueryError,
    SharedRegistry,
    load_trusted_documents,
)
from api.rate_limits import limits_for
from api.read_your_writes import prefer_primary_if_recent_writer, remember_write
from api.response_cache import CACHE_HEADER, HIT, MISS, CachedAnswer, ResponseCache
from api.text_input import check_text
from api.viewers import Unauthenticated, viewer_of
from db import faults
from db.data_version import data_state
from db.routing import bound_engine
from db.visibility import Role, Viewer
from newsgraph.settings import Settings

logger = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# Which path answered a query: "compiled" (one SQL statement per root field) or "resolver".
READ_PATH_HEADER = "X-Newsgraph-Read-Path"
HTML = "text/html"

TIMEOUT = "TIMEOUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"

# How many checked requests _check_limits remembers.
_CHECKED_REQUESTS = 1024
_ALLOWED_METHODS = ("GET", "POST")
_OPERATIONS_BY_METHOD = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


class _RequestError(Exception):
    """A request the view answers with an error instead of executing it."""

    def __init__(
        self,
        status_code: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = dict(headers or {})
        self.extensions = dict(extensions) if extensions else None


@dataclass(frozen=True)
class _GraphQLRequest:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


@dataclass(frozen=True)
class _MediaRange:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """2 for an exact match, 1 for `type/*`, 0 for `*/*`, None when it doesn't match."""
        type_, _, subtype = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else None
        if self.type != type_:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else None


def _split_header_value(value: str) -> tuple[str, dict[str, str]]:
    """`application/json; charset=utf-8` → ("application/json", {"charset": "utf-8"})."""
    media_type, *parameters = (part.strip() for part in value.split(";"))
    parsed: dict[str, str] = {}
    for parameter in parameters:
        name, _, parameter_value = parameter.partition("=")
        parsed[name.strip().lower()] = parameter_value.strip().strip('"')
    return media_type.lower(), parsed


def _parse_accept(header: str) -> list[_MediaRange]:
    ranges = []
    for item in header.split(","):
        if not item.strip():
            continue
        media_range, parameters = _split_header_value(item)
        type_, slash, subtype = media_range.partition("/")
        if not slash or not type_ or not subtype:
            continue  # malformed ranges are ignored rather than failing the request
        try:
            quality = min(max(float(parameters.get("q", "1")), 0.0), 1.0)
        except ValueError:
            continue
        ranges.append(_MediaRange(type_, subtype, quality))
    return ranges


def _acceptability(media_type: str, ranges: list[_MediaRange]) -> tuple[float, int]:
    """The quality the most specific matching range gives `media_type`, and that specificity."""
    matches = [
        (specificity, media_range.quality)
        for media_range in ranges
        if (specificity := media_range.specificity(media_type)) is not None
    ]
    if not matches:
        return 0.0, -1
    specificity, quality = max(matches)
    return quality, specificity


@lru_cache(maxsize=256)  # clients send the same few headers over and over
def _negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header, or None when neither JSON type is acceptable.

    A client that names both GraphQL media types equally gets the specification's
    application/graphql-response+json; one that only sends a wildcard (curl's `*/*`) gets the
    legacy application/json it most likely expects. Since the 2025 watershed the specification
    reads a missing `Accept` as application/graphql-response+json.
    """
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    ranges = _parse_accept(accept)
    best: tuple[tuple[float, int, bool], str] | None = None
    for media_type in (GRAPHQL_RESPONSE_JSON, JSON):
        quality, specificity = _acceptability(media_type, ranges)
        if quality <= 0:
            continue
        preferred = media_type == (GRAPHQL_RESPONSE_JSON if specificity == 2 else JSON)
        rank = (quality, specificity, preferred)
        if best is None or rank > best[0]:
            best = (rank, media_type)
    return best[1] if best else None


def _wants_html(accept: str | None) -> bool:
    """Whether the client names text/html (a browser does; `*/*` alone does not)."""
    if not accept:
        return False
    ranges = _parse_accept(accept)
    html_quality, specificity = _acceptability(HTML, ranges)
    if specificity != 2 or html_quality <= 0:
        return False
    json_quality = max(_acceptability(media, ranges)[0] for media in (GRAPHQL_RESPONSE_JSON, JSON))
    return html_quality >= json_quality


def _optional(parameters: Mapping[str, object], name: str, kind: type, description: str) -> Any:
    value = parameters.get(name)
    if value is not None and not isinstance(value, kind):
        raise _RequestError(400, f"`{name}` must be {description} or null.")
    return value


def _request_from_parameters(parameters: Mapping[str, object]) -> _GraphQLRequest:
    extensions = _optional(parameters, "extensions", dict, "a JSON object")
    query = parameters.get("query")
    if query is None or query == "":
        if extensions is None or "persistedQuery" not in extensions:
            raise _RequestError(
                400, "Missing `query`: send the GraphQL document to run in `query`."
            )
        query = ""  # persisted: the hash in `extensions` names the document
    if not isinstance(query, str):
        raise _RequestError(400, "`query` must be a string holding a GraphQL document.")
    return _GraphQLRequest(
        query=query,
        # The specification makes an empty operationName the same as none.
        operation_name=_optional(parameters, "operationName", str, "a string") or None,
        variables=_optional(parameters, "variables", dict, "a JSON object"),
        extensions=extensions,
    )


def _too_large(limit: int) -> _RequestError:
    return _RequestError(
        413,
        f"The request is larger than {limit} bytes; send a shorter document.",
        extensions={"code": limits.LIMIT_EXCEEDED, "limit": "bodyBytes", "maximum": limit},
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it grows past `limit` bytes (whatever Content-Length says)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_query_string(request: Request, limit: int) -> _GraphQLRequest:
    if len(request.url.query) > limit:
        raise _too_large(limit)
    parameters: dict[str, object] = dict(request.query_params)
    for name in ("variables", "extensions"):
        encoded = parameters.get(name)
        if not encoded:
            parameters[name] = None
            continue
        try:
            parameters[name] = json.loads(str(encoded))
        except ValueError as error:
            raise _RequestError(400, f"`{name}` must be a JSON-encoded object.") from error
    return _request_from_parameters(parameters)


async def _parse_body(request: Request, limit: int) -> _GraphQLRequest:
    content_type = request.headers.get("content-type")
    if content_type is None:
        raise _RequestError(
            415, "Missing Content-Type: send the GraphQL request as application/json."
        )
    media_type, parameters = _split_header_value(content_type)
    if media_type != JSON:
        raise _RequestError(
            415, f"Unsupported Content-Type {media_type!r}: send the GraphQL request as {JSON}."
        )
    if parameters.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise _RequestError(415, "Unsupported charset: send the GraphQL request as UTF-8.")
    body = await _read_body(request, limit)
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        # orjson is the fast path; json also reads what orjson refuses (lone surrogate
        # escapes, integers past 64 bits), and the specification asks for no more than JSON.
        try:
            decoded = json.loads(body)
        except ValueError as error:  # includes UnicodeDecodeError
            raise _RequestError(400, "The request body is not valid JSON.") from error
    if not isinstance(decoded, dict):
        raise _RequestError(
            400, "The request body must be a JSON object with a `query`; batches are not supported."
        )
    return _request_from_parameters(decoded)


def _count_operations(document: DocumentNode | None) -> int:
    """How many operations the document defines; 0 when it doesn't parse."""
    if document is None:
        return 0
    return sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)


def _is_request_error(result: ExecutionResult) -> bool:
    """Whether the operation never ran: the document failed to parse, validate or coerce variables.

    Errors raised while executing always carry the path of their field; these never do.
    """
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock.now()
    return now


def _request_error_status(media_type: str) -> int:
    # A request that parsed as HTTP but not as an executable GraphQL operation: the
    # specification wants 400 with its own media type and 200 for legacy application/json.
    return 400 if media_type == GRAPHQL_RESPONSE_JSON else 200


def _error_code(error: Mapping[str, Any]) -> str:
    """The error's `extensions.code`; masked bugs and plain request errors get names here."""
    code = (error.get("extensions") or {}).get("code")
    if isinstance(code, str):
        return code
    return "INTERNAL_SERVER_ERROR" if error.get("message") == MASKED_MESSAGE else "BAD_REQUEST"


class GraphQLView(GraphQL[RequestContext, None]):
    """POST and GET /graphql; GraphiQL for browsers when the settings allow it."""

    def __init__(
        self,
        schema: BaseSchema,
        settings: Settings,
        metrics: Metrics | None = None,
        shared_persisted_queries: SharedRegistry | None = None,
        response_cache: ResponseCache | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self._metrics = metrics
        # The limits walk graphql-core's schema, which only a strawberry.Schema carries.
        assert isinstance(schema, Schema)
        self._graphql_schema = schema._schema
        # Requests that passed every check, by what the checks read: clients repeat theirs.
        self._checked: OrderedDict[tuple[str, str | None, bytes], tuple[DocumentNode, int]] = (
            OrderedDict()
        )
        self._graphiql_page = render_graphiql() if settings.graphiql else None
        trusted = (
            load_trusted_documents(settings.trusted_documents)
            if settings.trusted_documents is not None
            else None
        )
        self._persisted = PersistedQueries(
            trusted, settings.persisted_query_cache_size, shared_persisted_queries
        )
        self._response_cache = response_cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Subscriptions: Strawberry speaks graphql-transport-ws, with the protocol's close
            # codes for a bad or late connection_init, early subscribes and duplicate ids.
            await super().__call__(scope, receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(
                f"{type(self).__name__} serves HTTP and WebSocket, not {scope['type']!r}"
            )
        request = Request(scope, receive)
        try:
            response = await self._handle(request)
        except ClientDisconnected:
            logger.info("client disconnected; its request was cancelled")
            return  # nobody to answer
        except Exception as error:
            # A connection found dead (or a pool that stays exhausted) outside the execution
            # itself, such as by the key lookup: the client should retry, not give up.
            fault = self._database_fault_response(error, JSON)
            if fault is None:
                # Whatever went wrong, the client gets a GraphQL body and never a traceback.
                logger.exception("unhandled error serving %s %s", request.method, request.url.path)
                fault = self._error_response(500, MASKED_MESSAGE, JSON)
            else:
                logger.warning("database fault serving %s: %s", request.url.path, error)
            response = fault
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        media_type = _negotiate(accept)
        try:
            if request.method not in _ALLOWED_METHODS:
                raise _RequestError(
                    405,
                    f"GraphQL requests use GET or POST, not {request.method}.",
                    {"Allow": ", ".join(_ALLOWED_METHODS)},
                )
            if (
                self._graphiql_page is not None
                and request.method == "GET"
                and "query" not in request.query_params
                and _wants_html(accept)
            ):
                return await self.render_graphql_ide(request)
            if media_type is None:
                raise _RequestError(
                    406, f"Not acceptable: ask for {GRAPHQL_RESPONSE_JSON} or {JSON} in Accept."
                )
            limit = self.settings.max_body_bytes
            if request.method == "GET":
                graphql_request = _parse_query_string(request, limit)
            else:
                graphql_request = await _parse_body(request, limit)
            try:
                graphql_request = replace(
                    graphql_request,
                    query=await self._persisted.resolve(
                        graphql_request.query, graphql_request.extensions
                    ),
                )
            except PersistedQueryError as error:
                return self._request_error_response(error.message, media_type, {"code": error.code})
            # First: the token limit must bound every parse, including the one just below.
            try:
                document, cost = self._check_limits(graphql_request)
            except limits.QueryRejected as rejection:
                return self._request_error_response(
                    rejection.message, media_type, rejection.extensions
                )
            # Strawberry runs the first of several operations when none is named; the GraphQL
            # specification makes that a request error.
            if graphql_request.operation_name is None and _count_operations(document) > 1:
                return self._request_error_response(
                    "The document defines several operations: name the one to run in "
                    "`operationName`.",
                    media_type,
                )
            return await self._execute(request, graphql_request, document, cost, media_type)
        except _RequestError as error:
            return self._error_response(
                error.status_code,
                error.message,
                media_type or JSON,
                error.headers,
                error.extensions,
            )

    def _check_limits(self, graphql_request: _GraphQLRequest) -> tuple[DocumentNode | None, int]:
        """Refuse a document that exceeds a limit, before a session opens or SQL runs.

        Returns the parsed document for the checks after it, or None for a syntax error,
        which passes through: execution reports it as usual; and the document's cost, which
        the rate limits charge too (0 when it does not parse).
        """
        try:
            key = (
                graphql_request.query,
                graphql_request.operation_name,
                orjson.dumps(graphql_request.variables, option=orjson.OPT_SORT_KEYS),
            )
        except TypeError:
            key = None  # variables orjson cannot encode: check without remembering
        if key is not None and (checked := self._checked.get(key)) is not None:
            self._checked.move_to_end(key)
            return checked
        try:
            document = limits.parse_limited(graphql_request.query, self.settings.max_tokens)
        except GraphQLError:
            return None, 0
        figures = limits.check(
            self._graphql_schema,
            document,
            graphql_request.operation_name,
            graphql_request.variables,
            self.settings,
        )
        check_text(document, graphql_request.variables)
        if key is not None:
            self._checked[key] = (document, figures.cost)
            if len(self._checked) > _CHECKED_REQUESTS:
                self._checked.popitem(last=False)
        return document, figures.cost

    async def _execute(
        self,
        request: Request,
        graphql_request: _GraphQLRequest,
        document: DocumentNode | None,
        cost: int,
        media_type: str,
    ) -> Response:
        # The request's one session, closed (rolling back anything a resolver left
        # uncommitted) once the response is built and before it is sent.
        session: AsyncSession = request.app.state.sessions()
        try:
            request.state.session = session
            prefer_primary_if_recent_writer(request, session)
            try:
                request.state.viewer = await viewer_of(request, session)
            except Unauthenticated as error:
                # Failed keys count against the address, so guessing is limited like reading.
                await self._enforce(request, Viewer(role=Role.PUBLIC, now=_now(request)), 0)
                raise _RequestError(
                    401,
                    str(error),
                    {"WWW-Authenticate": 'Bearer realm="newsgraph"'},
                    {"code": "UNAUTHENTICATED"},
                ) from error
            # Charged before the response cache is asked: a hit costs the caller the same.
            await self._charge(request, cost)
            context = await self.get_context(request)
            assert isinstance(context, RequestContext)  # HTTP requests; LiveContext is for sockets
            try:
                async with (
                    cancelled_on_disconnect(request),
                    asyncio.timeout(self.settings.execution_timeout),
                ):
                    cache_key = (
                        await self._response_cache_key(graphql_request, document, context)
                        if self._response_cache is not None
                        else None
                    )
                    if cache_key is not None:
                        assert self._response_cache is not None
                        cached = await self._response_cache.get(cache_key)
                        if cached is not None:
                            return self._answer(request, cached, media_type, context, HIT)
                    compiled = await self._compiled_data(request, graphql_request, context)
                    if compiled is not None:
                        answer = CachedAnswer(self._encode({"data": compiled}), "compiled")
                        if cache_key is not None:
                            assert self._response_cache is not None
                            await self._response_cache.put(cache_key, answer)
                        return self._answer(
                            request, answer, media_type, context, MISS if cache_key else None
                        )
                    result = await self.schema.execute(
                        graphql_request.query,
                        variable_values=graphql_request.variables,
                        context_value=context,
                        operation_name=graphql_request.operation_name,
                        allowed_operation_types=_OPERATIONS_BY_METHOD[request.method],
                        operation_extensions=graphql_request.extensions,
                    )
            except TimeoutError:
                return self._timeout_response(media_type)
            except InvalidOperationTypeError as error:
                if error.operation_type is OperationType.MUTATION:
                    raise _RequestError(
                        405, "Mutations must be sent with POST.", {"Allow": "POST"}
                    ) from error
                return self._request_error_response(
                    "Subscriptions are not supported over HTTP.", media_type
                )
            except CannotGetOperationTypeError as error:
                return self._request_error_response(error.as_http_error_reason(), media_type)
            fault = self._fault_response(result, media_type)
            if fault is not None:
                return fault
            response = self._result_response(result, media_type)
            if cache_key is not None and not result.errors and response.status_code == 200:
                assert self._response_cache is not None
                answer = CachedAnswer(bytes(response.body), "resolver")
                await self._response_cache.put(cache_key, answer)
                response.headers[CACHE_HEADER] = MISS
            if request.method != "GET":
                return remember_write(session, response, self.settings.read_your_writes_seconds)
            if result.errors:
                return caching.uncacheable(response)
            return self._cache_headers(request, response, context)
        finally:
            # Only a session inside a transaction holds a connection. One that never began
            # one (a public compiled read) has nothing to give back, and closing it would
            # cost a trip through a greenlet.
            if session.in_transaction():
                await session.close()

    async def _response_cache_key(
        self,
        graphql_request: _GraphQLRequest,
        document: DocumentNode | None,
        context: RequestContext,
    ) -> str | None:
        """Where this request's answer is cached; None for what is never cached (mutations,
        subscriptions, documents that don't parse) or when the cache is off."""
        if self._response_cache is None or document is None:
            return None
        operation = get_operation_ast(document, graphql_request.operation_name)
        if operation is None or operation.operation is not DocumentOperationType.QUERY:
            return None
        try:
            # Through the request's own session: on a replica, the version of what it reads.
            state = await data_state(context.session, context.viewer.now)
        except (SQLAlchemyError, OSError) as error:
            # Answer uncached; if the database is down, executing reports it properly.
            logger.warning("response cache skipped: the data version is unreadable (%s)", error)
            await context.session.rollback()
            return None
        if state is None:
            return None
        return self._response_cache.key(
            graphql_request.query,
            graphql_request.operation_name,
            graphql_request.variables,
            context.viewer,
            state,
        )

    def _answer(
        self,
        request: Request,
        answer: CachedAnswer,
        media_type: str,
        context: RequestContext,
        cache_result: str | None,
    ) -> Response:
        """A successful answer's response, from the compiled path or the response cache."""
        headers = {READ_PATH_HEADER: answer.read_path}
        if cache_result is not None:
            headers[CACHE_HEADER] = cache_result
        response = Response(
            answer.body, status_code=200, media_type=f"{media_type}; charset=utf-8", headers=headers
        )
        return self._cache_headers(request, response, context)

    def _cache_headers(
        self, request: Request, response: Response, context: RequestContext
    ) -> Response:
        """Public answers to GET may be cached; anything a key unlocked may not."""
        if request.method != "GET" or context.viewer.role is not Role.PUBLIC:
            return caching.uncacheable(response)
        return caching.cacheable(request, response, self.settings.cache_max_age)

    def _timeout_response(self, media_type: str) -> Response:
        return self._error_response(
            504,
            f"The query ran longer than {self.settings.execution_timeout:g} s and was stopped; "
            "ask for less or retry later.",
            media_type,
            extensions={"code": TIMEOUT},
        )

    def _fault_response(self, result: ExecutionResult, media_type: str) -> Response | None:
        """503 (retry later) when the database was unreachable, 504 when it was too slow.

        A partial answer would be misleading when the database itself failed.
        """
        originals = [error.original_error for error in result.errors or ()]
        if any(faults.is_timeout(original) for original in originals):
            return self._timeout_response(media_type)
        for original in originals:
            if original is not None and faults.is_unavailable(original):
                return self._database_fault_response(original, media_type)
        return None

    def _database_fault_response(self, error: BaseException, media_type: str) -> Response | None:
        """503 or 504 for an error the database caused; None for any other error."""
        if faults.is_timeout(error):
            return self._timeout_response(media_type)
        if not faults.is_unavailable(error):
            return None
        return self._error_response(
            503,
            "The database is unavailable; retry shortly.",
            media_type,
            {"Retry-After": "1"},
            {"code": SERVICE_UNAVAILABLE},
        )

    async def _compiled_data(
        self, request: Request, graphql_request: _GraphQLRequest, context: RequestContext
    ) -> dict[str, Any] | None:
        """The answer from the compiled read path, or None to resolve field by field."""
        compiler: ReadCompiler | None = request.app.state.read_compiler
        if compiler is None:
            return None
        roots = compiler.compile(
            graphql_request.query,
            graphql_request.operation_name,
            graphql_request.variables,
            context.viewer,
        )
        if roots is None:
            return None
        values = parameters(context.viewer)
        prepared = [root.prepared for root in roots if root.prepared is not None]
        answers: list[Sequence[Any]]
        try:
            if len(prepared) == len(roots):
                if context.session.in_transaction():
                    # What the request read so far (its key, the data version) ends here:
                    # its pooled connection goes back rather than idling through the read.
                    await context.session.commit()
                connections = request.app.state.read_connections[bound_engine(context.session)]
                answers = await connections.run(prepared, values)
            else:
                # SQLite: each statement through the Session, which reads the file directly.
                answers = [
                    (await context.session.execute(root.statement, values)).all() for root in roots
                ]
                await context.session.commit()
            return {
                root.response_key: root.finish(rows)
                for root, rows in zip(roots, answers, strict=True)
            }
        except ClientError:
            return None  # the resolver path reports it, with the error's path
        except Exception:
            # The resolver path answers what still can be answered, with masked errors.
            logger.exception("compiled read failed; resolving field by field instead")
            await context.session.rollback()
            return None

    async def _charge(self, request: Request, cost: int) -> None:
        """Count the request, of `cost` (the query limits' measure), against its caller's limits;
        a _RequestError when over one."""
        if not self.settings.rate_limits_enabled:
            return
        viewer = request.state.viewer
        budget = limits_for(viewer, self.settings).cost_per_minute
        if cost > budget:
            raise _RequestError(
                400,
                f"This query would cost {cost} points, more than the {budget} a minute allows: "
                "ask for smaller pages (`first`) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_EXPENSIVE", "cost": cost, "budget": budget},
            )
        await self._enforce(request, viewer, cost)

    async def _enforce(self, request: Request, viewer: Viewer, cost: int) -> None:
        if not self.settings.rate_limits_enabled:
            return
        address = request.client.host if request.client else None
        exceeded = await request.app.state.rate_limiter.charge(viewer, address, cost, viewer.now)
        if exceeded is not None:
            raise _RequestError(
                429,
                exceeded.message,
                {"Retry-After": str(exceeded.retry_after)},
                {
                    "code": "RATE_LIMITED",
                    "limit": exceeded.limit,
                    "retryAfter": exceeded.retry_after,
                },
            )

    def _result_response(self, result: ExecutionResult, media_type: str) -> Response:
        if _is_request_error(result):
            body: dict[str, object] = {"errors": [error.formatted for error in result.errors or ()]}
            if result.extensions:
                body["extensions"] = result.extensions
            return self._json_response(body, _request_error_status(media_type), media_type)
        return self._json_response(
            dict(process_result(result)), 200, media_type, {READ_PATH_HEADER: "resolver"}
        )

    def _request_error_response(
        self, message: str, media_type: str, extensions: Mapping[str, object] | None = None
    ) -> Response:
        return self._error_response(
            _request_error_status(media_type), message, media_type, extensions=extensions
        )

    def _error_response(
        self,
        status_code: int,
        message: str,
        media_type: str,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> Response:
        error: dict[str, object] = {"message": message}
        if extensions:
            error["extensions"] = dict(extensions)
        return self._json_response({"errors": [error]}, status_code, media_type, headers)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: WebSocket messages must go out as text frames.
        return self._encode(data).decode()

    def _json_response(
        self,
        body: Mapping[str, object],
        status_code: int,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        errors = body.get("errors")
        if self._metrics is not None and isinstance(errors, list) and errors:
            self._metrics.record_graphql_errors(map(_error_code, errors))
        return Response(
            self._encode(body),
            status_code=status_code,
            media_type=f"{media_type}; charset=utf-8",
            headers=headers,
        )

    def _encode(self, body: object) -> bytes:
        # orjson is several times faster than json.dumps on a large response, and writes the
        # bytes an HTTP body is.
        try:
            return orjson.dumps(body)
        except orjson.JSONEncodeError:
            # orjson refuses lone surrogates, which an error message may quote from hostile
            # input; json escapes them.
            return json.dumps(body).encode()

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> RequestContext | LiveContext:
        if isinstance(request, WebSocket):
            state = request.app.state
            return LiveContext(state.sessions, self.settings, request, state.broker)
        # Strawberry fixes this hook's signature, so the session and viewer _execute found
        # travel on request.state.
        return RequestContext(
            session=request.state.session,
            settings=self.settings,
            viewer=request.state.viewer,
            request=request,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        assert self._graphiql_page is not None
        return HTMLResponse(self._graphiql_page)
