"""Keeps the stored visibility of statements, votes, persons and organizations right.

Those rows show to the public and to partners only through articles (see db/visibility.py
for the rules). Proving that on every read costs a join chain per row, which dominates a
page or a count of a busy speaker's statements. So each row stores, per audience, the
earliest moment an article showing it becomes visible (`HasVisibleFrom`), and the read
rule is one comparison with the clock. Embargoes need no write when they lift: the
stored moment is the embargo's end.

Every write through a session is seen here through session events: what a flush or a
Core statement changes or deletes marks the rows whose visibility it can move, and the
commit recomputes exactly those from the current data. What a transaction only inserts
can only bring the rows it shows forward, so the commit lowers their stored moments to
the earliest the new rows give (`_Added`, `_lower`) instead of reading every row that shows
a busy speaker. Writes that bypass sessions call `note_articles` for the articles they
touch; `refresh_all` recomputes everything, for bulk loads.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    case,
    event,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
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


def _membership_visible_from(partner: bool) -> ColumnElement[datetime | None]:
    """A membership an editor entered is an editorial fact: always shown. Any other shows
    through the text of each article that supports it."""
    return case(
        (m.Membership.entered_by_editor.is_(True), _always()),
        else_=_text_visible_from(partner),
    )


@dataclass(frozen=True)
class _Way:
    """One way a row is shown: through the rows `source` selects from, which name it in
    `target`, each giving the moment `moment(partner)`.

    The rows a transaction inserts are found again at its commit by `added_by`, whose values
    it noted in the key set named `added` (see `_Added`). It is the primary key the new rows
    refer to (`paragraphs.id`, not `quotes.paragraph_id`): even before a table has been
    analyzed, PostgreSQL then knows how few rows the keys find."""

    target: Any
    source: Callable[[Select[Any]], Select[Any]]
    moment: Callable[[bool], ColumnElement[datetime | None]]
    added_by: Any
    added: str
    in_text: bool = False

    def candidates(self, model: Any, partner: bool) -> Select[Any]:
        """The moments of every row showing the (correlated) row of `model`."""
        statement = self.source(select(self.moment(partner).label("moment")))
        statement = statement.where(self.target == model.id)
        # Rows in text partners may not republish give no moment: leaving them out early
        # spares the minimum a walk over every such row of a busy speaker.
        if partner and self.in_text:
            statement = statement.where(m.Article.partners_may_republish.is_(True))
        return statement

    def added_moments(self, keys: list[Any]) -> Select[Any]:
        """(row shown, public moment, partner moment) for the rows these keys find."""
        columns = (self.target, self.moment(False), self.moment(True))
        return self.source(select(*columns)).where(
            self.added_by.in_(keys), self.target.is_not(None)
        )


def _in_text(anchor: Any, target: Any) -> _Way:
    """Rows anchored in paragraphs (quotes, reports, mentions) show what they name."""
    return _Way(
        target,
        lambda statement: (
            statement.select_from(anchor)
            .join(m.Paragraph, m.Paragraph.id == anchor.paragraph_id)
            .join(m.Article, m.Article.id == m.Paragraph.article_id)
        ),
        _text_visible_from,
        m.Paragraph.id,
        "paragraphs",
        in_text=True,
    )


def _stored(model: Any) -> Callable[[bool], ColumnElement[datetime | None]]:
    return lambda partner: getattr(model, _COLUMNS[partner])


def _entity_ways(model: Any) -> list[_Way]:
    is_person = model is m.Person
    own = "person_id" if is_person else "organization_id"
    speaker = m.Statement.speaker_person_id if is_person else m.Statement.speaker_organization_id
    ways = [
        _in_text(m.Mention, getattr(m.Mention, own)),
        # Statements and votes store their moments before their speakers, voters and bodies
        # are recomputed; those that moved are the keys of the last three.
        _Way(
            speaker,
            lambda statement: statement.select_from(m.Statement),
            _stored(m.Statement),
            m.Statement.id,
            "statements",
        ),
        _Way(
            getattr(m.VotePosition, own),
            lambda statement: statement.select_from(m.VotePosition).join(
                m.Vote, m.Vote.id == m.VotePosition.vote_id
            ),
            _stored(m.Vote),
            m.Vote.id,
            "position_votes",
        ),
        _Way(
            getattr(m.Membership, own),
            lambda statement: (
                statement.select_from(m.Membership)
                .outerjoin(m.MembershipSource, m.MembershipSource.membership_id == m.Membership.id)
                .outerjoin(m.Article, m.Article.id == m.MembershipSource.article_id)
            ),
            _membership_visible_from,
            m.Article.id,
            "membership_articles",
        ),
    ]
    # Bylines and publishers are shown with the article, whatever partners may republish.
    if is_person:
        ways.append(
            _Way(
                m.ArticleCredit.person_id,
                lambda statement: statement.select_from(m.ArticleCredit).join(
                    m.Article, m.Article.id == m.ArticleCredit.article_id
                ),
                lambda partner: article_visible_from(),
                m.Article.id,
                "credit_articles",
            )
        )
    else:
        ways += [
            _Way(
                m.Article.publisher_id,
                lambda statement: statement.select_from(m.Article),
                lambda partner: article_visible_from(),
                m.Article.slug,
                "article_slugs",
            ),
            _Way(
                m.Vote.body_id,
                lambda statement: statement.select_from(m.Vote),
                _stored(m.Vote),
                m.Vote.id,
                "votes",
            ),
        ]
    return ways


_COLUMNS = {False: "public_visible_from", True: "partner_visible_from"}
_WAYS: dict[type[Any], list[_Way]] = {
    m.Statement: [
        _in_text(m.Quote, m.Quote.statement_id),
        _in_text(m.StatementReport, m.StatementReport.statement_id),
    ],
    m.Vote: [_in_text(m.VoteReport, m.VoteReport.vote_id)],
    m.Person: _entity_ways(m.Person),
    m.Organization: _entity_ways(m.Organization),
}


def _visible_from(model: Any, partner: bool) -> ColumnElement[datetime | None]:
    """The earliest candidate moment; most rows of a busy entity are shown by published
    articles, so finding one of those first spares the minimum over all of them."""
    candidates = (way.candidates(model, partner).correlate(model) for way in _WAYS[model])
    moments = union_all(*candidates).subquery()
    return case(
        (exists().select_from(moments).where(moments.c.moment == _always()), _always()),
        else_=select(func.min(moments.c.moment)).scalar_subquery(),
    )


def _refresh(connection: Connection, model: Any, ids: Collection[int] | None) -> None:
    """Recompute rows' stored moments from everything that shows them."""
    if ids is not None and not ids:
        return
    values: dict[str, Any] = {
        column: _visible_from(model, partner) for partner, column in _COLUMNS.items()
    }
    values["updated_at"] = model.updated_at  # visibility moving is not an edit of the row
    statement = update(model).values(values)
    if ids is None:
        connection.execute(statement)
        return
    for chunk in _chunks(sorted(ids)):
        connection.execute(statement.where(model.id.in_(chunk)))


