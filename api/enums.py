"""The database's enums, exposed to GraphQL under the same names and values."""

from __future__ import annotations

import enum

import strawberry

from db import models as m

ParagraphKind = strawberry.enum(
    m.ParagraphKind, description="What role a paragraph plays in its article."
)
PublicationStatus = strawberry.enum(
    m.PublicationStatus, description="Where an article is in the publishing workflow."
)
CreditRole = strawberry.enum(m.CreditRole, description="What a credited person did for an article.")
OrganizationKind = strawberry.enum(
    m.OrganizationKind, description="What sort of body an organization is."
)
StatementMedium = strawberry.enum(
    m.StatementMedium, description="How a statement was made or issued."
)
VoteStatus = strawberry.enum(
    m.VoteStatus, description="Whether a vote has been held or is still to come."
)
VoteOutcome = strawberry.enum(m.VoteOutcome, description="The result of a vote that was held.")
VoteOption = strawberry.enum(
    m.VoteOption, description="The position a voter or group took on a vote."
)


@strawberry.enum(description="Order of a list of dated items.")
class DateOrder(enum.Enum):
    NEWEST_FIRST = "newest_first"
    OLDEST_FIRST = "oldest_first"
