"""Ingesting sources into the database: each atomic, idempotent, failures as typed data."""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import multiprocessing
import pickle
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import Base
from db.constraints import broken_unique_constraint
from db.documents import DocumentBatch, DocumentConflict, SavedDocument, SaveStatus
from db.engine import unit_of_work
from db.entities import known_entities
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

    def __reduce__(self) -> tuple[type[IngestFailure], tuple[IngestErrorCode, str, str | None]]:
        # Failures come back from the extraction worker process.
        return IngestFailure, (self.code, self.message, self.field)


# Unique values another writer can take between this ingestion's checks and its writes:
# the input field they come from (the source's text, or its URL) and what was taken.
_RACES: dict[str, tuple[str, str]] = {
    "uq_articles_url": ("url", "another article with this URL"),
    "uq_articles_slug": ("source", "another article with this headline's slug"),
    "uq_persons_slug": ("source", "a person it names"),
    "uq_organizations_slug": ("source", "an organization it names"),
    "uq_person_aliases_person_id_normalized": ("source", "a name of a person it names"),
    "uq_organization_aliases_organization_id_normalized": (
        "source",
        "a name of an organization it names",
    ),
}


def _refusal(error: DBAPIError) -> IngestFailure:
    """The CONFLICT to report for a source the database refused: with the field at fault
    where a unique value was taken meanwhile, else for the whole source."""
    name = (
        broken_unique_constraint(error, Base.metadata)
        if isinstance(error, IntegrityError)
        else None
    )
    if name in _RACES:
        field, taken = _RACES[name]
        return IngestFailure(
            IngestErrorCode.CONFLICT,
            f"{taken} was saved at the same time; nothing of this article was saved, try again",
            field,
        )
    return IngestFailure(
        IngestErrorCode.CONFLICT,
        "the article clashes with records saved at the same time; nothing was saved, try again",
    )


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

    A batch of sources is saved in one transaction (db.documents.DocumentBatch) with the
    outcome of saving them one transaction each: in order, every one whole or not at all, a
    broken one reported while the others go in. `ingest_batches` also extracts each batch
    in a worker process while the batch before it is written, which puts extraction on a
    second core; what the worker assumed is checked before its work is used.
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
        items = [_Item.read(source) for source in sources]
        outcomes, _ = await self._ingest_items(items, None, None)
        return outcomes

    async def ingest_batches(
        self, batches: Iterable[Sequence[SourceToIngest]]
    ) -> AsyncIterator[list[IngestOutcome]]:
        """ingest_batch for each batch in turn, the next one extracted while this one is written."""
        with ExitStack() as stack:
            worker: ProcessPoolExecutor | None = None
            upcoming = iter(batches)
            current = _read_next(upcoming)
            ahead: _Extraction | None = None
            while current is not None:
                following = _read_next(upcoming)
                if following and worker is None:
                    # Spawned, not forked: this process has database connections and threads.
                    worker = stack.enter_context(
                        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
                    )
                lookahead = _Lookahead(following, worker) if following and worker else None
                outcomes: list[IngestOutcome] = []
                if current:
                    outcomes, ahead = await self._ingest_items(current, ahead, lookahead)
                yield outcomes
                current = following

    async def _ingest_items(
        self, items: list[_Item], ahead: _Extraction | None, lookahead: _Lookahead | None
    ) -> tuple[list[IngestOutcome], _Extraction | None]:
        mark: int | None = None
        started_next: _Extraction | None = None
        try:
            async with unit_of_work(self._sessions) as session:
                if self._known is None:
                    self._known = KnownNames(await known_entities(session))
                mark = self._known.mark()
                batch = DocumentBatch(session)
                readable = [item for item in items if item.raw is not None]
                await batch.find_sources(item.fingerprint for item in readable)
                while readable:
                    readable = await self._save_in_order(batch, readable, ahead)
                    ahead = None
                if lookahead is not None:
                    started_next = await self._extract_ahead(batch, lookahead)
                await batch.flush()
        except DBAPIError as error:
            if self._known is not None and mark is not None:
                self._known.undo(mark)
            if len(items) > 1:
                logger.info("a batch of %d failed in the database; one at a time now", len(items))
                outcomes = []
                for item in items:
                    outcomes.extend((await self._ingest_items([item.again()], None, None))[0])
                return outcomes, None
            # Most likely a record another ingestion saved meanwhile; nothing of this one stays.
            # The database's own words go to the log, not to the client.
            logger.warning(
                "ingesting %s failed in the database: %s", items[0].source.name or "<source>", error
            )
            return [_refusal(error)], None
        if self._known is not None:
            self._known.settle()
        return [item.result() for item in items], started_next

    async def _save_in_order(
        self, batch: DocumentBatch, items: list[_Item], ahead: _Extraction | None
    ) -> list[_Item]:
        """Save the items in order; those left to start again from, if the run was cut short.

        Everything is extracted first, each as if the sources before it had gone in (their
        entities remembered), so the batch can read ahead for all of them at once. If a
        source then turns out not to go in as assumed (it failed, or an earlier source
        changed whether it is new), what the later ones were extracted with is wrong: the
        run stops there, and they start again.
        """
        known = self._known
        assert known is not None
        extracted = await ahead.results(known) if ahead is not None else None
        for index, item in enumerate(items):
            item.expected = await batch.article_for_source(item.fingerprint, item.options.url)
            item.mark, item.document, item.failure = None, None, None
            skipped = item.expected is not None or item.raw is None
            # The worker's extraction holds while it skipped exactly what is skipped here.
            if extracted is not None and extracted[index] is None and not skipped:
                extracted = None
            if extracted is not None and extracted[index] is not None and skipped:
                extracted = None
            if skipped or item.raw is None:
                continue
            item.mark = known.mark()
            outcome = extracted[index] if extracted is not None else None
            if outcome is None:
                outcome = _extract(item.raw, item.options, known)
            if isinstance(outcome, IngestFailure):
                item.failure = outcome
                continue
            item.document = outcome
            known.remember_document(outcome)
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

    async def _extract_ahead(self, batch: DocumentBatch, lookahead: _Lookahead) -> _Extraction:
        """Start extracting the next batch in the worker, as it will stand once this one is in."""
        known = self._known
        assert known is not None
        readable = [item for item in lookahead.items if item.raw is not None]
        await batch.find_sources(item.fingerprint for item in readable)
        work: list[tuple[RawArticle, IngestOptions] | None] = []
        for item in readable:
            unchanged = await batch.article_for_source(item.fingerprint, item.options.url)
            work.append((item.raw, item.options) if item.raw and unchanged is None else None)
        # Pickled now: the index changes while the worker's copy waits to be sent.
        snapshot = pickle.dumps(known)
        future = asyncio.get_running_loop().run_in_executor(
            lookahead.worker, _extract_in_order, snapshot, work
        )
        return _Extraction(known.version, future)

    def _forget_from(self, items: list[_Item]) -> None:
        """Take back the entities remembered for these items' documents."""
        marks = [item.mark for item in items if item.mark is not None]
        if marks and self._known is not None:
            self._known.undo(min(marks))


