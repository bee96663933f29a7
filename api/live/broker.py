"""Fan-out of committed events to subscribers: in this process, or across processes via Redis."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import redis.asyncio as redis

from db.events import Message

logger = logging.getLogger(__name__)

# A subscriber this far behind is dropping events rather than growing without bound.
_QUEUE_LIMIT = 1000


class Broker(Protocol):
    def publish(self, events: list[tuple[str, Message]]) -> None:
        """Send committed events on; called from a commit, so it must not block."""

    def listen(self, channel: str) -> Any:
        """An async context manager yielding an async iterator of the channel's messages."""

    async def flush(self) -> None:
        """Wait until every event published so far has left this process."""

    async def close(self) -> None: ...


class LocalBroker:
    """Subscribers in this process only: enough for one worker, and for tests."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Message]]] = defaultdict(set)

    def publish(self, events: list[tuple[str, Message]]) -> None:
        for channel, message in events:
            for queue in self._queues[channel]:
                _offer(queue, channel, message)

    def listeners(self, channel: str) -> int:
        return len(self._queues[channel])

    @asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=_QUEUE_LIMIT)
        self._queues[channel].add(queue)
        try:
            yield _drain(queue)
        finally:
            self._queues[channel].discard(queue)

    async def flush(self) -> None:
        return  # published synchronously

    async def close(self) -> None:
        self._queues.clear()


class RedisBroker:
    """Every process publishes to Redis and hears every process's events back from it.

    One Redis subscription per process, not per subscriber: a reader task takes the
    process's messages off Redis and fans them out to its subscribers in memory.
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._client = redis.Redis.from_url(url)
        self._prefix = prefix
        self._local = LocalBroker()
        self._sending: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Lock()

    def channel_name(self, channel: str) -> str:
        return f"{self._prefix}:{channel}"

    def listeners(self, channel: str) -> int:
        return self._local.listeners(channel)

    def publish(self, events: list[tuple[str, Message]]) -> None:
        # The commit that calls this runs inside the event loop but cannot await.
        task = asyncio.get_running_loop().create_task(self._send(events))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, events: list[tuple[str, Message]]) -> None:
        try:
            for channel, message in events:
                await self._client.publish(self.channel_name(channel), json.dumps(message))
        except redis.RedisError:
            logger.exception("could not publish %d live event(s) to Redis", len(events))

    @asynccontextmanager
    async def listen(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        await self._start_reader()
        async with self._local.listen(channel) as messages:
            yield messages

    async def _start_reader(self) -> None:
        async with self._subscribed:
            if self._reader is not None and not self._reader.done():
                return
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            # Subscribed before any listener registers: nothing published after it is missed.
            await pubsub.psubscribe(self.channel_name("*"))
            self._reader = asyncio.get_running_loop().create_task(self._read(pubsub))

    async def _read(self, pubsub: Any) -> None:
        start = len(self._prefix) + 1
        try:
            while True:
                try:
                    async for channel, message in _messages(pubsub):
                        self._local.publish([(channel[start:], message)])
                except redis.ConnectionError:
                    # redis-py reconnects and subscribes again on the next read.
                    logger.exception("lost the Redis subscription for live events; retrying")
                    await asyncio.sleep(1)
        finally:
            await pubsub.aclose()

    async def flush(self) -> None:
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        await self.flush()
        await self._local.close()
        await self._client.aclose()


def _offer(queue: asyncio.Queue[Message], channel: str, message: Message) -> None:
    try:
        queue.put_nowait(message)
    except asyncio.QueueFull:
        logger.warning("a subscriber to %r is too slow: dropped an event", channel)


async def _drain(queue: asyncio.Queue[Message]) -> AsyncIterator[Message]:
    while True:
        yield await queue.get()


async def _messages(pubsub: Any) -> AsyncIterator[tuple[str, Message]]:
    async for raw in pubsub.listen():
        if raw.get("type") != "pmessage":
            continue
        channel = raw["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            message = json.loads(raw["data"])
        except ValueError:
            logger.warning("ignored a live event that is not JSON: %r", raw["data"])
            continue
        if isinstance(message, dict):
            yield channel, message


def create_broker(redis_url: str | None, prefix: str) -> LocalBroker | RedisBroker:
    return RedisBroker(redis_url, prefix) if redis_url else LocalBroker()
