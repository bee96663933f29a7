"""RSS 2.0 feeds, with atom:link for self and RFC 5005 paging and content:encoded for full text."""

from __future__ import annotations

from email.utils import format_datetime
from xml.etree import ElementTree

from .entries import Entry, Feed

MEDIA_TYPE = "application/rss+xml"
_ATOM = "http://www.w3.org/2005/Atom"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes: str) -> None:
    ElementTree.SubElement(parent, tag, attributes).text = text


def _atom_link(parent: ElementTree.Element, rel: str, href: str) -> None:
    ElementTree.SubElement(
        parent, f"{{{_ATOM}}}link", {"rel": rel, "href": href, "type": MEDIA_TYPE}
    )


def _item(channel: ElementTree.Element, entry: Entry) -> None:
    item = ElementTree.SubElement(channel, "item")
    _text(item, "title", entry.headline)
    _text(item, "link", entry.link)
    _text(item, "guid", entry.uri, isPermaLink="false")
    if entry.published is not None:
        _text(item, "pubDate", format_datetime(entry.published))
    if entry.summary:
        _text(item, "description", entry.summary)
    if entry.body_html is not None:
        _text(item, f"{{{_CONTENT}}}encoded", entry.body_html)
    # RSS's own <author> must be an e-mail address; Dublin Core's creator takes a name.
    for author in entry.authors:
        _text(item, f"{{{_DUBLIN_CORE}}}creator", author.name)
    for entity in (*entry.organizations, *entry.persons):
        _text(item, "category", entity.name)


def render(feed: Feed) -> bytes:
    ElementTree.register_namespace("atom", _ATOM)
    ElementTree.register_namespace("content", _CONTENT)
    ElementTree.register_namespace("dc", _DUBLIN_CORE)
    root = ElementTree.Element("rss", {"version": "2.0"})
    channel = ElementTree.SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.first_url)
    _text(channel, "description", feed.title)
    _text(channel, "lastBuildDate", format_datetime(feed.updated))
    _text(channel, "generator", "newsgraph")
    _atom_link(channel, "self", feed.self_url)
    _atom_link(channel, "first", feed.first_url)
    if feed.next_url is not None:
        _atom_link(channel, "next", feed.next_url)
    for entry in feed.entries:
        _item(channel, entry)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
