"""Editorial writes: articles, paragraphs, statements, quotes, persons, organizations,
memberships, votes and their positions, mentions, credits and related-article links.

Every function validates before it writes, raises EditRefused for input an editor can fix
(nothing is written then), and records what it changed in `revisions`. The caller commits,
and turns a constraint the database enforces after all into a refusal (collision_refusal).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.base import HasId
from db.changes import public_at, record_change
from db.constraints import broken_unique_constraint
from db.memberships import withdraw_article_support
from db.refusals import EditRefused as EditRefused
from db.refusals import Problem as Problem
from newsgraph.names import normalize_name

RowT = TypeVar("RowT", bound=HasId)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://\S+$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Positions are moved out of the way and back in two UPDATEs, so that the unique
# (article, position) constraint never sees two paragraphs in one place mid-statement.
_POSITION_SHIFT = 1_000_000

ARTICLE_FIELDS = (
    "slug",
    "headline",
    "standfirst",
    "dateline",
    "url",
    "language",
    "published_at",
    "copyright_holder",
    "licence",
    "partners_may_republish",
)
STATEMENT_FIELDS = ("issued_on", "issued_on_text", "medium", "summary")
PARAGRAPH_FIELDS = ("article_id", "position", "kind", "text")
QUOTE_FIELDS = ("statement_id", "paragraph_id", "start_offset", "end_offset", "text")


@dataclass(frozen=True)
class Editor:
    """Who makes the change (their key) and when."""

    key_id: int | None
    now: datetime


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _record(
    session: AsyncSession,
    editor: Editor,
    entity_type: str,
    entity_id: int,
    action: m.RevisionAction,
    changes: dict[str, Any],
) -> None:
    session.add(
        m.Revision(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            key_id=editor.key_id,
            created_at=editor.now,
            changes={
                name: [_plain(before), _plain(after)] for name, (before, after) in changes.items()
            },
        )
    )


def _apply(row: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set `values` on `row`; the (before, after) of each field that really changed."""
    changed = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            changed[name] = (before, value)
            setattr(row, name, value)
    return changed


def _snapshot(row: Any, fields: tuple[str, ...], deleted: bool = False) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in fields}
    return {name: (value, None) if deleted else (None, value) for name, value in values.items()}


async def _text_changed(session: AsyncSession, editor: Editor, article_id: int) -> None:
    """A correction partners must mirror (logged only if the article is published or embargoed)."""
    await record_change(session, article_id, m.ChangeKind.CORRECTED, at=editor.now)


async def _articles_showing(session: AsyncSession, row: Any) -> set[int]:
    """The articles whose text shows `row`: a credit's or link's article, the article of the
    paragraph a quote, mention or report is anchored in, every article that quotes or reports
    a statement or reports a vote (with its positions), and every article stating a membership."""
    if isinstance(row, m.ArticleCredit):
        return {row.article_id}
    if isinstance(row, m.ArticleLink):
        return {row.from_article_id}
    if isinstance(row, m.Membership):
        supports = select(m.MembershipSource.article_id).where(
            m.MembershipSource.membership_id == row.id
        )
        return set(await session.scalars(supports))
    paragraphs: Any  # the paragraphs that show the row
    if isinstance(row, m.Statement):
        paragraphs = (
            select(m.Quote.paragraph_id)
            .where(m.Quote.statement_id == row.id)
            .union(
                select(m.StatementReport.paragraph_id).where(
                    m.StatementReport.statement_id == row.id
                )
            )
        )
    elif isinstance(row, m.Vote | m.VotePosition):
        vote_id = row.id if isinstance(row, m.Vote) else row.vote_id
        paragraphs = select(m.VoteReport.paragraph_id).where(m.VoteReport.vote_id == vote_id)
    elif getattr(row, "paragraph_id", None) is not None:
        paragraphs = [row.paragraph_id]
    else:
        return set()
    articles = select(m.Paragraph.article_id).where(m.Paragraph.id.in_(paragraphs))
    return set(await session.scalars(articles))


async def _shown_change(session: AsyncSession, editor: Editor, row: Any) -> None:
    """A change to what articles show is a correction their mirrors must follow."""
    for article_id in sorted(await _articles_showing(session, row)):
        await _text_changed(session, editor, article_id)


async def _get(session: AsyncSession, model: type[RowT], pk: int, field: str) -> RowT:
    row = await session.get(model, pk)
    if row is None:
        raise EditRefused(field, f"No {model.__name__.lower()} has this ID.", Problem.NOT_FOUND)
    return row


# Revisions are filed under the GraphQL type's name, where it is not the model's.
_ENTITY_TYPES: dict[type[Any], str] = {m.ArticleCredit: "Credit", m.ArticleLink: "RelatedLink"}


def _entity_type(row: Any) -> str:
    return _ENTITY_TYPES.get(type(row), type(row).__name__)


async def _insert(
    session: AsyncSession,
    editor: Editor,
    row: RowT,
    fields: tuple[str, ...],
    **more: tuple[Any, Any],
) -> RowT:
    """Add `row` and record its creation: the values of `fields`, and `more` changes."""
    session.add(row)
    await session.flush()
    changes = {**_snapshot(row, fields), **more}
    _record(session, editor, _entity_type(row), row.id, m.RevisionAction.CREATE, changes)
    return row


