"""Per-request DataLoaders, one per relation of the mapping, all batching through one Reader."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.mapping import TypeMapping
from api.relay import Page
from db.base import Base
from db.reads import Reader
from db.relations import ToMany, ToOne
from db.visibility import Viewer


class Loaders:
    """Creates each DataLoader on first use and keeps it for the rest of the request."""

    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.reader = Reader(session, viewer)
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def _get(self, key: Hashable, batch: Callable[[list[Any]], Any]) -> DataLoader[Any, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=batch)
        return loader

    def by_id(self, model: type[Base]) -> DataLoader[int, Any]:
        async def batch(ids: list[int]) -> list[Any]:
            found = await self.reader.by_ids(model, ids)
            return [found.get(pk) for pk in ids]

        return self._get(("by_id", model), batch)

    async def one(self, mapping: TypeMapping, field: str, row: Any) -> Any:
        """The target row of a to-one relation of `row`, or None."""
        relation = mapping.relations[field]
        assert isinstance(relation, ToOne)
        foreign_key = getattr(row, relation.foreign_key)
        if foreign_key is None:
            return None
        return await self.by_id(relation.target).load(foreign_key)

    async def many(self, mapping: TypeMapping, field: str, parent_id: int) -> list[Any]:
        """Every target row of a to-many relation, in relation order."""
        relation = _to_many(mapping, field)

        async def batch(keys: list[int]) -> list[list[Any]]:
            grouped = await self.reader.related(relation, keys)
            return [grouped.get(key, []) for key in keys]

        result: list[Any] = await self._get(("many", id(relation)), batch).load(parent_id)
        return result

    async def window(
        self, mapping: TypeMapping, field: str, parent_id: int, page: Page
    ) -> list[Any]:
        """Up to page.first + 1 rows after page.offset: the extra row tells of a next page."""
        relation = _to_many(mapping, field)

        async def batch(keys: list[tuple[int, Page]]) -> list[list[Any]]:
            by_page: dict[Page, list[int]] = {}
            for parent, requested in keys:
                by_page.setdefault(requested, []).append(parent)
            windows: dict[tuple[int, Page], list[Any]] = {}
            for requested, parents in by_page.items():
                grouped = await self.reader.related_page(
                    relation, parents, requested.offset, requested.first + 1
                )
                for parent in parents:
                    windows[(parent, requested)] = grouped.get(parent, [])
            return [windows[key] for key in keys]

        result: list[Any] = await self._get(("window", id(relation)), batch).load((parent_id, page))
        return result

    async def count(self, mapping: TypeMapping, field: str, parent_id: int) -> int:
        relation = _to_many(mapping, field)

        async def batch(keys: list[int]) -> Sequence[int]:
            counts = await self.reader.related_counts(relation, keys)
            return [counts.get(key, 0) for key in keys]

        result: int = await self._get(("count", id(relation)), batch).load(parent_id)
        return result


def _to_many(mapping: TypeMapping, field: str) -> ToMany:
    relation = mapping.relations[field]
    assert isinstance(relation, ToMany), f"{mapping.graphql_type}.{field} is not a to-many relation"
    return relation
