"""Ingesting a raw article over GraphQL: the ingestArticle mutation and its typed payload."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.editing import require_editor
from api.rows import context, optional_row
from db import queries
from db.documents import SaveStatus
from ingest.pipeline import IngestOptions
from ingest.service import Ingester, IngestFailure

if TYPE_CHECKING:
    from api.articles import Article

ArticleRef = Annotated["Article", strawberry.lazy("api.articles")]

# Large enough for any news article; a guard against a runaway upload, not a style rule.
MAX_SOURCE_CHARACTERS = 1_000_000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")


@strawberry.enum(description="Why a source did not go in.")
class IngestErrorCode(enum.Enum):
    UNREADABLE = strawberry.enum_value(
        "unreadable", description="Not an article in the format given: empty, malformed, no body."
    )
    INVALID = strawberry.enum_value(
        "invalid", description="A field's value is wrong, or the extracted records do not hold."
    )
    CONFLICT = strawberry.enum_value(
        "conflict", description="It clashes with what is stored, such as a URL another article has."
    )


@strawberry.enum(description="How a raw article is written.")
class SourceFormat(enum.Enum):
    TEXT = strawberry.enum_value("txt", description="Plain text: headline, blank line, paragraphs.")
    HTML = strawberry.enum_value("html", description="An HTML page: h1 headline, p paragraphs.")
    NINJS = strawberry.enum_value("json", description="IPTC ninjs JSON.")


@strawberry.enum(description="What ingesting did to the stored article.")
class IngestStatus(enum.Enum):
    CREATED = strawberry.enum_value("created", description="A new article.")
    UPDATED = strawberry.enum_value(
        "updated", description="The article existed with other content; it was updated in place."
    )
    UNCHANGED = strawberry.enum_value("unchanged", description="Already stored as it is.")


@strawberry.input(description="A raw article and what its text may not say about itself.")
class IngestArticleInput:
    source: str = strawberry.field(description="The raw article, as text.")
    format: SourceFormat | None = strawberry.field(
        default=None, description="How `source` is written; guessed from its first character."
    )
    publisher: str | None = strawberry.field(
        default=None, description="Slug of the publishing organization, where the text lacks it."
    )
    published_at: datetime | None = strawberry.field(
        default=None, description="Publication time with a timezone, where the text lacks it."
    )
    url: str | None = strawberry.field(default=None, description="The article's URL.")


@strawberry.type(description="Something wrong with the input; nothing of it was saved.")
class IngestError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What is wrong, for a person to read.")
    code: IngestErrorCode = strawberry.field(description="What is wrong, for a program.")


@strawberry.type(description="The outcome of ingestArticle.")
class IngestArticlePayload:
    article: ArticleRef | None = strawberry.field(
        description="The stored article; null when there are errors."
    )
    status: IngestStatus | None = strawberry.field(
        description="What happened to it; null when there are errors."
    )
    errors: list[IngestError] = strawberry.field(description="Empty when the article went in.")


def _input_errors(data: IngestArticleInput) -> list[IngestError]:
    errors = []
    if len(data.source) > MAX_SOURCE_CHARACTERS:
        errors.append(
            IngestError(
                field="source",
                message=f"the source is over {MAX_SOURCE_CHARACTERS} characters",
                code=IngestErrorCode.INVALID,
            )
        )
    if data.publisher is not None and not _SLUG.match(data.publisher):
        errors.append(
            IngestError(
                field="publisher",
                message=f"{data.publisher!r} is not a slug (like kurdistan-24)",
                code=IngestErrorCode.INVALID,
            )
        )
    if data.published_at is not None and data.published_at.tzinfo is None:
        errors.append(
            IngestError(
                field="publishedAt",
                message="give a timezone (Z or +HH:MM)",
                code=IngestErrorCode.INVALID,
            )
        )
    if data.url is not None and not _URL.match(data.url):
        errors.append(
            IngestError(
                field="url",
                message=f"{data.url!r} is not an http(s) URL",
                code=IngestErrorCode.INVALID,
            )
        )
    return errors


@strawberry.type
class IngestionMutations:
    @strawberry.mutation(
        description="Read a raw article (text, HTML or ninjs), extract its records and save them."
        " Ingesting the same source again changes nothing; changed content updates the"
        " article in place and keeps the previous version as a revision."
    )
    async def ingest_article(
        self,
        info: Info,
        input: Annotated[
            IngestArticleInput, strawberry.argument(description="The article and its metadata.")
        ],
    ) -> IngestArticlePayload:
        require_editor(info)
        errors = _input_errors(input)
        if errors:
            return IngestArticlePayload(article=None, status=None, errors=errors)
        request_context = context(info)
        assert request_context.request is not None, "mutations arrive over HTTP"
        ingester = Ingester(request_context.request.app.state.sessions)
        name = f"source.{input.format.value}" if input.format else ""
        options = IngestOptions(
            publisher=input.publisher, published_at=input.published_at, url=input.url
        )
        try:
            result = await ingester.ingest(input.source, name, options)
        except IngestFailure as failure:
            error = IngestError(
                field=failure.field,
                message=failure.message,
                code=IngestErrorCode(failure.code.value),
            )
            return IngestArticlePayload(article=None, status=None, errors=[error])
        from api.articles import Article

        rows = await request_context.loaders.reader.scalars(queries.article_by_slug(result.slug))
        return IngestArticlePayload(
            article=optional_row(Article, rows[0] if rows else None),
            status=_STATUSES[result.status],
            errors=[],
        )


_STATUSES = {
    SaveStatus.CREATED: IngestStatus.CREATED,
    SaveStatus.UPDATED: IngestStatus.UPDATED,
    SaveStatus.UNCHANGED: IngestStatus.UNCHANGED,
}
