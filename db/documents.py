"""Saving an article document, with every record it supports, inside the caller's transaction."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from db.changes import record_change
from db.events import STATEMENTS, announce
from db.models import (
    Article,
    ArticleCredit,
    ArticleLink,
    ArticleRevision,
    ChangeKind,
    Membership,
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
    RelatedLinkRecord,
    StatementRecord,
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
    if replace:
        document = await _identify(session, document)
    content_hash = document.content_hash()
    slug = document.article.slug
    existing = await session.scalar(select(Article).where(Article.slug == slug))
    status = SaveStatus.CREATED
    if existing is not None:
        if existing.content_hash == content_hash:
            return SaveOutcome(SaveStatus.UNCHANGED, existing.id, slug, content_hash)
        if existing.content_hash is not None or await _has_paragraphs(session, existing.id):
            if not replace:
                raise DocumentConflict(
                    f"article {slug!r} already exists with other content; save it with"
                    " replace=True (what ingestion does) to update it in place"
                )
            await _clear_article_records(session, existing.id)
            status = SaveStatus.UPDATED
    article_id = await _DocumentWriter(session, document).write(existing, content_hash)
    await _add_revision(session, article_id, document, content_hash, source_hash)
    article = await session.get(Article, article_id)  # from the identity map: no SELECT
    # Saving publishes the article unless its workflow status holds it back (a draft); a
    # new version of a published article is a correction partners must mirror.
    if article is not None and article.status is not PublicationStatus.DRAFT:
        kind = ChangeKind.CORRECTED if status is SaveStatus.UPDATED else ChangeKind.PUBLISHED
        await record_change(session, article_id, kind)
    return SaveOutcome(status, article_id, slug, content_hash)


async def _identify(session: AsyncSession, document: ArticleDocument) -> ArticleDocument:
    """The document under the slug of the stored article it is a version of, if any.

    The URL decides: same URL, same article, whatever its headline now says. An article
    whose headline slug is taken by one at another URL is another article and gets a
    numbered slug; without URLs, the same headline slug is the same article.
    """
    record = document.article
    if record.url is not None:
        holder = await session.scalar(select(Article.slug).where(Article.url == record.url))
        if holder is not None:
            return document if holder == record.slug else _with_slug(document, holder)
        taken = await session.scalar(select(Article.url).where(Article.slug == record.slug))
        if taken is not None:
            return _with_slug(document, await _free_slug(session, record.slug))
    return document


async def _free_slug(session: AsyncSession, slug: str) -> str:
    taken = set(
        await session.scalars(select(Article.slug).where(Article.slug.startswith(f"{slug}-")))
    )
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


def _with_slug(document: ArticleDocument, slug: str) -> ArticleDocument:
    data = document.model_dump(mode="json")
    data["article"]["slug"] = slug
    return ArticleDocument.model_validate(data)


async def article_for_source(
    session: AsyncSession, source_hash: str, url: str | None
) -> SaveOutcome | None:
    """The article whose latest revision came from exactly this source, if any."""
    # Indexed on source_hash; a later revision from other content means the source changed since.
    newer = aliased(ArticleRevision)
    query = (
        select(Article.id, Article.slug, ArticleRevision.content_hash)
        .join(ArticleRevision, ArticleRevision.article_id == Article.id)
        .where(
            ArticleRevision.source_hash == source_hash,
            ~exists().where(
                newer.article_id == ArticleRevision.article_id,
                newer.number > ArticleRevision.number,
            ),
        )
    )
    if url is not None:
        query = query.where(Article.url == url)
    row = (await session.execute(query.limit(1))).first()
    if row is None:
        return None
    return SaveOutcome(SaveStatus.UNCHANGED, row.id, row.slug, row.content_hash)


async def _add_revision(
    session: AsyncSession,
    article_id: int,
    document: ArticleDocument,
    content_hash: str,
    source_hash: str | None,
) -> None:
    previous = await session.scalar(
        select(func.max(ArticleRevision.number)).where(ArticleRevision.article_id == article_id)
    )
    session.add(
        ArticleRevision(
            article_id=article_id,
            number=(previous or 0) + 1,
            content_hash=content_hash,
            source_hash=source_hash,
            document=document.model_dump(mode="json"),
        )
    )
    await session.flush()


async def _clear_article_records(session: AsyncSession, article_id: int) -> None:
    """Remove what an article's text supported, so its new version can be written afresh.

    Quotes, mentions and reports go with the paragraphs (ON DELETE CASCADE). Statements and
    votes that this article alone supported go too; those other articles quote stay.
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
    await session.execute(delete(Membership).where(Membership.source_article_id == article_id))
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


