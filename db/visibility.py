"""Who may see which rows: one predicate per model, applied by the Reader to every read.

For the public and partners, an article is visible once published (or once its embargo
lifts) and until it is withdrawn. Everything else is visible only through visible
articles: paragraphs and what is anchored in them (quotes, mentions, reports), the
statements and votes those report, the memberships they state, and the persons and
organizations they name. A fact that only a draft carries is therefore as hidden as the
draft. Partners see an article's text (paragraphs and what is anchored in them) only when
its rights let partners republish it. Editors see every row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, inspect, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter

from db import models as m
from db.base import UTCDateTime
from db.relations import AnySelect


class Role(enum.Enum):
    PUBLIC = "public"
    PARTNER = "partner"
    EDITOR = "editor"


@dataclass(frozen=True)
class Viewer:
    """The caller of one request, the key it used (if any), and the moment it is answered."""

    role: Role
    now: datetime
    key_id: int | None = None

    @property
    def sees_unpublished(self) -> bool:
        return self.role is Role.EDITOR


# Named, so that a statement built once can run again at a later moment (and, for the
# caller's own rows, for another caller of the same role).
NOW_PARAMETER = "visibility_now"
KEY_PARAMETER = "visibility_key_id"


def published_articles(viewer: Viewer) -> ColumnElement[bool]:
    """Published articles, and embargoed ones whose embargo has lifted."""
    now = bindparam(NOW_PARAMETER, viewer.now, type_=UTCDateTime(), unique=False)
    return or_(
        m.Article.status == m.PublicationStatus.PUBLISHED,
        and_(
            m.Article.status == m.PublicationStatus.EMBARGOED,
            m.Article.embargoed_until <= now,
        ),
    )


# Rows anchored in a paragraph: visible exactly when its article's text is readable.
ANCHORED_IN_PARAGRAPHS = (m.Quote, m.Mention, m.StatementReport, m.VoteReport)


def text_readable(viewer: Viewer, article: Any) -> ColumnElement[bool] | None:
    """The rule of paragraphs and what they anchor, on an alias of the article a query
    has already joined them to; None when the viewer reads every text."""
    if viewer.sees_unpublished:
        return None
    return _adapt(_text_readable(viewer), article)


def _text_readable(viewer: Viewer) -> ColumnElement[bool]:
    """Articles whose text (paragraphs and everything anchored in them) the viewer may read."""
    if viewer.role is Role.PARTNER:
        return and_(published_articles(viewer), m.Article.partners_may_republish.is_(True))
    return published_articles(viewer)


# Every rule below is one correlated EXISTS over a chain of joins, probing by key (index
# lookups per row), with its tables aliased so they never correlate to an outer query's
# tables by accident. One level each: nested EXISTS would overflow SQLite's parser once
# the compiled read path nests them inside a deep query.


def _adapt(condition: ColumnElement[bool], alias: Any) -> ColumnElement[bool]:
    """`condition`, written against a model's table, rewritten against an alias of it."""
    return ClauseAdapter(inspect(alias).selectable).traverse(condition)


def _article_published(article_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    article = aliased(m.Article)
    return exists().where(article.id == article_id, _adapt(published_articles(viewer), article))


def _article_text_readable(article_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    article = aliased(m.Article)
    return exists().where(article.id == article_id, _adapt(_text_readable(viewer), article))


def _paragraph_readable(paragraph_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    paragraph, article = aliased(m.Paragraph), aliased(m.Article)
    return exists().where(
        paragraph.id == paragraph_id,
        article.id == paragraph.article_id,
        _adapt(_text_readable(viewer), article),
    )


def _stored(model: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Rows only articles show: their stored moment for this audience has come
    (kept by db/visible_from.py with the rules its docstring gives)."""
    column = "partner_visible_from" if viewer.role is Role.PARTNER else "public_visible_from"
    now = bindparam(NOW_PARAMETER, viewer.now, type_=UTCDateTime(), unique=False)
    moment: ColumnElement[datetime | None] = getattr(model, column)
    return moment <= now


def _membership_visible(membership: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Memberships an editor entered, and those the text of any readable article states."""
    support, article = aliased(m.MembershipSource), aliased(m.Article)
    return or_(
        membership.entered_by_editor.is_(True),
        exists().where(
            support.membership_id == membership.id,
            article.id == support.article_id,
            _adapt(_text_readable(viewer), article),
        ),
    )


def _owned_by_caller(key_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Rows of the caller's own API key: a partner's webhooks and their deliveries."""
    if viewer.key_id is None:
        return false()
    return key_id == bindparam(KEY_PARAMETER, viewer.key_id, unique=False)  # type: ignore[no-any-return]


def _webhook_owned(webhook_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    webhook = aliased(m.Webhook)
    return exists().where(webhook.id == webhook_id, _owned_by_caller(webhook.key_id, viewer))


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen."""
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    if model is m.Paragraph:
        return _article_text_readable(m.Paragraph.article_id, viewer)
    if model in ANCHORED_IN_PARAGRAPHS:
        return _paragraph_readable(model.paragraph_id, viewer)
    if model is m.ArticleLink:
        return and_(
            _article_published(m.ArticleLink.from_article_id, viewer),
            _article_published(m.ArticleLink.to_article_id, viewer),
        )
    if model is m.ArticleCredit:
        return _article_published(m.ArticleCredit.article_id, viewer)
    if model in (m.Statement, m.Vote, m.Person, m.Organization):
        return _stored(model, viewer)
    if model is m.VotePosition:
        vote = aliased(m.Vote)
        return exists().where(vote.id == m.VotePosition.vote_id, _stored(vote, viewer))
    if model is m.Membership:
        return _membership_visible(m.Membership, viewer)
    if model is m.Revision:
        return false()  # the revision history is for editors only
    if model is m.Webhook:
        return _owned_by_caller(m.Webhook.key_id, viewer)
    if model is m.WebhookDelivery:
        return _webhook_owned(m.WebhookDelivery.webhook_id, viewer)
    if model in (
        m.PersonAlias,
        m.OrganizationAlias,
        m.WebhookEventSubscription,
        m.ApiKey,
        m.ArticleChange,
    ):
        # Reached only through a visible owner, never over the API, or filtered by the
        # change feed's own publication times.
        return None
    raise AssertionError(f"no visibility rule for {model!r}: add one before reading it")


def narrow(statement: AnySelect, viewer: Viewer) -> AnySelect:
    """`statement`, limited to the rows of its first entity that `viewer` may see."""
    entity = statement.column_descriptions[0].get("entity")
    condition = visible(entity, viewer) if entity is not None else None
    return statement if condition is None else statement.where(condition)
