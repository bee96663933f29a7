"""API keys: who may call as a partner or an editor; only a hash of each secret is kept."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, enum_type, utcnow


class KeyRole(enum.Enum):
    PARTNER = "partner"
    EDITOR = "editor"


class ApiKey(HasId, Base):
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(Text)
    role: Mapped[KeyRole] = mapped_column(enum_type(KeyRole, "key_role"))
    secret_hash: Mapped[str] = mapped_column(
        String(64), unique=True, doc="SHA-256 hex of the secret; the secret itself is never kept."
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
