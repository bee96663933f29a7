"""Webhooks partners register, the events each one wants, and every attempt to deliver one."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, HasId, HasTimestamps, enum_type


class DeliveryStatus(enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEvent(enum.Enum):
    """What a delivery announces: a change-log kind, as the `X-Newsgraph-Event` header names it."""

    ARTICLE_PUBLISHED = "article.published"
    ARTICLE_CORRECTED = "article.corrected"
    ARTICLE_WITHDRAWN = "article.withdrawn"
    ARTICLE_DELETED = "article.deleted"


class Webhook(HasId, HasTimestamps, Base):
    """An address that receives the change-log entries it subscribed to, signed with its secret."""

    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(Text)
    # Kept as given, not hashed: signing each delivery needs the secret itself.
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(
        default=True, server_default=true(), doc="False once removed: nothing more is sent."
    )
    paused: Mapped[bool] = mapped_column(
        default=False,
        server_default=false(),
        doc="Deliveries are queued but held until the webhook is resumed.",
    )
    # After a rotation with an overlap, deliveries are signed with the replaced secret too,
    # until the moment below, so that receivers can switch without refusing any.
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[datetime | None]
    # CASCADE: a webhook belongs to the key that registered it (NULL: an operator's, from the CLI).
    key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True, doc="The owner's API key."
    )


class WebhookEventSubscription(HasId, Base):
    """One event a webhook wants delivered."""

    __tablename__ = "webhook_event_subscriptions"
    __table_args__ = (UniqueConstraint("webhook_id", "event"),)

    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[WebhookEvent] = mapped_column(enum_type(WebhookEvent, "webhook_event"))


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
    event: Mapped[WebhookEvent] = mapped_column(enum_type(WebhookEvent, "webhook_event"))
    payload: Mapped[str] = mapped_column(Text, doc="The exact JSON body sent (and signed).")
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, "delivery_status"),
        default=DeliveryStatus.PENDING,
        server_default=DeliveryStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        doc="When to try next (or when a worker's claim on it runs out); NULL once delivered "
        "or given up."
    )
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
