"""Syndication endpoints: /feeds/{kind}/{slug}.{format}, /articles/{slug}.ninjs.json, /changes."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from db import feeds
from db.feeds import FeedPosition, FeedSubjectKind
from db.reads import Reader

from . import atom, json_feed, ninjs, rss
from .changes import change_feed
from .conditional import respond
from .entries import Feed, entry_of
from .errors import FeedError, answering_errors, feed_viewer
from .urls import NINJS_SUFFIX, article_uri, base_url

_FORMATS: dict[str, tuple[Callable[[Feed], bytes], str]] = {
    "atom": (atom.render, atom.MEDIA_TYPE),
    "rss": (rss.render, rss.MEDIA_TYPE),
    "json": (json_feed.render, json_feed.MEDIA_TYPE),
    "ninjs.json": (ninjs.render, ninjs.MEDIA_TYPE),
}
# An empty feed has never changed; "now" would give it a new ETag on every request.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
# What a feed shows will depend on who asks once API keys exist: caches must keep them apart.
_VARY = {"Vary": "Authorization, X-API-Key"}


def encode_position(position: FeedPosition) -> str:
    raw = json.dumps([position.published_at.isoformat(), position.article_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> FeedPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        published_at, article_id = json.loads(raw)
        moment = datetime.fromisoformat(published_at)
        if moment.tzinfo is None or not isinstance(article_id, int):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error) as error:
        raise FeedError(
            400, "BAD_CURSOR", "`after` must be a cursor taken from a feed's next link."
        ) from error
    return FeedPosition(moment, article_id)


def _link_header(links: dict[str, str]) -> str:
    return ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items())


def _split_name(name: str) -> tuple[str, str]:
    slug, dot, extension = name.partition(".")
    if not dot or extension not in _FORMATS:
        formats = ", ".join(f".{known}" for known in _FORMATS)
        raise FeedError(404, "UNKNOWN_FORMAT", f"Feeds come as {formats}, after the slug.")
    return slug, extension


async def _feed(request: Request) -> Response:
    try:
        kind = FeedSubjectKind(request.path_params["kind"])
    except ValueError as error:
        kinds = ", ".join(kind.value for kind in FeedSubjectKind)
        raise FeedError(404, "UNKNOWN_FEED", f"Feeds exist for {kinds}.") from error
    slug, extension = _split_name(request.path_params["name"])
    cursor = request.query_params.get("after")
    after = None if cursor is None else decode_position(cursor)
    settings = request.app.state.settings
    async with request.app.state.sessions() as session:
        viewer = await feed_viewer(request, session)
        reader = Reader(session, viewer)
        subject = await feeds.find_subject(reader, kind, slug)
        if subject is None:
            detail = f"No {kind.value[:-1]} has the slug {slug!r}."
            if kind is FeedSubjectKind.TOPIC:
                detail = f"Topics are organization kinds: {', '.join(feeds.topic_names())}."
            raise FeedError(404, "UNKNOWN_SUBJECT", detail)
        page = await feeds.feed_page(reader, subject, after, settings.feed_page_size)
        last_modified = await feeds.last_modified(reader, subject)

    first_url = f"{base_url(request)}{request.url.path}"
    self_url = first_url if cursor is None else f"{first_url}?{urlencode({'after': cursor})}"
    next_url = None
    if page.next_position is not None:
        next_url = f"{first_url}?{urlencode({'after': encode_position(page.next_position)})}"
    entries = [
        entry_of(item, viewer, article_uri(request, item.article.slug)) for item in page.items
    ]
    feed = Feed(
        title=subject.title,
        uri=first_url,
        self_url=self_url,
        first_url=first_url,
        next_url=next_url,
        updated=last_modified or _NEVER,
        entries=entries,
    )
    render, media_type = _FORMATS[extension]
    links = {"self": self_url, "first": first_url}
    if next_url is not None:
        links["next"] = next_url
    return respond(
        request, render(feed), media_type, last_modified, {"Link": _link_header(links), **_VARY}
    )


async def _ninjs_article(request: Request) -> Response:
    name: str = request.path_params["name"]
    if not name.endswith(NINJS_SUFFIX):
        raise FeedError(404, "UNKNOWN_FORMAT", f"Articles come as {NINJS_SUFFIX}, after the slug.")
    slug = name.removesuffix(NINJS_SUFFIX)
    async with request.app.state.sessions() as session:
        viewer = await feed_viewer(request, session)
        item = await feeds.article_item(Reader(session, viewer), slug)
    if item is None:
        raise FeedError(404, "UNKNOWN_ARTICLE", f"No article has the slug {slug!r}.")
    entry = entry_of(item, viewer, article_uri(request, slug))
    return respond(request, ninjs.render_item(entry), ninjs.MEDIA_TYPE, entry.updated, dict(_VARY))


routes = [
    Route("/feeds/{kind}/{name}", answering_errors(_feed), methods=["GET"]),
    Route("/articles/{name}", answering_errors(_ninjs_article), methods=["GET"]),
    Route("/changes", answering_errors(change_feed), methods=["GET"]),
]
