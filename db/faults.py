"""What a database exception means for the client: the database is unreachable, or too slow."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, TimeoutError

# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or a cancel request).
_QUERY_CANCELED = "57014"


def is_timeout(error: BaseException | None) -> bool:
    """Whether the database stopped a statement for running longer than statement_timeout."""
    return (
        isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == _QUERY_CANCELED
    )


def is_unavailable(error: BaseException | None) -> bool:
    """Whether the database could not be reached or dropped the connection: retrying later helps.

    A pool that stays exhausted (TimeoutError) counts too: the database is not keeping up.
    """
    if error is None or is_timeout(error):
        return False
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | TimeoutError | ConnectionError)
