"""Compiled reads on PostgreSQL, run on the driver's connection rather than through a Session.

A compiled read is one SELECT whose plan is cached per document, so almost all of what
SQLAlchemy does per execution (a Session transaction, the statement cache lookup, result
wrapping, BEGIN and COMMIT round trips) is repeated work. Here the statement is rendered
once, with PostgreSQL's own `$n` placeholders, and runs in autocommit (one round trip, no
transaction to end) as a named prepared statement on one of a few connections kept for
compiled reads (`ReadConnections`). Borrowing from the engine's pool instead cost two
greenlet hops, a reset on return and two autocommit switches: about 12% of a request.

Statements run here bypass SQLAlchemy's engine events; `observe` is how tracing and the
tests' statement counts still see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection, AsyncRawCursor
from psycopg.rows import tuple_row
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql.psycopg import PGDialectAsync_psycopg
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.sql import Select

# Renders `$1, $2, …`, which psycopg's raw cursors send as they are: the client-side
# conversion of `%(name)s` placeholders costs more than the statement's execution on
# a statement this size, and is only cached for short ones.
_DOLLAR_DIALECT = PGDialectAsync_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]

# Called with each statement a prepared read runs; the context manager spans the run.
ReadObserver = Callable[[str], AbstractContextManager[None]]
_observers: WeakKeyDictionary[Engine, list[ReadObserver]] = WeakKeyDictionary()


@dataclass(frozen=True)
class PreparedSelect:
    """A SELECT rendered once for PostgreSQL, with its own bound values already converted.

    Values named in `runtime_names` (the clock, the caller's key) are given at each run.
    """

    sql: str
    names: tuple[str, ...]
    constants: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]

    @classmethod
    def of(cls, statement: Select[Any]) -> PreparedSelect:
        # Plans are cached per document and variables, so IN lists may be rendered out.
        compiled = statement.compile(
            dialect=_DOLLAR_DIALECT, compile_kwargs={"render_postcompile": True}
        )
        processors = {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.bind_processor(_DOLLAR_DIALECT)
            if processor is not None:
                processors[name] = processor
        constants = {
            name: processors[name](value) if name in processors and value is not None else value
            for name, value in compiled.params.items()
        }
        return cls(str(compiled), tuple(compiled.positiontup or ()), constants, processors)

    def values(self, runtime: Mapping[str, Any]) -> list[Any]:
        """The positional values for one run; `runtime` overrides the constants it names."""
        values = []
        for name in self.names:
            if name in runtime:
                value = runtime[name]
                processor = self.processors.get(name)
                values.append(processor(value) if processor and value is not None else value)
            else:
                values.append(self.constants[name])
        return values


def observe(engine: Engine, observer: ReadObserver) -> Callable[[], None]:
    """Call `observer` around every prepared read on `engine`; returns the undo."""
    observers = _observers.setdefault(engine, [])
    observers.append(observer)
    return lambda: observers.remove(observer)


@contextmanager
def _observed(engine: Engine, sql: str) -> Iterator[None]:
    observers = _observers.get(engine)
    if not observers:
        yield
        return
    with ExitStack() as stack:
        for observer in observers:
            stack.enter_context(observer(sql))
        yield


class ReadConnections:
    """Connections kept in autocommit for compiled reads on one database, beside its pool.

    At most `size` are open; a read waits up to `timeout` seconds for a free one, like a
    request for a pooled connection. They open on first use with the engine's URL and connect
    timeout, and SET `session_settings` (statement_timeout and the like). A connection whose
    read failed or was cancelled is closed, not reused, and the next read opens a new one:
    after a database restart, one failed read per connection and then fresh ones.
    """

    def __init__(
        self,
        engine: Engine,
        size: int,
        *,
        timeout: float,
        connect_timeout: int,
        session_settings: Mapping[str, int],
    ) -> None:
        self.engine = engine
        self.size = size
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._session_settings = dict(session_settings)
        self._slots = asyncio.Semaphore(size)
        self._idle: list[AsyncConnection[Any]] = []
        # One cursor per connection, kept with it: making a cursor per read costs more than
        # anything else psycopg does for that read but the round trip.
        self._cursors: dict[AsyncConnection[Any], AsyncRawCursor[Any]] = {}
        self._open = 0

    @property
    def in_use(self) -> int:
        """Connections running a read now."""
        return self._open - len(self._idle)

    def idle_connections(self) -> list[AsyncConnection[Any]]:
        """The open connections waiting for a read, most recently used last (to inspect)."""
        return list(self._idle)

    async def run(
        self, selects: Sequence[PreparedSelect], runtime: Mapping[str, Any]
    ) -> list[Sequence[Any]]:
        """Each select's rows (tuples), one after another on one connection: like
        separate statements in one READ COMMITTED transaction."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            # What an exhausted pool raises, so it is treated as one (db/faults.py).
            raise PoolTimeoutError(
                f"no connection for a compiled read came free within {self._timeout:g} s"
            ) from None
        connection: AsyncConnection[Any] | None = None
        try:
            connection = self._idle.pop() if self._idle else await self._connect()
            answers: list[Sequence[Any]] = []
            cursor = self._cursors[connection]
            for select in selects:
                with _observed(self.engine, select.sql):
                    # Binary: a root's JSON text comes back as bytea, whose bytes psycopg
                    # then hands over as they are (db/jsonsql.py, PostgresJson.answer).
                    await cursor.execute(
                        select.sql, select.values(runtime), prepare=True, binary=True
                    )
                    answers.append(await cursor.fetchall())
            self._idle.append(connection)
            connection = None
            return answers
        finally:
            try:
                if connection is not None:
                    # Mid-statement, cancelled, or broken: its state is unknown, so it is
                    # not reused.
                    self._open -= 1
                    del self._cursors[connection]
                    await connection.close()
            finally:
                self._slots.release()

    async def _connect(self) -> AsyncConnection[Any]:
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await AsyncConnection.connect(
            url, autocommit=True, connect_timeout=self._connect_timeout
        )
        try:
            for name, value in self._session_settings.items():
                await connection.execute(f"SET {name} = {int(value)}")
        except BaseException:
            await connection.close()
            raise
        self._open += 1
        self._cursors[connection] = AsyncRawCursor(connection, row_factory=tuple_row)
        return connection

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open -= 1
            del self._cursors[connection]
            await connection.close()
