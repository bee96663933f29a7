"""Every statement about webhooks: registering and managing them, queueing and claiming
deliveries, recording attempts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.refusals import EditRefused, Problem
from db.visibility import Viewer, narrow
from newsgraph.webhook_targets import Network, url_problem

ALL_EVENTS = tuple(m.WebhookEvent)
REMOVED = "removed"
KEY_REVOKED = "key revoked"


def _receiving() -> ColumnElement[bool]:
    """Webhooks that get deliveries queued: not removed, and not of a revoked key."""
    key = select(m.ApiKey.id).where(m.ApiKey.id == m.Webhook.key_id, m.ApiKey.revoked_at.is_(None))
    return m.Webhook.active.is_(True) & or_(m.Webhook.key_id.is_(None), exists(key))


def _deliverable() -> ColumnElement[bool]:
    """Webhooks whose queued deliveries are sent: receiving ones that are not paused."""
    return _receiving() & m.Webhook.paused.is_(False)


async def register(
    session: AsyncSession,
    url: str,
    secret: str,
    description: str | None = None,
    *,
    key_id: int | None = None,
    events: Iterable[m.WebhookEvent] = ALL_EVENTS,
) -> m.Webhook:
    """A webhook for `url`, owned by `key_id` (None: an operator's), receiving `events`."""
    webhook = m.Webhook(url=url, secret=secret, description=description, key_id=key_id)
    session.add(webhook)
    await session.flush()
    chosen = [event for event in ALL_EVENTS if event in set(events)]  # in a stable order
    session.add_all(m.WebhookEventSubscription(webhook_id=webhook.id, event=e) for e in chosen)
    await session.flush()
    return webhook


@dataclass(frozen=True)
class Registration:
    """What a partner asks for; checked by `register_for` before anything is written."""

    url: str
    events: Sequence[m.WebhookEvent] | None
    description: str | None


@dataclass(frozen=True)
class Limits:
    """The settings registration enforces."""

    allowed_networks: Sequence[Network]
    per_key: int


async def register_for(
    session: AsyncSession, viewer: Viewer, registration: Registration, secret: str, limits: Limits
) -> m.Webhook:
    """A webhook owned by the viewer's key; EditRefused for input the caller can fix."""
    url = registration.url.strip()
    problem = url_problem(url, limits.allowed_networks)
    if problem is not None:
        raise EditRefused("url", problem, Problem.INVALID)
    events = registration.events
    if events is not None and not events:
        raise EditRefused(
            "events", "Choose at least one event, or leave `events` out for all.", Problem.REQUIRED
        )
    owned = select(m.Webhook.url).where(
        m.Webhook.key_id == viewer.key_id, m.Webhook.active.is_(True)
    )
    active_urls = list(await session.scalars(owned))
    if url in active_urls:
        raise EditRefused(
            "url", "You already have a webhook for this URL: change or remove it.", Problem.CONFLICT
        )
    if len(active_urls) >= limits.per_key:
        raise EditRefused(
            None,
            f"A key may have at most {limits.per_key} webhooks: remove one first.",
            Problem.CONFLICT,
        )
    description = (registration.description or "").strip() or None
    return await register(
        session,
        url,
        secret,
        description,
        key_id=viewer.key_id,
        events=ALL_EVENTS if events is None else events,
    )


async def managed(session: AsyncSession, viewer: Viewer, webhook_id: int) -> m.Webhook:
    """The active webhook `webhook_id` if the viewer may manage it (its owner, or an editor)."""
    statement = select(m.Webhook).where(m.Webhook.id == webhook_id, m.Webhook.active.is_(True))
    webhook: m.Webhook | None = await session.scalar(narrow(statement, viewer))
    if webhook is None:
        # Another partner's webhook is as unknown as a webhook that does not exist.
        raise EditRefused("id", "You have no active webhook with this ID.", Problem.NOT_FOUND)
    return webhook


# How long a rotated-out secret may keep signing deliveries beside the new one.
MAX_SECRET_OVERLAP = timedelta(days=7)


def rotate_secret(webhook: m.Webhook, secret: str, now: datetime, overlap: timedelta) -> None:
    """Sign from now on, retries of earlier deliveries included, with `secret`; until
    `now + overlap` also with the secret it replaces (any older one is dropped)."""
    if not timedelta(0) <= overlap <= MAX_SECRET_OVERLAP:
        raise EditRefused(
            "overlapSeconds",
            f"Keep the old secret for 0 to {int(MAX_SECRET_OVERLAP.total_seconds())} seconds.",
            Problem.INVALID,
        )
    if overlap:
        webhook.previous_secret = webhook.secret
        webhook.previous_secret_expires_at = now + overlap
    else:
        webhook.previous_secret = None
        webhook.previous_secret_expires_at = None
    webhook.secret = secret


def set_paused(webhook: m.Webhook, paused: bool) -> None:
    """Hold deliveries (they keep queueing) or release them: what is overdue goes out first."""
    webhook.paused = paused


async def webhooks(session: AsyncSession) -> Sequence[m.Webhook]:
    return (await session.scalars(select(m.Webhook).order_by(m.Webhook.id))).all()


async def deactivate(session: AsyncSession, webhook_id: int, reason: str = REMOVED) -> bool:
    """Stop delivering to the webhook (its log stays); False when no such webhook is active."""
    result = await session.execute(
        update(m.Webhook)
        .where(m.Webhook.id == webhook_id, m.Webhook.active.is_(True))
        .values(active=False)
    )
    await _fail_pending(session, m.WebhookDelivery.webhook_id == webhook_id, reason)
    return bool(getattr(result, "rowcount", 0))


async def remove(session: AsyncSession, webhook: m.Webhook) -> None:
    """`deactivate` for a webhook already loaded (and checked) by `managed`."""
    webhook.active = False
    await _fail_pending(session, m.WebhookDelivery.webhook_id == webhook.id, REMOVED)


async def deactivate_for_key(session: AsyncSession, key_id: int) -> None:
    """Stop delivering to every webhook of a key that was revoked."""
    owned = select(m.Webhook.id).where(m.Webhook.key_id == key_id)
    await session.execute(
        update(m.Webhook)
        .where(m.Webhook.key_id == key_id, m.Webhook.active.is_(True))
        .values(active=False)
    )
    await _fail_pending(session, m.WebhookDelivery.webhook_id.in_(owned), KEY_REVOKED)


async def _fail_pending(session: AsyncSession, which: ColumnElement[bool], reason: str) -> None:
    # Pending deliveries of a webhook that is gone would otherwise be retried for days.
    await session.execute(
        update(m.WebhookDelivery)
        .where(which, m.WebhookDelivery.status == m.DeliveryStatus.PENDING)
        .values(status=m.DeliveryStatus.FAILED, next_attempt_at=None, last_error=reason)
    )


def change_payload(change: m.ArticleChange) -> tuple[m.WebhookEvent, str]:
    """The event and the exact JSON body every webhook receives for `change`."""
    event = m.WebhookEvent(f"article.{change.kind.value}")
    body = {
        "event": event.value,
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
    """A pending delivery of `change` to every webhook that wants its event, due when visible.

    Paused webhooks get theirs too (held until resumed); removed ones and those of revoked
    keys do not.
    """
    event, payload = change_payload(change)
    wants = select(m.WebhookEventSubscription.id).where(
        m.WebhookEventSubscription.webhook_id == m.Webhook.id,
        m.WebhookEventSubscription.event == event,
    )
    receiving = select(
        m.Webhook.id,
        literal(change.id),
        literal(event, m.WebhookDelivery.event.type),
        literal(payload),
        literal(m.DeliveryStatus.PENDING.value),
        literal(0),
        literal(change.visible_from, m.WebhookDelivery.next_attempt_at.type),
    ).where(_receiving(), exists(wants))
    columns = ["webhook_id", "change_id", "event", "payload", "status", "attempts"]
    await session.execute(
        insert(m.WebhookDelivery).from_select([*columns, "next_attempt_at"], receiving)
    )


async def enqueue_changes(session: AsyncSession, changes: Sequence[m.ArticleChange]) -> None:
    """enqueue_change for many changes: who wants which event read once, all deliveries in one
    INSERT."""
    if not changes:
        return
    wanted = await session.execute(
        select(m.WebhookEventSubscription.webhook_id, m.WebhookEventSubscription.event)
        .join(m.Webhook, m.Webhook.id == m.WebhookEventSubscription.webhook_id)
        .where(_receiving())
        .order_by(m.WebhookEventSubscription.webhook_id)
    )
    receivers: dict[m.WebhookEvent, list[int]] = defaultdict(list)
    for webhook_id, event in wanted:
        receivers[event].append(webhook_id)
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
            for webhook_id in receivers.get(event, ())
        )
    if deliveries:
        await session.execute(insert(m.WebhookDelivery), deliveries)


async def drop_pending_deliveries(session: AsyncSession, change_ids: Sequence[int]) -> None:
    """Forget the deliveries of change-log entries that were replaced before they were due."""
    await session.execute(
        delete(m.WebhookDelivery).where(
            m.WebhookDelivery.change_id.in_(change_ids),
            m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
            m.WebhookDelivery.attempts == 0,
        )
    )


@dataclass(frozen=True)
class Claimed:
    """A delivery one worker holds until `lease_until`: what to send, where, signed how."""

    delivery: Any
    url: str
    # The current secret first; the one a rotation replaced while their overlap lasts.
    secrets: tuple[str, ...]


async def claim_next(session: AsyncSession, now: datetime, lease_until: datetime) -> Claimed | None:
    """Take the oldest delivery due now, or None when nothing is due.

    Its next attempt moves to `lease_until`, so no other worker sends it meanwhile; a worker
    that dies holding it leaves it due again once the lease runs out. The UPDATE changes the
    row only while it is still due, so of two workers that found the same delivery one takes
    it and the other looks again. It runs only when the SELECT found something, so an idle
    pass writes nothing (a write would bump the data version, and every cached answer).
    """
    due = (
        select(m.WebhookDelivery.id)
        .join(m.Webhook, m.Webhook.id == m.WebhookDelivery.webhook_id)
        .where(
            m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
            m.WebhookDelivery.next_attempt_at <= now,
            _deliverable(),
        )
        .order_by(m.WebhookDelivery.next_attempt_at, m.WebhookDelivery.id)
        .limit(1)
    )
    while (delivery_id := await session.scalar(due)) is not None:
        claimed = (
            await session.execute(
                update(m.WebhookDelivery)
                .where(
                    m.WebhookDelivery.id == delivery_id,
                    m.WebhookDelivery.status == m.DeliveryStatus.PENDING,
                    m.WebhookDelivery.next_attempt_at <= now,
                )
                .values(next_attempt_at=lease_until)
                .returning(
                    m.WebhookDelivery.id,
                    m.WebhookDelivery.webhook_id,
                    m.WebhookDelivery.event,
                    m.WebhookDelivery.payload,
                    m.WebhookDelivery.attempts,
                )
                .execution_options(synchronize_session=False)
            )
        ).first()
        if claimed is not None:
            url, secret, previous, expires_at = (
                await session.execute(
                    select(
                        m.Webhook.url,
                        m.Webhook.secret,
                        m.Webhook.previous_secret,
                        m.Webhook.previous_secret_expires_at,
                    ).where(m.Webhook.id == claimed.webhook_id)
                )
            ).one()
            if previous is not None and expires_at is not None and now < expires_at:
                return Claimed(claimed, url, (secret, previous))
            return Claimed(claimed, url, (secret,))
    return None


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


def owned_webhooks(include_removed: bool) -> Any:
    """Webhooks, oldest first: the Reader narrows them to the viewer's own (editors: all)."""
    statement = select(m.Webhook).order_by(m.Webhook.id)
    if not include_removed:
        statement = statement.where(m.Webhook.active.is_(True))
    return statement
