"""`node(id:)` and `nodes(ids:)`: any object by its global ID, batched by type."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.articles import Article, Credit, Paragraph, RelatedLink
from api.errors import ClientError
from api.mentions import Mention
from api.organizations import Organization
from api.persons import Membership, Person
from api.relay import Node, decode_global_id
from api.rows import context, optional_row
from api.statements import Quote, Statement
from api.votes import Vote, VotePosition
from api.webhooks import Webhook

NODE_TYPES: dict[str, Any] = {
    node_type.__name__: node_type
    for node_type in (
        Article,
        Paragraph,
        Credit,
        RelatedLink,
        Quote,
        Statement,
        Mention,
        Organization,
        Person,
        Membership,
        Vote,
        VotePosition,
        Webhook,
    )
}
MAX_NODES = 100


async def _resolve(info: Info, global_id: str) -> Node | None:
    type_name, pk = decode_global_id(global_id)
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        raise ClientError(f"ID {global_id!r} names no known type.", argument="id")
    row = await context(info).loaders.by_id(node_type.MAPPING.model).load(pk)
    return optional_row(node_type, row)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global ID; null when it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        return await _resolve(info, id)

    @strawberry.field(
        description=f"Objects by global ID, in the order asked (null where one does not exist); "
        f"at most {MAX_NODES}."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise ClientError(
                f"At most {MAX_NODES} IDs per request, got {len(ids)}.", argument="ids"
            )
        return list(await asyncio.gather(*(_resolve(info, global_id) for global_id in ids)))
