"""JSON Feed 1.1 feeds; `next_url` pages them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .entries import Entry, Feed

MEDIA_TYPE = "application/feed+json"
VERSION = "https://jsonfeed.org/version/1.1"


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _item(entry: Entry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.uri, "url": entry.link, "title": entry.headline}
    # Every item needs content_html or content_text: a summary stands in when the text may not go.
    if entry.body_html is not None:
        item["content_html"] = entry.body_html
        item["content_text"] = entry.body_text
    else:
        item["content_text"] = entry.summary or entry.headline
    if entry.summary:
        item["summary"] = entry.summary
    if entry.published is not None:
        item["date_published"] = _timestamp(entry.published)
    item["date_modified"] = _timestamp(entry.updated)
    if entry.authors:
        item["authors"] = [{"name": author.name} for author in entry.authors]
    item["language"] = entry.language
    tags = [entity.name for entity in (*entry.organizations, *entry.persons)]
    if tags:
        item["tags"] = tags
    return item


def render(feed: Feed) -> bytes:
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "feed_url": feed.self_url,
        "items": [_item(entry) for entry in feed.entries],
    }
    if feed.next_url is not None:
        document["next_url"] = feed.next_url
    return json.dumps(document, ensure_ascii=False, indent=2).encode()