def _change(
    session: AsyncSession,
    editor: Editor,
    row: Any,
    values: dict[str, Any],
    action: m.RevisionAction = m.RevisionAction.UPDATE,
) -> dict[str, tuple[Any, Any]]:
    """Set `values` on `row` and record the fields that really changed, if any did."""
    changes = _apply(row, values)
    if changes:
        _record(session, editor, _entity_type(row), row.id, action, changes)
    return changes


async def _remove(session: AsyncSession, editor: Editor, row: Any, fields: tuple[str, ...]) -> None:
    """Record the deletion of `row` with the last values of `fields`, and delete it."""
    changes = _snapshot(row, fields, deleted=True)
    _record(session, editor, _entity_type(row), row.id, m.RevisionAction.DELETE, changes)
    await session.delete(row)


@dataclass(frozen=True)
class Kind(Generic[RowT]):
    """What create_row, update_row and delete_row need to know about one kind of row."""

    model: type[RowT]
    # The values a creation or deletion records.
    fields: tuple[str, ...]
    # Refuses a row that may not be saved as it stands (raises EditRefused).
    check: Callable[[AsyncSession, RowT], Awaitable[None]]
    # For a row with a place in its parent's list: the column naming the parent.
    listed_by: str | None = None

    @property
    def type_name(self) -> str:
        """The GraphQL type of its rows, which names them in IDs and revisions."""
        return _ENTITY_TYPES.get(self.model, self.model.__name__)


async def create_row(
    session: AsyncSession, editor: Editor, kind: Kind[RowT], values: dict[str, Any]
) -> RowT:
    """A new row from `values` (model field names; `position` is a place in its list, from 1)."""
    place = values.pop("position", None)
    row = kind.model(**values)
    await kind.check(session, row)
    if kind.listed_by is not None:
        row.position = await _make_room(session, kind.listed_by, row, place)  # type: ignore[attr-defined]
    await _shown_change(session, editor, row)
    return await _insert(session, editor, row, kind.fields)


async def update_row(
    session: AsyncSession, editor: Editor, kind: Kind[RowT], pk: int, values: dict[str, Any]
) -> RowT:
    """The row `pk` with `values` set: fields left out stay, None clears."""
    row = await _get(session, kind.model, pk, "id")
    if kind.listed_by is not None and "position" in values:
        values["position"] = await _make_room(session, kind.listed_by, row, values["position"])
    changed = _change(session, editor, row, values)
    await kind.check(session, row)  # refused before anything is logged (logging flushes)
    if changed:
        await _shown_change(session, editor, row)
    return row


async def delete_row(session: AsyncSession, editor: Editor, kind: Kind[Any], pk: int) -> None:
    row = await _get(session, kind.model, pk, "id")
    await _shown_change(session, editor, row)
    await _remove(session, editor, row, kind.fields)


async def _make_room(session: AsyncSession, listed_by: str, row: Any, position: int | None) -> int:
    """Renumber the other rows of `row`'s list around a free place at `position` (1 for the
    first; the end when None), and return that place as stored (from 0). The list is the
    rows of `row`'s model with the same `listed_by` column value."""
    model = type(row)
    siblings = [
        sibling
        for sibling in await session.scalars(
            select(model)
            .where(getattr(model, listed_by) == getattr(row, listed_by))
            .order_by(model.position, model.id)
        )
        if sibling is not row
    ]
    last = len(siblings) + 1
    if position is None:
        position = last
    if not 1 <= position <= last:
        raise EditRefused("position", f"Give a position from 1 to {last}.", Problem.INVALID)
    for number, sibling in enumerate(siblings):
        sibling.position = number if number < position - 1 else number + 1
    return position - 1


async def _refuse_if_taken(
    session: AsyncSession, row: Any, columns: tuple[str, ...], field: str, message: str
) -> None:
    """CONFLICT on `field` when another row of the model has the same `columns` values."""
    model = type(row)
    taken = await session.scalar(
        select(model.id).where(*(getattr(model, name) == getattr(row, name) for name in columns))
    )
    if taken is not None and taken != row.id:
        raise EditRefused(field, message, Problem.CONFLICT)


async def _person_or_organization(
    session: AsyncSession, entity: tuple[str, int], field: str
) -> str:
    """The column that names `entity` ("person_id" or "organization_id"), once it is found."""
    type_name, pk = entity
    model = m.Person if type_name == "Person" else m.Organization
    await _get(session, model, pk, field)
    return "person_id" if model is m.Person else "organization_id"


# Articles


async def _check_article_values(
    session: AsyncSession, values: dict[str, Any], pk: int | None
) -> None:
    if "slug" in values:
        await _check_slug(session, m.Article, values["slug"], pk)
    if "headline" in values and not (values["headline"] or "").strip():
        raise EditRefused("headline", "An article needs a headline.", Problem.REQUIRED)
    if values.get("url") is not None:
        if not URL.match(values["url"]):
            raise EditRefused("url", "Give an http(s) URL.", Problem.INVALID)
        taken = await session.scalar(select(m.Article.id).where(m.Article.url == values["url"]))
        if taken is not None and taken != pk:
            raise EditRefused("url", "Another article has this URL.", Problem.CONFLICT)
    if "language" in values and not LANGUAGE.match(values["language"] or ""):
        raise EditRefused("language", "Give a BCP 47 language tag such as `en`.", Problem.INVALID)
    if "partners_may_republish" in values and values["partners_may_republish"] is None:
        raise EditRefused("partnersMayRepublish", "Say true or false.", Problem.REQUIRED)


