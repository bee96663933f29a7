"""Keeps the stored visibility of statements, votes, persons and organizations right.

Those rows show to the public and to partners only through articles (see db/visibility.py
for the rules). Proving that on every read costs a join chain per row, which dominates a
page or a count of a busy speaker's statements. So each row stores, per audience, the
earliest moment an article showing it becomes visible (`HasVisibleFrom`), and the read
rule is one comparison with the clock. Embargoes need no write when they lift: the
stored moment is the embargo's end.

Every ORM write is seen here through session events: what a flush adds, changes or
deletes marks the rows whose visibility it can move, and the commit recomputes exactly
those from the current data. Writes made with Core statements (bulk deletes or inserts)
call `note_articles` for the articles they touch. `refresh_all` recomputes everything,
for bulk loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    event,
    exists,
    func,
    inspect,
    literal,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState, Session, attributes

from db import models as m
from db.base import UTCDateTime

# The stored moment of rows a published (not embargoed) article shows: before any clock.
ALWAYS = datetime(1, 1, 1, tzinfo=UTC)

_AUDIENCES = {"public_visible_from": False, "partner_visible_from": True}
_CHUNK = 500
_PENDING = "newsgraph.visible_from"


# --- the rules, as "candidate moments" per row --------------------------------------------


def _always() -> ColumnElement[datetime]:
    return literal(ALWAYS, UTCDateTime())


def article_visible_from(article: Any = m.Article) -> ColumnElement[datetime | None]:
    """When an article becomes visible to the public and partners; NULL if it is not to be."""
    return case(
        (article.status == m.PublicationStatus.PUBLISHED, _always()),
        (article.status == m.PublicationStatus.EMBARGOED, article.embargoed_until),
        else_=None,
    )


def _text_visible_from(partner: bool) -> ColumnElement[datetime | None]:
    """When the article's text becomes readable: partners read only what they may republish."""
    if not partner:
        return article_visible_from()
    return case((m.Article.partners_may_republish.is_(True), article_visible_from()), else_=None)


def _in_text(anchor: Any, partner: bool) -> Select[Any]:
    """Candidate moments of rows anchored in paragraphs (quotes, reports, mentions)."""
    statement = (
        select(_text_visible_from(partner).label("moment"))
        .select_from(anchor)
        .join(m.Paragraph, m.Paragraph.id == anchor.paragraph_id)
        .join(m.Article, m.Article.id == m.Paragraph.article_id)
    )
    # Rows in text partners may not republish give no moment: leaving them out early
    # spares the minimum a walk over every such row of a busy speaker.
    if partner:
        statement = statement.where(m.Article.partners_may_republish.is_(True))
    return statement


def _candidates(model: Any, partner: bool) -> list[Select[Any]]:
    """One SELECT per way a row of `model` can be shown, each correlated to `model`."""
    column = "partner_visible_from" if partner else "public_visible_from"
    if model is m.Statement:
        return [
            _in_text(m.Quote, partner).where(m.Quote.statement_id == m.Statement.id),
            _in_text(m.StatementReport, partner).where(
                m.StatementReport.statement_id == m.Statement.id
            ),
        ]
    if model is m.Vote:
        return [_in_text(m.VoteReport, partner).where(m.VoteReport.vote_id == m.Vote.id)]
    is_person = model is m.Person
    own = "person_id" if is_person else "organization_id"
    speaker = m.Statement.speaker_person_id if is_person else m.Statement.speaker_organization_id
    membership_moment = case(
        (m.Membership.source_article_id.is_(None), _always()),
        else_=_text_visible_from(partner),
    )
    candidates = [
        _in_text(m.Mention, partner).where(getattr(m.Mention, own) == model.id),
        select(getattr(m.Statement, column).label("moment")).where(speaker == model.id),
        select(getattr(m.Vote, column).label("moment"))
        .join(m.VotePosition, m.VotePosition.vote_id == m.Vote.id)
        .where(getattr(m.VotePosition, own) == model.id),
        select(membership_moment.label("moment"))
        .select_from(m.Membership)
        .outerjoin(m.Article, m.Article.id == m.Membership.source_article_id)
        .where(getattr(m.Membership, own) == model.id),
    ]
    if is_person:
        candidates.append(
            select(article_visible_from().label("moment"))
            .join(m.ArticleCredit, m.ArticleCredit.article_id == m.Article.id)
            .where(m.ArticleCredit.person_id == model.id)
        )
    else:
        candidates += [
            select(article_visible_from().label("moment")).where(
                m.Article.publisher_id == model.id
            ),
            select(getattr(m.Vote, column).label("moment")).where(m.Vote.body_id == model.id),
        ]
    return candidates


