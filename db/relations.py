"""How one table's rows reach another's: join specs the mapping declares, db/reads compiles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from db.base import Base

# Any row shape: SQLAlchemy 2.1 types a SELECT by its column tuple.
AnySelect = Select[*tuple[Any, ...]]
OrderBy = Callable[[Any], tuple[Any, ...]]


@dataclass(frozen=True, eq=False)
class ToOne:
    """The parent row holds a foreign key (`foreign_key`, an attribute name) to one target row.

    `shown_with_parent` says the visibility rules (db/visibility.py) show the target whenever
    they show the parent (a visible quote's statement, a published article's publisher), so
    reads need not check it again. Wrong here means a leak: the visibility property test
    exists to catch it.
    """

    target: type[Base]
    foreign_key: str
    shown_with_parent: bool = False


@dataclass(frozen=True, eq=False)
class ToMany:
    """Target rows reached from a parent key, in a defined order.

    `pairs` is a SELECT of a `parent_key` and a `target_id` column, plus any sort keys
    the order needs; `order_by(pairs)` orders one parent's rows, from the pairs'
    columns or the target's own. The reader batches many parents into one statement.
    """

    target: type[Base]
    pairs: AnySelect
    order_by: OrderBy
    distinct: bool = False


def pairs_by_column(target: type[Base], column: Any, *sort_keys: Any) -> AnySelect:
    """Pairs for the common case: a column of the target table points at the parent."""
    return select(column.label("parent_key"), target.id.label("target_id"), *sort_keys)  # type: ignore[attr-defined]
