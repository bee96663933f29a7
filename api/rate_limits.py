"""Per-caller limits on requests and query cost per minute, counted in Redis or in-process."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.utilities import get_operation_ast

from db.visibility import Role, Viewer
from newsgraph.settings import Settings

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# Deeper documents are refused by cost long before this; it only bounds the recursion.
_MAX_DEPTH = 64


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    settings: Settings,
) -> int:
    """What one operation may cost to answer: every field counts 1, times the page sizes above it.

    A field with a `first` argument (a connection) multiplies everything under it by the
    `first` asked for, or by the default page size when it is left out. Plain lists are
    bounded by one article and count once. A document that does not name a runnable
    operation costs 0: validation refuses it before anything runs.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    counter = _CostCounter(schema, fragments, variables or {}, settings)
    return counter.cost(operation.selection_set, root, 1, 0)


@dataclass
class _CostCounter:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    settings: Settings

    def cost(
        self, selections: SelectionSetNode, parent: GraphQLNamedType, multiplier: int, depth: int
    ) -> int:
        if depth > _MAX_DEPTH:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += multiplier + self._field_children(selection, parent, multiplier, depth)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(
                    selection.selection_set, fragment_type or parent, multiplier, depth + 1
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    fragment_type = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(
                        fragment.selection_set, fragment_type or parent, multiplier, depth + 1
                    )
        return total

    def _field_children(
        self, node: FieldNode, parent: GraphQLNamedType, multiplier: int, depth: int
    ) -> int:
        if node.selection_set is None or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0  # introspection or an unknown field: validation has the last word
        if "first" in definition.args:
            multiplier *= self._first(node)
        return self.cost(node.selection_set, get_named_type(definition.type), multiplier, depth + 1)

    def _first(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any = argument.value
            if isinstance(value, VariableNode):
                value = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                value = int(value.value)
            if isinstance(value, int) and 0 <= value <= self.settings.max_page_size:
                return value
            return self.settings.max_page_size  # out of range: the field refuses it anyway
        return self.settings.default_page_size


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