async def create_article(
    session: AsyncSession, editor: Editor, values: dict[str, Any]
) -> m.Article:
    """A new draft article; its paragraphs are added one by one."""
    for required in ("slug", "headline"):
        if values.get(required) is None:
            raise EditRefused(required, f"`{required}` is required.", Problem.REQUIRED)
    await _check_article_values(session, values, None)
    values.setdefault("language", "en")
    values.setdefault("partners_may_republish", False)
    article = m.Article(status=m.PublicationStatus.DRAFT, **values)
    return await _insert(session, editor, article, ARTICLE_FIELDS, status=(None, article.status))


async def update_article(
    session: AsyncSession, editor: Editor, pk: int, values: dict[str, Any]
) -> m.Article:
    article = await _get(session, m.Article, pk, "id")
    await _check_article_values(session, values, pk)
    renamed = values.get("slug", article.slug) != article.slug
    if renamed:
        # Mirrors keep articles by slug: the old one goes, the new one arrives.
        await record_change(session, pk, m.ChangeKind.WITHDRAWN, at=editor.now)
    if _change(session, editor, article, values):
        kind = m.ChangeKind.PUBLISHED if renamed else m.ChangeKind.CORRECTED
        await record_change(session, pk, kind, at=editor.now)
    return article


async def publish_article(
    session: AsyncSession, editor: Editor, pk: int, embargoed_until: datetime | None
) -> m.Article:
    """Published now, or embargoed until a future time; a first publication time is set."""
    article = await _get(session, m.Article, pk, "id")
    if embargoed_until is not None and embargoed_until <= editor.now:
        raise EditRefused(
            "embargoedUntil",
            "An embargo must end in the future; publish now instead.",
            Problem.INVALID,
        )
    status = (
        m.PublicationStatus.PUBLISHED if embargoed_until is None else m.PublicationStatus.EMBARGOED
    )
    values: dict[str, Any] = {"status": status, "embargoed_until": embargoed_until}
    if article.published_at is None:
        values["published_at"] = embargoed_until or editor.now
    if embargoed_until is not None and public_at(article, editor.now):
        # Hidden again until the new embargo ends: mirrors drop it now and get it back then.
        await record_change(session, pk, m.ChangeKind.WITHDRAWN, at=editor.now)
    changes = _apply(article, values)
    _record(session, editor, "Article", pk, m.RevisionAction.PUBLISH, changes)
    if changes:
        await record_change(session, pk, m.ChangeKind.PUBLISHED, at=editor.now)
    return article


async def unpublish_article(session: AsyncSession, editor: Editor, pk: int) -> m.Article:
    """Withdrawn: hidden from the public and partners again, kept for editors."""
    article = await _get(session, m.Article, pk, "id")
    # Logged before the status changes: only an article that was public is announced.
    await record_change(session, pk, m.ChangeKind.WITHDRAWN, at=editor.now)
    values = {"status": m.PublicationStatus.WITHDRAWN, "embargoed_until": None}
    _record(session, editor, "Article", pk, m.RevisionAction.UNPUBLISH, _apply(article, values))
    return article


async def delete_article(session: AsyncSession, editor: Editor, pk: int) -> None:
    """Deletes the article with its paragraphs and everything anchored in them, and the
    memberships that no other article or editor stands behind."""
    article = await _get(session, m.Article, pk, "id")
    await record_change(session, pk, m.ChangeKind.DELETED, at=editor.now)
    await withdraw_article_support(session, pk)
    await _remove(session, editor, article, ARTICLE_FIELDS)


# Paragraphs


async def _shift_positions(session: AsyncSession, article_id: int, start: int, by: int) -> None:
    """Move every paragraph at `start` or later by `by` places (+1 or -1)."""
    await session.execute(
        update(m.Paragraph)
        .where(m.Paragraph.article_id == article_id, m.Paragraph.position >= start)
        .values(position=m.Paragraph.position + _POSITION_SHIFT)
    )
    await session.execute(
        update(m.Paragraph)
        .where(m.Paragraph.article_id == article_id, m.Paragraph.position >= _POSITION_SHIFT)
        .values(position=m.Paragraph.position - _POSITION_SHIFT + by)
    )


async def create_paragraph(
    session: AsyncSession,
    editor: Editor,
    article_id: int,
    kind: m.ParagraphKind,
    text: str,
    position: int | None,
) -> m.Paragraph:
    """A paragraph at `position` (later ones move down one), or after the last one."""
    await _get(session, m.Article, article_id, "articleId")
    if not text.strip():
        raise EditRefused("text", "A paragraph needs text.", Problem.REQUIRED)
    count = (
        await session.scalar(
            select(func.count())
            .select_from(m.Paragraph)
            .where(m.Paragraph.article_id == article_id)
        )
        or 0
    )
    if position is None:
        position = count + 1
    if not 1 <= position <= count + 1:
        raise EditRefused("position", f"Give a position from 1 to {count + 1}.", Problem.INVALID)
    await _shift_positions(session, article_id, position, 1)
    paragraph = m.Paragraph(article_id=article_id, position=position, kind=kind, text=text)
    await _insert(session, editor, paragraph, PARAGRAPH_FIELDS)
    await _text_changed(session, editor, article_id)
    return paragraph