def _read_next(batches: Iterator[Sequence[SourceToIngest]]) -> list[_Item] | None:
    batch = next(batches, None)
    return None if batch is None else [_Item.read(source) for source in batch]


def _extract(
    raw: RawArticle, options: IngestOptions, known: KnownNames
) -> ArticleDocument | IngestFailure:
    try:
        return extract_document(raw, options, known)
    except ValidationError as error:
        problems = "; ".join(
            str(detail.get("ctx", {}).get("error") or detail["msg"]) for detail in error.errors()
        )
        return IngestFailure(IngestErrorCode.INVALID, problems)


def _extract_in_order(
    snapshot: bytes, work: list[tuple[RawArticle, IngestOptions] | None]
) -> list[ArticleDocument | IngestFailure | None]:
    """What the Ingester would extract for each source (None where it skips one), in order.

    This runs in the worker process, on a copy of the name index.
    """
    known: KnownNames = pickle.loads(snapshot)
    results: list[ArticleDocument | IngestFailure | None] = []
    for job in work:
        outcome = None if job is None else _extract(*job, known)
        if isinstance(outcome, ArticleDocument):
            known.remember_document(outcome)
        results.append(outcome)
    return results


@dataclass(frozen=True)
class _Lookahead:
    items: list[_Item]
    worker: ProcessPoolExecutor


@dataclass(frozen=True)
class _Extraction:
    """A batch being extracted in the worker, from the name index at `version`."""

    version: int
    future: asyncio.Future[list[ArticleDocument | IngestFailure | None]]

    async def results(
        self, known: KnownNames
    ) -> list[ArticleDocument | IngestFailure | None] | None:
        """The worker's results, or None if the index has changed since it started."""
        results = await self.future
        return results if known.version == self.version else None


@dataclass
class _Item:
    """One source on its way through a batch."""

    source: SourceToIngest
    raw: RawArticle | None
    failure: IngestFailure | None
    fingerprint: str
    # Decided before saving: the stored article it is unchanged from, or its extraction.
    expected: SavedDocument | None = None
    document: ArticleDocument | None = None
    mark: int | None = None
    saved: SavedDocument | None = None

    @classmethod
    def read(cls, source: SourceToIngest) -> _Item:
        fingerprint = source_hash(source.text, source.name, source.options)
        try:
            return cls(source, read_source(source.text, source.name), None, fingerprint)
        except FormatError as error:
            failure = IngestFailure(IngestErrorCode.UNREADABLE, str(error), "source")
            return cls(source, None, failure, fingerprint)

    def again(self) -> _Item:
        return _Item(
            self.source, self.raw, self.failure if self.raw is None else None, self.fingerprint
        )

    @property
    def options(self) -> IngestOptions:
        return self.source.options

    def result(self) -> IngestOutcome:
        if self.failure is not None:
            return self.failure
        assert self.saved is not None, "every readable source is saved or failed"
        outcome = self.saved.outcome()
        return IngestResult(outcome.status, outcome.article_id, outcome.slug)
