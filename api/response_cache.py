"""The response cache: answers to identical queries, served again while they are current.

An answer is kept under a key naming everything it depends on: the schema and the settings
that shape answers, the document (normalized), the operation, the variables, the caller's
role, the data version (db/data_version.py: every committed write replaces it) and the next
moment an embargo lifts (visibility changes then without any write). After a write or a
lift the key is different, so an old answer is never looked up again; it only waits for
its TTL or for eviction. Nothing stale is served, and nothing needs invalidating.

The role is almost enough to tell callers apart: what a query answers depends on whether
the caller is the public, a partner or an editor, and on which partner it is only where a
partner reads its own rows (its webhooks and their delivery logs, db/visibility.py). Those
are reached only through the root fields in `_OWN_ROWS`, so a partner's answer to a
document that selects one of them is kept under its key, and every other answer under the
caller's role. A new root field that reads rows per key must join `_OWN_ROWS`.

Answers live in Redis when NEWSGRAPH_REDIS_URL is set (every instance shares them), in a
bounded in-process LRU otherwise. Either store is only a cache: when Redis fails, lookups
miss and answers are not kept, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    print_ast,
    print_schema,
)
from redis.exceptions import RedisError

from api.metrics import Metrics
from api.query_limits import parse_limited
from db.data_version import DataState
from db.visibility import Role, Viewer
from newsgraph.settings import Settings

logger = logging.getLogger(__name__)

# Says whether the cache answered: "hit", or "miss" (the answer was computed, and kept if it
# could be). Absent when the cache does not apply (mutations, errors before execution…).
CACHE_HEADER = "X-Newsgraph-Response-Cache"
HIT = "hit"
MISS = "miss"


@dataclass(frozen=True)
class CachedAnswer:
    """A successful answer's body, and which read path produced it."""

    body: bytes
    read_path: str

    def encode(self) -> bytes:
        return self.read_path.encode() + b"\n" + self.body

    @classmethod
    def decode(cls, value: bytes) -> CachedAnswer:
        read_path, _, body = value.partition(b"\n")
        return cls(body=body, read_path=read_path.decode())


class Store(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...

    async def close(self) -> None: ...


class InProcessStore:
    """The most recently used answers in this process's memory, each kept at most `ttl` s."""

    def __init__(self, size: int, ttl: int) -> None:
        self._size = size
        self._ttl = ttl
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if time.monotonic() >= expires:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def put(self, key: str, value: bytes) -> None:
        self._entries[key] = (time.monotonic() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        self._entries.clear()


class RedisStore:
    """Answers in Redis, shared by every process and instance, each expiring after `ttl` s."""

    def __init__(self, url: str, prefix: str, ttl: int) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._prefix = prefix
        self._ttl = ttl

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._redis.get(self._prefix + key)
        except (RedisError, OSError) as error:
            logger.warning("response cache lookup skipped: Redis failed (%s)", error)
            return None
        return value if isinstance(value, bytes) else None

    async def put(self, key: str, value: bytes) -> None:
        try:
            await self._redis.set(self._prefix + key, value, ex=self._ttl)
        except (RedisError, OSError) as error:
            logger.warning("response not cached: Redis failed (%s)", error)

    async def close(self) -> None:
        await self._redis.aclose()


def store_for(settings: Settings) -> Store:
    if settings.redis_url:
        return RedisStore(
            settings.redis_url, f"{settings.redis_key_prefix}response:", settings.response_cache_ttl
        )
    return InProcessStore(settings.response_cache_size, settings.response_cache_ttl)


@lru_cache(maxsize=1024)
def _document_digest(query: str, max_tokens: int) -> str:
    """The document, printed without its spacing and comments, hashed."""
    printed = print_ast(parse_limited(query, max_tokens))
    return hashlib.sha256(printed.encode()).hexdigest()


# Root fields whose answer to a partner depends on which partner it is.
_OWN_ROWS = frozenset({"webhooks", "node", "nodes"})


@lru_cache(maxsize=1024)
def _reads_own_rows(query: str, max_tokens: int) -> bool:
    """Whether any operation of the document selects a root field of `_OWN_ROWS`."""
    document = parse_limited(query, max_tokens)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    expanded: set[str] = set()

    def selects(selection_set: SelectionSetNode) -> bool:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value in _OWN_ROWS:
                return True
            if isinstance(selection, InlineFragmentNode) and selects(selection.selection_set):
                return True
            if isinstance(selection, FragmentSpreadNode) and selection.name.value not in expanded:
                expanded.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None and selects(fragment.selection_set):
                    return True
        return False

    return any(
        selects(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def _caller(viewer: Viewer, own_rows: bool) -> str:
    role: str = viewer.role.value
    return f"{role}:{viewer.key_id}" if own_rows and viewer.role is Role.PARTNER else role


class ResponseCache:
    """Looks answers up and keeps them; `key` says under what, or that it can't be cached."""

    def __init__(
        self, store: Store, schema: GraphQLSchema, settings: Settings, metrics: Metrics | None
    ) -> None:
        self._store = store
        self._settings = settings
        self._metrics = metrics
        # Instances running another schema or other page sizes must not share answers.
        self._fingerprint = hashlib.sha256(
            orjson.dumps([print_schema(schema), settings.default_page_size, settings.max_page_size])
        ).hexdigest()

    def key(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
        state: DataState,
    ) -> str | None:
        """The key of this request's answer; None when it cannot be keyed."""
        try:
            encoded_variables = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None  # variables no JSON client could have sent
        lift = state.next_embargo_lift
        parts = orjson.dumps(
            [
                self._fingerprint,
                _document_digest(query, self._settings.max_tokens),
                operation_name,
                encoded_variables.decode(),
                _caller(viewer, _reads_own_rows(query, self._settings.max_tokens)),
                state.version,
                lift.isoformat() if lift is not None else None,
            ]
        )
        return hashlib.sha256(parts).hexdigest()

    async def get(self, key: str) -> CachedAnswer | None:
        value = await self._store.get(key)
        if self._metrics is not None:
            self._metrics.response_cache_lookups.labels(MISS if value is None else HIT).inc()
        return CachedAnswer.decode(value) if value is not None else None

    async def put(self, key: str, answer: CachedAnswer) -> None:
        """Keep `answer` unless it is larger than an entry may be."""
        if len(answer.body) > self._settings.response_cache_max_entry_bytes:
            return
        await self._store.put(key, answer.encode())
        if self._metrics is not None:
            self._metrics.response_cache_stores.inc()

    async def close(self) -> None:
        await self._store.close()
