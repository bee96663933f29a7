"""The Subscription root: articles as they are published or corrected, statements by a speaker."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.articles import Article
from api.errors import ClientError
from api.relay import decode_global_id, encode_global_id
from api.rows import from_row, optional_row
from api.statements import Statement
from db import models as m
from db.events import ARTICLES, STATEMENTS, Message
from db.reads import Reader

from .context import LiveContext


@strawberry.enum(description="What happened to an article.")
class ArticleUpdateKind(enum.Enum):
    PUBLISHED = strawberry.enum_value(
        "published", description="It was published, or its embargo lifted."
    )
    CORRECTED = strawberry.enum_value("corrected", description="Its text or facts changed.")
    WITHDRAWN = strawberry.enum_value(
        "withdrawn", description="It was withdrawn: drop any copy of it."
    )
    DELETED = strawberry.enum_value("deleted", description="It was deleted: drop any copy of it.")


_GONE = (ArticleUpdateKind.WITHDRAWN, ArticleUpdateKind.DELETED)


@strawberry.type(description="An article that was just published, corrected, withdrawn or deleted.")
class ArticleUpdate:
    kind: ArticleUpdateKind = strawberry.field(description="What happened to it.")
    article_id: strawberry.ID = strawberry.field(
        description="The article's global ID (it may no longer exist)."
    )
    slug: str = strawberry.field(description="The article's slug when this happened.")
    article: Article | None = strawberry.field(
        description="The article as it reads now; null once the subscriber may not see it "
        "(withdrawn or deleted)."
    )


def _live(info: Info) -> LiveContext:
    live = info.context
    if not isinstance(live, LiveContext):
        raise ClientError("Subscriptions run over WebSocket (graphql-transport-ws) at /graphql.")
    return live


async def _visible(reader: Reader, model: Any, pk: Any) -> Any:
    """The row, if it exists and the viewer may see it at this moment."""
    if not isinstance(pk, int):
        return None
    return (await reader.by_ids(model, [pk])).get(pk)


def _speaker_matches(message: Message, column: str, speaker_id: int) -> bool:
    return message.get(column) == speaker_id


@strawberry.type(description="Live updates, over WebSocket with the graphql-transport-ws protocol.")
class Subscription:
    @strawberry.subscription(
        description="Articles as they are published (an embargoed one when its embargo lifts) "
        "or corrected, once the viewer may see them; and withdrawn or deleted, when they had "
        "been public. Each change is delivered once."
    )
    async def article_updates(self, info: Info) -> AsyncGenerator[ArticleUpdate, None]:
        live = _live(info)
        async with live.broker.listen(ARTICLES) as messages:
            async for message in messages:
                try:
                    kind = ArticleUpdateKind(message.get("kind"))
                except ValueError:
                    continue  # an event a newer release announces; this one cannot say it
                article_id = message.get("article_id")
                if not isinstance(article_id, int):
                    continue
                async with live.event() as current:
                    row = await _visible(current.loaders.reader, m.Article, article_id)
                    # Withdrawals and deletions are logged only for articles that were
                    # public, so every subscriber may hear of them.
                    if row is None and kind not in _GONE:
                        continue
                    slug = message.get("slug")
                    yield ArticleUpdate(
                        kind=kind,
                        article_id=encode_global_id("Article", article_id),
                        slug=str(slug if slug is not None else row.slug),
                        article=optional_row(Article, row),
                    )

    @strawberry.subscription(description="Statements as they are recorded, made by one speaker.")
    async def statements_by_speaker(
        self,
        info: Info,
        speaker: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The `id` of the person or organization that makes the statements."
            ),
        ],
    ) -> AsyncGenerator[Statement, None]:
        live = _live(info)
        type_name, speaker_id = decode_global_id(speaker)
        columns = {"Person": "speaker_person_id", "Organization": "speaker_organization_id"}
        column = columns.get(type_name)
        if column is None:
            raise ClientError(
                f"`speaker` must be the ID of a Person or an Organization, not a {type_name}."
            )
        async with live.event() as current:
            model = m.Person if type_name == "Person" else m.Organization
            exists = await current.loaders.reader.scalars(
                select(model.id).where(model.id == speaker_id)
            )
        if not exists:
            raise ClientError(f"No {type_name} has the ID {speaker!r}.")
        async with live.broker.listen(STATEMENTS) as messages:
            async for message in messages:
                if not _speaker_matches(message, column, speaker_id):
                    continue
                async with live.event() as current:
                    row = await _visible(
                        current.loaders.reader, m.Statement, message.get("statement_id")
                    )
                    if row is None:
                        continue
                    yield from_row(Statement, row)
