"""Every statement about webhooks: registering them, queueing deliveries, recording attempts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m


async def register(
    session: AsyncSession, url: str, secret: str, description: str | None = None
) -> m.Webhook:
    webhook = m.Webhook(url=url, secret=secret, description=description)
    session.add(webhook)
    await session.flush()
    return webhook


async def webhooks(session: AsyncSession) -> Sequence[m.Webhook]:
    return (await session.scalars(select(m.Webhook).order_by(m.Webhook.id))).all()


async def deactivate(session: AsyncSession, webhook_id: int) -> bool:
    """Stop delivering to the webhook (its log stays); False when no such webhook is active."""
    result = await session.execute(
        update(m.Webhook)
        .where(m.Webhook.id == webhook_id, m.Webhook.active.is_(True))
        .values(active=False)
    )
    # Pending deliveries of a removed webhook would otherwise be retried for days.
    await session.execute(
        update(m.WebhookDelivery)
        .where(
            m.WebhookDelivery.webhook_id == webhook_id,
            m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
        )
        .values(status=m.DeliveryStatus.FAILED, next_attempt_at=None, last_error="removed")
    )
    return bool(getattr(result, "rowcount", 0))


def change_payload(change: m.ArticleChange) -> tuple[str, str]:
    """The event name and the exact JSON body every webhook receives for `change`."""
    event = f"article.{change.kind.value}"
    body = {
        "event": event,
        "change_id": change.id,
        "article": {
            "slug": change.article_slug,
            "path": f"/articles/{change.article_slug}.ninjs.json",
        },
        "recorded_at": change.recorded_at.isoformat(),
        "visible_from": change.visible_from.isoformat(),
    }
    return event, json.dumps(body, separators=(",", ":"), sort_keys=True)


async def enqueue_change(session: AsyncSession, change: m.ArticleChange) -> None:
    """A pending delivery of `change` to every active webhook, due when the change is visible."""
    event, payload = change_payload(change)
    active = select(
        m.Webhook.id,
        literal(change.id),
        literal(event),
        literal(payload),
        literal(m.DeliveryStatus.PENDING.value),
        literal(0),
        literal(change.visible_from, m.WebhookDelivery.next_attempt_at.type),
    ).where(m.Webhook.active.is_(True))
    columns = ["webhook_id", "change_id", "event", "payload", "status", "attempts"]
    await session.execute(
        insert(m.WebhookDelivery).from_select([*columns, "next_attempt_at"], active)
    )


async def enqueue_changes(session: AsyncSession, changes: Sequence[m.ArticleChange]) -> None:
    """enqueue_change for many changes: active webhooks read once, all deliveries in one INSERT."""
    if not changes:
        return
    active = list(await session.scalars(select(m.Webhook.id).where(m.Webhook.active.is_(True))))
    if not active:
        return
    deliveries: list[dict[str, Any]] = []
    for change in changes:
        event, payload = change_payload(change)
        deliveries.extend(
            {
                "webhook_id": webhook_id,
                "change_id": change.id,
                "event": event,
                "payload": payload,
                "status": m.DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": change.visible_from,
            }
            for webhook_id in active
        )
    await session.execute(insert(m.WebhookDelivery), deliveries)


async def due(session: AsyncSession, now: datetime, limit: int) -> Sequence[m.WebhookDelivery]:
    """Pending deliveries whose next attempt is due, oldest first."""
    return (
        await session.scalars(
            select(m.WebhookDelivery)
            .where(
                m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
                m.WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(m.WebhookDelivery.next_attempt_at, m.WebhookDelivery.id)
            .limit(limit)
        )
    ).all()


async def secrets_and_urls(
    session: AsyncSession, webhook_ids: set[int]
) -> dict[int, tuple[str, str]]:
    rows = await session.execute(
        select(m.Webhook.id, m.Webhook.url, m.Webhook.secret).where(m.Webhook.id.in_(webhook_ids))
    )
    return {webhook_id: (url, secret) for webhook_id, url, secret in rows}


async def deliveries(
    session: AsyncSession, webhook_id: int | None, limit: int
) -> Sequence[m.WebhookDelivery]:
    """The delivery log, newest first."""
    statement = select(m.WebhookDelivery).order_by(m.WebhookDelivery.id.desc()).limit(limit)
    if webhook_id is not None:
        statement = statement.where(m.WebhookDelivery.webhook_id == webhook_id)
    return (await session.scalars(statement)).all()


async def record_attempt(
    session: AsyncSession,
    delivery_id: int,
    attempts_before: int,
    *,
    at: datetime,
    status_code: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
) -> bool:
    """Log one attempt: delivered without an error, else retried at `next_attempt_at` or failed.

    Guarded by the attempt count read before sending: when another worker recorded this
    attempt first, nothing changes and the answer is False.
    """
    if error is None:
        status, next_at = m.DeliveryStatus.DELIVERED, None
    elif next_attempt_at is None:
        status, next_at = m.DeliveryStatus.FAILED, None
    else:
        status, next_at = m.DeliveryStatus.PENDING, next_attempt_at
    result = await session.execute(
        update(m.WebhookDelivery)
        .where(
            m.WebhookDelivery.id == delivery_id,
            m.WebhookDelivery.attempts == attempts_before,
            m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
        )
        .values(
            status=status,
            attempts=attempts_before + 1,
            last_attempt_at=at,
            last_status_code=status_code,
            last_error=error,
            next_attempt_at=next_at,
            delivered_at=at if error is None else None,
        )
    )
    return bool(getattr(result, "rowcount", 0))
