"""Text the databases cannot store is refused up front: NUL characters and lone surrogates.

PostgreSQL rejects NUL in text, and a lone UTF-16 surrogate (JSON allows "\\ud800") cannot be
encoded for either database; both would otherwise surface as internal errors mid-query.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, StringValueNode, visit
from graphql.language import Visitor

from api.query_limits import QueryRejected

BAD_USER_INPUT = "BAD_USER_INPUT"


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.values.append(node.value)


def check_text(document: DocumentNode, variables: Any) -> None:
    """Raise QueryRejected when a string literal or variable holds text no database can store."""
    literals = _StringLiterals()
    visit(document, literals)
    if not all(_storable(text) for text in (*literals.values, *_strings(variables))):
        raise QueryRejected(
            "Strings must not contain NUL characters or unpaired UTF-16 surrogates.",
            BAD_USER_INPUT,
        )
