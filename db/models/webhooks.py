"""Webhooks partners register, and every attempt to deliver a change to one."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, HasTimestamps, enum_type


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Webhook(HasId, HasTimestamps, Base):
    """An address that receives every change-log entry, signed with its secret."""

    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(Text)
    # Kept as given, not hashed: signing each delivery needs the secret itself.
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class WebhookDelivery(HasId, HasTimestamps, Base):
    """One change for one webhook: its payload, and how its attempts went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_changes.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text, doc="The exact JSON body sent (and signed).")
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, "delivery_status"),
        default=DeliveryStatus.PENDING,
        server_default=DeliveryStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        doc="When to try next; NULL once delivered or given up."
    )
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
