"""The revision history: every editorial change, who made it (the key), when, and the diff."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, Identifier, enum_type, utcnow


class RevisionAction(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    CORRECT = "correct"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    DELETE = "delete"


class Revision(HasId, Base):
    """One change to one entity. Rows outlive the entity, so a deletion stays on record."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_entity", "entity_type", "entity_id", "id"),)

    entity_type: Mapped[str] = mapped_column(String(32), doc="The GraphQL type: Article, Quote…")
    entity_id: Mapped[int] = mapped_column(Identifier)
    action: Mapped[RevisionAction] = mapped_column(enum_type(RevisionAction, "revision_action"))
    key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True, doc="The editor's key."
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc='{"field": [before, after], …}; before is null on create, after on delete.'
    )
