"""Who may see which rows: one predicate per model, applied by the Reader to every read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import aliased

from db import models as m


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


def published_articles(viewer: Viewer, article: Any = m.Article) -> ColumnElement[bool]:
    """Published articles, and embargoed ones whose embargo has lifted."""
    return or_(
        article.status == m.PublicationStatus.PUBLISHED,
        and_(
            article.status == m.PublicationStatus.EMBARGOED,
            article.embargoed_until <= viewer.now,
        ),
    )


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen.

    Conditions on other tables are correlated EXISTS lookups, one index probe per row: an
    uncorrelated `IN (SELECT …)` makes SQLite build the list of every visible paragraph
    first, on each statement.
    """
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    if model is m.Paragraph:
        return _in_visible_article(viewer, model, m.Paragraph.article_id)
    if model in (m.Quote, m.Mention, m.StatementReport, m.VoteReport):
        paragraph = aliased(m.Paragraph)
        article = aliased(m.Article)
        return (
            exists()
            .where(
                paragraph.id == model.paragraph_id,
                article.id == paragraph.article_id,
                published_articles(viewer, article),
            )
            .correlate(model)
        )
    if model is m.ArticleLink:
        return and_(
            _in_visible_article(viewer, model, m.ArticleLink.from_article_id),
            _in_visible_article(viewer, model, m.ArticleLink.to_article_id),
        )
    return None


def _in_visible_article(viewer: Viewer, model: Any, article_id: Any) -> ColumnElement[bool]:
    article = aliased(m.Article)
    return (
        exists()
        .where(article.id == article_id, published_articles(viewer, article))
        .correlate(model)
    )
