"""Editor mutations on mentions: which words of a paragraph name a person or an organization."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import DeletePayload, MutationError, delete_node, entity_id, pk_of, run_edit
from api.mentions import Mention
from api.rows import optional_row
from db import editing
from db.editing import Editor


@strawberry.input(description="Words of a paragraph that name a person or an organization.")
class MentionCreateInput:
    paragraph_id: strawberry.ID = strawberry.field(description="The paragraph.")
    entity_id: strawberry.ID = strawberry.field(
        description="Global ID of the Person or Organization it names."
    )
    start: int = strawberry.field(description="Code-point offset of the first character.")
    end: int = strawberry.field(description="Code-point offset just past the last one.")
    text: str | None = strawberry.field(
        default=None,
        description="The words expected at the span; refused when the paragraph differs.",
    )


@strawberry.type(description="The mention a mutation created, or why it did not.")
class MentionPayload:
    mention: Mention | None = strawberry.field(description="The mention; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type
class MentionMutations:
    @strawberry.mutation(
        description="Say that a paragraph names a person or an organization, with the words at "
        "`[start, end)`. Once the paragraph is published, the public sees whom it names. "
        "Editors only."
    )
    async def mention_create(
        self,
        info: Info,
        input: Annotated[MentionCreateInput, strawberry.argument(description="The new mention.")],
    ) -> MentionPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            return await editing.create_mention(
                session,
                editor,
                pk_of(input.paragraph_id, "paragraphId", "Paragraph"),
                entity_id(input.entity_id, "entityId", "Person", "Organization"),
                input.start,
                input.end,
                input.text,
            )

        row, errors = await run_edit(info, work)
        return MentionPayload(mention=optional_row(Mention, row), errors=errors)

    @strawberry.mutation(
        description="Remove a mention. Someone named only by it is hidden from the public "
        "again. Editors only."
    )
    async def mention_delete(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The mention's global ID.")],
    ) -> DeletePayload:
        return await delete_node(info, id, editing.MENTIONS)
