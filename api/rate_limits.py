"""Per-caller limits on requests and query cost per minute, counted in Redis or in-process.

A request's cost is the one the query limits measure (api/query_limits.py): one model for
both, so a document's cost is the same number in every error and every budget.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from db.visibility import Role, Viewer
from newsgraph.settings import Settings

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int
    cost_per_minute: int


def limits_for(viewer: Viewer, settings: Settings) -> Limits:
    if viewer.role is Role.EDITOR:
        return Limits(settings.editor_requests_per_minute, settings.editor_cost_per_minute)
    if viewer.role is Role.PARTNER:
        return Limits(settings.partner_requests_per_minute, settings.partner_cost_per_minute)
    return Limits(settings.anonymous_requests_per_minute, settings.anonymous_cost_per_minute)


@dataclass(frozen=True)
class Exceeded:
    """Which limit a request went over, and how long until the window that counts it ends."""

    limit: str
    allowed: int
    retry_after: int

    @property
    def message(self) -> str:
        return (
            f"Rate limit exceeded: at most {self.allowed} {self.limit} per minute. "
            f"Retry in {self.retry_after} s."
        )


class CountersUnavailable(Exception):
    """The shared counter store cannot be reached."""


class Counters(Protocol):
    async def add(self, key: str, amount: int, expire_seconds: int) -> int:
        """Add `amount` to counter `key` and return its new value."""
        ...

    async def close(self) -> None: ...


class InProcessCounters:
    """Counters in this process's memory: for one process only (tests, a single worker)."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._window: str | None = None

    async def add(self, key: str, amount: int, expire_seconds: int) -> int:
        window = key.rpartition(":")[2]
        if window != self._window:
            # Counters of past windows are never read again.
            self._values = {k: v for k, v in self._values.items() if k.endswith(f":{window}")}
            self._window = window
        self._values[key] = self._values.get(key, 0) + amount
        return self._values[key]

    async def close(self) -> None:
        return None


class RedisCounters:
    """Counters in Redis, shared by every process and instance serving the API."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._redis = redis.asyncio.Redis.from_url(url)

    async def add(self, key: str, amount: int, expire_seconds: int) -> int:
        import redis.exceptions

        try:
            async with self._redis.pipeline(transaction=True) as pipeline:
                pipeline.incrby(key, amount)
                pipeline.expire(key, expire_seconds)
                value, _ = await pipeline.execute()
        except redis.exceptions.RedisError as error:
            raise CountersUnavailable(str(error)) from error
        return int(value)

    async def close(self) -> None:
        await self._redis.aclose()


def counters_for(settings: Settings) -> Counters:
    if settings.redis_url:
        return RedisCounters(settings.redis_url)
    return InProcessCounters()


class RateLimiter:
    """Fixed one-minute windows per caller: its key's id, or its address when anonymous."""

    def __init__(self, counters: Counters, settings: Settings) -> None:
        self._counters = counters
        self._settings = settings

    async def charge(
        self, viewer: Viewer, client_address: str | None, cost: int, now: datetime
    ) -> Exceeded | None:
        """Count one request of `cost`; what it exceeded, or None when it may run.

        Requests over the limit are counted too, so hammering does not shorten the wait.
        """
        if not self._settings.rate_limits_enabled:
            return None
        limits = limits_for(viewer, self._settings)
        caller = (
            f"key:{viewer.key_id}" if viewer.key_id is not None else f"address:{client_address}"
        )
        epoch = now.timestamp()
        window = int(epoch // WINDOW_SECONDS)
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - epoch))
        prefix = f"{self._settings.redis_key_prefix}ratelimit:{caller}"
        # Keys outlive their window a little so a slow clock never resets a counter early.
        expire = 2 * WINDOW_SECONDS
        try:
            requests = await self._counters.add(f"{prefix}:requests:{window}", 1, expire)
            spent = await self._counters.add(f"{prefix}:cost:{window}", cost, expire)
        except CountersUnavailable as error:
            # Failing open: an outage of the counter store must not take the API down with it.
            logger.warning("rate limits not enforced, counters unavailable: %s", error)
            return None
        if requests > limits.requests_per_minute:
            return Exceeded("requests", limits.requests_per_minute, retry_after)
        if spent > limits.cost_per_minute:
            return Exceeded("cost points", limits.cost_per_minute, retry_after)
        return None
