"""Editor mutations on articles and their paragraphs: create, update, correct, publish, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.articles import Article, Paragraph
from api.editing import DeletePayload, MutationError, deleted, given, pk_of, run_edit
from api.enums import ParagraphKind
from api.rows import optional_row
from db import editing
from db.editing import Editor

ArticleId = Annotated[strawberry.ID, strawberry.argument(description="The article's global ID.")]
ParagraphId = Annotated[
    strawberry.ID, strawberry.argument(description="The paragraph's global ID.")
]


@strawberry.input(description="A new article. It starts as a draft, without paragraphs.")
class ArticleCreateInput:
    slug: str = strawberry.field(description="Lower-case letters, digits and single hyphens.")
    headline: str = strawberry.field(description="The headline.")
    standfirst: str | None = strawberry.field(default=None, description="The summary.")
    dateline: str | None = strawberry.field(default=None, description="Where it was filed from.")
    url: str | None = strawberry.field(default=None, description="Canonical http(s) URL.")
    language: str | None = strawberry.field(default=None, description="BCP 47 tag; `en` if null.")
    published_at: datetime | None = strawberry.field(
        default=None, description="Publication time; set on first publication when left null."
    )
    copyright_holder: str | None = strawberry.field(default=None, description="Rights holder.")
    licence: str | None = strawberry.field(default=None, description="Usage terms or licence.")
    partners_may_republish: bool | None = strawberry.field(
        default=None, description="Whether partners get the full text; false if null."
    )


@strawberry.input(description="Changes to an article's metadata; fields left out stay as they are.")
class ArticleUpdateInput:
    slug: str | None = strawberry.field(default=strawberry.UNSET, description="New slug.")
    headline: str | None = strawberry.field(default=strawberry.UNSET, description="New headline.")
    standfirst: str | None = strawberry.field(
        default=strawberry.UNSET, description="New summary; null clears it."
    )
    dateline: str | None = strawberry.field(
        default=strawberry.UNSET, description="New dateline; null clears it."
    )
    url: str | None = strawberry.field(
        default=strawberry.UNSET, description="New URL; null clears it."
    )
    language: str | None = strawberry.field(default=strawberry.UNSET, description="New language.")
    published_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="New publication time; null clears it."
    )
    copyright_holder: str | None = strawberry.field(
        default=strawberry.UNSET, description="New rights holder; null clears it."
    )
    licence: str | None = strawberry.field(
        default=strawberry.UNSET, description="New usage terms; null clears them."
    )
    partners_may_republish: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Whether partners get the full text."
    )


@strawberry.type(description="The article a mutation created or changed, or why it did not.")
class ArticlePayload:
    article: Article | None = strawberry.field(description="The article; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The paragraph a mutation created or changed, or why it did not.")
class ParagraphPayload:
    paragraph: Paragraph | None = strawberry.field(description="The paragraph; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


def _article_payload(result: tuple[object | None, list[MutationError]]) -> ArticlePayload:
    row, errors = result
    return ArticlePayload(article=optional_row(Article, row), errors=errors)


def _paragraph_payload(result: tuple[object | None, list[MutationError]]) -> ParagraphPayload:
    row, errors = result
    return ParagraphPayload(paragraph=optional_row(Paragraph, row), errors=errors)


@strawberry.type
class ArticleMutations:
    @strawberry.mutation(description="Create a draft article. Editors only.")
    async def article_create(
        self,
        info: Info,
        input: Annotated[ArticleCreateInput, strawberry.argument(description="The new article.")],
    ) -> ArticlePayload:
        values = {name: value for name, value in given(input).items() if value is not None}
        return _article_payload(
            await run_edit(info, lambda s, e: editing.create_article(s, e, values))
        )

    @strawberry.mutation(description="Change an article's metadata or rights. Editors only.")
    async def article_update(
        self,
        info: Info,
        id: ArticleId,
        input: Annotated[ArticleUpdateInput, strawberry.argument(description="The changes.")],
    ) -> ArticlePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            return await editing.update_article(
                session, editor, pk_of(id, "id", "Article"), given(input)
            )

        return _article_payload(await run_edit(info, work))

    @strawberry.mutation(
        description="Publish an article now, or embargo it until a future time. Editors only."
    )
    async def article_publish(
        self,
        info: Info,
        id: ArticleId,
        embargoed_until: Annotated[
            datetime | None,
            strawberry.argument(description="Keep it hidden from all but editors until then."),
        ] = None,
    ) -> ArticlePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            return await editing.publish_article(
                session, editor, pk_of(id, "id", "Article"), embargoed_until
            )

        return _article_payload(await run_edit(info, work))

    @strawberry.mutation(
        description="Withdraw an article: hidden again from the public and partners. Editors only."
    )
    async def article_unpublish(self, info: Info, id: ArticleId) -> ArticlePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            return await editing.unpublish_article(session, editor, pk_of(id, "id", "Article"))

        return _article_payload(await run_edit(info, work))

    @strawberry.mutation(
        description="Delete an article with its paragraphs and everything anchored in them. "
        "Editors only."
    )
    async def article_delete(self, info: Info, id: ArticleId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_article(session, editor, pk_of(id, "id", "Article"))
            return True

        return deleted(id, (await run_edit(info, work))[1])

    @strawberry.mutation(
        description="Add a paragraph at `position` (later ones move down) or at the end. "
        "Editors only."
    )
    async def paragraph_create(
        self,
        info: Info,
        article_id: ArticleId,
        kind: Annotated[ParagraphKind, strawberry.argument(description="Its role.")],
        text: Annotated[str, strawberry.argument(description="Its exact text.")],
        position: Annotated[
            int | None, strawberry.argument(description="1 for first; the end when null.")
        ] = None,
    ) -> ParagraphPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            article = pk_of(article_id, "articleId", "Article")
            return await editing.create_paragraph(session, editor, article, kind, text, position)

        return _paragraph_payload(await run_edit(info, work))

    @strawberry.mutation(
        description="Correct a paragraph's text (and kind); every quote anchored in it is "
        "flagged `needsReview`. Editors only."
    )
    async def paragraph_correct(
        self,
        info: Info,
        id: ParagraphId,
        text: Annotated[str, strawberry.argument(description="The corrected text.")],
        kind: Annotated[
            ParagraphKind | None, strawberry.argument(description="A new role, if it changes.")
        ] = None,
    ) -> ParagraphPayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            paragraph = pk_of(id, "id", "Paragraph")
            return await editing.correct_paragraph(session, editor, paragraph, text, kind)

        return _paragraph_payload(await run_edit(info, work))

    @strawberry.mutation(
        description="Delete a paragraph and what is anchored in it; later ones move up. "
        "Editors only."
    )
    async def paragraph_delete(self, info: Info, id: ParagraphId) -> DeletePayload:
        async def work(session: AsyncSession, editor: Editor) -> Any:
            await editing.delete_paragraph(session, editor, pk_of(id, "id", "Paragraph"))
            return True

        return deleted(id, (await run_edit(info, work))[1])
