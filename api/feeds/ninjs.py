"""IPTC ninjs 2.1 documents: one per article, and a feed page as a composite of them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .entries import Entry, Feed

MEDIA_TYPE = "application/json"
VERSION = "2.1"
SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
_STANDARD = {"name": "ninjs", "version": VERSION, "schema": SCHEMA}


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _entities(entities: list[Any]) -> list[dict[str, str]]:
    return [{"name": e.name, "rel": "mentioned", "literal": e.slug} for e in entities]


def item(entry: Entry) -> dict[str, Any]:
    """One article as a ninjs news object."""
    document: dict[str, Any] = {
        "standard": _STANDARD,
        "uri": entry.uri,
        "type": "text",
        "representationtype": "full" if entry.body_html is not None else "partial",
        "firstcreated": _timestamp(entry.first_created),
        "versioncreated": _timestamp(entry.updated),
        "pubstatus": "usable",
        "language": entry.language,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": entry.headline}],
    }
    if entry.published is not None:
        document["contentcreated"] = _timestamp(entry.published)
    if entry.summary:
        document["descriptions"] = [
            {"role": "summary", "contenttype": "text/plain", "value": entry.summary}
        ]
    if entry.body_html is not None and entry.body_text is not None:
        document["bodies"] = [
            {
                "role": "main",
                "contenttype": "text/html",
                "charcount": len(entry.body_text),
                "wordcount": len(entry.body_text.split()),
                "value": entry.body_html,
            }
        ]
    if entry.authors:
        document["by"] = ", ".join(author.name for author in entry.authors)
    if entry.dateline:
        document["located"] = entry.dateline
    if entry.link != entry.uri:
        document["altids"] = [{"role": "url", "value": entry.link}]
    if entry.persons:
        document["people"] = _entities(entry.persons)
    if entry.organizations:
        document["organisations"] = _entities(entry.organizations)
    return document


def render_item(entry: Entry) -> bytes:
    return json.dumps(item(entry), ensure_ascii=False, indent=2).encode()


def render(feed: Feed) -> bytes:
    """A feed page as a ninjs composite whose associations are the articles.

    ninjs has no feed or paging of its own: the page's links travel in the HTTP Link header.
    """
    document: dict[str, Any] = {
        "standard": _STANDARD,
        "uri": feed.uri,
        "type": "composite",
        "representationtype": "full",
        "versioncreated": _timestamp(feed.updated),
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": feed.title}],
        "associations": [{"name": entry.headline, **item(entry)} for entry in feed.entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()
