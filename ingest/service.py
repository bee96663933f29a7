"""Ingesting one source into the database: atomic, idempotent, failures as typed data."""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.documents import (
    DocumentConflict,
    SaveStatus,
    article_for_source,
    save_article_document,
)
from db.engine import unit_of_work
from db.entities import KnownEntity, known_entities
from ingest.formats import FormatError, RawArticle, read_source
from ingest.pipeline import EXTRACTOR_VERSION, IngestOptions, extract_document
from newsgraph.document import ArticleDocument

logger = logging.getLogger(__name__)


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
    """Ingests sources one transaction each, remembering the entities it has seen between them.

    Stored entities are read once, on first use; each saved document's entities are added
    to that memory, so a long run does not re-read the whole table for every article.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._known: dict[str, KnownEntity] | None = None

    async def ingest(self, text: str, name: str, options: IngestOptions) -> IngestResult:
        """Read, extract and save one source; raise IngestFailure with nothing written."""
        try:
            raw = read_source(text, name)
        except FormatError as error:
            raise IngestFailure(IngestErrorCode.UNREADABLE, str(error), "source") from error
        fingerprint = source_hash(text, name, options)
        try:
            async with unit_of_work(self._sessions) as session:
                found = await article_for_source(session, fingerprint, options.url)
                if found is not None:
                    return IngestResult(SaveStatus.UNCHANGED, found.article_id, found.slug)
                if self._known is None:
                    self._known = {e.slug: e for e in await known_entities(session)}
                document = self._extract(raw, options)
                outcome = await save_article_document(
                    session, document, replace=True, source_hash=fingerprint
                )
        except DocumentConflict as error:
            raise IngestFailure(IngestErrorCode.CONFLICT, str(error), "url") from error
        except DBAPIError as error:
            # Most likely a record another ingestion saved meanwhile; nothing of this one stays.
            # The database's own words go to the log, not to the client.
            logger.warning("ingesting %s failed in the database: %s", name or "<source>", error)
            raise IngestFailure(
                IngestErrorCode.CONFLICT,
                "the article clashes with records saved at the same time; nothing was saved,"
                " try again",
            ) from error
        self._remember(document)
        return IngestResult(outcome.status, outcome.article_id, outcome.slug)

    def _extract(self, raw: RawArticle, options: IngestOptions) -> ArticleDocument:
        try:
            return extract_document(raw, options, (self._known or {}).values())
        except ValidationError as error:
            problems = "; ".join(
                str(detail.get("ctx", {}).get("error") or detail["msg"])
                for detail in error.errors()
            )
            raise IngestFailure(IngestErrorCode.INVALID, problems) from error

    def _remember(self, document: ArticleDocument) -> None:
        known = self._known if self._known is not None else {}
        for organization in document.organizations:
            known[organization.slug] = KnownEntity(
                organization.slug,
                organization.name,
                False,
                tuple(organization.aliases),
                organization.kind,
            )
        for person in document.persons:
            known[person.slug] = KnownEntity(person.slug, person.name, True, tuple(person.aliases))
        self._known = known
