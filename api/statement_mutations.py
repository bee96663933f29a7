"""Editor mutations on statements and their quotes; quote spans are proven against the paragraph."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import DeletePayload, MutationError, deleted, entity_id, given, pk_of, run_edit
from api.enums import StatementMedium
from api.rows import optional_row
from api.statements import Quote, Statement
from db import editing
from db.editing import Editor

StatementId = Annotated[
    strawberry.ID, strawberry.argument(description="The statement's global ID.")
]
QuoteId = Annotated[strawberry.ID, strawberry.argument(description="The quote's global ID.")]


@strawberry.input(description="A new statement by a person or an organization.")
class StatementCreateInput:
    speaker_id: strawberry.ID = strawberry.field(
        description="Global ID of the Person or Organization that made it."
    )
    medium: StatementMedium = strawberry.field(description="How it was made or issued.")
    issued_on: date | None = strawberry.field(default=None, description="The day it was made.")
    issued_on_text: str | None = strawberry.field(
        default=None, description='The day as the source words it ("on Sunday").'
    )
    summary: str | None = strawberry.field(default=None, description="What was said, in brief.")


@strawberry.input(description="Changes to a statement; fields left out stay as they are.")
class StatementUpdateInput:
    medium: StatementMedium | None = strawberry.field(
        default=strawberry.UNSET, description="How it was made."
    )
    issued_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="The day; null clears it."
    )
    issued_on_text: str | None = strawberry.field(
        default=strawberry.UNSET, description="The day as worded; null clears it."
    )
    summary: str | None = strawberry.field(
        default=strawberry.UNSET, description="The summary; null clears it."
    )


@strawberry.input(description="A statement's words as a paragraph quotes them.")
class QuoteCreateInput:
    statement_id: strawberry.ID = strawberry.field(description="The statement quoted.")
    paragraph_id: strawberry.ID = strawberry.field(description="The paragraph quoting it.")
    start: int = strawberry.field(description="Code-point offset of the first quoted character.")
    end: int = strawberry.field(description="Code-point offset just past the last one.")
    text: str | None = strawberry.field(
        default=None,
        description="The words expected at the span; refused when the paragraph differs.",
    )


@strawberry.type(description="The statement a mutation created or changed, or why it did not.")
class StatementPayload:
    statement: Statement | None = strawberry.field(description="The statement; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The quote a mutation created or changed, or why it did not.")
class QuotePayload:
    quote: Quote | None = strawberry.field(description="The quote; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type
class StatementMutations:
    @strawberry.mutation(description="Record a statement. Editors only.")
    async def statement_create(
        self,
        info: Info,
        input: Annotated[
            StatementCreateInput, strawberry.argument(description="The new statement.")
        ],
    ) -> StatementPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            speaker = entity_id(input.speaker_id, "speakerId", "Person", "Organization")
            values = {
                name: value
                for name, value in given(input).items()
                if name != "speaker_id" and value is not None
            }
            return await editing.create_statement(session, editor, speaker, values)

        row, errors = await run_edit(info, work)
        return StatementPayload(statement=optional_row(Statement, row), errors=errors)

    @strawberry.mutation(description="Change a statement. Editors only.")
    async def statement_update(
        self,
        info: Info,
        id: StatementId,
        input: Annotated[StatementUpdateInput, strawberry.argument(description="The changes.")],
    ) -> StatementPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            statement = pk_of(id, "id", "Statement")
            return await editing.update_statement(session, editor, statement, given(input))

        row, errors = await run_edit(info, work)
        return StatementPayload(statement=optional_row(Statement, row), errors=errors)

    @strawberry.mutation(description="Delete a statement with its quotes. Editors only.")
    async def statement_delete(self, info: Info, id: StatementId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_statement(session, editor, pk_of(id, "id", "Statement"))
            return True

        _, errors = await run_edit(info, work)
        return deleted(id, errors)

    @strawberry.mutation(
        description="Anchor a statement's words to a paragraph span; the span must lie inside "
        "the paragraph and, when `text` is given, hold exactly those words. Editors only."
    )
    async def quote_create(
        self,
        info: Info,
        input: Annotated[QuoteCreateInput, strawberry.argument(description="The new quote.")],
    ) -> QuotePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            return await editing.create_quote(
                session,
                editor,
                pk_of(input.statement_id, "statementId", "Statement"),
                pk_of(input.paragraph_id, "paragraphId", "Paragraph"),
                input.start,
                input.end,
                input.text,
            )

        row, errors = await run_edit(info, work)
        return QuotePayload(quote=optional_row(Quote, row), errors=errors)

    @strawberry.mutation(
        description="Move a quote to a new span of its paragraph's current text and clear "
        "`needsReview`. Editors only."
    )
    async def quote_correct(
        self,
        info: Info,
        id: QuoteId,
        start: Annotated[int, strawberry.argument(description="New start offset.")],
        end: Annotated[int, strawberry.argument(description="New end offset.")],
        text: Annotated[
            str | None, strawberry.argument(description="The words expected at the span.")
        ] = None,
    ) -> QuotePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            quote = pk_of(id, "id", "Quote")
            return await editing.correct_quote(session, editor, quote, start, end, text)

        row, errors = await run_edit(info, work)
        return QuotePayload(quote=optional_row(Quote, row), errors=errors)

    @strawberry.mutation(description="Delete a quote. Editors only.")
    async def quote_delete(self, info: Info, id: QuoteId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_quote(session, editor, pk_of(id, "id", "Quote"))
            return True

        _, errors = await run_edit(info, work)
        return deleted(id, errors)
