"""Editor mutations on votes and their positions, and on which paragraphs report a vote or a
statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import (
    DeletePayload,
    MutationError,
    create_node,
    delete_node,
    pk_of,
    run_edit,
    update_node,
    values_of,
)
from api.enums import VoteOption, VoteOutcome, VoteStatus
from api.rows import optional_row
from api.statement_mutations import StatementPayload
from api.statements import Statement
from api.votes import Vote, VotePosition
from db import editing
from db.editing import Editor

VoteId = Annotated[strawberry.ID, strawberry.argument(description="The vote's global ID.")]
ParagraphId = Annotated[
    strawberry.ID, strawberry.argument(description="The global ID of the reporting paragraph.")
]
VotePositionId = Annotated[
    strawberry.ID, strawberry.argument(description="The vote position's global ID.")
]


@strawberry.input(description="A new vote of a body on a motion.")
class VoteCreateInput:
    body_id: strawberry.ID = strawberry.field(description="The voting body (an Organization).")
    motion: str = strawberry.field(description="What is voted on, as the source words it.")
    status: VoteStatus = strawberry.field(description="Held, scheduled, postponed or cancelled.")
    held_on: date | None = strawberry.field(default=None, description="The day, or planned day.")
    held_on_text: str | None = strawberry.field(default=None, description="The day as worded.")
    outcome: VoteOutcome | None = strawberry.field(
        default=None, description="The result; only for a held vote."
    )
    follow_up_id: strawberry.ID | None = strawberry.field(
        default=None, description="The vote that follows this one."
    )


@strawberry.input(description="Changes to a vote; fields left out stay as they are.")
class VoteUpdateInput:
    motion: str | None = strawberry.field(default=strawberry.UNSET, description="New motion.")
    status: VoteStatus | None = strawberry.field(
        default=strawberry.UNSET, description="New status."
    )
    held_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New day; null clears it."
    )
    held_on_text: str | None = strawberry.field(
        default=strawberry.UNSET, description="New wording of the day; null clears it."
    )
    outcome: VoteOutcome | None = strawberry.field(
        default=strawberry.UNSET, description="New result; null clears it."
    )
    follow_up_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New follow-up vote; null clears it."
    )


@strawberry.input(
    description="How one voter took part in a vote: give exactly one of `groupName`, "
    "`organizationId` and `personId`."
)
class VotePositionCreateInput:
    vote_id: strawberry.ID = strawberry.field(description="The vote.")
    option: VoteOption = strawberry.field(description="Support, oppose, abstain, absent, boycott.")
    group_name: str | None = strawberry.field(
        default=None, description='A bloc named only in words ("Kurdish parliamentarians").'
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="The organization (party, bloc) that took the position."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The person who took it; a person has one position per vote.",
    )
    voter_count: int | None = strawberry.field(
        default=None, description="How many voted so, where known."
    )
    position: int | None = strawberry.field(
        default=None,
        description="Its place in the vote's list of positions, 1 for the first; the end when "
        "null.",
    )


@strawberry.input(
    description="Changes to a vote position; fields left out stay as they are. Giving "
    "`groupName`, `organizationId` or `personId` replaces who took the position."
)
class VotePositionUpdateInput:
    option: VoteOption | None = strawberry.field(
        default=strawberry.UNSET, description="The new option."
    )
    group_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A bloc named in words, as the new voter."
    )
    organization_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="An organization, as the new voter."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A person, as the new voter."
    )
    voter_count: int | None = strawberry.field(
        default=strawberry.UNSET, description="The new count; null clears it."
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its new place in the vote's list, 1 for the first; null moves it to the end.",
    )


@strawberry.type(description="The vote a mutation created or changed, or why it did not.")
class VotePayload:
    vote: Vote | None = strawberry.field(description="The vote; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The vote position a mutation created or changed, or why it did not.")
class VotePositionPayload:
    vote_position: VotePosition | None = strawberry.field(
        description="The position; null on failure."
    )
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


_VOTE_IDS = {"body_id": "Organization", "follow_up_id": "Vote"}
_POSITION_IDS = {"vote_id": "Vote", "organization_id": "Organization", "person_id": "Person"}


@strawberry.type
class VoteMutations:
    @strawberry.mutation(
        description="Record a vote. The public sees it once a published paragraph reports it "
        "(`voteReportSet`). Editors only."
    )
    async def vote_create(
        self,
        info: Info,
        input: Annotated[VoteCreateInput, strawberry.argument(description="The new vote.")],
    ) -> VotePayload:
        row, errors = await create_node(info, editing.VOTES, input, _VOTE_IDS)
        return VotePayload(vote=optional_row(Vote, row), errors=errors)

    @strawberry.mutation(description="Change a vote. Editors only.")
    async def vote_update(
        self,
        info: Info,
        id: VoteId,
        input: Annotated[VoteUpdateInput, strawberry.argument(description="The changes.")],
    ) -> VotePayload:
        row, errors = await update_node(info, editing.VOTES, id, input, _VOTE_IDS)
        return VotePayload(vote=optional_row(Vote, row), errors=errors)

    @strawberry.mutation(description="Delete a vote with its positions. Editors only.")
    async def vote_delete(self, info: Info, id: VoteId) -> DeletePayload:
        return await delete_node(info, id, editing.VOTES)

    @strawberry.mutation(
        description="Say whether a paragraph reports a vote (`reports: false` removes it). "
        "Editors only."
    )
    async def vote_report_set(
        self,
        info: Info,
        id: VoteId,
        paragraph_id: ParagraphId,
        reports: Annotated[
            bool, strawberry.argument(description="True to add the report, false to remove it.")
        ] = True,
    ) -> VotePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            vote = pk_of(id, "id", "Vote")
            paragraph = pk_of(paragraph_id, "paragraphId", "Paragraph")
            return await editing.set_vote_report(session, editor, vote, paragraph, reports)

        row, errors = await run_edit(info, work, idempotent=True)
        return VotePayload(vote=optional_row(Vote, row), errors=errors)

    @strawberry.mutation(
        description="Say whether a paragraph paraphrases a statement without quoting it "
        "(`reports: false` removes it). Editors only."
    )
    async def statement_report_set(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The statement's global ID.")],
        paragraph_id: ParagraphId,
        reports: Annotated[
            bool, strawberry.argument(description="True to add the report, false to remove it.")
        ] = True,
    ) -> StatementPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            statement = pk_of(id, "id", "Statement")
            paragraph = pk_of(paragraph_id, "paragraphId", "Paragraph")
            return await editing.set_statement_report(
                session, editor, statement, paragraph, reports
            )

        row, errors = await run_edit(info, work, idempotent=True)
        return StatementPayload(statement=optional_row(Statement, row), errors=errors)

    @strawberry.mutation(
        description="Record how a group, organization or person voted. The public sees the "
        "position, and whom it names, wherever it sees the vote. Editors only."
    )
    async def vote_position_create(
        self,
        info: Info,
        input: Annotated[
            VotePositionCreateInput, strawberry.argument(description="The new position.")
        ],
    ) -> VotePositionPayload:
        row, errors = await create_node(info, editing.VOTE_POSITIONS, input, _POSITION_IDS)
        return VotePositionPayload(vote_position=optional_row(VotePosition, row), errors=errors)

    @strawberry.mutation(
        description="Change a vote position: its option, count, voter or place. Editors only."
    )
    async def vote_position_update(
        self,
        info: Info,
        id: VotePositionId,
        input: Annotated[VotePositionUpdateInput, strawberry.argument(description="The changes.")],
    ) -> VotePositionPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            position = pk_of(id, "id", "VotePosition")
            values = values_of(input, _POSITION_IDS)
            return await editing.update_vote_position(session, editor, position, values)

        row, errors = await run_edit(info, work)
        return VotePositionPayload(vote_position=optional_row(VotePosition, row), errors=errors)

    @strawberry.mutation(description="Remove a position from its vote. Editors only.")
    async def vote_position_delete(self, info: Info, id: VotePositionId) -> DeletePayload:
        return await delete_node(info, id, editing.VOTE_POSITIONS)
