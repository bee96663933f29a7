"""Atom 1.0 (RFC 4287) feeds, paged with RFC 5005 links."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

from .entries import Entry, Feed

MEDIA_TYPE = "application/atom+xml"
_NAMESPACE = "http://www.w3.org/2005/Atom"


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes: str) -> None:
    ElementTree.SubElement(parent, tag, attributes).text = text


def _link(parent: ElementTree.Element, rel: str, href: str, media_type: str | None = None) -> None:
    attributes = {"rel": rel, "href": href}
    if media_type is not None:
        attributes["type"] = media_type
    ElementTree.SubElement(parent, "link", attributes)


def _entry(parent: ElementTree.Element, entry: Entry) -> None:
    element = ElementTree.SubElement(parent, "entry")
    _text(element, "id", entry.uri)
    _text(element, "title", entry.headline, type="text")
    _text(element, "updated", _timestamp(entry.updated))
    if entry.published is not None:
        _text(element, "published", _timestamp(entry.published))
    _link(element, "alternate", entry.link)
    for author in entry.authors:
        ElementTree.SubElement(ElementTree.SubElement(element, "author"), "name").text = author.name
    if entry.summary:
        _text(element, "summary", entry.summary, type="text")
    if entry.body_html is not None:
        # type="html": the markup travels escaped, as RFC 4287 section 3.1.1.2 asks.
        _text(element, "content", entry.body_html, type="html")
    for entity in (*entry.organizations, *entry.persons):
        ElementTree.SubElement(element, "category", {"term": entity.slug, "label": entity.name})


def render(feed: Feed) -> bytes:
    root = ElementTree.Element("feed", {"xmlns": _NAMESPACE})
    _text(root, "id", feed.uri)
    _text(root, "title", feed.title, type="text")
    _text(root, "updated", _timestamp(feed.updated))
    # RFC 4287 wants an author on the feed when an entry may have none.
    ElementTree.SubElement(ElementTree.SubElement(root, "author"), "name").text = "newsgraph"
    _text(root, "generator", "newsgraph")
    _link(root, "self", feed.self_url, MEDIA_TYPE)
    _link(root, "first", feed.first_url, MEDIA_TYPE)
    if feed.next_url is not None:
        _link(root, "next", feed.next_url, MEDIA_TYPE)
    for entry in feed.entries:
        _entry(root, entry)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
