"""Who may see which rows: one predicate per model, applied by the Reader to every read."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select

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
    key_id: int | None = None

    @property
    def sees_unpublished(self) -> bool:
        return self.role is Role.EDITOR


def published_articles(viewer: Viewer) -> ColumnElement[bool]:
    """Published articles, and embargoed ones whose embargo has lifted."""
    return or_(
        m.Article.status == m.PublicationStatus.PUBLISHED,
        and_(
            m.Article.status == m.PublicationStatus.EMBARGOED,
            m.Article.embargoed_until <= viewer.now,
        ),
    )


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool] | None:
    """The condition a row of `model` must meet for `viewer`; None when every row may be seen."""
    if viewer.sees_unpublished:
        return None
    if model is m.Article:
        return published_articles(viewer)
    visible_articles = select(m.Article.id).where(published_articles(viewer))
    if model is m.Paragraph:
        return m.Paragraph.article_id.in_(visible_articles)
    if model in (m.Quote, m.Mention, m.StatementReport, m.VoteReport):
        visible_paragraphs = select(m.Paragraph.id).where(
            m.Paragraph.article_id.in_(visible_articles)
        )
        return model.paragraph_id.in_(visible_paragraphs)  # type: ignore[no-any-return]
    if model is m.ArticleLink:
        return and_(
            m.ArticleLink.from_article_id.in_(visible_articles),
            m.ArticleLink.to_article_id.in_(visible_articles),
        )
    return None