def _visible_from(model: Any, partner: bool) -> ColumnElement[datetime | None]:
    """The earliest candidate moment; most rows of a busy entity are shown by published
    articles, so finding one of those first spares the minimum over all of them."""
    moments = union_all(*(c.correlate(model) for c in _candidates(model, partner))).subquery()
    return case(
        (exists().select_from(moments).where(moments.c.moment == _always()), _always()),
        else_=select(func.min(moments.c.moment)).scalar_subquery(),
    )


def _refresh(connection: Connection, model: Any, ids: Iterable[int] | None) -> None:
    values: dict[str, Any] = {
        column: _visible_from(model, partner) for column, partner in _AUDIENCES.items()
    }
    values["updated_at"] = model.updated_at  # visibility moving is not an edit of the row
    statement = update(model).values(values)
    if ids is None:
        connection.execute(statement)
        return
    for chunk in _chunks(sorted(ids)):
        connection.execute(statement.where(model.id.in_(chunk)))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def refresh_all(connection: Connection) -> None:
    """Recompute every row's stored visibility (after a bulk load)."""
    for model in (m.Statement, m.Vote, m.Person, m.Organization):
        _refresh(connection, model, None)


# --- what a write can move ----------------------------------------------------------------


@dataclass
class _Marked:
    """Rows whose visibility a transaction may have moved, recomputed at its commit."""

    articles: set[int] = field(default_factory=set)
    statements: set[int] = field(default_factory=set)
    votes: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)
    organizations: set[int] = field(default_factory=set)
    new_objects: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.articles or self.statements or self.votes or self.persons or self.organizations
        )

    def add_rows(self, rows: Iterable[Any], kinds: tuple[str, ...]) -> None:
        for row in rows:
            for kind, value in zip(kinds, row, strict=True):
                if value is not None:
                    getattr(self, kind).add(value)


def _marked(session: Session) -> _Marked:
    marked = session.info.get(_PENDING)
    if marked is None:
        marked = session.info[_PENDING] = _Marked()
    return marked


def _values(obj: Any, key: str) -> set[int]:
    """The attribute's current and previous values: a change moves both rows."""
    history = attributes.get_history(obj, key)
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


# Attributes whose rows' visibility a row of each model feeds into.
_REFERENCES: dict[type[Any], tuple[tuple[str, str], ...]] = {
    m.Quote: (("statement_id", "statements"),),
    m.StatementReport: (("statement_id", "statements"),),
    m.VoteReport: (("vote_id", "votes"),),
    m.Mention: (("person_id", "persons"), ("organization_id", "organizations")),
    m.VotePosition: (("person_id", "persons"), ("organization_id", "organizations")),
    m.Membership: (("person_id", "persons"), ("organization_id", "organizations")),
    m.ArticleCredit: (("person_id", "persons"),),
    m.Statement: (("speaker_person_id", "persons"), ("speaker_organization_id", "organizations")),
    m.Vote: (("body_id", "organizations"),),
    m.Article: (("publisher_id", "organizations"),),
}


_WATCHED = {*_REFERENCES, m.Article, m.Paragraph}
_WATCHED_TABLES: dict[Any, Any] = {inspect(model).local_table: model for model in _WATCHED}


def _mark(session: Session, marked: _Marked, obj: Any, deleted: bool) -> None:
    """Mark what a row written through the ORM can move (its old and new references)."""
    for key, kind in _REFERENCES.get(type(obj), ()):
        getattr(marked, kind).update(_values(obj, key))
    _mark_rows(session.connection(), marked, type(obj), [obj.id], deleted)