def _lower(
    connection: Connection,
    model: Any,
    keys: Mapping[str, Collection[Any]],
    recomputed: Collection[int],
) -> set[int]:
    """Bring stored moments down to the earliest the transaction's new rows give; return the
    ids of the rows that moved. Right only where the transaction added rows showing them and
    changed or removed none: the `recomputed` rows, recomputed in full, are left alone."""
    added: dict[int, list[datetime | None]] = {}
    for way in _WAYS[model]:
        for chunk in _chunks(sorted(keys.get(way.added, ()))):
            for target, public, partner in connection.execute(way.added_moments(chunk)):
                if target not in recomputed:
                    earliest = added.setdefault(target, [None, None])
                    earliest[0] = _earlier(earliest[0], public)
                    earliest[1] = _earlier(earliest[1], partner)
    moved: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(added)):
        stored = select(model.id, model.public_visible_from, model.partner_visible_from)
        for id_, public, partner in connection.execute(stored.where(model.id.in_(chunk))):
            public_added, partner_added = added[id_]
            if _earlier(public, public_added) != public or _earlier(partner, partner_added) != (
                partner
            ):
                moved.append({"row": id_, "public": public_added, "partner": partner_added})
    if moved:
        # Keeps the earlier of the stored and the new moment in the database too, so an
        # earlier moment a concurrent transaction stored is not overwritten.
        values: dict[str, Any] = {
            column: _earliest_of(getattr(model, column), bindparam(name, type_=UTCDateTime()))
            for name, column in (("public", _COLUMNS[False]), ("partner", _COLUMNS[True]))
        }
        values["updated_at"] = model.updated_at
        connection.execute(update(model).where(model.id == bindparam("row")).values(values), moved)
    return {row["row"] for row in moved}


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    """The earlier of two moments, where NULL means none."""
    if first is None or second is None:
        return second if first is None else first
    return min(first, second)


