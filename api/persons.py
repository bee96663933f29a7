"""Persons and their memberships of organizations: types and root queries."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.organizations import find_by_slug_or_name
from api.relay import Connection, Node
from api.rows import (
    After,
    First,
    context,
    from_row,
    optional_row,
    related_connection,
    root_connection,
)
from db import models as m
from db import queries

if TYPE_CHECKING:
    from api.articles import Article
    from api.organizations import Organization
    from api.statements import Statement

ArticleRef = Annotated["Article", strawberry.lazy("api.articles")]
OrganizationRef = Annotated["Organization", strawberry.lazy("api.organizations")]
StatementRef = Annotated["Statement", strawberry.lazy("api.statements")]


@strawberry.type(
    description="A person named in the news: a speaker, an office holder, a journalist."
)
class Person(Node):
    MAPPING = mapping.PERSON
    row: strawberry.Private[Any]
    slug: str = strawberry.field(description="Stable, URL-safe identifier, unique among persons.")
    name: str = strawberry.field(description="The person's canonical name.")
    description: str | None = strawberry.field(description="A short editorial description.")

    @strawberry.field(description='Other names the person goes by, as written ("Muhandis").')
    async def aliases(self, info: Info) -> list[str]:
        rows = await context(info).loaders.many(self.MAPPING, "aliases", self.pk)
        return [row.alias for row in rows]

    @strawberry.field(description="Roles the person holds or held, earliest first.")
    async def memberships(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Membership]:
        return await related_connection(
            info, Membership, self.MAPPING, "memberships", self.pk, first, after
        )

    @strawberry.field(description="Statements the person made, newest first.")
    async def statements(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[StatementRef]:
        from api.statements import Statement

        return await related_connection(
            info, Statement, self.MAPPING, "statements", self.pk, first, after
        )

    @strawberry.field(description="Articles that credit the person, newest first.")
    async def credited_articles(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ArticleRef]:
        from api.articles import Article

        return await related_connection(
            info, Article, self.MAPPING, "credited_articles", self.pk, first, after
        )

    @strawberry.field(description="Articles that mention the person, newest first.")
    async def mentioned_in(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ArticleRef]:
        from api.articles import Article

        return await related_connection(
            info, Article, self.MAPPING, "mentioned_in", self.pk, first, after
        )


@strawberry.type(description="A person's role in an organization, between dates where known.")
class Membership(Node):
    MAPPING = mapping.MEMBERSHIP
    row: strawberry.Private[Any]
    role: str | None = strawberry.field(
        description='The role as the source words it ("deputy head").'
    )
    start_on: date | None = strawberry.field(description="First day in the role, where known.")
    end_on: date | None = strawberry.field(description="Last day in the role, where known.")
    confidence: float | None = strawberry.field(
        description="Extractor confidence in [0, 1]; null when an editor recorded it."
    )

    @strawberry.field(description="The member.")
    async def person(self, info: Info) -> Person:
        row = await context(info).loaders.one(self.MAPPING, "person", self.row)
        return from_row(Person, row)

    @strawberry.field(description="The organization.")
    async def organization(self, info: Info) -> OrganizationRef:
        from api.organizations import Organization

        row = await context(info).loaders.one(self.MAPPING, "organization", self.row)
        return from_row(Organization, row)

    @strawberry.field(
        description="An article that states the membership: the first of `sources`. Null "
        "when an editor entered it and no article you may see states it."
    )
    async def source(self, info: Info) -> ArticleRef | None:
        from api.articles import Article

        rows = await context(info).loaders.many(self.MAPPING, "sources", self.pk)
        return optional_row(Article, rows[0] if rows else None)

    @strawberry.field(
        description="Every article you may see that states the membership, earliest "
        "published first; empty for an editor's fact no article states."
    )
    async def sources(self, info: Info) -> list[ArticleRef]:
        from api.articles import Article

        rows = await context(info).loaders.many(self.MAPPING, "sources", self.pk)
        return [from_row(Article, row) for row in rows]


@strawberry.type
class PersonQueries:
    @strawberry.field(
        description="The person with this slug, or whose name or any alias matches `name` "
        "(ignoring case, accents and apostrophe style); null when none does."
    )
    async def person(
        self,
        info: Info,
        slug: Annotated[str | None, strawberry.argument(description="The person's slug.")] = None,
        name: Annotated[
            str | None, strawberry.argument(description='A name or alias, e.g. "Muhandis".')
        ] = None,
    ) -> Person | None:
        row = await find_by_slug_or_name(info, m.Person, slug, name, queries.persons_by_name)
        return optional_row(Person, row)

    @strawberry.field(description="Persons in name order.")
    async def persons(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Text that the name or an alias contains."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Person]:
        return await root_connection(info, Person, queries.persons(search), first, after)
