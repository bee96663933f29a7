"""Saving article documents, with every record they support, inside the caller's transaction."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, false, func, or_, select, update
from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.changes import ChangedArticle, record_changes
from db.events import STATEMENTS, announce
from db.memberships import withdraw_article_support
from db.models import (
    Article,
    ArticleCredit,
    ArticleLink,
    ArticleRevision,
    Base,
    ChangeKind,
    Membership,
    MembershipSource,
    Mention,
    Organization,
    OrganizationAlias,
    Paragraph,
    Person,
    PersonAlias,
    PublicationStatus,
    Quote,
    Statement,
    StatementReport,
    Vote,
    VotePosition,
    VoteReport,
)
from newsgraph.document import (
    ArticleDocument,
    ArticleRecord,
    StatementRecord,
    content_hash_of,
)
from newsgraph.names import normalize_name
from newsgraph.wording import same_wording


class SaveStatus(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class SaveOutcome:
    status: SaveStatus
    article_id: int
    slug: str
    content_hash: str


class DocumentConflict(Exception):
    """The document's article already exists with other content, or its URL belongs to another."""


async def save_article_document(
    session: AsyncSession,
    document: ArticleDocument,
    *,
    replace: bool = False,
    source_hash: str | None = None,
) -> SaveOutcome:
    """Write the document's article and every record it supports; the caller commits.

    Saving a document whose article exists with the same content hash writes nothing and
    reports UNCHANGED. An article known so far only by its headline (the target of another
    article's link) is filled in. An article that exists with other content raises
    DocumentConflict, unless `replace` is set: then its records are replaced in place, the
    article keeps its id and slug, and the new version is kept as its next revision.
    `source_hash` records what raw source the document came from, for `article_for_source`.
    """
    batch = DocumentBatch(session)
    saved = await batch.save(document, replace=replace, source_hash=source_hash)
    await batch.flush()
    return saved.outcome()


class _Row:
    """A row waiting in a batch; `id` is set once the batch has written its table."""

    __slots__ = ("id", "values")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.id: int | None = None


# A record's row: stored (its id), or waiting in the batch.
_Ref = int | _Row


def _value(value: Any) -> Any:
    """A column value, with a waiting row replaced by its id: its table is written by now."""
    if isinstance(value, _Row):
        assert value.id is not None, "a row was written before a row it refers to"
        return value.id
    return value


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_ORGANIZATIONS = _table(Organization)
_PERSONS = _table(Person)
_ARTICLES = _table(Article)
_PARAGRAPHS = _table(Paragraph)
_STATEMENTS = _table(Statement)
_VOTES = _table(Vote)
_MEMBERSHIPS = _table(Membership)
# Every table a document writes, in the order rows refer to each other, and whether later
# rows need the ids of its rows.
_TABLES: tuple[tuple[Table, bool], ...] = (
    (_ORGANIZATIONS, True),
    (_PERSONS, True),
    (_table(OrganizationAlias), False),
    (_table(PersonAlias), False),
    (_ARTICLES, True),
    (_PARAGRAPHS, True),
    (_table(ArticleCredit), False),
    (_table(ArticleLink), False),
    (_MEMBERSHIPS, True),
    (_table(MembershipSource), False),
    (_STATEMENTS, True),
    (_table(Quote), False),
    (_table(StatementReport), False),
    (_VOTES, True),
    (_table(VotePosition), False),
    (_table(VoteReport), False),
    (_table(Mention), False),
    (_table(ArticleRevision), False),
)
# Bound parameters per SELECT … IN (…): far below what either engine allows.
_IN_CHUNK = 500


def _chunks(values: Collection[Any]) -> Iterator[list[Any]]:
    ordered = list(values)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


@dataclass
class _ArticleState:
    """What saving needs to know of a stored or waiting article."""

    ref: _Ref
    slug: str
    url: str | None
    content_hash: str | None
    has_paragraphs: bool
    status: PublicationStatus = PublicationStatus.PUBLISHED
    embargoed_until: datetime | None = None
    revisions: int = 0
    # The source of the revision this batch gave it last (article_for_source).
    revised_from: str | None = None


@dataclass
class _EntityState:
    """A stored or waiting person or organization: its aliases, parent and memberships."""

    ref: _Ref
    aliases: set[str] = field(default_factory=set)
    next_alias_position: int = 0
    parent: _Ref | None = None
    # A person's memberships by (organization, role, start_on, end_on)
    memberships: dict[tuple[_Ref, str | None, date | None, date | None], _Ref] = field(
        default_factory=dict
    )


