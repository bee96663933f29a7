"""Mentions of persons and organizations in paragraphs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api import mapping
from api.relay import Node
from api.rows import context, from_row

if TYPE_CHECKING:
    from api.articles import Paragraph
    from api.organizations import Organization
    from api.persons import Person

ParagraphRef = Annotated["Paragraph", strawberry.lazy("api.articles")]
MentionedEntity = Annotated[
    Annotated["Person", strawberry.lazy("api.persons")]
    | Annotated["Organization", strawberry.lazy("api.organizations")],
    strawberry.union("MentionedEntity", description="A person or an organization."),
]


@strawberry.type(description="A paragraph naming a person or organization, in the words it uses.")
class Mention(Node):
    MAPPING = mapping.MENTION
    row: strawberry.Private[Any]
    text: str = strawberry.field(description='The words used, as written ("the Coalition").')
    start: int = strawberry.field(
        description="Offset of the first character in the paragraph text."
    )
    end: int = strawberry.field(description="Offset just past the last character.")
    confidence: float | None = strawberry.field(
        description="Extractor confidence in [0, 1]; null when an editor recorded it."
    )

    @strawberry.field(description="The paragraph that mentions it.")
    async def paragraph(self, info: Info) -> ParagraphRef:
        from api.articles import Paragraph

        row = await context(info).loaders.one(self.MAPPING, "paragraph", self.row)
        return from_row(Paragraph, row)

    @strawberry.field(description="The person or organization mentioned.")
    async def entity(self, info: Info) -> MentionedEntity:
        from api.organizations import Organization
        from api.persons import Person

        loaders = context(info).loaders
        if self.row.person_id is not None:
            return from_row(Person, await loaders.one(self.MAPPING, "person", self.row))
        return from_row(Organization, await loaders.one(self.MAPPING, "organization", self.row))
