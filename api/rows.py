"""Turning database rows into GraphQL objects through the mapping, and lists into connections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Protocol, TypeVar

import strawberry
from strawberry.types import Info

from api.context import RequestContext
from api.mapping import TypeMapping
from api.relay import Connection, Page
from db.relations import AnySelect

First = Annotated[
    int | None,
    strawberry.argument(description="How many items to return: 20 when omitted, at most 100."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (a previous `endCursor`)."),
]


class MappedType(Protocol):
    MAPPING: TypeMapping


T = TypeVar("T")


def from_row(cls: type[T], row: Any) -> T:
    """A GraphQL object with the row's column values, keeping the row for its relations."""
    factory: Any = cls  # every mapped GraphQL type takes pk, row and its column fields
    return factory(pk=row.id, row=row, **factory.MAPPING.values(row))  # type: ignore[no-any-return]


def from_rows(cls: type[T], rows: Iterable[Any]) -> list[T]:
    return [from_row(cls, row) for row in rows]


def optional_row(cls: type[T], row: Any | None) -> T | None:
    return None if row is None else from_row(cls, row)


def context(info: Info) -> RequestContext:
    ctx: RequestContext = info.context
    return ctx


def page_of(info: Info, first: int | None, after: str | None) -> Page:
    settings = context(info).settings
    return Page.from_arguments(
        first, after, default=settings.default_page_size, maximum=settings.max_page_size
    )


async def related_connection(
    info: Info,
    cls: type[T],
    mapping: TypeMapping,
    field: str,
    parent_id: int,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    """A page of a to-many relation; every parent on the page shares one windowed SELECT."""
    page = page_of(info, first, after)
    loaders = context(info).loaders
    window = await loaders.window(mapping, field, parent_id, page)
    return Connection.from_window(
        from_rows(cls, window), page, lambda: loaders.count(mapping, field, parent_id)
    )


async def root_connection(
    info: Info, cls: type[T], statement: AnySelect, first: int | None, after: str | None
) -> Connection[T]:
    page = page_of(info, first, after)
    reader = context(info).loaders.reader
    window = await reader.page(statement, page.offset, page.first + 1)
    return Connection.from_window(from_rows(cls, window), page, lambda: reader.count(statement))
