"""The revision history over GraphQL: every editorial change to an object, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api import mapping
from api.editing import require_editor
from api.enums import RevisionAction
from api.errors import ClientError
from api.relay import Connection, decode_global_id, encode_global_id
from api.rows import After, First, context, root_connection
from db import queries


@strawberry.type(description="One editorial change: who made it, when, and what changed.")
class Revision:
    MAPPING = mapping.REVISION
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]
    entity_type: str = strawberry.field(description="The type of what changed, e.g. `Article`.")
    action: RevisionAction = strawberry.field(description="What kind of change it was.")
    created_at: datetime = strawberry.field(description="When the change was made (UTC).")
    key_id: int | None = strawberry.field(
        description="The id of the editor's API key (as `newsgraph keys list` shows it); null "
        "once that key is deleted or for changes made outside the API."
    )
    changes: JSON = strawberry.field(
        description='The diff: `{"field": [before, after]}`, with database field names; '
        "`before` is null on creation and `after` on deletion."
    )

    @strawberry.field(description="The global ID of what changed (it may no longer exist).")
    def entity_id(self) -> strawberry.ID:
        return encode_global_id(self.entity_type, self.row.entity_id)

    @strawberry.field(description="The name of the editor's API key.")
    async def key_name(self, info: Info) -> str | None:
        key = await context(info).loaders.one(self.MAPPING, "key", self.row)
        return None if key is None else str(key.name)


@strawberry.type
class RevisionQueries:
    @strawberry.field(
        description="Every recorded change to one object, oldest first. Editors only."
    )
    async def revisions(
        self,
        info: Info,
        of: Annotated[
            strawberry.ID, strawberry.argument(description="The global ID of the object.")
        ],
        first: First = None,
        after: After = None,
    ) -> Connection[Revision]:
        require_editor(info)
        type_name, pk = decode_global_id(of)
        if not type_name.isidentifier():
            raise ClientError(f"ID {of!r} names no known type.", argument="of")
        statement = queries.revisions_of(type_name, pk)
        return await root_connection(info, Revision, statement, first, after)
