"""Editor mutations on articles, their paragraphs, credits and related-article links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from api.articles import Article, Credit, Paragraph, RelatedLink
from api.editing import (
    DeletePayload,
    MutationError,
    create_node,
    delete_node,
    deleted,
    given,
    pk_of,
    run_edit,
    update_node,
)
from api.enums import CreditRole, ParagraphKind
from api.rows import optional_row
from db import editing
from db.editing import Editor

ArticleId = Annotated[strawberry.ID, strawberry.argument(description="The article's global ID.")]
ParagraphId = Annotated[
    strawberry.ID, strawberry.argument(description="The paragraph's global ID.")
]
CreditId = Annotated[strawberry.ID, strawberry.argument(description="The credit's global ID.")]
RelatedLinkId = Annotated[
    strawberry.ID, strawberry.argument(description="The related link's global ID.")
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


@strawberry.input(description="A person credited for an article.")
class CreditCreateInput:
    article_id: strawberry.ID = strawberry.field(description="The article.")
    person_id: strawberry.ID = strawberry.field(description="The person credited.")
    role: CreditRole = strawberry.field(description="What they did.")
    position: int | None = strawberry.field(
        default=None, description="Its place among the credits, 1 for the first; the end if null."
    )


@strawberry.input(description="Changes to a credit; fields left out stay as they are.")
class CreditUpdateInput:
    role: CreditRole | None = strawberry.field(
        default=strawberry.UNSET, description="The new role."
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its new place among the credits, 1 for the first; null moves it to the end.",
    )


@strawberry.input(description="A related-reading link from one article to another.")
class RelatedLinkCreateInput:
    article_id: strawberry.ID = strawberry.field(description="The article that holds the link.")
    related_article_id: strawberry.ID = strawberry.field(description="The article it links to.")
    anchor_text: str = strawberry.field(description="The link's text as written.")
    paragraph_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The paragraph of the article that holds the link, if it is in one; the "
        "anchor text must occur in it.",
    )
    position: int | None = strawberry.field(
        default=None,
        description="Its place among the article's links, 1 for the first; the end if null.",
    )


@strawberry.input(description="Changes to a related link; fields left out stay as they are.")
class RelatedLinkUpdateInput:
    anchor_text: str | None = strawberry.field(
        default=strawberry.UNSET, description="The new link text."
    )
    paragraph_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The paragraph that holds it; null for none."
    )
    position: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its new place among the links, 1 for the first; null moves it to the end.",
    )


@strawberry.type(description="The article a mutation created or changed, or why it did not.")
class ArticlePayload:
    article: Article | None = strawberry.field(description="The article; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The paragraph a mutation created or changed, or why it did not.")
class ParagraphPayload:
    paragraph: Paragraph | None = strawberry.field(description="The paragraph; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The credit a mutation created or changed, or why it did not.")
class CreditPayload:
    credit: Credit | None = strawberry.field(description="The credit; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


@strawberry.type(description="The related link a mutation created or changed, or why it did not.")
class RelatedLinkPayload:
    related_link: RelatedLink | None = strawberry.field(description="The link; null on failure.")
    errors: list[MutationError] = strawberry.field(description="Empty on success.")


_CREDIT_IDS = {"article_id": "Article", "person_id": "Person"}
# The input names the link's ends as the schema reads them; the table, as from and to.
_LINK_IDS = {"article_id": "Article", "related_article_id": "Article", "paragraph_id": "Paragraph"}
_LINK_COLUMNS = {"article_id": "from_article_id", "related_article_id": "to_article_id"}


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
        description="Correct a paragraph's text (and kind). Quotes and mentions whose words the "
        "correction leaves alone move with them; a quote whose words it changes is flagged "
        "`needsReview`, and such a mention is removed. Editors only."
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

    @strawberry.mutation(
        description="Credit a person for an article. The public sees the credit, and the "
        "person, once the article is published. Editors only."
    )
    async def credit_create(
        self,
        info: Info,
        input: Annotated[CreditCreateInput, strawberry.argument(description="The new credit.")],
    ) -> CreditPayload:
        row, errors = await create_node(info, editing.CREDITS, input, _CREDIT_IDS)
        return CreditPayload(credit=optional_row(Credit, row), errors=errors)

    @strawberry.mutation(description="Change a credit's role or place. Editors only.")
    async def credit_update(
        self,
        info: Info,
        id: CreditId,
        input: Annotated[CreditUpdateInput, strawberry.argument(description="The changes.")],
    ) -> CreditPayload:
        row, errors = await update_node(info, editing.CREDITS, id, input)
        return CreditPayload(credit=optional_row(Credit, row), errors=errors)

    @strawberry.mutation(description="Remove a credit from its article. Editors only.")
    async def credit_delete(self, info: Info, id: CreditId) -> DeletePayload:
        return await delete_node(info, id, editing.CREDITS)

    @strawberry.mutation(
        description="Link an article to another as related reading. The public sees the link "
        "while both articles are published. Editors only."
    )
    async def related_link_create(
        self,
        info: Info,
        input: Annotated[RelatedLinkCreateInput, strawberry.argument(description="The new link.")],
    ) -> RelatedLinkPayload:
        row, errors = await create_node(
            info, editing.RELATED_LINKS, input, _LINK_IDS, _LINK_COLUMNS
        )
        return RelatedLinkPayload(related_link=optional_row(RelatedLink, row), errors=errors)

    @strawberry.mutation(
        description="Change a related link's text, paragraph or place. Editors only."
    )
    async def related_link_update(
        self,
        info: Info,
        id: RelatedLinkId,
        input: Annotated[RelatedLinkUpdateInput, strawberry.argument(description="The changes.")],
    ) -> RelatedLinkPayload:
        row, errors = await update_node(
            info, editing.RELATED_LINKS, id, input, _LINK_IDS, _LINK_COLUMNS
        )
        return RelatedLinkPayload(related_link=optional_row(RelatedLink, row), errors=errors)

    @strawberry.mutation(description="Remove a related link. Editors only.")
    async def related_link_delete(self, info: Info, id: RelatedLinkId) -> DeletePayload:
        return await delete_node(info, id, editing.RELATED_LINKS)
