"""Relay building blocks: the Node interface, global IDs and cursor connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from api.errors import ClientError

NodeT = TypeVar("NodeT")

_OFFSET_PREFIX = "offset:"
# Keys and offsets beyond 64-bit integers make the database driver fail; no real ID or
# cursor comes near them. The offset leaves room for the page added to it.
_LARGEST_KEY = 2**63 - 1
_LARGEST_OFFSET = 2**62


@strawberry.interface(
    description="An object with a globally unique ID, fetchable with `node(id:)`."
)
class Node:
    pk: strawberry.Private[int]

    @strawberry.field(description="Globally unique, opaque identifier of this object.")
    def id(self) -> strawberry.ID:
        return encode_global_id(type(self).__name__, self.pk)


def encode_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def decode_global_id(global_id: str) -> tuple[str, int]:
    """("Article", 12) from an ID this API issued; a ClientError for anything else."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not type_name or not pk.isdigit() or int(pk) > _LARGEST_KEY:
            raise ValueError
        return type_name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ClientError(f"Malformed ID {global_id!r}: use an `id` this API returned.") from None


@dataclass(frozen=True)
class Page:
    """A validated window of a list: `first` items after `offset` ones."""

    offset: int
    first: int

    @classmethod
    def from_arguments(
        cls, first: int | None, after: str | None, *, default: int, maximum: int
    ) -> Page:
        if first is None:
            first = default
        if first < 0 or first > maximum:
            raise ClientError(
                f"`first` must be between 0 and {maximum}, got {first}.", argument="first"
            )
        return cls(offset=0 if after is None else decode_cursor(after) + 1, first=first)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_OFFSET_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        decoded = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not decoded.startswith(_OFFSET_PREFIX):
            raise ValueError
        offset = int(decoded.removeprefix(_OFFSET_PREFIX))
        if offset < 0 or offset > _LARGEST_OFFSET:
            raise ValueError
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ClientError(
            f"Malformed cursor {cursor!r}: pass a `cursor` or `endCursor` this API returned.",
            argument="after",
        ) from None


@strawberry.type(description="Where a page sits in its list, for fetching the next one.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge: pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Opaque position of this item in its list.")


@strawberry.type(description="A page of a list, with the list's total size.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items on this page.")
    page_info: PageInfo = strawberry.field(description="How to fetch the neighbouring pages.")
    count_items: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items in the whole list, across all pages.")
    async def total_count(self) -> int:
        return await self.count_items()

    @classmethod
    def from_window(
        cls,
        window: Sequence[NodeT],
        page: Page,
        count_items: Callable[[], Awaitable[int]],
    ) -> Connection[NodeT]:
        """A connection from up to first+1 items read at page.offset (one extra tells of more)."""
        items = list(window[: page.first])
        edges = [
            Edge(node=item, cursor=encode_cursor(page.offset + i)) for i, item in enumerate(items)
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(window) > page.first,
                has_previous_page=page.offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count_items=count_items,
        )
