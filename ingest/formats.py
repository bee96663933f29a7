"""Reading raw articles: plain text, HTML and IPTC ninjs JSON, each into one RawArticle."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any


class FormatError(ValueError):
    """A source that cannot be read as an article: empty, malformed, or missing its text."""


@dataclass(frozen=True)
class RawArticle:
    """An article's words as the source gives them, before any structure is recognized.

    `blocks` are the paragraphs in reading order, the headline excluded. Metadata the
    source carries (url, time, publisher, bylines) is kept as written.
    """

    headline: str
    blocks: list[str]
    url: str | None = None
    published_at: datetime | None = None
    publisher_name: str | None = None
    bylines: list[str] = field(default_factory=list)
    language: str | None = None


_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\n]+")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _article(headline: str | None, blocks: list[str], **metadata: Any) -> RawArticle:
    blocks = [block for block in map(_clean, blocks) if block]
    headline = _clean(headline or "")
    if not headline:
        if not blocks:
            raise FormatError("no text: the source is empty")
        headline = blocks.pop(0)
    if not blocks:
        raise FormatError("no body: the source has a headline and nothing else")
    return RawArticle(headline=headline, blocks=blocks, **metadata)


def read_text(text: str) -> RawArticle:
    """Plain text: the first block is the headline; blocks are separated by blank lines."""
    return _article(None, _BLANK_LINES.split(text.replace("\r\n", "\n").strip()))


def _parse_time(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise FormatError(f"{where}: expected a date-time string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise FormatError(f"{where}: {value!r} is not an ISO 8601 date-time") from error
    if parsed.tzinfo is None:
        raise FormatError(f"{where}: {value!r} has no timezone")
    return parsed


# Elements whose text is a block of its own; anything else is inline.
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "div"}
_SKIPPED_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form"}


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.link_canonical: str | None = None
        self.html_lang: str | None = None
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "meta":
            key = attributes.get("property") or attributes.get("name") or ""
            if key and "content" in attributes:
                self.meta.setdefault(key.lower(), attributes["content"])
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.link_canonical = attributes.get("href")
        elif tag == "html":
            self.html_lang = attributes.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCK_TAGS or tag == "br":
            self._flush()
            self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self._current.append(data)

    def _flush(self) -> None:
        text = _clean("".join(self._current))
        self._current = []
        if not text:
            return
        if self._in_h1 and not self.h1:
            self.h1 = text
        else:
            self.blocks.append(text)
        self._in_h1 = False


def read_html(text: str) -> RawArticle:
    """HTML: the h1 (else og:title, else title) is the headline; block elements are paragraphs."""
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    reader._flush()
    meta = reader.meta
    headline = reader.h1 or meta.get("og:title") or _clean(reader.title)
    authors = [meta["author"]] if meta.get("author") else []
    return _article(
        headline,
        reader.blocks,
        url=reader.link_canonical or meta.get("og:url") or None,
        published_at=_parse_time(meta.get("article:published_time"), "article:published_time"),
        publisher_name=meta.get("og:site_name") or None,
        bylines=authors,
        language=(reader.html_lang or "").split("-")[0].lower() or None,
    )


def read_ninjs(text: str) -> RawArticle:
    """IPTC ninjs JSON (1.x and 2.x): headline, body_text or body_html, uri, versioncreated."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"malformed JSON: {error}") from error
    if not isinstance(data, dict):
        raise FormatError(f"expected a ninjs object at the top, got {type(data).__name__}")
    headline = data.get("headline")
    if headline is None and isinstance(data.get("headlines"), list) and data["headlines"]:
        headline = data["headlines"][0].get("value")
    body = data.get("body_text")
    if body is None and isinstance(data.get("bodies"), list) and data["bodies"]:
        body = data["bodies"][0].get("value")
    if isinstance(data.get("body_html"), str) and body is None:
        blocks = read_html(f"<h1>{headline or ''}</h1>" + data["body_html"]).blocks
    elif isinstance(body, str):
        blocks = _BLANK_LINES.split(body.strip())
    else:
        raise FormatError("ninjs: no body_text, body_html or bodies")
    if not isinstance(headline, str):
        raise FormatError("ninjs: no headline")
    bylines = [data["byline"]] if isinstance(data.get("byline"), str) else []
    publisher = None
    if isinstance(data.get("copyrightholder"), str):
        publisher = data["copyrightholder"]
    uri = data.get("uri")
    url = uri if isinstance(uri, str) and uri.startswith(("http://", "https://")) else None
    language = data.get("language")
    return _article(
        headline,
        blocks,
        url=url,
        published_at=_parse_time(
            data.get("firstcreated") or data.get("versioncreated"), "firstcreated"
        ),
        publisher_name=publisher,
        bylines=bylines,
        language=language.split("-")[0].lower() if isinstance(language, str) else None,
    )


def read_source(text: str, name: str = "") -> RawArticle:
    """Pick the reader by file name, else by the text's first character."""
    lowered = name.lower()
    stripped = text.lstrip()
    if lowered.endswith((".json", ".ninjs")) or (not lowered and stripped.startswith("{")):
        return read_ninjs(text)
    if lowered.endswith((".html", ".htm")) or (not lowered and stripped.startswith("<")):
        return read_html(text)
    return read_text(text)
