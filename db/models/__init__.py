"""Every table newsgraph has, one module per domain."""

from db.base import Base
from db.models.access import ApiKey, KeyRole
from db.models.articles import (
    Article,
    ArticleCredit,
    ArticleLink,
    ArticleRevision,
    CreditRole,
    Paragraph,
    ParagraphKind,
    PublicationStatus,
)
from db.models.changes import ArticleChange, ChangeKind
from db.models.data_version import DataVersion
from db.models.mentions import Mention
from db.models.organizations import Organization, OrganizationAlias, OrganizationKind
from db.models.persons import Membership, MembershipSource, Person, PersonAlias
from db.models.revisions import Revision, RevisionAction
from db.models.statements import Quote, Statement, StatementMedium, StatementReport
from db.models.votes import Vote, VoteOption, VoteOutcome, VotePosition, VoteReport, VoteStatus
from db.models.webhooks import (
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventSubscription,
)

__all__ = [
    "ApiKey",
    "Article",
    "ArticleChange",
    "ArticleCredit",
    "ArticleLink",
    "ArticleRevision",
    "Base",
    "ChangeKind",
    "CreditRole",
    "DataVersion",
    "DeliveryStatus",
    "KeyRole",
    "Membership",
    "MembershipSource",
    "Mention",
    "Organization",
    "OrganizationAlias",
    "OrganizationKind",
    "Paragraph",
    "ParagraphKind",
    "Person",
    "PersonAlias",
    "PublicationStatus",
    "Quote",
    "Revision",
    "RevisionAction",
    "Statement",
    "StatementMedium",
    "StatementReport",
    "Vote",
    "VoteOption",
    "VoteOutcome",
    "VotePosition",
    "VoteReport",
    "VoteStatus",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookEventSubscription",
]

# Every writer imports the models, so this is where the session events that keep stored
# visibility right (db/visible_from.py) are registered.
from db import visible_from as _visible_from  # noqa: F401
