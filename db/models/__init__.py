"""Every table newsgraph has, one module per domain."""

from db.base import Base
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
from db.models.mentions import Mention
from db.models.organizations import Organization, OrganizationAlias, OrganizationKind
from db.models.persons import Membership, Person, PersonAlias
from db.models.statements import Quote, Statement, StatementMedium, StatementReport
from db.models.votes import Vote, VoteOption, VoteOutcome, VotePosition, VoteReport, VoteStatus

__all__ = [
    "Article",
    "ArticleCredit",
    "ArticleLink",
    "ArticleRevision",
    "Base",
    "CreditRole",
    "Membership",
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
    "Statement",
    "StatementMedium",
    "StatementReport",
    "Vote",
    "VoteOption",
    "VoteOutcome",
    "VotePosition",
    "VoteReport",
    "VoteStatus",
]