def _where_spans_went(old: str, new: str) -> Callable[[int, int], tuple[int, int] | None]:
    """Where the characters [start, end) of `old` are in `new` when a correction left every
    one of them alone (they may have moved); None when it touched any of them."""
    kept = SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()

    def moved(start: int, end: int) -> tuple[int, int] | None:
        for old_start, new_start, size in kept:
            if old_start <= start and end <= old_start + size:
                return start - old_start + new_start, end - old_start + new_start
        return None

    return moved


async def correct_paragraph(
    session: AsyncSession, editor: Editor, pk: int, text: str, kind: m.ParagraphKind | None
) -> m.Paragraph:
    """New text for a paragraph. What is anchored in it follows the text: a quote or mention
    whose words the correction left alone moves with them; a quote whose words it touched is
    flagged for review, and such a mention is removed (the words no longer name anyone)."""
    paragraph = await _get(session, m.Paragraph, pk, "id")
    if not text.strip():
        raise EditRefused("text", "A paragraph needs text.", Problem.REQUIRED)
    old_text = paragraph.text
    values: dict[str, Any] = {"text": text}
    if kind is not None:
        values["kind"] = kind
    changes: dict[str, Any] = _apply(paragraph, values)
    if not changes:
        return paragraph
    if "text" in changes:
        moved = _where_spans_went(old_text, text)
        flagged = await _follow_words(session, editor, m.Quote, pk, moved)
        for quote in flagged:
            quote.needs_review = True
        # The words no longer name anyone; the revision log keeps each mention.
        removed = await _follow_words(session, editor, m.Mention, pk, moved)
        for mention in removed:
            await _remove(session, editor, mention, MENTION_FIELDS)
        if flagged:
            changes["quotes_flagged_for_review"] = (None, [quote.id for quote in flagged])
        if removed:
            changes["mentions_removed"] = (None, [mention.id for mention in removed])
    _record(session, editor, "Paragraph", pk, m.RevisionAction.CORRECT, changes)
    await _text_changed(session, editor, paragraph.article_id)
    return paragraph


async def _follow_words(
    session: AsyncSession,
    editor: Editor,
    model: type[m.Quote] | type[m.Mention],
    paragraph_id: int,
    moved: Callable[[int, int], tuple[int, int] | None],
) -> list[Any]:
    """Move the paragraph's quotes or mentions with their words; return those whose words
    the correction changed, for the caller to deal with."""
    changed = []
    anchored: list[m.Quote | m.Mention] = list(
        await session.scalars(
            select(model).where(model.paragraph_id == paragraph_id).order_by(model.id)
        )
    )
    for row in anchored:
        span = moved(row.start_offset, row.end_offset)
        if span is None:
            changed.append(row)
        else:
            values = {"start_offset": span[0], "end_offset": span[1]}
            _change(session, editor, row, values, m.RevisionAction.CORRECT)
    return changed


async def delete_paragraph(session: AsyncSession, editor: Editor, pk: int) -> None:
    """Deletes the paragraph and what is anchored in it; later paragraphs move up one."""
    paragraph = await _get(session, m.Paragraph, pk, "id")
    await _remove(session, editor, paragraph, PARAGRAPH_FIELDS)
    await session.flush()
    await _shift_positions(session, paragraph.article_id, paragraph.position + 1, -1)
    await _text_changed(session, editor, paragraph.article_id)


# Statements


async def create_statement(
    session: AsyncSession,
    editor: Editor,
    speaker: tuple[str, int],
    values: dict[str, Any],
) -> m.Statement:
    """A statement by a person or an organization (`speaker` is ("Person"|"Organization", id))."""
    column = "speaker_" + await _person_or_organization(session, speaker, "speakerId")
    if values.get("medium") is None:
        raise EditRefused("medium", "Say how the statement was made.", Problem.REQUIRED)
    statement = m.Statement(**{column: speaker[1]}, **values)
    return await _insert(session, editor, statement, (column, *STATEMENT_FIELDS))


async def update_statement(
    session: AsyncSession, editor: Editor, pk: int, values: dict[str, Any]
) -> m.Statement:
    statement = await _get(session, m.Statement, pk, "id")
    if "medium" in values and values["medium"] is None:
        raise EditRefused("medium", "Say how the statement was made.", Problem.REQUIRED)
    if _change(session, editor, statement, values):
        await _shown_change(session, editor, statement)
    return statement


async def delete_statement(session: AsyncSession, editor: Editor, pk: int) -> None:
    """Deletes the statement with its quotes and reports."""
    statement = await _get(session, m.Statement, pk, "id")
    await _shown_change(session, editor, statement)
    await _remove(session, editor, statement, STATEMENT_FIELDS)


# Quotes


