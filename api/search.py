"""Full-text search: ranked hits in headlines, paragraphs and quotes, with highlighted snippets."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.articles import Article, Paragraph
from api.errors import ClientError
from api.relay import Connection
from api.rows import After, First, context, from_row, optional_row, page_of
from api.statements import Quote
from db import models as m
from db.search import END_MARK, START_MARK, Hit, HitKind, SearchStatements, hits_of, words_of

MAX_QUERY_LENGTH = 200


@strawberry.enum(description="Where a search hit was found.")
class SearchHitKind(enum.Enum):
    HEADLINE = "headline"
    PARAGRAPH = "paragraph"
    QUOTE = "quote"


_KINDS = {
    HitKind.HEADLINE: SearchHitKind.HEADLINE,
    HitKind.PARAGRAPH: SearchHitKind.PARAGRAPH,
    HitKind.QUOTE: SearchHitKind.QUOTE,
}


@strawberry.type(description="A span of a snippet's text, in code points: `text[start:end]`.")
class Highlight:
    start: int = strawberry.field(description="Offset of the first highlighted character.")
    end: int = strawberry.field(description="Offset just past the last highlighted character.")


@strawberry.type(
    description="An excerpt of the matched text, as plain text, with the matched words located."
)
class Snippet:
    text: str = strawberry.field(
        description="The excerpt; `…` marks where text was left out. Plain text, not HTML."
    )
    highlights: list[Highlight] = strawberry.field(
        description="The matched words in `text`, in order."
    )


def snippet_of(marked: str) -> Snippet:
    """The snippet's plain text and highlight spans, from text with START/END marks."""
    text: list[str] = []
    highlights: list[Highlight] = []
    length = 0
    start: int | None = None
    for character in marked:
        if character == START_MARK:
            start = length
        elif character == END_MARK:
            if start is not None and length > start:
                highlights.append(Highlight(start=start, end=length))
            start = None
        else:
            text.append(character)
            length += 1
    return Snippet(text="".join(text), highlights=highlights)


@strawberry.type(description="One place the search words were found, with its relevance.")
class SearchHit:
    hit: strawberry.Private[Hit]
    kind: SearchHitKind = strawberry.field(description="A headline, a paragraph or a quote.")
    rank: float = strawberry.field(
        description="Relevance, higher is better; comparable only within one search "
        "(the engines score differently)."
    )
    snippet: Snippet = strawberry.field(description="The matched text with its matches located.")

    @strawberry.field(description="The article the hit is in.")
    async def article(self, info: Info) -> Article:
        row = await context(info).loaders.by_id(m.Article).load(self.hit.article_id)
        return from_row(Article, row)

    @strawberry.field(
        description="The paragraph that matched or holds the quote; null for headlines."
    )
    async def paragraph(self, info: Info) -> Paragraph | None:
        if self.hit.paragraph_id is None:
            return None
        row = await context(info).loaders.by_id(m.Paragraph).load(self.hit.paragraph_id)
        return optional_row(Paragraph, row)

    @strawberry.field(description="The quote that matched; null unless `kind` is QUOTE.")
    async def quote(self, info: Info) -> Quote | None:
        if self.hit.kind is not HitKind.QUOTE:
            return None
        row = await context(info).loaders.by_id(m.Quote).load(self.hit.source_id)
        return optional_row(Quote, row)


def _search_hit(hit: Hit) -> SearchHit:
    return SearchHit(hit=hit, kind=_KINDS[hit.kind], rank=hit.rank, snippet=snippet_of(hit.snippet))


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Headlines, paragraphs and quotes containing every word of `query` "
        "(stemmed: `vote` finds `voted`), most relevant first; headlines weigh most."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[
            str,
            strawberry.argument(
                description=f"Words to find, at most {MAX_QUERY_LENGTH} characters; "
                "punctuation and operators count as spaces."
            ),
        ],
        first: First = None,
        after: After = None,
    ) -> Connection[SearchHit]:
        if len(query) > MAX_QUERY_LENGTH:
            raise ClientError(
                f"`query` is longer than {MAX_QUERY_LENGTH} characters.", argument="query"
            )
        words = words_of(query)
        if not words:
            raise ClientError("`query` needs at least one word.", argument="query")
        page = page_of(info, first, after)
        loaders = context(info).loaders
        reader = loaders.reader
        statements = SearchStatements(reader.dialect, words, reader.viewer)
        window = hits_of(await reader.rows(statements.page(page.offset, page.first + 1)))

        async def count() -> int:
            return int(await reader.scalar(statements.count()) or 0)

        return Connection.from_window([_search_hit(hit) for hit in window], page, count)
