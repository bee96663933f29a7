"""Who may see which rows: one predicate per model, applied by the Reader to every read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, inspect, or_
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
    """The caller of one request and the moment it is answered."""

    role: Role
    now: datetime

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


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen.

    Conditions on rows that hang off articles are correlated EXISTS probes by primary key
    (an index lookup per row), with the inner tables aliased so they never correlate to
    an outer query's own tables by accident.
    """
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    if model is m.Paragraph:
        return _article_published(m.Paragraph.article_id, viewer)
    if model in (m.Quote, m.Mention, m.StatementReport, m.VoteReport):
        return _paragraph_published(model.paragraph_id, viewer)
    if model is m.ArticleLink:
        return and_(
            _article_published(m.ArticleLink.from_article_id, viewer),
            _article_published(m.ArticleLink.to_article_id, viewer),
        )
    return None


def _article_published(article_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    article = aliased(m.Article)
    published = _adapt(published_articles(viewer), article)
    return exists().where(article.id == article_id, published)


def _paragraph_published(paragraph_id: Any, viewer: Viewer) -> ColumnElement[bool]:
    paragraph, article = aliased(m.Paragraph), aliased(m.Article)
    published = _adapt(published_articles(viewer), article)
    return exists().where(
        paragraph.id == paragraph_id, article.id == paragraph.article_id, published
    )


def _adapt(condition: ColumnElement[bool], alias: Any) -> ColumnElement[bool]:
    return ClauseAdapter(inspect(alias).selectable).traverse(condition)


def narrow(statement: AnySelect, viewer: Viewer) -> AnySelect:
    """`statement`, limited to the rows of its first entity that `viewer` may see."""
    entity = statement.column_descriptions[0].get("entity")
    condition = visible(entity, viewer) if entity is not None else None
    return statement if condition is None else statement.where(condition)
