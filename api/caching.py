"""HTTP caching for GET queries: Cache-Control, an ETag, and 304 when the client has the answer."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response


def entity_tag(body: bytes) -> str:
    """A strong ETag: the same bytes, whichever instance produced them, get the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str, tag: str) -> bool:
    candidates = (candidate.strip().removeprefix("W/") for candidate in if_none_match.split(","))
    return any(candidate in (tag, "*") for candidate in candidates)


def cacheable(request: Request, response: Response, max_age: int) -> Response:
    """`response` to a successful public GET query, with caching headers; 304 when it matches
    the client's If-None-Match."""
    tag = entity_tag(bytes(response.body))
    headers = {
        "ETag": tag,
        "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache",
        # The media type of the answer follows the client's Accept.
        "Vary": "Accept",
    }
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def uncacheable(response: Response) -> Response:
    """`response` marked so that no cache keeps it: errors, and answers for a signed-in viewer."""
    response.headers["Cache-Control"] = "no-store"
    return response
