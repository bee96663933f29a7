"""The change log partners mirror from: each publication, correction and withdrawal."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, enum_type


class ChangeKind(enum.Enum):
    PUBLISHED = "published"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    DELETED = "deleted"


class ArticleChange(HasId, Base):
    """One change to one article, in the order partners must apply them."""

    __tablename__ = "article_changes"
    __table_args__ = (
        Index("ix_article_changes_visible_from_id", "visible_from", "id"),
        # The scheduler looks for entries not yet announced whose time has come.
        Index("ix_article_changes_announced_at_visible_from", "announced_at", "visible_from"),
    )

    # SET NULL: the entry outlives a deleted article, so mirrors learn of the deletion.
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    article_slug: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ChangeKind] = mapped_column(enum_type(ChangeKind, "change_kind"))
    recorded_at: Mapped[datetime]
    visible_from: Mapped[datetime] = mapped_column(
        doc="When the change may be shown: recorded_at, or an embargo's end if that is later."
    )
    announced_at: Mapped[datetime | None] = mapped_column(
        doc="When live subscribers were told; NULL until then (an embargo still running)."
    )