async def _has_paragraphs(session: AsyncSession, article_id: int) -> bool:
    first = await session.scalar(select(Paragraph.id).where(Paragraph.article_id == article_id))
    return first is not None


_Sluggable = TypeVar("_Sluggable", Article, Organization, Person)


async def _by_slug(
    session: AsyncSession, model: type[_Sluggable], slugs: list[str]
) -> dict[str, _Sluggable]:
    rows = await session.scalars(select(model).where(model.slug.in_(slugs)))
    return {row.slug: row for row in rows}


def _id_of(ids: dict[str, int], key: str | None) -> int | None:
    return None if key is None else ids[key]


class _DocumentWriter:
    """Writes one validated document, table by table, flushing where later rows need ids.

    Rows are built from plain foreign-key ids: relationships are lazy="raise", and the ids
    are all a row needs.
    """

    def __init__(self, session: AsyncSession, document: ArticleDocument) -> None:
        self._session = session
        self._document = document
        self._provenance: dict[str, Any] = document.provenance.model_dump()
        self._organization_ids: dict[str, int] = {}
        self._person_ids: dict[str, int] = {}
        self._paragraph_ids: dict[int, int] = {}
        self._article_id = 0

    async def write(self, headline_only: Article | None, content_hash: str) -> int:
        await self._save_organizations()
        await self._save_persons()
        await self._save_article(headline_only, content_hash)
        await self._save_related_links()
        await self._save_memberships()
        await self._save_statements()
        await self._save_votes()
        self._add_mentions()
        # Constraint violations surface here, inside the save, rather than at the caller's commit.
        await self._session.flush()
        return self._article_id

    async def _save_organizations(self) -> None:
        records = self._document.organizations
        organizations = await _by_slug(self._session, Organization, [r.slug for r in records])
        created = [
            Organization(
                slug=r.slug, name=r.name, normalized_name=normalize_name(r.name), kind=r.kind
            )
            for r in records
            if r.slug not in organizations
        ]
        self._session.add_all(created)
        await self._session.flush()
        organizations.update((organization.slug, organization) for organization in created)
        self._organization_ids = {slug: o.id for slug, o in organizations.items()}
        for record in records:
            organization = organizations[record.slug]
            if organization.parent_id is None and record.parent is not None:
                organization.parent_id = self._organization_ids[record.parent]
        await self._add_missing_aliases(
            OrganizationAlias,
            OrganizationAlias.organization_id,
            {self._organization_ids[r.slug]: r.aliases for r in records},
        )

    async def _save_persons(self) -> None:
        records = self._document.persons
        persons = await _by_slug(self._session, Person, [r.slug for r in records])
        created = [
            Person(slug=r.slug, name=r.name, normalized_name=normalize_name(r.name))
            for r in records
            if r.slug not in persons
        ]
        self._session.add_all(created)
        await self._session.flush()
        persons.update((person.slug, person) for person in created)
        self._person_ids = {slug: person.id for slug, person in persons.items()}
        await self._add_missing_aliases(
            PersonAlias,
            PersonAlias.person_id,
            {self._person_ids[r.slug]: r.aliases for r in records},
        )

    async def _add_missing_aliases(
        self,
        alias_class: type[OrganizationAlias | PersonAlias],
        owner_column: InstrumentedAttribute[int],
        aliases_by_owner: dict[int, list[str]],
    ) -> None:
        known: dict[int, set[str]] = defaultdict(set)
        next_position: dict[int, int] = defaultdict(int)
        rows = await self._session.execute(
            select(owner_column, alias_class.normalized, alias_class.position).where(
                owner_column.in_(aliases_by_owner)
            )
        )
        for owner_id, normalized, position in rows:
            known[owner_id].add(normalized)
            next_position[owner_id] = max(next_position[owner_id], position + 1)
        for owner_id, aliases in aliases_by_owner.items():
            for alias in aliases:
                normalized = normalize_name(alias)
                if normalized in known[owner_id]:
                    continue
                known[owner_id].add(normalized)
                self._session.add(
                    alias_class(
                        **{owner_column.key: owner_id},
                        alias=alias,
                        normalized=normalized,
                        position=next_position[owner_id],
                    )
                )
                next_position[owner_id] += 1

    async def _save_article(self, headline_only: Article | None, content_hash: str) -> None:
        record = self._document.article
        await self._check_url_is_free(record)
        article = headline_only or Article(slug=record.slug)
        article.headline = record.headline
        article.standfirst = record.standfirst
        article.dateline = record.dateline
        article.publisher_id = _id_of(self._organization_ids, record.publisher)
        article.published_at = record.published_at
        article.url = record.url
        article.language = record.language
        article.copyright_holder = record.rights.copyright_holder
        article.licence = record.rights.licence
        article.partners_may_republish = record.rights.partners_may_republish
        article.content_hash = content_hash
        self._session.add(article)
        await self._session.flush()
        self._article_id = article.id

        paragraphs = [
            Paragraph(article_id=article.id, position=p.position, kind=p.kind, text=p.text)
            for p in record.paragraphs
        ]
        self._session.add_all(paragraphs)
        self._session.add_all(
            ArticleCredit(
                article_id=article.id,
                person_id=self._person_ids[credit.person],
                role=credit.role,
                position=index,
            )
            for index, credit in enumerate(record.credits)
        )
        await self._session.flush()
        self._paragraph_ids = {p.position: p.id for p in paragraphs}

    async def _check_url_is_free(self, record: ArticleRecord) -> None:
        if record.url is None:
            return
        holder = await self._session.scalar(
            select(Article.slug).where(Article.url == record.url, Article.slug != record.slug)
        )
        if holder is not None:
            raise DocumentConflict(
                f"article {record.slug!r} has url {record.url!r}, which article {holder!r} holds"
            )

    async def _save_related_links(self) -> None:
        links = self._document.related_links
        targets = await self._related_articles(links)
        created = [
            Article(
                slug=link.target.slug,
                headline=link.target.headline,
                url=link.target.url,
                publisher_id=_id_of(self._organization_ids, link.target.publisher),
            )
            for link in links
            if link.target.slug not in targets
        ]
        self._session.add_all(created)
        await self._session.flush()
        targets.update((article.slug, article) for article in created)
        for index, link in enumerate(links):
            paragraph = link.paragraph
            self._session.add(
                ArticleLink(
                    from_article_id=self._article_id,
                    to_article_id=targets[link.target.slug].id,
                    anchor_text=link.anchor_text,
                    paragraph_id=None if paragraph is None else self._paragraph_ids[paragraph],
                    position=index,
                )
            )

    async def _related_articles(self, links: list[RelatedLinkRecord]) -> dict[str, Article]:
        """The link targets already stored, by the document's slug: found by slug, else by url."""
        found = await _by_slug(self._session, Article, [link.target.slug for link in links])
        urls = {
            link.target.url: link.target.slug
            for link in links
            if link.target.url is not None and link.target.slug not in found
        }
        if urls:
            rows = await self._session.scalars(select(Article).where(Article.url.in_(urls)))
            found.update((urls[article.url], article) for article in rows if article.url)
        return found

    async def _save_memberships(self) -> None:
        # The same membership asserted again (by another article) is not stored twice.
        rows = await self._session.execute(
            select(
                Membership.person_id,
                Membership.organization_id,
                Membership.role,
                Membership.start_on,
                Membership.end_on,
            ).where(Membership.person_id.in_(list(self._person_ids.values())))
        )
        known = {tuple(row) for row in rows}
        for person in self._document.persons:
            for membership in person.memberships:
                fields = (
                    self._person_ids[person.slug],
                    self._organization_ids[membership.organization],
                    membership.role,
                    membership.start_on,
                    membership.end_on,
                )
                if fields in known:
                    continue
                known.add(fields)
                self._session.add(
                    Membership(
                        person_id=fields[0],
                        organization_id=fields[1],
                        role=membership.role,
                        start_on=membership.start_on,
                        end_on=membership.end_on,
                        source_article_id=self._article_id,
                        **self._provenance,
                    )
                )

    async def _save_statements(self) -> None:
        records = self._document.statements
        # Another outlet's quote of the same words makes this its statement, not a new one.
        matched = [await self._statement_quoted_elsewhere(r) for r in records]
        created = [
            Statement(
                speaker_person_id=_id_of(self._person_ids, r.speaker.person),
                speaker_organization_id=_id_of(self._organization_ids, r.speaker.organization),
                issued_on=r.issued_on,
                issued_on_text=r.issued_on_text,
                medium=r.medium,
                summary=r.summary,
                **self._provenance,
            )
            for r, match in zip(records, matched, strict=True)
            if match is None
        ]
        self._session.add_all(created)
        await self._session.flush()
        # Only statements new to the archive are news to their speaker's subscribers.
        for statement in created:
            announce(
                self._session,
                STATEMENTS,
                {
                    "statement_id": statement.id,
                    "speaker_person_id": statement.speaker_person_id,
                    "speaker_organization_id": statement.speaker_organization_id,
                },
            )
        fresh = iter(created)
        statement_ids = [match if match is not None else next(fresh).id for match in matched]
        for statement_id, record in zip(statement_ids, records, strict=True):
            for quote in record.quotes:
                start, end = quote.offsets
                self._session.add(
                    Quote(
                        statement_id=statement_id,
                        paragraph_id=self._paragraph_ids[quote.paragraph],
                        start_offset=start,
                        end_offset=end,
                        text=quote.text,
                        **self._provenance,
                    )
                )
            self._session.add_all(
                StatementReport(
                    statement_id=statement_id,
                    paragraph_id=self._paragraph_ids[position],
                    **self._provenance,
                )
                for position in record.reported_in
            )

    async def _statement_quoted_elsewhere(self, record: StatementRecord) -> int | None:
        """The stored statement of the same speaker that another article quotes in like words."""
        if not record.quotes:
            return None
        person = _id_of(self._person_ids, record.speaker.person)
        organization = _id_of(self._organization_ids, record.speaker.organization)
        speaker = (
            Statement.speaker_person_id == person
            if person is not None
            else Statement.speaker_organization_id == organization
        )
        # A statement of another day is another statement, however alike the words.
        same_day = (
            [or_(Statement.issued_on.is_(None), Statement.issued_on == record.issued_on)]
            if record.issued_on is not None
            else []
        )
        rows = await self._session.execute(
            select(Quote.statement_id, Quote.text)
            .join(Statement, Statement.id == Quote.statement_id)
            .join(Paragraph, Paragraph.id == Quote.paragraph_id)
            .where(speaker, Paragraph.article_id != self._article_id, *same_day)
            .order_by(Quote.statement_id)
        )
        for statement_id, text in rows:
            if any(same_wording(quote.text, text) for quote in record.quotes):
                return int(statement_id)
        return None

    async def _save_votes(self) -> None:
        records = self._document.votes
        votes = {
            r.key: Vote(
                body_id=self._organization_ids[r.body],
                motion=r.motion,
                held_on=r.held_on,
                held_on_text=r.held_on_text,
                status=r.status,
                outcome=r.outcome,
                **self._provenance,
            )
            for r in records
        }
        self._session.add_all(votes.values())
        await self._session.flush()
        for record in records:
            vote = votes[record.key]
            if record.follow_up is not None:
                vote.follow_up_id = votes[record.follow_up].id
            self._session.add_all(
                VotePosition(
                    vote_id=vote.id,
                    option=p.option,
                    group_name=p.group_name,
                    organization_id=_id_of(self._organization_ids, p.organization),
                    person_id=_id_of(self._person_ids, p.person),
                    voter_count=p.voter_count,
                    position=index,
                )
                for index, p in enumerate(record.positions)
            )
            self._session.add_all(
                VoteReport(vote_id=vote.id, paragraph_id=self._paragraph_ids[position])
                for position in record.reported_in
            )

    def _add_mentions(self) -> None:
        for mention in self._document.mentions:
            start, end = mention.offsets
            self._session.add(
                Mention(
                    paragraph_id=self._paragraph_ids[mention.paragraph],
                    person_id=_id_of(self._person_ids, mention.person),
                    organization_id=_id_of(self._organization_ids, mention.organization),
                    text=mention.text,
                    start_offset=start,
                    end_offset=end,
                    **self._provenance,
                )
            )
