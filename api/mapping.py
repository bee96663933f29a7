"""The one map from GraphQL types and fields to tables, columns and relationships.

Resolvers read through it (scalar fields from `columns`, nested fields through DataLoaders
built from `relations`), and a compiled read path can walk the same declarations to build SQL.
A GraphQL field that is neither a column nor a relation here is computed in Python, and
its type module says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, union_all

from db import models as m
from db.base import Base
from db.relations import ToMany, ToOne, pairs_by_column


@dataclass(frozen=True, eq=False)
class TypeMapping:
    graphql_type: str
    model: type[Base]
    columns: dict[str, Any]
    relations: dict[str, ToOne | ToMany] = field(default_factory=dict)
    # A field whose value is one of several types: (GraphQL type, ToOne relation) pairs,
    # the first relation whose foreign key is set deciding.
    unions: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # A list of plain values: (ToMany relation, column of its target rows).
    value_lists: dict[str, tuple[str, str]] = field(default_factory=dict)
    # A single object: the first visible row of a ToMany relation, or null.
    firsts: dict[str, str] = field(default_factory=dict)

    def values(self, row: Any) -> dict[str, Any]:
        """The scalar field values of one row, by GraphQL (Python) field name."""
        return {name: getattr(row, column.key) for name, column in self.columns.items()}


def _newest_first(model: Any) -> Any:
    return lambda _pairs: (model.published_at.desc().nulls_last(), model.id.desc())


def _articles_of_paragraph_links(link_model: Any, key_column: str) -> Any:
    """(entity or statement key, article id) for every paragraph that links them."""
    key = getattr(link_model, key_column)
    return select(key.label("parent_key"), m.Paragraph.article_id.label("target_id")).join(
        m.Paragraph, m.Paragraph.id == link_model.paragraph_id
    )


# Statements a paragraph carries, quoted or paraphrased, with where they first appear.
_statement_paragraphs = union_all(
    select(m.Quote.statement_id.label("statement_id"), m.Quote.paragraph_id.label("paragraph_id")),
    select(m.StatementReport.statement_id, m.StatementReport.paragraph_id),
).subquery("statement_paragraphs")

_statements_in_article = (
    select(
        m.Paragraph.article_id.label("parent_key"),
        _statement_paragraphs.c.statement_id.label("target_id"),
        func.min(m.Paragraph.position).label("first_position"),
    )
    .join(m.Paragraph, m.Paragraph.id == _statement_paragraphs.c.paragraph_id)
    .group_by(m.Paragraph.article_id, _statement_paragraphs.c.statement_id)
)

_articles_of_statement = select(
    _statement_paragraphs.c.statement_id.label("parent_key"),
    m.Paragraph.article_id.label("target_id"),
).join(m.Paragraph, m.Paragraph.id == _statement_paragraphs.c.paragraph_id)

_votes_in_article = (
    select(
        m.Paragraph.article_id.label("parent_key"),
        m.VoteReport.vote_id.label("target_id"),
        func.min(m.Paragraph.position).label("first_position"),
    )
    .join(m.Paragraph, m.Paragraph.id == m.VoteReport.paragraph_id)
    .group_by(m.Paragraph.article_id, m.VoteReport.vote_id)
)


def _paragraphs_reporting(report_model: Any, key_column: str) -> ToMany:
    return ToMany(
        target=m.Paragraph,
        pairs=select(
            getattr(report_model, key_column).label("parent_key"),
            report_model.paragraph_id.label("target_id"),
        ),
        order_by=lambda _pairs: (m.Paragraph.article_id, m.Paragraph.position),
    )


ARTICLE = TypeMapping(
    "Article",
    m.Article,
    columns={
        "slug": m.Article.slug,
        "headline": m.Article.headline,
        "standfirst": m.Article.standfirst,
        "dateline": m.Article.dateline,
        "published_at": m.Article.published_at,
        "url": m.Article.url,
        "language": m.Article.language,
        "status": m.Article.status,
        "embargoed_until": m.Article.embargoed_until,
    },
    relations={
        "publisher": ToOne(m.Organization, "publisher_id", shown_with_parent=True),
        "paragraphs": ToMany(
            m.Paragraph,
            pairs_by_column(m.Paragraph, m.Paragraph.article_id),
            order_by=lambda _pairs: (m.Paragraph.position,),
        ),
        "credits": ToMany(
            m.ArticleCredit,
            pairs_by_column(m.ArticleCredit, m.ArticleCredit.article_id),
            order_by=lambda _pairs: (m.ArticleCredit.position, m.ArticleCredit.id),
        ),
        "related_links": ToMany(
            m.ArticleLink,
            pairs_by_column(m.ArticleLink, m.ArticleLink.from_article_id),
            order_by=lambda _pairs: (m.ArticleLink.position, m.ArticleLink.id),
        ),
        "related_articles": ToMany(
            m.Article,
            select(
                m.ArticleLink.from_article_id.label("parent_key"),
                m.ArticleLink.to_article_id.label("target_id"),
                m.ArticleLink.position.label("link_position"),
            ),
            order_by=lambda pairs: (pairs.c.link_position, m.Article.id),
        ),
        "linked_from": ToMany(
            m.Article,
            select(
                m.ArticleLink.to_article_id.label("parent_key"),
                m.ArticleLink.from_article_id.label("target_id"),
            ),
            order_by=_newest_first(m.Article),
        ),
        "quotes": ToMany(
            m.Quote,
            select(
                m.Paragraph.article_id.label("parent_key"),
                m.Quote.id.label("target_id"),
                m.Paragraph.position.label("paragraph_position"),
            ).join(m.Paragraph, m.Paragraph.id == m.Quote.paragraph_id),
            order_by=lambda pairs: (pairs.c.paragraph_position, m.Quote.start_offset),
        ),
        "statements": ToMany(
            m.Statement,
            _statements_in_article,
            order_by=lambda pairs: (pairs.c.first_position, m.Statement.id),
        ),
        "votes": ToMany(
            m.Vote,
            _votes_in_article,
            order_by=lambda pairs: (pairs.c.first_position, m.Vote.id),
        ),
        "mentions": ToMany(
            m.Mention,
            select(
                m.Paragraph.article_id.label("parent_key"),
                m.Mention.id.label("target_id"),
                m.Paragraph.position.label("paragraph_position"),
            ).join(m.Paragraph, m.Paragraph.id == m.Mention.paragraph_id),
            order_by=lambda pairs: (pairs.c.paragraph_position, m.Mention.start_offset),
        ),
    },
)

PARAGRAPH = TypeMapping(
    "Paragraph",
    m.Paragraph,
    columns={"position": m.Paragraph.position, "kind": m.Paragraph.kind, "text": m.Paragraph.text},
    relations={
        "article": ToOne(m.Article, "article_id", shown_with_parent=True),
        "quotes": ToMany(
            m.Quote,
            pairs_by_column(m.Quote, m.Quote.paragraph_id),
            order_by=lambda _pairs: (m.Quote.start_offset,),
        ),
        "mentions": ToMany(
            m.Mention,
            pairs_by_column(m.Mention, m.Mention.paragraph_id),
            order_by=lambda _pairs: (m.Mention.start_offset, m.Mention.id),
        ),
        "reported_statements": ToMany(
            m.Statement,
            select(
                m.StatementReport.paragraph_id.label("parent_key"),
                m.StatementReport.statement_id.label("target_id"),
            ),
            order_by=lambda _pairs: (m.Statement.id,),
        ),
    },
)

QUOTE = TypeMapping(
    "Quote",
    m.Quote,
    columns={
        "text": m.Quote.text,
        "start": m.Quote.start_offset,
        "end": m.Quote.end_offset,
        "confidence": m.Quote.confidence,
        "needs_review": m.Quote.needs_review,
    },
    relations={
        "statement": ToOne(m.Statement, "statement_id", shown_with_parent=True),
        "paragraph": ToOne(m.Paragraph, "paragraph_id", shown_with_parent=True),
    },
)

STATEMENT = TypeMapping(
    "Statement",
    m.Statement,
    columns={
        "issued_on": m.Statement.issued_on,
        "issued_on_text": m.Statement.issued_on_text,
        "medium": m.Statement.medium,
        "summary": m.Statement.summary,
        "confidence": m.Statement.confidence,
        "verified": m.Statement.verified,
    },
    relations={
        "speaker_person": ToOne(m.Person, "speaker_person_id", shown_with_parent=True),
        "speaker_organization": ToOne(
            m.Organization, "speaker_organization_id", shown_with_parent=True
        ),
        "quotes": ToMany(
            m.Quote,
            select(
                m.Quote.statement_id.label("parent_key"),
                m.Quote.id.label("target_id"),
                m.Article.published_at.label("published_at"),
                m.Article.id.label("article_id"),
                m.Paragraph.position.label("paragraph_position"),
            )
            .join(m.Paragraph, m.Paragraph.id == m.Quote.paragraph_id)
            .join(m.Article, m.Article.id == m.Paragraph.article_id),
            order_by=lambda pairs: (
                pairs.c.published_at.nulls_last(),
                pairs.c.article_id,
                pairs.c.paragraph_position,
                m.Quote.start_offset,
            ),
        ),
        "articles": ToMany(
            m.Article,
            _articles_of_statement,
            order_by=lambda _pairs: (m.Article.published_at.nulls_last(), m.Article.id),
            distinct=True,
        ),
        "reported_in": _paragraphs_reporting(m.StatementReport, "statement_id"),
    },
    unions={
        "speaker": (("Person", "speaker_person"), ("Organization", "speaker_organization")),
    },
)

ORGANIZATION = TypeMapping(
    "Organization",
    m.Organization,
    columns={
        "slug": m.Organization.slug,
        "name": m.Organization.name,
        "kind": m.Organization.kind,
        "description": m.Organization.description,
    },
    relations={
        "parent": ToOne(m.Organization, "parent_id"),
        "aliases": ToMany(
            m.OrganizationAlias,
            pairs_by_column(m.OrganizationAlias, m.OrganizationAlias.organization_id),
            order_by=lambda _pairs: (m.OrganizationAlias.position, m.OrganizationAlias.id),
        ),
        "children": ToMany(
            m.Organization,
            select(
                m.Organization.parent_id.label("parent_key"),
                m.Organization.id.label("target_id"),
            ),
            order_by=lambda _pairs: (m.Organization.normalized_name, m.Organization.id),
        ),
        "statements": ToMany(
            m.Statement,
            pairs_by_column(m.Statement, m.Statement.speaker_organization_id),
            order_by=lambda _pairs: (
                m.Statement.issued_on.desc().nulls_last(),
                m.Statement.id.desc(),
            ),
        ),
        "memberships": ToMany(
            m.Membership,
            pairs_by_column(m.Membership, m.Membership.organization_id),
            order_by=lambda _pairs: (m.Membership.start_on.nulls_last(), m.Membership.id),
        ),
        "published_articles": ToMany(
            m.Article,
            pairs_by_column(m.Article, m.Article.publisher_id),
            order_by=_newest_first(m.Article),
        ),
        "mentioned_in": ToMany(
            m.Article,
            _articles_of_paragraph_links(m.Mention, "organization_id"),
            order_by=_newest_first(m.Article),
            distinct=True,
        ),
        "votes": ToMany(
            m.Vote,
            pairs_by_column(m.Vote, m.Vote.body_id),
            order_by=lambda _pairs: (m.Vote.held_on.desc().nulls_last(), m.Vote.id.desc()),
        ),
    },
    value_lists={"aliases": ("aliases", "alias")},
)

PERSON = TypeMapping(
    "Person",
    m.Person,
    columns={"slug": m.Person.slug, "name": m.Person.name, "description": m.Person.description},
    relations={
        "aliases": ToMany(
            m.PersonAlias,
            pairs_by_column(m.PersonAlias, m.PersonAlias.person_id),
            order_by=lambda _pairs: (m.PersonAlias.position, m.PersonAlias.id),
        ),
        "memberships": ToMany(
            m.Membership,
            pairs_by_column(m.Membership, m.Membership.person_id),
            order_by=lambda _pairs: (m.Membership.start_on.nulls_last(), m.Membership.id),
        ),
        "statements": ToMany(
            m.Statement,
            pairs_by_column(m.Statement, m.Statement.speaker_person_id),
            order_by=lambda _pairs: (
                m.Statement.issued_on.desc().nulls_last(),
                m.Statement.id.desc(),
            ),
        ),
        "credited_articles": ToMany(
            m.Article,
            select(
                m.ArticleCredit.person_id.label("parent_key"),
                m.ArticleCredit.article_id.label("target_id"),
            ),
            order_by=_newest_first(m.Article),
            distinct=True,
        ),
        "mentioned_in": ToMany(
            m.Article,
            _articles_of_paragraph_links(m.Mention, "person_id"),
            order_by=_newest_first(m.Article),
            distinct=True,
        ),
    },
    value_lists={"aliases": ("aliases", "alias")},
)

MEMBERSHIP = TypeMapping(
    "Membership",
    m.Membership,
    columns={
        "role": m.Membership.role,
        "start_on": m.Membership.start_on,
        "end_on": m.Membership.end_on,
        "confidence": m.Membership.confidence,
    },
    relations={
        "person": ToOne(m.Person, "person_id", shown_with_parent=True),
        "organization": ToOne(m.Organization, "organization_id", shown_with_parent=True),
        "sources": ToMany(
            m.Article,
            select(
                m.MembershipSource.membership_id.label("parent_key"),
                m.MembershipSource.article_id.label("target_id"),
            ),
            order_by=lambda _pairs: (m.Article.published_at.nulls_last(), m.Article.id),
        ),
    },
    # The first article stating it that the caller may see: another may be withdrawn.
    firsts={"source": "sources"},
)

CREDIT = TypeMapping(
    "Credit",
    m.ArticleCredit,
    columns={"role": m.ArticleCredit.role},
    relations={"person": ToOne(m.Person, "person_id", shown_with_parent=True)},
)

RELATED_LINK = TypeMapping(
    "RelatedLink",
    m.ArticleLink,
    columns={"anchor_text": m.ArticleLink.anchor_text},
    relations={
        "article": ToOne(m.Article, "to_article_id", shown_with_parent=True),
        "paragraph": ToOne(m.Paragraph, "paragraph_id"),  # the link shows without its text
    },
)

MENTION = TypeMapping(
    "Mention",
    m.Mention,
    columns={
        "text": m.Mention.text,
        "start": m.Mention.start_offset,
        "end": m.Mention.end_offset,
        "confidence": m.Mention.confidence,
    },
    relations={
        "paragraph": ToOne(m.Paragraph, "paragraph_id", shown_with_parent=True),
        "person": ToOne(m.Person, "person_id", shown_with_parent=True),
        "organization": ToOne(m.Organization, "organization_id", shown_with_parent=True),
    },
    unions={"entity": (("Person", "person"), ("Organization", "organization"))},
)

VOTE = TypeMapping(
    "Vote",
    m.Vote,
    columns={
        "motion": m.Vote.motion,
        "held_on": m.Vote.held_on,
        "held_on_text": m.Vote.held_on_text,
        "status": m.Vote.status,
        "outcome": m.Vote.outcome,
        "confidence": m.Vote.confidence,
    },
    relations={
        "body": ToOne(m.Organization, "body_id", shown_with_parent=True),
        "follow_up": ToOne(m.Vote, "follow_up_id"),
        "follow_up_of": ToMany(
            m.Vote,
            select(m.Vote.follow_up_id.label("parent_key"), m.Vote.id.label("target_id")),
            order_by=lambda _pairs: (m.Vote.held_on.nulls_last(), m.Vote.id),
        ),
        "positions": ToMany(
            m.VotePosition,
            pairs_by_column(m.VotePosition, m.VotePosition.vote_id),
            order_by=lambda _pairs: (m.VotePosition.position, m.VotePosition.id),
        ),
        "reported_in": _paragraphs_reporting(m.VoteReport, "vote_id"),
    },
)

VOTE_POSITION = TypeMapping(
    "VotePosition",
    m.VotePosition,
    columns={
        "option": m.VotePosition.option,
        "group_name": m.VotePosition.group_name,
        "voter_count": m.VotePosition.voter_count,
    },
    relations={
        "organization": ToOne(m.Organization, "organization_id", shown_with_parent=True),
        "person": ToOne(m.Person, "person_id", shown_with_parent=True),
    },
)

REVISION = TypeMapping(
    "Revision",
    m.Revision,
    columns={
        "entity_type": m.Revision.entity_type,
        "action": m.Revision.action,
        "created_at": m.Revision.created_at,
        "key_id": m.Revision.key_id,
        "changes": m.Revision.changes,
    },
    relations={"key": ToOne(m.ApiKey, "key_id")},
)

WEBHOOK = TypeMapping(
    "Webhook",
    m.Webhook,
    columns={
        "url": m.Webhook.url,
        "description": m.Webhook.description,
        "active": m.Webhook.active,
        "paused": m.Webhook.paused,
        "key_id": m.Webhook.key_id,
        "created_at": m.Webhook.created_at,
        "previous_secret_expires_at": m.Webhook.previous_secret_expires_at,
    },
    relations={
        "events": ToMany(
            m.WebhookEventSubscription,
            pairs_by_column(m.WebhookEventSubscription, m.WebhookEventSubscription.webhook_id),
            order_by=lambda _pairs: (m.WebhookEventSubscription.id,),
        ),
        "deliveries": ToMany(
            m.WebhookDelivery,
            pairs_by_column(m.WebhookDelivery, m.WebhookDelivery.webhook_id),
            order_by=lambda _pairs: (m.WebhookDelivery.id.desc(),),
        ),
    },
    value_lists={"events": ("events", "event")},
)

WEBHOOK_DELIVERY = TypeMapping(
    "WebhookDelivery",
    m.WebhookDelivery,
    columns={
        "delivery_id": m.WebhookDelivery.id,
        "event": m.WebhookDelivery.event,
        "status": m.WebhookDelivery.status,
        "attempts": m.WebhookDelivery.attempts,
        "payload": m.WebhookDelivery.payload,
        "created_at": m.WebhookDelivery.created_at,
        "last_attempt_at": m.WebhookDelivery.last_attempt_at,
        "last_status_code": m.WebhookDelivery.last_status_code,
        "last_error": m.WebhookDelivery.last_error,
        "next_attempt_at": m.WebhookDelivery.next_attempt_at,
        "delivered_at": m.WebhookDelivery.delivered_at,
    },
    relations={"webhook": ToOne(m.Webhook, "webhook_id", shown_with_parent=True)},
)

ALL: tuple[TypeMapping, ...] = (
    ARTICLE,
    PARAGRAPH,
    QUOTE,
    STATEMENT,
    ORGANIZATION,
    PERSON,
    MEMBERSHIP,
    CREDIT,
    RELATED_LINK,
    MENTION,
    VOTE,
    VOTE_POSITION,
    REVISION,
    WEBHOOK,
    WEBHOOK_DELIVERY,
)
