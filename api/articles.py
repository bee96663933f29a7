"""Articles, their paragraphs, credits and related links: types and root queries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.enums import CreditRole, DateOrder, ParagraphKind, PublicationStatus
from api.errors import ClientError
from api.relay import Connection, Node
from api.rows import (
    After,
    First,
    context,
    from_row,
    from_rows,
    optional_row,
    related_connection,
    root_connection,
)
from db import queries
from db.visibility import Role

if TYPE_CHECKING:
    from api.mentions import Mention
    from api.organizations import Organization
    from api.persons import Person
    from api.statements import Quote, Statement
    from api.votes import Vote

OrganizationRef = Annotated["Organization", strawberry.lazy("api.organizations")]
PersonRef = Annotated["Person", strawberry.lazy("api.persons")]
QuoteRef = Annotated["Quote", strawberry.lazy("api.statements")]
StatementRef = Annotated["Statement", strawberry.lazy("api.statements")]
VoteRef = Annotated["Vote", strawberry.lazy("api.votes")]
MentionRef = Annotated["Mention", strawberry.lazy("api.mentions")]


@strawberry.type(
    description="Who holds an article's copyright and what partners may do with its text."
)
class Rights:
    copyright_holder: str | None = strawberry.field(
        description="The copyright holder as the publisher states it; null where not recorded."
    )
    licence: str | None = strawberry.field(
        description="Usage terms or licence (an SPDX identifier, a URL or words); null where "
        "not recorded."
    )
    partners_may_republish: bool = strawberry.field(
        description="Whether partners may republish the full text. When false, partners get "
        "the headline, standfirst, link and metadata, but no paragraphs or anything anchored "
        "in them."
    )


@strawberry.type(description="A news article: its metadata and its text as ordered paragraphs.")
class Article(Node):
    MAPPING = mapping.ARTICLE
    row: strawberry.Private[Any]
    slug: str = strawberry.field(description="Stable, URL-safe identifier, unique among articles.")
    headline: str = strawberry.field(description="The headline as published.")
    standfirst: str | None = strawberry.field(
        description="The summary or pull quote shown under the headline, as published."
    )
    dateline: str | None = strawberry.field(
        description='The place the story was filed from, e.g. "WASHINGTON DC".'
    )
    published_at: datetime | None = strawberry.field(
        description="When the article was published (UTC); null where the source gives no time."
    )
    url: str | None = strawberry.field(description="Canonical URL at the publisher, where known.")
    language: str = strawberry.field(description="BCP 47 language tag of the text, e.g. `en`.")
    status: PublicationStatus = strawberry.field(description="Publishing workflow state.")
    embargoed_until: datetime | None = strawberry.field(
        description="When an embargoed article becomes visible to all (UTC); null otherwise."
    )

    # Computed from the row rather than mapped: rights are one nested object, not columns.
    @strawberry.field(description="Copyright holder, licence and republishing rights.")
    def rights(self) -> Rights:
        return Rights(
            copyright_holder=self.row.copyright_holder,
            licence=self.row.licence,
            partners_may_republish=self.row.partners_may_republish,
        )

    @strawberry.field(
        description="Whether this answer includes the article's text (paragraphs, quotes, "
        "mentions): true for the public and editors, and for partners only where "
        "`rights.partnersMayRepublish`."
    )
    def full_text(self, info: Info) -> bool:
        return context(info).viewer.role is not Role.PARTNER or bool(
            self.row.partners_may_republish
        )

    @strawberry.field(description="The outlet that published the article.")
    async def publisher(self, info: Info) -> OrganizationRef | None:
        from api.organizations import Organization

        row = await context(info).loaders.one(self.MAPPING, "publisher", self.row)
        return optional_row(Organization, row)

    @strawberry.field(
        description="The text in reading order. Empty for an article known only by its headline."
    )
    async def paragraphs(self, info: Info) -> list[Paragraph]:
        rows = await context(info).loaders.many(self.MAPPING, "paragraphs", self.pk)
        return from_rows(Paragraph, rows)

    @strawberry.field(description="People credited for the article, with their roles, in order.")
    async def credits(self, info: Info) -> list[Credit]:
        rows = await context(info).loaders.many(self.MAPPING, "credits", self.pk)
        return from_rows(Credit, rows)

    @strawberry.field(description="Articles this one links to as related reading, in link order.")
    async def related_articles(self, info: Info) -> list[Article]:
        rows = await context(info).loaders.many(self.MAPPING, "related_articles", self.pk)
        return from_rows(Article, rows)

    @strawberry.field(
        description="This article's related-reading links with their anchor text as written."
    )
    async def related_links(self, info: Info) -> list[RelatedLink]:
        rows = await context(info).loaders.many(self.MAPPING, "related_links", self.pk)
        return from_rows(RelatedLink, rows)

    @strawberry.field(
        description="Articles that link to this one as related reading, newest first."
    )
    async def linked_from(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Article]:
        return await related_connection(
            info, Article, self.MAPPING, "linked_from", self.pk, first, after
        )

    @strawberry.field(description="Every quote in the article, in reading order.")
    async def quotes(self, info: Info) -> list[QuoteRef]:
        from api.statements import Quote

        rows = await context(info).loaders.many(self.MAPPING, "quotes", self.pk)
        return from_rows(Quote, rows)

    @strawberry.field(
        description="Statements the article quotes or reports, in order of first appearance."
    )
    async def statements(self, info: Info) -> list[StatementRef]:
        from api.statements import Statement

        rows = await context(info).loaders.many(self.MAPPING, "statements", self.pk)
        return from_rows(Statement, rows)

    @strawberry.field(description="Votes the article reports, in order of first appearance.")
    async def votes(self, info: Info) -> list[VoteRef]:
        from api.votes import Vote

        rows = await context(info).loaders.many(self.MAPPING, "votes", self.pk)
        return from_rows(Vote, rows)

    @strawberry.field(description="Mentions of persons and organizations, in reading order.")
    async def mentions(self, info: Info) -> list[MentionRef]:
        from api.mentions import Mention

        rows = await context(info).loaders.many(self.MAPPING, "mentions", self.pk)
        return from_rows(Mention, rows)


@strawberry.type(description="One block of an article's text; quotes and mentions anchor to it.")
class Paragraph(Node):
    MAPPING = mapping.PARAGRAPH
    row: strawberry.Private[Any]
    position: int = strawberry.field(description="Place in the article, 1 for the first paragraph.")
    kind: ParagraphKind = strawberry.field(description="The role the paragraph plays.")
    text: str = strawberry.field(
        description="The exact text; quote and mention spans index into it by code point."
    )

    @strawberry.field(description="The article the paragraph belongs to.")
    async def article(self, info: Info) -> Article:
        row = await context(info).loaders.one(self.MAPPING, "article", self.row)
        return from_row(Article, row)

    @strawberry.field(description="Quotes that appear in this paragraph, in reading order.")
    async def quotes(self, info: Info) -> list[QuoteRef]:
        from api.statements import Quote

        rows = await context(info).loaders.many(self.MAPPING, "quotes", self.pk)
        return from_rows(Quote, rows)

    @strawberry.field(description="Persons and organizations the paragraph mentions, in order.")
    async def mentions(self, info: Info) -> list[MentionRef]:
        from api.mentions import Mention

        rows = await context(info).loaders.many(self.MAPPING, "mentions", self.pk)
        return from_rows(Mention, rows)

    @strawberry.field(description="Statements the paragraph reports without quoting them.")
    async def reported_statements(self, info: Info) -> list[StatementRef]:
        from api.statements import Statement

        rows = await context(info).loaders.many(self.MAPPING, "reported_statements", self.pk)
        return from_rows(Statement, rows)


@strawberry.type(description="A person credited for an article and what they did.")
class Credit(Node):
    MAPPING = mapping.CREDIT
    row: strawberry.Private[Any]
    role: CreditRole = strawberry.field(description="What the person did: author, editor, …")

    @strawberry.field(description="The credited person.")
    async def person(self, info: Info) -> PersonRef:
        from api.persons import Person

        row = await context(info).loaders.one(self.MAPPING, "person", self.row)
        return from_row(Person, row)


@strawberry.type(description='A related-reading link ("Read More: …") from one article to another.')
class RelatedLink(Node):
    MAPPING = mapping.RELATED_LINK
    row: strawberry.Private[Any]
    anchor_text: str = strawberry.field(description="The link's text as written in the article.")

    @strawberry.field(description="The article linked to.")
    async def article(self, info: Info) -> Article:
        row = await context(info).loaders.one(self.MAPPING, "article", self.row)
        return from_row(Article, row)

    @strawberry.field(description="The paragraph that holds the link, where it is one.")
    async def paragraph(self, info: Info) -> Paragraph | None:
        row = await context(info).loaders.one(self.MAPPING, "paragraph", self.row)
        return optional_row(Paragraph, row)


@strawberry.input(description="Narrows a list of articles; all given conditions must hold.")
class ArticleFilter:
    published_after: datetime | None = strawberry.field(
        default=None, description="Published at or after this time."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Published strictly before this time."
    )
    publisher: str | None = strawberry.field(
        default=None, description="Slug of the publishing organization."
    )
    mentions_organization: str | None = strawberry.field(
        default=None, description="Slug of an organization the article mentions."
    )
    mentions_person: str | None = strawberry.field(
        default=None, description="Slug of a person the article mentions."
    )
    language: str | None = strawberry.field(default=None, description="Language tag, e.g. `en`.")
    headline_contains: str | None = strawberry.field(
        default=None, description="Text the headline contains, ignoring case."
    )


def _in_utc(moment: datetime | None, name: str) -> datetime | None:
    """`moment` in UTC; a ClientError when it has no offset or falls outside what UTC can hold."""
    if moment is None:
        return None
    if moment.utcoffset() is None:
        raise ClientError(
            f"`{name}` needs a UTC offset, e.g. 2020-01-05T12:00:00Z.", argument="filter"
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ClientError(f"`{name}` is out of range.", argument="filter") from None


def article_criteria(filter: ArticleFilter | None, order: DateOrder) -> queries.ArticleCriteria:
    given = filter or ArticleFilter()
    published_after = _in_utc(given.published_after, "publishedAfter")
    published_before = _in_utc(given.published_before, "publishedBefore")
    if (
        published_after is not None
        and published_before is not None
        and published_after >= published_before
    ):
        raise ClientError(
            "`publishedAfter` must be earlier than `publishedBefore`.", argument="filter"
        )
    return queries.ArticleCriteria(
        published_after=published_after,
        published_before=published_before,
        publisher=given.publisher,
        mentions_organization=given.mentions_organization,
        mentions_person=given.mentions_person,
        language=given.language,
        headline_contains=given.headline_contains,
        oldest_first=order is DateOrder.OLDEST_FIRST,
    )


@strawberry.type
class ArticleQueries:
    @strawberry.field(description="The article with this slug, or null.")
    async def article(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The article's slug.")],
    ) -> Article | None:
        rows = await context(info).loaders.reader.scalars(queries.article_by_slug(slug))
        return optional_row(Article, rows[0] if rows else None)

    @strawberry.field(description="Articles, newest first unless `orderBy` says otherwise.")
    async def articles(
        self,
        info: Info,
        filter: Annotated[
            ArticleFilter | None, strawberry.argument(description="Conditions to narrow the list.")
        ] = None,
        order_by: Annotated[
            DateOrder, strawberry.argument(description="Publication-time order.")
        ] = DateOrder.NEWEST_FIRST,
        first: First = None,
        after: After = None,
    ) -> Connection[Article]:
        statement = queries.articles(article_criteria(filter, order_by), context(info).viewer)
        return await root_connection(info, Article, statement, first, after)
