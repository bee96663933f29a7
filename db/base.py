"""The declarative base, its naming convention and the column types every model shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum, Index, Integer, MetaData, false, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Predictable constraint names let alembic create, compare and drop them on both engines.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Identifier = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC; SQLite hands back naive values otherwise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: newsgraph stores aware timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the members' values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def postgresql_index(name: str, *expressions: Any, **dialect_options: Any) -> Index:
    """An index only PostgreSQL gets: env.py's include_object skips it on other engines.

    For orders like `issued_on DESC NULLS LAST, id DESC`: PostgreSQL walks an ascending
    index backwards only as DESC NULLS FIRST, so it needs one built in that order; SQLite
    sorts NULLs lowest, so walking a plain index backwards already gives that order there.
    And for trigram indexes (`postgresql_using="gin"`), which serve `LIKE '%…%'`;
    `postgresql_include` adds columns a scan can read without visiting the table.
    """
    index = Index(name, *expressions, info={"dialect": "postgresql"}, **dialect_options)
    index.ddl_if(dialect="postgresql")
    return index


def trigram_index(name: str, column: Any) -> Index:
    """A PostgreSQL GIN trigram index on `column`, for substring filters (`LIKE '%…%'`).

    The migration that builds one creates the pg_trgm extension; SQLite has no such index and
    scans (its tables of names are small, and headlines go through full-text search).
    """
    return postgresql_index(
        name, column, postgresql_using="gin", postgresql_ops={column.key: "gin_trgm_ops"}
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class HasId:
    id: Mapped[int] = mapped_column(Identifier, primary_key=True)


class HasTimestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class HasProvenance:
    """Who asserted a fact: an editor (no extractor) or an extractor, with its confidence."""

    extracted_by: Mapped[str | None] = mapped_column(
        default=None, doc="Extractor name and version; NULL when an editor entered the fact."
    )
    confidence: Mapped[float | None] = mapped_column(
        default=None, doc="Extractor confidence in [0, 1]; NULL for editorial facts."
    )
    verified: Mapped[bool] = mapped_column(default=False, server_default=false())


# Lists filtered on visibility read these from their index, not from the table.
VISIBLE_FROM = ("public_visible_from", "partner_visible_from")


class HasVisibleFrom:
    """When the public and partners may first see a row that only articles can show.

    The earliest moment any article showing the row became (or, under embargo, becomes)
    visible to them; NULL while none does. Stored rather than derived on each read so
    that pages and counts filter on one column instead of re-proving visibility through
    quotes, paragraphs and articles for every row. db/visible_from.py keeps the columns
    right on every write; db/visibility.py reads them.
    """

    public_visible_from: Mapped[datetime | None] = mapped_column(default=None)
    partner_visible_from: Mapped[datetime | None] = mapped_column(default=None)
