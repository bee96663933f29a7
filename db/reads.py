"""Every read the API makes: batched lookups by id, by relation, pages and counts."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.base import Base
from db.relations import AnySelect, ToMany
from db.visibility import Viewer, narrow, visible

ModelT = TypeVar("ModelT", bound=Base)


class Reader:
    """The one door from a request to its session.

    Every statement that selects rows of a model is narrowed to what the viewer may see.
    DataLoaders fire in the same event-loop tick, but an AsyncSession runs one statement
    at a time, so every read waits its turn here.
    """

    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self._session = session
        self._lock = asyncio.Lock()
        self.viewer = viewer

    @property
    def dialect(self) -> str:
        """The engine's name: "sqlite" or "postgresql"."""
        return self._session.get_bind().dialect.name

    async def scalars(self, statement: AnySelect) -> Sequence[Any]:
        statement = narrow(statement, self.viewer)
        async with self._lock:
            return (await self._session.scalars(statement)).all()

    async def rows(self, statement: AnySelect) -> Sequence[Any]:
        async with self._lock:
            return list((await self._session.execute(statement)).all())

    async def scalar(self, statement: AnySelect) -> Any:
        async with self._lock:
            return await self._session.scalar(statement)

    async def by_ids(self, model: type[ModelT], ids: Iterable[int]) -> dict[int, ModelT]:
        found = await self.scalars(select(model).where(model.id.in_(set(ids))))  # type: ignore[attr-defined]
        return {row.id: row for row in found}

    async def related(self, relation: ToMany, keys: Sequence[int]) -> dict[int, list[Any]]:
        """Every parent's target rows in relation order, in one statement."""
        statement, _ = _related_select(relation, keys, self.viewer)
        return _by_parent(await self.rows(statement))

    async def related_page(
        self, relation: ToMany, keys: Sequence[int], offset: int, limit: int
    ) -> dict[int, list[Any]]:
        """Rows offset+1 … offset+limit of every parent's list, in one windowed statement."""
        statement = related_page_select(relation, keys, self.viewer, offset, limit)
        return _by_parent(await self.rows(statement))

    async def related_counts(self, relation: ToMany, keys: Sequence[int]) -> dict[int, int]:
        pairs = _pairs(relation)
        statement = select(pairs.c.parent_key, func.count()).where(
            pairs.c.parent_key.in_(set(keys))
        )
        condition = visible(relation.target, self.viewer)
        if condition is not None:
            target = relation.target
            statement = statement.join(target, target.id == pairs.c.target_id).where(condition)  # type: ignore[attr-defined]
        statement = statement.group_by(pairs.c.parent_key)
        return {parent_key: count for parent_key, count in await self.rows(statement)}

    async def page(self, statement: AnySelect, offset: int, limit: int) -> Sequence[Any]:
        return await self.scalars(statement.offset(offset).limit(limit))

    async def count(self, statement: AnySelect) -> int:
        return int(await self.scalar(counted(statement, self.viewer)) or 0)


def counted(statement: AnySelect, viewer: Viewer) -> AnySelect:
    """How many rows of `statement` the viewer may see."""
    rows = narrow(statement, viewer).order_by(None)
    return select(func.count()).select_from(rows.subquery())


def related_page_select(
    relation: ToMany, keys: Sequence[int], viewer: Viewer, offset: int, limit: int
) -> AnySelect:
    """Rows offset+1 … offset+limit of every parent's list, numbered by a window function."""
    unordered, pairs = _related_select(relation, keys, viewer, ordered=False)
    row_number = func.row_number().over(
        partition_by=pairs.c.parent_key, order_by=relation.order_by(pairs)
    )
    ranked = unordered.add_columns(row_number.label("row_number")).subquery()
    target_alias = aliased(relation.target, ranked)
    return (
        select(ranked.c.parent_key, target_alias)
        .where(ranked.c.row_number > offset, ranked.c.row_number <= offset + limit)
        .order_by(ranked.c.parent_key, ranked.c.row_number)
    )


def _by_parent(rows: Sequence[Any]) -> dict[int, list[Any]]:
    """(parent key, row) pairs grouped by parent, keeping their order."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for parent_key, row in rows:
        grouped[parent_key].append(row)
    return grouped


def _pairs(relation: ToMany) -> Any:
    pairs = relation.pairs.distinct() if relation.distinct else relation.pairs
    return pairs.subquery()


def _related_select(
    relation: ToMany, keys: Sequence[int], viewer: Viewer, *, ordered: bool = True
) -> tuple[AnySelect, Any]:
    target = relation.target
    pairs = _pairs(relation)
    statement = select(pairs.c.parent_key, target).join(
        pairs,
        pairs.c.target_id == target.id,  # type: ignore[attr-defined]
    )
    statement = statement.where(pairs.c.parent_key.in_(set(keys)))
    condition = visible(target, viewer)
    if condition is not None:
        statement = statement.where(condition)
    if ordered:
        statement = statement.order_by(pairs.c.parent_key, *relation.order_by(pairs))
    return statement, pairs
