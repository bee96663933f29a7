"""Editor mutations on organizations: create, update (aliases included) and delete."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.editing import DeletePayload, MutationError, deleted, given, pk_of, run_edit
from api.enums import OrganizationKind
from api.organizations import Organization
from api.rows import optional_row
from db import editing
from db.editing import Editor

OrganizationId = Annotated[
    strawberry.ID, strawberry.argument(description="The organization's global ID.")
]


@strawberry.input(description="A new organization.")
class OrganizationCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and single hyphens.")
    name: str = strawberry.field(description="The canonical name.")
    kind: OrganizationKind = strawberry.field(description="What sort of body it is.")
    description: str | None = strawberry.field(default=None, description="A short description.")
    aliases: list[str] | None = strawberry.field(
        default=None, description="Other names, as texts write them."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The organization it belongs to."
    )


@strawberry.input(description="Changes to an organization; fields left out stay as they are.")
class OrganizationUpdateInput:
    slug: str | None = strawberry.field(default=strawberry.UNSET, description="New slug.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="New name.")
    kind: OrganizationKind | None = strawberry.field(
        default=strawberry.UNSET, description="New kind."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description; null clears it."
    )
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The complete new list of aliases."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="New parent; null detaches it."
    )


@strawberry.type(description="The organization a mutation created or changed, or why it did not.")
class OrganizationPayload:
    organization: Organization | None = strawberry.field(
        description="The organization; null on failure."
    )
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


def _values(input: Any) -> dict[str, Any]:
    values = given(input)
    if values.get("parent_id") is not None:
        values["parent_id"] = pk_of(values["parent_id"], "parentId", "Organization")
    return values


@strawberry.type
class OrganizationMutations:
    @strawberry.mutation(description="Record an organization. Editors only.")
    async def organization_create(
        self,
        info: Info,
        input: Annotated[
            OrganizationCreateInput, strawberry.argument(description="The new organization.")
        ],
    ) -> OrganizationPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            values = {name: value for name, value in _values(input).items() if value is not None}
            return await editing.create_organization(session, editor, values)

        row, errors = await run_edit(info, work)
        return OrganizationPayload(organization=optional_row(Organization, row), errors=errors)

    @strawberry.mutation(description="Change an organization. Editors only.")
    async def organization_update(
        self,
        info: Info,
        id: OrganizationId,
        input: Annotated[OrganizationUpdateInput, strawberry.argument(description="The changes.")],
    ) -> OrganizationPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            organization = pk_of(id, "id", "Organization")
            return await editing.update_organization(session, editor, organization, _values(input))

        row, errors = await run_edit(info, work)
        return OrganizationPayload(organization=optional_row(Organization, row), errors=errors)

    @strawberry.mutation(
        description="Delete an organization with its aliases, memberships, statements and votes. "
        "Editors only."
    )
    async def organization_delete(self, info: Info, id: OrganizationId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_organization(session, editor, pk_of(id, "id", "Organization"))
            return True

        _, errors = await run_edit(info, work)
        return deleted(id, errors)
