"""Conditional GET (RFC 9110 section 13): validators for a representation, and 304 answers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


def entity_tag(body: bytes) -> str:
    """A strong validator: the same bytes, the same tag, whichever process serves them."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _opaque(tag: str) -> str:
    # If-None-Match compares weakly (section 13.1.2): W/"x" matches "x".
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _none_match(header: str, tag: str) -> bool:
    """Whether If-None-Match's list names `tag` (or is `*`): the client has this representation."""
    candidates = [_opaque(candidate) for candidate in header.split(",") if candidate.strip()]
    return "*" in candidates or _opaque(tag) in candidates


def _modified_since(header: str, last_modified: datetime) -> bool | None:
    """Whether the resource changed after the header's date; None when the date is unreadable."""
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # HTTP dates have whole seconds; the row's fraction of a second must not count as a change.
    return last_modified.replace(microsecond=0) > since


def respond(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: datetime | None,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` with its validators, or 304 Not Modified when the client's copy is current.

    If-None-Match wins over If-Modified-Since, as section 13.2.2 orders; an unreadable
    If-Modified-Since is ignored.
    """
    tag = entity_tag(body)
    validators = {"ETag": tag, **(headers or {})}
    if last_modified is not None:
        validators["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    fresh = False
    if if_none_match is not None:
        fresh = _none_match(if_none_match, tag)
    elif if_modified_since is not None and last_modified is not None:
        fresh = _modified_since(if_modified_since, last_modified) is False
    if fresh:
        return Response(status_code=304, headers=validators)
    return Response(body, media_type=f"{media_type}; charset=utf-8", headers=validators)