def _span(paragraph: m.Paragraph, start: int, end: int, text: str | None) -> str:
    """The words at [start, end) of the paragraph, checked against `text` when given."""
    length = len(paragraph.text)
    if not 0 <= start < end <= length:
        raise EditRefused(
            "end" if 0 <= start < length else "start",
            f"A span runs from 0 ≤ start < end ≤ {length} (the paragraph's length in code points).",
            Problem.INVALID,
        )
    words = paragraph.text[start:end]
    if text is not None and text != words:
        raise EditRefused(
            "text",
            f"The paragraph holds {words!r} at {start}..{end}, not {text!r}.",
            Problem.INVALID,
        )
    return words


async def _check_free(session: AsyncSession, paragraph_id: int, start: int, pk: int | None) -> None:
    taken = await session.scalar(
        select(m.Quote.id).where(
            m.Quote.paragraph_id == paragraph_id, m.Quote.start_offset == start
        )
    )
    if taken is not None and taken != pk:
        raise EditRefused("start", "Another quote starts at this offset.", Problem.CONFLICT)


async def create_quote(
    session: AsyncSession,
    editor: Editor,
    statement_id: int,
    paragraph_id: int,
    start: int,
    end: int,
    text: str | None,
) -> m.Quote:
    """A statement's words as one paragraph quotes them, at a span proven against its text."""
    await _get(session, m.Statement, statement_id, "statementId")
    paragraph = await _get(session, m.Paragraph, paragraph_id, "paragraphId")
    words = _span(paragraph, start, end, text)
    await _check_free(session, paragraph_id, start, None)
    quote = m.Quote(
        statement_id=statement_id,
        paragraph_id=paragraph_id,
        start_offset=start,
        end_offset=end,
        text=words,
    )
    await _text_changed(session, editor, paragraph.article_id)
    return await _insert(session, editor, quote, QUOTE_FIELDS)


async def correct_quote(
    session: AsyncSession, editor: Editor, pk: int, start: int, end: int, text: str | None
) -> m.Quote:
    """A new span for a quote, proven against its paragraph's text; clears its review flag."""
    quote = await _get(session, m.Quote, pk, "id")
    paragraph = await _get(session, m.Paragraph, quote.paragraph_id, "id")
    words = _span(paragraph, start, end, text)
    await _check_free(session, quote.paragraph_id, start, pk)
    values = {"start_offset": start, "end_offset": end, "text": words, "needs_review": False}
    if _change(session, editor, quote, values, m.RevisionAction.CORRECT):
        await _text_changed(session, editor, paragraph.article_id)
    return quote


async def delete_quote(session: AsyncSession, editor: Editor, pk: int) -> None:
    quote = await _get(session, m.Quote, pk, "id")
    await _shown_change(session, editor, quote)
    await _remove(session, editor, quote, QUOTE_FIELDS)


# Persons and organizations


async def _check_slug(session: AsyncSession, model: Any, slug: Any, pk: int | None) -> None:
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 200:
        raise EditRefused(
            "slug", "Use lower-case letters, digits and single hyphens.", Problem.INVALID
        )
    taken = await session.scalar(select(model.id).where(model.slug == slug))
    if taken is not None and taken != pk:
        raise EditRefused(
            "slug", f"Another {model.__name__.lower()} has slug {slug!r}.", Problem.CONFLICT
        )


async def _replace_aliases(
    session: AsyncSession, alias_model: Any, owner_column: str, owner_id: int, aliases: list[str]
) -> list[str]:
    """Make `aliases` the owner's aliases, in order; the aliases it had before."""
    existing = list(
        await session.scalars(
            select(alias_model)
            .where(getattr(alias_model, owner_column) == owner_id)
            .order_by(alias_model.position)
        )
    )
    for row in existing:
        await session.delete(row)
    await session.flush()
    seen: set[str] = set()
    for position, alias in enumerate(aliases):
        if not alias.strip():
            raise EditRefused("aliases", "An alias cannot be empty.", Problem.INVALID)
        normalized = normalize_name(alias)
        if normalized in seen:
            continue
        seen.add(normalized)
        session.add(
            alias_model(
                **{owner_column: owner_id}, alias=alias, normalized=normalized, position=position
            )
        )
    return [row.alias for row in existing]


