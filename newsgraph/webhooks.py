"""Delivering webhooks: signed POSTs, retried with exponential backoff, every attempt logged."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import webhooks
from db.engine import unit_of_work
from newsgraph.clock import Clock
from newsgraph.settings import Settings
from newsgraph.webhook_targets import checked_target, networks

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Newsgraph-Signature"
DELIVERY_HEADER = "X-Newsgraph-Delivery"
EVENT_HEADER = "X-Newsgraph-Event"
_BATCH = 100
_LEASE_MARGIN = 60.0

Sleeper = Callable[[float], Awaitable[None]]


def new_secret() -> str:
    """A signing secret: 32 random bytes in hex, shown to the webhook's owner once."""
    return secrets.token_hex(32)


def sign(secret: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the exact body bytes, keyed with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signatures(signing_secrets: Sequence[str], body: bytes) -> str:
    """The signature header's value: one signature per secret, comma-separated (two only
    while a rotation's overlap lasts)."""
    return ", ".join(sign(secret, body) for secret in signing_secrets)


def backoff(attempts: int, settings: Settings) -> timedelta:
    """The wait after the `attempts`-th failure: the base, doubled each time, up to the cap."""
    seconds = settings.webhook_backoff_seconds * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, settings.webhook_backoff_cap_seconds))


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None


class WebhookDeliverer:
    """Sends the deliveries that are due; `run` keeps doing so until stopped."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        client: httpx.AsyncClient,
        clock: Clock,
        sleeper: Sleeper = asyncio.sleep,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._client = client
        self._clock = clock
        self._sleeper = sleeper
        self._allowed = networks(settings.webhook_allowed_networks)

    async def deliver_due(self) -> int:
        """One attempt at every delivery due now (up to a batch); how many were attempted.

        Each delivery is claimed before it is sent, so workers running side by side (several
        `newsgraph webhooks run`) never send the same attempt twice.
        """
        # Long enough for a partner's server to answer, short enough to retry soon after a crash.
        lease = timedelta(seconds=2 * self._settings.webhook_timeout_seconds + _LEASE_MARGIN)
        attempted = 0
        while attempted < _BATCH:
            now = self._clock.now()  # each claim's lease starts when it is taken
            async with unit_of_work(self._sessions) as session:
                claimed = await webhooks.claim_next(session, now, now + lease)
            if claimed is None:
                break
            # No transaction stays open while partners' servers answer.
            outcome = await self._send(claimed.delivery, claimed.url, claimed.secrets)
            attempts = claimed.delivery.attempts + 1
            retry_at = None
            if outcome.error is not None and attempts < self._settings.webhook_max_attempts:
                retry_at = now + backoff(attempts, self._settings)
            async with unit_of_work(self._sessions) as session:
                await webhooks.record_attempt(
                    session,
                    claimed.delivery.id,
                    claimed.delivery.attempts,
                    at=now,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    next_attempt_at=retry_at,
                )
            attempted += 1
        return attempted

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set, sleeping (through the sleeper) when nothing is due."""
        while not stop.is_set():
            if await self.deliver_due() == 0:
                await self._sleeper(self._settings.webhook_poll_seconds)

    async def _send(self, delivery: Any, url: str, signing_secrets: Sequence[str]) -> _Outcome:
        target = await checked_target(url, self._allowed, self._settings.webhook_timeout_seconds)
        if isinstance(target, str):
            logger.warning("webhook delivery %d to %s refused: %s", delivery.id, url, target)
            return _Outcome(None, f"refused: {target}"[:500])
        body = delivery.payload.encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signatures(signing_secrets, body),
            DELIVERY_HEADER: str(delivery.id),
            EVENT_HEADER: delivery.event.value,
        }
        try:
            response = await self._client.post(
                target.url,
                content=body,
                headers={**headers, **target.headers},
                extensions=target.extensions,
                timeout=self._settings.webhook_timeout_seconds,
            )
        except httpx.HTTPError as error:
            logger.info("webhook delivery %d to %s failed: %s", delivery.id, url, error)
            return _Outcome(None, f"{type(error).__name__}: {error}"[:500])
        if response.is_success:
            return _Outcome(response.status_code, None)
        return _Outcome(response.status_code, f"HTTP {response.status_code}")
