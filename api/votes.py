"""Votes of legislatures and other bodies: types and root queries."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.enums import VoteOption, VoteOutcome, VoteStatus
from api.errors import ClientError
from api.relay import Connection, Node
from api.rows import After, First, context, from_row, from_rows, optional_row, root_connection
from db import queries

if TYPE_CHECKING:
    from api.articles import Paragraph
    from api.organizations import Organization
    from api.persons import Person

OrganizationRef = Annotated["Organization", strawberry.lazy("api.organizations")]
PersonRef = Annotated["Person", strawberry.lazy("api.persons")]
ParagraphRef = Annotated["Paragraph", strawberry.lazy("api.articles")]


@strawberry.type(description="A body's vote on a motion or bill, held or scheduled.")
class Vote(Node):
    MAPPING = mapping.VOTE
    row: strawberry.Private[Any]
    motion: str = strawberry.field(description="What is voted on, as the source words it.")
    held_on: date | None = strawberry.field(description="The day it was held, or is scheduled for.")
    held_on_text: str | None = strawberry.field(
        description='The date as the source words it ("next Saturday").'
    )
    status: VoteStatus = strawberry.field(description="Held, scheduled, postponed or cancelled.")
    outcome: VoteOutcome | None = strawberry.field(description="The result; null until held.")
    confidence: float | None = strawberry.field(
        description="Extractor confidence in [0, 1]; null when an editor recorded it."
    )

    @strawberry.field(description="The organization that votes.")
    async def body(self, info: Info) -> OrganizationRef:
        from api.organizations import Organization

        row = await context(info).loaders.one(self.MAPPING, "body", self.row)
        return from_row(Organization, row)

    @strawberry.field(description="How groups, organizations and persons voted.")
    async def positions(self, info: Info) -> list[VotePosition]:
        rows = await context(info).loaders.many(self.MAPPING, "positions", self.pk)
        return from_rows(VotePosition, rows)

    @strawberry.field(
        description="The vote scheduled to follow this one, e.g. a formal final vote."
    )
    async def follow_up(self, info: Info) -> Vote | None:
        row = await context(info).loaders.one(self.MAPPING, "follow_up", self.row)
        return optional_row(Vote, row)

    @strawberry.field(description="Earlier votes that this one follows up.")
    async def follow_up_of(self, info: Info) -> list[Vote]:
        rows = await context(info).loaders.many(self.MAPPING, "follow_up_of", self.pk)
        return from_rows(Vote, rows)

    @strawberry.field(description="Paragraphs that report the vote.")
    async def reported_in(self, info: Info) -> list[ParagraphRef]:
        from api.articles import Paragraph

        rows = await context(info).loaders.many(self.MAPPING, "reported_in", self.pk)
        return from_rows(Paragraph, rows)


@strawberry.type(
    description="How one voter took part in a vote: a group named in words, an organization "
    "or a person, with a head count where known."
)
class VotePosition(Node):
    MAPPING = mapping.VOTE_POSITION
    row: strawberry.Private[Any]
    option: VoteOption = strawberry.field(
        description="Support, oppose, abstain, absent or boycott."
    )
    group_name: str | None = strawberry.field(
        description='A bloc named only in words ("Kurdish parliamentarians").'
    )
    voter_count: int | None = strawberry.field(description="How many voted so, where known.")

    @strawberry.field(description="The organization (party, bloc) that took the position.")
    async def organization(self, info: Info) -> OrganizationRef | None:
        from api.organizations import Organization

        row = await context(info).loaders.one(self.MAPPING, "organization", self.row)
        return optional_row(Organization, row)

    @strawberry.field(description="The person who took the position.")
    async def person(self, info: Info) -> PersonRef | None:
        from api.persons import Person

        row = await context(info).loaders.one(self.MAPPING, "person", self.row)
        return optional_row(Person, row)


@strawberry.input(description="Narrows a list of votes; all given conditions must hold.")
class VoteFilter:
    body: str | None = strawberry.field(default=None, description="Slug of the voting body.")
    status: VoteStatus | None = strawberry.field(default=None, description="Only this status.")
    held_after: date | None = strawberry.field(default=None, description="Held on or after.")
    held_before: date | None = strawberry.field(default=None, description="Held on or before.")


def vote_criteria(filter: VoteFilter | None) -> queries.VoteCriteria:
    given = filter or VoteFilter()
    if given.held_after and given.held_before and given.held_after > given.held_before:
        raise ClientError("`heldAfter` must not be later than `heldBefore`.", argument="filter")
    return queries.VoteCriteria(
        body=given.body,
        status=given.status,
        held_after=given.held_after,
        held_before=given.held_before,
    )


@strawberry.type
class VoteQueries:
    @strawberry.field(description="Votes, newest first.")
    async def votes(
        self,
        info: Info,
        filter: Annotated[
            VoteFilter | None, strawberry.argument(description="Conditions to narrow the list.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Vote]:
        statement = queries.votes(vote_criteria(filter))
        return await root_connection(info, Vote, statement, first, after)
