"""Organizations: types and root queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.enums import OrganizationKind
from api.errors import ClientError
from api.relay import Connection, Node
from api.rows import (
    After,
    First,
    context,
    from_rows,
    optional_row,
    related_connection,
    root_connection,
)
from db import models as m
from db import queries
from newsgraph.names import normalize_name

if TYPE_CHECKING:
    from api.articles import Article
    from api.persons import Membership
    from api.statements import Statement
    from api.votes import Vote

ArticleRef = Annotated["Article", strawberry.lazy("api.articles")]
MembershipRef = Annotated["Membership", strawberry.lazy("api.persons")]
StatementRef = Annotated["Statement", strawberry.lazy("api.statements")]
VoteRef = Annotated["Vote", strawberry.lazy("api.votes")]


@strawberry.type(
    description="A coalition, government, legislature, militia, court, news outlet or other body."
)
class Organization(Node):
    MAPPING = mapping.ORGANIZATION
    row: strawberry.Private[Any]
    slug: str = strawberry.field(
        description="Stable, URL-safe identifier, unique among organizations."
    )
    name: str = strawberry.field(description="The organization's canonical name.")
    kind: OrganizationKind = strawberry.field(description="What sort of body it is.")
    description: str | None = strawberry.field(description="A short editorial description.")

    @strawberry.field(description='Other names it goes by, as written ("the US-led Coalition").')
    async def aliases(self, info: Info) -> list[str]:
        rows = await context(info).loaders.many(self.MAPPING, "aliases", self.pk)
        return [row.alias for row in rows]

    @strawberry.field(description="The organization it is part of, if any.")
    async def parent(self, info: Info) -> Organization | None:
        row = await context(info).loaders.one(self.MAPPING, "parent", self.row)
        return optional_row(Organization, row)

    @strawberry.field(description="Organizations that are part of this one.")
    async def children(self, info: Info) -> list[Organization]:
        rows = await context(info).loaders.many(self.MAPPING, "children", self.pk)
        return from_rows(Organization, rows)

    @strawberry.field(description="Statements the organization made or issued, newest first.")
    async def statements(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[StatementRef]:
        from api.statements import Statement

        return await related_connection(
            info, Statement, self.MAPPING, "statements", self.pk, first, after
        )

    @strawberry.field(description="People who hold or held a role in the organization.")
    async def memberships(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[MembershipRef]:
        from api.persons import Membership

        return await related_connection(
            info, Membership, self.MAPPING, "memberships", self.pk, first, after
        )

    @strawberry.field(description="Articles the organization published, newest first.")
    async def published_articles(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ArticleRef]:
        from api.articles import Article

        return await related_connection(
            info, Article, self.MAPPING, "published_articles", self.pk, first, after
        )

    @strawberry.field(description="Articles that mention the organization, newest first.")
    async def mentioned_in(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ArticleRef]:
        from api.articles import Article

        return await related_connection(
            info, Article, self.MAPPING, "mentioned_in", self.pk, first, after
        )

    @strawberry.field(
        description="Votes the organization held or scheduled as a body, newest first."
    )
    async def votes(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[VoteRef]:
        from api.votes import Vote

        return await related_connection(info, Vote, self.MAPPING, "votes", self.pk, first, after)


async def find_by_slug_or_name(
    info: Info, model: Any, slug: str | None, name: str | None, by_name: Any
) -> Any | None:
    """The one row a `slug` or `name` argument picks out; None when nothing matches."""
    if (slug is None) == (name is None):
        raise ClientError("Give exactly one of `slug` or `name`.")
    reader = context(info).loaders.reader
    if slug is not None:
        rows = await reader.scalars(queries.by_slug(model, slug))
        return rows[0] if rows else None
    assert name is not None
    return choose_by_name(await reader.scalars(by_name(name)), name)


def choose_by_name(rows: Sequence[Any], name: str) -> Any | None:
    """The row `name` means among those whose name or an alias matches it.

    A canonical name beats an alias; two rows sharing only an alias are ambiguous.
    """
    exact = [row for row in rows if row.normalized_name == normalize_name(name)]
    if len(exact) == 1 or len(rows) == 1:
        return (exact or rows)[0]
    if rows:
        slugs = ", ".join(sorted(row.slug for row in rows))
        raise ClientError(
            f"The name {name!r} is ambiguous: it matches {slugs}. Ask by `slug` instead.",
            argument="name",
        )
    return None


@strawberry.type
class OrganizationQueries:
    @strawberry.field(
        description="The organization with this slug, or whose name or any alias matches `name` "
        "(ignoring case, accents and apostrophe style); null when none does."
    )
    async def organization(
        self,
        info: Info,
        slug: Annotated[
            str | None, strawberry.argument(description="The organization's slug.")
        ] = None,
        name: Annotated[
            str | None, strawberry.argument(description='A name or alias, e.g. "CJTF-OIR".')
        ] = None,
    ) -> Organization | None:
        row = await find_by_slug_or_name(
            info, m.Organization, slug, name, queries.organizations_by_name
        )
        return optional_row(Organization, row)

    @strawberry.field(description="Organizations in name order.")
    async def organizations(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Text that the name or an alias contains."),
        ] = None,
        kind: Annotated[
            OrganizationKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Organization]:
        statement = queries.organizations(search, kind)
        return await root_connection(info, Organization, statement, first, after)
