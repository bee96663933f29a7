"""Full-text search over headlines, paragraphs and quotes: FTS5 on SQLite, tsvector on PostgreSQL.

The migration `a3c5e7f9b1d2` builds the indexes these statements read. Both engines
stem English words, match every word given (AND), rank headlines above body text and mark
the matched words of each snippet with START_MARK … END_MARK.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    column,
    func,
    literal,
    literal_column,
    null,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from db import models as m
from db.relations import AnySelect
from db.visibility import Viewer, visible

START_MARK = "\x02"
END_MARK = "\x03"
# Words a snippet holds around its matches.
SNIPPET_WORDS = 24
# Ranking scores every match (PostgreSQL reads each one's tsvector from the heap): tens of
# thousands for a common word. A page is ranked among at most this many matches of each
# kind on PostgreSQL, and three times as many index entries on SQLite.
RANKED_CANDIDATES = 1_000

_WORD = re.compile(r"\w+")


class HitKind(enum.IntEnum):
    HEADLINE = 0
    PARAGRAPH = 1
    QUOTE = 2


@dataclass(frozen=True)
class Hit:
    kind: HitKind
    source_id: int
    article_id: int
    paragraph_id: int | None
    rank: float
    snippet: str


def words_of(query: str) -> list[str]:
    """The words a query searches for; punctuation and operators are not special."""
    return _WORD.findall(query)


class SearchStatements:
    """The page and count statements of one search, for one engine and one viewer."""

    def __init__(self, dialect: str, words: list[str], viewer: Viewer) -> None:
        if not words:
            raise ValueError("a search needs at least one word")
        self.dialect = dialect
        self.words = words
        self.article_visible = visible(m.Article, viewer)

    def page(self, offset: int, limit: int) -> AnySelect:
        if self.dialect == "postgresql":
            return self._postgres_page(offset, limit)
        return self._sqlite_page(offset, limit)

    def count(self) -> AnySelect:
        if self.dialect == "postgresql":
            hits = self._postgres_hits().subquery()
            return select(func.count()).select_from(hits)
        index, match = self._sqlite_index()
        statement = (
            select(func.count())
            .select_from(index)
            .join(m.Article, m.Article.id == index.c.article_id)
            .where(match)
        )
        if self.article_visible is not None:
            statement = statement.where(self.article_visible)
        return statement

    # SQLite: one FTS5 table; the visibility of an entry is its article's.

    def _sqlite_index(self) -> tuple[Any, Any]:
        index = table(
            "search_index",
            column("rowid", Integer),
            column("article_id", Integer),
            column("paragraph_id", Integer),
        )
        # Each word as an FTS5 string: operators and column filters typed by users stay words.
        words = " ".join(f'"{word}"' for word in self.words)
        return index, text("search_index MATCH :match").bindparams(match=words)

    def _sqlite_page(self, offset: int, limit: int) -> AnySelect:
        index, match = self._sqlite_index()
        rowid = index.c.rowid
        # bm25 and snippet() need the MATCH in their own query; the LIMIT stops FTS5 after
        # as many entries as PostgreSQL ranks (RANKED_CANDIDATES of each of three kinds).
        candidates = (
            select(
                (rowid % 4).label("kind"),
                (rowid // 4).label("source_id"),
                rowid.label("entry"),
                index.c.article_id,
                index.c.paragraph_id,
                (-func.bm25(literal_column("search_index"), 4.0, 1.0, type_=Float)).label("score"),
                func.snippet(
                    literal_column("search_index"), -1, START_MARK, END_MARK, "…", SNIPPET_WORDS
                ).label("snippet"),
            )
            .select_from(index)
            .where(match)
            .limit(3 * RANKED_CANDIDATES)
            .subquery("candidates")
        )
        statement = select(
            candidates.c.kind,
            candidates.c.source_id,
            candidates.c.article_id,
            candidates.c.paragraph_id,
            candidates.c.score,
            candidates.c.snippet,
        ).join(m.Article, m.Article.id == candidates.c.article_id)
        if self.article_visible is not None:
            statement = statement.where(self.article_visible)
        return (
            statement.order_by(candidates.c.score.desc(), candidates.c.entry)
            .offset(offset)
            .limit(limit)
        )

    # PostgreSQL: a generated tsvector per table; snippets only for the rows of the page.

    def _postgres_hits(self, candidates: int | None = None) -> AnySelect:
        query = func.plainto_tsquery("english", " ".join(self.words))

        def vector(table_name: str) -> ColumnElement[Any]:
            return literal_column(f"{table_name}.search_vector", type_=TSVECTOR)

        def narrowed(statement: AnySelect) -> AnySelect:
            if self.article_visible is not None:
                statement = statement.where(self.article_visible)
            return statement if candidates is None else statement.limit(candidates)

        headlines = narrowed(
            select(
                literal(int(HitKind.HEADLINE), Integer).label("kind"),
                m.Article.id.label("source_id"),
                m.Article.id.label("article_id"),
                null().label("paragraph_id"),
                func.ts_rank(vector("articles"), query, type_=Float).label("score"),
                m.Article.headline.label("text"),
            ).where(vector("articles").bool_op("@@")(query))
        )
        paragraphs = narrowed(
            select(
                literal(int(HitKind.PARAGRAPH), Integer),
                m.Paragraph.id,
                m.Paragraph.article_id,
                m.Paragraph.id,
                func.ts_rank(vector("paragraphs"), query, type_=Float),
                m.Paragraph.text,
            )
            .join(m.Article, m.Article.id == m.Paragraph.article_id)
            .where(vector("paragraphs").bool_op("@@")(query))
        )
        quotes = narrowed(
            select(
                literal(int(HitKind.QUOTE), Integer),
                m.Quote.id,
                m.Paragraph.article_id,
                m.Paragraph.id,
                func.ts_rank(vector("quotes"), query, type_=Float),
                m.Quote.text,
            )
            .join(m.Paragraph, m.Paragraph.id == m.Quote.paragraph_id)
            .join(m.Article, m.Article.id == m.Paragraph.article_id)
            .where(vector("quotes").bool_op("@@")(query))
        )
        return union_all(headlines, paragraphs, quotes)  # type: ignore[return-value]

    def _postgres_page(self, offset: int, limit: int) -> AnySelect:
        hits = self._postgres_hits(RANKED_CANDIDATES).subquery("hits")
        page = (
            select(hits)
            .order_by(hits.c.score.desc(), hits.c.kind, hits.c.source_id)
            .offset(offset)
            .limit(limit)
            .subquery("page")
        )
        options = (
            f"StartSel={START_MARK}, StopSel={END_MARK}, "
            f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
        )
        snippet = func.ts_headline(
            "english",
            page.c.text,
            func.plainto_tsquery("english", " ".join(self.words)),
            options,
        )
        return select(
            page.c.kind,
            page.c.source_id,
            page.c.article_id,
            page.c.paragraph_id,
            page.c.score,
            snippet.label("snippet"),
        ).order_by(page.c.score.desc(), page.c.kind, page.c.source_id)


def hits_of(rows: Any) -> list[Hit]:
    return [
        Hit(
            kind=HitKind(int(row.kind)),
            source_id=int(row.source_id),
            article_id=int(row.article_id),
            paragraph_id=None if row.paragraph_id is None else int(row.paragraph_id),
            rank=float(row.score),
            snippet=str(row.snippet),
        )
        for row in rows
    ]
