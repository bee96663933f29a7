"""Statements and their quotes: types and root queries."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.enums import DateOrder, StatementMedium
from api.errors import ClientError
from api.relay import Connection, Node
from api.rows import After, First, context, from_row, from_rows, root_connection
from db import queries

if TYPE_CHECKING:
    from api.articles import Article, Paragraph
    from api.organizations import Organization
    from api.persons import Person

ArticleRef = Annotated["Article", strawberry.lazy("api.articles")]
ParagraphRef = Annotated["Paragraph", strawberry.lazy("api.articles")]
Speaker = Annotated[
    Annotated["Person", strawberry.lazy("api.persons")]
    | Annotated["Organization", strawberry.lazy("api.organizations")],
    strawberry.union("Speaker", description="Who made a statement: a person or an organization."),
]


@strawberry.type(
    description="Something a person or organization said or issued, on a date. Its quotes are "
    "the exact words articles quote; a statement only paraphrased has none."
)
class Statement(Node):
    MAPPING = mapping.STATEMENT
    row: strawberry.Private[Any]
    issued_on: date | None = strawberry.field(description="The day it was made or issued.")
    issued_on_text: str | None = strawberry.field(
        description='The date as the source words it ("on Sunday").'
    )
    medium: StatementMedium = strawberry.field(
        description="How it was made: statement, interview, …"
    )
    summary: str | None = strawberry.field(description="What it says, in a sentence.")
    confidence: float | None = strawberry.field(
        description="Extractor confidence in [0, 1]; null when an editor recorded it."
    )
    verified: bool = strawberry.field(description="An editor has checked it against the source.")

    @strawberry.field(description="The person or organization that made it.")
    async def speaker(self, info: Info) -> Speaker:
        from api.organizations import Organization
        from api.persons import Person

        loaders = context(info).loaders
        if self.row.speaker_person_id is not None:
            return from_row(Person, await loaders.one(self.MAPPING, "speaker_person", self.row))
        organization = await loaders.one(self.MAPPING, "speaker_organization", self.row)
        return from_row(Organization, organization)

    @strawberry.field(
        description="Its exact words as quoted, across every article: oldest article first, "
        "then in reading order."
    )
    async def quotes(self, info: Info) -> list[Quote]:
        rows = await context(info).loaders.many(self.MAPPING, "quotes", self.pk)
        return from_rows(Quote, rows)

    @strawberry.field(description="Articles that quote or report it, oldest first.")
    async def articles(self, info: Info) -> list[ArticleRef]:
        from api.articles import Article

        rows = await context(info).loaders.many(self.MAPPING, "articles", self.pk)
        return from_rows(Article, rows)

    @strawberry.field(description="Paragraphs that report it without quoting it.")
    async def reported_in(self, info: Info) -> list[ParagraphRef]:
        from api.articles import Paragraph

        rows = await context(info).loaders.many(self.MAPPING, "reported_in", self.pk)
        return from_rows(Paragraph, rows)


@strawberry.type(
    description="A statement's exact words as one paragraph quotes them: "
    "`text` equals the paragraph's text from `start` to `end`."
)
class Quote(Node):
    MAPPING = mapping.QUOTE
    row: strawberry.Private[Any]
    text: str = strawberry.field(description="The quoted words, without the quotation marks.")
    start: int = strawberry.field(
        description="Offset of the first quoted character in the paragraph text (code points)."
    )
    end: int = strawberry.field(description="Offset just past the last quoted character.")
    confidence: float | None = strawberry.field(
        description="Extractor confidence in [0, 1]; null when an editor recorded it."
    )
    needs_review: bool = strawberry.field(
        description="True once a correction of its paragraph changed its words, until an editor "
        "corrects the quote's span (`quoteCorrect`): the words may no longer be where it says. "
        "A correction that leaves the words alone moves the quote with them instead."
    )

    @strawberry.field(description="The statement these words belong to.")
    async def statement(self, info: Info) -> Statement:
        row = await context(info).loaders.one(self.MAPPING, "statement", self.row)
        return from_row(Statement, row)

    @strawberry.field(description="The paragraph the words appear in.")
    async def paragraph(self, info: Info) -> ParagraphRef:
        from api.articles import Paragraph

        row = await context(info).loaders.one(self.MAPPING, "paragraph", self.row)
        return from_row(Paragraph, row)


@strawberry.input(description="Narrows a list of statements; all given conditions must hold.")
class StatementFilter:
    speaker_organization: str | None = strawberry.field(
        default=None, description="Slug of the organization that made them."
    )
    speaker_person: str | None = strawberry.field(
        default=None, description="Slug of the person who made them."
    )
    issued_after: date | None = strawberry.field(default=None, description="Issued on or after.")
    issued_before: date | None = strawberry.field(default=None, description="Issued on or before.")
    quoted_in: str | None = strawberry.field(
        default=None, description="Slug of an article that quotes them."
    )
    min_confidence: float | None = strawberry.field(
        default=None, description="Extracted with at least this confidence (editorial ones pass)."
    )
    verified: bool | None = strawberry.field(default=None, description="Only (un)verified ones.")


def statement_criteria(
    filter: StatementFilter | None, order: DateOrder
) -> queries.StatementCriteria:
    given = filter or StatementFilter()
    if (
        given.issued_after is not None
        and given.issued_before is not None
        and given.issued_after > given.issued_before
    ):
        raise ClientError("`issuedAfter` must not be later than `issuedBefore`.", argument="filter")
    if given.min_confidence is not None and not 0 <= given.min_confidence <= 1:
        raise ClientError("`minConfidence` must be between 0 and 1.", argument="filter")
    return queries.StatementCriteria(
        speaker_organization=given.speaker_organization,
        speaker_person=given.speaker_person,
        issued_after=given.issued_after,
        issued_before=given.issued_before,
        quoted_in=given.quoted_in,
        min_confidence=given.min_confidence,
        verified=given.verified,
        oldest_first=order is DateOrder.OLDEST_FIRST,
    )


@strawberry.type
class StatementQueries:
    @strawberry.field(description="Statements, newest first unless `orderBy` says otherwise.")
    async def statements(
        self,
        info: Info,
        filter: Annotated[
            StatementFilter | None,
            strawberry.argument(description="Conditions to narrow the list."),
        ] = None,
        order_by: Annotated[
            DateOrder, strawberry.argument(description="Order by the day issued.")
        ] = DateOrder.NEWEST_FIRST,
        first: First = None,
        after: After = None,
    ) -> Connection[Statement]:
        statement = queries.statements(statement_criteria(filter, order_by), context(info).viewer)
        return await root_connection(info, Statement, statement, first, after)
