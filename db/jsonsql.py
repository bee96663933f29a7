"""SQL that builds JSON inside the database, in the exact shape the GraphQL resolvers would return.

The compiled read path asks these builders for objects, arrays, IDs, cursors and scalar
formats, and each dialect answers with what its engine has:

- PostgreSQL writes the JSON as text, piece by piece (`concat`, `string_agg`, `to_json` for
  each scalar), byte for byte as orjson writes the resolver path's answer. Its
  json_build_object would write `"key" : value, ...`, which the server would have to parse
  and write again; this text goes into the response as it is (`writes_response_text`).
- SQLite's json_object and json_group_array; the server parses what they write.

Either way values are formatted the way Python's JSON encoding of the resolver path's
values would be.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    TypeDecorator,
    aggregate_order_by,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement, Null

from db.relations import AnySelect

Pairs = Sequence[tuple[str, ColumnElement[Any]]]


def _concat(*parts: ColumnElement[Any]) -> ColumnElement[Any]:
    """String concatenation, spelled || on both engines whatever SQLAlchemy infers of the types."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(part)
    return joined


def _sql_string(value: str) -> ColumnElement[Any]:
    # Keys and type names are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): safe to inline,
    # and inlined literals keep PostgreSQL from asking for parameter types.
    if not value.replace("_", "a").isalnum():
        raise ValueError(f"not a GraphQL name: {value!r}")
    return literal_column(f"'{value}'")


def urlsafe_base64(text: str) -> str:
    """The encoding of global IDs and cursors; SQLite calls it as newsgraph_base64()."""
    return base64.urlsafe_b64encode(text.encode()).decode()