def _earliest_of(column: Any, moment: Any) -> ColumnElement[datetime | None]:
    """SQL for `_earlier` (LEAST ignores NULLs on PostgreSQL but not on SQLite)."""
    return case((or_(column.is_(None), column > moment), moment), else_=column)


def _chunks(ids: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# What stores its visibility, in the order a refresh recomputes it: people and
# organizations are shown by statements and votes.
_STORED_MODELS = (m.Statement, m.Vote, m.Person, m.Organization)


def refresh_all(connection: Connection) -> None:
    """Recompute every row's stored visibility (after a bulk load)."""
    for model in _STORED_MODELS:
        _refresh(connection, model, None)


def drift(connection: Connection) -> dict[str, int]:
    """How many rows of each kind store a moment other than what shows them gives now: none,
    unless something wrote around the session's bookkeeping (a bulk load, SQL by hand)."""
    counts = {}
    for model in _STORED_MODELS:
        differs = or_(
            *(
                getattr(model, column).is_distinct_from(_visible_from(model, partner))
                for partner, column in _COLUMNS.items()
            )
        )
        counted = select(func.count()).select_from(model).where(differs)
        counts[model.__name__] = connection.execute(counted).scalar_one()
    return counts


# --- what a write can move ----------------------------------------------------------------


@dataclass
class _Added:
    """Keys of the rows a transaction inserted, by which their moments are found at commit.

    Inserting rows only adds moments to what they show, so the stored moments there can
    only come down: to the earliest the new rows give (`_lower`), which spares reading
    every older row that shows a busy speaker. Each set is named by `_Way.added`."""

    paragraphs: set[int] = field(default_factory=set)  # of new quotes, reports, mentions
    position_votes: set[int] = field(default_factory=set)
    membership_articles: set[int] = field(default_factory=set)
    credit_articles: set[int] = field(default_factory=set)
    article_slugs: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.paragraphs
            or self.position_votes
            or self.membership_articles
            or self.credit_articles
            or self.article_slugs
        )


# The key each inserted row is found by, and the `_Added` set it goes in.
_INSERTED_KEYS: dict[type[Any], tuple[str, str]] = {
    m.Quote: ("paragraph_id", "paragraphs"),
    m.StatementReport: ("paragraph_id", "paragraphs"),
    m.VoteReport: ("paragraph_id", "paragraphs"),
    m.Mention: ("paragraph_id", "paragraphs"),
    m.VotePosition: ("vote_id", "position_votes"),
    m.MembershipSource: ("article_id", "membership_articles"),
    m.ArticleCredit: ("article_id", "credit_articles"),
    m.Article: ("slug", "article_slugs"),
}


@dataclass
class _Marked:
    """Rows whose visibility a transaction may have moved, recomputed in full at its commit,
    and the rows it inserted, whose moments only lower what they show."""

    articles: set[int] = field(default_factory=set)
    statements: set[int] = field(default_factory=set)
    votes: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)
    organizations: set[int] = field(default_factory=set)
    added: _Added = field(default_factory=_Added)
    new_objects: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.articles
            or self.statements
            or self.votes
            or self.persons
            or self.organizations
            or self.added
        )

    def add_rows(self, rows: Iterable[Any], kinds: tuple[str, ...]) -> None:
        for row in rows:
            for kind, value in zip(kinds, row, strict=True):
                if value is not None:
                    getattr(self, kind).add(value)

    def add_inserted(self, model: Any, row: Mapping[str, Any]) -> None:
        """Note a new row by its key. Without one (a membership an editor entered), what
        it references is recomputed in full."""
        key = _INSERTED_KEYS.get(model)
        if key is not None:
            attribute, added = key
            value = row.get(attribute)
            if isinstance(value, int | str):
                getattr(self.added, added).add(value)
                return
        elif model in (m.Statement, m.Vote) and all(row.get(c) is None for c in _COLUMNS.values()):
            # Nothing shows a new statement or vote yet; once something does, it moves
            # and its speaker or body follows.
            return
        elif model is m.Membership and not row.get("entered_by_editor"):
            # Shown only through the articles supporting it, noted as those rows come.
            return
        references = _REFERENCES.get(model, ())
        self.add_rows(
            [[row.get(key) for key, _ in references]], tuple(kind for _, kind in references)
        )


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
    m.MembershipSource: (),
    m.ArticleCredit: (("person_id", "persons"),),
    m.Statement: (("speaker_person_id", "persons"), ("speaker_organization_id", "organizations")),
    m.Vote: (("body_id", "organizations"),),
    m.Article: (("publisher_id", "organizations"),),
}


