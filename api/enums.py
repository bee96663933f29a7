"""The database's enums, exposed to GraphQL under the same names and values."""

from __future__ import annotations

import enum

import strawberry

from db import models as m

# strawberry.enum marks the model's own enum classes, so rows' values pass straight through.
strawberry.enum(m.ParagraphKind, description="What role a paragraph plays in its article.")
strawberry.enum(m.PublicationStatus, description="Where an article is in the publishing workflow.")
strawberry.enum(m.CreditRole, description="What a credited person did for an article.")
strawberry.enum(m.OrganizationKind, description="What sort of body an organization is.")
strawberry.enum(m.StatementMedium, description="How a statement was made or issued.")
strawberry.enum(m.VoteStatus, description="Whether a vote has been held or is still to come.")
strawberry.enum(m.VoteOutcome, description="The result of a vote that was held.")
strawberry.enum(m.VoteOption, description="The position a voter or group took on a vote.")
strawberry.enum(m.RevisionAction, description="What kind of change a revision records.")
strawberry.enum(
    m.WebhookEvent,
    description="A change a webhook can be told of; the `X-Newsgraph-Event` header and the "
    "body's `event` spell it `article.published`, `article.corrected`, and so on.",
)
strawberry.enum(m.DeliveryStatus, description="Where a webhook delivery stands.")

ParagraphKind = m.ParagraphKind
PublicationStatus = m.PublicationStatus
CreditRole = m.CreditRole
OrganizationKind = m.OrganizationKind
StatementMedium = m.StatementMedium
VoteStatus = m.VoteStatus
VoteOutcome = m.VoteOutcome
VoteOption = m.VoteOption
RevisionAction = m.RevisionAction
WebhookEvent = m.WebhookEvent
DeliveryStatus = m.DeliveryStatus


@strawberry.enum(description="Order of a list of dated items.")
class DateOrder(enum.Enum):
    NEWEST_FIRST = "newest_first"
    OLDEST_FIRST = "oldest_first"