@dataclass
class _QuotedStatement:
    """A stored or waiting statement's wordings, as cross-outlet matching compares them.

    The article being saved never has a quote among them: a new article has none stored,
    an updated one's were cleared first, and its own are added after matching.
    """

    ref: _Ref
    issued_on: date | None
    # Outlets repeat each other's words: each wording once, in the order first quoted.
    wordings: dict[str, None] = field(default_factory=dict)


# ("person" or "organization", the speaker's row)
_Speaker = tuple[str, _Ref]


@dataclass(frozen=True)
class SavedDocument:
    """What saving a document did; its article's id is known once the batch is flushed."""

    status: SaveStatus
    article: _Ref
    slug: str
    content_hash: str

    def outcome(self) -> SaveOutcome:
        return SaveOutcome(self.status, _value(self.article), self.slug, self.content_hash)


class DocumentBatch:
    """Saves many article documents in one transaction, each whole or not at all, in few statements.

    `save` checks a document against what is stored and what the batch already holds, and
    lines up its rows; `flush` writes every waiting row, one multi-row INSERT per table, so
    a hundred articles cost about as many statements as one. The outcome is what saving the
    documents one after the other would give. A document that conflicts raises
    DocumentConflict from `save` and leaves nothing in the batch. A database error in `flush`
    cannot be pinned on one document: the caller rolls back and saves them one transaction
    each (ingest.service does). `prepare` reads what saving a list of documents needs in a
    handful of statements for all of them; `save` reads whatever is still missing.

    `flush` is the one place where a batch's records reach the database.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # What was read or lined up, by key; None: there is no such record.
        self._articles: dict[str, _ArticleState | None] = {}
        self._article_slugs_by_url: dict[str, str | None] = {}
        self._organizations: dict[str, _EntityState | None] = {}
        self._persons: dict[str, _EntityState | None] = {}
        # Per speaker, by statement: stored ones by (0, id), waiting ones by (1, place in line).
        self._quoted: defaultdict[_Speaker, dict[tuple[int, int], _QuotedStatement]] = defaultdict(
            dict
        )
        # The statement dates whose quotes are read, per speaker; None: every date.
        self._quoted_dates: dict[_Speaker, set[date] | None] = {}
        self._sources: dict[str, list[tuple[SavedDocument, str | None]]] = {}
        # Articles this batch gave a revision, by slug: their sources are newer than stored ones.
        self._revised: dict[str, _ArticleState] = {}
        self._prepared: dict[int, ArticleDocument] = {}
        self._lined_up = 0
        # What flush writes.
        self._rows: defaultdict[Table, list[_Row]] = defaultdict(list)
        self._updates: list[tuple[Table, _Ref, dict[str, Any]]] = []
        self._new_statements: list[_Row] = []
        self._changes: list[tuple[_ArticleState, ChangeKind]] = []

    # -- reading ahead ---------------------------------------------------------------------

    async def prepare(self, documents: Iterable[ArticleDocument]) -> None:
        """Read what saving these documents needs, in a few statements for all of them."""
        documents = list(documents)
        self._prepared.update((id(document), document) for document in documents)
        await self._read_for(documents)

    async def find_sources(self, source_hashes: Iterable[str]) -> None:
        """Read which stored articles' latest revisions came from these sources."""
        wanted = set(source_hashes) - self._sources.keys()
        if not wanted:
            return
        newer = aliased(ArticleRevision)
        for chunk in _chunks(wanted):
            rows = await self._session.execute(
                select(
                    ArticleRevision.source_hash,
                    Article.id,
                    Article.slug,
                    Article.url,
                    ArticleRevision.content_hash,
                )
                .join(Article, Article.id == ArticleRevision.article_id)
                .where(
                    ArticleRevision.source_hash.in_(chunk),
                    # A later revision from other content means the source changed since.
                    ~exists().where(
                        newer.article_id == ArticleRevision.article_id,
                        newer.number > ArticleRevision.number,
                    ),
                )
            )
            for row in rows:
                found = SavedDocument(SaveStatus.UNCHANGED, row.id, row.slug, row.content_hash)
                self._sources.setdefault(row.source_hash, []).append((found, row.url))
        for source_hash in wanted:
            self._sources.setdefault(source_hash, [])

    async def article_for_source(self, source_hash: str, url: str | None) -> SavedDocument | None:
        """The article whose latest revision came from exactly this source, if any.

        Revisions this batch has lined up count, as if they were stored.
        """
        for state in self._revised.values():
            if state.revised_from == source_hash and (url is None or state.url == url):
                return SavedDocument(
                    SaveStatus.UNCHANGED, state.ref, state.slug, state.content_hash or ""
                )
        await self.find_sources([source_hash])
        for found, found_url in self._sources[source_hash]:
            if (url is None or found_url == url) and found.slug not in self._revised:
                return found
        return None

    async def _read_for(self, documents: Sequence[ArticleDocument]) -> None:
        slugs = {d.article.slug for d in documents}
        slugs.update(link.target.slug for d in documents for link in d.related_links)
        urls = {d.article.url for d in documents}
        urls.update(link.target.url for d in documents for link in d.related_links)
        await self._read_articles(
            slugs - self._articles.keys(),
            {url for url in urls if url is not None} - self._article_slugs_by_url.keys(),
        )
        await self._read_organizations(
            {o.slug for d in documents for o in d.organizations} - self._organizations.keys()
        )
        await self._read_persons(
            {p.slug for d in documents for p in d.persons} - self._persons.keys()
        )
        await self._read_quoted(documents)

    async def _read_articles(self, slugs: set[str], urls: set[str]) -> None:
        if not slugs and not urls:
            return
        has_paragraphs = exists().where(Paragraph.article_id == Article.id)
        revisions = (
            select(func.max(ArticleRevision.number))
            .where(ArticleRevision.article_id == Article.id)
            .scalar_subquery()
        )
        keys = [("slug", slug) for slug in slugs] + [("url", url) for url in urls]
        for chunk in _chunks(keys):
            wanted_slugs = [key for column, key in chunk if column == "slug"]
            wanted_urls = [key for column, key in chunk if column == "url"]
            rows = await self._session.execute(
                select(
                    Article.id,
                    Article.slug,
                    Article.url,
                    Article.content_hash,
                    Article.status,
                    Article.embargoed_until,
                    has_paragraphs.label("has_paragraphs"),
                    revisions.label("revisions"),
                ).where(
                    or_(
                        Article.slug.in_(wanted_slugs) if wanted_slugs else false(),
                        Article.url.in_(wanted_urls) if wanted_urls else false(),
                    )
                )
            )
            for row in rows:
                if row.slug not in self._articles:
                    self._articles[row.slug] = _ArticleState(
                        ref=row.id,
                        slug=row.slug,
                        url=row.url,
                        content_hash=row.content_hash,
                        has_paragraphs=bool(row.has_paragraphs),
                        status=row.status,
                        embargoed_until=row.embargoed_until,
                        revisions=row.revisions or 0,
                    )
                if row.url is not None:
                    self._article_slugs_by_url.setdefault(row.url, row.slug)
        for slug in slugs:
            self._articles.setdefault(slug, None)
        for url in urls:
            self._article_slugs_by_url.setdefault(url, None)

    async def _read_organizations(self, slugs: set[str]) -> None:
        found: dict[int, _EntityState] = {}
        for chunk in _chunks(slugs):
            rows = await self._session.execute(
                select(Organization.id, Organization.slug, Organization.parent_id).where(
                    Organization.slug.in_(chunk)
                )
            )
            for id_, slug, parent_id in rows:
                found[id_] = self._organizations[slug] = _EntityState(ref=id_, parent=parent_id)
        for slug in slugs:
            self._organizations.setdefault(slug, None)
        await self._read_aliases(
            found,
            OrganizationAlias.organization_id,
            OrganizationAlias.normalized,
            OrganizationAlias.position,
        )

    async def _read_persons(self, slugs: set[str]) -> None:
        found: dict[int, _EntityState] = {}
        for chunk in _chunks(slugs):
            rows = await self._session.execute(
                select(Person.id, Person.slug).where(Person.slug.in_(chunk))
            )
            for id_, slug in rows:
                found[id_] = self._persons[slug] = _EntityState(ref=id_)
        for slug in slugs:
            self._persons.setdefault(slug, None)
        await self._read_aliases(
            found, PersonAlias.person_id, PersonAlias.normalized, PersonAlias.position
        )
        # The same membership stated again (by another article) is not stored twice: the
        # article supports the stored one.
        for chunk in _chunks(found):
            memberships = await self._session.execute(
                select(
                    Membership.id,
                    Membership.person_id,
                    Membership.organization_id,
                    Membership.role,
                    Membership.start_on,
                    Membership.end_on,
                ).where(Membership.person_id.in_(chunk))
            )
            for id_, person_id, organization_id, role, start_on, end_on in memberships:
                found[person_id].memberships[(organization_id, role, start_on, end_on)] = id_

    async def _read_aliases(
        self,
        owners: dict[int, _EntityState],
        owner: InstrumentedAttribute[int],
        normalized: InstrumentedAttribute[str],
        position: InstrumentedAttribute[int],
    ) -> None:
        for chunk in _chunks(owners):
            rows = await self._session.execute(
                select(owner, normalized, position).where(owner.in_(chunk))
            )
            for owner_id, name, number in rows:
                state = owners[owner_id]
                state.aliases.add(name)
                state.next_alias_position = max(state.next_alias_position, number + 1)

    async def _read_quoted(self, documents: Sequence[ArticleDocument]) -> None:
        """The stored quotes that the documents' statements may repeat, by speaker and day."""
        needed: dict[_Speaker, set[date] | None] = {}
        for document in documents:
            for record in document.statements:
                speaker = self._speaker(record)
                if not record.quotes or speaker is None or isinstance(speaker[1], _Row):
                    continue
                read = self._quoted_dates.get(speaker, set())
                if read is None:
                    continue
                if record.issued_on is None:
                    needed[speaker] = None
                elif record.issued_on not in read:
                    dates = needed.setdefault(speaker, set())
                    if dates is not None:
                        dates.add(record.issued_on)
        if not needed:
            return
        every_day = [speaker for speaker, dates in needed.items() if dates is None]
        some_days = [speaker for speaker, dates in needed.items() if dates is not None]
        days = {day for dates in needed.values() if dates is not None for day in dates}
        conditions: list[ColumnElement[bool]] = []
        if every_day:
            conditions.append(_spoken_by(every_day))
        if some_days:
            conditions.append(
                _spoken_by(some_days)
                & or_(Statement.issued_on.is_(None), Statement.issued_on.in_(days))
            )
        rows = await self._session.execute(
            select(
                Quote.statement_id,
                Quote.text,
                Statement.issued_on,
                Statement.speaker_person_id,
                Statement.speaker_organization_id,
            )
            .distinct()
            .join(Statement, Statement.id == Quote.statement_id)
            .where(or_(*conditions))
        )
        for statement_id, text, issued_on, person_id, organization_id in rows:
            # Exactly one of the two is set (a CHECK constraint).
            said_by: _Speaker = (
                ("organization", organization_id)
                if organization_id is not None
                else ("person", person_id or 0)
            )
            statements = self._quoted[said_by]
            statement = statements.setdefault(
                (0, statement_id), _QuotedStatement(statement_id, issued_on)
            )
            statement.wordings[text] = None
        for speaker in every_day:
            self._quoted_dates[speaker] = None
        for speaker in some_days:
            read = self._quoted_dates.setdefault(speaker, set())
            if read is not None:
                read.update(days)

    def _speaker(self, record: StatementRecord) -> _Speaker | None:
        if record.speaker.person is not None:
            person = self._persons.get(record.speaker.person)
            return None if person is None else ("person", person.ref)
        organization = self._organizations.get(record.speaker.organization or "")
        return None if organization is None else ("organization", organization.ref)

    async def _article(self, slug: str) -> _ArticleState | None:
        if slug not in self._articles:
            await self._read_articles({slug}, set())
        return self._articles[slug]

    async def _slug_at(self, url: str) -> str | None:
        if url not in self._article_slugs_by_url:
            await self._read_articles(set(), {url})
        return self._article_slugs_by_url[url]

    def _forget(self) -> None:
        """Drop what was read: records the batch cleared may have been among it."""
        self._articles.clear()
        self._article_slugs_by_url.clear()
        self._organizations.clear()
        self._persons.clear()
        self._quoted.clear()
        self._quoted_dates.clear()

    # -- saving ----------------------------------------------------------------------------

    async def save(
        self,
        document: ArticleDocument,
        *,
        replace: bool = False,
        source_hash: str | None = None,
    ) -> SavedDocument:
        """Line up the document's rows, as save_article_document describes; flush writes them.

        An update (`replace` of an article stored with other content) is the exception: the
        batch is flushed and the old records are cleared before the new ones are lined up.
        """
        self._prepared.pop(id(document), None)
        await self._read_for([document])
        if replace:
            identified = await self._identify(document)
            if identified is not document:
                document = identified
                await self._read_for([document])
        record = document.article
        # Dumped once: for the content hash and for the revision.
        dumped = document.model_dump(mode="json")
        content_hash = content_hash_of(dumped)
        existing = await self._article(record.slug)
        status = SaveStatus.CREATED
        if existing is not None:
            if existing.content_hash == content_hash:
                return SavedDocument(SaveStatus.UNCHANGED, existing.ref, record.slug, content_hash)
            if existing.content_hash is not None or existing.has_paragraphs:
                if not replace:
                    raise DocumentConflict(
                        f"article {record.slug!r} already exists with other content; save it"
                        " with replace=True (what ingestion does) to update it in place"
                    )
                status = SaveStatus.UPDATED
        holder = None if record.url is None else await self._slug_at(record.url)
        if holder is not None and holder != record.slug:
            raise DocumentConflict(
                f"article {record.slug!r} has url {record.url!r}, which article {holder!r} holds"
            )
        if existing is not None and status is SaveStatus.UPDATED:
            await self.flush()
            await _clear_article_records(self._session, _value(existing.ref))
            self._forget()
            await self._read_for([document, *self._prepared.values()])
            existing = await self._article(record.slug)
        article = _DocumentRows(self, document).line_up(existing, content_hash)
        article.revisions += 1
        self._line_up(
            _table(ArticleRevision),
            {
                "article_id": article.ref,
                "number": article.revisions,
                "content_hash": content_hash,
                "source_hash": source_hash,
                "document": dumped,
            },
        )
        article.revised_from = source_hash
        self._revised[record.slug] = article
        # Saving publishes the article unless its workflow status holds it back (a draft); a
        # new version of a published article is a correction partners must mirror.
        if article.status is not PublicationStatus.DRAFT:
            kind = ChangeKind.CORRECTED if status is SaveStatus.UPDATED else ChangeKind.PUBLISHED
            self._changes.append((article, kind))
        return SavedDocument(status, article.ref, record.slug, content_hash)

    async def _identify(self, document: ArticleDocument) -> ArticleDocument:
        """The document under the slug of the stored article it is a version of, if any.

        The URL decides: same URL, same article, whatever its headline now says. An article
        whose headline slug is taken by one at another URL is another article and gets a
        numbered slug; without URLs, the same headline slug is the same article.
        """
        record = document.article
        if record.url is None:
            return document
        holder = await self._slug_at(record.url)
        if holder is not None:
            return document if holder == record.slug else _with_slug(document, holder)
        taken = await self._article(record.slug)
        if taken is not None and taken.url is not None:
            return _with_slug(document, await self._free_slug(record.slug))
        return document

    async def _free_slug(self, slug: str) -> str:
        prefix = f"{slug}-"
        taken = set(
            await self._session.scalars(select(Article.slug).where(Article.slug.startswith(prefix)))
        )
        taken.update(s for s, state in self._articles.items() if state and s.startswith(prefix))
        number = 2
        while f"{slug}-{number}" in taken:
            number += 1
        return f"{slug}-{number}"

    def _line_up(self, table: Table, values: dict[str, Any]) -> _Row:
        row = _Row(values)
        self._rows[table].append(row)
        return row

    def _update_later(self, table: Table, ref: _Ref, values: dict[str, Any]) -> None:
        self._updates.append((table, ref, values))

    def _next_in_line(self) -> int:
        self._lined_up += 1
        return self._lined_up

    # -- writing ---------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write every waiting row, one multi-row INSERT per table, and log the changes.

        After it, every document saved so far is in the database, and its outcome is known.
        """
        rows, self._rows = self._rows, defaultdict(list)
        updates, self._updates = self._updates, []
        new_statements, self._new_statements = self._new_statements, []
        changes, self._changes = self._changes, []
        for table, ids_needed in _TABLES:
            await self._insert(table, rows.pop(table, []), ids_needed)
            for updated_table, ref, values in updates:
                if updated_table is table:
                    await self._session.execute(
                        update(table)
                        .where(table.c.id == _value(ref))
                        .values({name: _value(value) for name, value in values.items()})
                    )
        assert not rows, f"rows of tables the batch does not write: {list(rows)}"
        # Only statements new to the archive are news to their speaker's subscribers.
        for statement in new_statements:
            announce(
                self._session,
                STATEMENTS,
                {
                    "statement_id": statement.id,
                    "speaker_person_id": _value(statement.values["speaker_person_id"]),
                    "speaker_organization_id": _value(statement.values["speaker_organization_id"]),
                },
            )
        if changes:
            await record_changes(
                self._session,
                [
                    ChangedArticle(
                        _value(article.ref),
                        article.slug,
                        article.status,
                        article.embargoed_until,
                        kind,
                    )
                    for article, kind in changes
                ],
            )

    async def _insert(self, table: Table, rows: list[_Row], ids_needed: bool) -> None:
        if not rows:
            return
        parameters = [{name: _value(value) for name, value in row.values.items()} for row in rows]
        if not ids_needed:
            await self._session.execute(sql_insert(table), parameters)
            return
        # One statement for all the rows, its ids in the order the rows were given.
        result = await self._session.execute(
            sql_insert(table).returning(table.c.id, sort_by_parameter_order=True), parameters
        )
        for row, id_ in zip(rows, result.scalars(), strict=True):
            row.id = id_


def _spoken_by(speakers: list[_Speaker]) -> ColumnElement[bool]:
    persons = [ref for kind, ref in speakers if kind == "person"]
    organizations = [ref for kind, ref in speakers if kind == "organization"]
    return or_(
        Statement.speaker_person_id.in_(persons) if persons else false(),
        Statement.speaker_organization_id.in_(organizations) if organizations else false(),
    )


def _with_slug(document: ArticleDocument, slug: str) -> ArticleDocument:
    data = document.model_dump(mode="json")
    data["article"]["slug"] = slug
    return ArticleDocument.model_validate(data)


async def _clear_article_records(session: AsyncSession, article_id: int) -> None:
    """Remove what an article's text supported, so its new version can be written afresh.

    Quotes, mentions and reports go with the paragraphs (ON DELETE CASCADE). Statements and
    votes that this article alone supported go too; those other articles quote stay. So do
    memberships: the article stops supporting them, and those no other article (or editor)
    stands behind go.
    """
    paragraph_ids = select(Paragraph.id).where(Paragraph.article_id == article_id)
    statement_ids = set(
        await session.scalars(
            select(Quote.statement_id).where(Quote.paragraph_id.in_(paragraph_ids))
        )
    )
    statement_ids.update(
        await session.scalars(
            select(StatementReport.statement_id).where(
                StatementReport.paragraph_id.in_(paragraph_ids)
            )
        )
    )
    vote_ids = set(
        await session.scalars(
            select(VoteReport.vote_id).where(VoteReport.paragraph_id.in_(paragraph_ids))
        )
    )
    await session.execute(delete(Paragraph).where(Paragraph.article_id == article_id))
    await session.execute(delete(ArticleCredit).where(ArticleCredit.article_id == article_id))
    await session.execute(delete(ArticleLink).where(ArticleLink.from_article_id == article_id))
    await withdraw_article_support(session, article_id)
    if statement_ids:
        await session.execute(
            delete(Statement).where(
                Statement.id.in_(statement_ids),
                ~exists().where(Quote.statement_id == Statement.id),
                ~exists().where(StatementReport.statement_id == Statement.id),
            )
        )
    if vote_ids:
        await session.execute(
            delete(Vote).where(
                Vote.id.in_(vote_ids), ~exists().where(VoteReport.vote_id == Vote.id)
            )
        )


def _ref_of(refs: dict[str, _Ref], key: str | None) -> _Ref | None:
    return None if key is None else refs[key]


class _DocumentRows:
    """Lines up one validated document's rows in a batch, table by table.

    Rows refer to each other through _Ref values (an id, or a row still waiting), so
    nothing needs writing before the batch is flushed.
    """

    def __init__(self, batch: DocumentBatch, document: ArticleDocument) -> None:
        self._batch = batch
        self._document = document
        self._provenance: dict[str, Any] = document.provenance.model_dump()
        self._organizations: dict[str, _Ref] = {}
        self._persons: dict[str, _Ref] = {}
        self._paragraphs: dict[int, _Ref] = {}
        self._article: _ArticleState | None = None

    def line_up(self, existing: _ArticleState | None, content_hash: str) -> _ArticleState:
        self._line_up_organizations()
        self._line_up_persons()
        article = self._line_up_article(existing, content_hash)
        self._line_up_related_links(article)
        self._line_up_memberships(article)
        self._line_up_statements(article)
        self._line_up_votes()
        self._line_up_mentions()
        return article

    def _line_up_organizations(self) -> None:
        batch = self._batch
        records = self._document.organizations
        for record in records:
            state = batch._organizations.get(record.slug)
            if state is None:
                row = batch._line_up(
                    _ORGANIZATIONS,
                    {
                        "slug": record.slug,
                        "name": record.name,
                        "normalized_name": normalize_name(record.name),
                        "kind": record.kind,
                    },
                )
                state = batch._organizations[record.slug] = _EntityState(ref=row)
                batch._quoted_dates[("organization", row)] = None
            self._organizations[record.slug] = state.ref
        for record in records:
            state = batch._organizations[record.slug]
            assert state is not None
            if state.parent is None and record.parent is not None:
                state.parent = self._organizations[record.parent]
                batch._update_later(_ORGANIZATIONS, state.ref, {"parent_id": state.parent})
            self._line_up_aliases(
                state, _table(OrganizationAlias), "organization_id", record.aliases
            )

    def _line_up_persons(self) -> None:
        batch = self._batch
        for record in self._document.persons:
            state = batch._persons.get(record.slug)
            if state is None:
                row = batch._line_up(
                    _PERSONS,
                    {
                        "slug": record.slug,
                        "name": record.name,
                        "normalized_name": normalize_name(record.name),
                    },
                )
                state = batch._persons[record.slug] = _EntityState(ref=row)
                batch._quoted_dates[("person", row)] = None
            self._persons[record.slug] = state.ref
        for record in self._document.persons:
            state = batch._persons[record.slug]
            assert state is not None
            self._line_up_aliases(state, _table(PersonAlias), "person_id", record.aliases)

    def _line_up_aliases(
        self, owner: _EntityState, table: Table, owner_column: str, aliases: list[str]
    ) -> None:
        for alias in aliases:
            normalized = normalize_name(alias)
            if normalized in owner.aliases:
                continue
            owner.aliases.add(normalized)
            self._batch._line_up(
                table,
                {
                    owner_column: owner.ref,
                    "alias": alias,
                    "normalized": normalized,
                    "position": owner.next_alias_position,
                },
            )
            owner.next_alias_position += 1

    def _line_up_article(self, existing: _ArticleState | None, content_hash: str) -> _ArticleState:
        batch = self._batch
        record = self._document.article
        values = _article_values(
            record.headline,
            url=record.url,
            publisher=_ref_of(self._organizations, record.publisher),
            record=record,
            content_hash=content_hash,
        )
        if existing is None:
            row = batch._line_up(_ARTICLES, {"slug": record.slug, **values})
            article = _ArticleState(row, record.slug, record.url, content_hash, has_paragraphs=True)
            batch._articles[record.slug] = article
        else:
            article = existing
            if "rights" not in record.model_fields_set:
                # The document is silent on rights (ingested text always is): a new version
                # keeps what is stored, such as an editor's leave for partners to republish.
                for column in _RIGHTS_COLUMNS:
                    del values[column]
            if isinstance(article.ref, _Row):
                article.ref.values.update(values)
            else:
                batch._update_later(_ARTICLES, article.ref, values)
            if article.url is not None and article.url != record.url:
                batch._article_slugs_by_url[article.url] = None
            article.url = record.url
            article.content_hash = content_hash
            article.has_paragraphs = True
        if record.url is not None:
            batch._article_slugs_by_url[record.url] = record.slug
        self._paragraphs = {
            p.position: batch._line_up(
                _PARAGRAPHS,
                {"article_id": article.ref, "position": p.position, "kind": p.kind, "text": p.text},
            )
            for p in record.paragraphs
        }
        for index, credit in enumerate(record.credits):
            batch._line_up(
                _table(ArticleCredit),
                {
                    "article_id": article.ref,
                    "person_id": self._persons[credit.person],
                    "role": credit.role,
                    "position": index,
                },
            )
        return article

    def _line_up_related_links(self, article: _ArticleState) -> None:
        batch = self._batch
        links = self._document.related_links
        # Targets are found by slug, else by url; the others become headline-only articles.
        targets: list[_ArticleState] = []
        for link in links:
            target = batch._articles.get(link.target.slug)
            if target is None and link.target.url is not None:
                holder = batch._article_slugs_by_url.get(link.target.url)
                target = None if holder is None else batch._articles.get(holder)
            if target is None:
                values = _article_values(
                    link.target.headline,
                    url=link.target.url,
                    publisher=_ref_of(self._organizations, link.target.publisher),
                )
                row = batch._line_up(_ARTICLES, {"slug": link.target.slug, **values})
                target = _ArticleState(row, link.target.slug, link.target.url, None, False)
                batch._articles[link.target.slug] = target
                if link.target.url is not None:
                    batch._article_slugs_by_url[link.target.url] = link.target.slug
            targets.append(target)
        for index, (link, target) in enumerate(zip(links, targets, strict=True)):
            batch._line_up(
                _table(ArticleLink),
                {
                    "from_article_id": article.ref,
                    "to_article_id": target.ref,
                    "anchor_text": link.anchor_text,
                    "paragraph_id": None
                    if link.paragraph is None
                    else self._paragraphs[link.paragraph],
                    "position": index,
                },
            )

    def _line_up_memberships(self, article: _ArticleState) -> None:
        batch = self._batch
        for person in self._document.persons:
            state = batch._persons[person.slug]
            assert state is not None
            for membership in person.memberships:
                key = (
                    self._organizations[membership.organization],
                    membership.role,
                    membership.start_on,
                    membership.end_on,
                )
                stored = state.memberships.get(key)
                if stored is None:
                    stored = state.memberships[key] = batch._line_up(
                        _MEMBERSHIPS,
                        {
                            "person_id": state.ref,
                            "organization_id": key[0],
                            "role": membership.role,
                            "start_on": membership.start_on,
                            "end_on": membership.end_on,
                            **self._provenance,
                        },
                    )
                batch._line_up(
                    _table(MembershipSource), {"membership_id": stored, "article_id": article.ref}
                )

    def _line_up_statements(self, article: _ArticleState) -> None:
        batch = self._batch
        records = self._document.statements
        # Another outlet's quote of the same words makes this its statement, not a new one.
        matched = [self._quoted_elsewhere(record) for record in records]
        statements: list[tuple[tuple[int, int], _QuotedStatement]] = []
        for record, match in zip(records, matched, strict=True):
            if match is not None:
                statements.append(match)
                continue
            row = batch._line_up(
                _STATEMENTS,
                {
                    "speaker_person_id": _ref_of(self._persons, record.speaker.person),
                    "speaker_organization_id": _ref_of(
                        self._organizations, record.speaker.organization
                    ),
                    "issued_on": record.issued_on,
                    "issued_on_text": record.issued_on_text,
                    "medium": record.medium,
                    "summary": record.summary,
                    **self._provenance,
                },
            )
            batch._new_statements.append(row)
            statements.append(((1, batch._next_in_line()), _QuotedStatement(row, record.issued_on)))
        for (order, statement), record in zip(statements, records, strict=True):
            speaker = batch._speaker(record)
            if speaker is not None:
                batch._quoted[speaker].setdefault(order, statement)
            for quote in record.quotes:
                start, end = quote.offsets
                statement.wordings[quote.text] = None
                batch._line_up(
                    _table(Quote),
                    {
                        "statement_id": statement.ref,
                        "paragraph_id": self._paragraphs[quote.paragraph],
                        "start_offset": start,
                        "end_offset": end,
                        "text": quote.text,
                        **self._provenance,
                    },
                )
            for position in record.reported_in:
                batch._line_up(
                    _table(StatementReport),
                    {
                        "statement_id": statement.ref,
                        "paragraph_id": self._paragraphs[position],
                        **self._provenance,
                    },
                )

    def _quoted_elsewhere(
        self, record: StatementRecord
    ) -> tuple[tuple[int, int], _QuotedStatement] | None:
        """The statement of the same speaker that another article quotes in like words."""
        speaker = self._batch._speaker(record)
        if not record.quotes or speaker is None:
            return None
        statements = self._batch._quoted.get(speaker, {})
        for order in sorted(statements):
            statement = statements[order]
            # A statement of another day is another statement, however alike the words.
            if (
                record.issued_on is not None
                and statement.issued_on is not None
                and statement.issued_on != record.issued_on
            ):
                continue
            for text in statement.wordings:
                if any(same_wording(quote.text, text) for quote in record.quotes):
                    return order, statement
        return None

    def _line_up_votes(self) -> None:
        batch = self._batch
        records = self._document.votes
        votes = {
            r.key: batch._line_up(
                _VOTES,
                {
                    "body_id": self._organizations[r.body],
                    "motion": r.motion,
                    "held_on": r.held_on,
                    "held_on_text": r.held_on_text,
                    "status": r.status,
                    "outcome": r.outcome,
                    **self._provenance,
                },
            )
            for r in records
        }
        for record in records:
            vote = votes[record.key]
            if record.follow_up is not None:
                batch._update_later(_VOTES, vote, {"follow_up_id": votes[record.follow_up]})
            for index, p in enumerate(record.positions):
                batch._line_up(
                    _table(VotePosition),
                    {
                        "vote_id": vote,
                        "option": p.option,
                        "group_name": p.group_name,
                        "organization_id": _ref_of(self._organizations, p.organization),
                        "person_id": _ref_of(self._persons, p.person),
                        "voter_count": p.voter_count,
                        "position": index,
                    },
                )
            for position in record.reported_in:
                batch._line_up(
                    _table(VoteReport),
                    {"vote_id": vote, "paragraph_id": self._paragraphs[position]},
                )

    def _line_up_mentions(self) -> None:
        for mention in self._document.mentions:
            start, end = mention.offsets
            self._batch._line_up(
                _table(Mention),
                {
                    "paragraph_id": self._paragraphs[mention.paragraph],
                    "person_id": _ref_of(self._persons, mention.person),
                    "organization_id": _ref_of(self._organizations, mention.organization),
                    "text": mention.text,
                    "start_offset": start,
                    "end_offset": end,
                    **self._provenance,
                },
            )


_RIGHTS_COLUMNS = ("copyright_holder", "licence", "partners_may_republish")


def _article_values(
    headline: str,
    *,
    url: str | None,
    publisher: _Ref | None,
    record: ArticleRecord | None = None,
    content_hash: str | None = None,
) -> dict[str, Any]:
    """An article row's columns; a link target (no record) has only a headline, url, publisher."""
    return {
        "headline": headline,
        "standfirst": record.standfirst if record else None,
        "dateline": record.dateline if record else None,
        "publisher_id": publisher,
        "published_at": record.published_at if record else None,
        "url": url,
        "language": record.language if record else "en",
        "copyright_holder": record.rights.copyright_holder if record else None,
        "licence": record.rights.licence if record else None,
        "partners_may_republish": record.rights.partners_may_republish if record else False,
        "content_hash": content_hash,
    }