_WATCHED = {*_REFERENCES, m.Article, m.Paragraph}
_WATCHED_TABLES: dict[Any, Any] = {inspect(model).local_table: model for model in _WATCHED}


def _mark(session: Session, marked: _Marked, obj: Any, deleted: bool) -> None:
    """Mark what a row written through the ORM can move (its old and new references)."""
    if isinstance(obj, m.MembershipSource):
        _mark_members(
            session.connection(), marked, m.Membership.id.in_(_values(obj, "membership_id"))
        )
        return
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
        _mark_members(connection, marked, m.MembershipSource.article_id.in_(chunk))


def _mark_members(connection: Connection, marked: _Marked, supports: ColumnElement[bool]) -> None:
    """Mark the persons and organizations of the memberships whose supports match."""
    marked.add_rows(
        connection.execute(
            select(m.Membership.person_id, m.Membership.organization_id)
            .join(m.MembershipSource, m.MembershipSource.membership_id == m.Membership.id)
            .where(supports)
            .distinct()
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
    if connection.dialect.name == "postgresql":
        # The recomputing UPDATEs are estimated costly enough to be JIT-compiled, which took
        # a second per statement on a 10,000-article archive and ran in 67 ms without.
        connection.exec_driver_sql("SET LOCAL jit = off")
    _mark_linked(connection, marked, articles=list(marked.articles))
    added = marked.added
    keys: dict[str, Collection[Any]] = {
        "paragraphs": added.paragraphs,
        "membership_articles": added.membership_articles,
        "credit_articles": added.credit_articles,
        "article_slugs": added.article_slugs,
    }
    # Statements and votes first: persons and organizations read their stored moments.
    _refresh(connection, m.Statement, marked.statements)
    _refresh(connection, m.Vote, marked.votes)
    keys["statements"] = _lower(connection, m.Statement, keys, marked.statements)
    keys["votes"] = lowered_votes = _lower(connection, m.Vote, keys, marked.votes)
    keys["position_votes"] = lowered_votes | added.position_votes
    # Those recomputed in full may have moved either way: so may their speakers and voters.
    _mark_dependents(connection, marked)
    for model, recomputed in ((m.Person, marked.persons), (m.Organization, marked.organizations)):
        _refresh(connection, model, recomputed)
        _lower(connection, model, keys, recomputed)


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
        if type(obj) in _WATCHED:
            marked.add_inserted(type(obj), _flushed_row(obj))
    marked.new_objects.clear()


def _flushed_row(obj: Any) -> dict[str, Any]:
    """What `_Marked.add_inserted` reads of a new object, now that the flush gave it ids."""
    model = type(obj)
    keys = [key for key, _ in _REFERENCES.get(model, ())]
    if model in _INSERTED_KEYS:
        keys.append(_INSERTED_KEYS[model][0])
    if model in (m.Statement, m.Vote):
        keys += _COLUMNS.values()
    if model is m.Membership:
        keys.append("entered_by_editor")
    return {key: getattr(obj, key) for key in keys}


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
    if state.is_insert:  # new rows only add moments to what they show
        marked = _marked(state.session)
        for row in _inserted_rows(state):
            marked.add_inserted(model, row)
        return None
    if not (state.is_update or state.is_delete):
        return None
    where = state.statement.whereclause  # type: ignore[attr-defined]
    if model is m.MembershipSource:
        # Supports have no id of their own: mark their members before and after.
        connection = state.session.connection()
        matches = where if where is not None else true()
        _mark_members(connection, _marked(state.session), matches)
        result = state.invoke_statement()
        if state.is_update:
            _mark_members(connection, _marked(state.session), matches)
        return result
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