def _named_values(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        if not (values["name"] or "").strip():
            raise EditRefused("name", "A name is required.", Problem.REQUIRED)
        values["normalized_name"] = normalize_name(values["name"])
    return values


async def _create_named(
    session: AsyncSession,
    editor: Editor,
    model: Any,
    alias_model: Any,
    owner_column: str,
    values: dict[str, Any],
    fields: tuple[str, ...],
) -> Any:
    for required in ("slug", "name"):
        if values.get(required) is None:
            raise EditRefused(required, f"`{required}` is required.", Problem.REQUIRED)
    await _check_slug(session, model, values["slug"], None)
    aliases = values.pop("aliases", None) or []
    more = {"aliases": (None, aliases)} if aliases else {}
    row = await _insert(session, editor, model(**_named_values(values)), fields, **more)
    await _replace_aliases(session, alias_model, owner_column, row.id, aliases)
    return row


async def _update_named(
    session: AsyncSession,
    editor: Editor,
    model: Any,
    alias_model: Any,
    owner_column: str,
    pk: int,
    values: dict[str, Any],
) -> Any:
    row = await _get(session, model, pk, "id")
    if "slug" in values:
        await _check_slug(session, model, values["slug"], pk)
    aliases = values.pop("aliases", None)
    changes: dict[str, Any] = _apply(row, _named_values(values))
    changes.pop("normalized_name", None)
    if aliases is not None:
        before = await _replace_aliases(session, alias_model, owner_column, pk, aliases)
        if before != aliases:
            changes["aliases"] = (before, aliases)
    if changes:
        _record(session, editor, model.__name__, pk, m.RevisionAction.UPDATE, changes)
    return row


PERSON_FIELDS = ("slug", "name", "description")
ORGANIZATION_FIELDS = ("slug", "name", "kind", "description", "parent_id")


async def create_person(session: AsyncSession, editor: Editor, values: dict[str, Any]) -> m.Person:
    """A new person; the public sees them once published content names them."""
    person: m.Person = await _create_named(
        session, editor, m.Person, m.PersonAlias, "person_id", values, PERSON_FIELDS
    )
    return person


async def update_person(
    session: AsyncSession, editor: Editor, pk: int, values: dict[str, Any]
) -> m.Person:
    person: m.Person = await _update_named(
        session, editor, m.Person, m.PersonAlias, "person_id", pk, values
    )
    return person


async def delete_person(session: AsyncSession, editor: Editor, pk: int) -> None:
    """Deletes the person with their aliases, memberships, mentions and statements."""
    await _remove(session, editor, await _get(session, m.Person, pk, "id"), PERSON_FIELDS)


async def _check_parent(session: AsyncSession, values: dict[str, Any], pk: int | None) -> None:
    parent_id = values.get("parent_id")
    if parent_id is None:
        return
    await _get(session, m.Organization, parent_id, "parentId")
    # Walk up from the parent: reaching this organization would close a loop.
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == pk:
            raise EditRefused(
                "parentId", "An organization cannot be its own ancestor.", Problem.INVALID
            )
        seen.add(current)
        current = await session.scalar(
            select(m.Organization.parent_id).where(m.Organization.id == current)
        )


async def create_organization(
    session: AsyncSession, editor: Editor, values: dict[str, Any]
) -> m.Organization:
    """A new organization; the public sees it once published content names it."""
    if values.get("kind") is None:
        raise EditRefused("kind", "Say what sort of body it is.", Problem.REQUIRED)
    await _check_parent(session, values, None)
    organization: m.Organization = await _create_named(
        session,
        editor,
        m.Organization,
        m.OrganizationAlias,
        "organization_id",
        values,
        ORGANIZATION_FIELDS,
    )
    return organization


async def update_organization(
    session: AsyncSession, editor: Editor, pk: int, values: dict[str, Any]
) -> m.Organization:
    if "kind" in values and values["kind"] is None:
        raise EditRefused("kind", "Say what sort of body it is.", Problem.REQUIRED)
    await _get(session, m.Organization, pk, "id")
    await _check_parent(session, values, pk)
    organization: m.Organization = await _update_named(
        session, editor, m.Organization, m.OrganizationAlias, "organization_id", pk, values
    )
    return organization


async def delete_organization(session: AsyncSession, editor: Editor, pk: int) -> None:
    """Deletes the organization with its aliases, memberships, statements and votes."""
    organization = await _get(session, m.Organization, pk, "id")
    await _remove(session, editor, organization, ORGANIZATION_FIELDS)


# Memberships

MEMBERSHIP_FIELDS = (
    "person_id",
    "organization_id",
    "role",
    "start_on",
    "end_on",
    "entered_by_editor",
)


async def _check_membership(session: AsyncSession, membership: m.Membership) -> None:
    await _get(session, m.Person, membership.person_id, "personId")
    await _get(session, m.Organization, membership.organization_id, "organizationId")
    if membership.start_on and membership.end_on and membership.start_on > membership.end_on:
        raise EditRefused("endOn", "A membership cannot end before it starts.", Problem.INVALID)


MEMBERSHIPS = Kind(m.Membership, MEMBERSHIP_FIELDS, _check_membership)


async def create_membership(
    session: AsyncSession, editor: Editor, values: dict[str, Any], source_article_id: int | None
) -> m.Membership:
    """A membership from `values`: the editor's own fact, or one that the article
    `source_article_id` states, which then lives and shows as that article's."""
    if source_article_id is not None:
        await _get(session, m.Article, source_article_id, "sourceId")
    row = m.Membership(**values, entered_by_editor=source_article_id is None)
    await _check_membership(session, row)
    await _insert(
        session,
        editor,
        row,
        MEMBERSHIP_FIELDS,
        source_article_id=(None, source_article_id),
    )
    if source_article_id is not None:
        session.add(m.MembershipSource(membership_id=row.id, article_id=source_article_id))
        await session.flush()
        await _shown_change(session, editor, row)
    return row


# Votes, and the paragraphs that report statements and votes

VOTE_FIELDS = ("body_id", "motion", "held_on", "held_on_text", "status", "outcome", "follow_up_id")


async def _check_vote(session: AsyncSession, vote: m.Vote) -> None:
    if vote.status is None:
        raise EditRefused("status", "Say whether it was held or is scheduled.", Problem.REQUIRED)
    await _get(session, m.Organization, vote.body_id, "bodyId")
    if not (vote.motion or "").strip():
        raise EditRefused("motion", "Say what is voted on.", Problem.REQUIRED)
    if vote.outcome is not None and vote.status is not m.VoteStatus.HELD:
        raise EditRefused("outcome", "Only a held vote has an outcome.", Problem.INVALID)
    if vote.follow_up_id is not None:
        if vote.follow_up_id == vote.id:
            raise EditRefused("followUpId", "A vote cannot follow up itself.", Problem.INVALID)
        await _get(session, m.Vote, vote.follow_up_id, "followUpId")


# The public sees a vote once a published paragraph reports it (`set_vote_report`). Deleting
# one takes its positions and reports along; its follow-ups stay.
VOTES = Kind(m.Vote, VOTE_FIELDS, _check_vote)


async def _set_report(
    session: AsyncSession,
    editor: Editor,
    model: Any,
    owner: tuple[str, Any, int],
    paragraph_id: int,
    present: bool,
) -> None:
    """Add (or remove) the row saying that a paragraph reports a statement or vote."""
    entity_type, owner_model, owner_id = owner
    owner_column = "statement_id" if owner_model is m.Statement else "vote_id"
    await _get(session, owner_model, owner_id, "id")
    paragraph = await _get(session, m.Paragraph, paragraph_id, "paragraphId")
    existing = await session.scalar(
        select(model).where(
            getattr(model, owner_column) == owner_id, model.paragraph_id == paragraph_id
        )
    )
    if present == (existing is not None):
        return
    if present:
        session.add(model(**{owner_column: owner_id, "paragraph_id": paragraph_id}))
    else:
        await session.delete(existing)
    await session.flush()
    await _text_changed(session, editor, paragraph.article_id)
    before, after = (None, paragraph_id) if present else (paragraph_id, None)
    _record(
        session,
        editor,
        entity_type,
        owner_id,
        m.RevisionAction.UPDATE,
        {"reported_in_paragraph": (before, after)},
    )


async def set_statement_report(
    session: AsyncSession, editor: Editor, statement_id: int, paragraph_id: int, present: bool
) -> m.Statement:
    """Say that a paragraph paraphrases the statement (or no longer does)."""
    await _set_report(
        session,
        editor,
        m.StatementReport,
        ("Statement", m.Statement, statement_id),
        paragraph_id,
        present,
    )
    return await _get(session, m.Statement, statement_id, "id")


async def set_vote_report(
    session: AsyncSession, editor: Editor, vote_id: int, paragraph_id: int, present: bool
) -> m.Vote:
    """Say that a paragraph reports the vote (or no longer does)."""
    await _set_report(
        session, editor, m.VoteReport, ("Vote", m.Vote, vote_id), paragraph_id, present
    )
    return await _get(session, m.Vote, vote_id, "id")


# Vote positions

VOTE_POSITION_FIELDS = (
    "vote_id",
    "option",
    "group_name",
    "organization_id",
    "person_id",
    "voter_count",
    "position",
)
# Who took a position: exactly one of these, by column and input field.
_HOLDERS = {"group_name": "groupName", "organization_id": "organizationId", "person_id": "personId"}


async def _check_vote_position(session: AsyncSession, position: m.VotePosition) -> None:
    await _get(session, m.Vote, position.vote_id, "voteId")
    if position.option is None:
        raise EditRefused("option", "Say how they voted.", Problem.REQUIRED)
    holders = [column for column in _HOLDERS if getattr(position, column) is not None]
    if not holders:
        raise EditRefused(
            None, "Say who voted: a groupName, an organizationId or a personId.", Problem.REQUIRED
        )
    if len(holders) > 1:
        raise EditRefused(
            _HOLDERS[holders[1]],
            "Give one of groupName, organizationId and personId, not several.",
            Problem.INVALID,
        )
    if position.group_name is not None and not position.group_name.strip():
        raise EditRefused("groupName", "A group needs a name.", Problem.REQUIRED)
    if position.organization_id is not None:
        await _get(session, m.Organization, position.organization_id, "organizationId")
    if position.person_id is not None:
        await _get(session, m.Person, position.person_id, "personId")
        await _refuse_if_taken(
            session,
            position,
            ("vote_id", "person_id"),
            "personId",
            "This person already has a position in this vote: change that one.",
        )
    if position.voter_count is not None and position.voter_count < 0:
        raise EditRefused("voterCount", "A count cannot be negative.", Problem.INVALID)


# How a group, organization or person voted; shown wherever its vote is.
VOTE_POSITIONS = Kind(m.VotePosition, VOTE_POSITION_FIELDS, _check_vote_position, "vote_id")


async def update_vote_position(
    session: AsyncSession, editor: Editor, pk: int, values: dict[str, Any]
) -> m.VotePosition:
    """A new option, count or place; naming a holder replaces the one it had."""
    if values.keys() & _HOLDERS.keys():
        values = {**dict.fromkeys(_HOLDERS), **values}
    return await update_row(session, editor, VOTE_POSITIONS, pk, values)


# Mentions

MENTION_FIELDS = (
    "paragraph_id",
    "person_id",
    "organization_id",
    "start_offset",
    "end_offset",
    "text",
)


async def _check_mention(session: AsyncSession, mention: m.Mention) -> None:
    entity = "person_id" if mention.person_id is not None else "organization_id"
    await _refuse_if_taken(
        session,
        mention,
        ("paragraph_id", "start_offset", "end_offset", entity),
        "start",
        "The paragraph already mentions them with these words.",
    )


MENTIONS = Kind(m.Mention, MENTION_FIELDS, _check_mention)


async def create_mention(
    session: AsyncSession,
    editor: Editor,
    paragraph_id: int,
    entity: tuple[str, int],
    start: int,
    end: int,
    text: str | None,
) -> m.Mention:
    """A paragraph naming a person or an organization in the words at [start, end).

    The public sees whom it names once the paragraph is published (db/visibility.py).
    """
    paragraph = await _get(session, m.Paragraph, paragraph_id, "paragraphId")
    column = await _person_or_organization(session, entity, "entityId")
    words = _span(paragraph, start, end, text)
    values = {"paragraph_id": paragraph_id, column: entity[1], "text": words}
    return await create_row(
        session, editor, MENTIONS, {**values, "start_offset": start, "end_offset": end}
    )


# Credits

CREDIT_FIELDS = ("article_id", "person_id", "role", "position")


async def _check_credit(session: AsyncSession, credit: m.ArticleCredit) -> None:
    await _get(session, m.Article, credit.article_id, "articleId")
    await _get(session, m.Person, credit.person_id, "personId")
    if credit.role is None:
        raise EditRefused("role", "Say what the person did.", Problem.REQUIRED)
    await _refuse_if_taken(
        session,
        credit,
        ("article_id", "person_id", "role"),
        "role",
        "The person is already credited with this role.",
    )


# A person credited for an article; the public sees them once the article is published.
CREDITS = Kind(m.ArticleCredit, CREDIT_FIELDS, _check_credit, "article_id")


# Related-article links

RELATED_LINK_FIELDS = (
    "from_article_id",
    "to_article_id",
    "anchor_text",
    "paragraph_id",
    "position",
)


async def _check_related_link(session: AsyncSession, link: m.ArticleLink) -> None:
    await _get(session, m.Article, link.from_article_id, "articleId")
    if link.to_article_id == link.from_article_id:
        raise EditRefused("relatedArticleId", "An article cannot link to itself.", Problem.INVALID)
    await _get(session, m.Article, link.to_article_id, "relatedArticleId")
    if not (link.anchor_text or "").strip():
        raise EditRefused("anchorText", "A link needs its text.", Problem.REQUIRED)
    await _refuse_if_taken(
        session,
        link,
        ("from_article_id", "to_article_id"),
        "relatedArticleId",
        "The article already links to this one.",
    )
    if link.paragraph_id is not None:
        paragraph = await _get(session, m.Paragraph, link.paragraph_id, "paragraphId")
        if paragraph.article_id != link.from_article_id:
            raise EditRefused(
                "paragraphId", "The paragraph belongs to another article.", Problem.INVALID
            )
        if link.anchor_text not in paragraph.text:
            raise EditRefused(
                "anchorText", "The link's text does not occur in its paragraph.", Problem.INVALID
            )


# A related-reading link; the public sees it while both its articles are published.
RELATED_LINKS = Kind(m.ArticleLink, RELATED_LINK_FIELDS, _check_related_link, "from_article_id")


# Edits that pass every check above and still break a unique constraint lost a race: a
# concurrent edit saved the clashing row between the check and the write. By constraint:
# the input field at fault, and what the concurrent edit did.
_RACES: dict[str, tuple[str, str]] = {
    "uq_articles_slug": ("slug", "Another article has this slug"),
    "uq_articles_url": ("url", "Another article has this URL"),
    "uq_persons_slug": ("slug", "Another person has this slug"),
    "uq_organizations_slug": ("slug", "Another organization has this slug"),
    "uq_person_aliases_person_id_normalized": ("aliases", "The aliases were changed"),
    "uq_organization_aliases_organization_id_normalized": ("aliases", "The aliases were changed"),
    "uq_paragraphs_article_id_position": ("position", "Another paragraph took this position"),
    "uq_quotes_paragraph_id_start_offset": ("start", "Another quote starts at this offset"),
    "uq_statement_reports_statement_id_paragraph_id": (
        "paragraphId",
        "The paragraph already reports the statement",
    ),
    "uq_vote_reports_vote_id_paragraph_id": (
        "paragraphId",
        "The paragraph already reports the vote",
    ),
    "uq_mentions_person_span": ("start", "The paragraph already mentions them with these words"),
    "uq_mentions_organization_span": (
        "start",
        "The paragraph already mentions them with these words",
    ),
    "uq_vote_positions_vote_id_person_id": ("personId", "This person already has a position"),
    "uq_article_credits_article_id_person_id_role": (
        "role",
        "The person is already credited with this role",
    ),
    "uq_article_links_from_article_id_to_article_id": (
        "relatedArticleId",
        "The article already links to this one",
    ),
}


def collision_refusal(error: IntegrityError) -> EditRefused:
    """The CONFLICT to report for an edit the database refused, after the caller rolled back.

    A unique constraint names the field; any other constraint (a row deleted, or two edits
    that are each valid but not together) is a conflict with the whole input.
    """
    name = broken_unique_constraint(error, m.Base.metadata)
    field, what = _RACES.get(name or "", (None, "Another edit changed the same records"))
    return EditRefused(
        field,
        f"{what}: a concurrent edit saved it first, and this one changed nothing.",
        Problem.CONFLICT,
    )
