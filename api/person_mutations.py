"""Editor mutations on persons and their memberships of organizations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import (
    DeletePayload,
    MutationError,
    delete_node,
    deleted,
    given,
    pk_of,
    run_edit,
    update_node,
)
from api.persons import Membership, Person
from api.rows import optional_row
from db import editing
from db.editing import Editor

PersonId = Annotated[strawberry.ID, strawberry.argument(description="The person's global ID.")]
MembershipId = Annotated[
    strawberry.ID, strawberry.argument(description="The membership's global ID.")
]


@strawberry.input(description="A new person.")
class PersonCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and single hyphens.")
    name: str = strawberry.field(description="The canonical name.")
    description: str | None = strawberry.field(default=None, description="A short description.")
    aliases: list[str] | None = strawberry.field(
        default=None, description="Other names, as texts write them."
    )


@strawberry.input(description="Changes to a person; fields left out stay as they are.")
class PersonUpdateInput:
    slug: str | None = strawberry.field(default=strawberry.UNSET, description="New slug.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description; null clears it."
    )
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The complete new list of aliases."
    )


@strawberry.input(description="A person's role in an organization.")
class MembershipCreateInput:
    person_id: strawberry.ID = strawberry.field(description="The member.")
    organization_id: strawberry.ID = strawberry.field(description="The organization.")
    role: str | None = strawberry.field(default=None, description='The role, e.g. "deputy head".')
    start_on: date | None = strawberry.field(default=None, description="First day, where known.")
    end_on: date | None = strawberry.field(default=None, description="Last day, where known.")
    source_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The article that states it; null for the editor's own fact, which "
        "everyone sees and which stays when articles go.",
    )


@strawberry.input(description="Changes to a membership; fields left out stay as they are.")
class MembershipUpdateInput:
    role: str | None = strawberry.field(default=strawberry.UNSET, description="New role.")
    start_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New first day; null clears it."
    )
    end_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="New last day; null clears it."
    )


@strawberry.type(description="The person a mutation created or changed, or why it did not.")
class PersonPayload:
    person: Person | None = strawberry.field(description="The person; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The membership a mutation created or changed, or why it did not.")
class MembershipPayload:
    membership: Membership | None = strawberry.field(description="The membership; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type
class PersonMutations:
    @strawberry.mutation(description="Record a person. Editors only.")
    async def person_create(
        self,
        info: Info,
        input: Annotated[PersonCreateInput, strawberry.argument(description="The new person.")],
    ) -> PersonPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            values = {name: value for name, value in given(input).items() if value is not None}
            return await editing.create_person(session, editor, values)

        row, errors = await run_edit(info, work)
        return PersonPayload(person=optional_row(Person, row), errors=errors)

    @strawberry.mutation(description="Change a person. Editors only.")
    async def person_update(
        self,
        info: Info,
        id: PersonId,
        input: Annotated[PersonUpdateInput, strawberry.argument(description="The changes.")],
    ) -> PersonPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            person = pk_of(id, "id", "Person")
            return await editing.update_person(session, editor, person, given(input))

        row, errors = await run_edit(info, work)
        return PersonPayload(person=optional_row(Person, row), errors=errors)

    @strawberry.mutation(
        description="Delete a person with their aliases, memberships, mentions and statements. "
        "Editors only."
    )
    async def person_delete(self, info: Info, id: PersonId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_person(session, editor, pk_of(id, "id", "Person"))
            return True

        _, errors = await run_edit(info, work)
        return deleted(id, errors)

    @strawberry.mutation(description="Record a person's role in an organization. Editors only.")
    async def membership_create(
        self,
        info: Info,
        input: Annotated[
            MembershipCreateInput, strawberry.argument(description="The new membership.")
        ],
    ) -> MembershipPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            source = input.source_id
            values = {
                "person_id": pk_of(input.person_id, "personId", "Person"),
                "organization_id": pk_of(input.organization_id, "organizationId", "Organization"),
                "role": input.role,
                "start_on": input.start_on,
                "end_on": input.end_on,
            }
            source_article_id = None if source is None else pk_of(source, "sourceId", "Article")
            return await editing.create_membership(session, editor, values, source_article_id)

        row, errors = await run_edit(info, work)
        return MembershipPayload(membership=optional_row(Membership, row), errors=errors)

    @strawberry.mutation(description="Change a membership's role or dates. Editors only.")
    async def membership_update(
        self,
        info: Info,
        id: MembershipId,
        input: Annotated[MembershipUpdateInput, strawberry.argument(description="The changes.")],
    ) -> MembershipPayload:
        row, errors = await update_node(info, editing.MEMBERSHIPS, id, input)
        return MembershipPayload(membership=optional_row(Membership, row), errors=errors)

    @strawberry.mutation(description="Delete a membership. Editors only.")
    async def membership_delete(self, info: Info, id: MembershipId) -> DeletePayload:
        return await delete_node(info, id, editing.MEMBERSHIPS)
