"""Ingesting sources into the database: each atomic, idempotent, failures as typed data."""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.documents import DocumentBatch, DocumentConflict, SavedDocument, SaveStatus
from db.engine import unit_of_work
from db.entities import KnownEntity, known_entities
from ingest.entities import KnownNames
from ingest.formats import FormatError, RawArticle, read_source
from ingest.pipeline import EXTRACTOR_VERSION, IngestOptions, extract_document
from newsgraph.document import ArticleDocument

logger = logging.getLogger(__name__)
# Sources per transaction in `newsgraph ingest`: enough that per-statement costs fade, few
# enough that a batch the database refuses is cheap to redo one source at a time.
BATCH_SIZE = 100


class IngestErrorCode(enum.Enum):
    UNREADABLE = "unreadable"
    INVALID = "invalid"
    CONFLICT = "conflict"


class IngestFailure(Exception):
    """Why a source did not go in; nothing of it was written."""

    def __init__(self, code: IngestErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IngestResult:
    status: SaveStatus
    article_id: int
    slug: str


@dataclass(frozen=True)
class SourceToIngest:
    """A raw article, the file name its format is guessed from, and what the text lacks."""

    text: str
    name: str
    options: IngestOptions


IngestOutcome = IngestResult | IngestFailure


def source_hash(text: str, name: str, options: IngestOptions) -> str:
    """What makes two ingestions the same: the bytes, their format, the options, the extractor."""
    parts = [
        EXTRACTOR_VERSION,
        name.rsplit(".", 1)[-1].lower() if "." in name else "",
        options.publisher or "",
        options.published_at.isoformat() if options.published_at else "",
        options.url or "",
        text,
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class Ingester:
    """Ingests sources, remembering the entities it has seen between them.

    Stored entities are read once, on first use, into a name index; each saved document's
    entities are added to it, so a long run never re-reads the tables for an article.

    `ingest_batch` saves many sources in one transaction (db.documents.DocumentBatch), with
    the outcome of saving them one transaction each: in order, every one whole or not at
    all, a broken one reported while the others go in.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._known: KnownNames | None = None

    async def ingest(self, text: str, name: str, options: IngestOptions) -> IngestResult:
        """Read, extract and save one source; raise IngestFailure with nothing written."""
        [outcome] = await self.ingest_batch([SourceToIngest(text, name, options)])
        if isinstance(outcome, IngestFailure):
            raise outcome
        return outcome

    async def ingest_batch(self, sources: Sequence[SourceToIngest]) -> list[IngestOutcome]:
        """Ingest the sources in one transaction, in order: an IngestResult or IngestFailure each.

        A failure leaves nothing of its source. Should the database refuse the batch, which
        no single source can be blamed for in advance, each source is ingested again in a
        transaction of its own, so only the broken one fails.
        """
        items = [_Item(source, *_read(source)) for source in sources]
        mark: int | None = None
        try:
            async with unit_of_work(self._sessions) as session:
                if self._known is None:
                    self._known = KnownNames(await known_entities(session))
                mark = self._known.mark()
                await self._save_all(DocumentBatch(session), [i for i in items if i.raw])
        except DBAPIError as error:
            if self._known is not None and mark is not None:
                self._known.undo(mark)
            if len(items) > 1:
                logger.info("a batch of %d failed in the database; one at a time now", len(items))
                return [outcome for s in sources for outcome in await self.ingest_batch([s])]
            # Most likely a record another ingestion saved meanwhile; nothing of this one stays.
            # The database's own words go to the log, not to the client.
            logger.warning(
                "ingesting %s failed in the database: %s", sources[0].name or "<source>", error
            )
            return [
                IngestFailure(
                    IngestErrorCode.CONFLICT,
                    "the article clashes with records saved at the same time; nothing was"
                    " saved, try again",
                )
            ]
        return [item.result() for item in items]

    async def _save_all(self, batch: DocumentBatch, items: list[_Item]) -> None:
        await batch.find_sources(item.fingerprint for item in items)
        while items:
            items = await self._save_in_order(batch, items)
        await batch.flush()

    async def _save_in_order(self, batch: DocumentBatch, items: list[_Item]) -> list[_Item]:
        """Save the items in order; those left to start again from, if the run was cut short.

        Everything is extracted first, each as if the sources before it had gone in (their
        entities remembered), so the batch can read ahead for all of them at once. If a
        source then turns out not to go in as assumed (it failed, or an earlier source
        changed whether it is new), what the later ones were extracted with is wrong: the
        run stops there, and they start again.
        """
        assert self._known is not None
        for item in items:
            item.expected = await batch.article_for_source(item.fingerprint, item.options.url)
            item.mark, item.document, item.failure = None, None, None
            if item.expected is not None or item.raw is None:
                continue
            item.mark = self._known.mark()
            try:
                item.document = self._extract(item.raw, item.options)
            except IngestFailure as failure:
                item.failure = failure
                continue
            self._remember(item.document)
        await batch.prepare(item.document for item in items if item.document is not None)
        for position, item in enumerate(items):
            found = await batch.article_for_source(item.fingerprint, item.options.url)
            if (found and found.slug) != (item.expected and item.expected.slug):
                self._forget_from(items[position:])
                return items[position:]
            if found is not None:
                item.saved = found
                continue
            if item.document is None:
                continue
            try:
                item.saved = await batch.save(
                    item.document, replace=True, source_hash=item.fingerprint
                )
            except DocumentConflict as error:
                item.failure = IngestFailure(IngestErrorCode.CONFLICT, str(error), "url")
                self._forget_from(items[position:])
                return items[position + 1 :]
        return []

    def _forget_from(self, items: list[_Item]) -> None:
        """Take back the entities remembered for these items' documents."""
        marks = [item.mark for item in items if item.mark is not None]
        if marks and self._known is not None:
            self._known.undo(min(marks))

    def _extract(self, raw: RawArticle, options: IngestOptions) -> ArticleDocument:
        try:
            return extract_document(raw, options, self._known or ())
        except ValidationError as error:
            problems = "; ".join(
                str(detail.get("ctx", {}).get("error") or detail["msg"])
                for detail in error.errors()
            )
            raise IngestFailure(IngestErrorCode.INVALID, problems) from error

    def _remember(self, document: ArticleDocument) -> None:
        assert self._known is not None
        for organization in document.organizations:
            self._known.remember(
                KnownEntity(
                    organization.slug,
                    organization.name,
                    False,
                    tuple(organization.aliases),
                    organization.kind,
                )
            )
        for person in document.persons:
            self._known.remember(KnownEntity(person.slug, person.name, True, tuple(person.aliases)))


@dataclass
class _Item:
    """One source on its way through a batch."""

    source: SourceToIngest
    raw: RawArticle | None
    failure: IngestFailure | None
    fingerprint: str = ""
    # Decided before saving: the stored article it is unchanged from, or its extraction.
    expected: SavedDocument | None = None
    document: ArticleDocument | None = None
    mark: int | None = None
    saved: SavedDocument | None = field(default=None)

    def __post_init__(self) -> None:
        self.fingerprint = source_hash(self.source.text, self.source.name, self.source.options)

    @property
    def options(self) -> IngestOptions:
        return self.source.options

    def result(self) -> IngestOutcome:
        if self.failure is not None:
            return self.failure
        assert self.saved is not None, "every readable source is saved or failed"
        outcome = self.saved.outcome()
        return IngestResult(outcome.status, outcome.article_id, outcome.slug)


def _read(source: SourceToIngest) -> tuple[RawArticle | None, IngestFailure | None]:
    try:
        return read_source(source.text, source.name), None
    except FormatError as error:
        return None, IngestFailure(IngestErrorCode.UNREADABLE, str(error), "source")
