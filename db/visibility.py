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


# Named, so that a statement built once can run again at a later moment.
NOW_PARAMETER = "visibility_now"


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


def _in_readable_text(
    model: Any, column: str, key: Any, viewer: Viewer, *joins: tuple[Any, str, str]
) -> ColumnElement[bool]:
    """Some row of `model` with `column == key`, anchored in a paragraph the viewer may read.

    `joins` lead from `model` to the anchoring table: (model, its column, the previous
    table's column it equals), e.g. from statements to their quotes.
    """
    row = aliased(model)
    conditions = [getattr(row, column) == key]
    anchor = row
    for joined_model, joined_column, previous_column in joins:
        joined = aliased(joined_model)
        conditions.append(getattr(joined, joined_column) == getattr(anchor, previous_column))
        anchor = joined
    paragraph, article = aliased(m.Paragraph), aliased(m.Article)
    return exists().where(
        *conditions,
        paragraph.id == anchor.paragraph_id,
        article.id == paragraph.article_id,
        _adapt(_text_readable(viewer), article),
    )


def _paragraph_readable(paragraph_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    paragraph, article = aliased(m.Paragraph), aliased(m.Article)
    return exists().where(
        paragraph.id == paragraph_id,
        article.id == paragraph.article_id,
        _adapt(_text_readable(viewer), article),
    )


def _statement_visible(statement_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    """A statement shows through a readable paragraph that quotes or reports it."""
    return or_(
        _in_readable_text(m.Quote, "statement_id", statement_id, viewer),
        _in_readable_text(m.StatementReport, "statement_id", statement_id, viewer),
    )


def _vote_visible(vote_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    return _in_readable_text(m.VoteReport, "vote_id", vote_id, viewer)


def _membership_visible(membership: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Memberships an editor entered, and those the text of a readable article states."""
    return or_(
        membership.source_article_id.is_(None),
        _article_text_readable(membership.source_article_id, viewer),
    )


def _named_by_visible_content(model: Any, viewer: Viewer) -> ColumnElement[bool]:
    """Persons and organizations show once visible content names them."""
    is_person = model is m.Person
    own = "person_id" if is_person else "organization_id"
    speaker = "speaker_person_id" if is_person else "speaker_organization_id"
    membership, article = aliased(m.Membership), aliased(m.Article)
    rules = [
        _in_readable_text(m.Mention, own, model.id, viewer),
        _in_readable_text(m.Statement, speaker, model.id, viewer, (m.Quote, "statement_id", "id")),
        _in_readable_text(
            m.Statement, speaker, model.id, viewer, (m.StatementReport, "statement_id", "id")
        ),
        _in_readable_text(
            m.VotePosition, own, model.id, viewer, (m.VoteReport, "vote_id", "vote_id")
        ),
        exists().where(
            getattr(membership, own) == model.id, membership.source_article_id.is_(None)
        ),
        exists().where(
            getattr(membership, own) == model.id,
            article.id == membership.source_article_id,
            _adapt(_text_readable(viewer), article),
        ),
    ]
    published = _adapt(published_articles(viewer), article)
    if is_person:
        credit = aliased(m.ArticleCredit)
        rules.append(
            exists().where(credit.person_id == model.id, article.id == credit.article_id, published)
        )
    else:
        rules += [
            exists().where(article.publisher_id == model.id, published),
            _in_readable_text(m.Vote, "body_id", model.id, viewer, (m.VoteReport, "vote_id", "id")),
        ]
    return or_(*rules)


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen."""
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    if model is m.Paragraph:
        return _article_text_readable(m.Paragraph.article_id, viewer)
    if model in (m.Quote, m.Mention, m.StatementReport, m.VoteReport):
        return _paragraph_readable(model.paragraph_id, viewer)
    if model is m.ArticleLink:
        return and_(
            _article_published(m.ArticleLink.from_article_id, viewer),
            _article_published(m.ArticleLink.to_article_id, viewer),
        )
    if model is m.ArticleCredit:
        return _article_published(m.ArticleCredit.article_id, viewer)
    if model is m.Statement:
        return _statement_visible(m.Statement.id, viewer)
    if model is m.Vote:
        return _vote_visible(m.Vote.id, viewer)
    if model is m.VotePosition:
        return _vote_visible(m.VotePosition.vote_id, viewer)
    if model is m.Membership:
        return _membership_visible(m.Membership, viewer)
    if model is m.Person:
        return _named_by_visible_content(m.Person, viewer)
    if model is m.Organization:
        return _named_by_visible_content(m.Organization, viewer)
    if model is m.Revision:
        return false()  # the revision history is for editors only
    if model in (
        m.PersonAlias,
        m.OrganizationAlias,
        m.ApiKey,
        m.ArticleChange,
        m.Webhook,
        m.WebhookDelivery,
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
