"""Feeds and their entries as every output format needs them, built from the rows db/feeds reads."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from db.feeds import Entity, FeedItem
from db.models import ParagraphKind
from db.visibility import Viewer

_BLOCK_TAGS = {
    ParagraphKind.HEADING: "h2",
    ParagraphKind.BLOCKQUOTE: "blockquote",
}


@dataclass(frozen=True)
class Entry:
    """One article in a feed. `body_html` and `body_text` are None when only a summary may go."""

    uri: str
    link: str
    headline: str
    summary: str | None
    body_html: str | None
    body_text: str | None
    published: datetime | None
    updated: datetime
    first_created: datetime
    language: str
    dateline: str | None
    publisher: Entity | None
    authors: list[Entity]
    persons: list[Entity]
    organizations: list[Entity]


@dataclass(frozen=True)
class Feed:
    """A page of a feed: its identity, paging links (RFC 5005) and entries."""

    title: str
    uri: str
    self_url: str
    first_url: str
    next_url: str | None
    updated: datetime
    entries: list[Entry]


def paragraph_html(kind: ParagraphKind, text: str) -> str:
    escaped = html.escape(text, quote=False)
    tag = _BLOCK_TAGS.get(kind, "p")
    if tag == "blockquote":
        return f"<blockquote><p>{escaped}</p></blockquote>"
    return f"<{tag}>{escaped}</{tag}>"


def entry_of(item: FeedItem, viewer: Viewer, uri: str) -> Entry:
    """`item` as an entry, with its text when the reader gave its paragraphs: they come only
    from articles whose text `viewer` may read (a partner: those it may republish)."""
    article = item.article
    body_html = body_text = None
    if item.paragraphs:
        body_html = "\n".join(paragraph_html(p.kind, p.text) for p in item.paragraphs)
        body_text = "\n\n".join(p.text for p in item.paragraphs)
    return Entry(
        uri=uri,
        link=article.url or uri,
        headline=article.headline,
        summary=article.standfirst,
        body_html=body_html,
        body_text=body_text,
        published=article.published_at,
        updated=max(article.updated_at, article.published_at or article.updated_at),
        first_created=article.created_at,
        language=article.language,
        dateline=article.dateline,
        publisher=item.publisher,
        authors=item.authors,
        persons=item.persons,
        organizations=item.organizations,
    )
