"""GET /changes: the change log as JSON, so a partner can keep an exact mirror."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.relay import encode_global_id
from db import changes
from db.changes import ChangePosition
from db.models import ArticleChange
from db.reads import Reader

from .conditional import respond
from .errors import CHALLENGE, FeedError, feed_viewer
from .rights import change_feed_allowed
from .urls import article_uri, base_url

MEDIA_TYPE = "application/json"


def encode_position(change: ArticleChange) -> str:
    raw = json.dumps([change.visible_from.isoformat(), change.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> ChangePosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        visible_from, change_id = json.loads(raw)
        moment = datetime.fromisoformat(visible_from)
        if moment.tzinfo is None or not isinstance(change_id, int):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error) as error:
        raise FeedError(
            400, "BAD_CURSOR", "`after` must be a cursor taken from a change feed's `next`."
        ) from error
    return ChangePosition(moment.astimezone(UTC), change_id)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _size(request: Request, largest: int) -> int:
    value = request.query_params.get("limit")
    if value is None:
        return largest
    if not value.isdigit() or not 1 <= int(value) <= largest:
        raise FeedError(400, "BAD_LIMIT", f"`limit` must be a whole number from 1 to {largest}.")
    return int(value)


def _entry(request: Request, change: ArticleChange) -> dict[str, Any]:
    article: dict[str, Any] = {"slug": change.article_slug}
    if change.article_id is not None:
        article["id"] = encode_global_id("Article", change.article_id)
    article["uri"] = article_uri(request, change.article_slug)
    return {
        "cursor": encode_position(change),
        "kind": change.kind.value,
        "article": article,
        "recorded_at": _timestamp(change.recorded_at),
        "visible_from": _timestamp(change.visible_from),
    }


async def change_feed(request: Request) -> Response:
    settings = request.app.state.settings
    async with request.app.state.sessions() as session:
        viewer = await feed_viewer(request, session)
        if not change_feed_allowed(viewer):
            # Only the public is refused: it has not said who it is, so 401, not 403.
            raise FeedError(
                401,
                "UNAUTHENTICATED",
                "The change feed is for partners and editors: send your API key as "
                "`Authorization: Bearer <key>` or `X-API-Key: <key>`.",
                CHALLENGE,
            )
        cursor = request.query_params.get("after")
        after = None if cursor is None else decode_position(cursor)
        size = _size(request, settings.max_page_size)
        settle = timedelta(seconds=settings.change_feed_settle_seconds)
        page = await changes.changes_after(Reader(session, viewer), after, size, settle)
    entries = [_entry(request, change) for change in page.changes]
    # With nothing new, `next` repeats this request's cursor: poll it again later.
    next_cursor = entries[-1]["cursor"] if entries else cursor
    next_url = f"{base_url(request)}{request.url.path}"
    if next_cursor is not None:
        next_url += "?" + urlencode({"after": next_cursor})
    body = {"changes": entries, "has_more": page.has_more, "next": next_url}
    return respond(
        request,
        json.dumps(body, ensure_ascii=False, indent=2).encode(),
        MEDIA_TYPE,
        None,
        {"Link": f'<{next_url}>; rel="next"', "Vary": "Authorization, X-API-Key"},
    )
