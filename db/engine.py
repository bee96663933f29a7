"""Engines and sessions: one URL in, a sync engine for migrations and an async one for the app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine, QueuePool, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# Imported for its Session events: every transaction that writes changes the data version.
import db.data_version  # noqa: F401
from db.jsonsql import urlsafe_base64
from db.routing import use_primary
from newsgraph.settings import Settings

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "psycopg"}
_SYNC_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}


class UnsupportedDatabase(ValueError):
    pass


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise UnsupportedDatabase(
            f"newsgraph runs on SQLite or PostgreSQL, not {backend!r} ({parsed.render_as_string()})"
        )
    return parsed.set(drivername=f"{backend}+{drivers[backend]}")


def sync_url(url: str | URL) -> URL:
    return _with_driver(url, _SYNC_DRIVERS)


def async_url(url: str | URL) -> URL:
    return _with_driver(url, _ASYNC_DRIVERS)


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        from pathlib import Path

        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The compiled read path encodes IDs and cursors in SQL; PostgreSQL has encode().
    dbapi_connection.create_function("newsgraph_base64", 1, urlsafe_base64, deterministic=True)
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def postgres_session_settings(settings: Settings) -> dict[str, int]:
    """What every PostgreSQL connection of the app SETs when it opens."""
    session = {"max_parallel_workers_per_gather": settings.database_parallel_workers}
    if settings.statement_timeout_ms:
        session["statement_timeout"] = settings.statement_timeout_ms
    return session


def _postgres_session(session: Mapping[str, int]) -> Any:
    def set_session(dbapi_connection: Any, _record: Any) -> None:
        # SET, then commit: the pool's rollback on checkin would otherwise undo it.
        cursor = dbapi_connection.cursor()
        for name, value in session.items():
            cursor.execute(f"SET {name} = {int(value)}")
        cursor.close()
        dbapi_connection.commit()

    return set_session


def _engine_options(url: URL, settings: Settings) -> dict[str, Any]:
    if url.get_backend_name() == "postgresql":
        return {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_max_overflow,
            # Off by default: a ping per request costs about a fifth of a compiled read's
            # CPU, and a connection found dead by its statement empties the pool anyway.
            "pool_pre_ping": settings.database_pool_pre_ping,
            # Fail fast when the database is down, rather than after the OS's TCP timeout.
            "connect_args": {"connect_timeout": settings.database_connect_timeout},
            "pool_timeout": settings.database_pool_timeout,
        }
    return {}


def create_sync_engine(settings: Settings) -> Engine:
    url = sync_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
    engine = create_engine(url, echo=settings.database_echo, **_engine_options(url, settings))
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _prepare_sqlite_connection)
    return engine


def create_app_engine(settings: Settings, database_url: str | None = None) -> AsyncEngine:
    """The app's engine for the primary database, or for `database_url` (a replica)."""
    url = async_url(database_url or settings.database_url)
    # Compiled reads come back as one JSON value per root field: parse it with orjson.
    set_json_loads(orjson.loads)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
    engine = create_async_engine(url, echo=settings.database_echo, **_engine_options(url, settings))
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _prepare_sqlite_connection)
    else:
        event.listen(
            engine.sync_engine, "connect", _postgres_session(postgres_session_settings(settings))
        )
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects outlive the commit that wrote them (GraphQL payloads are built after it).
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A transaction that commits only when the block ends cleanly, and rolls back otherwise.

    It reads from the primary too: what it writes may depend on what it reads.
    """
    async with sessions() as session:
        use_primary(session)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def ping(engine: AsyncEngine, timeout: float) -> bool:
    """Whether the database answers a trivial statement within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (TimeoutError, OSError, DBAPIError, SQLAlchemyTimeoutError):
        return False
    return True


def pool_usage(engine: AsyncEngine) -> tuple[int, int] | None:
    """(connections checked out, pool size) for a pooled engine; None when it keeps no pool."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return None
    return pool.checkedout(), pool.size()
