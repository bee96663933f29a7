"""Compiled reads on PostgreSQL, run on the driver's connection rather than through a Session.

A compiled read is one SELECT whose plan is cached per document, so almost all of what
SQLAlchemy does per execution (a Session transaction, the statement cache lookup, result
wrapping, BEGIN and COMMIT round trips) is repeated work. Here the statement is rendered
once, with PostgreSQL's own `$n` placeholders, and each request borrows a pooled
connection, runs it in autocommit (one round trip, no transaction to end) as a named
prepared statement, and hands it back. The connection comes from the engine's own pool,
so pool sizing, statement_timeout and the pool metrics apply as for every other query.

Statements run here bypass SQLAlchemy's engine events; `observe` is how tracing and the
tests' statement counts still see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from psycopg import AsyncRawCursor
from psycopg.rows import namedtuple_row
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql.psycopg import PGDialectAsync_psycopg
from sqlalchemy.sql import Select
from sqlalchemy.util import greenlet_spawn

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


async def run_prepared(
    engine: Engine, selects: Sequence[PreparedSelect], runtime: Mapping[str, Any]
) -> list[Sequence[Any]]:
    """Each select's rows (named tuples), run one after another on one pooled connection.

    Each runs in autocommit, like separate statements in one READ COMMITTED transaction.
    A connection left in doubt (an error, a cancellation) is invalidated, not reused.
    """
    pooled = await greenlet_spawn(engine.raw_connection)
    driver = pooled.driver_connection
    assert driver is not None
    healthy = False
    try:
        await driver.set_autocommit(True)
        answers: list[Sequence[Any]] = []
        for select in selects:
            with _observed(engine, select.sql):
                cursor = AsyncRawCursor(driver, row_factory=namedtuple_row)
                await cursor.execute(select.sql, select.values(runtime), prepare=True)
                answers.append(await cursor.fetchall())
        await driver.set_autocommit(False)
        healthy = True
        return answers
    finally:
        if not healthy:
            # Mid-statement, cancelled, or broken: its state is unknown, so it is not reused.
            await greenlet_spawn(pooled.invalidate)
        await greenlet_spawn(pooled.close)
