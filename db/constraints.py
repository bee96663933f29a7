"""Which constraint a failed write broke, by its name in the models, on either engine."""

from __future__ import annotations

import re

from sqlalchemy import Index, MetaData, UniqueConstraint
from sqlalchemy.exc import IntegrityError

# SQLite names the columns, not the constraint: "UNIQUE constraint failed: t.a, t.b".
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")


def broken_unique_constraint(error: IntegrityError, metadata: MetaData) -> str | None:
    """The name of the unique constraint (or unique index) `error` reports, if it is one."""
    # psycopg: the server's diagnostics name the constraint, and the SQLSTATE says unique.
    if getattr(error.orig, "sqlstate", None) == "23505":
        name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        return name if isinstance(name, str) else None
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    qualified = [column.split(".", 1) for column in match["columns"].split(", ")]
    table = metadata.tables.get(qualified[0][0])
    if table is None:
        return None
    columns = {column for _, column in qualified}
    candidates: list[UniqueConstraint | Index] = [
        *(c for c in table.constraints if isinstance(c, UniqueConstraint)),
        *(index for index in table.indexes if index.unique),
    ]
    for candidate in candidates:
        if {column.name for column in candidate.columns} == columns:
            return str(candidate.name)
    return None