class JsonDialect:
    """How one engine builds the JSON of a response."""

    name = ""
    # Whether a root's JSON comes back as the exact text the response carries: compact, as
    # orjson writes it. Floats excepted, which no engine spells as orjson does.
    writes_response_text = False

    def object(self, pairs: Pairs) -> ColumnElement[Any]:
        raise NotImplementedError

    def answer(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A root's JSON, as the statement hands it to the server."""
        return value

    def array(
        self,
        source: AnySelect,
        value: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
        *,
        of_json: bool = True,
    ) -> ColumnElement[Any]:
        """A JSON array of `value` over the rows of `source`, in order; [] when there are none.

        `of_json` says whether the values are JSON themselves or plain SQL scalars.
        """
        raise NotImplementedError

    def embed(self, subquery: AnySelect) -> ColumnElement[Any]:
        """The JSON value one correlated subquery produces, kept as JSON (not as text)."""
        raise NotImplementedError

    def json_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """A JSON array of the given JSON values, in order."""
        raise NotImplementedError

    def boolean(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def timestamp(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """A UTC timestamp as Python's isoformat() writes an aware datetime."""
        raise NotImplementedError

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def string(self, value: str) -> ColumnElement[Any]:
        return _sql_string(value)

    def global_id(self, type_name: str, pk: ColumnElement[Any]) -> ColumnElement[Any]:
        return self.base64(_concat(literal_column(f"'{type_name}:'"), cast(pk, String)))

    def cursor(self, offset: ColumnElement[Any]) -> ColumnElement[Any]:
        return self.base64(_concat(literal_column("'offset:'"), cast(offset, String)))

    def enum(self, column: ColumnElement[Any], members: type[enum.Enum]) -> ColumnElement[Any]:
        """A stored enum value as its GraphQL name (the member name)."""
        return case(
            *[(column == literal(member.value), literal(member.name)) for member in members],
            else_=null(),
        )

    def to_int(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return cast(value, Integer)


def _flatten(pairs: Pairs) -> list[ColumnElement[Any]]:
    arguments: list[ColumnElement[Any]] = []
    for key, value in pairs:
        arguments += [_sql_string(key), value]
    return arguments


class _JsonText(TypeDecorator[str]):
    """Text that is JSON already: an object or array a builder wrote, embedded as it is."""

    impl = Text
    cache_ok = True


class _PresentJsonText(_JsonText):
    """JSON text that is never NULL: an object or an array, however empty."""

    cache_ok = True


_JSON_TEXT = _JsonText()
_PRESENT_JSON_TEXT = _PresentJsonText()
_NULL_TEXT: ColumnElement[Any] = literal_column("'null'")
# PostgreSQL functions take at most 100 arguments; longer concatenations nest.
_MAX_CONCAT_ARGUMENTS = 100


def _as_json_text(expression: ColumnElement[Any], *, present: bool) -> ColumnElement[Any]:
    return type_coerce(expression, _PRESENT_JSON_TEXT if present else _JSON_TEXT)


def _text_literal(text: str) -> ColumnElement[Any]:
    return literal_column("'" + text.replace("'", "''") + "'")


def _concat_text(parts: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    """concat() of `parts` (NULLs count as empty), nested past PostgreSQL's argument limit."""
    while len(parts) > _MAX_CONCAT_ARGUMENTS:
        parts = [
            func.concat(*parts[start : start + _MAX_CONCAT_ARGUMENTS])
            for start in range(0, len(parts), _MAX_CONCAT_ARGUMENTS)
        ]
    return func.concat(*parts)


def _value_text(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """`value` as JSON text: as it is when a builder wrote it, through to_json when it is a
    plain SQL value; 'null' for NULL."""
    if isinstance(value, Null):
        return _NULL_TEXT
    if isinstance(value.type, _PresentJsonText):
        return value
    if not isinstance(value.type, _JsonText):
        if isinstance(value, BindParameter):
            value = cast(value, value.type)  # to_json() needs to know what it was given
        value = cast(func.to_json(value), Text)
    return func.coalesce(value, _NULL_TEXT)


class PostgresJson(JsonDialect):
    name = "postgresql"
    writes_response_text = True

    def object(self, pairs: Pairs) -> ColumnElement[Any]:
        parts: list[ColumnElement[Any]] = []
        for index, (key, value) in enumerate(pairs):
            _sql_string(key)  # a GraphQL name: nothing in it needs escaping in SQL or JSON
            parts += [_text_literal(("{" if index == 0 else ",") + f'"{key}":'), _value_text(value)]
        if not parts:
            return _as_json_text(_text_literal("{}"), present=True)
        parts.append(_text_literal("}"))
        return _as_json_text(_concat_text(parts), present=True)

    def array(
        self,
        source: AnySelect,
        value: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
        *,
        of_json: bool = True,
    ) -> ColumnElement[Any]:
        joined = func.string_agg(_value_text(value), _text_literal(","))
        aggregated: ColumnElement[Any] = (
            aggregate_order_by(joined, *order_by) if order_by else joined
        )
        # string_agg over no rows is NULL, which concat() leaves out: "[]".
        text = func.concat(_text_literal("["), aggregated, _text_literal("]"))
        # An aggregate without GROUP BY answers one row, whatever it reads: never NULL.
        return _as_json_text(source.with_only_columns(text).scalar_subquery(), present=True)

    def embed(self, subquery: AnySelect) -> ColumnElement[Any]:
        return _as_json_text(subquery.scalar_subquery(), present=False)

    def answer(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        # As bytea, read in binary (db/prepared_reads.py): the UTF-8 bytes the response
        # carries, which neither psycopg decodes into a str nor orjson encodes back.
        return func.convert_to(value, literal_column("'UTF8'"))

    def json_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        parts: list[ColumnElement[Any]] = [_text_literal("[")]
        for index, value in enumerate(values):
            if index:
                parts.append(_text_literal(","))
            parts.append(_value_text(value))
        parts.append(_text_literal("]"))
        return _as_json_text(_concat_text(parts), present=True)

    def string(self, value: str) -> ColumnElement[Any]:
        _sql_string(value)
        return _as_json_text(_text_literal(f'"{value}"'), present=True)

    def boolean(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return column

    def timestamp(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        utc = column.op("AT TIME ZONE")(literal_column("'UTC'"))
        whole = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
        fraction = case(
            (func.extract("microseconds", column) % 1000000 == 0, literal_column("''")),
            else_=_concat(literal_column("'.'"), func.to_char(utc, literal_column("'US'"))),
        )
        return _concat(whole, fraction, literal_column("'+00:00'"))

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        encoded = func.encode(
            func.convert_to(text, literal_column("'UTF8'")), literal_column("'base64'")
        )
        return func.translate(encoded, literal_column("'+/'"), literal_column("'-_'"))


class SqliteJson(JsonDialect):
    name = "sqlite"

    def object(self, pairs: Pairs) -> ColumnElement[Any]:
        return func.json_object(*_flatten(pairs))

    def array(
        self,
        source: AnySelect,
        value: ColumnElement[Any],
        order_by: Sequence[ColumnElement[Any]],
        *,
        of_json: bool = True,
    ) -> ColumnElement[Any]:
        # SQLite before 3.44 has no ORDER BY inside aggregates: aggregate an ordered
        # subquery, whose order json_group_array keeps. Values lose their JSON subtype
        # when they leave a subquery, so json() restores it.
        rows = source.with_only_columns(value.label("value")).order_by(*order_by).subquery()
        element = func.json(rows.c.value) if of_json else rows.c.value
        return select(func.json_group_array(element)).scalar_subquery()

    def embed(self, subquery: AnySelect) -> ColumnElement[Any]:
        return func.json(subquery.scalar_subquery())

    def json_array(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_array(*values)

    def boolean(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return case(
            (column.is_(None), null()),
            (column == 0, func.json(literal_column("'false'"))),
            else_=func.json(literal_column("'true'")),
        )

    def timestamp(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff', in UTC.
        day = func.substr(column, 1, 10)
        seconds = func.substr(column, 12, 8)
        micro = func.substr(column, 21, 6)
        t: ColumnElement[Any] = literal_column("'T'")
        dot: ColumnElement[Any] = literal_column("'.'")
        utc: ColumnElement[Any] = literal_column("'+00:00'")
        return case(
            (column.is_(None), null()),
            (
                func.coalesce(micro, literal_column("''")).in_(["", "000000"]),
                _concat(day, t, seconds, utc),
            ),
            else_=_concat(day, t, seconds, dot, micro, utc),
        )

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.newsgraph_base64(text)


def json_dialect(dialect_name: str) -> JsonDialect:
    if dialect_name == "postgresql":
        return PostgresJson()
    if dialect_name == "sqlite":
        return SqliteJson()
    raise ValueError(f"no JSON dialect for {dialect_name!r}")