def _mark_rows(
    connection: Connection, marked: _Marked, model: Any, ids: list[int], deleted: bool
) -> None:
    """Mark what rows of `model` move by existing, changing or going, beyond their own
    references. Deleted rows are marked before they go: what cascades with them is gone after."""
    if model is m.Article:
        if deleted:  # its paragraphs and credits go with it
            _mark_linked(connection, marked, articles=ids)
        else:
            marked.articles.update(ids)
    elif model is m.Paragraph and deleted:
        _mark_linked(connection, marked, paragraphs=ids)
    elif model is m.Statement and not deleted:
        marked.statements.update(ids)
    elif model is m.Vote:
        if deleted:  # its positions go with it
            for chunk in _chunks(sorted(ids)):
                marked.add_rows(
                    connection.execute(
                        select(m.VotePosition.person_id, m.VotePosition.organization_id).where(
                            m.VotePosition.vote_id.in_(chunk)
                        )
                    ),
                    ("persons", "organizations"),
                )
        else:
            marked.votes.update(ids)


def _mark_references(connection: Connection, marked: _Marked, model: Any, ids: list[int]) -> None:
    references = _REFERENCES.get(model, ())
    if not references:
        return
    columns = [getattr(model, key) for key, _ in references]
    kinds = tuple(kind for _, kind in references)
    for chunk in _chunks(sorted(ids)):
        marked.add_rows(connection.execute(select(*columns).where(model.id.in_(chunk))), kinds)


def _mark_linked(
    connection: Connection,
    marked: _Marked,
    articles: list[int] | None = None,
    paragraphs: list[int] | None = None,
) -> None:
    """Mark every row the given articles or paragraphs show, as the data stands now."""
    for chunk in _chunks(sorted(articles or paragraphs or [])):
        in_scope = m.Paragraph.article_id.in_(chunk) if articles else m.Paragraph.id.in_(chunk)
        statements = union(
            _anchored(m.Quote, in_scope, m.Quote.statement_id),
            _anchored(m.StatementReport, in_scope, m.StatementReport.statement_id),
        )
        marked.add_rows(connection.execute(statements), ("statements",))
        marked.add_rows(
            connection.execute(_anchored(m.VoteReport, in_scope, m.VoteReport.vote_id)),
            ("votes",),
        )
        marked.add_rows(
            connection.execute(
                _anchored(m.Mention, in_scope, m.Mention.person_id, m.Mention.organization_id)
            ),
            ("persons", "organizations"),
        )
        if not articles:
            continue
        marked.add_rows(
            connection.execute(
                select(m.ArticleCredit.person_id).where(m.ArticleCredit.article_id.in_(chunk))
            ),
            ("persons",),
        )
        marked.add_rows(
            connection.execute(select(m.Article.publisher_id).where(m.Article.id.in_(chunk))),
            ("organizations",),
        )
        marked.add_rows(
            connection.execute(
                select(m.Membership.person_id, m.Membership.organization_id).where(
                    m.Membership.source_article_id.in_(chunk)
                )
            ),
            ("persons", "organizations"),
        )


def _anchored(anchor: Any, in_scope: ColumnElement[bool], *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .join(m.Paragraph, m.Paragraph.id == anchor.paragraph_id)
        .where(in_scope)
        .distinct()
    )


def _mark_dependents(connection: Connection, marked: _Marked) -> None:
    """Speakers follow their statements; bodies and voters follow their votes."""
    for chunk in _chunks(sorted(marked.statements)):
        marked.add_rows(
            connection.execute(
                select(m.Statement.speaker_person_id, m.Statement.speaker_organization_id).where(
                    m.Statement.id.in_(chunk)
                )
            ),
            ("persons", "organizations"),
        )
    for chunk in _chunks(sorted(marked.votes)):
        marked.add_rows(
            connection.execute(select(m.Vote.body_id).where(m.Vote.id.in_(chunk))),
            ("organizations",),
        )
        marked.add_rows(
            connection.execute(
                select(m.VotePosition.person_id, m.VotePosition.organization_id).where(
                    m.VotePosition.vote_id.in_(chunk)
                )
            ),
            ("persons", "organizations"),
        )


def _apply(connection: Connection, marked: _Marked) -> None:
    _mark_linked(connection, marked, articles=list(marked.articles))
    # Statements and votes first: persons and organizations read their stored moments.
    _refresh(connection, m.Statement, marked.statements)
    _refresh(connection, m.Vote, marked.votes)
    _mark_dependents(connection, marked)
    _refresh(connection, m.Person, marked.persons)
    _refresh(connection, m.Organization, marked.organizations)


def note_articles(session: Session, article_ids: Iterable[int]) -> None:
    """For writes made with Core statements: these articles' records are about to change
    (or just did). Call it before deleting their rows, so what they showed is marked too."""
    ids = [i for i in article_ids if i is not None]
    marked = _marked(session)
    _mark_linked(session.connection(), marked, articles=ids)
    marked.articles.update(ids)


# --- session events -----------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    marked = _marked(session)
    for obj in session.deleted:
        _mark(session, marked, obj, deleted=True)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _mark(session, marked, obj, deleted=False)
    # New rows have no ids yet: they are marked once the flush has written them.
    marked.new_objects.extend(session.new)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    marked = _marked(session)
    for obj in marked.new_objects:
        _mark(session, marked, obj, deleted=False)
    marked.new_objects.clear()


def _target(state: ORMExecuteState) -> Any | None:
    """The watched model a statement writes, whether it names the model or its table."""
    if state.bind_mapper is not None:
        model = state.bind_mapper.class_
        return model if model in _WATCHED else None
    return _WATCHED_TABLES.get(getattr(state.statement, "table", None))


def _inserted_rows(state: ORMExecuteState) -> list[dict[str, Any]]:
    """The rows a Core INSERT writes: executemany parameters, or its VALUES clause."""
    parameters = state.parameters
    rows = [dict(p) for p in parameters] if isinstance(parameters, list | tuple) else []
    if isinstance(parameters, dict) and parameters:
        rows.append(dict(parameters))
    statement: Any = state.statement
    for group in getattr(statement, "_multi_values", ()):
        rows += [{getattr(k, "key", k): v for k, v in row.items()} for row in group]
    if getattr(statement, "_values", None):
        rows.append(
            {getattr(k, "key", k): getattr(v, "value", v) for k, v in statement._values.items()}
        )
    return rows


@event.listens_for(Session, "do_orm_execute")
def _core_write(state: ORMExecuteState) -> Result[Any] | None:
    """Statements run through a session bypass the flush. For UPDATE and DELETE, mark the
    rows they match before (old references, what cascades) and after (new references);
    for INSERT, what the new rows reference."""
    if state.is_select:  # every read passes here: leave them at once
        return None
    model = _target(state)
    if model is None:
        return None
    if state.is_insert:  # new rows move only what they reference
        references = _REFERENCES.get(model, ())
        _marked(state.session).add_rows(
            ([row.get(key) for key, _ in references] for row in _inserted_rows(state)),
            tuple(kind for _, kind in references),
        )
        return None
    if not (state.is_update or state.is_delete):
        return None
    where = state.statement.whereclause  # type: ignore[attr-defined]
    matched = select(model.id) if where is None else select(model.id).where(where)
    connection = state.session.connection()
    ids = list(connection.execute(matched).scalars())
    marked = _marked(state.session)
    _mark_references(connection, marked, model, ids)
    _mark_rows(connection, marked, model, ids, deleted=state.is_delete)
    result = state.invoke_statement()
    if state.is_update:
        _mark_references(connection, marked, model, ids)
    return result


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    marked = session.info.get(_PENDING)
    if not marked and not session.new and not session.dirty and not session.deleted:
        return
    session.flush()
    marked = session.info.pop(_PENDING, None)
    if marked:
        _apply(session.connection(), marked)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction is over, committed or not
        session.info.pop(_PENDING, None)
